"""Flask-Limiter, wired so that a request no limit applies to pays nothing for it.

Agora declares its limits on views (`@limiter.limit(..., methods=["POST"])` on
login, register, comments), and Flask-Limiter checks those inside the decorated
view. Its before_request hook only evaluates application-wide, default and
blueprint limits, and its after_request and teardown hooks only read what a check
left behind. With none of those limits configured, the three hooks cost every page
view about a fifth of the time the app spends on a request that does nothing
(`/bench/ceiling`) and do nothing. So: the before_request check is kept only when
such limits are configured, and the other two run only on a request the limiter
looked at.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask, Response
from flask.globals import request_ctx

from app.extensions import limiter

# Settings that give the before_request check something to evaluate.
MIDDLEWARE_SETTINGS = ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION", "RATELIMIT_META",
                       "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED")
# Where Flask-Limiter keeps a request's state (flask_limiter Limiter.context).
CONTEXT_ATTRIBUTE = "_limiter_request_context"


def limits_every_request(config: Mapping[str, Any]) -> bool:
    """True when a configured limit applies to every request, pages included."""
    return bool(config.get("RATELIMIT_ENABLED", True)) and any(
        config.get(name) for name in MIDDLEWARE_SETTINGS)


def init_limiter(app: Flask) -> None:
    limiter.init_app(app)
    if limits_every_request(app.config):
        return
    check = limiter._check_request_limit
    before = app.before_request_funcs.get(None, [])
    after = app.after_request_funcs.get(None, [])
    teardown = app.teardown_request_funcs.get(None, [])
    inject = [f for f in after if getattr(getattr(f, "func", None), "__name__", "")
              == "__inject_headers" and f.args == (limiter,)]
    release = [f for f in teardown if getattr(f, "__self__", None) is limiter]
    if check not in before or len(inject) != 1 or len(release) != 1:
        return  # another Flask-Limiter release wires itself differently: leave it be
    before.remove(check)
    after[after.index(inject[0])] = _when_limiter_looked(inject[0])
    teardown[teardown.index(release[0])] = _when_limiter_looked(release[0])


def _when_limiter_looked(hook: Callable[[Any], Any]) -> Callable[[Any], Any]:
    @functools.wraps(hook)
    def guarded(value: Response | BaseException | None) -> Any:  # noqa: ANN401
        if hasattr(request_ctx._get_current_object(), CONTEXT_ATTRIBUTE):
            return hook(value)
        return value

    return guarded
