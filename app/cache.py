"""Shared caches: the anonymous page cache and short-lived computed panels.

Both live in one store: a per-process dictionary by default, Redis when
``REDIS_URL`` is set. Both are keyed by a *content version* that every commit
touching content bumps (SQLAlchemy ``after_commit``), so nobody sees stale
content after a change; the TTLs only bound memory and time-dependent output.

Where the version lives:

* with Redis: one integer key (``INCR`` on change, read with the entry in one
  round trip), shared by every worker and every machine;
* without Redis: a small file in the instance folder. Each gunicorn worker has
  its own dictionary, but all of them read the same file, so a commit in one
  worker invalidates the pages cached by the others. The version is the file's
  (inode, size, mtime): a bump appends one byte (``O_APPEND`` is atomic), so the
  size grows with every change even when two bumps share a coarse mtime tick.
  This only spans one machine: several app machines need ``REDIS_URL``.

The page cache (DESIGN.md "Page cache") serves GET pages to visitors who are
not logged in, before the view runs. It never serves members (any session
with a user, any remember-me cookie), and it only stores 200 responses that
set no cookie and carry no CSRF token. See docs/operations.md.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

from flask import Flask, Response, current_app, g, has_app_context, request, session
from flask.signals import request_finished
from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

from app.i18n import TZ_COOKIE, current_lang
from app.timeutil import select_timezone

log = logging.getLogger("agora.cache")

T = TypeVar("T")

EXTENSION_KEY = "agora_cache"
VERSION_FILE = "content-version"
# The version file is replaced by a fresh one (a new inode, itself a new version)
# once it has grown this much, so it never grows without bound.
VERSION_FILE_ROTATE_AT = 64 * 1024

# Tables whose changes never show on a visitor's page: a commit touching only
# these does not invalidate anything.
PRIVATE_TABLES = frozenset({"search_outbox", "notifications", "subscriptions", "reports"})
# Columns of `users` that no page shows (logging in and out rotates the token).
PRIVATE_USER_COLUMNS = frozenset(
    {"password_hash", "session_token", "email", "timezone", "preferred_language"}
)

# Pages never served from or stored in the page cache, whatever they contain.
NEVER_CACHED_ENDPOINTS = frozenset(
    {
        "static",
        "main.healthz",
        "main.root",  # the language redirect depends on cookies and Accept-Language
        "auth.login",
        "auth.register",
        "auth.reset_request",
        "auth.reset_password",
        "auth.settings",
    }
)
CSRF_MARKER = b'name="csrf_token"'
CACHEABLE_TYPES = ("text/html", "application/xml", "application/atom+xml", "text/plain",
                   "application/json")
# Response headers that belong to one request, never to a stored page.
PER_REQUEST_HEADERS = frozenset(
    {"set-cookie", "x-request-id", "date", "content-length", "x-cache"}
)
SESSION_FLAG = "agora_content_changed"
# Pages stored only when asked for a second time within the TTL (as nginx's
# proxy_cache_min_uses 2): a search's address is as varied as its words, and one-off
# searches would fill a worker's memory store (32 MB at ~24 KB a page: 1,400 searches,
# a benchmark run) and push out the pages every visitor reads.
STORED_ON_SECOND_REQUEST = frozenset({"search.search"})
# How many such addresses a worker's memory store remembers having seen (~2 MB).
SEEN_MAX_KEYS = 8192


# -- storage -------------------------------------------------------------------------

class Backend(Protocol):
    def get_with_version(self, key: str) -> tuple[str, Any]: ...
    def set(self, key: str, value: Any, ttl: int) -> None: ...
    def version(self) -> str: ...
    def bump(self) -> None: ...
    def seen(self, key: str, ttl: int) -> bool: ...


class FileVersion:
    """The content version shared by the processes of one machine (see module doc)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def current(self) -> str:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            self._create()
            st = os.stat(self.path)
        return f"{st.st_ino}.{st.st_size}.{st.st_mtime_ns}"

    def bump(self) -> None:
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, b".")
            size = os.fstat(fd).st_size
        finally:
            os.close(fd)
        if size >= VERSION_FILE_ROTATE_AT:
            self._replace()

    def _create(self) -> None:
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:  # another worker was first
            return
        os.close(fd)

    def _replace(self) -> None:
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(b"")
        os.replace(tmp, self.path)


