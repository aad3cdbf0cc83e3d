"""Subscriptions and notifications: who is told, what they see, and only their own."""

from __future__ import annotations

from sqlalchemy import func, select

from app.comments.services import post_comment
from app.extensions import db
from app.notifications.models import Notification, Subscription
from app.notifications.services import unread_count
from tests.discussions.helpers import add_reply, count_queries, make_article, make_discussion


def _notified(user) -> list[Notification]:  # noqa: ANN001
    return db.session.scalars(select(Notification).where(Notification.user_id == user.id)).all()


def test_starter_and_repliers_are_notified_but_not_the_author(make_user):
    anna, marie, lucia = make_user("anna"), make_user("marie"), make_user("lucia")
    d = make_discussion(anna)
    add_reply(d, marie, "first")          # anna told
    c = add_reply(d, lucia, "second")     # anna and marie told
    assert len(_notified(anna)) == 2
    assert [n.comment_id for n in _notified(marie)] == [c.id]
    assert _notified(lucia) == []
    n = _notified(marie)[0]
    assert (n.kind, n.target_type, n.target_id, n.actor_id) == ("reply", "discussion", d.id,
                                                                lucia.id)


def test_article_author_is_subscribed_and_told_of_comments(make_user):
    anna, marie = make_user("anna"), make_user("marie")
    article = make_article(anna)
    assert db.session.scalar(select(Subscription).where(
        Subscription.user_id == anna.id, Subscription.target_type == "article")) is not None
    post_comment(marie, "Nice article", article=article)
    db.session.commit()
    [n] = _notified(anna)
    assert (n.kind, n.target_type, n.target_id) == ("comment", "article", article.id)


def test_fan_out_is_one_statement_whatever_the_number_of_subscribers(app, make_user):
    anna = make_user("anna")
    d = make_discussion(anna)
    few = make_discussion(anna, title="Few followers")
    for i in range(30):
        db.session.add(Subscription(user_id=make_user(f"f{i}").id, target_type="discussion",
                                    target_id=d.id))
    db.session.commit()
    writer = make_user("writer")
    counts = []
    for target in (few, d):
        with count_queries(app) as statements:
            post_comment(writer, "hello", discussion=target)
            db.session.flush()
        counts.append(len([s for s in statements if "notifications" in s]))
        db.session.commit()
    assert counts == [1, 1]
    assert db.session.scalar(select(func.count(Notification.id))) == 1 + 31


def test_subscribe_and_unsubscribe(client, make_user, login):
    anna, marie = make_user("anna"), make_user("marie")
    d = make_discussion(anna)
    login(marie)
    page = f"/en/discussions/{d.id}-{d.slug}"
    assert "Follow" in client.get(page).get_data(as_text=True)
    r = client.post("/en/notifications/subscription", data={
        "target_type": "discussion", "target_id": d.id, "action": "subscribe", "next": page})
    assert r.status_code == 302 and r.headers["Location"].endswith(page)
    assert "Stop following" in client.get(page).get_data(as_text=True)
    add_reply(d, anna, "news")
    assert len(_notified(marie)) == 1
    client.post("/en/notifications/subscription", data={
        "target_type": "discussion", "target_id": d.id, "action": "unsubscribe"})
    add_reply(d, anna, "more news")
    assert len(_notified(marie)) == 1
    bad = client.post("/en/notifications/subscription", data={
        "target_type": "discussion", "target_id": 999, "action": "subscribe"})
    assert bad.status_code == 404
    assert client.post("/en/notifications/subscription", data={
        "target_type": "user", "target_id": 1, "action": "subscribe"}).status_code == 400


def test_page_lists_marks_read_and_is_private(client, make_user, login):
    anna = make_user("anna", display_name="Anna Weber")
    marie = make_user("marie", display_name="Marie Dubois")
    lucia = make_user("lucia")
    d = make_discussion(marie, title="Learning at work")
    article = make_article(marie, title="Museum education", versions={"fr": "Musées"})
    c = add_reply(d, anna, "a reply")
    post_comment(anna, "a comment", article=article)
    db.session.commit()
    assert unread_count(marie.id) == 2

    login(marie)
    assert '<span class="badge"' in client.get("/en/discussions/").get_data(as_text=True)
    html = client.get("/en/notifications").get_data(as_text=True)
    assert "Anna Weber replied to “Learning at work”" in html
    assert "Anna Weber commented on “Museum education”" in html
    assert html.index("commented on") < html.index("replied to")  # newest first
    assert f"/en/discussions/replies/{c.id}" in html
    assert unread_count(marie.id) == 0
    fr = client.get("/fr/notifications").get_data(as_text=True)
    assert "Musées" in fr

    # Lucia sees none of it and cannot mark Marie's as read.
    add_reply(d, anna, "another")
    assert unread_count(marie.id) == 1
    login(lucia)
    html = client.get("/en/notifications").get_data(as_text=True)
    assert "Learning at work" not in html and "No notifications yet" in html
    client.post("/en/notifications/read")
    assert unread_count(marie.id) == 1

    login(marie)
    assert client.post("/en/notifications/read").status_code == 302
    assert unread_count(marie.id) == 0


def test_visitor_is_sent_to_login(client):
    r = client.get("/en/notifications")
    assert r.status_code == 302 and "/auth/login" in r.headers["Location"]
    assert client.post("/en/notifications/read").status_code == 302


def test_subscribe_button_include_works_without_the_flag(app, make_user, login, client):
    from flask import render_template_string

    anna = make_user("anna")
    article = make_article(anna)
    login(anna)
    with app.test_request_context("/en/articles/"):
        from flask_login import login_user

        login_user(anna)
        html = render_template_string(
            '{% with target_type="article", target_id=' + str(article.id) + ' %}'
            '{% include "notifications/_subscribe_button.html" %}{% endwith %}')
    assert "Stop following" in html and 'value="unsubscribe"' in html
