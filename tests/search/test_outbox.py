"""The outbox: written in the writer's transaction, drained without waiting, never lost."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from app.discussions.models import Discussion
from app.extensions import db
from app.search import facade
from app.search.models import SearchOutbox
from app.search.outbox import drain

WORKER = str(Path(__file__).with_name("search_worker.py"))


def outbox_count() -> int:
    return db.session.scalar(select(func.count(SearchOutbox.id))) or 0


def other_connection_count(app) -> int:
    with db.engine.connect() as conn:
        return conn.execute(text("SELECT count(*) FROM search_outbox")).scalar_one()


def test_outbox_row_is_written_inside_the_transaction(author, app, find):
    d = Discussion(author_id=author.id, language="en", title="Tandem language", slug="t")
    db.session.add(d)
    db.session.flush()
    rows = db.session.execute(select(SearchOutbox.kind, SearchOutbox.key)).all()
    assert rows == [("discussion", str(d.id))]  # same transaction sees it...
    assert other_connection_count(app) == 0  # ...nobody else does yet
    db.session.commit()
    assert outbox_count() == 0  # drained after the commit
    assert find("tandem") == [f"discussion:{d.id}"]


def test_rollback_leaves_no_outbox_row(author, find):
    d = Discussion(author_id=author.id, language="en", title="Rolled back idea", slug="r")
    db.session.add(d)
    db.session.flush()
    assert outbox_count() == 1
    db.session.rollback()
    assert outbox_count() == 0
    assert find("rolled") == []


def _start_holder(app, seconds: float) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, WORKER, "hold-lock", app.instance_path,
         app.config["SQLALCHEMY_DATABASE_URI"], str(seconds)],
        stdout=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def test_drain_returns_at_once_while_another_process_holds_the_lock(author, app, find):
    holder = _start_holder(app, 30)
    try:
        d = Discussion(author_id=author.id, language="en", title="Lockstep dancing", slug="l")
        db.session.add(d)
        started = time.monotonic()
        db.session.commit()  # tries to drain, finds the lock taken, moves on
        # Generous: this includes SQLite's fsync on a machine shared with other test runs.
        assert time.monotonic() - started < 3.0
        assert outbox_count() == 1
        started = time.monotonic()
        result = drain(app)
        assert result.locked_out and result.processed == 0
        assert time.monotonic() - started < 0.5
        assert find("lockstep") == []
    finally:
        holder.kill()  # SIGKILL: the kernel releases its fcntl lock
        holder.wait()
    result = drain(app)
    assert not result.locked_out and result.processed == 1
    assert outbox_count() == 0
    assert find("lockstep") == [f"discussion:{d.id}"]


def test_a_later_request_drains_leftovers(author, app, client):
    app.config["SEARCH_SYNC_INTERVAL"] = 0.0
    holder = _start_holder(app, 30)
    try:
        db.session.add(Discussion(author_id=author.id, language="en", title="Leftover", slug="x"))
        db.session.commit()
        assert outbox_count() == 1
    finally:
        holder.kill()
        holder.wait()
    client.get("/en/search?q=anything")  # teardown: cheap check, then drain
    assert outbox_count() == 0
    assert "Leftover" in client.get("/en/search?q=leftover").get_data(as_text=True)


@pytest.mark.slow
def test_several_processes_writing_at_once_lose_nothing(author, app, find):
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    words = ["alpha", "bravo", "charlie"]
    per_process = 12
    procs = [
        subprocess.Popen([sys.executable, WORKER, "write", app.instance_path, uri,
                          str(per_process), word], stdout=subprocess.PIPE, text=True)
        for word in words
    ]
    outputs = [p.communicate(timeout=240)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    # No commit waited long on the index (SQLite's own write lock is the only queue).
    assert all(float(o.split()[-1]) < 5.0 for o in outputs), outputs
    # The last process to release the lock looked again: nothing was left behind.
    assert outbox_count() == 0
    for word in words:
        page = facade.search(word, lang="en")
        assert page.total == per_process, (word, page.total)
    assert facade.check().ok
