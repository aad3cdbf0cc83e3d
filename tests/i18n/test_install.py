"""The package build compiles the catalogs: no .mo file is committed, an install has them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_build_py_compiles_every_catalog(tmp_path):
    build = tmp_path / "lib"
    subprocess.run(
        [sys.executable, "setup.py", "-q", "build_py", "--build-lib", str(build)],
        cwd=ROOT, check=True, capture_output=True,
    )
    for lang in ["en", "fr", "de", "es", "it", "pl", "pt", "nl"]:
        mo = build / "app" / "translations" / lang / "LC_MESSAGES" / "messages.mo"
        assert mo.is_file() and mo.stat().st_size > 0, lang

    from babel.support import Translations

    german = Translations.load(str(build / "app" / "translations"), ["de"])
    assert german.gettext("Skip to main content") == "Zum Hauptinhalt springen"


def test_mo_files_are_ignored_by_git():
    result = subprocess.run(
        ["git", "check-ignore", "-q", "app/translations/fr/LC_MESSAGES/messages.mo"],
        cwd=ROOT, check=False,
    )
    assert result.returncode == 0
