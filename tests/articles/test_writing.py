"""Writing, editing, deleting articles; sanitizing; who may see drafts; review."""

from __future__ import annotations

from sqlalchemy import func, select

from app.articles import services
from app.articles.models import Article, ArticleTranslation
from app.articles.queries import load_article
from app.comments.models import Comment
from app.comments.services import post_comment
from app.extensions import db
from app.moderation.models import ModerationAction
from tests.articles.helpers import assert_inert, follow

FORM = {
    "kind": "blog",
    "original_language": "en",
    "title": "Reading groups for parents",
    "summary": "Parents who read together, learn together.",
    "body": "<div>Our <strong>reading group</strong> meets on Tuesdays.</div>",
    "themes": ["quality", "life-skills"],
    "tags": "Reading, parents, reading",
}


def _count(model) -> int:  # noqa: ANN001
    return db.session.scalar(select(func.count()).select_from(model))


def test_member_publishes_an_article(client, make_user, login):
    anna = make_user("anna")
    login(anna)
    r = client.post("/en/articles/new", data=dict(FORM, publish="1"))
    assert r.status_code == 302
    page = follow(client, r)
    assert page.status_code == 200
    assert "Reading groups for parents" in page.text
    assert "<strong>reading group</strong>" in page.text
    article = db.session.scalars(select(Article)).one()
    full = load_article(article.id)
    assert full.status == "published" and full.published_at is not None
    assert full.author_id == anna.id
    assert full.themes == ["life-skills", "quality"]
    assert [t.name for t in full.tags] == ["parents", "reading"]
    # Trix's <div> became a paragraph: the allowlist is applied at write time.
    assert full.original.body_html == "<p>Our <strong>reading group</strong> meets on Tuesdays.</p>"
    assert full.original.slug == "reading-groups-for-parents"
    assert r.headers["Location"].endswith(f"/en/articles/{article.id}-reading-groups-for-parents")


def test_draft_is_saved_and_invisible_to_others(client, make_user, login):
    anna, bob = make_user("anna"), make_user("bob")
    mod = make_user("mod", role="moderator")
    login(anna)
    r = client.post("/en/articles/new", data=dict(FORM, save_draft="1"))
    assert r.status_code == 302
    article = db.session.scalars(select(Article)).one()
    assert article.status == "draft"
    url = r.headers["Location"]
    assert "This is a draft" in client.get(url).text
    login(bob)
    assert client.get(url).status_code == 404
    assert client.get(f"/en/articles/{article.id}/event.ics").status_code == 404
    assert "Reading groups" not in client.get("/en/articles/").text
    login(mod)
    assert client.get(url).status_code == 200
    anonymous = client.application.test_client()
    assert anonymous.get(url).status_code == 404


def test_invalid_form_answers_422_and_saves_nothing(client, make_user, login):
    login(make_user("anna"))
    r = client.post("/en/articles/new", data=dict(FORM, title="", publish="1"))
    assert r.status_code == 422
    assert 'id="title-error"' in r.text
    assert _count(Article) == 0


def test_visitor_is_sent_to_login_for_new(client):
    r = client.get("/en/articles/new")
    assert r.status_code == 302
    assert "/en/auth/login" in r.headers["Location"]


def test_form_has_plain_textarea_and_vendored_editor(client, make_user, login):
    login(make_user("anna"))
    html = client.get("/en/articles/new").text
    assert '<textarea' in html and 'name="body"' in html and "data-rich-text" in html
    assert "/static/vendor/trix/trix.umd.min.js?v=" in html
    assert "/static/vendor/trix/trix.css?v=" in html
    assert "/static/js/editor.js?v=" in html
    assert "<script>" not in html  # CSP: no inline script


def test_author_and_moderator_edit_others_get_403(client, make_user, login, make_article):
    anna, bob = make_user("anna"), make_user("bob")
    mod = make_user("mod", role="moderator")
    article = make_article(anna, title="First title")
    edit = dict(FORM, title="Changed by someone", publish="1")
    login(bob)
    assert client.get(f"/en/articles/{article.id}/edit").status_code == 403
    assert client.post(f"/en/articles/{article.id}/edit", data=edit).status_code == 403
    db.session.expire_all()
    assert load_article(article.id).original.title == "First title"
    login(anna)
    r = client.post(f"/en/articles/{article.id}/edit", data=dict(edit, title="By the author"))
    assert r.status_code == 302
    db.session.expire_all()
    assert load_article(article.id).original.title == "By the author"
    login(mod)
    r = client.post(f"/en/articles/{article.id}/edit", data=dict(edit, title="By a moderator"))
    assert r.status_code == 302
    db.session.expire_all()
    assert load_article(article.id).original.title == "By a moderator"


def test_delete_refused_for_others_then_done_by_author(client, make_user, login, make_article):
    anna, bob = make_user("anna"), make_user("bob")
    article = make_article(anna, tags="one, two", themes=["quality"])
    aid = article.id
    first = post_comment(bob, "First!", article=load_article(article.id))
    db.session.flush()
    post_comment(anna, "Reply", article=load_article(article.id), parent=first)
    db.session.commit()
    login(bob)
    assert client.post(f"/en/articles/{article.id}/delete").status_code == 403
    assert _count(Article) == 1 and _count(Comment) == 2
    assert client.get(f"/en/articles/{article.id}/delete").status_code == 405
    login(anna)
    r = client.post(f"/en/articles/{article.id}/delete")
    assert r.status_code == 302
    db.session.expire_all()
    assert _count(Article) == 0
    assert _count(ArticleTranslation) == 0
    assert _count(Comment) == 0
    assert client.get(f"/en/articles/{aid}").status_code == 404


