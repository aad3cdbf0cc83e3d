"""Per-request plumbing: request id, one log line per request, security headers."""

from __future__ import annotations

import logging
import os
import time

from flask import Flask, Response, g, request
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer
from werkzeug.middleware.proxy_fix import ProxyFix

log = logging.getLogger("agora.request")

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # The editor sets styles from its script; no inline <script> is ever allowed.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' https: http: data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}
SECURITY_HEADER_NAMES = {name.lower() for name in SECURITY_HEADERS}
MAX_REQUEST_ID = 64
# Methods whose requests carry no form body worth reading.
BODYLESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the signing serializer built once per
    secret instead of on every request (twice: to open and to save the session)."""

    def __init__(self) -> None:
        self._serializers: dict[tuple[object, ...], URLSafeTimedSerializer] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        if not app.secret_key:
            return None
        secrets = (app.secret_key, *(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        serializer = self._serializers.get(secrets)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            if serializer is not None:
                self._serializers = {secrets: serializer}  # one secret at a time
        return serializer


def request_id_from(incoming: str) -> str:
    """The proxy's X-Request-ID when it looks sane, so log lines can be joined up."""
    if 0 < len(incoming) <= MAX_REQUEST_ID and incoming.isprintable() and " " not in incoming:
        return incoming
    # 32 random hex digits, as uuid4().hex gave, without building a UUID (~6 µs here,
    # on every request that comes without an id).
    return os.urandom(16).hex()


def log_request(method: str, path: str, status: int, started: float, request_id: str,
                cache: str) -> None:
    ms = (time.perf_counter() - started) * 1000
    # The path only: query strings can carry search terms and tokens.
    log.info("%s %s %s %.1fms id=%s cache=%s", method, path, status, ms, request_id, cache)


def start_request() -> None:
    g.request_started = time.perf_counter()
    g.request_id = request_id_from(request.headers.get("X-Request-ID", ""))


def finish_request(response: Response) -> Response:
    headers = response.headers
    present = {name.lower() for name in headers.keys()} & SECURITY_HEADER_NAMES
    for name, value in SECURITY_HEADERS.items():
        if name.lower() not in present:  # a view may have set its own (a stricter CSP)
            headers.add(name, value)
    if request.is_secure:
        # Served over HTTPS (directly or, with BEHIND_PROXY, per the proxy): stay there.
        headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    request_id = g.get("request_id")
    if request_id:
        headers["X-Request-ID"] = request_id
    started = g.get("request_started")
    if started is not None:
        log_request(request.method, request.path, response.status_code, started,
                    request_id or "-", headers.get("X-Cache", "-"))
    return response


def drop_nul_characters() -> None:
    """NUL is never meaningful in text, and PostgreSQL refuses it in any query
    parameter ("cannot contain NUL (0x00) bytes"): drop it from the query string and
    form fields before any view sees them, so such input is treated like any other."""
    from werkzeug.datastructures import ImmutableMultiDict

    sources = ["args"] if request.query_string else []
    if request.method not in BODYLESS_METHODS:
        sources.append("form")
    for name in sources:
        values = getattr(request, name)
        if any("\x00" in key or "\x00" in value for key, value in values.items(multi=True)):
            cleaned = ImmutableMultiDict(
                [(k.replace("\x00", ""), v.replace("\x00", ""))
                 for k, v in values.items(multi=True)]
            )
            setattr(request, name, cleaned)  # werkzeug caches these per request


def register(app: Flask) -> None:
    app.session_interface = SessionInterface()
    if app.config.get("BEHIND_PROXY"):
        # One proxy in front (nginx, a load balancer): trust its X-Forwarded-* once.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]
    # First of all before_request hooks: a page-cache hit or a rate-limit answer
    # returns early, and those requests still get an id and a log line.
    app.before_request_funcs.setdefault(None, []).insert(0, start_request)
    # after_request hooks run in reverse order: inserted first, this one runs last and
    # logs the final status and headers (X-Cache from the page cache included).
    app.after_request_funcs.setdefault(None, []).insert(0, finish_request)
    app.before_request(drop_nul_characters)
