"""Comments on articles: post, reply, edit window, delete, hide, report, limits, visitors."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.articles.models import Article
from app.comments.models import Comment
from app.extensions import db
from tests.articles.helpers import assert_inert, follow


def _comments() -> int:
    return db.session.scalar(select(func.count(Comment.id)))


def _page(client, article_id: int, lang: str = "en"):  # noqa: ANN202
    return follow(client, client.get(f"/{lang}/articles/{article_id}"))


def test_member_comments_by_plain_post(client, make_user, login, make_article):
    article = make_article(make_user("anna"))
    login(make_user("bob", display_name="Bob Brown"))
    r = client.post(f"/en/articles/{article.id}/comments",
                    data={"body": "Great idea.\n\nSee https://example.org/guide for more."})
    assert r.status_code == 302
    comment = db.session.scalars(select(Comment)).one()
    assert r.headers["Location"].endswith(f"#comment-{comment.id}")
    page = _page(client, article.id).text
    assert "1 comment" in page
    assert f'id="comment-{comment.id}"' in page
    assert "<p>Great idea.</p>" in page
    assert 'href="https://example.org/guide" rel="nofollow ugc noopener"' in page
    assert "Bob Brown" in page
    db.session.expire_all()
    assert db.session.get(Article, article.id).comment_count == 1


def test_json_post_returns_the_rendered_fragment(client, make_user, login, make_article):
    article = make_article(make_user("anna"))
    login(make_user("bob"))
    r = client.post(f"/en/articles/{article.id}/comments", data={"body": "Via fetch"},
                    headers={"Accept": "application/json"})
    assert r.status_code == 201
    data = r.get_json()
    assert data["count"] == 1 and data["count_label"] == "1 comment"
    assert f'id="comment-{data["id"]}"' in data["html"]
    assert "<p>Via fetch</p>" in data["html"]
    assert data["parent_id"] is None
    r = client.post(f"/en/articles/{article.id}/comments", data={"body": "  "},
                    headers={"Accept": "application/json"})
    assert r.status_code == 422 and r.get_json()["error"]
    assert _comments() == 1


def test_anonymous_post_redirects_to_login_and_saves_nothing(client, make_user, make_article):
    article = make_article(make_user("anna"))
    r = client.post(f"/en/articles/{article.id}/comments", data={"body": "Hello"})
    assert r.status_code == 302
    assert "/en/auth/login" in r.headers["Location"]
    assert _comments() == 0


def test_visitor_sees_comments_count_and_invitation(client, make_user, login, make_article):
    article = make_article(make_user("anna"))
    bob = make_user("bob")
    login(bob)
    for text in ("one", "two", "three"):
        client.post(f"/en/articles/{article.id}/comments", data={"body": text})
    visitor = client.application.test_client()
    page = _page(visitor, article.id)
    assert "3 comments" in page.text
    assert "<p>two</p>" in page.text
    assert "to join the conversation." in page.text
    path = page.request.path
    assert f'href="/en/auth/login?next={path}"' in page.text
    assert 'method="post"' not in page.text.split('id="comments"')[1]  # no form for visitors
    assert "csrf_token" not in page.text


def test_too_long_comment_is_refused_with_message(client, make_user, login, make_article):
    article = make_article(make_user("anna"))
    login(make_user("bob"))
    r = client.post(f"/en/articles/{article.id}/comments", data={"body": "x" * 5001})
    assert r.status_code == 422
    assert "at most 5000 characters" in r.text
    assert 'aria-invalid="true"' in r.text
    assert _comments() == 0
    ok = client.post(f"/en/articles/{article.id}/comments", data={"body": "x" * 5000})
    assert ok.status_code == 302


def test_one_level_of_replies(client, make_user, login, make_article):
    article = make_article(make_user("anna"))
    login(make_user("bob"))
    client.post(f"/en/articles/{article.id}/comments", data={"body": "Top"})
    top = db.session.scalars(select(Comment)).one()
    client.post(f"/en/articles/{article.id}/comments",
                data={"body": "Reply", "parent_id": str(top.id)})
    reply = db.session.scalars(select(Comment).where(Comment.parent_id.is_not(None))).one()
    client.post(f"/en/articles/{article.id}/comments",
                data={"body": "Reply to reply", "parent_id": str(reply.id)})
    deeper = db.session.scalars(select(Comment).order_by(Comment.id.desc())).first()
    assert reply.parent_id == top.id
    assert deeper.parent_id == top.id  # attached to the top-level comment
    page = _page(client, article.id).text
    replies = page.split(f'data-replies-for="{top.id}"')[1].split("</ol>")[0]
    assert f'id="comment-{reply.id}"' in replies and f'id="comment-{deeper.id}"' in replies


def test_author_edits_within_window_then_not(client, make_user, login, make_article):
    article = make_article(make_user("anna"))
    bob = make_user("bob")
    login(bob)
    client.post(f"/en/articles/{article.id}/comments", data={"body": "Frist"})
    comment = db.session.scalars(select(Comment)).one()
    assert client.get(f"/en/comments/{comment.id}/edit").status_code == 200
    r = client.post(f"/en/comments/{comment.id}/edit", data={"body": "First"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"#comment-{comment.id}")
    page = _page(client, article.id).text
    assert "<p>First</p>" in page and "(edited)" in page

    login(make_user("carol"))
    assert client.post(f"/en/comments/{comment.id}/edit",
                       data={"body": "Carol was here"}).status_code == 403

    db.session.expire_all()
    old = db.session.get(Comment, comment.id)
    old.created_at = old.created_at - timedelta(minutes=31)
    db.session.commit()
    login(bob)
    assert client.post(f"/en/comments/{comment.id}/edit",
                       data={"body": "Too late"}).status_code == 403
    db.session.expire_all()
    assert "First" in db.session.get(Comment, comment.id).body_html


def test_delete_by_author_refused_for_others(client, make_user, login, make_article):
    article = make_article(make_user("anna"))
    bob = make_user("bob")
    login(bob)
    client.post(f"/en/articles/{article.id}/comments", data={"body": "Mine"})
    comment = db.session.scalars(select(Comment)).one()
    login(make_user("carol"))
    assert client.post(f"/en/comments/{comment.id}/delete").status_code == 403
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).deleted_at is None
    login(bob)
    assert client.post(f"/en/comments/{comment.id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).deleted_at is not None
    assert db.session.get(Article, article.id).comment_count == 0
    assert "<p>Mine</p>" not in _page(client, article.id).text


def test_moderator_hides_and_unhides(client, make_user, login, make_article):
    article = make_article(make_user("anna"))
    bob, mod = make_user("bob"), make_user("mod", role="moderator")
    login(bob)
    client.post(f"/en/articles/{article.id}/comments", data={"body": "Spammy text"})
    comment = db.session.scalars(select(Comment)).one()
    assert client.post(f"/en/comments/{comment.id}/hide").status_code == 403
    login(mod)
    assert client.post(f"/en/comments/{comment.id}/hide").status_code == 302
    page = _page(client, article.id).text
    assert "Spammy text" in page and "Hidden by a moderator" in page
    login(bob)
    page = _page(client, article.id).text
    assert "Spammy text" not in page and "0 comments" in page
    login(mod)
    assert client.post(f"/en/comments/{comment.id}/unhide").status_code == 302
    login(bob)
    assert "Spammy text" in _page(client, article.id).text


def test_report_form_when_moderation_offers_it(client, make_user, login, make_article):
    article = make_article(make_user("anna"))
    login(make_user("bob"))
    client.post(f"/en/articles/{article.id}/comments", data={"body": "Report me"})
    login(make_user("carol"))
    page = _page(client, article.id).text
    if "moderation.report" in client.application.view_functions:
        assert 'name="target_type" value="comment"' in page
        assert 'name="reason"' in page
    else:  # the moderation area has not landed: the page still renders, without the form
        assert 'name="target_type"' not in page


def test_xss_in_comments_is_inert(client, make_user, login, make_article):
    from tests.articles.test_writing import XSS

    article = make_article(make_user("anna"))
    login(make_user("bob"))
    for payload in XSS:
        client.post(f"/en/articles/{article.id}/comments", data={"body": payload})
    page = _page(client, article.id).text
    assert_inert(page)
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;" in page or "&lt;script&gt;" in page


def test_comments_are_rate_limited_per_member(app_factory, make_user, make_article, login):
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_COMMENT="2 per minute")
    article = make_article(make_user("anna"))
    c = app.test_client()
    login(make_user("bob"), c)
    codes = [c.post(f"/en/articles/{article.id}/comments", data={"body": f"n{i}"}).status_code
             for i in range(3)]
    assert codes == [302, 302, 429]
    assert _comments() == 2
    other = app.test_client()
    login(make_user("carol"), other)
    assert other.post(f"/en/articles/{article.id}/comments",
                      data={"body": "mine"}).status_code == 302


def test_no_comments_on_a_draft(client, make_user, login, make_article):
    anna = make_user("anna")
    article = make_article(anna, publish=False)
    login(anna)
    assert client.post(f"/en/articles/{article.id}/comments",
                       data={"body": "early"}).status_code == 403
    assert _comments() == 0
