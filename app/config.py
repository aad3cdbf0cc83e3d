"""Configuration defaults.

Order (last wins): these defaults, ``instance/config.py``, environment variables
(``DATABASE_URL``, ``REDIS_URL`` and any ``AGORA_*`` key), then a test's overrides.
"""

from __future__ import annotations

# The 24 official EU languages: every one is a content language.
EU_LANGUAGES = [
    "bg", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "ga", "hr",
    "hu", "it", "lt", "lv", "mt", "nl", "pl", "pt", "ro", "sk", "sl", "sv",
]

# Interface languages with complete, hand-checked catalogs.
INTERFACE_LANGUAGES = ["en", "fr", "de", "es", "it", "pl", "pt", "nl"]

DEFAULT_THEMES = [
    "learning-environments",
    "support-for-learners",
    "quality",
    "policy",
    "life-skills",
]

DEFAULT_SECRET_KEY = "dev-insecure-change-me"


class Defaults:
    ENV_NAME = "development"  # "production" refuses default secrets
    SECRET_KEY = DEFAULT_SECRET_KEY
    SQLALCHEMY_DATABASE_URI: str | None = None  # set from the instance path
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLALCHEMY_RECORD_QUERIES = False
    LANGUAGES = EU_LANGUAGES
    INTERFACE_LANGUAGES = INTERFACE_LANGUAGES
    DEFAULT_LANGUAGE = "en"
    THEMES = DEFAULT_THEMES
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # token lives as long as the session
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024

    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_LOGIN = "10 per minute"
    RATELIMIT_REGISTER = "5 per minute;30 per day"
    RATELIMIT_COMMENT = "10 per minute"
    REDIS_URL: str | None = None

    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_DEFAULT_SENDER = "Agora <no-reply@agora.localhost>"
    PASSWORD_RESET_MAX_AGE = 3600

    ARTICLE_REVIEW = False
    COMMENT_EDIT_WINDOW = 30 * 60
    SEARCH_INDEX_DIR: str | None = None  # default: <instance>/search-index
    SEARCH_ENABLED = True
    PAGE_CACHE_ENABLED = True
    PAGE_CACHE_TTL = 300
    PAGE_CACHE_MAX_BYTES = 32 * 1024 * 1024  # per worker, memory store only
    PANEL_CACHE_TTL = 60
    CACHE_KEY_PREFIX = "agora:"
    BEHIND_PROXY = False
    SEED_DEMO_ON_EMPTY = False
