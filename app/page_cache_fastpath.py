"""Visitors' cached pages served in front of Flask, as Discourse serves its anonymous
cache from a Rack middleware before Rails.

A page-cache hit answered from Flask's before_request hook (app/cache.py) still pays
for the request context, the session, the hooks, the signals and the teardown:
about 150 µs of the 170 µs a trivial route costs. A visitor's request whose answer
is certain to be a stored page skips all of that here. "Certain" means: a GET with
none of the cookies that change the page or who it is for (session, remember-me,
time zone), rate limits that apply to pages switched off (they are checked by
Flask), and a stored entry at the current content version under the very key
Flask would compute (`page_key`). Anything else goes to Flask unchanged, which
renders, or serves from the cache the slower way, exactly as before.

The answer is the stored page with this request's id and X-Cache: HIT, and the
same log line Flask's hooks write.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from flask import Flask
from werkzeug.exceptions import SecurityError
from werkzeug.http import parse_cookie
from werkzeug.wsgi import get_host

from app.cache import EXTENSION_KEY, PageEntry, current_entry, page_key
from app.i18n import TZ_COOKIE, path_language
from app.ratelimit import limits_every_request
from app.web import log_request, request_id_from

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class PageCacheFastPath:
    def __init__(self, wsgi_app: WSGIApp, app: Flask) -> None:
        self.wsgi_app = wsgi_app
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        started = time.perf_counter()
        entry = self._stored_page(environ)
        if entry is None:
            return self.wsgi_app(environ, start_response)
        request_id = request_id_from(environ.get("HTTP_X_REQUEST_ID", ""))
        headers = [*entry.headers, ("Content-Length", str(len(entry.body))),
                   ("X-Cache", "HIT"), ("X-Request-ID", request_id)]
        start_response(f"{entry.status} {HTTPStatus(entry.status).phrase}", headers)
        path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace")
        log_request("GET", path or "/", entry.status, started, request_id, "HIT")
        return [entry.body]

    def _stored_page(self, environ: dict[str, Any]) -> PageEntry | None:
        app = self.app
        if environ.get("REQUEST_METHOD") != "GET" or app.debug:
            return None
        cache = app.extensions[EXTENSION_KEY]
        if not cache.page_enabled or limits_every_request(app.config):
            return None
        if environ.get("HTTP_COOKIE"):
            cookies = parse_cookie(environ)
            personal = (app.config.get("SESSION_COOKIE_NAME", "session"),
                        app.config.get("REMEMBER_COOKIE_NAME", "remember_token"), TZ_COOKIE)
            if any(name in cookies for name in personal):
                return None
        try:
            host = get_host(environ, app.config.get("TRUSTED_HOSTS"))
        except SecurityError:
            return None  # Flask answers that
        # The page language as app.i18n.current_lang decides it from the URL.
        lang = path_language(environ.get("PATH_INFO", ""), app.config)
        return current_entry(cache, page_key(environ, host, lang, "UTC"))[1]


def init_fastpath(app: Flask) -> None:
    """Wraps the app's WSGI callable: call before ProxyFix (app/web.py) wraps it, so
    the key is computed from the same corrected environ Flask sees."""
    app.wsgi_app = PageCacheFastPath(app.wsgi_app, app)  # type: ignore[method-assign]
