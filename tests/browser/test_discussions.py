"""Discussions: a member starts one, another replies and the discussion rises to the top
of the latest discussions; a moderator hides a reply and it disappears for others."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

OLDER = "How do you keep adult learners coming back after the first month?"  # demo data


def latest_titles(page, live_server) -> list[str]:
    """The home page's 'Latest discussions' panel, top first, as a visitor sees it."""
    page.goto(live_server("/en/"))
    panel = page.get_by_role("region", name="Latest discussions")
    return [t.strip() for t in panel.locator("ul > li > a").all_inner_texts()]


def post_reply(page, live_server, title: str, text: str) -> str:
    """Open the discussion from the list, reply; give back the reply's element id."""
    page.goto(live_server("/en/discussions/"))
    with page.expect_navigation():
        page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.get_by_label("Your reply").fill(text)
    with page.expect_navigation():
        page.get_by_role("button", name="Post reply").click()
    reply = page.locator("li.reply article.comment", has_text=text)
    expect(reply).to_be_visible()
    return reply.get_attribute("id") or ""


def test_new_discussion_then_a_reply_lifts_an_older_one_to_the_top(new_page, live_server,
                                                                    sign_up, log_in):
    title = f"Peer mentoring for new trainers {uuid.uuid4().hex[:4]}"

    starter = new_page()
    sign_up(starter, "starter")
    starter.goto(live_server("/en/discussions/"))
    with starter.expect_navigation():
        starter.get_by_role("link", name="Start a discussion").click()
    expect(starter.get_by_role("heading", level=1)).to_have_text("Start a discussion")
    starter.get_by_label("Title").fill(title)
    starter.locator("label", has_text="Opening post").click()
    expect(starter.locator("trix-editor")).to_be_focused()
    starter.keyboard.type("Who pairs new trainers with experienced ones? How long does it last?")
    # Trix fills its hidden input asynchronously: wait until the form would send the text.
    expect(starter.locator("input[type=hidden][name=body]")).to_have_value(
        re.compile("How long does it last"))
    starter.get_by_label("Language", exact=True).select_option("en")
    with starter.expect_navigation():
        starter.get_by_role("button", name="Start the discussion").click()
    expect(starter).to_have_url(re.compile(r"/en/discussions/\d+-peer-mentoring-for-new-trainers"))
    expect(starter.get_by_role("heading", level=1)).to_have_text(title)
    expect(starter.locator(".discussion-body")).to_contain_text("Who pairs new trainers")
    expect(starter.get_by_role("heading", name="0 replies")).to_be_visible()

    visitor = new_page()
    titles = latest_titles(visitor, live_server)
    assert titles[0] == title, titles

    # Anna replies to an older discussion: it moves above the new one.
    anna = new_page()
    log_in(anna, "anna")
    post_reply(anna, live_server, OLDER, f"Buddy systems helped us ({uuid.uuid4().hex[:4]}).")
    titles = latest_titles(visitor, live_server)
    assert titles[0] == OLDER, titles
    assert titles.index(title) == 1, titles

    # And a reply to the new one brings it back up, with its count.
    post_reply(anna, live_server, title, "We pair them for a term, then let them choose.")
    expect(anna.get_by_role("heading", name="1 reply")).to_be_visible()
    titles = latest_titles(visitor, live_server)
    assert titles[0] == title, titles


def test_moderator_hides_a_reply_and_others_no_longer_see_it(new_page, live_server, log_in):
    text = f"Buy cheap certificates at spam.example ({uuid.uuid4().hex[:6]})"
    anna = new_page()
    log_in(anna, "anna")
    reply_id = post_reply(anna, live_server, OLDER, text)
    url = anna.url.split("#")[0]

    moderator = new_page()
    log_in(moderator, "moderator")
    moderator.goto(url)
    reply = moderator.locator(f"#{reply_id}")
    expect(reply).to_contain_text(text)
    with moderator.expect_navigation():
        reply.get_by_role("button", name="Hide").click()
    expect(moderator.get_by_role("status")).to_contain_text("The comment is hidden.")
    # Moderators still see it, marked, with the way back.
    hidden = moderator.locator(f"#{reply_id}")
    expect(hidden).to_contain_text("Hidden by a moderator")
    expect(hidden.get_by_role("button", name="Show again")).to_be_visible()

    # Its author and a visitor no longer see it.
    anna.goto(url)
    expect(anna.get_by_text(text)).to_have_count(0)
    visitor = new_page()
    visitor.goto(url)
    expect(visitor.get_by_role("heading", level=1)).to_have_text(OLDER)
    expect(visitor.get_by_text(text)).to_have_count(0)
