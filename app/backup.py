"""`flask backup create|restore`: the SQLite database and the instance files that matter.

A backup is one ``agora-backup-<UTC time>.tar.gz`` holding:

* ``agora.db``  a consistent copy of the live database, taken with SQLite's
  online backup API (other workers keep reading and writing meanwhile);
* ``instance/`` the files a restored site needs besides the database:
  ``secret_key`` (sessions and reset links stay valid) and ``config.py``;
* ``manifest.json`` when and from which schema revision it was taken.

The search index is not backed up: it is rebuilt from the database after a
restore (the database is the source of truth). PostgreSQL sites back up with
pg_dump; the commands print the right invocation.
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy.engine import make_url

log = logging.getLogger("agora.backup")

backup_cli = AppGroup("backup", help="Back up and restore the database and instance files.")

INSTANCE_FILES = ("secret_key", "config.py")
DB_MEMBER = "agora.db"
MANIFEST = "manifest.json"
PG_NOT_PERFORMED = 2  # exit status: nothing was written, the commands were printed


class BackupError(click.ClickException):
    pass


# -- helpers -------------------------------------------------------------------------

def database_path(app: Flask) -> Path | None:
    """The SQLite file behind the app, or None for another database."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _pg_commands(app: Flask, target: str) -> list[str]:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).set(drivername="postgresql")
    plain = url.render_as_string(hide_password=True)
    return [
        "PostgreSQL: back up with pg_dump (custom format), restore with pg_restore:",
        f"  pg_dump --format=custom --no-owner --dbname='{plain}' --file={target}",
        f"  pg_restore --clean --if-exists --no-owner --dbname='{plain}' {target}",
        "  flask --app app search rebuild      # after a restore: the index follows the database",
        "and copy the instance folder (secret_key, config.py) beside the dump.",
    ]


def _schema_revisions(db_file: Path) -> list[str]:
    try:
        with sqlite3.connect(f"file:{db_file}?mode=ro", uri=True) as conn:
            return sorted(row[0] for row in conn.execute("SELECT version_num FROM alembic_version"))
    except sqlite3.Error:
        return []


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (online backup API, page by page)."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=30)
    try:
        dst = sqlite3.connect(target, timeout=30)
        try:
            src.backup(dst, pages=1024)
        finally:
            dst.close()
    finally:
        src.close()


# -- create ---------------------------------------------------------------------------

def create_backup(app: Flask, destination: Path | None = None) -> Path:
    """Write a backup tarball; `destination` is a folder (default <instance>/backups)."""
    db_file = database_path(app)
    if db_file is None:
        raise BackupError("not an SQLite database")
    if not db_file.exists():
        raise BackupError(f"no database at {db_file}")
    folder = Path(destination) if destination else Path(app.instance_path) / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = folder / f"agora-backup-{stamp}.tar.gz"
    with tempfile.TemporaryDirectory(prefix="agora-backup-") as work:
        work_dir = Path(work)
        copy_sqlite(db_file, work_dir / DB_MEMBER)
        manifest = {
            "created_at": datetime.now(UTC).isoformat(),
            "schema_revisions": _schema_revisions(work_dir / DB_MEMBER),
            "instance_files": [],
        }
        partial = target.with_suffix(".partial")
        with tarfile.open(partial, "w:gz") as tar:
            tar.add(work_dir / DB_MEMBER, arcname=DB_MEMBER)
            for name in INSTANCE_FILES:
                path = Path(app.instance_path) / name
                if path.is_file():
                    tar.add(path, arcname=f"instance/{name}")
                    manifest["instance_files"].append(name)
            (work_dir / MANIFEST).write_text(json.dumps(manifest, indent=2))
            tar.add(work_dir / MANIFEST, arcname=MANIFEST)
        # Renamed only once complete: a crash never leaves a truncated "backup".
        partial.rename(target)
    target.chmod(0o600)  # it holds the secret key and every member's data
    return target


# -- restore --------------------------------------------------------------------------

