"""Compile the catalogs when a .mo is missing or older than its .po.

`make test` compiles them first; this keeps a bare `pytest tests/i18n` honest too.
"""

from __future__ import annotations

from pathlib import Path

import pytest

TRANSLATIONS = Path(__file__).resolve().parents[2] / "app" / "translations"


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogs() -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name)
        with mo.open("wb") as fh:
            write_mo(fh, catalog, use_fuzzy=False)
