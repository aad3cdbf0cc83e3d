"""Keyboard only: skip link, then the login form with Tab, typing and Enter."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ARTICLE = "Learning circles in public libraries"  # a demo article (app/articles/demo.py)


def focused(page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement;
                   return {tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute('name'),
                           text: (e.innerText || e.value || '').trim().slice(0, 80)}; }"""
    )


def tab_until(page, predicate, limit: int = 40) -> dict:
    """Press Tab until the focused element matches; fail after `limit` presses."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if predicate(now):
            return now
        seen.append(now)
    raise AssertionError(f"not reached by Tab in {limit} presses; went through {seen}")


def test_first_tab_is_the_skip_link_and_enter_moves_focus_to_main(page, live_server):
    page.goto(live_server("/en/"))
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    # It shows itself when focused (it is only visually hidden otherwise).
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    # The next Tab continues inside the main content, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


@pytest.mark.parametrize("locale", ["fr-FR"])
def test_skip_link_in_french(page, live_server):
    page.goto(live_server("/fr/"))
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Aller au contenu principal")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


def test_login_by_keyboard_only(page, live_server, demo_password):
    page.goto(live_server("/en/"))
    # From the header's "Log in" link, reached by Tab and followed with Enter.
    tab_until(page, lambda e: e["tag"] == "a" and e["text"] == "Log in")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")

    tab_until(page, lambda e: e["name"] == "login")
    page.keyboard.type("marie")
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "password"
    page.keyboard.type(demo_password)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("navigation", name="Your account").get_by_role(
        "link", name="Marie Dubois")).to_be_visible()


def test_language_switch_by_keyboard(page, live_server):
    page.goto(live_server("/en/articles/"))
    tab_until(page, lambda e: e["tag"] == "summary")
    page.keyboard.press("Enter")  # opens the <details> list
    expect(page.locator("header details.lang-menu")).to_have_attribute("open", "")
    tab_until(page, lambda e: e["tag"] == "a" and e["text"] == "Français", limit=30)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(live_server("/fr/articles/"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Articles")


def test_comment_by_keyboard(page, live_server, log_in):
    log_in(page, "lucia")
    page.goto(live_server("/en/articles/"))
    # Tab to the first article of the list, Enter to open it.
    tab_until(page, lambda e: e["tag"] == "a" and e["text"] == ARTICLE, limit=80)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(ARTICLE)
    tab_until(page, lambda e: e["tag"] == "textarea" and e["id"] == "comment-body-new", limit=80)
    text = "Typed without a mouse: the circles idea works for our evening classes."
    page.keyboard.type(text)
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Post comment"
    page.keyboard.press("Enter")
    posted = page.locator("article.comment", has_text=text)
    expect(posted).to_be_visible()
    expect(posted).to_be_focused()  # a keyboard user lands on what they just posted
