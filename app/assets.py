"""Fingerprinted static URLs (?v=<hash>) served with long-lived cache headers."""

from __future__ import annotations

import hashlib
from pathlib import Path

from flask import Flask, current_app, request, url_for

_hashes: dict[str, str] = {}


def static_url(filename: str) -> str:
    digest = _hashes.get(filename)
    if digest is None or current_app.debug:
        path = Path(current_app.static_folder or "") / filename
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        except OSError:
            digest = "missing"
        _hashes[filename] = digest
    return url_for("static", filename=filename, v=digest)


def init_assets(app: Flask) -> None:
    app.jinja_env.globals["static_url"] = static_url

    @app.after_request
    def cache_static(response):  # noqa: ANN001
        if request.endpoint == "static" and request.args.get("v") and response.status_code == 200:
            response.cache_control.public = True
            response.cache_control.max_age = 31536000
            response.cache_control.immutable = True
        return response
