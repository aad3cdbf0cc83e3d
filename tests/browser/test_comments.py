"""Comments on an article: one member comments, another replies; a visitor sees the
count and the login prompt, logs in from it and comes back to the article."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ARTICLE = "Learning circles in public libraries"  # a demo article (app/articles/demo.py)


def open_demo_article(page, live_server) -> str:
    page.goto(live_server("/en/articles/"))
    with page.expect_navigation():
        page.get_by_role("link", name=ARTICLE).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ARTICLE)
    return page.url


def comment_count(page) -> int:
    text = page.locator("[data-comment-count]").inner_text()
    found = re.search(r"\d+", text)
    assert found, text
    return int(found.group())


def count_text(n: int) -> re.Pattern:
    return re.compile(rf"^{n} comments?$")


def test_comment_reply_and_visitor_login_prompt(new_page, live_server, log_in):
    marker = uuid.uuid4().hex[:6]
    comment_text = f"We tried this in Lyon too ({marker}): the weekly rhythm matters most."
    reply_text = f"Same in Leipzig ({marker}). Did you keep the same facilitator?"

    # Marie comments.
    marie = new_page()
    log_in(marie, "marie")
    url = open_demo_article(marie, live_server)
    before = comment_count(marie)
    marie.get_by_label("Your comment").fill(comment_text)
    marie.get_by_role("button", name="Post comment").click()
    posted = marie.locator("article.comment", has_text=comment_text)
    expect(posted).to_be_visible()
    expect(posted).to_be_focused()  # the script moves focus to what was added
    expect(posted.locator(".comment-meta")).to_contain_text("Marie Dubois")
    expect(marie.locator("[data-comment-count]")).to_have_text(count_text(before + 1))
    expect(marie.get_by_label("Your comment")).to_have_value("")  # the form is cleared
    comment_id = posted.get_attribute("id")
    assert comment_id and comment_id.startswith("comment-")

    # Anna replies to it.
    anna = new_page()
    log_in(anna, "anna")
    anna.goto(url)
    theirs = anna.locator(f"#{comment_id}")
    expect(theirs).to_contain_text(comment_text)
    theirs.locator("details.comment-reply summary").click()
    theirs.get_by_label("Your reply").fill(reply_text)
    theirs.get_by_role("button", name="Post reply").click()
    replies = anna.locator(f"[data-replies-for='{comment_id.removeprefix('comment-')}']")
    reply = replies.locator("article.comment", has_text=reply_text)
    expect(reply).to_be_visible()
    expect(reply.locator(".comment-meta")).to_contain_text("Anna Weber")

    # A visitor: the count, both messages, no form, an invitation to log in.
    visitor = new_page()
    visitor.goto(url)
    expect(visitor.locator("[data-comment-count]")).to_have_text(count_text(before + 2))
    expect(visitor.locator(f"#{comment_id}")).to_contain_text(comment_text)
    expect(visitor.locator(".comment-replies").get_by_text(reply_text)).to_be_visible()
    expect(visitor.get_by_label("Your comment")).to_have_count(0)
    prompt = visitor.locator("#comments .join")
    expect(prompt).to_have_text("Log in or sign up to join the conversation.")
    with visitor.expect_navigation():
        prompt.get_by_role("link", name="Log in").click()
    expect(visitor).to_have_url(re.compile(r"/en/auth/login\?next="))
    visitor.get_by_label("Username or email").fill("moderator")
    from app.seed import DEMO_PASSWORD

    visitor.get_by_label("Password").fill(DEMO_PASSWORD)
    with visitor.expect_navigation():
        visitor.locator("main form").get_by_role("button", name="Log in").click()
    # Back on the article, now able to comment.
    expect(visitor).to_have_url(url)
    expect(visitor.get_by_role("heading", level=1)).to_have_text(ARTICLE)
    expect(visitor.get_by_label("Your comment")).to_be_visible()
    expect(visitor.locator(f"#{comment_id}")).to_contain_text(comment_text)
