"""Fixtures for the security tests: a populated world per test.

On SQLite the world is built once per run into a template database and search index,
and each test gets a copy (building it costs ~1 s of SQL compilation per fresh engine).
On PostgreSQL it is built in every test, as the suite empties the tables after each.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.extensions import db
from tests.conftest import USING_PG, _password_hash, make_app
from tests.security.world import World, build_world


@pytest.fixture(scope="session")
def _world_template(tmp_path_factory, _schema) -> tuple[Path, World] | None:
    if USING_PG:
        return None
    folder = tmp_path_factory.mktemp("world")
    app = make_app(folder, _schema)
    with app.app_context():
        world = build_world(_password_hash())
        db.session.remove()
        db.engine.dispose()
    return folder / "instance", world


@pytest.fixture
def app(tmp_path, _world_template, app_factory):
    """The test's app, on a copy of the world (SQLite) or an empty database (PostgreSQL)."""
    if _world_template is not None:
        source, _world = _world_template
        target = tmp_path / "instance"
        target.mkdir(exist_ok=True)
        shutil.copy(source / "agora.db", target / "agora.db")
        shutil.copytree(source / "search-index", target / "search-index", symlinks=True)
    return app_factory()


@pytest.fixture
def world(app, ctx, _world_template) -> World:
    if _world_template is not None:
        return _world_template[1]
    return build_world(_password_hash())
