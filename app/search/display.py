"""Index hits -> what a result shows, loaded from the database (and re-checked there).

A hit whose item was hidden, deleted or unpublished since it was indexed is simply
not returned; the caller drops it and queues it for re-indexing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from flask import url_for
from sqlalchemy import Row, Select, select
from sqlalchemy.orm import Session, selectinload
from werkzeug.routing import BuildError

from app.articles.models import Article, ArticleTranslation
from app.auth.models import User
from app.comments.models import Comment
from app.discussions.models import Discussion
from app.sanitize import html_to_text
from app.search.documents import article_visible, discussion_visible

T = TypeVar("T")


@dataclass
class Item:
    doc_id: str
    type: str  # article | discussion | comment
    lang: str
    title: str
    text: str  # plain text: the excerpt is highlighted from it
    author: str | None  # None: a deleted member
    date: datetime
    url: str
    parent_title: str = ""  # comments: the page they are on


def author_label(user: User | None) -> str | None:
    if user is None:
        return None
    return _author(user.username, user.display_name, user.deleted_at)


def _url(endpoint: str, fallback: str, **values: object) -> str:
    # The articles and discussions pages are built by other areas; never let a missing
    # endpoint break search.
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return fallback


def _shown(by_lang: dict[str, T], page_lang: str, original_language: str) -> T | None:
    """Of an article's versions by language (in language order), the one its page shows
    in `page_lang`: that language's, else the original, else the first (odd rows)."""
    return (by_lang.get(page_lang) or by_lang.get(original_language)
            or next(iter(by_lang.values()), None))


def shown_version(article: Article, page_lang: str) -> ArticleTranslation | None:
    """The version the article page shows in `page_lang` (never raises on odd rows)."""
    return _shown({t.language: t for t in article.translations}, page_lang,
                  article.original_language)


def article_url(article: Article, page_lang: str) -> str:
    return _article_url(article.id, shown_version(article, page_lang), page_lang)


def _article_url(article_id: int, shown: ArticleTranslation | Row | None,
                 page_lang: str) -> str:
    slug = shown.slug if shown else ""
    return _url("articles.show", f"/{page_lang}/articles/{article_id}-{slug}",
                article_id=article_id, slug=slug, lang=page_lang)


def discussion_url(d: Discussion, page_lang: str) -> str:
    return _discussion_url(d.id, d.slug, page_lang)


def _discussion_url(discussion_id: int, slug: str, page_lang: str) -> str:
    return _url("discussions.show", f"/{page_lang}/discussions/{discussion_id}-{slug}",
                discussion_id=discussion_id, slug=slug, lang=page_lang)


def _split(doc_ids: list[str]) -> tuple[dict[int, set[str]], set[int], set[int]]:
    articles: dict[int, set[str]] = {}
    discussions: set[int] = set()
    comments: set[int] = set()
    for doc_id in doc_ids:
        parts = doc_id.split(":")
        if parts[0] == "article" and len(parts) == 3 and parts[1].isdigit():
            articles.setdefault(int(parts[1]), set()).add(parts[2])
        elif parts[0] == "discussion" and len(parts) == 2 and parts[1].isdigit():
            discussions.add(int(parts[1]))
        elif parts[0] == "comment" and len(parts) == 2 and parts[1].isdigit():
            comments.add(int(parts[1]))
    return articles, discussions, comments


def _author(username: str | None, display_name: str | None,
            deleted_at: datetime | None) -> str | None:
    """author_label from an outer-joined user's columns (None: no user, or deleted)."""
    if username is None or deleted_at is not None:
        return None
    return display_name or username


def _authored(entity: type, *columns: Any) -> Select:
    """`columns` of `entity` and its author's name columns (an outer join: the author
    may be gone)."""
    return (select(*columns, User.username, User.display_name, User.deleted_at)
            .outerjoin(User, User.id == entity.author_id))


