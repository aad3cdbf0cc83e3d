"""Operations: request log lines and ids, errors with traceback, /healthz, config checks,
ProxyFix from the environment, fingerprinted static files."""

from __future__ import annotations

import logging
import re

import pytest
from flask import request
from werkzeug.middleware.proxy_fix import ProxyFix

from app import ConfigError

LINE = re.compile(r"^(GET|POST) (\S+) (\d{3}) (\d+\.\d)ms id=(\S+) cache=(\S+)$")


def _request_lines(caplog) -> list[re.Match]:
    return [m for r in caplog.records if r.name == "agora.request"
            and (m := LINE.match(r.getMessage()))]


def test_one_log_line_per_request_with_its_id(client, caplog):
    caplog.set_level(logging.INFO, logger="agora.request")
    response = client.get("/en/privacy?utm=x")
    lines = _request_lines(caplog)
    assert len(lines) == 1
    method, path, status, duration, request_id, _cache = lines[0].groups()
    assert (method, path, status) == ("GET", "/en/privacy", "200")
    assert float(duration) >= 0
    assert response.headers["X-Request-ID"] == request_id
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)


def test_a_proxys_request_id_is_kept_and_junk_is_replaced(client, caplog):
    caplog.set_level(logging.INFO, logger="agora.request")
    kept = client.get("/en/privacy", headers={"X-Request-ID": "lb-7f3a-42"})
    assert kept.headers["X-Request-ID"] == "lb-7f3a-42"
    replaced = client.get("/en/privacy", headers={"X-Request-ID": "x" * 500})
    assert replaced.headers["X-Request-ID"] != "x" * 500
    assert [m.group(5) for m in _request_lines(caplog)] == [
        "lb-7f3a-42", replaced.headers["X-Request-ID"]]


def test_not_found_and_refused_requests_are_logged_too(client, caplog):
    caplog.set_level(logging.INFO, logger="agora.request")
    client.get("/en/does-not-exist")
    client.post("/healthz")
    statuses = [m.group(3) for m in _request_lines(caplog)]
    assert statuses == ["404", "405"]


def test_a_crash_is_logged_with_its_traceback_and_answers_500(app_factory, caplog):
    app = app_factory(PROPAGATE_EXCEPTIONS=False)  # as in production, not re-raised

    def explode():
        raise RuntimeError("boom in a view")

    app.add_url_rule("/<lang:lang>/_explode", "explode", explode)
    caplog.set_level(logging.INFO)
    response = app.test_client().get("/en/_explode")
    assert response.status_code == 500
    assert "boom in a view" not in response.get_data(as_text=True)
    errors = [r for r in caplog.records if r.name == "agora.errors"]
    assert len(errors) == 1
    assert errors[0].exc_info and errors[0].exc_info[0] is RuntimeError
    assert "/en/_explode" in errors[0].getMessage()
    assert any(m.group(3) == "500" for m in _request_lines(caplog))


def test_security_headers_on_every_page(client):
    headers = client.get("/en/").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


# -- health ---------------------------------------------------------------------------

def test_healthz_reports_database_and_index(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"database": "ok", "search_index": "ok", "status": "ok"}


@pytest.mark.parametrize("url", [
    "postgresql+psycopg://127.0.0.1:1/agora",          # nothing listens on port 1
    "sqlite:////nonexistent-agora-dir/deeper/agora.db",  # a folder that does not exist
])
def test_healthz_answers_503_when_the_database_is_unreachable(app, app_factory, url):
    down = app_factory(SQLALCHEMY_DATABASE_URI=url)
    response = down.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "error"
    assert response.json["database"].startswith("error")


# -- configuration ---------------------------------------------------------------------

@pytest.mark.parametrize(("overrides", "setting"), [
    ({"PAGE_CACHE_TTL": "soon"}, "PAGE_CACHE_TTL"),
    ({"PAGE_CACHE_ENABLED": "yes"}, "PAGE_CACHE_ENABLED"),
    ({"SQLALCHEMY_DATABASE_URI": "mysql://db/agora"}, "DATABASE_URL"),
    ({"SQLALCHEMY_DATABASE_URI": "postgresql://127.0.0.1/agora"}, "DATABASE_URL"),
    ({"REDIS_URL": "127.0.0.1:6379"}, "REDIS_URL"),
    ({"DEFAULT_LANGUAGE": "xx"}, "DEFAULT_LANGUAGE"),
    ({"LANGUAGES": ["en", "English"]}, "LANGUAGES"),
    ({"RATELIMIT_STORAGE_URI": "somewhere"}, "RATELIMIT_STORAGE_URI"),
    ({"MAIL_PORT": 70000}, "MAIL_PORT"),
    ({"ENV_NAME": "staging"}, "ENV_NAME"),
    ({"ENV_NAME": "production", "TESTING": False, "SECRET_KEY": "short"}, "SECRET_KEY"),
])
def test_a_bad_setting_stops_the_start_with_its_name(app_factory, overrides, setting):
    with pytest.raises(ConfigError) as error:
        app_factory(**overrides)
    assert f"- {setting}:" in str(error.value)


def test_every_bad_setting_is_listed_at_once(app_factory):
    with pytest.raises(ConfigError) as error:
        app_factory(PAGE_CACHE_TTL=-1, MAIL_PORT="25", BEHIND_PROXY="on")
    message = str(error.value)
    for setting in ("PAGE_CACHE_TTL", "MAIL_PORT", "BEHIND_PROXY"):
        assert f"- {setting}:" in message


def test_environment_settings_are_checked_too(app_factory, monkeypatch):
    monkeypatch.setenv("AGORA_PAGE_CACHE_TTL", "five minutes")
    with pytest.raises(ConfigError, match="PAGE_CACHE_TTL"):
        app_factory()


def test_agora_behind_proxy_true_trusts_one_proxy(app_factory, monkeypatch):
    monkeypatch.setenv("AGORA_BEHIND_PROXY", "true")
    app = app_factory()
    assert app.config["BEHIND_PROXY"] is True
    assert isinstance(app.wsgi_app, ProxyFix)
    app.add_url_rule("/_whoami", "whoami",
                     lambda: f"{request.scheme} {request.host} {request.remote_addr}")
    seen = app.test_client().get("/_whoami", headers={
        "X-Forwarded-Proto": "https", "X-Forwarded-Host": "agora.example.org",
        "X-Forwarded-For": "203.0.113.9"})
    assert seen.get_data(as_text=True) == "https agora.example.org 203.0.113.9"
    assert seen.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_without_the_setting_forwarded_headers_are_ignored(app):
    assert not isinstance(app.wsgi_app, ProxyFix)
    app.add_url_rule("/_whoami", "whoami", lambda: f"{request.scheme} {request.remote_addr}")
    seen = app.test_client().get("/_whoami", headers={
        "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"})
    assert seen.get_data(as_text=True) == "http 127.0.0.1"
    assert "Strict-Transport-Security" not in seen.headers


# -- static files -----------------------------------------------------------------------

def test_static_files_are_fingerprinted_and_cached_for_a_year(client):
    page = client.get("/en/").get_data(as_text=True)
    match = re.search(r'href="(/static/css/agora\.css\?v=([0-9a-f]{12}))"', page)
    assert match, "the stylesheet link carries a content hash"
    response = client.get(match.group(1))
    assert response.status_code == 200
    cache_control = response.headers["Cache-Control"]
    assert "immutable" in cache_control and "max-age=31536000" in cache_control
    assert "public" in cache_control
    unversioned = client.get("/static/css/agora.css")
    assert "immutable" not in unversioned.headers.get("Cache-Control", "")
