"""Validate settings at start, with one clear message per bad setting."""

from __future__ import annotations

from flask import Flask


def validate_config(app: Flask) -> None:
    from app import ConfigError

    errors: list[str] = []
    cfg = app.config
    languages = cfg.get("LANGUAGES") or []
    if not isinstance(languages, list | tuple) or not languages:
        errors.append("LANGUAGES: must be a non-empty list of language codes")
    elif cfg.get("DEFAULT_LANGUAGE") not in languages:
        errors.append(f"DEFAULT_LANGUAGE: {cfg.get('DEFAULT_LANGUAGE')!r} is not in LANGUAGES")
    uri = str(cfg.get("SQLALCHEMY_DATABASE_URI") or "")
    if not uri.startswith(("sqlite", "postgresql")):
        errors.append(f"DATABASE_URL: unsupported database URL {uri.split(':')[0]!r} "
                      "(use sqlite:/// or postgresql+psycopg://)")
    if uri.startswith("postgresql://") or uri.startswith("postgres://"):
        errors.append("DATABASE_URL: name the driver, e.g. postgresql+psycopg://user@host/db")
    redis_url = cfg.get("REDIS_URL")
    if redis_url and not str(redis_url).startswith(("redis://", "rediss://", "unix://")):
        errors.append(f"REDIS_URL: {redis_url!r} is not a redis:// URL")
    for key in ("MAX_CONTENT_LENGTH", "PAGE_CACHE_TTL", "PASSWORD_RESET_MAX_AGE",
                "COMMENT_EDIT_WINDOW"):
        value = cfg.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            errors.append(f"{key}: must be a positive whole number, got {value!r}")
    if cfg.get("ENV_NAME") not in ("development", "production", "testing"):
        errors.append("ENV_NAME: must be development, production or testing")
    if errors:
        raise ConfigError("Agora cannot start:\n  - " + "\n  - ".join(errors))