def load_items(session: Session, doc_ids: list[str], page_lang: str) -> dict[str, Item]:
    """Visible items for these document ids, in a fixed number of queries.

    Plain rows, not ORM objects: a result page needs a few columns of ~30 rows of
    four tables, and building and tracking objects for them cost more than the
    search itself. Bodies are read only for the versions shown: a comment's article
    is needed for its title and address, not for the text of every language version.
    """
    wanted_articles, discussion_ids, comment_ids = _split(doc_ids)
    comments = session.execute(
        _authored(Comment, Comment.id, Comment.article_id, Comment.discussion_id,
                  Comment.body_html, Comment.created_at)
        .where(Comment.id.in_(comment_ids), Comment.hidden_at.is_(None),
               Comment.deleted_at.is_(None))
    ).all() if comment_ids else []
    article_ids = set(wanted_articles) | {c.article_id for c in comments if c.article_id}
    discussion_ids |= {c.discussion_id for c in comments if c.discussion_id}
    articles = {a.id: a for a in session.execute(
        _authored(Article, Article.id, Article.original_language, Article.published_at,
                  Article.created_at)
        .where(Article.id.in_(article_ids), article_visible())
    )} if article_ids else {}
    # Each visible article's versions by language (title, slug, summary; no body).
    versions: dict[int, dict[str, Row]] = {}
    for v in session.execute(
        select(ArticleTranslation.article_id, ArticleTranslation.language,
               ArticleTranslation.title, ArticleTranslation.slug, ArticleTranslation.summary)
        .where(ArticleTranslation.article_id.in_(articles))
        .order_by(ArticleTranslation.article_id, ArticleTranslation.language)
    ) if articles else ():
        versions.setdefault(v.article_id, {})[v.language] = v
    # (Not a row-value IN on both columns: SQLite scans the table for it.)
    shown_ids = [a_id for a_id in wanted_articles if a_id in articles]
    bodies = {(a_id, lang): body for a_id, lang, body in session.execute(
        select(ArticleTranslation.article_id, ArticleTranslation.language,
               ArticleTranslation.body_html)
        .where(ArticleTranslation.article_id.in_(shown_ids))
    ) if lang in wanted_articles[a_id]} if shown_ids else {}
    discussions = {d.id: d for d in session.execute(
        _authored(Discussion, Discussion.id, Discussion.language, Discussion.title,
                  Discussion.slug, Discussion.body_html, Discussion.created_at)
        .where(Discussion.id.in_(discussion_ids), discussion_visible())
    )} if discussion_ids else {}

    def shown(article_id: int) -> Row | None:
        return _shown(versions.get(article_id, {}), page_lang,
                      articles[article_id].original_language)

    def url_of_article(article_id: int) -> str:
        return _article_url(article_id, shown(article_id), page_lang)

    items: dict[str, Item] = {}
    for article_id, langs in wanted_articles.items():
        article = articles.get(article_id)
        if article is None:
            continue
        url = url_of_article(article_id)
        for lang in langs:
            version = versions.get(article_id, {}).get(lang)
            if version is None:
                continue
            text = f"{version.summary}\n{html_to_text(bodies.get((article_id, lang), ''))}"
            items[f"article:{article_id}:{lang}"] = Item(
                f"article:{article_id}:{lang}", "article", lang, version.title, text.strip(),
                _author(article.username, article.display_name, article.deleted_at),
                article.published_at or article.created_at, url,
            )
    for d_id in discussion_ids:
        d = discussions.get(d_id)
        if d is not None and f"discussion:{d_id}" in doc_ids:
            items[f"discussion:{d_id}"] = Item(
                f"discussion:{d_id}", "discussion", d.language, d.title,
                html_to_text(d.body_html), _author(d.username, d.display_name, d.deleted_at),
                d.created_at, _discussion_url(d.id, d.slug, page_lang),
            )
    for c in comments:
        if c.article_id is not None:
            article = articles.get(c.article_id)
            if article is None:
                continue
            lang, url = article.original_language, url_of_article(c.article_id)
            version = shown(c.article_id)
            parent_title = version.title if version else ""
        else:
            d = discussions.get(c.discussion_id)
            if d is None:
                continue
            lang, url = d.language, _discussion_url(d.id, d.slug, page_lang)
            parent_title = d.title
        items[f"comment:{c.id}"] = Item(
            f"comment:{c.id}", "comment", lang, "", html_to_text(c.body_html),
            _author(c.username, c.display_name, c.deleted_at), c.created_at,
            f"{url}#comment-{c.id}", parent_title,
        )
    return items


def latest(session: Session, page_lang: str, limit: int = 10) -> tuple[list[Item], list[Item]]:
    """The newest visible articles (in the page language where a version exists) and
    the most active discussions: what the search page shows before a query."""
    articles = list(session.scalars(
        select(Article).options(selectinload(Article.translations), selectinload(Article.author))
        .where(article_visible()).order_by(Article.published_at.desc(), Article.id.desc())
        .limit(limit)
    ))
    discussions = list(session.scalars(
        select(Discussion).options(selectinload(Discussion.author))
        .where(discussion_visible()).order_by(Discussion.last_activity_at.desc()).limit(limit)
    ))
    article_items = []
    for a in articles:
        v = shown_version(a, page_lang)
        if v is None:
            continue
        article_items.append(Item(
            f"article:{a.id}:{v.language}", "article", v.language, v.title, v.summary,
            author_label(a.author), a.published_at or a.created_at, article_url(a, page_lang),
        ))
    discussion_items = [
        Item(f"discussion:{d.id}", "discussion", d.language, d.title, d.summary,
             author_label(d.author), d.last_activity_at, discussion_url(d, page_lang))
        for d in discussions
    ]
    return article_items, discussion_items
