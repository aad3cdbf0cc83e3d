"""`flask backup create|restore`: a round trip on the SQLite default."""

from __future__ import annotations

import os
import sqlite3
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.backup import database_path
from app.extensions import db

USING_PG = os.environ.get("DATABASE_URL", "").startswith("postgresql")
sqlite_only = pytest.mark.skipif(USING_PG, reason="SQLite backups; PostgreSQL uses pg_dump")


def _usernames() -> set[str]:
    db.session.remove()
    return set(db.session.scalars(select(User.username)))


def _run(app, *args: str):
    result = app.test_cli_runner().invoke(args=["backup", *args])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result


@sqlite_only
def test_backup_and_restore_round_trip(app, ctx, make_user, tmp_path):
    make_user("keeper", bio="Here before the backup")
    secret_file = Path(app.instance_path) / "secret_key"
    secret_file.write_text("the-secret-at-backup-time")

    result = _run(app, "create", str(tmp_path / "backups"))
    [archive] = (tmp_path / "backups").glob("agora-backup-*.tar.gz")
    assert str(archive) in result.output
    with tarfile.open(archive) as tar:
        assert {"agora.db", "manifest.json", "instance/secret_key"} <= set(tar.getnames())
    assert oct(archive.stat().st_mode & 0o777) == "0o600"

    keeper = db.session.scalar(select(User).where(User.username == "keeper"))
    db.session.delete(keeper)
    db.session.commit()
    make_user("intruder")
    secret_file.write_text("changed-after-the-backup")
    assert _usernames() == {"intruder"}

    result = _run(app, "restore", "--yes", str(archive))
    assert "Database restored" in result.output
    assert "Search index:" in result.output
    assert _usernames() == {"keeper"}
    assert db.session.scalar(select(User.bio)) == "Here before the backup"
    assert secret_file.read_text() == "the-secret-at-backup-time"


@sqlite_only
def test_a_backup_is_consistent_while_a_writer_is_busy(app, ctx, make_user, tmp_path):
    """The online backup copies committed data only, without stopping the site."""
    make_user("committed")
    writer = sqlite3.connect(database_path(app), timeout=5)
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE users SET bio = 'uncommitted' WHERE username = 'committed'")
        _run(app, "create", str(tmp_path))
    finally:
        writer.rollback()
        writer.close()
    [archive] = tmp_path.glob("agora-backup-*.tar.gz")
    with tarfile.open(archive) as tar:
        tar.extract("agora.db", tmp_path / "out", filter="data")
    copy = sqlite3.connect(tmp_path / "out" / "agora.db")
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT username, bio FROM users").fetchall() == [("committed", "")]
    finally:
        copy.close()


@sqlite_only
def test_restore_invalidates_cached_pages(app_factory, tmp_path):
    app = app_factory(PAGE_CACHE_ENABLED=True)
    client = app.test_client()
    _run(app, "create", str(tmp_path))
    [archive] = tmp_path.glob("agora-backup-*.tar.gz")
    client.get("/en/")
    assert client.get("/en/").headers["X-Cache"] == "HIT"
    _run(app, "restore", "--yes", "--no-instance-files", str(archive))
    assert client.get("/en/").headers["X-Cache"] == "MISS"


@sqlite_only
def test_restore_refuses_a_file_that_is_not_a_backup(app, tmp_path):
    junk = tmp_path / "notes.txt"
    junk.write_text("not a backup")
    result = app.test_cli_runner().invoke(args=["backup", "restore", "--yes", str(junk)])
    assert result.exit_code != 0
    assert "neither a backup folder nor a backup tarball" in result.output


def test_postgresql_gets_the_pg_dump_commands(app, app_factory):
    app = app_factory(SQLALCHEMY_DATABASE_URI="postgresql+psycopg://agora@db.internal/agora")
    result = app.test_cli_runner().invoke(args=["backup", "create"])
    assert result.exit_code == 2  # nothing was written: a script must not take it for a backup
    assert "pg_dump --format=custom" in result.output
    assert "postgresql://agora@db.internal/agora" in result.output
    assert "pg_restore" in result.output
