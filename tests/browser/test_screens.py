"""Screenshots of the main pages at desktop and phone widths, saved on every run.

They land in tests/browser/artifacts/screens/ (git-ignored). To refresh the committed
set in docs/screenshots/, run with AGORA_UPDATE_SCREENSHOTS=1:

    AGORA_UPDATE_SCREENSHOTS=1 .venv/bin/pytest tests/browser/test_screens.py

conftest.py runs this module before the other browser tests, so the pictures show the
demo data rather than what the journeys add. Besides the pictures, each page is checked
for what breaks most often at 360 px: a page wider than the screen (horizontal scrolling).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

HERE = Path(__file__).resolve().parent
SCREENS = HERE / "artifacts" / "screens"
COMMITTED = HERE.parent.parent / "docs" / "screenshots"

# The committed set (docs/screenshots/) is a few pages only, to keep the repository small.
COMMITTED_PAGES = {"home", "home-fr", "article", "discussion", "new-article", "login"}
SIZES = {"desktop": (1280, 800), "phone": (360, 740)}
# name, path, needs a member, the name of a link to follow from there (a demo item)
PAGES = [
    ("home", "/en/", False, None),
    ("home-fr", "/fr/", False, None),
    ("articles", "/en/articles/", False, None),
    ("article", "/en/articles/", False, "Learning circles in public libraries"),
    ("discussions", "/en/discussions/", False, None),
    ("discussion", "/en/discussions/", False,
     "How do you keep adult learners coming back after the first month?"),
    ("search", "/en/search?q=learning", False, None),
    ("login", "/en/auth/login", False, None),
    ("register", "/en/auth/register", False, None),
    ("new-article", "/en/articles/new", True, None),
    ("settings", "/en/settings", True, None),
]


@pytest.mark.parametrize("size", list(SIZES))
def test_screenshots(size, new_page, live_server, member_state):
    width, height = SIZES[size]
    SCREENS.mkdir(parents=True, exist_ok=True)
    visitor = new_page(width=width, height=height)
    member = new_page(width=width, height=height, storage_state=member_state)
    too_wide = []
    for name, path, needs_member, follow in PAGES:
        page = member if needs_member else visitor
        page.goto(live_server(path))
        if follow:
            href = page.locator("main").get_by_role("link", name=follow).first.get_attribute("href")
            assert href, f"nothing to open on {path}"
            page.goto(live_server(href))
        # Scripts have run and web fonts/images are in: what a person would see.
        page.wait_for_load_state("load")
        target = SCREENS / f"{name}-{width}.png"
        page.screenshot(path=str(target), full_page=False)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            offenders = page.evaluate(
                """(w) => Array.from(document.querySelectorAll('body *'))
                    .filter(e => e.getBoundingClientRect().right > w + 1)
                    .filter(e => !e.closest('.visually-hidden, .skip-link'))
                    .slice(0, 5)
                    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                              + (e.className && typeof e.className === 'string'
                                 ? '.' + e.className.trim().split(/\\s+/).join('.') : ''))""",
                width,
            )
            too_wide.append(f"{name}: {scroll}px wide; {offenders}")
        if os.environ.get("AGORA_UPDATE_SCREENSHOTS") == "1" and name in COMMITTED_PAGES:
            COMMITTED.mkdir(parents=True, exist_ok=True)
            shutil.copy(target, COMMITTED / target.name)
    assert not too_wide, (f"pages wider than {width}px (horizontal scrolling):\n"
                          + "\n".join(too_wide))
