#!/usr/bin/env python3
"""Audit the installed dependency set with pip-audit (PyPI's vulnerability data).

Exit status:
  0  no known vulnerability with a fix (or: the audit was incomplete or could not be
     performed and AGORA_AUDIT_STRICT is not 1 -- printed loudly as "PARTIAL AUDIT" /
     "AUDIT NOT PERFORMED")
  1  a known vulnerability that has a fix version (upgrade within setup.cfg's bounds),
     or AGORA_AUDIT_STRICT=1 and the audit is incomplete: nothing audited, or some
     package that PyPI should know stayed unaudited
  2  pip-audit itself failed to run

Why the "not performed" case exists: on machines without access to PyPI's JSON API
(and to OSV), pip-audit reports every package as "Dependency not found on PyPI and
could not be audited" and still exits 0 ("No known vulnerabilities found"). Treating
that as a pass would be a lie; failing every offline CI run would make the check
ignored. So the script says clearly what was not audited, and CI with network access
sets AGORA_AUDIT_STRICT=1 to make it fatal. See docs/security.md.

Fallback: pip-audit asks PyPI's per-version JSON (/pypi/<name>/<version>/json). Where
only the project JSON (/pypi/<name>/json) answers, the script fetches that for each
package pip-audit could not look up. Its `vulnerabilities` list belongs to the latest
release (`info.version`), so it audits a package only when the installed version IS the
latest; an older installed version stays unaudited, with "newer release exists" printed.
The fallback's findings count exactly like pip-audit's (with a fix: exit 1). It also
runs for --from-json reports (it needs the network, not pip-audit).

Usage: .venv/bin/python scripts/audit_deps.py [--from-json REPORT.json]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from packaging.version import InvalidVersion, Version

# Our own package is installed in editable mode: it is not on PyPI, skipping it is normal.
LOCAL_PACKAGES = {"agora"}
NOT_ON_PYPI = "not found on PyPI"
# pip-audit's skip reason ends with "<name> (<version>)": the version it could not look up.
SKIPPED_VERSION = re.compile(r"could not be audited: \S+ \((?P<version>[^()]+)\)$")
PROJECT_JSON_URL = "https://pypi.org/pypi/{name}/json"
FETCH_TIMEOUT = 10  # seconds per package
FETCH_THREADS = 4


@dataclass
class Verdict:
    audited: list[str] = field(default_factory=list)  # by pip-audit
    audited_by_project_json: list[str] = field(default_factory=list)  # by the fallback
    unaudited: dict[str, str] = field(default_factory=dict)  # name -> why not
    fixable: list[str] = field(default_factory=list)  # "name version: id -> fix versions"
    unfixable: list[str] = field(default_factory=list)

    @property
    def performed(self) -> bool:
        return bool(self.audited or self.audited_by_project_json)


def record_vulnerability(verdict: Verdict, name: str, version: str, vuln_id: str,
                         fixes: list[str]) -> None:
    line = f"{name} {version}: {vuln_id}"
    if fixes:
        verdict.fixable.append(f"{line} -> fixed in {', '.join(fixes)}")
    else:
        verdict.unfixable.append(f"{line} (no fix released yet)")


def judge(report: dict) -> Verdict:
    """Sort pip-audit's JSON report into audited / unaudited / vulnerable packages."""
    verdict = Verdict()
    for dep in report.get("dependencies", []):
        name = dep.get("name", "?")
        if name.lower() in LOCAL_PACKAGES:
            continue
        if dep.get("skip_reason"):
            verdict.unaudited[name] = dep["skip_reason"]
            continue
        verdict.audited.append(name)
        for vuln in dep.get("vulns", []):
            record_vulnerability(verdict, name, dep.get("version", "?"), vuln.get("id", "?"),
                                 vuln.get("fix_versions") or [])
    return verdict


def fallback_candidates(verdict: Verdict) -> dict[str, str]:
    """name -> installed version of the packages pip-audit could not look up on PyPI.

    Editable or invalid-version packages are not candidates: PyPI knows nothing of them.
    """
    found = {}
    for name, reason in verdict.unaudited.items():
        match = SKIPPED_VERSION.search(reason)
        if NOT_ON_PYPI in reason and match:
            found[name] = match["version"]
    return found


