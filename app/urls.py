"""Small URL helpers shared by views."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request


def is_local_path(target: str | None) -> bool:
    """True for '/en/articles/1', False for '//evil', 'https://evil', '/\\evil' and junk."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(c) < 32 for c in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(default: str) -> str:
    target = request.values.get("next")
    return target if is_local_path(target) else default


def carried_args(*route_args: str) -> dict[str, str]:
    """The query string to carry over on a canonical-URL redirect, safe for url_for.

    Names url_for takes itself (_external, _scheme, _anchor, _method) or the route's
    own arguments would change the target or raise (a 500) if passed through.
    """
    reserved = {"lang", *route_args}
    return {k: v for k, v in request.args.items() if k not in reserved and not k.startswith("_")}


MAX_PAGE = 100_000  # far past any real list; keeps OFFSET inside a 64-bit integer


def page_arg(name: str = "page") -> int:
    """The ?page= number, clamped to 1..MAX_PAGE ("abc", "-1", "10**20" never fail)."""
    value = request.args.get(name, 1, type=int) or 1
    return min(max(value, 1), MAX_PAGE)
