"""Visitors' cached pages answered in front of Flask (app/page_cache_fastpath.py).

Whether Flask ran is seen through its request_started signal, which every request
that reaches Flask sends and a fast-path answer never does.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager

import pytest
from flask import request_started
from sqlalchemy import select

from app.articles.models import ArticleTranslation
from app.extensions import db
from app.i18n import LANG_COOKIE
from tests.production.helpers import fresh, warm

# Per request; and Flask re-sends a session cookie it touched (Flask-Login's _fresh).
IGNORED = {"x-request-id", "date", "set-cookie"}


@pytest.fixture
def app(app_factory):
    return app_factory(PAGE_CACHE_ENABLED=True)


@contextmanager
def flask_requests(app):
    seen: list[str] = []

    def record(sender, **_extra):  # noqa: ANN001
        seen.append("request")

    request_started.connect(record, app)
    try:
        yield seen
    finally:
        request_started.disconnect(record, app)


def _article_url(article) -> str:
    return f"/en/articles/{article.id}-learning-circles"


def _headers(response) -> dict[str, str]:
    return {k.lower(): v for k, v in response.headers.items() if k.lower() not in IGNORED}


def test_a_visitors_hit_skips_flask_and_equals_the_hit_flask_serves(app, client, article):
    url = _article_url(article)
    warm(client, url)
    with flask_requests(app) as seen:
        fast = client.get(url)
        assert seen == []
    assert fast.headers["X-Cache"] == "HIT"
    assert "Learning circles" in fast.get_data(as_text=True)

    # A visitor whose session cookie holds no member: Flask itself serves the hit.
    other = app.test_client()
    with other.session_transaction() as session:
        session["seen"] = True
    with flask_requests(app) as seen:
        slow = other.get(url)
        assert seen == ["request"]
    assert slow.headers["X-Cache"] == "HIT"
    assert slow.data == fast.data
    assert _headers(slow) == _headers(fast)


def test_a_language_cookie_still_gets_the_fast_answer(app, client, article):
    url = _article_url(article)
    body = warm(client, url)
    chooser = app.test_client()
    chooser.set_cookie(LANG_COOKIE, "fr", domain="localhost")
    with flask_requests(app) as seen:
        response = chooser.get(url)
        assert seen == []
    assert response.get_data(as_text=True) == body


@pytest.mark.parametrize("cookie", ["session", "remember_token", "agora_tz"])
def test_personal_cookies_always_go_to_flask(app, client, article, cookie):
    url = _article_url(article)
    warm(client, url)
    visitor = app.test_client()
    visitor.set_cookie(cookie, "x", domain="localhost")
    with flask_requests(app) as seen:
        visitor.get(url)
        assert seen == ["request"]


def test_a_change_reaches_the_fast_path_at_once(app, client, article):
    url = _article_url(article)
    warm(client, url)
    version = db.session.scalar(select(ArticleTranslation).where(
        ArticleTranslation.article_id == article.id))
    version.title = "Learning circles, revised"
    db.session.commit()
    with flask_requests(app) as seen:
        assert "Learning circles, revised" in fresh(client, url)
        assert seen == ["request"]


def test_the_proxys_request_id_is_kept_and_logged(app, client, article, caplog):
    url = _article_url(article)
    warm(client, url)
    with caplog.at_level(logging.INFO, logger="agora.request"):
        response = client.get(url, headers={"X-Request-ID": "edge-42"})
    assert response.headers["X-Request-ID"] == "edge-42"
    assert response.headers["Content-Length"] == str(len(response.data))
    lines = [r.getMessage() for r in caplog.records if "id=edge-42" in r.getMessage()]
    assert len(lines) == 1
    assert lines[0].startswith(f"GET {url} 200 ") and lines[0].endswith("cache=HIT")


def test_behind_a_proxy_each_forwarded_host_has_its_own_pages(app_factory, article):
    app = app_factory(PAGE_CACHE_ENABLED=True, BEHIND_PROXY=True)
    client = app.test_client()
    url = _article_url(article)
    one = {"X-Forwarded-Host": "one.example.org"}
    assert client.get(url, headers=one).headers["X-Cache"] == "MISS"
    with flask_requests(app) as seen:
        assert client.get(url, headers=one).headers["X-Cache"] == "HIT"
        assert seen == []  # the key was computed from the corrected host
    two = client.get(url, headers={"X-Forwarded-Host": "two.example.org"})
    assert two.headers["X-Cache"] == "MISS"


def test_a_limit_on_every_page_is_still_enforced(app_factory):
    app = app_factory(PAGE_CACHE_ENABLED=True, RATELIMIT_ENABLED=True,
                      RATELIMIT_DEFAULT="2 per minute")
    client = app.test_client()
    # Its own address, and the same limit as tests/foundation/test_request_hooks.py:
    # the global limiter keeps its storage and the first default limit it was given.
    responses = [client.get("/en/", environ_base={"REMOTE_ADDR": "10.9.0.1"})
                 for _ in range(3)]
    assert [r.status_code for r in responses] == [200, 200, 429]
    assert responses[1].headers["X-Cache"] == "HIT"
