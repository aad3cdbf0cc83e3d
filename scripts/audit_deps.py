#!/usr/bin/env python3
"""Audit the installed dependency set with pip-audit (PyPI's vulnerability data).

Exit status:
  0  no known vulnerability with a fix (or: the audit could not be performed and
     AGORA_AUDIT_STRICT is not 1 -- printed loudly as "AUDIT NOT PERFORMED")
  1  a known vulnerability that has a fix version (upgrade within setup.cfg's bounds),
     or the audit could not be performed and AGORA_AUDIT_STRICT=1
  2  pip-audit itself failed to run

Why the "not performed" case exists: on machines without access to PyPI's JSON API
(and to OSV), pip-audit reports every package as "Dependency not found on PyPI and
could not be audited" and still exits 0 ("No known vulnerabilities found"). Treating
that as a pass would be a lie; failing every offline CI run would make the check
ignored. So the script says clearly that nothing was audited, and CI with network
access sets AGORA_AUDIT_STRICT=1 to make it fatal. See docs/security.md.

Usage: .venv/bin/python scripts/audit_deps.py [--from-json REPORT.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from dataclasses import dataclass, field

# Our own package is installed in editable mode: it is not on PyPI, skipping it is normal.
LOCAL_PACKAGES = {"agora"}
NOT_ON_PYPI = "not found on PyPI"


@dataclass
class Verdict:
    audited: list[str] = field(default_factory=list)
    unaudited: list[str] = field(default_factory=list)
    fixable: list[str] = field(default_factory=list)  # "name version: id -> fix versions"
    unfixable: list[str] = field(default_factory=list)

    @property
    def performed(self) -> bool:
        return bool(self.audited)


def judge(report: dict) -> Verdict:
    """Sort pip-audit's JSON report into audited / unaudited / vulnerable packages."""
    verdict = Verdict()
    for dep in report.get("dependencies", []):
        name = dep.get("name", "?")
        if name.lower() in LOCAL_PACKAGES:
            continue
        if dep.get("skip_reason"):
            verdict.unaudited.append(f"{name}: {dep['skip_reason']}")
            continue
        verdict.audited.append(name)
        for vuln in dep.get("vulns", []):
            line = f"{name} {dep.get('version', '?')}: {vuln.get('id', '?')}"
            fixes = vuln.get("fix_versions") or []
            if fixes:
                verdict.fixable.append(f"{line} -> fixed in {', '.join(fixes)}")
            else:
                verdict.unfixable.append(f"{line} (no fix released yet)")
    return verdict


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


def decide(verdict: Verdict, strict: bool) -> int:
    for line in verdict.unfixable:
        print(f"known vulnerability without a fix yet: {line}")
    if not verdict.performed:
        print("=" * 72)
        print("AUDIT NOT PERFORMED: vulnerability data unreachable "
              f"({len(verdict.unaudited)} packages could not be audited).")
        print("Nothing is known about the dependencies' vulnerabilities. Run where PyPI's "
              "JSON API is reachable; set AGORA_AUDIT_STRICT=1 to make this fatal.")
        print("=" * 72)
        return 1 if strict else 0
    if verdict.unaudited:
        print(f"warning: {len(verdict.unaudited)} packages could not be audited:")
        for line in verdict.unaudited:
            print(f"  {line}")
        if strict and any(NOT_ON_PYPI in line for line in verdict.unaudited):
            return 1
    if verdict.fixable:
        print("Known vulnerabilities with a fix: upgrade these (within setup.cfg's bounds):")
        for line in verdict.fixable:
            print(f"  {line}")
        return 1
    print(f"pip-audit: {len(verdict.audited)} packages audited, no known vulnerability "
          "with a fix.")
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
    return decide(judge(report), strict)


if __name__ == "__main__":
    sys.exit(main())
