"""The rich-text editor is vendored at a pinned version, with its licence, no CDN."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "app" / "static" / "vendor" / "trix"


def test_trix_is_vendored_at_the_pinned_version():
    script = (ROOT / "scripts" / "vendor_assets.sh").read_text()
    pinned = re.search(r'^TRIX_VERSION="([0-9.]+)"$', script, re.M).group(1)
    assert (VENDOR / "VERSION").read_text().splitlines()[0] == f"trix {pinned}"
    assert "Permission is hereby granted" in (VENDOR / "LICENSE").read_text()
    assert (VENDOR / "trix.umd.min.js").stat().st_size > 50_000
    assert "trix-editor" in (VENDOR / "trix.css").read_text()
    assert "npm pack" in script


def test_editor_assets_are_served(client):
    r = client.get("/static/vendor/trix/trix.umd.min.js")
    assert r.status_code == 200
    r.close()
