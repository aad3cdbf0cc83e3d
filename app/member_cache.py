"""The member page cache: a logged-in member's reading pages, kept for that member alone.

Visitors share one cached page (app/cache.py). A member's page carries their name,
unread count, CSRF token and their own buttons, so it is never shared; but members
reload and revisit the same article and discussion pages, and each render is about
ten times the work of a cache hit. Like Drupal's dynamic page cache for logged-in
users, this keeps a rendered page per member *and session*, keyed so that every
change shows on the next request:

* the content version: any content commit (as for visitors), and any state-changing
  request a member makes (`_bump_after_member_change`), which is how a member's own
  private changes (following a page, a report) show at once in every worker;
* their unread-notification count (notifications arrive through other people's
  requests);
* their session token and the session's CSRF secret: another session, or a session
  after "log out everywhere", never gets a page rendered for this one;
* language, time zone and the full URL.

Only reading pages (MEMBER_CACHED_ENDPOINTS), only 200 HTML responses, never while
a flash message waits, never in debug mode, and for MEMBER_PAGE_CACHE_TTL seconds
(60) at most, so time-dependent parts such as a closing edit window stay bounded.
The member's own session cookie is never stored: Flask sets it on the hit as usual.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Flask, Response, current_app, g, request, session
from flask.globals import request_ctx
from flask.signals import request_finished

from app.cache import get_cache, serve_stored, store_page
from app.i18n import current_lang
from app.timeutil import select_timezone

MEMBER_CACHED_ENDPOINTS = frozenset({
    "main.home",
    "articles.index",
    "articles.show",
    "discussions.index",
    "discussions.show",
})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _enabled(app: Flask) -> bool:
    return bool(app.config.get("MEMBER_PAGE_CACHE", True)) and get_cache(app).page_enabled


def _member_key() -> str | None:
    """This member's key for this page, or None when the page must be rendered."""
    from flask_login import current_user

    if "_user_id" not in session or "_flashes" in session or "csrf_token" not in session:
        return None  # no member, a message to show, or a token not made yet
    if not current_user.is_authenticated:
        return None
    from app.notifications.services import unread_count

    csrf = hashlib.sha256(str(session["csrf_token"]).encode()).hexdigest()
    raw = "\n".join((
        str(current_user.id), str(current_user.session_token), csrf,
        str(unread_count(current_user.id)), current_lang(), select_timezone(),
        request.host, request.full_path,
    ))
    return "member:" + hashlib.sha256(raw.encode()).hexdigest()


def _serve_member_page() -> Response | None:
    app = current_app
    if (request.method != "GET" or app.debug or not _enabled(app)
            or request.endpoint not in MEMBER_CACHED_ENDPOINTS):
        return None
    if g.get("page_cache_slot") is not None:
        return None  # a visitor: the shared page cache deals with it
    key = _member_key()
    if key is None:
        return None
    g.page_cache_member = True  # the visitors' store step leaves this page alone
    return serve_stored(key)


def _store_member_page(sender: Flask, response: Response, **_extra: Any) -> None:
    if not g.get("page_cache_member") or g.get("page_cache_slot") is None:
        return
    if response.status_code != 200 or response.mimetype != "text/html":
        return
    if response.is_streamed or response.direct_passthrough or g.get("page_cache_skip"):
        return
    if "_flashes" in session or request_ctx.flashes:
        return  # this render showed (or queued) a one-time message
    store_page(sender, response, int(sender.config.get("MEMBER_PAGE_CACHE_TTL") or 60))


def _bump_after_member_change(response: Response) -> Response:
    """A state-changing request by a member may change what their own pages show
    (following, reporting, settings), through tables that do not bump the content
    version: bump it here, so every worker's member pages are rendered afresh."""
    # Refused requests (a bad token, a validation error) changed nothing: they must not
    # let anyone keep every cache cold by posting junk.
    if (request.method not in SAFE_METHODS and response.status_code < 400
            and "_user_id" in session and _enabled(current_app)):
        get_cache().bump()
    return response


def init_member_cache(app: Flask) -> None:
    """Registered right after the visitor page cache (app/cache.py, init_cache)."""
    app.before_request(_serve_member_page)
    app.after_request(_bump_after_member_change)
    request_finished.connect(_store_member_page, app, weak=False)
