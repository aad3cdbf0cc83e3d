"""Discussion logic (filled in by the discussions work)."""

from __future__ import annotations


def latest_discussions(limit: int = 5) -> list:
    return []


def discussions_by_author(user, viewer, limit: int = 20) -> list:  # noqa: ANN001
    return []


def sitemap_discussions() -> list[dict]:
    return []
