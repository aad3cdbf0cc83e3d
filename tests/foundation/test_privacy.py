"""GDPR: download your data, delete your account (keep or remove content)."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from app.articles.models import Article, ArticleTranslation
from app.auth.models import User
from app.comments.models import Comment
from app.comments.services import post_comment
from app.extensions import db
from tests.conftest import TEST_PASSWORD


def write_article(author: User, title: str = "Learning circles in libraries") -> Article:
    article = Article(author_id=author.id, kind="blog", original_language="en",
                      status="published")
    db.session.add(article)
    db.session.flush()
    db.session.add(ArticleTranslation(article_id=article.id, language="en", title=title,
                                      slug="learning-circles", summary="s",
                                      body_html="<p>Body</p>", translator_id=author.id))
    db.session.commit()
    return article


def test_export_contains_profile_and_content(client, make_user, login):
    anna = make_user("anna", organisation="VHS")
    article = write_article(anna)
    post_comment(anna, "My own comment", article=article)
    db.session.commit()
    login(anna)
    response = client.get("/en/settings/export")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert data["profile"]["email"] == "anna@example.org"
    assert data["profile"]["organisation"] == "VHS"
    assert data["articles"][0]["versions"][0]["title"] == "Learning circles in libraries"
    assert "My own comment" in data["comments"][0]["body_html"]


def test_export_needs_login(client):
    response = client.get("/en/settings/export")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_delete_keeping_content_erases_personal_data(client, app, make_user, login):
    anna = make_user("anna", display_name="Anna Weber", bio="about me", organisation="VHS")
    article = write_article(anna)
    anna_id, article_id = anna.id, article.id
    login(anna)
    response = client.post("/en/settings/delete", data={
        "password": TEST_PASSWORD, "content": "keep", "confirm": "y"})
    assert response.status_code == 302
    with app.app_context():
        user = db.session.get(User, anna_id)
        assert user.deleted_at is not None
        assert "anna" not in user.username and "anna" not in user.email
        assert (user.display_name, user.bio, user.organisation) == ("", "", "")
        assert user.name == "deleted member"
        assert db.session.get(Article, article_id) is not None
    # Logged out, and the account cannot log in again.
    assert client.get("/en/settings").status_code == 302
    r = client.post("/en/auth/login", data={"login": "anna", "password": TEST_PASSWORD})
    assert r.status_code == 422


def test_delete_removing_content(client, app, make_user, login):
    anna = make_user("anna")
    bob = make_user("bob")
    article = write_article(bob)
    mine = write_article(anna, "Mine")
    post_comment(anna, "A comment by Anna", article=article)
    db.session.commit()
    ids = (anna.id, article.id, mine.id)
    login(anna)
    client.post("/en/settings/delete", data={
        "password": TEST_PASSWORD, "content": "remove", "confirm": "y"})
    with app.app_context():
        assert db.session.get(Article, ids[2]) is None
        kept = db.session.get(Article, ids[1])
        assert kept is not None and kept.comment_count == 0
        visible = db.session.scalar(select(func.count(Comment.id)).where(
            Comment.author_id == ids[0], Comment.deleted_at.is_(None)))
        assert visible == 0


def test_delete_with_wrong_password_changes_nothing(client, app, make_user, login):
    anna = make_user("anna")
    login(anna)
    response = client.post("/en/settings/delete", data={
        "password": "not-my-password", "content": "remove", "confirm": "y"})
    assert response.status_code == 422
    assert "The password is wrong." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, anna.id).deleted_at is None


def test_privacy_page_states_what_is_stored(client):
    html = client.get("/en/privacy").get_data(as_text=True)
    assert "What we store" in html and "email address is never shown" in html
