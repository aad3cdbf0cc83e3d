"""The transactional outbox: record changes in the writer's transaction, index after commit.

1. `after_flush` writes `search_outbox` rows through the flushing session's own
   connection, so they commit or roll back together with the change.
2. `after_commit` tries the index write lock *without waiting* and drains: rows are
   read in a separate session, their documents rebuilt from the database (the
   source of truth), the index committed, and only then the rows deleted by id.
   A crash anywhere leaves the rows for the next drain; re-indexing is idempotent.
3. If another process holds the lock, the rows wait for it (it re-checks before
   letting go), for the next request's throttled check, or for `flask search sync`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import delete, event, insert, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.articles.models import Article, ArticleTheme, ArticleTranslation
from app.auth.models import User
from app.comments.models import Comment
from app.db_types import utcnow
from app.discussions.models import Discussion
from app.extensions import db
from app.search import documents
from app.search.models import SearchOutbox
from app.search.store import IndexLock, open_index

log = logging.getLogger("agora.search")

OUTBOX = SearchOutbox.__table__
# Changes to these attributes affect the item's comments too (visibility, language).
_ARTICLE_TREE_ATTRS = ("status", "hidden_at", "original_language")
_DISCUSSION_TREE_ATTRS = ("hidden_at", "language")
_USER_ATTRS = ("display_name", "username", "deleted_at")
FLAG = "agora_search_outbox_written"


def index_root(app: Flask) -> Path:
    return Path(app.config["SEARCH_INDEX_DIR"])


def search_enabled(app: Flask) -> bool:
    return bool(app.config.get("SEARCH_ENABLED", True))


# -- 1. recording --------------------------------------------------------------------

def _changed(obj: Any, names: tuple[str, ...]) -> bool:
    attrs = inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in names)


def _entries(obj: Any, state: str) -> set[tuple[str, str, str]]:
    """(kind, key, op) rows for one flushed object; state is new | dirty | deleted."""
    deleted = state == "deleted"
    if isinstance(obj, Article):
        tree = deleted or (state == "dirty" and _changed(obj, _ARTICLE_TREE_ATTRS))
        return {("article", str(obj.id), "tree" if tree else "upsert")}
    if isinstance(obj, (ArticleTranslation, ArticleTheme)):
        return {("article", str(obj.article_id), "upsert")} if obj.article_id else set()
    if isinstance(obj, Discussion):
        tree = deleted or (state == "dirty" and _changed(obj, _DISCUSSION_TREE_ATTRS))
        return {("discussion", str(obj.id), "tree" if tree else "upsert")}
    if isinstance(obj, Comment):
        return {("comment", str(obj.id), "delete" if deleted else "upsert")}
    if isinstance(obj, User) and state == "dirty" and _changed(obj, _USER_ATTRS):
        return {("user", str(obj.id), "upsert")}
    return set()


def _after_flush(session: Session, _flush_context: Any) -> None:
    if not has_app_context() or not search_enabled(current_app):
        return
    entries: set[tuple[str, str, str]] = set()
    for obj in session.new:
        entries |= _entries(obj, "new")
    for obj in session.dirty:
        if session.is_modified(obj, include_collections=True):
            entries |= _entries(obj, "dirty")
    for obj in session.deleted:
        entries |= _entries(obj, "deleted")
    if not entries:
        return
    now = utcnow()
    # Core insert on the flushing connection: same transaction, no new ORM objects mid-flush.
    session.connection().execute(
        insert(OUTBOX),
        [{"kind": k, "key": key, "op": op, "created_at": now} for k, key, op in sorted(entries)],
    )
    session.info[FLAG] = True


def _after_commit(session: Session) -> None:
    if not session.info.pop(FLAG, False) or not has_app_context():
        return
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not search_enabled(app):
        return
    drain_quietly(app, budget=app.config.get("SEARCH_DRAIN_BUDGET", 0.5))


_registered = False


def register_listeners() -> None:
    """Listen on Flask-SQLAlchemy's session class once per process (not per app).

    The drain's own sessions are plain SQLAlchemy sessions, so they never re-enter here.
    """
    global _registered
    if _registered:
        return
    from flask_sqlalchemy.session import Session as FlaskSession

    event.listen(FlaskSession, "after_flush", _after_flush)
    event.listen(FlaskSession, "after_commit", _after_commit)
    _registered = True


# -- 2. draining ---------------------------------------------------------------------

@dataclass
class DrainResult:
    locked_out: bool = False  # another process holds the index lock
    processed: int = 0  # outbox rows handled
    remaining: bool = False  # stopped by the time budget with rows left
    errors: list[str] = field(default_factory=list)


@dataclass
class _Plan:
    delete_terms: list[tuple[str, str]] = field(default_factory=list)
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)


def plan_updates(session: Session, entries: list[tuple[str, str, str]]) -> _Plan:
    """Which index terms to delete and which documents to (re)add for these outbox rows."""
    ids: dict[str, set[int]] = {k: set() for k in ("article", "discussion", "comment", "user")}
    trees: dict[str, set[int]] = {"article": set(), "discussion": set()}
    for kind, key, op in entries:
        if kind not in ids or not key.isdigit():
            continue
        ids[kind].add(int(key))
        if op == "tree" and kind in trees:
            trees[kind].add(int(key))
    if ids["user"]:
        for kind, found in documents.items_by_author(session, ids["user"]).items():
            ids[kind].update(found)

    plan = _Plan()
    plan.delete_terms += [("group", f"article:{i}") for i in sorted(ids["article"])]
    plan.delete_terms += [("id", f"discussion:{i}") for i in sorted(ids["discussion"])]
    plan.delete_terms += [("id", f"comment:{i}") for i in sorted(ids["comment"])]
    for kind in ("article", "discussion"):
        plan.delete_terms += [("parent", f"{kind}:{i}") for i in sorted(trees[kind])]

    for docs in documents.article_docs(session, ids["article"]).values():
        plan.docs.update((d["id"], d) for d in docs)
    for found in (
        documents.discussion_docs(session, ids["discussion"]),
        documents.comment_docs(session, ids["comment"]),
        documents.comment_docs_under(session, trees["article"], trees["discussion"]),
    ):
        plan.docs.update((d["id"], d) for d in found.values())
    return plan


def _abandon(writer: Any) -> None:
    """Cancel a failed writer and, whatever cancel() does, let go of Whoosh's lock.

    Whoosh's cancel() can itself raise after a half-done commit, which would leave
    the WRITELOCK held by this process for good.
    """
    try:
        writer.cancel()
    except Exception:  # noqa: BLE001
        log.exception("search: cancelling a failed index writer failed")
    lock = getattr(writer, "writelock", None)
    if lock is not None and getattr(lock, "locked", False):
        try:
            lock.release()
        except Exception:  # noqa: BLE001
            log.exception("search: releasing the index write lock failed")
    writer.is_closed = True


def _drain_locked(
    engine: Engine, root: Path, deadline: float | None, batch_size: int
) -> tuple[int, bool]:
    """Drain while holding the lock: (rows processed, stopped by the deadline with rows left)."""
    ix = open_index(root, have_lock=True)
    processed = 0
    while True:
        with Session(engine) as session:
            rows = session.execute(
                select(OUTBOX.c.id, OUTBOX.c.kind, OUTBOX.c.key, OUTBOX.c.op)
                .order_by(OUTBOX.c.id).limit(batch_size)
            ).all()
            if not rows:
                return processed, False
            plan = plan_updates(session, [(r.kind, r.key, r.op) for r in rows])
        # Whoosh's own lock inside the directory is free: writers all hold ours first.
        writer = ix.writer(timeout=0.5)
        try:
            for fieldname, text in plan.delete_terms:
                writer.delete_by_term(fieldname, text)
            for doc in plan.docs.values():
                writer.add_document(**doc)
            # Inside the try: a failed commit must release Whoosh's WRITELOCK too, or
            # every later drain in this process waits for it on every request.
            writer.commit()
        except BaseException:
            _abandon(writer)
            raise
        # Only now, with the index committed, are the rows done: a crash before this
        # line leaves them for the next drain (re-indexing twice is harmless).
        with Session(engine) as session:
            session.execute(delete(OUTBOX).where(OUTBOX.c.id.in_([r.id for r in rows])))
            session.commit()
        processed += len(rows)
        if deadline is not None and time.monotonic() > deadline:
            return processed, True


def outbox_pending(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.execute(select(OUTBOX.c.id).limit(1)).first() is not None


def drain(
    app: Flask, *, budget: float | None = 0.5, wait: float = 0.0, batch_size: int = 100
) -> DrainResult:
    """Index what the outbox lists if the write lock is free (or frees within `wait` s).

    `budget` bounds the time spent (None: until empty). After letting the lock go, the
    outbox is checked again: a writer that committed while we held the lock could not
    drain and is counting on us. The last process to release the lock always looks.
    """
    root = index_root(app)
    engine = db.engine
    deadline = None if budget is None else time.monotonic() + budget
    result = DrainResult()
    first = True
    while True:
        lock = IndexLock(root)
        if not lock.acquire(timeout=wait if first else 0.0):
            result.locked_out = first  # later: the holder re-checks after us
            break
        try:
            done, result.remaining = _drain_locked(engine, root, deadline, batch_size)
            result.processed += done
        finally:
            lock.release()
        first = False
        if result.remaining or not outbox_pending(engine):
            break
        if deadline is not None and time.monotonic() > deadline:
            result.remaining = True
            break
    if result.processed:
        _expire_cached_pages(app)
    return result


def _expire_cached_pages(app: Flask) -> None:
    """A search page cached before this drain may show a miss for what it just indexed:
    the content's own commit expired the cache before the index had it."""
    from app.cache import EXTENSION_KEY, bump_content_version

    if EXTENSION_KEY in app.extensions:
        try:
            bump_content_version(app)
        except Exception:  # noqa: BLE001  (a cache problem must not fail the drain)
            log.exception("could not expire cached pages after indexing")


def drain_quietly(app: Flask, budget: float | None = 0.5) -> DrainResult | None:
    """Drain for a request: never raises, never waits for the lock."""
    try:
        return drain(app, budget=budget)
    except Exception:  # noqa: BLE001  (the index must never break a request)
        log.exception("search outbox drain failed; rows stay for the next drain")
        return None


# -- 3. the throttled request check ----------------------------------------------------

_last_check = {"at": 0.0}


def maybe_drain_on_teardown(app: Flask) -> None:
    """At most every SEARCH_SYNC_INTERVAL seconds per process: drain leftovers, if any."""
    interval = float(app.config.get("SEARCH_SYNC_INTERVAL", 2.0))
    now = time.monotonic()
    if now - _last_check["at"] < interval:
        return
    _last_check["at"] = now
    try:
        if outbox_pending(db.engine):
            drain(app, budget=0.3)
    except Exception:  # noqa: BLE001
        log.exception("search outbox check failed")
