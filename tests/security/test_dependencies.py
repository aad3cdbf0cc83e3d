"""Dependencies: every requirement in setup.cfg has an upper bound (so a fix can be taken
deliberately, and a breaking major never arrives by surprise), and scripts/audit_deps.py
judges pip-audit's report the way docs/security.md says."""

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


def test_audit_says_loudly_when_nothing_was_audited(tmp_path, capsys, monkeypatch):
    audit = _audit_module()
    monkeypatch.delenv("AGORA_AUDIT_STRICT", raising=False)
    assert audit.main(["--from-json", _report(tmp_path, UNREACHABLE)]) == 0
    assert "AUDIT NOT PERFORMED: vulnerability data unreachable" in capsys.readouterr().out
    monkeypatch.setenv("AGORA_AUDIT_STRICT", "1")
    assert audit.main(["--from-json", _report(tmp_path, UNREACHABLE)]) == 1


def test_audit_fails_on_a_vulnerability_with_a_fix(tmp_path, capsys, monkeypatch):
    audit = _audit_module()
    monkeypatch.delenv("AGORA_AUDIT_STRICT", raising=False)
    deps = [{"name": "flask", "version": "3.1.0", "vulns": [
        {"id": "GHSA-xxxx", "fix_versions": ["3.1.1"], "aliases": [], "description": ""}]},
        {"name": "bleach", "version": "6.4.0", "vulns": []}]
    assert audit.main(["--from-json", _report(tmp_path, deps)]) == 1
    assert "GHSA-xxxx -> fixed in 3.1.1" in capsys.readouterr().out


def test_audit_passes_when_only_unfixed_vulnerabilities_remain(tmp_path, capsys, monkeypatch):
    audit = _audit_module()
    monkeypatch.delenv("AGORA_AUDIT_STRICT", raising=False)
    deps = [{"name": "whoosh-reloaded", "version": "2.7.5", "vulns": [
        {"id": "PYSEC-0", "fix_versions": [], "aliases": [], "description": ""}]},
        {"name": "bleach", "version": "6.4.0", "vulns": []}]
    assert audit.main(["--from-json", _report(tmp_path, deps)]) == 0
    out = capsys.readouterr().out
    assert "no fix released yet" in out and "2 packages audited" in out
