"""Factories for the articles tests: real rows through the real services."""

from __future__ import annotations

from datetime import datetime

import pytest

from app.articles import services
from app.articles.models import Article
from app.extensions import db


@pytest.fixture
def make_article(ctx):
    """make_article(author, title=..., publish=True, **fields) -> a committed Article."""

    def make(author, title: str = "Learning circles in public libraries", *,
             body: str = "<p>How libraries host adult learning circles.</p>",
             summary: str = "", language: str = "en", kind: str = "blog",
             publish: bool = True, themes: list[str] | None = None, tags: str = "",
             event_start: datetime | None = None, event_end: datetime | None = None,
             event_timezone: str = "", venue: str = "", is_online: bool = False,
             online_url: str = "", registration_url: str = "") -> Article:
        data = services.ArticleInput(
            kind=kind, original_language=language,
            text=services.VersionText(title, summary, body),
            themes=themes or [], tags=tags,
            event_start_local=event_start, event_end_local=event_end,
            event_timezone=event_timezone, venue=venue, is_online=is_online,
            online_url=online_url, registration_url=registration_url,
        )
        article = services.create_article(author, data, publish=publish)
        db.session.commit()
        return article

    return make


@pytest.fixture
def add_version(ctx):
    def add(article_id: int, translator, language: str, title: str,
            body: str = "<p>Traduit.</p>", summary: str = ""):
        from app.articles.queries import load_article

        article = load_article(article_id)
        version = services.add_version(article, translator, language,
                                       services.VersionText(title, summary, body))
        db.session.commit()
        return version

    return add
