"""The member page cache (app/member_cache.py): a member's own reading pages, kept for
that member and session only, and rendered afresh after any change they could see."""

from __future__ import annotations

import pytest

from app.articles.models import Article
from app.comments.models import Comment
from app.discussions.models import Discussion
from app.extensions import db
from app.notifications.models import Notification
from tests.production.helpers import fresh, warm


@pytest.fixture
def app(app_factory):
    return app_factory(PAGE_CACHE_ENABLED=True)


@pytest.fixture
def anna(app, make_user, login):
    """A logged-in member's client (with the CSRF secret her first page creates)."""
    user = make_user("anna", display_name="Anna Member")
    member = app.test_client()
    login(user, member)
    member.user = user
    return member


def _url(article: Article) -> str:
    return f"/en/articles/{article.id}-learning-circles"


def _warm(member, url: str) -> str:
    member.get(url)  # the first page creates the session's CSRF secret
    return warm(member, url)


def test_a_member_gets_their_own_page_back_from_the_cache(anna, article):
    page = _warm(anna, _url(article))
    assert "Anna Member" in page and "Learning circles" in page
    hit = anna.get(_url(article))
    assert hit.headers["X-Cache"] == "HIT"
    assert hit.headers["Content-Security-Policy"]


def test_another_member_and_a_visitor_never_get_it(app, anna, article, make_user, login):
    _warm(anna, _url(article))
    bruno = app.test_client()
    login(make_user("bruno", display_name="Bruno Member"), bruno)
    page = bruno.get(_url(article)).get_data(as_text=True)
    assert "Bruno Member" in page and "Anna Member" not in page
    visitor = app.test_client().get(_url(article)).get_data(as_text=True)
    assert "Anna Member" not in visitor


def test_a_new_session_of_the_same_member_is_rendered_afresh(app, anna, article, login):
    _warm(anna, _url(article))
    other_device = app.test_client()
    login(anna.user, other_device)
    other_device.get(_url(article))  # its own CSRF secret: never anna's first session's page
    assert other_device.get(_url(article)).headers["X-Cache"] == "MISS"


def test_someone_elses_comment_shows_at_once(anna, article, make_user):
    _warm(anna, _url(article))
    db.session.add(Comment(author_id=make_user("reader").id, article_id=article.id,
                           body_html="<p>Welcome back</p>"))
    db.session.commit()
    assert "Welcome back" in fresh(anna, _url(article))


def test_a_new_notification_shows_at_once(anna, article, make_user):
    """Notifications do not bump the content version: the unread count is in the key."""
    page = _warm(anna, _url(article))
    db.session.add(Notification(user_id=anna.user.id, kind="comment", target_type="article",
                                target_id=article.id))
    db.session.commit()
    assert fresh(anna, _url(article)) != page


def test_the_members_own_private_change_shows_at_once(anna, make_user):
    """Following a page writes only a private table; the member's POST expires it."""
    d = Discussion(author_id=make_user("host").id, language="en", title="Reading circles",
                   slug="reading-circles", body_html="<p>How do you run yours?</p>")
    db.session.add(d)
    db.session.commit()
    url = f"/en/discussions/{d.id}-reading-circles"
    assert "Stop following" not in _warm(anna, url)
    response = anna.post("/en/notifications/subscription", data={
        "target_type": "discussion", "target_id": d.id, "action": "subscribe", "next": url})
    assert response.status_code == 302
    after = anna.get(url)  # shows the flash message: rendered, not stored
    assert after.headers.get("X-Cache") is None
    assert "You will be notified of new replies." in after.get_data(as_text=True)
    page = fresh(anna, url)
    assert "Stop following" in page and "You will be notified of new replies." not in page


def test_a_pending_message_is_never_served_from_the_cache(anna, article):
    _warm(anna, _url(article))
    with anna.session_transaction() as sess:
        sess["_flashes"] = [("info", "Saved.")]
    response = anna.get(_url(article))
    assert response.headers.get("X-Cache") is None
    assert "Saved." in response.get_data(as_text=True)


def test_pages_outside_reading_are_never_kept(anna):
    anna.get("/en/settings")
    for _ in range(2):
        assert anna.get("/en/settings").headers.get("X-Cache") is None


def test_it_can_be_switched_off(app_factory, make_user, login, article):
    app = app_factory(PAGE_CACHE_ENABLED=True, MEMBER_PAGE_CACHE=False)
    member = app.test_client()
    login(make_user("cleo"), member)
    for _ in range(3):
        assert member.get(_url(article)).headers.get("X-Cache") is None


def test_a_refused_post_expires_nothing(anna, article):
    _warm(anna, _url(article))
    response = anna.post("/en/notifications/subscription", data={"target_type": "nonsense"})
    assert response.status_code == 400
    assert anna.get(_url(article)).headers["X-Cache"] == "HIT"
