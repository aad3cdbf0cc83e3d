"""Article logic (filled in by the articles work)."""

from __future__ import annotations


def latest_articles(language: str, limit: int = 6) -> list:
    return []


def upcoming_events(language: str, limit: int = 5) -> list:
    return []


def articles_by_author(user, viewer, language: str, limit: int = 20) -> list:  # noqa: ANN001
    return []


def sitemap_articles() -> list[dict]:
    return []