def judge_project_json(verdict: Verdict, name: str, installed: str,
                       document: dict | None) -> None:
    """Audit one package from PyPI's project JSON, if it speaks about the installed version."""
    if document is None:
        verdict.unaudited[name] += "; PyPI's project JSON unavailable too"
        return
    try:
        latest = document["info"]["version"]
        installed_version, latest_version = Version(installed), Version(latest)
    except (KeyError, TypeError, InvalidVersion):
        verdict.unaudited[name] += "; PyPI's project JSON has no usable info.version"
        return
    if installed_version != latest_version:
        # The list describes the latest release only: silent about the installed one.
        where = ("newer release exists" if installed_version < latest_version
                 else "installed is newer than PyPI's latest")
        verdict.unaudited[name] += f"; {where}: {name} {installed} -> {latest}"
        return
    vulns = document.get("vulnerabilities")
    if not isinstance(vulns, list):
        # No list at all means no vulnerability data here, not "no vulnerabilities".
        verdict.unaudited[name] += "; PyPI's project JSON carries no vulnerability data"
        return
    del verdict.unaudited[name]
    verdict.audited_by_project_json.append(name)
    seen: set[str] = set()
    for vuln in vulns:
        vuln_id = vuln.get("id", "?")
        # Withdrawn advisories are retracted; aliases repeat one advisory under another id.
        if vuln.get("withdrawn") is not None or vuln_id in seen:
            continue
        seen.update([vuln_id, *(vuln.get("aliases") or [])])
        record_vulnerability(verdict, name, installed, vuln_id, vuln.get("fixed_in") or [])


def fetch_project_json(name: str) -> dict | None:
    """PyPI's project JSON for `name`, or None if it cannot be had."""
    url = PROJECT_JSON_URL.format(name=urllib.parse.quote(name))
    try:
        # S310 allowed: the URL is PROJECT_JSON_URL (https); tests point it at a file: URL.
        with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT) as response:  # noqa: S310
            return json.load(response)
    except (OSError, ValueError):  # URLError/HTTPError/timeouts are OSErrors
        return None


def apply_project_json_fallback(verdict: Verdict) -> None:
    candidates = fallback_candidates(verdict)
    if not candidates:
        return
    with ThreadPoolExecutor(max_workers=FETCH_THREADS) as pool:
        documents = dict(zip(candidates, pool.map(fetch_project_json, candidates), strict=True))
    for name, installed in candidates.items():
        judge_project_json(verdict, name, installed, documents[name])


def run_pip_audit() -> dict:
    command = [sys.executable, "-m", "pip_audit", "--format", "json",
               "--progress-spinner", "off"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    # pip-audit exits 1 when it finds vulnerabilities; the JSON is on stdout either way.
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"pip-audit did not produce a report (exit {done.returncode})") from None


def print_framed(*lines: str) -> None:
    print("=" * 72)
    for line in lines:
        print(line)
    print("=" * 72)


def decide(verdict: Verdict, strict: bool) -> int:
    for line in verdict.unfixable:
        print(f"known vulnerability without a fix yet: {line}")
    print(f"audited by pip-audit: {len(verdict.audited)} packages; by PyPI's project JSON "
          f"(fallback): {len(verdict.audited_by_project_json)}; not audited: "
          f"{len(verdict.unaudited)}")
    if verdict.unaudited:
        print("not audited:")
        for name, reason in sorted(verdict.unaudited.items()):
            print(f"  {name}: {reason}")
    if not verdict.performed:
        print_framed(
            "AUDIT NOT PERFORMED: vulnerability data unreachable "
            f"({len(verdict.unaudited)} packages could not be audited).",
            "Nothing is known about the dependencies' vulnerabilities. Run where PyPI's "
            "JSON API is reachable; set AGORA_AUDIT_STRICT=1 to make this fatal.")
        return 1 if strict else 0
    incomplete_fatal = False
    if verdict.unaudited:
        print_framed(
            f"PARTIAL AUDIT: {len(verdict.unaudited)} packages NOT audited: "
            f"{', '.join(sorted(verdict.unaudited))}",
            "Nothing is known about these packages' vulnerabilities (see above); "
            "AGORA_AUDIT_STRICT=1 makes this fatal.")
        incomplete_fatal = strict and any(NOT_ON_PYPI in why for why in verdict.unaudited.values())
    if verdict.fixable:
        print("Known vulnerabilities with a fix: upgrade these (within setup.cfg's bounds):")
        for line in verdict.fixable:
            print(f"  {line}")
        return 1
    if incomplete_fatal:
        return 1
    audited = len(verdict.audited) + len(verdict.audited_by_project_json)
    print(f"{audited} packages audited, no known vulnerability with a fix.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--from-json", help="judge a saved `pip-audit --format json` report")
    args = parser.parse_args(argv)
    if args.from_json:
        with open(args.from_json, encoding="utf-8") as fh:
            report = json.load(fh)
    else:
        report = run_pip_audit()
    strict = os.environ.get("AGORA_AUDIT_STRICT", "") == "1"
    verdict = judge(report)
    apply_project_json_fallback(verdict)
    return decide(verdict, strict)


if __name__ == "__main__":
    sys.exit(main())
