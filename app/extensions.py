"""Extension objects, created here without an app and initialised in create_app."""

from __future__ import annotations

from typing import Any

import click
from flask import Flask
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names: Alembic batch migrations on SQLite and PostgreSQL need them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)


# -- Flask-Migrate, set up on first use ---------------------------------------------------
# Importing flask_migrate imports Alembic: about 40% of `import app`, paid by every
# gunicorn worker and test for nothing. Only `flask db ...` and in-process calls such
# as flask_migrate.upgrade() (tests, bench/seed.py) need it, and both go through
# app.extensions["migrate"] or the `db` command, so those two load it when first used.


def init_migrate_lazily(app: Flask, **options: Any) -> None:
    """What Migrate().init_app(app, db, **options) does, deferred until it is needed."""
    app.extensions["migrate"] = _MigrateOnFirstUse(app, options)
    app.cli.add_command(_DbCommandOnFirstUse(app.extensions["migrate"]))


class _MigrateOnFirstUse:
    """Stands in app.extensions["migrate"]; reading any attribute sets up the real one."""

    def __init__(self, app: Flask, options: dict[str, Any]) -> None:
        self._app = app
        self._options = options

    def load(self) -> Any:  # noqa: ANN401 (flask_migrate._MigrateConfig)
        if self._app.extensions.get("migrate") is self:
            from flask_migrate import Migrate

            # Replaces this placeholder and the `db` command with Flask-Migrate's own.
            Migrate().init_app(self._app, db, **self._options)
        return self._app.extensions["migrate"]

    def __getattr__(self, name: str) -> Any:  # noqa: ANN401
        if name.startswith("_"):  # copy/pickle probes, or _app before __init__ ran
            raise AttributeError(name)
        return getattr(self.load(), name)


class _DbCommandOnFirstUse(click.Group):
    """`flask db`: listed in `flask --help` for free, Flask-Migrate's group once invoked."""

    def __init__(self, placeholder: _MigrateOnFirstUse) -> None:
        super().__init__("db", help="Perform database migrations.")
        self._placeholder = placeholder

    def make_context(self, info_name: str | None, args: list[str],
                     parent: click.Context | None = None, **extra: Any) -> click.Context:
        self._placeholder.load()
        from flask_migrate.cli import db as db_group

        # The context belongs to the real group: click invokes ctx.command.
        return db_group.make_context(info_name, args, parent=parent, **extra)
