"""The only door into search for the rest of the app (engine-independent).

Other areas call these functions and nothing else in `app.search`: swapping Whoosh
for another engine means rewriting what is behind them, not the blueprints.
Indexing normally needs no call at all: the outbox records every change to
articles, versions, discussions, comments and member names in the same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from flask import Flask, current_app

from app.search.outbox import DrainResult, drain, index_root
from app.search.rebuild import LIMIT_MB, CheckReport, RebuildResult
from app.search.searching import Filters, SearchPage, run_search


def search(
    q: str, *, page: int = 1, lang: str = "en", filters: Filters | None = None
) -> SearchPage:
    """One page of visible, highlighted results (a malformed query never raises)."""
    return run_search(current_app, q, filters or Filters(), page, lang)


def index(kind: str, item_id: int) -> None:
    """Queue an item (article | discussion | comment) for re-indexing from the database.

    Only needed for changes made outside the ORM session (bulk UPDATE statements).
    """
    _enqueue(kind, item_id, "upsert")


def delete(kind: str, item_id: int) -> None:
    """Queue an item's removal; the drain removes whatever the database no longer shows."""
    _enqueue(kind, item_id, "delete")


def _enqueue(kind: str, item_id: int, op: str) -> None:
    from sqlalchemy import insert

    from app.db_types import utcnow
    from app.extensions import db
    from app.search.outbox import OUTBOX

    # On the request's session: the row commits (or rolls back) with the caller's change.
    db.session.execute(
        insert(OUTBOX).values(kind=kind, key=str(item_id), op=op, created_at=utcnow())
    )
    db.session.info["agora_search_outbox_written"] = True


def sync(wait: float = 0.0) -> DrainResult:
    """Drain the outbox completely (waiting up to `wait` s for the index lock)."""
    return drain(current_app, budget=None, wait=wait)


def rebuild(
    progress: Callable[[int], AbstractContextManager[Any]] | None = None,
    procs: int | None = None,
    limitmb: int = LIMIT_MB,
) -> RebuildResult:
    from app.search.rebuild import rebuild as run

    return run(current_app, progress=progress, procs=procs, limitmb=limitmb)


def check() -> CheckReport:
    from app.search.rebuild import check as run

    return run(current_app)


def health() -> str:
    """"ok", or a short reason the index cannot be searched (for /healthz)."""
    try:
        from app.search.store import searcher_slot

        slot = searcher_slot(index_root(current_app))
        slot.searcher.doc_count()
    except Exception as exc:  # noqa: BLE001  (any failure means "down")
        return f"error: {type(exc).__name__}"
    return "ok"


def warm_up(app: Flask) -> bool:
    """Open this process's searcher now, if there is an index (gunicorn's post_worker_init).
    Never raises: a worker must start whatever state the index is in."""
    from app.search.store import current_dir, searcher_slot

    try:
        root = index_root(app)
        if current_dir(root) is None:
            return False
        searcher_slot(root)
    except Exception:  # noqa: BLE001
        logging.getLogger("agora.search").exception("could not open the search index early")
        return False
    return True


__all__ = ["Filters", "SearchPage", "check", "delete", "health", "index", "rebuild", "search",
           "sync", "warm_up"]
