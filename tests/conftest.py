"""Shared fixtures: an app per test with its own instance folder, database and index.

SQLite (default): the schema is built once per run with `flask db upgrade` into a
template file, and each test gets a copy. PostgreSQL (DATABASE_URL set): the schema
is upgraded once, and every table is emptied after each test.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.globals import _cv_app
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from app.auth.models import User
from app.extensions import db

PG_URL = os.environ.get("DATABASE_URL", "")
USING_PG = PG_URL.startswith("postgresql")

BASE_CONFIG = {
    "TESTING": True,
    "ENV_NAME": "testing",
    "SECRET_KEY": "test-secret-key",
    "WTF_CSRF_ENABLED": False,
    "RATELIMIT_ENABLED": False,
    "PAGE_CACHE_ENABLED": False,
    "SERVER_NAME": "localhost",
}


@pytest.fixture(scope="session")
def _schema(tmp_path_factory) -> str:
    """Run the migrations once; give back the template SQLite file (or '' on PostgreSQL)."""
    folder = tmp_path_factory.mktemp("schema")
    config = dict(BASE_CONFIG, INSTANCE_PATH=str(folder))
    if not USING_PG:
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{folder / 'template.db'}"
    app = create_app(config)
    with app.app_context():
        if USING_PG:
            db.session.execute(text("DROP SCHEMA public CASCADE"))
            db.session.execute(text("CREATE SCHEMA public"))
            db.session.commit()
        upgrade(revision="heads")
        db.engine.dispose()
    return "" if USING_PG else str(folder / "template.db")


class IsolatedClient(FlaskClient):
    """Each request gets its own app context, as under a real server.

    Without this, a request made while the `ctx` fixture's context is pushed would
    reuse it: `g` (and Flask-Login's cached user) and the database session would
    leak between requests and the test body. After the request, the test body's
    session is expired so it reads what the request committed.
    """

    def open(self, *args, **kwargs):
        outer = _cv_app.get(None)
        if outer is None:
            return super().open(*args, **kwargs)
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)
            db.session.expire_all()


def make_app(tmp_path: Path, schema: str, **overrides) -> Flask:
    instance = tmp_path / "instance"
    instance.mkdir(exist_ok=True)
    config = dict(BASE_CONFIG, INSTANCE_PATH=str(instance))
    if not USING_PG:
        target = instance / "agora.db"
        if not target.exists():
            shutil.copy(schema, target)
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{target}"
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = IsolatedClient
    return app


def _empty_tables(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        db.session.commit()
        db.engine.dispose()


@pytest.fixture
def app_factory(tmp_path, _schema):
    """Build an app with extra config; every app built is cleaned up after the test."""
    built: list[Flask] = []

    def build(**overrides) -> Flask:
        app = make_app(tmp_path, _schema, **overrides)
        built.append(app)
        return app

    yield build
    for app in built:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    if USING_PG and built:
        # The first app that reaches the database empties it (a test may build an
        # app pointed at an unreachable server on purpose).
        for app in built:
            try:
                _empty_tables(app)
                break
            except Exception:  # noqa: BLE001, S112
                continue


@pytest.fixture
def app(app_factory) -> Flask:
    return app_factory()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def ctx(app):
    """An app context for the test body (factories and direct service calls)."""
    with app.app_context():
        yield
        db.session.remove()


# A real scrypt hash, computed once: hashing per factory call would slow every test.
TEST_PASSWORD = "correct-Horse-battery-9"
_HASH: dict[str, str] = {}


@pytest.fixture
def gunicorn_config():
    """gunicorn.conf.py's settings and hooks, as gunicorn loads them. post_worker_init
    freezes the collector's objects: they are given back after the test."""
    import gc
    import runpy

    yield runpy.run_path(str(Path(__file__).resolve().parents[1] / "gunicorn.conf.py"))
    gc.unfreeze()


def _password_hash() -> str:
    if "h" not in _HASH:
        from werkzeug.security import generate_password_hash

        _HASH["h"] = generate_password_hash(TEST_PASSWORD, method="scrypt")
    return _HASH["h"]


@pytest.fixture
def make_user(ctx):
    """make_user('anna', role='moderator') -> a committed User (password TEST_PASSWORD)."""
    counter = {"n": 0}

    def make(username: str | None = None, **fields) -> User:
        counter["n"] += 1
        username = username or f"member{counter['n']}"
        fields.setdefault("email", f"{username.lower()}@example.org")
        fields.setdefault("preferred_language", "en")
        user = User(username=username, password_hash=_password_hash(), **fields)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def login(client):
    """login(user): the test client is now that member (no form round trip)."""

    def do(user: User, c=None) -> None:
        target = c or client
        with target.session_transaction() as session:
            session["_user_id"] = user.session_token
            session["_fresh"] = True

    return do
