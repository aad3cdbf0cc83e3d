"""Search test data, made directly through the models (and comments through the service)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from slugify import slugify

from app.articles.models import Article, ArticleTheme, ArticleTranslation
from app.comments.services import post_comment
from app.db_types import utcnow
from app.discussions.models import Discussion
from app.extensions import db
from app.search import facade
from app.search.searching import Filters


@pytest.fixture
def author(make_user):
    return make_user("writer", display_name="Wanda Writer")


@pytest.fixture
def make_article(ctx, author):
    """make_article(title, body, language='en', status='published', versions={lang: (t, b)})."""

    def make(title: str, body: str = "", *, language: str = "en", status: str = "published",
             themes: tuple[str, ...] = (), versions: dict | None = None, user=None,
             published_days_ago: int = 0) -> Article:
        now = utcnow() - timedelta(days=published_days_ago)
        article = Article(
            author_id=(user or author).id, original_language=language, status=status,
            published_at=now if status == "published" else None, created_at=now,
            updated_at=now,
        )
        db.session.add(article)
        db.session.flush()
        texts = {language: (title, body), **(versions or {})}
        for lang, (t, b) in texts.items():
            db.session.add(ArticleTranslation(
                article_id=article.id, language=lang, title=t, slug=slugify(t)[:300] or "x",
                body_html=f"<p>{b}</p>", created_at=now, updated_at=now,
            ))
        for theme in themes:
            db.session.add(ArticleTheme(article_id=article.id, theme=theme))
        db.session.commit()
        return article

    return make


@pytest.fixture
def make_discussion(ctx, author):
    def make(title: str, body: str = "", *, language: str = "en", user=None) -> Discussion:
        d = Discussion(author_id=(user or author).id, language=language, title=title,
                       slug=slugify(title)[:300] or "x", body_html=f"<p>{body}</p>")
        db.session.add(d)
        db.session.commit()
        return d

    return make


@pytest.fixture
def make_comment(ctx, author):
    def make(body: str, *, article=None, discussion=None, user=None):
        comment = post_comment(user or author, body, article=article, discussion=discussion)
        db.session.commit()
        return comment

    return make


@pytest.fixture
def find(ctx):
    """find('query', lang='en', **filters) -> the ids of the documents shown."""

    def run(q: str, *, lang: str = "en", page: int = 1, **filters) -> list[str]:
        result = facade.search(q, page=page, lang=lang, filters=Filters(**filters))
        return [r.item.doc_id for r in result.results]

    return run
