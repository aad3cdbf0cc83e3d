"""Validate settings at start, with one clear message per bad setting.

Settings arrive as Python values (defaults, instance/config.py) or as strings
parsed as JSON (``AGORA_*`` environment variables: ``AGORA_PAGE_CACHE_TTL=60``
is the number 60, ``AGORA_BEHIND_PROXY=true`` is True, ``AGORA_BEHIND_PROXY=yes``
stays the string "yes" and is refused here rather than silently read as true).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}$")
BOOLEAN_SETTINGS = (
    "PAGE_CACHE_ENABLED", "BEHIND_PROXY", "RATELIMIT_ENABLED", "SEARCH_ENABLED",
    "SESSION_COOKIE_SECURE", "WTF_CSRF_ENABLED", "ARTICLE_REVIEW", "MAIL_USE_TLS",
    "SEED_DEMO_ON_EMPTY",
)
POSITIVE_INTS = (
    "MAX_CONTENT_LENGTH", "PAGE_CACHE_TTL", "PASSWORD_RESET_MAX_AGE", "COMMENT_EDIT_WINDOW",
    "REMEMBER_COOKIE_DURATION",
)
OPTIONAL_NON_NEGATIVE_INTS = ("PANEL_CACHE_TTL", "PAGE_CACHE_MAX_BYTES")
RATELIMIT_SCHEMES = ("memory", "redis", "rediss", "redis+unix", "memcached", "mongodb")
MIN_SECRET_LENGTH = 32


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_settings(cfg: Any) -> list[str]:
    """Every problem found, as "SETTING: what is wrong and what to do" lines."""
    errors: list[str] = []
    errors += _check_languages(cfg)
    errors += _check_urls(cfg)
    for key in POSITIVE_INTS:
        value = cfg.get(key)
        if not _is_int(value) or value <= 0:
            errors.append(f"{key}: must be a positive whole number, got {value!r}")
    for key in OPTIONAL_NON_NEGATIVE_INTS:
        value = cfg.get(key)
        if value is not None and (not _is_int(value) or value < 0):
            errors.append(f"{key}: must be a whole number, 0 or more, got {value!r}")
    for key in BOOLEAN_SETTINGS:
        value = cfg.get(key)
        if value is not None and not isinstance(value, bool):
            errors.append(f"{key}: must be true or false, got {value!r}")
    if cfg.get("ENV_NAME") not in ("development", "production", "testing"):
        errors.append(f"ENV_NAME: must be development, production or testing, "
                      f"got {cfg.get('ENV_NAME')!r}")
    if not _is_int(cfg.get("MAIL_PORT")) or not 0 < cfg.get("MAIL_PORT") < 65536:
        errors.append(f"MAIL_PORT: must be a port number, got {cfg.get('MAIL_PORT')!r}")
    prefix = cfg.get("CACHE_KEY_PREFIX")
    if prefix is not None and (not isinstance(prefix, str) or not prefix or " " in prefix):
        errors.append(f"CACHE_KEY_PREFIX: must be a short word without spaces, got {prefix!r}")
    if cfg.get("ENV_NAME") == "production":
        errors += _check_production(cfg)
    return errors


def _check_languages(cfg: Any) -> list[str]:
    errors: list[str] = []
    languages = cfg.get("LANGUAGES") or []
    if not isinstance(languages, list | tuple) or not languages:
        return ["LANGUAGES: must be a non-empty list of language codes"]
    bad = [code for code in languages if not isinstance(code, str)
           or not LANGUAGE_CODE.match(code)]
    if bad:
        errors.append(f"LANGUAGES: {bad!r} are not lower-case ISO 639 codes such as 'en'")
    if cfg.get("DEFAULT_LANGUAGE") not in languages:
        errors.append(f"DEFAULT_LANGUAGE: {cfg.get('DEFAULT_LANGUAGE')!r} is not in LANGUAGES")
    interface = cfg.get("INTERFACE_LANGUAGES") or []
    missing = [code for code in interface if code not in languages]
    if missing:
        errors.append(f"INTERFACE_LANGUAGES: {missing!r} are not in LANGUAGES")
    return errors


def _check_urls(cfg: Any) -> list[str]:
    errors: list[str] = []
    uri = str(cfg.get("SQLALCHEMY_DATABASE_URI") or "")
    if not uri.startswith(("sqlite", "postgresql")):
        errors.append(f"DATABASE_URL: unsupported database URL {uri.split(':')[0]!r} "
                      "(use sqlite:/// or postgresql+psycopg://)")
    if uri.startswith(("postgresql://", "postgres://")):
        errors.append("DATABASE_URL: name the driver, e.g. postgresql+psycopg://user@host/db")
    elif uri.startswith("postgresql+") and not uri.startswith("postgresql+psycopg://"):
        errors.append("DATABASE_URL: Agora ships the psycopg 3 driver; "
                      "use postgresql+psycopg://user@host/db")
    redis_url = cfg.get("REDIS_URL")
    if redis_url:
        parts = urlsplit(str(redis_url))
        if parts.scheme not in ("redis", "rediss", "unix"):
            errors.append(f"REDIS_URL: {redis_url!r} is not a redis:// URL")
        elif parts.scheme != "unix" and not parts.hostname:
            errors.append(f"REDIS_URL: {redis_url!r} names no host (redis://host:6379/0)")
    storage = str(cfg.get("RATELIMIT_STORAGE_URI") or "")
    scheme = storage.split("://", 1)[0] if "://" in storage else ""
    if scheme not in RATELIMIT_SCHEMES:
        errors.append(f"RATELIMIT_STORAGE_URI: {storage!r} is not a storage URL such as "
                      "memory:// or redis://host:6379")
    return errors


def _check_production(cfg: Any) -> list[str]:
    errors: list[str] = []
    from app.config import DEFAULT_SECRET_KEY

    secret = cfg.get("SECRET_KEY")
    if isinstance(secret, str) and secret != DEFAULT_SECRET_KEY and len(secret) < MIN_SECRET_LENGTH:
        errors.append(f"SECRET_KEY: at least {MIN_SECRET_LENGTH} characters in production "
                      "(python -c 'import secrets; print(secrets.token_hex(32))')")
    if cfg.get("TESTING"):
        errors.append("TESTING: must be off in production")
    return errors


def validate_config(app: Flask) -> None:
    from app import ConfigError

    errors = check_settings(app.config)
    if errors:
        raise ConfigError("Agora cannot start:\n  - " + "\n  - ".join(errors))
