"""Keyboard only: skip link, login, language switch, commenting, and whole journeys
(writing an article, starting and answering a discussion, replying to a comment) with
Tab, arrows, Enter, Space and typing."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
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


# --- whole journeys by keyboard -------------------------------------------------------
# Logging in may use the form fixture (test_login_by_keyboard_only covers it); from
# then on every step is Tab, Shift+Tab, arrows, Enter, Space or typing.

LINK = "https://example.org/learning-circles-guide"


def press_to_navigate(page, key: str = "Enter") -> None:
    with page.expect_navigation():
        page.keyboard.press(key)


def arrow_until(page, text: str, limit: int = 15) -> None:
    """Press ArrowRight inside a toolbar until the button named `text` has focus."""
    seen = [focused(page)["text"]]
    while seen[-1] != text:
        assert len(seen) <= limit, f"{text!r} not reached by ArrowRight; went through {seen}"
        page.keyboard.press("ArrowRight")
        seen.append(focused(page)["text"])


def trix_has(page, text: str) -> None:
    """Wait until the text reaches the hidden input the form sends: Trix applies input
    asynchronously, and a shortcut pressed too early acts on stale text."""
    expect(page.locator("input[type=hidden][name=body]")).to_have_value(
        re.compile(re.escape(text)))


def toggle_bold(page, on: bool, attempts: int = 3) -> None:
    """Ctrl+B until Trix's own model says bold is `on` for the next typed text.

    At the end of a bold run, Trix recomputes the caret's attributes when its (late)
    selection-change event arrives, which can undo a Ctrl+B pressed just before it;
    a second press then sticks. Each attempt waits for the model, not for time.
    """
    wanted = "true" if on else "false"
    for _ in range(attempts):
        page.keyboard.press("Control+b")
        try:
            page.wait_for_function(
                "on => document.querySelector('trix-editor').editor"
                ".attributeIsActive('bold') === on", arg=on, timeout=2000)
        except PlaywrightTimeoutError:
            continue
        return
    raise AssertionError(f"Ctrl+B did not make bold {wanted} in {attempts} presses")


def test_write_and_publish_an_article_by_keyboard(page, live_server, log_in):
    log_in(page, "lucia")
    title = f"Circles by keyboard {uuid.uuid4().hex[:4]}"
    page.goto(live_server("/en/articles/"))
    tab_until(page, lambda e: e["tag"] == "a" and e["text"] == "Write an article")
    press_to_navigate(page)
    expect(page).to_have_url(live_server("/en/articles/new"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Write an article")

    # Kind: a closed <select> changes with the arrow keys.
    tab_until(page, lambda e: e["name"] == "kind")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Kind")).to_have_value("news")
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "original_language"
    expect(page.get_by_label("Language of this text")).to_have_value("en")
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "title"
    page.keyboard.type(title)
    page.keyboard.press("Tab")
    assert focused(page)["name"] == "summary"
    page.keyboard.type("What a year of weekly circles taught us.")

    # The formatting toolbar is one Tab stop before the text.
    page.keyboard.press("Tab")
    assert focused(page) == {"tag": "button", "id": "", "name": None, "text": "Bold"}
    page.keyboard.press("Tab")
    editor = page.locator("trix-editor")
    expect(editor).to_be_focused()
    # Ctrl+B toggles what Trix believes is at the caret, which it updates asynchronously;
    # the Bold button's pressed state shows it, so wait for that before each toggle.
    bold = page.locator("trix-toolbar button[data-trix-attribute=bold]")
    page.keyboard.type("Our circles meet ")
    trix_has(page, "meet")
    expect(bold).not_to_have_class(re.compile("trix-active"))
    toggle_bold(page, on=True)
    expect(bold).to_have_class(re.compile("trix-active"))
    page.keyboard.type("every week")
    expect(editor.locator("strong")).to_have_text("every week")
    toggle_bold(page, on=False)
    expect(bold).not_to_have_class(re.compile("trix-active"))
    page.keyboard.type(" in the library.")
    trix_has(page, "in the library.")
    page.keyboard.press("Enter")
    # Trix draws the new line asynchronously and puts the caret back into it, which
    # would take focus back from the toolbar: let it finish first.
    trix_has(page, "in the library.<br><br></div>")

    # A bulleted list from the toolbar: Shift+Tab to it, arrows to "Bullets", Enter.
    page.keyboard.press("Shift+Tab")
    assert focused(page)["text"] == "Bold"
    arrow_until(page, "Bullets")
    page.keyboard.press("Enter")
    expect(editor).to_be_focused()  # Trix hands the caret back to the text
    page.keyboard.type("Same time each week")
    expect(editor.locator("ul li")).to_have_text(["Same time each week"])
    page.keyboard.press("Enter")
    page.keyboard.type("Courses chosen with the group")
    expect(editor.locator("ul li")).to_have_text(["Same time each week",
                                                  "Courses chosen with the group"])
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # an empty item ends the list
    page.keyboard.type("Read our guide")
    trix_has(page, "Read our guide")

    # A link: select two words with the keyboard, Ctrl+K, type the address, Enter.
    page.keyboard.press("Control+Shift+ArrowLeft")
    page.keyboard.press("Control+Shift+ArrowLeft")
    page.wait_for_function(
        "() => { const r = document.querySelector('trix-editor').editor.getSelectedRange();"
        " return r[1] - r[0] === 9; }")
    page.keyboard.press("Control+k")
    expect(page.locator("trix-toolbar input[name=href]")).to_be_focused()
    page.keyboard.type(LINK)
    page.keyboard.press("Enter")
    expect(editor.locator(f"a[href='{LINK}']")).to_have_text("our guide")
    trix_has(page, f'<a href="{LINK}">our guide</a>')

    # A theme: Tab to its checkbox, Space to tick it.
    tab_until(page, lambda e: e["name"] == "themes" and page.evaluate(
        "document.activeElement.labels[0].innerText.trim()") == "Quality")
    page.keyboard.press("Space")
    expect(page.get_by_role("checkbox", name="Quality")).to_be_checked()

    tab_until(page, lambda e: e["tag"] == "button" and e["text"] == "Publish")
    press_to_navigate(page)

    # The published article, as everyone will see it.
    expect(page).to_have_url(re.compile(r"/en/articles/\d+-circles-by-keyboard"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".kicker")).to_have_text("News")
    body = page.locator(".article-body")
    expect(body.locator("strong")).to_have_text("every week")
    expect(body.locator("ul > li")).to_have_text(["Same time each week",
                                                  "Courses chosen with the group"])
    expect(body.get_by_role("link", name="our guide")).to_have_attribute("href", LINK)
    expect(page.locator(".taxonomy").get_by_role("link", name="Quality")).to_be_visible()
    expect(page.locator(".byline")).to_contain_text("By Lucía García")


def comment_count(page) -> int:
    text = page.locator("[data-comment-count]").inner_text()
    found = re.search(r"\d+", text)
    assert found, text
    return int(found.group())


def active_comment(page) -> str | None:
    """The id of the comment holding the focus, if any."""
    return page.evaluate(
        "() => { const c = document.activeElement.closest('article.comment');"
        " return c ? c.id : null; }")


def test_start_a_discussion_and_reply_by_keyboard(new_page, live_server, log_in):
    title = f"Keyboard-only study groups {uuid.uuid4().hex[:4]}"
    starter = new_page()
    log_in(starter, "lucia")
    starter.goto(live_server("/en/discussions/"))
    tab_until(starter, lambda e: e["tag"] == "a" and e["text"] == "Start a discussion")
    press_to_navigate(starter)
    expect(starter).to_have_url(live_server("/en/discussions/new"))
    expect(starter.get_by_role("heading", level=1)).to_have_text("Start a discussion")

    tab_until(starter, lambda e: e["name"] == "title")
    starter.keyboard.type(title)
    starter.keyboard.press("Tab")
    assert focused(starter)["text"] == "Bold"  # the editor's toolbar: one stop
    starter.keyboard.press("Tab")
    expect(starter.locator("trix-editor")).to_be_focused()
    starter.keyboard.type("Does anyone run study groups where nobody needs a mouse?")
    trix_has(starter, "nobody needs a mouse?")
    starter.keyboard.press("Tab")
    assert focused(starter)["name"] == "language"
    expect(starter.get_by_label("Language", exact=True)).to_have_value("en")
    tab_until(starter, lambda e: e["tag"] == "button" and e["text"] == "Start the discussion")
    press_to_navigate(starter)

    expect(starter).to_have_url(re.compile(r"/en/discussions/\d+-keyboard-only-study-groups"))
    expect(starter.get_by_role("heading", level=1)).to_have_text(title)
    expect(starter.locator(".discussion-body")).to_contain_text("nobody needs a mouse?")
    expect(starter.get_by_role("heading", name="0 replies")).to_be_visible()
    url = starter.url

    # Another member finds it in the list and replies.
    anna = new_page()
    log_in(anna, "anna")
    anna.goto(live_server("/en/discussions/"))
    tab_until(anna, lambda e: e["tag"] == "a" and e["text"] == title)
    press_to_navigate(anna)
    expect(anna).to_have_url(url)
    text = f"Ours does: Tab, Enter and a patient facilitator ({uuid.uuid4().hex[:4]})."
    tab_until(anna, lambda e: e["tag"] == "textarea" and e["name"] == "body")
    expect(anna.get_by_label("Your reply")).to_be_focused()
    anna.keyboard.type(text)
    anna.keyboard.press("Tab")
    assert focused(anna)["text"] == "Post reply"
    press_to_navigate(anna)

    # Back on the discussion at the new reply's anchor, which the next Tab continues from.
    expect(anna).to_have_url(re.compile(rf"^{re.escape(url)}#comment-\d+$"))
    reply_id = anna.url.rsplit("#", 1)[1]
    reply = anna.locator(f"li.reply article#{reply_id}")
    expect(reply).to_contain_text(text)
    expect(reply.locator(".comment-meta")).to_contain_text("Anna Weber")
    expect(reply).to_be_in_viewport()
    expect(anna.get_by_role("heading", name="1 reply")).to_be_visible()
    anna.keyboard.press("Tab")
    assert active_comment(anna) == reply_id, focused(anna)


def test_reply_to_an_article_comment_by_keyboard(new_page, live_server, log_in):
    marker = uuid.uuid4().hex[:6]
    comment_text = f"Our circles meet on Saturdays ({marker}). Anyone else?"
    reply_text = f"Ours on Wednesday evenings ({marker}), in the reading room."

    # Marie comments (by keyboard too, as in test_comment_by_keyboard).
    marie = new_page()
    log_in(marie, "marie")
    marie.goto(live_server("/en/articles/"))
    tab_until(marie, lambda e: e["tag"] == "a" and e["text"] == ARTICLE, limit=80)
    press_to_navigate(marie)
    url = marie.url
    tab_until(marie, lambda e: e["id"] == "comment-body-new", limit=300)
    marie.keyboard.type(comment_text)
    marie.keyboard.press("Tab")
    marie.keyboard.press("Enter")
    comment = marie.locator("article.comment", has_text=comment_text)
    expect(comment).to_be_focused()
    comment_id = comment.get_attribute("id") or ""
    number = comment_id.removeprefix("comment-")

    # Anna follows the comment's link; Tab goes on from the comment to its "Reply".
    anna = new_page()
    log_in(anna, "anna")
    anna.goto(f"{url}#{comment_id}")
    count_before = comment_count(anna)
    tab_until(anna, lambda e: e["tag"] == "summary" and e["text"] == "Reply"
              and active_comment(anna) == comment_id, limit=10)
    anna.keyboard.press("Enter")  # opens the <details> with the reply form
    expect(anna.locator(f"#{comment_id} details.comment-reply")).to_have_attribute("open", "")
    anna.keyboard.press("Tab")
    expect(anna.locator(f"#comment-body-{number}")).to_be_focused()
    anna.keyboard.type(reply_text)
    anna.keyboard.press("Tab")
    assert focused(anna)["text"] == "Post reply"
    anna.keyboard.press("Space")

    # The reply sits under the comment, has the focus, and the form has closed.
    nested = anna.locator(f"[data-replies-for='{number}'] article.comment", has_text=reply_text)
    expect(nested).to_be_visible()
    expect(nested).to_be_focused()
    expect(nested.locator(".comment-meta")).to_contain_text("Anna Weber")
    expect(anna.locator(f"#{comment_id} details.comment-reply")).not_to_have_attribute(
        "open", "")
    expect(anna.locator("[data-comment-count]")).to_have_text(f"{count_before + 1} comments")
    # Marie sees it nested under her comment after a reload.
    marie.reload()
    expect(marie.locator(f"[data-replies-for='{number}']")).to_contain_text(reply_text)
