"""Fixtures shared by the production tests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.articles.models import Article, ArticleTranslation
from app.extensions import db


@pytest.fixture
def article(make_user) -> Article:
    """A published English article, "Learning circles", with one short body."""
    author = make_user("author")
    article = Article(author_id=author.id, original_language="en", status="published",
                      published_at=datetime.now(UTC))
    article.translations = [ArticleTranslation(language="en", title="Learning circles",
                                               slug="learning-circles",
                                               body_html="<p>First body.</p>")]
    db.session.add(article)
    db.session.commit()
    return article
