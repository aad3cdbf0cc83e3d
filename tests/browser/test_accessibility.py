"""axe-core on the main pages, in English and French: no serious or critical violation.

Other findings (moderate, minor) are printed, and every finding is also written to
tests/browser/artifacts/axe.jsonl.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class Target:
    name: str
    path: str  # under /<lang>
    member: bool = False  # needs a logged-in member
    follow: str | None = None  # CSS of the first link to follow from `path` (an item page)


PAGES = [
    Target("home", "/"),
    Target("articles", "/articles/"),
    Target("article", "/articles/", follow="main .cards a[href*='/articles/']"),
    Target("discussions", "/discussions/"),
    Target("discussion", "/discussions/", follow="main .discussion-list a[href*='/discussions/']"),
    Target("search", "/search?q=learning"),
    Target("login", "/auth/login"),
    Target("register", "/auth/register"),
    Target("settings", "/settings", member=True),
    Target("new-article", "/articles/new", member=True),
    Target("new-discussion", "/discussions/new", member=True),
    Target("article-member", "/articles/", member=True, follow="main .cards a[href*='/articles/']"),
    Target("discussion-member", "/discussions/", member=True,
           follow="main .discussion-list a[href*='/discussions/']"),
]
LOCALES = {"en": "en-GB", "fr": "fr-FR"}


@pytest.fixture(scope="module")
def axe_pages(browser, member_state):
    """One page per (language, visitor or member), reused by this module's tests: a new
    browser context per page checked would cost more than the check itself."""
    opened = {}

    def get(lang: str, member: bool):
        key = (lang, member)
        if key not in opened:
            context = browser.new_context(
                viewport={"width": 1280, "height": 800}, locale=LOCALES[lang],
                bypass_csp=True,  # axe is injected as an inline script
                storage_state=member_state if member else None,
            )
            opened[key] = (context, context.new_page())
        return opened[key][1]

    yield get
    for context, _page in opened.values():
        context.close()


@pytest.mark.parametrize("lang", list(LOCALES))
@pytest.mark.parametrize("target", PAGES, ids=lambda t: t.name)
def test_no_serious_accessibility_violations(target, lang, axe_pages, live_server, axe):
    page = axe_pages(lang, target.member)
    response = page.goto(live_server(f"/{lang}{target.path}"))
    assert response is not None and response.status == 200, f"{target.path}: {response.status}"
    if target.follow:
        link = page.locator(target.follow).first
        assert link.count() == 1, f"no item to open on {target.path} ({target.follow})"
        href = link.get_attribute("href")
        response = page.goto(live_server(href))
        assert response is not None and response.status == 200, f"{href}: {response.status}"
    if target.member:
        assert page.locator(".user-nav form button[type=submit]").count() == 1, "not logged in"
    assert page.locator("html").get_attribute("lang") == lang

    found = axe(page, f"{target.name}/{lang} {page.url.removeprefix(live_server.url)}")
    blocking = [
        f"{v['impact']} {v['id']}: {v['help']} -> "
        + "; ".join(f"{n['target']} {n['html']}" for n in v["nodes"][:5])
        for v in found["blocking"]
    ]
    assert not blocking, "serious/critical axe violations:\n" + "\n".join(blocking)