def _unpack(archive: Path, into: Path) -> Path:
    """The backup's folder: a tarball is extracted; a folder is used as it is."""
    if archive.is_dir():
        return archive
    if not tarfile.is_tarfile(archive):
        raise BackupError(f"{archive} is neither a backup folder nor a backup tarball")
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")  # refuses absolute paths and ../ tricks
    return into


def restore_backup(app: Flask, archive: Path, *, instance_files: bool = True) -> dict:
    """Replace the database (and instance files) with the backup's; rebuild the index."""
    db_file = database_path(app)
    if db_file is None:
        raise BackupError("not an SQLite database")
    with tempfile.TemporaryDirectory(prefix="agora-restore-") as work:
        folder = _unpack(Path(archive), Path(work))
        source = folder / DB_MEMBER
        if not source.is_file():
            raise BackupError(f"{archive} holds no {DB_MEMBER}")
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as check:
            if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{archive}: the database copy is damaged")
        _release_connections(app)
        db_file.parent.mkdir(parents=True, exist_ok=True)
        # The backup API writes into the live file, under SQLite's own locks: any
        # worker still connected sees the restored data on its next query (a file
        # swapped underneath would leave them reading the old, unlinked inode).
        copy_sqlite(source, db_file)
        restored_files = []
        if instance_files:
            for name in INSTANCE_FILES:
                path = folder / "instance" / name
                if path.is_file():
                    shutil.copyfile(path, Path(app.instance_path) / name)
                    restored_files.append(name)
    _release_connections(app)
    from app.cache import bump_content_version

    with app.app_context():
        bump_content_version(app)  # every cached page predates the restore
    return {"instance_files": restored_files, "search": rebuild_search_index(app)}


def _release_connections(app: Flask) -> None:
    from app.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def rebuild_search_index(app: Flask) -> str:
    """Rebuild through the search facade when it offers `rebuild` (it is optional)."""
    try:
        from app.search import facade
    except ImportError:
        return "skipped: no search facade"
    rebuild = getattr(facade, "rebuild", None)
    if rebuild is None:
        log.warning("backup restore: app.search.facade.rebuild() is missing; "
                    "run `flask search rebuild` once it exists")
        return "skipped: app.search.facade.rebuild() is missing"
    with app.app_context():
        rebuild()
    return "rebuilt"


# -- commands -------------------------------------------------------------------------

@backup_cli.command("create")
@click.argument("destination", required=False, type=click.Path(file_okay=False, path_type=Path))
def create_command(destination: Path | None) -> None:
    """Write agora-backup-<time>.tar.gz into DESTINATION (default: instance/backups)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if database_path(app) is None:
        for line in _pg_commands(app, "agora-backup.dump"):
            click.echo(line)
        raise click.exceptions.Exit(PG_NOT_PERFORMED)
    target = create_backup(app, destination)
    click.echo(f"Backup written: {target}")


@backup_cli.command("restore")
@click.argument("archive", type=click.Path(exists=True, path_type=Path))
@click.option("--no-instance-files", is_flag=True,
              help="Keep this instance's secret_key and config.py.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(archive: Path, no_instance_files: bool, yes: bool) -> None:
    """Replace the database with ARCHIVE's, then rebuild the search index."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if database_path(app) is None:
        for line in _pg_commands(app, str(archive)):
            click.echo(line)
        raise click.exceptions.Exit(PG_NOT_PERFORMED)
    if not yes:
        click.confirm(f"Replace the database {database_path(app)} with {archive}?", abort=True)
    result = restore_backup(app, archive, instance_files=not no_instance_files)
    click.echo(f"Database restored from {archive}.")
    if result["instance_files"]:
        click.echo("Instance files restored: " + ", ".join(result["instance_files"]))
    click.echo(f"Search index: {result['search']}")
    if result["instance_files"]:
        click.echo("Restart the app servers so they read the restored settings.")


def register(app: Flask) -> None:
    app.cli.add_command(backup_cli)
