"""Replying: the window and the lock, quoting, paging, edit/delete, exact counts."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import func, select

from app.comments.models import Comment
from app.db_types import utcnow
from app.discussions.models import Discussion
from app.extensions import db
from app.notifications.models import Subscription
from tests.discussions.helpers import add_replies, add_reply, make_discussion


def _url(d: Discussion) -> str:
    return f"/en/discussions/{d.id}-{d.slug}"


def _reply_count_in_db(d: Discussion) -> int:
    return db.session.scalar(select(func.count(Comment.id)).where(Comment.discussion_id == d.id))


def test_member_replies_and_follows(client, make_user, login):
    anna, marie = make_user("anna"), make_user("marie")
    d = make_discussion(anna)
    before = d.last_activity_at
    login(marie)
    r = client.post(f"/en/discussions/{d.id}/replies",
                    data={"body": "See https://example.org/guide for ideas"})
    assert r.status_code == 302
    c = db.session.scalar(select(Comment))
    assert r.headers["Location"].endswith(f"{_url(d)}#comment-{c.id}")
    db.session.refresh(d)
    assert d.reply_count == 1 and d.last_activity_at >= before
    assert d.last_activity_at == c.created_at
    assert db.session.scalar(select(Subscription.id).where(
        Subscription.user_id == marie.id, Subscription.target_type == "discussion")) is not None
    html = client.get(_url(d)).get_data(as_text=True)
    assert f'id="comment-{c.id}"' in html
    assert '<a href="https://example.org/guide" rel="nofollow ugc noopener">' in html
    assert "1 reply" in html


def test_empty_reply_is_refused_with_a_message(client, make_user, login):
    d = make_discussion(make_user("anna"))
    login(make_user("marie"))
    r = client.post(f"/en/discussions/{d.id}/replies", data={"body": "   "})
    assert r.status_code == 422
    assert "This field is required." in r.get_data(as_text=True)
    assert _reply_count_in_db(d) == 0


def test_reply_to_locked_discussion_is_forbidden(client, make_user, login):
    d = make_discussion(make_user("anna"))
    d.locked = True
    db.session.commit()
    login(make_user("marie"))
    r = client.post(f"/en/discussions/{d.id}/replies", data={"body": "Let me in"})
    assert r.status_code == 403
    assert _reply_count_in_db(d) == 0
    db.session.refresh(d)
    assert d.reply_count == 0
    html = client.get(_url(d)).get_data(as_text=True)
    assert "This discussion is locked" in html and 'name="body"' not in html


def test_reply_outside_the_window_is_forbidden(client, make_user, login):
    now = utcnow()
    anna = make_user("anna")
    later = make_discussion(anna, title="Later", opens_at=now + timedelta(days=2))
    over = make_discussion(anna, title="Over", opens_at=now - timedelta(days=9),
                           closes_at=now - timedelta(days=1))
    login(make_user("marie"))
    for d in (later, over):
        r = client.post(f"/en/discussions/{d.id}/replies", data={"body": "Hello"})
        assert r.status_code == 403
        assert _reply_count_in_db(d) == 0
    assert "Comments will be open from" in client.get(_url(later)).get_data(as_text=True)
    assert "This discussion is closed." in client.get(_url(over)).get_data(as_text=True)


def test_open_window_shows_closing_time_and_form(client, make_user, login):
    d = make_discussion(make_user("anna"), opens_at=utcnow() - timedelta(hours=1),
                        closes_at=utcnow() + timedelta(days=3))
    login(make_user("marie"))
    html = client.get(_url(d)).get_data(as_text=True)
    assert "Comments are open until" in html and 'name="body"' in html


def test_replies_oldest_first_fifty_a_page_with_jump_to_latest(client, make_user, login):
    anna = make_user("anna")
    d = make_discussion(anna)
    replies = add_replies(d, anna, [f"Reply number {i:03d}" for i in range(120)])
    login(make_user("marie"))
    first = client.get(_url(d)).get_data(as_text=True)
    assert "Reply number 000" in first and "Reply number 049" in first
    assert "Reply number 050" not in first
    assert first.index("Reply number 000") < first.index("Reply number 049")
    assert f'href="{_url(d)}?page=3#comment-{replies[-1].id}">Jump to the latest reply' in first
    third = client.get(f"{_url(d)}?page=3").get_data(as_text=True)
    assert "Reply number 119" in third and "Reply number 099" not in third
    # A reply's permalink lands on its page.
    r = client.get(f"/en/discussions/replies/{replies[60].id}")
    assert r.headers["Location"].endswith(f"{_url(d)}?page=2#comment-{replies[60].id}")


def test_quote_prefills_the_reply_box(client, make_user, login):
    anna = make_user("anna")
    d = make_discussion(anna)
    c = add_reply(d, anna, "First line\nsecond <line>")
    login(make_user("marie"))
    html = client.get(_url(d)).get_data(as_text=True)
    assert f'?quote={c.id}#reply-form' in html
    html = client.get(f"{_url(d)}?quote={c.id}").get_data(as_text=True)
    assert "&gt; First line\n&gt; second &lt;line&gt;" in html


def test_edit_only_within_thirty_minutes_and_delete(client, make_user, login):
    anna, marie = make_user("anna"), make_user("marie")
    d = make_discussion(anna)
    fresh = add_reply(d, marie, "Fresh")
    old = add_reply(d, marie, "Old", minutes_ago=31)
    login(marie)
    html = client.get(_url(d)).get_data(as_text=True)
    assert f"/en/comments/{fresh.id}/edit" in html
    assert f"/en/comments/{old.id}/edit" not in html
    assert client.post(f"/en/comments/{old.id}/edit", data={"body": "Changed"}).status_code == 403
    db.session.refresh(old)
    assert "Changed" not in old.body_html
    r = client.post(f"/en/comments/{fresh.id}/delete")
    assert r.status_code == 302
    db.session.refresh(d)
    assert d.reply_count == 1
    assert "Fresh" not in client.get(_url(d)).get_data(as_text=True)


def test_counts_exact_after_fifty_concurrent_replies(app, make_user):
    """Several threads, each with its own session, against the app's real SQLite file."""
    anna = make_user("anna")
    members = [make_user(f"m{i}") for i in range(5)]
    d = make_discussion(anna)
    discussion_id, member_ids = d.id, [m.id for m in members]
    errors: list[BaseException] = []
    start = threading.Barrier(5)

    def worker(member_id: int) -> None:
        from app.auth.models import User
        from app.discussions.services import post_reply

        try:
            with app.app_context():
                start.wait()
                for n in range(10):
                    author = db.session.get(User, member_id)
                    disc = db.session.get(Discussion, discussion_id)
                    post_reply(disc, author, f"Reply {member_id}-{n}")
                    db.session.commit()
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(m,)) for m in member_ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    db.session.expire_all()
    d = db.session.get(Discussion, discussion_id)
    assert _reply_count_in_db(d) == 50
    assert d.reply_count == 50
    latest = db.session.scalar(select(func.max(Comment.created_at))
                               .where(Comment.discussion_id == discussion_id))
    newest = db.session.scalar(select(Comment).where(Comment.discussion_id == discussion_id)
                               .order_by(Comment.created_at.desc()).limit(1))
    assert d.last_activity_at == newest.created_at
    assert latest is not None
