"""A separate process for the search tests (run with subprocess, never imported by pytest).

    python search_worker.py hold-lock <instance> <db-uri> <seconds>
    python search_worker.py write <instance> <db-uri> <count> <word>
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def make_app(instance: str, uri: str):  # noqa: ANN201
    from app import create_app

    return create_app({
        "TESTING": True, "ENV_NAME": "testing", "SECRET_KEY": "test-secret-key",
        "INSTANCE_PATH": instance, "SQLALCHEMY_DATABASE_URI": uri,
        "SEARCH_SYNC_INTERVAL": 3600.0,
    })


def hold_lock(instance: str, uri: str, seconds: str) -> None:
    app = make_app(instance, uri)
    from app.search.store import IndexLock

    lock = IndexLock(Path(app.config["SEARCH_INDEX_DIR"]))
    assert lock.acquire()
    print("locked", flush=True)
    time.sleep(float(seconds))
    lock.release()


def write(instance: str, uri: str, count: str, word: str) -> None:
    app = make_app(instance, uri)
    from sqlalchemy import select

    from app.auth.models import User
    from app.discussions.models import Discussion
    from app.extensions import db

    slowest = 0.0
    with app.app_context():
        author_id = db.session.scalar(select(User.id).order_by(User.id).limit(1))
        for i in range(int(count)):
            db.session.add(Discussion(
                author_id=author_id, language="en", title=f"{word} number {i}", slug="x",
                body_html=f"<p>{word} {word}{i} body</p>",
            ))
            started = time.monotonic()
            db.session.commit()  # the drain runs inside, after the commit
            slowest = max(slowest, time.monotonic() - started)
    print(f"slowest {slowest:.3f}", flush=True)


if __name__ == "__main__":
    action, *args = sys.argv[1:]
    {"hold-lock": hold_lock, "write": write}[action](*args)