class MemoryBackend:
    """Per-process entries (bounded in bytes, oldest evicted), file-shared version."""

    def __init__(self, version_file: Path, max_bytes: int) -> None:
        self._version = FileVersion(version_file)
        self._entries: OrderedDict[str, tuple[float, Any, int]] = OrderedDict()
        self._bytes = 0
        self._max_bytes = max_bytes
        self._lock = threading.Lock()  # gthread workers share this dictionary
        self._seen: OrderedDict[str, float] = OrderedDict()  # key -> until when

    def version(self) -> str:
        return self._version.current()

    def bump(self) -> None:
        self._version.bump()

    def get_with_version(self, key: str) -> tuple[str, Any]:
        version = self._version.current()
        entry = self._entries.get(key)
        if entry is None:
            return version, None
        expires, value, _size = entry
        if expires < time.monotonic():
            return version, None
        return version, value

    def set(self, key: str, value: Any, ttl: int) -> None:
        size = _approximate_size(value)
        if size > self._max_bytes // 4:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[2]
            self._entries[key] = (time.monotonic() + ttl, value, size)
            self._bytes += size
            while self._bytes > self._max_bytes and self._entries:
                _key, (_exp, _value, old_size) = self._entries.popitem(last=False)
                self._bytes -= old_size

    def seen(self, key: str, ttl: int) -> bool:
        """Note a request for `key`; True if one was noted within `ttl` seconds before."""
        now = time.monotonic()
        with self._lock:
            until = self._seen.pop(key, None)
            self._seen[key] = now + ttl
            while len(self._seen) > SEEN_MAX_KEYS:
                self._seen.popitem(last=False)
        return until is not None and until >= now

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._seen.clear()
            self._bytes = 0


