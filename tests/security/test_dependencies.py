"""Dependencies: every requirement in setup.cfg has an upper bound (so a fix can be taken
deliberately, and a breaking major never arrives by surprise), and scripts/audit_deps.py
judges pip-audit's report -- and PyPI's project JSON when pip-audit could not look a package
up -- the way docs/security.md says. No test here touches the network."""

from __future__ import annotations

import configparser
import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _requirements() -> list[tuple[str, str]]:
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    found = []
    for line in config["options"]["install_requires"].splitlines():
        if line.strip():
            found.append(("install_requires", line.strip()))
    for extra, block in config["options.extras_require"].items():
        for line in block.splitlines():
            if line.strip():
                found.append((extra, line.strip()))
    return found


def test_setup_cfg_lists_requirements():
    assert len(_requirements()) > 15


@pytest.mark.parametrize(("section", "requirement"), _requirements())
def test_every_requirement_has_an_upper_bound(section, requirement):
    spec = requirement.split(";")[0]
    assert re.search(r"(<|==)\s*\d", spec), f"{section}: {requirement} has no upper bound"


def _audit_module():
    spec = importlib.util.spec_from_file_location("audit_deps", ROOT / "scripts" / "audit_deps.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["audit_deps"] = module
    spec.loader.exec_module(module)
    return module


def _report(tmp_path: Path, deps: list[dict]) -> str:
    path = tmp_path / "report.json"
    path.write_text(json.dumps({"dependencies": deps, "fixes": []}))
    return str(path)


UNREACHABLE = [
    {"name": "agora", "skip_reason": "Dependency not found on PyPI and could not be audited"},
    {"name": "flask", "skip_reason": "Dependency not found on PyPI and could not be audited: "
                                     "flask (3.1.3)"},
]


def _offline(monkeypatch, audit) -> list[str]:
    """PyPI's project JSON unreachable too; returns the names the fallback asked for."""
    asked: list[str] = []

    def fetch(name):
        asked.append(name)
        return None

    monkeypatch.setattr(audit, "fetch_project_json", fetch)
    return asked


def test_audit_says_loudly_when_nothing_was_audited(tmp_path, capsys, monkeypatch):
    audit = _audit_module()
    asked = _offline(monkeypatch, audit)
    monkeypatch.delenv("AGORA_AUDIT_STRICT", raising=False)
    assert audit.main(["--from-json", _report(tmp_path, UNREACHABLE)]) == 0
    out = capsys.readouterr().out
    assert "AUDIT NOT PERFORMED: vulnerability data unreachable" in out
    assert "PARTIAL AUDIT" not in out
    assert "flask: Dependency not found on PyPI" in out and "unavailable too" in out
    assert asked == ["flask"]  # the fallback was tried, for flask only (agora is ours)
    monkeypatch.setenv("AGORA_AUDIT_STRICT", "1")
    assert audit.main(["--from-json", _report(tmp_path, UNREACHABLE)]) == 1


def test_audit_fails_on_a_vulnerability_with_a_fix(tmp_path, capsys, monkeypatch):
    audit = _audit_module()
    _offline(monkeypatch, audit)
    monkeypatch.delenv("AGORA_AUDIT_STRICT", raising=False)
    deps = [{"name": "flask", "version": "3.1.0", "vulns": [
        {"id": "GHSA-xxxx", "fix_versions": ["3.1.1"], "aliases": [], "description": ""}]},
        {"name": "bleach", "version": "6.4.0", "vulns": []}]
    assert audit.main(["--from-json", _report(tmp_path, deps)]) == 1
    assert "GHSA-xxxx -> fixed in 3.1.1" in capsys.readouterr().out


def test_audit_passes_when_only_unfixed_vulnerabilities_remain(tmp_path, capsys, monkeypatch):
    audit = _audit_module()
    _offline(monkeypatch, audit)
    monkeypatch.delenv("AGORA_AUDIT_STRICT", raising=False)
    deps = [{"name": "whoosh-reloaded", "version": "2.7.5", "vulns": [
        {"id": "PYSEC-0", "fix_versions": [], "aliases": [], "description": ""}]},
        {"name": "bleach", "version": "6.4.0", "vulns": []}]
    assert audit.main(["--from-json", _report(tmp_path, deps)]) == 0
    out = capsys.readouterr().out
    assert "no fix released yet" in out and "2 packages audited" in out


# --- fallback: PyPI's project JSON, whose `vulnerabilities` describe info.version only ---

def _not_on_pypi(name: str, version: str) -> dict:
    return {"name": name, "skip_reason": "Dependency not found on PyPI and could not be "
                                         f"audited: {name} ({version})"}


def _project(latest: str, *vulns: dict) -> dict:
    return {"info": {"name": "x", "version": latest}, "vulnerabilities": list(vulns)}


def _advisory(vuln_id: str, fixed_in: list[str], withdrawn: str | None = None, aliases=()):
    return {"id": vuln_id, "aliases": list(aliases), "fixed_in": fixed_in, "summary": "",
            "details": "", "withdrawn": withdrawn}


def _fallback(audit, deps: list[dict], documents: dict[str, dict | None]):
    """Judge a report, then the given project JSON documents (no network)."""
    verdict = audit.judge({"dependencies": deps})
    for name, installed in audit.fallback_candidates(verdict).items():
        audit.judge_project_json(verdict, name, installed, documents.get(name))
    return verdict


def test_fallback_at_latest_with_a_fixable_vulnerability_fails(capsys):
    audit = _audit_module()
    verdict = _fallback(audit, [_not_on_pypi("flask", "3.1.3")], {
        "flask": _project("3.1.3", _advisory("GHSA-aaaa", ["3.1.4"], aliases=["CVE-1"]),
                          _advisory("CVE-1", ["3.1.4"], aliases=["GHSA-aaaa"]))})
    assert verdict.audited_by_project_json == ["flask"] and not verdict.unaudited
    assert verdict.fixable == ["flask 3.1.3: GHSA-aaaa -> fixed in 3.1.4"]  # alias listed once
    assert audit.decide(verdict, strict=False) == 1
    out = capsys.readouterr().out
    assert "GHSA-aaaa -> fixed in 3.1.4" in out
    assert "AUDIT NOT PERFORMED" not in out and "PARTIAL AUDIT" not in out


def test_fallback_ignores_withdrawn_advisories(capsys):
    audit = _audit_module()
    verdict = _fallback(audit, [_not_on_pypi("bleach", "6.4.0")], {
        "bleach": _project("6.4", _advisory("GHSA-gone", ["6.5.0"], withdrawn="2025-01-01"))})
    assert verdict.audited_by_project_json == ["bleach"]  # 6.4.0 == 6.4 as versions
    assert not verdict.fixable and not verdict.unfixable and not verdict.unaudited
    assert audit.decide(verdict, strict=True) == 0
    out = capsys.readouterr().out
    assert "by PyPI's project JSON (fallback): 1" in out
    assert "1 packages audited, no known vulnerability with a fix" in out


def test_fallback_advisory_without_fix_is_reported_not_fatal(capsys):
    audit = _audit_module()
    verdict = _fallback(audit, [_not_on_pypi("ecdsa", "0.19.2")], {
        "ecdsa": _project("0.19.2", _advisory("GHSA-wj6h", []))})
    assert verdict.unfixable == ["ecdsa 0.19.2: GHSA-wj6h (no fix released yet)"]
    assert audit.decide(verdict, strict=True) == 0
    assert "known vulnerability without a fix yet: ecdsa 0.19.2: GHSA-wj6h" in (
        capsys.readouterr().out)


def test_fallback_says_nothing_about_an_older_installed_version(capsys):
    audit = _audit_module()
    # The latest release is clean, but that says nothing about 3.1.0: it stays unaudited.
    verdict = _fallback(audit, [_not_on_pypi("flask", "3.1.0")], {"flask": _project("3.1.3")})
    assert not verdict.audited_by_project_json and list(verdict.unaudited) == ["flask"]
    assert "newer release exists: flask 3.1.0 -> 3.1.3" in verdict.unaudited["flask"]
    assert audit.decide(verdict, strict=False) == 0
    out = capsys.readouterr().out
    assert "newer release exists: flask 3.1.0 -> 3.1.3" in out
    assert "AUDIT NOT PERFORMED" in out
    assert audit.decide(_fallback(audit, [_not_on_pypi("flask", "3.1.0")],
                                  {"flask": _project("3.1.3")}), strict=True) == 1


def test_fallback_without_vulnerability_data_does_not_count_as_clean():
    audit = _audit_module()
    verdict = _fallback(audit, [_not_on_pypi("flask", "3.1.3")],
                        {"flask": {"info": {"version": "3.1.3"}}})
    assert not verdict.performed and "no vulnerability data" in verdict.unaudited["flask"]


def test_partial_audit_is_named_and_fatal_only_when_strict(tmp_path, capsys, monkeypatch):
    audit = _audit_module()
    documents = {"flask": _project("3.1.3"), "jinja2": _project("3.1.6")}
    asked: list[str] = []

    def fetch(name):
        asked.append(name)
        return documents.get(name)

    monkeypatch.setattr(audit, "fetch_project_json", fetch)
    deps = [{"name": "bleach", "version": "6.4.0", "vulns": []},  # audited by pip-audit
            _not_on_pypi("flask", "3.1.3"),  # audited by the fallback
            _not_on_pypi("jinja2", "3.1.5"),  # older than latest: not audited
            {"name": "oddpkg", "skip_reason": "distribution marked as editable"},
            {"name": "agora", "skip_reason": "distribution marked as editable"}]
    monkeypatch.delenv("AGORA_AUDIT_STRICT", raising=False)
    assert audit.main(["--from-json", _report(tmp_path, deps)]) == 0
    out = capsys.readouterr().out
    assert sorted(asked) == ["flask", "jinja2"]  # editable packages are not on PyPI
    assert ("audited by pip-audit: 1 packages; by PyPI's project JSON (fallback): 1; "
            "not audited: 2") in out
    assert "PARTIAL AUDIT: 2 packages NOT audited: jinja2, oddpkg" in out
    assert "newer release exists: jinja2 3.1.5 -> 3.1.6" in out
    assert "AUDIT NOT PERFORMED" not in out
    monkeypatch.setenv("AGORA_AUDIT_STRICT", "1")
    assert audit.main(["--from-json", _report(tmp_path, deps)]) == 1


def test_fetch_project_json_reads_a_document_and_survives_failure(tmp_path, monkeypatch):
    audit = _audit_module()
    (tmp_path / "flask").write_text(json.dumps(_project("3.1.3")))
    # A file: URL stands in for PyPI, so the real fetch code runs without network.
    monkeypatch.setattr(audit, "PROJECT_JSON_URL", tmp_path.as_uri() + "/{name}")
    assert audit.fetch_project_json("flask")["info"]["version"] == "3.1.3"
    assert audit.fetch_project_json("missing") is None
    (tmp_path / "broken").write_text("<html>")
    assert audit.fetch_project_json("broken") is None
