"""The home page panels."""

from __future__ import annotations

from app.i18n import current_lang


def home_panels() -> dict:
    from app.articles.services import latest_articles, upcoming_events
    from app.discussions.services import latest_discussions

    lang = current_lang()
    return {
        "latest_articles": latest_articles(lang, limit=6),
        "upcoming_events": upcoming_events(lang, limit=5),
        "latest_discussions": latest_discussions(limit=5),
    }
