"""Per-request plumbing that every page goes through (app/web.py, app/ratelimit.py)."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.web import SECURITY_HEADERS


def test_each_security_header_is_sent_once(client):
    response = client.get("/en/")
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.getlist(name) == [value]


def test_pages_carry_no_rate_limit_headers_but_a_limited_form_does(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3 per minute")
    client = app.test_client()
    assert "X-RateLimit-Limit" not in client.get("/en/").headers
    r = client.post("/en/auth/login", data={"login": "x", "password": "wrong-one-123"})
    assert r.headers["X-RateLimit-Limit"] == "3"
    assert r.headers["X-RateLimit-Remaining"] == "2"


def test_a_configured_default_limit_applies_to_every_page(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="2 per minute")
    client = app.test_client()
    # Its own address, and the same limit as tests/production/test_page_cache_fastpath.py:
    # the global limiter keeps its storage and the first default limit it was given.
    codes = [client.get("/en/privacy", environ_base={"REMOTE_ADDR": "10.9.0.2"}).status_code
             for _ in range(3)]
    assert codes == [200, 200, 429]


def test_a_new_secret_ends_sessions_unless_the_old_one_is_a_fallback(app_factory, make_user):
    app = app_factory()
    with app.app_context():
        token = make_user("anna").session_token
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = token
    old_secret = app.secret_key
    assert "anna" in client.get("/en/settings").get_data(as_text=True)

    app.secret_key = "a-rotated-secret"
    app.config["SECRET_KEY_FALLBACKS"] = [old_secret]
    assert "anna" in client.get("/en/settings").get_data(as_text=True)
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert client.get("/en/settings").status_code == 302  # to the login page


def test_nul_characters_are_dropped_from_posted_forms(app, client):
    r = client.post("/en/auth/register", data={
        "username": "nul\x00bie", "email": "nul@example.org",
        "password": "Violet-harbour-kettle-73", "password2": "Violet-harbour-kettle-73",
        "preferred_language": "en"})
    assert r.status_code == 302
    with app.app_context():
        name = db.session.scalar(select(User.username).where(User.email == "nul@example.org"))
    assert name == "nulbie"
