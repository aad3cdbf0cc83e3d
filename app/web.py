"""Per-request plumbing: request id, one log line per request, security headers."""

from __future__ import annotations

import logging
import time
import uuid

from flask import Flask, g, request
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


def register(app: Flask) -> None:
    if app.config.get("BEHIND_PROXY"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    @app.before_request
    def start_timer():
        g.request_started = time.perf_counter()
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else (
            uuid.uuid4().hex
        )

    @app.after_request
    def finish(response):  # noqa: ANN001
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        request_id = g.get("request_id")
        if request_id:
            headers["X-Request-ID"] = request_id
        started = g.get("request_started")
        if started is not None:
            ms = (time.perf_counter() - started) * 1000
            log.info(
                "%s %s %s %.1fms id=%s", request.method, request.path, response.status_code,
                ms, request_id,
            )
        return response
