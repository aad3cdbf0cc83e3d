"""Language prefixes, layout, security headers, errors, health, admin and CLI."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app import ConfigError, create_app
from app.auth.models import User
from app.extensions import db
from tests.conftest import TEST_PASSWORD

# -- language negotiation ------------------------------------------------------------


def test_root_uses_accept_language_then_default(client):
    assert client.get("/").headers["Location"].endswith("/en/")
    r = client.get("/", headers={"Accept-Language": "pl-PL,pl;q=0.9,en;q=0.5"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/pl/")
    r = client.get("/", headers={"Accept-Language": "fr-CA"})
    assert r.headers["Location"].endswith("/fr/")
    r = client.get("/", headers={"Accept-Language": "ja, zh;q=0.8"})
    assert r.headers["Location"].endswith("/en/")


def test_cookie_beats_accept_language(client):
    client.set_cookie("agora_lang", "de", domain="localhost")
    r = client.get("/", headers={"Accept-Language": "fr"})
    assert r.headers["Location"].endswith("/de/")


def test_member_setting_beats_cookie(client, make_user, login):
    login(make_user("anna", preferred_language="it"))
    client.set_cookie("agora_lang", "de", domain="localhost")
    r = client.get("/", headers={"Accept-Language": "fr"})
    assert r.headers["Location"].endswith("/it/")


def test_unknown_prefix_is_404_and_html_lang_follows_prefix(client):
    assert client.get("/xx/").status_code == 404
    assert client.get("/english/").status_code == 404
    html = client.get("/de/").get_data(as_text=True)
    assert '<html lang="de"' in html


def test_language_selector_stays_on_the_same_page_and_names_languages_natively(client):
    html = client.get("/en/auth/login?next=/en/settings").get_data(as_text=True)
    selector = html[html.index('class="lang-menu"'):]
    assert 'href="/fr/auth/login?next=/en/settings"' in selector or (
        'href="/fr/auth/login?next=%2Fen%2Fsettings"' in selector)
    for name in ("Deutsch", "Français", "Polski", "Español"):
        assert name in selector
    assert len(re.findall(r'hreflang="', selector)) == 24


# -- layout ------------------------------------------------------------------------------


def test_layout_has_skip_link_landmarks_and_no_cdn(client):
    html = client.get("/en/").get_data(as_text=True)
    assert html.index('class="skip-link" href="#main"') < html.index("<header")
    for landmark in ("<header", '<main id="main"', "<footer", 'role="search"', "<nav"):
        assert landmark in html
    for src in re.findall(r'(?:src|href)="(https?://[^"]+)"', html):
        assert src.startswith("http://localhost/"), src


def test_visitor_header_has_no_form_posting_and_member_header_has_logout(client, make_user,
                                                                          login):
    html = client.get("/en/").get_data(as_text=True)
    assert 'method="post"' not in html.lower()
    assert "Log in" in html and "Sign up" in html
    login(make_user("anna"))
    html = client.get("/en/").get_data(as_text=True)
    assert "/en/auth/logout" in html and "Log out" in html


# -- security -------------------------------------------------------------------------


def test_security_headers_on_every_response(client):
    for url in ("/en/", "/healthz", "/does-not-exist"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        script_src = csp.split("script-src")[1].split(";")[0]
        assert "'self'" in script_src and "unsafe-inline" not in script_src
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"]


def test_no_inline_script_in_pages(client):
    html = client.get("/en/auth/register").get_data(as_text=True)
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag


def test_post_without_csrf_token_is_400_and_changes_nothing(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    r = client.post("/en/auth/register", data={
        "username": "newbie", "email": "n@example.org", "password": "Violet-harbour-kettle-73",
        "password2": "Violet-harbour-kettle-73", "preferred_language": "en"})
    assert r.status_code == 400
    assert "Reload the page and try again" in r.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User)) is None


def test_login_is_rate_limited_per_ip_with_a_readable_page(app_factory, make_user):
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3 per minute")
    client = app.test_client()
    for _ in range(3):
        client.post("/en/auth/login", data={"login": "x", "password": "wrong-one-123"})
    r = client.post("/en/auth/login", data={"login": "x", "password": "wrong-one-123"})
    assert r.status_code == 429
    assert "Too many requests" in r.get_data(as_text=True)


def test_login_is_rate_limited_per_account_across_ips(app_factory):
    app = app_factory(RATELIMIT_ENABLED=True, RATELIMIT_LOGIN="3 per minute")
    client = app.test_client()
    codes = []
    for i in range(4):
        r = client.post("/en/auth/login", data={"login": "anna", "password": "wrong-one-123"},
                        environ_base={"REMOTE_ADDR": f"10.0.0.{i}"})
        codes.append(r.status_code)
    assert codes[-1] == 429 and 429 not in codes[:3]


def test_production_refuses_a_default_or_missing_secret(tmp_path, monkeypatch):
    monkeypatch.delenv("AGORA_SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"INSTANCE_PATH": str(tmp_path), "ENV_NAME": "production"})
    assert not (tmp_path / "secret_key").exists()
    app = create_app({"INSTANCE_PATH": str(tmp_path), "ENV_NAME": "production",
                      "SECRET_KEY": "a-real-secret-from-the-environment"})
    assert app.config["SECRET_KEY"] == "a-real-secret-from-the-environment"


# -- errors and health ----------------------------------------------------------------------


def test_error_pages_are_in_the_layout(app_factory):
    app = app_factory(MAX_CONTENT_LENGTH=1000)
    client = app.test_client()
    r = client.get("/en/nothing-here")
    assert r.status_code == 404 and "Page not found" in r.get_data(as_text=True)
    assert '<main id="main"' in r.get_data(as_text=True)
    r = client.get("/en/auth/logout")
    assert r.status_code == 405 and "POST" in r.headers["Allow"]
    r = client.post("/en/auth/login", data={"login": "x" * 5000, "password": "y"})
    assert r.status_code == 413 and "Too large" in r.get_data(as_text=True)


def test_unhandled_error_gives_500_page_not_traceback(app_factory):
    app = app_factory(PROPAGATE_EXCEPTIONS=False)

    @app.route("/<lang:lang>/boom")
    def boom():
        raise RuntimeError("kaboom")

    r = app.test_client().get("/en/boom")
    assert r.status_code == 500
    text = r.get_data(as_text=True)
    assert "Something went wrong" in text and "kaboom" not in text


def test_healthz_reports_database_and_index(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json["database"] == "ok" and r.json["search_index"] == "ok"


def test_healthz_is_503_when_the_database_is_unreachable(app_factory, tmp_path):
    app = app_factory(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://127.0.0.1:1/nothing")
    r = app.test_client().get("/healthz")
    assert r.status_code == 503
    assert r.json["database"].startswith("error")


# -- administration -------------------------------------------------------------------------


def test_member_gets_403_on_admin_pages_and_changes_nothing(client, app, make_user, login):
    member = make_user("anna")
    other = make_user("bob")
    login(member)
    assert client.get("/en/admin/users").status_code == 403
    r = client.post(f"/en/admin/users/{other.id}/role", data={"role": "admin"})
    assert r.status_code == 403
    assert client.post(f"/en/admin/users/{other.id}/deactivate").status_code == 403
    with app.app_context():
        bob = db.session.get(User, other.id)
        assert bob.role == "member" and bob.is_active_flag


def test_visitor_is_sent_to_login_from_admin(client):
    r = client.get("/en/admin/users")
    assert r.status_code == 302 and "/en/auth/login" in r.headers["Location"]


def test_admin_lists_searches_changes_roles_and_deactivates(client, app, make_user, login):
    admin = make_user("root", role="admin")
    for i in range(30):
        make_user(f"user{i:02d}")
    target = make_user("marie", email="marie@ecole.fr")
    login(admin)
    page1 = client.get("/en/admin/users").get_data(as_text=True)
    assert "Page 1 of 2" in page1
    found = client.get("/en/admin/users?q=ecole.fr").get_data(as_text=True)
    assert "marie" in found and "user05" not in found
    r = client.post(f"/en/admin/users/{target.id}/role", data={"role": "moderator"})
    assert r.status_code == 302
    r = client.post(f"/en/admin/users/{target.id}/deactivate")
    assert r.status_code == 302
    with app.app_context():
        marie = db.session.get(User, target.id)
        assert marie.role == "moderator" and not marie.is_active_flag
    other = app.test_client()
    r = other.post("/en/auth/login", data={"login": "marie", "password": TEST_PASSWORD})
    assert r.status_code == 422
    client.post(f"/en/admin/users/{target.id}/reactivate")
    r = other.post("/en/auth/login", data={"login": "marie", "password": TEST_PASSWORD})
    assert r.status_code == 302


def test_create_admin_command(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "create-admin", "--username", "boss", "--email",
                                 "boss@example.org", "--password", "Saffron-glacier-otter-31"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["users", "create-admin", "--username", "mod", "--email",
                                 "mod@example.org", "--password", "Saffron-glacier-otter-32",
                                 "--role", "moderator"])
    assert result.exit_code == 0, result.output
    weak = runner.invoke(args=["users", "create-admin", "--username", "weak", "--email",
                               "weak@example.org", "--password", "password"])
    assert weak.exit_code != 0
    with app.app_context():
        roles = {u.username: u.role for u in db.session.scalars(select(User))}
    assert roles == {"boss": "admin", "mod": "moderator"}


def test_seed_demo_prints_logins_and_is_idempotent_when_asked(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed", "demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "admin" in result.output and "password" in result.output
    again = runner.invoke(args=["seed", "demo", "--if-empty"])
    assert "already has members" in again.output
