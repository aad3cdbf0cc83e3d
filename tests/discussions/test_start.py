"""Starting a discussion, and its page."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from app.discussions.models import Discussion
from app.discussions.services import themes_of
from app.extensions import db
from app.notifications.models import Subscription
from tests.discussions.helpers import make_discussion


def test_visitor_is_sent_to_login(client):
    r = client.get("/en/discussions/new")
    assert r.status_code == 302
    assert "/en/auth/login" in r.headers["Location"]


def test_form_offers_rich_text_body_language_themes_window(client, make_user, login):
    login(make_user("anna"))
    html = client.get("/en/discussions/new").get_data(as_text=True)
    assert 'name="body"' in html and "data-rich-text" in html
    assert '<option selected value="en">' in html or 'value="en" selected' in html
    assert 'value="quality"' in html
    assert 'name="opens_at"' in html and 'name="closes_at"' in html


def test_member_starts_a_discussion(client, make_user, login):
    anna = make_user("anna", timezone="Europe/Paris")
    login(anna)
    r = client.post("/en/discussions/new", data={
        "title": "Évaluer les compétences numériques",
        "body": "<p>Hello <script>alert(1)</script><strong>world</strong></p>" + "word " * 80,
        "language": "fr",
        "themes": ["quality", "policy"],
        "tags": "Digital Skills, évaluation",
        "opens_at": "2030-01-10T10:00",
        "closes_at": "2030-01-20T18:30",
    })
    assert r.status_code == 302
    d = db.session.scalar(select(Discussion))
    slug = "evaluer-les-competences-numeriques"
    assert r.headers["Location"].endswith(f"/en/discussions/{d.id}-{slug}")
    assert "<script>" not in d.body_html and "<strong>world</strong>" in d.body_html
    assert d.summary.startswith("Hello world word") and len(d.summary) <= 201
    assert d.language == "fr"
    # Paris is UTC+1 in January: the member typed wall-clock times.
    assert d.opens_at == datetime(2030, 1, 10, 9, 0, tzinfo=UTC)
    assert d.closes_at == datetime(2030, 1, 20, 17, 30, tzinfo=UTC)
    assert sorted(themes_of([d.id])[d.id]) == ["policy", "quality"]
    assert db.session.scalar(select(Subscription).where(
        Subscription.user_id == anna.id, Subscription.target_id == d.id)) is not None
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Évaluer les compétences numériques" in page
    assert "#digital-skills" in page and "Quality" in page
    assert "Comments will be open from" in page


def test_bad_input_rerenders_with_messages_and_saves_nothing(client, make_user, login):
    login(make_user("anna"))
    r = client.post("/en/discussions/new", data={
        "title": "", "body": "<p>Text</p>", "language": "en",
        "opens_at": "2030-01-10T10:00", "closes_at": "2030-01-09T10:00",
    })
    assert r.status_code == 422
    html = r.get_data(as_text=True)
    assert "This field is required." in html
    assert "The closing time must be after the opening time." in html
    assert db.session.scalar(select(Discussion)) is None


def test_wrong_or_missing_slug_redirects_permanently(client, make_user):
    d = make_discussion(make_user("anna"), title="Learning outdoors")
    for path in (f"/en/discussions/{d.id}", f"/en/discussions/{d.id}-wrong"):
        r = client.get(path)
        assert r.status_code == 301
        assert r.headers["Location"].endswith(f"/en/discussions/{d.id}-learning-outdoors")
    assert client.get(f"/en/discussions/{d.id}-learning-outdoors").status_code == 200
    assert client.get("/en/discussions/999-nothing").status_code == 404


def test_visitor_gets_login_prompt_back_to_the_page(client, make_user):
    d = make_discussion(make_user("anna"))
    html = client.get(f"/en/discussions/{d.id}-{d.slug}").get_data(as_text=True)
    assert "Log in or sign up to join the conversation" in html
    assert f"next=/en/discussions/{d.id}-{d.slug}" in html
    assert 'method="post"' not in html  # visitors' pages carry no forms (page cache)