def test_csrf_is_required_on_delete(app_factory, make_user, make_article, login):
    app = app_factory(WTF_CSRF_ENABLED=True)
    anna = make_user("anna")
    article = make_article(anna)
    c = app.test_client()
    login(anna, c)
    assert c.post(f"/en/articles/{article.id}/delete").status_code == 400
    assert _count(Article) == 1


XSS = [
    '<script>alert("t")</script>',
    '<img src=x onerror=alert(1)>',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">caps</a>',
    '<a href="&#106;avascript:alert(1)">encoded</a>',
    '<a href="java&#x09;script:alert(1)">tab</a>',
    '<svg onload=alert(1)><circle r="1"/></svg>',
    '<svg><script>alert(1)</script></svg>',
    '<p><b><i>nested</b></i><script>alert(1)',
    '<scr<script>ipt>alert(1)</script>',
    '<iframe src="https://evil.example/"></iframe>',
    '<form action="https://evil.example/"><input name=x></form>',
    '<p style="background:url(javascript:alert(1))" onclick="alert(1)">style</p>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<math><mi xlink:href="javascript:alert(1)">m</mi></math>',
    '"><img src=x onerror=alert(1)>',
    '&lt;script&gt;alert(1)&lt;/script&gt;',
]


def test_xss_in_title_summary_body_and_tags_is_inert(client, make_user, login):
    anna = make_user("anna")
    login(anna)
    payload = " ".join(XSS)
    r = client.post("/en/articles/new", data=dict(
        FORM, title=XSS[0] + XSS[1], summary=payload[:600], body=payload,
        tags=", ".join(XSS[:6]), publish="1"))
    assert r.status_code == 302, r.text
    page = follow(client, r)
    assert page.status_code == 200
    assert_inert(page.text)
    # The title is shown as text, escaped, not dropped.
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;" in page.text or (
        "&lt;script&gt;" in page.text)
    assert_inert(client.get("/en/articles/").text)
    assert_inert(client.get("/en/").text)
    body = db.session.scalars(select(ArticleTranslation)).one().body_html
    assert "javascript" not in body.lower() and "data:" not in body
    assert "style=" not in body and "onerror" not in body and "<svg" not in body


def test_links_in_body_get_rel(client, make_user, login):
    login(make_user("anna"))
    client.post("/en/articles/new", data=dict(
        FORM, body='<p><a href="https://example.org/x">site</a></p>', publish="1"))
    body = db.session.scalars(select(ArticleTranslation)).one().body_html
    assert body == '<p><a href="https://example.org/x" rel="nofollow ugc noopener">site</a></p>'


def test_review_queue_when_enabled(app_factory, make_user, login):
    app = app_factory(ARTICLE_REVIEW=True)
    c = app.test_client()
    anna, bob = make_user("anna"), make_user("bob")
    mod = make_user("mod", role="moderator")
    login(anna, c)
    r = c.post("/en/articles/new", data=dict(FORM, publish="1"))
    assert r.status_code == 302
    article = db.session.scalars(select(Article)).one()
    assert article.status == "review"
    url = r.headers["Location"]
    assert "waiting for a moderator" in c.get(url).text
    login(bob, c)
    assert c.get(url).status_code == 404
    assert "Reading groups" not in c.get("/en/articles/").text

    services.reject_article(article, mod, "Please add a source for the figures.")
    db.session.commit()
    login(anna, c)
    page = c.get(url).text
    assert "Please add a source for the figures." in page
    login(bob, c)
    assert c.get(url).status_code == 404

    services.approve_article(db.session.get(Article, article.id), mod)
    db.session.commit()
    assert c.get(url).status_code == 200
    actions = [a.action for a in db.session.scalars(select(ModerationAction))]
    assert actions == ["reject", "approve"]


def test_review_off_by_default_publishes(client, make_user, login):
    assert client.application.config["ARTICLE_REVIEW"] is False
    login(make_user("anna"))
    client.post("/en/articles/new", data=dict(FORM, publish="1"))
    assert db.session.scalars(select(Article)).one().status == "published"


def test_close_comments_author_only(client, make_user, login, make_article):
    anna, bob = make_user("anna"), make_user("bob")
    article = make_article(anna)
    login(bob)
    assert client.post(f"/en/articles/{article.id}/comments-open",
                       data={"open": "0"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Article, article.id).comments_open is True
    login(anna)
    r = client.post(f"/en/articles/{article.id}/comments-open", data={"open": "0"})
    assert r.status_code == 302
    db.session.expire_all()
    assert db.session.get(Article, article.id).comments_open is False
    login(bob)
    page = follow(client, client.get(f"/en/articles/{article.id}"))
    assert "Comments are closed." in page.text
    r = client.post(f"/en/articles/{article.id}/comments", data={"body": "hello"})
    assert r.status_code == 403
    assert _count(Comment) == 0
