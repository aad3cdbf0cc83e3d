"""The home page panels, cached briefly and until content changes (app/cache.py)."""

from __future__ import annotations

from app.cache import get_or_set, viewer_variant
from app.i18n import current_lang


def home_panels() -> dict:
    from app.articles.services import latest_articles, upcoming_events

    lang = current_lang()
    return {
        **get_or_set(f"home:{viewer_variant()}", None, lambda: {
            "latest_articles": latest_articles(lang, limit=6),
            "upcoming_events": upcoming_events(lang, limit=5),
        }),
        "latest_discussions": latest_discussions_panel(),
    }


def latest_discussions_panel(limit: int = 5) -> list:
    """The latest-discussions panel (home page, article pages), cached like the others."""
    from app.discussions.services import latest_discussions

    return get_or_set(f"latest-discussions:{limit}:{viewer_variant()}", None,
                      lambda: latest_discussions(limit=limit))
