"""Benchmark-only routes (bench/run.py), registered when BENCH_CEILING_ROUTE is true.

`/bench/ceiling` is the benchmark's ceiling: a route of the same app, through
the same middleware and request hooks, that returns a short text without
touching the database or a template. Every page is measured as a fraction of
it. Never enabled by default (AGORA_BENCH_CEILING_ROUTE=true turns it on).
"""

from __future__ import annotations

from flask import Blueprint, Response

bp = Blueprint("bench", __name__, url_prefix="/bench")


@bp.route("/ceiling")
def ceiling() -> Response:
    response = Response("ok\n", mimetype="text/plain")
    # Not stored by the page cache: the ceiling is this route's own path through the app.
    response.headers["Cache-Control"] = "no-store"
    return response
