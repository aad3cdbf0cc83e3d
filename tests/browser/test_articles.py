"""Articles: a new member writes one with the rich-text editor and adds a German version;
another member comments and replies; a visitor sees the count and logs in from the prompt."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

LINK = "https://example.org/learning-circles-guide"


def write_body_with_trix(page) -> None:
    """Bold, a bulleted list and a link, made with Trix's toolbar like a writer would."""
    editor = page.locator("trix-editor")
    expect(editor).to_be_visible()
    toolbar = page.locator("trix-toolbar")
    # The label is tied to the editor: clicking it puts the caret there.
    page.locator("label", has_text=re.compile(r"^Text$")).click()
    expect(editor).to_be_focused()
    # After each typing step, wait until Trix shows the text: it applies input
    # asynchronously, and a toolbar click or selection made too early acts on stale text.
    page.keyboard.type("Our circles meet ")
    toolbar.locator("button[data-trix-attribute=bold]").click()
    page.keyboard.type("every week")
    expect(editor.locator("strong")).to_have_text("every week")
    toolbar.locator("button[data-trix-attribute=bold]").click()
    page.keyboard.type(" in the library.")
    expect(editor).to_contain_text("every week in the library.")
    page.keyboard.press("Enter")
    toolbar.locator("button[data-trix-attribute=bullet]").click()
    page.keyboard.type("Same time each week")
    expect(editor.locator("ul li")).to_have_text(["Same time each week"])
    page.keyboard.press("Enter")
    page.keyboard.type("Courses chosen with the group")
    expect(editor.locator("ul li")).to_have_text(["Same time each week",
                                                  "Courses chosen with the group"])
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # an empty item ends the list
    page.keyboard.type("Read our guide")
    expect(editor).to_contain_text("Read our guide")
    # Select "our guide" through Trix's own API: key-by-key selection raced with Trix's
    # asynchronous input handling. Trix may still re-render once and put the caret back
    # at the end, so the selection is made again on each poll until it holds.
    page.wait_for_function(
        "() => { const e = document.querySelector('trix-editor').editor;"
        " const i = e.getDocument().toString().lastIndexOf('our guide');"
        " if (i < 0) { return false; }"
        " const r = e.getSelectedRange();"
        " if (r[0] === i && r[1] === i + 9) { return true; }"
        " e.setSelectedRange([i, i + 9]); return false; }")
    toolbar.locator("button[data-trix-attribute=href]").click()
    url = toolbar.locator("input[name=href]")
    expect(url).to_be_visible()
    url.fill(LINK)
    url.press("Enter")
    expect(editor.locator(f"a[href='{LINK}']")).to_have_text("our guide")
    expect(page.locator("input[type=hidden][name=body]")).to_have_value(
        re.compile(re.escape(f'<a href="{LINK}">our guide</a>')))


def test_member_writes_an_article_and_adds_a_german_version(page, live_server, sign_up):
    username = sign_up(page, "writer")
    title = f"Learning circles that last {uuid.uuid4().hex[:4]}"

    # From the list's button, like a member would find it.
    page.goto(live_server("/en/articles/"))
    with page.expect_navigation():
        page.get_by_role("link", name="Write an article").click()
    expect(page).to_have_url(live_server("/en/articles/new"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Write an article")

    page.get_by_label("Kind").select_option(label="Blog post")
    expect(page.get_by_label("Language of this text")).to_have_value("en")
    page.get_by_label("Title").fill(title)
    page.get_by_label("Summary").fill("What two years of weekly circles taught us.")
    write_body_with_trix(page)
    with page.expect_navigation():
        page.get_by_role("button", name="Publish").click()

    # The published article, as everyone will see it.
    expect(page).to_have_url(re.compile(r"/en/articles/\d+-learning-circles-that-last"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    body = page.locator(".article-body")
    expect(body.locator("strong")).to_have_text("every week")
    expect(body.locator("ul > li")).to_have_text(["Same time each week",
                                                  "Courses chosen with the group"])
    expect(body.get_by_role("link", name="our guide")).to_have_attribute("href", LINK)
    expect(page.locator(".byline")).to_contain_text(f"By {username}")
    article_url = page.url

    # A German version, from the article page.
    with page.expect_navigation():
        page.get_by_role("link", name="Add a language version").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a language version")
    page.get_by_label("Language of this version").select_option("de")
    page.get_by_label("Title").fill("Lernkreise, die bleiben")
    page.get_by_label("Summary").fill("Was zwei Jahre wöchentlicher Lernkreise uns gelehrt haben.")
    editor = page.locator("trix-editor")
    expect(editor).to_contain_text("every week")  # starts from the original
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("Unsere Lernkreise treffen sich jede Woche in der Bibliothek.")
    expect(editor).to_have_text("Unsere Lernkreise treffen sich jede Woche in der Bibliothek.")
    # What the form will send: Trix's hidden input is in step with what is shown.
    expect(page.locator("input[type=hidden][name=body]")).to_have_value(re.compile("jede Woche"))
    with page.expect_navigation():
        page.get_by_role("button", name="Save this version").click()

    expect(page).to_have_url(re.compile(r"/de/articles/\d+-"))
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lernkreise, die bleiben")
    expect(page.locator(".article-body")).to_contain_text("jede Woche")
    versions = page.locator(".version-list")
    expect(versions.get_by_role("link")).to_have_count(2)
    expect(versions.get_by_role("link", name="English")).to_be_visible()
    expect(versions.get_by_role("link", name="Deutsch")).to_have_attribute("aria-current", "true")

    # Back on the English page, the list offers the German version too.
    page.goto(article_url)
    expect(page.locator(".version-list").get_by_role("link", name="Deutsch")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