class RedisBackend:
    """Entries and version in Redis, shared by every worker on every machine."""

    def __init__(self, url: str, prefix: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._errors = (redis.RedisError, OSError)
        self.prefix = prefix
        self._version_key = f"{prefix}content-version"

    def version(self) -> str:
        try:
            raw = self._redis.get(self._version_key)
        except self._errors:
            log.warning("cache: Redis unreachable; not caching")
            return ""
        return (raw or b"0").decode()

    def bump(self) -> None:
        try:
            self._redis.incr(self._version_key)
        except self._errors:
            # Entries written under the old version could now be served stale:
            # the TTL bounds that, and the warning says why.
            log.exception("cache: could not bump the content version in Redis")

    def get_with_version(self, key: str) -> tuple[str, Any]:
        try:
            pipe = self._redis.pipeline(transaction=False)
            pipe.get(self._version_key)
            pipe.get(self.prefix + key)
            raw_version, raw_entry = pipe.execute()
        except self._errors:
            log.warning("cache: Redis unreachable; not caching")
            return "", None
        version = (raw_version or b"0").decode()
        if raw_entry is None:
            return version, None
        try:
            return version, pickle.loads(raw_entry)  # noqa: S301  (our own entries only)
        except Exception:  # noqa: BLE001  (an entry from an older release)
            return version, None

    def set(self, key: str, value: Any, ttl: int) -> None:
        try:
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001
            log.warning("cache: value for %s cannot be pickled; not cached", key)
            return
        try:
            self._redis.set(self.prefix + key, data, ex=ttl)
        except self._errors:
            log.warning("cache: Redis unreachable; not caching")

    def seen(self, key: str, ttl: int) -> bool:
        """Note a request for `key`; True if one was noted within `ttl` seconds before
        (by any worker on any machine)."""
        try:
            first = self._redis.set(f"{self.prefix}seen:{key}", b"1", ex=ttl, nx=True)
        except self._errors:
            log.warning("cache: Redis unreachable; not caching")
            return False
        return not first


def _approximate_size(value: Any) -> int:
    if isinstance(value, PageEntry):
        return len(value.body) + 200 * (len(value.headers) + 1)
    return 4096  # panels: small lists of dicts


# -- the cache object ----------------------------------------------------------------

class PageEntry:
    """A stored page: the version it was rendered at, status, headers, body."""

    __slots__ = ("version", "status", "headers", "body")

    def __init__(self, version: str, status: int, headers: list[tuple[str, str]],
                 body: bytes) -> None:
        self.version = version
        self.status = status
        self.headers = headers
        self.body = body

    def __getstate__(self) -> tuple:
        return (self.version, self.status, self.headers, self.body)

    def __setstate__(self, state: tuple) -> None:
        self.version, self.status, self.headers, self.body = state


class AgoraCache:
    def __init__(self, backend: Backend, *, page_enabled: bool, page_ttl: int,
                 panel_ttl: int) -> None:
        self.backend = backend
        self.page_enabled = page_enabled
        self.page_ttl = page_ttl
        self.panel_ttl = panel_ttl

    def version(self) -> str:
        return self.backend.version()

    def bump(self) -> None:
        self.backend.bump()

    def get_or_set(self, key: str, ttl: int | None, fn: Callable[[], T]) -> T:
        """A computed value, cached for `ttl` seconds and until content changes.

        `fn()` must return plain data (lists, dicts, strings, dataclasses), never
        ORM objects: with Redis the value is pickled, and in memory it outlives
        the database session that loaded it.
        """
        ttl = self.panel_ttl if ttl is None else ttl
        if ttl <= 0:
            return fn()
        version, stored = self.backend.get_with_version("panel:" + key)
        if stored is not None and stored[0] == version and version:
            return stored[1]
        value = fn()
        if version:
            self.backend.set("panel:" + key, (version, value), ttl)
        return value


def get_cache(app: Flask | None = None) -> AgoraCache:
    return (app or current_app).extensions[EXTENSION_KEY]


def get_or_set(key: str, ttl: int | None, fn: Callable[[], T]) -> T:
    """Panel cache for the current app: see AgoraCache.get_or_set."""
    return get_cache().get_or_set(key, ttl, fn)


def bump_content_version(app: Flask | None = None) -> None:
    """Invalidate every cached page and panel (e.g. after `flask backup restore`)."""
    get_cache(app).bump()


def viewer_variant() -> str:
    """What a panel's rendering depends on besides content: language and time zone."""
    return f"{current_lang()}:{select_timezone()}"


def skip_page_cache() -> None:
    """Call from a view whose page must never be shared, whatever it contains."""
    g.page_cache_skip = True


# -- the content version: SQLAlchemy session events --------------------------------

def _table_name(obj: Any) -> str:
    table = getattr(obj, "__table__", None)
    return table.name if table is not None else ""


def _changes_content(session: Session) -> bool:
    from sqlalchemy import inspect

    for obj in session.new:
        if _table_name(obj) not in PRIVATE_TABLES:
            return True
    for obj in session.deleted:
        if _table_name(obj) not in PRIVATE_TABLES:
            return True
    for obj in session.dirty:
        name = _table_name(obj)
        if name in PRIVATE_TABLES or not session.is_modified(obj):
            continue
        if name != "users":
            return True
        state = inspect(obj)
        changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
        if changed - PRIVATE_USER_COLUMNS:  # a name, bio, role or deactivation shows
            return True
    return False


def _before_flush(session: Session, _flush_context: Any, _instances: Any) -> None:
    if not session.info.get(SESSION_FLAG) and _changes_content(session):
        session.info[SESSION_FLAG] = True


def _do_orm_execute(state: Any) -> None:
    """Bulk INSERT/UPDATE/DELETE statements (counters, association tables) count too."""
    if state.session.info.get(SESSION_FLAG):
        return
    statement = state.statement
    if isinstance(statement, TextClause):
        verb = statement.text.lstrip()[:6].upper()
        if verb in ("INSERT", "UPDATE", "DELETE"):
            state.session.info[SESSION_FLAG] = True
        return
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(statement, "table", None)
    if getattr(table, "name", "") not in PRIVATE_TABLES:
        state.session.info[SESSION_FLAG] = True


def _after_commit(session: Session) -> None:
    if not session.info.pop(SESSION_FLAG, False):
        return
    if not has_app_context():
        return
    cache = current_app.extensions.get(EXTENSION_KEY)
    if cache is not None:
        cache.bump()


_listeners_installed = False


def _install_session_listeners() -> None:
    """Once per process: the listeners find the app's cache through current_app."""
    global _listeners_installed
    if _listeners_installed:
        return
    event.listen(Session, "before_flush", _before_flush)
    event.listen(Session, "do_orm_execute", _do_orm_execute)
    event.listen(Session, "after_commit", _after_commit)
    _listeners_installed = True


# -- the page cache: request hooks -------------------------------------------------

def _is_visitor(app: Flask) -> bool:
    """True for a request with no member behind it and nothing personal to show."""
    cookies = request.cookies
    if app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in cookies:
        return False
    if app.config.get("SESSION_COOKIE_NAME", "session") not in cookies:
        return True  # the common case: no cookie at all, no session to decode
    if "_user_id" in session or "_flashes" in session:
        return False
    from flask_login import current_user

    return not current_user.is_authenticated


def page_key(environ: dict[str, Any], host: str, lang: str, tz: str) -> str:
    """A visitor's page: method, language, time zone and the whole URL. Shared with
    the fast path in front of Flask (app/page_cache_fastpath.py)."""
    # Scheme and host too: pages carry absolute links (hreflang alternates, feeds).
    url = (f"{environ.get('wsgi.url_scheme')}://{host}{environ.get('SCRIPT_NAME', '')}"
           f"{environ.get('PATH_INFO', '')}?{environ.get('QUERY_STRING', '')}")
    raw = f"{environ.get('REQUEST_METHOD')}\n{lang}\n{tz}\n{url}"
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def _page_key() -> str:
    # The zone pages are rendered in, decided exactly as Babel will decide it (a junk
    # cookie renders in UTC, so it shares the UTC entry instead of adding one).
    tz = select_timezone() if TZ_COOKIE in request.cookies else "UTC"
    return page_key(request.environ, request.host, current_lang(), tz)


def _serve_cached() -> Response | None:
    app = current_app
    cache = get_cache(app)
    if not cache.page_enabled or request.method != "GET" or app.debug:
        return None  # (in debug mode, template edits must show on reload)
    if request.endpoint is None or request.endpoint in NEVER_CACHED_ENDPOINTS:
        return None
    if not _is_visitor(app):
        return None
    return serve_stored(_page_key())


# Pages being rendered by a thread of this process after a miss: key -> done.
_renders: dict[str, threading.Event] = {}
_renders_lock = threading.Lock()
# How long another thread waits for that render before rendering the page itself.
RENDER_WAIT_SECONDS = 5.0


def _wait_for_render(done: threading.Event) -> None:
    done.wait(RENDER_WAIT_SECONDS)


def _claim_render(key: str) -> bool:
    """True: this thread renders the page (and `_release_render` ends that). False:
    another thread of this process was rendering it; it has finished (or we waited
    long enough) when this returns.

    Without this, a threaded worker's threads that miss the same page at once all
    render it: after an expiry, four uncached searches one after the other behind
    the search lock, up to 3 s for the last (the benchmark's gthread run at 5x)."""
    with _renders_lock:
        done = _renders.get(key)
        if done is None:
            _renders[key] = threading.Event()
            g.page_cache_render = key
            return True
    _wait_for_render(done)
    return False


def _release_render(_exc: BaseException | None = None) -> None:
    key = g.pop("page_cache_render", None)
    if key is not None:
        with _renders_lock:
            done = _renders.pop(key, None)
        if done is not None:
            done.set()


def current_entry(cache: AgoraCache, key: str) -> tuple[str, PageEntry | None]:
    """The content version ("" when the store is unreachable) and the page stored
    under `key` if it was rendered at that version. Shared with the fast path in
    front of Flask (app/page_cache_fastpath.py)."""
    version, entry = cache.backend.get_with_version(key)
    if version and isinstance(entry, PageEntry) and entry.version == version:
        return version, entry
    return version, None


def _lookup(app: Flask, key: str) -> tuple[str | None, Response | None]:
    version, entry = current_entry(get_cache(app), key)
    if entry is not None:
        response = app.response_class(entry.body, status=entry.status, headers=entry.headers)
        response.headers["X-Cache"] = "HIT"
        g.page_cache_hit = True
        return version, response
    return version, None


def serve_stored(key: str) -> Response | None:
    """The page stored under `key` if it is current (a HIT); else None, remembering
    (key, version) in ``g.page_cache_slot`` so `store_page` can keep this render.
    Concurrent misses in one process render once; the others get that render.
    Shared by the visitors' cache and the member page cache (app/member_cache.py)."""
    app = current_app
    version, hit = _lookup(app, key)
    if not version:
        return None  # the store is unreachable: render normally
    if hit is None and not _claim_render(key):
        version, hit = _lookup(app, key)  # what the other thread rendered, if storable
        if not version:
            return None
    if hit is not None:
        return hit
    g.page_cache_slot = (key, version)
    return None


def store_page(app: Flask, response: Response, ttl: int) -> None:
    """Keep `response` under the slot `serve_stored` remembered, without the headers
    that belong to this one request (its cookies, id, date)."""
    key, version = g.page_cache_slot
    headers = [(k, v) for k, v in response.headers.items()
               if k.lower() not in PER_REQUEST_HEADERS]
    get_cache(app).backend.set(key, PageEntry(version, response.status_code, headers,
                                              response.get_data()), ttl)


def _mark_miss(response: Response) -> Response:
    if g.get("page_cache_slot") is not None:
        response.headers["X-Cache"] = "MISS"
    return response


def _storable(response: Response) -> bool:
    if response.status_code != 200 or response.is_streamed or response.direct_passthrough:
        return False
    if "Set-Cookie" in response.headers:
        return False
    if response.mimetype not in CACHEABLE_TYPES:
        return False
    cache_control = response.cache_control
    if cache_control.private or cache_control.no_store:
        return False
    if g.get("page_cache_skip"):
        return False
    if "_user_id" in session:  # logged in during this request
        return False
    return CSRF_MARKER not in response.get_data()


def _store_page(sender: Flask, response: Response, **_extra: Any) -> None:
    """After the session is saved (request_finished), so Set-Cookie is visible."""
    if g.get("page_cache_member") or g.get("page_cache_slot") is None:
        return  # nothing to keep, or a member's page (app/member_cache.py keeps those)
    if _storable(response) and _admitted(sender):
        store_page(sender, response, get_cache(sender).page_ttl)


def _admitted(app: Flask) -> bool:
    """False for the first request of a page stored only on its second (a search)."""
    if request.endpoint not in STORED_ON_SECOND_REQUEST:
        return True
    cache = get_cache(app)
    return cache.backend.seen(g.page_cache_slot[0], cache.page_ttl)


def init_cache(app: Flask) -> None:
    prefix = str(app.config.get("CACHE_KEY_PREFIX") or "agora:")
    backend: Backend
    if app.config.get("REDIS_URL"):
        backend = RedisBackend(app.config["REDIS_URL"], prefix)
    else:
        backend = MemoryBackend(
            Path(app.instance_path) / VERSION_FILE,
            int(app.config.get("PAGE_CACHE_MAX_BYTES") or 32 * 1024 * 1024),
        )
    app.extensions[EXTENSION_KEY] = AgoraCache(
        backend,
        page_enabled=bool(app.config.get("PAGE_CACHE_ENABLED")),
        page_ttl=int(app.config.get("PAGE_CACHE_TTL") or 300),
        panel_ttl=int(app.config.get("PANEL_CACHE_TTL", 60)),
    )
    _install_session_listeners()
    # Registered before the blueprints' hooks and after Flask-Limiter's, so rate
    # limits still apply and a hit skips everything else.
    app.before_request(_serve_cached)
    app.after_request(_mark_miss)
    request_finished.connect(_store_page, app, weak=False)
    # After request_finished (the page is stored by then), even when the view failed.
    app.teardown_request(_release_render)
