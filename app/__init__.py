"""Agora: the application factory, the only place that wires things together."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask

from app import config as config_module
from app.extensions import babel, csrf, db, init_migrate_lazily, login_manager

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message says which and why."""


def create_app(config_overrides: dict[str, Any] | None = None) -> Flask:
    instance_path = _instance_path(config_overrides)
    app = Flask(__name__, instance_path=str(instance_path), instance_relative_config=True)
    load_config(app, config_overrides)
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    register_hooks(app)
    return app


def _instance_path(overrides: dict[str, Any] | None) -> Path:
    raw = (overrides or {}).get("INSTANCE_PATH") or os.environ.get("AGORA_INSTANCE_PATH")
    path = Path(raw).resolve() if raw else PROJECT_ROOT / "instance"
    path.mkdir(parents=True, exist_ok=True)
    return path


def load_config(app: Flask, overrides: dict[str, Any] | None) -> None:
    """Defaults, then instance/config.py, then environment, then overrides."""
    app.config.from_object(config_module.Defaults)
    app.config.from_pyfile("config.py", silent=True)
    if os.environ.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if os.environ.get("REDIS_URL"):
        app.config["REDIS_URL"] = os.environ["REDIS_URL"]
    app.config.from_prefixed_env("AGORA")
    if overrides:
        app.config.update({k: v for k, v in overrides.items() if k != "INSTANCE_PATH"})

    instance = Path(app.instance_path)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'agora.db'}"
    if not app.config.get("SEARCH_INDEX_DIR"):
        app.config["SEARCH_INDEX_DIR"] = str(instance / "search-index")
    if app.config.get("REDIS_URL") and app.config["RATELIMIT_STORAGE_URI"] == "memory://":
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
    _configure_engine(app)
    _ensure_secret_key(app, instance)
    from app.config_check import validate_config

    validate_config(app)


def _configure_engine(app: Flask) -> None:
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("sqlite"):
        # Writers wait for each other instead of failing at once with "database is locked".
        options.setdefault("connect_args", {"timeout": 30})
    else:
        options.setdefault("pool_pre_ping", True)
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def _ensure_secret_key(app: Flask, instance: Path) -> None:
    if app.config.get("SECRET_KEY") not in (None, "", config_module.DEFAULT_SECRET_KEY):
        return
    key_file = instance / "secret_key"
    if key_file.exists():
        app.config["SECRET_KEY"] = key_file.read_text().strip()
        return
    if app.config.get("ENV_NAME") == "production":
        raise ConfigError(
            "SECRET_KEY: production refuses to start with the default or a missing secret; "
            "set AGORA_SECRET_KEY or SECRET_KEY in instance/config.py."
        )
    key = secrets.token_hex(32)
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another worker starting at the same moment won the race: use its key.
        app.config["SECRET_KEY"] = _read_key_when_written(key_file)
        return
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    app.config["SECRET_KEY"] = key


def _read_key_when_written(key_file: Path) -> str:
    import time

    for _ in range(100):
        key = key_file.read_text().strip()
        if key:
            return key
        time.sleep(0.01)
    raise ConfigError(f"SECRET_KEY: {key_file} exists but is empty")


def register_extensions(app: Flask) -> None:
    from app import i18n

    db.init_app(app)
    from app.db_types import render_item

    init_migrate_lazily(
        app, directory=str(PROJECT_ROOT / "migrations"), compare_type=True,
        render_item=render_item,
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    from app.ratelimit import init_limiter

    init_limiter(app)
    i18n.init_app(app)
    from app.timeutil import select_timezone

    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=select_timezone)
    from app import models  # noqa: F401  (every model registered on the metadata)
    _install_db_guards()
    from app.auth.services import configure_login

    configure_login(app)
    from app.search.hooks import init_search

    init_search(app)
    from app.cache import init_cache

    init_cache(app)
    from app.page_cache_fastpath import init_fastpath

    init_fastpath(app)
    from app.member_cache import init_member_cache

    init_member_cache(app)
    from app.assets import init_assets

    init_assets(app)
    from app.templating import init_templating

    init_templating(app)


_DB_GUARDS: list[bool] = []


def _install_db_guards() -> None:
    """Session-wide listeners, installed once per process (they are global to Session)."""
    if _DB_GUARDS:
        return
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from app.db_types import strip_nul_bytes

    event.listen(Session, "before_flush", strip_nul_bytes)
    _DB_GUARDS.append(True)


def register_blueprints(app: Flask) -> None:
    # Views are imported here, not from the packages' __init__: importing a model
    # module must never pull in views (and their forms and services) in a cycle.
    import importlib

    for area in ("main", "auth", "admin", "articles", "comments", "discussions", "moderation",
                 "notifications", "search"):
        importlib.import_module(f"app.{area}.views")
        app.register_blueprint(importlib.import_module(f"app.{area}").bp)
    from app.main.feeds import feeds_bp

    app.register_blueprint(feeds_bp)
    if app.config.get("BENCH_CEILING_ROUTE"):  # bench/run.py's ceiling; off by default
        from app.bench_routes import bp as bench_bp

        app.register_blueprint(bench_bp)


def register_errorhandlers(app: Flask) -> None:
    from app.main.errors import register

    register(app)


def register_commands(app: Flask) -> None:
    from app.cli import register

    register(app)


def register_hooks(app: Flask) -> None:
    from app.web import register

    register(app)
    logging.getLogger("agora").setLevel(logging.INFO)
