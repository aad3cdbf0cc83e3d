"""Reading articles: one article with everything its page shows, the filtered list, and
small cards for the home page, profiles and the sitemap.

Every function loads what its page needs in a fixed number of queries (relationships
never lazy-load), whatever the number of versions or articles.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask import url_for
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, exists, select
from sqlalchemy.orm import joinedload, load_only, selectinload

from app.articles.labels import kind_label, status_label
from app.articles.models import Article, ArticleTheme, ArticleTranslation
from app.auth.models import User
from app.db_types import utcnow
from app.extensions import db
from app.taxonomy import Tag, article_tags

PER_PAGE = 20

# List pages show titles and summaries: bodies stay in the database.
_CARD_VERSION_COLUMNS = (
    ArticleTranslation.article_id, ArticleTranslation.language, ArticleTranslation.title,
    ArticleTranslation.slug, ArticleTranslation.summary, ArticleTranslation.source_version,
)


@dataclass
class ArticleCard:
    id: int
    url: str
    title: str
    summary: str
    language: str
    kind: str
    kind_label: str
    status: str
    status_label: str
    languages: list[str] = field(default_factory=list)
    author_name: str = ""
    published_at: datetime | None = None
    comment_count: int = 0
    when: str = ""
    is_past: bool = False


def article_url(article: Article, language: str, **kwargs) -> str:  # noqa: ANN003
    """The canonical URL under /<language>/: that version's slug, else the original's."""
    version = article.best_version(language)
    return url_for("articles.show", lang=language, article_id=article.id, slug=version.slug,
                   **kwargs)


def load_article(article_id: int) -> Article | None:
    """An article with author, versions (+translators), tags and themes: four queries."""
    return db.session.scalar(
        select(Article).where(Article.id == article_id).options(
            joinedload(Article.author),
            selectinload(Article.translations).joinedload(ArticleTranslation.translator),
            selectinload(Article.tags),
            selectinload(Article.theme_links),
        )
    )


def _public() -> Select:
    return select(Article).where(Article.status == "published", Article.hidden_at.is_(None))


def _card_options(stmt: Select) -> Select:
    return stmt.options(
        joinedload(Article.author),
        selectinload(Article.translations).options(load_only(*_CARD_VERSION_COLUMNS)),
    )


def to_card(article: Article, language: str) -> ArticleCard:
    from app.articles.events import event_times

    version = article.best_version(language)
    times = event_times(article)
    return ArticleCard(
        id=article.id,
        url=url_for("articles.show", lang=language, article_id=article.id, slug=version.slug),
        title=version.title,
        summary=version.summary,
        language=version.language,
        kind=article.kind,
        kind_label=kind_label(article.kind),
        status=article.status,
        status_label=status_label(article.status),
        languages=article.languages,
        author_name=article.author.name if article.author else "",
        published_at=article.published_at,
        comment_count=article.comment_count,
        when=times.own if times else "",
        is_past=times.is_past if times else False,
    )


def list_articles(
    *, kind: str | None = None, theme: str | None = None, tag: str | None = None,
    available: str | None = None, page: int = 1, per_page: int = PER_PAGE,
) -> Pagination:
    """Published, visible articles, newest first, filtered; three queries a page."""
    stmt = _public()
    if kind:
        stmt = stmt.where(Article.kind == kind)
    if theme:
        stmt = stmt.where(exists().where(
            ArticleTheme.article_id == Article.id, ArticleTheme.theme == theme))
    if tag:
        stmt = stmt.where(exists().where(
            article_tags.c.article_id == Article.id, article_tags.c.tag_id == Tag.id,
            Tag.name == tag))
    if available:
        stmt = stmt.where(exists().where(
            ArticleTranslation.article_id == Article.id, ArticleTranslation.language == available))
    stmt = _card_options(stmt).order_by(Article.published_at.desc(), Article.id.desc())
    return db.paginate(stmt, page=page, per_page=per_page, error_out=False, max_per_page=100)


def latest_cards(language: str, limit: int = 6) -> list[ArticleCard]:
    stmt = _card_options(_public()).order_by(Article.published_at.desc(), Article.id.desc())
    return [to_card(a, language) for a in db.session.scalars(stmt.limit(limit))]


def upcoming_event_cards(language: str, limit: int = 5) -> list[ArticleCard]:
    """Events not yet over, soonest first (an event in progress still counts)."""
    stmt = _card_options(_public()).where(
        Article.kind == "event", Article.event_end_utc >= utcnow()
    ).order_by(Article.event_start_utc, Article.id)
    return [to_card(a, language) for a in db.session.scalars(stmt.limit(limit))]


def author_cards(user: User, viewer, language: str, limit: int = 20) -> list[ArticleCard]:  # noqa: ANN001
    """A member's articles for their profile; unpublished ones only for them and moderators."""
    stmt = select(Article).where(Article.author_id == user.id)
    sees_all = viewer is not None and viewer.is_authenticated and (
        viewer.is_moderator or viewer.id == user.id)
    if not sees_all:
        stmt = stmt.where(Article.status == "published", Article.hidden_at.is_(None))
    stmt = _card_options(stmt).order_by(Article.created_at.desc(), Article.id.desc()).limit(limit)
    return [to_card(a, language) for a in db.session.scalars(stmt)]


def sitemap_entries() -> list[dict]:
    """One entry per public language version (each version has its own URL)."""
    stmt = (
        select(ArticleTranslation.article_id, ArticleTranslation.language,
               ArticleTranslation.slug, ArticleTranslation.updated_at)
        .join(Article, Article.id == ArticleTranslation.article_id)
        .where(Article.status == "published", Article.hidden_at.is_(None))
        .order_by(ArticleTranslation.article_id, ArticleTranslation.language)
    )
    return [
        {
            "loc": url_for("articles.show", lang=row.language, article_id=row.article_id,
                           slug=row.slug, _external=True),
            "lastmod": row.updated_at.date().isoformat() if row.updated_at else None,
        }
        for row in db.session.execute(stmt)
    ]


def tag_names() -> list[str]:
    """Tags used by public articles, for the filter (bounded: first 200 by name)."""
    stmt = (
        select(Tag.name).join(article_tags, article_tags.c.tag_id == Tag.id)
        .join(Article, Article.id == article_tags.c.article_id)
        .where(Article.status == "published", Article.hidden_at.is_(None))
        .group_by(Tag.name).order_by(Tag.name).limit(200)
    )
    return list(db.session.scalars(stmt))
