"""Sitemap entries: every public article version and discussion."""

from __future__ import annotations


def sitemap_entries() -> list[dict]:
    from app.articles.services import sitemap_articles
    from app.discussions.services import sitemap_discussions

    return sitemap_articles() + sitemap_discussions()
