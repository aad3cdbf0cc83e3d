"""Migrations: empty -> heads -> base on the database under test, and models == migrations.

SQLite by default; with DATABASE_URL naming PostgreSQL, the round trip runs in a
scratch database on the same server (created and dropped here), so the suite's
shared database keeps its schema.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url

from app import create_app
from app.db_types import render_item
from app.extensions import db

PG_URL = os.environ.get("DATABASE_URL", "")
USING_PG = PG_URL.startswith("postgresql")


@pytest.fixture
def scratch_url(tmp_path) -> Iterator[str]:
    """An empty database of the kind under test."""
    if not USING_PG:
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    import psycopg

    server = make_url(PG_URL)
    admin = server.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"agora_migrations_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def scratch_app(tmp_path, scratch_url) -> Iterator[Flask]:
    # Not conftest's app_factory: its PostgreSQL clean-up empties the tables of the
    # first app it built, and this one's tables are gone by then.
    app = create_app({"TESTING": True, "ENV_NAME": "testing", "SECRET_KEY": "test-secret-key",
                      "INSTANCE_PATH": str(tmp_path / "scratch-instance"),
                      "SQLALCHEMY_DATABASE_URI": scratch_url})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _tables(app: Flask) -> set[str]:
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def _model_tables() -> set[str]:
    return {table.name for table in db.metadata.sorted_tables}


def test_migrations_upgrade_from_empty_and_downgrade_to_empty(scratch_app):
    assert _tables(scratch_app) == set()
    with scratch_app.app_context():
        upgrade(revision="heads")
        db.engine.dispose()
    assert _tables(scratch_app) == _model_tables()

    with scratch_app.app_context():
        downgrade(revision="base")
        db.engine.dispose()
    assert _tables(scratch_app) == set()

    # And up again: a downgrade that leaves debris (an index, a type) breaks this.
    with scratch_app.app_context():
        upgrade(revision="heads")
        db.engine.dispose()
    assert _tables(scratch_app) == _model_tables()


def test_models_and_migrations_agree(scratch_app):
    """What `flask db check` reports: autogenerate finds nothing to change.

    Alembic skips expression indexes (such as lower(username)); that one warning
    is expected and is the only thing not compared.
    """
    with scratch_app.app_context():
        upgrade(revision="heads")
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={
                "compare_type": True,
                "render_item": render_item,
            })
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=".*expression-based index")
                differences = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert differences == [], "models and migrations differ: ship a migration"


def test_flask_db_command_upgrades_and_reports_the_head(scratch_app):
    """`flask db ...` sets Flask-Migrate up on first use (create_app() no longer does)."""
    runner = scratch_app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade", "heads"])
    assert result.exit_code == 0, result.output
    assert _tables(scratch_app) == _model_tables()
    result = runner.invoke(args=["db", "downgrade", "base"])
    assert result.exit_code == 0, result.output
    assert _tables(scratch_app) == set()
    with scratch_app.app_context():
        db.engine.dispose()


LAZY_AT_START = ("alembic", "flask_migrate", "zxcvbn", "icalendar")


def test_start_up_leaves_migration_and_rarely_used_libraries_unimported(tmp_path):
    """Every worker imports the app: Alembic alone was ~40% of `import app`."""
    probe = ("import sys, app; app.create_app(); "
             f"print(sorted(m for m in {LAZY_AT_START!r} if m in sys.modules))")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["AGORA_INSTANCE_PATH"] = str(tmp_path / "instance")
    out = subprocess.run([sys.executable, "-c", probe], cwd=Path(__file__).parents[2], env=env,
                         capture_output=True, text=True, check=True, timeout=120)
    assert out.stdout.strip() == "[]"
