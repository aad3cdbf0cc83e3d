"""Index hits -> what a result shows, loaded from the database (and re-checked there).

A hit whose item was hidden, deleted or unpublished since it was indexed is simply
not returned; the caller drops it and queues it for re-indexing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload
from werkzeug.routing import BuildError

from app.articles.models import Article, ArticleTranslation
from app.auth.models import User
from app.comments.models import Comment
from app.discussions.models import Discussion
from app.sanitize import html_to_text
from app.search.documents import article_visible, discussion_visible


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
    if user is None or user.deleted_at is not None:
        return None
    return user.name


def _url(endpoint: str, fallback: str, **values: object) -> str:
    # The articles and discussions pages are built by other areas; never let a missing
    # endpoint break search.
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return fallback


def shown_version(article: Article, page_lang: str) -> ArticleTranslation | None:
    """The version the article page shows in `page_lang` (never raises on odd rows)."""
    return (article.version(page_lang) or article.version(article.original_language)
            or (article.translations[0] if article.translations else None))


def article_url(article: Article, page_lang: str) -> str:
    shown = shown_version(article, page_lang)
    slug = shown.slug if shown else ""
    return _url("articles.show", f"/{page_lang}/articles/{article.id}-{slug}",
                article_id=article.id, slug=slug, lang=page_lang)


def discussion_url(d: Discussion, page_lang: str) -> str:
    return _url("discussions.show", f"/{page_lang}/discussions/{d.id}-{d.slug}",
                discussion_id=d.id, slug=d.slug, lang=page_lang)


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


def load_items(session: Session, doc_ids: list[str], page_lang: str) -> dict[str, Item]:
    """Visible items for these document ids, in a fixed number of queries.

    Bodies are read only for the versions shown: a comment's article is needed for
    its title and address, not for the text of every language version.
    """
    wanted_articles, discussion_ids, comment_ids = _split(doc_ids)
    comments = list(session.scalars(
        select(Comment).options(joinedload(Comment.author))
        .where(Comment.id.in_(comment_ids), Comment.hidden_at.is_(None),
               Comment.deleted_at.is_(None))
    )) if comment_ids else []
    article_ids = set(wanted_articles) | {c.article_id for c in comments if c.article_id}
    discussion_ids |= {c.discussion_id for c in comments if c.discussion_id}
    articles = {a.id: a for a in session.scalars(
        select(Article).options(
            selectinload(Article.translations).defer(ArticleTranslation.body_html),
            joinedload(Article.author))
        .where(Article.id.in_(article_ids), article_visible())
    )} if article_ids else {}
    # (Not a row-value IN on both columns: SQLite scans the table for it.)
    shown_ids = [a_id for a_id in wanted_articles if a_id in articles]
    bodies = {(a_id, lang): body for a_id, lang, body in session.execute(
        select(ArticleTranslation.article_id, ArticleTranslation.language,
               ArticleTranslation.body_html)
        .where(ArticleTranslation.article_id.in_(shown_ids))
    ) if lang in wanted_articles[a_id]} if shown_ids else {}
    discussions = {d.id: d for d in session.scalars(
        select(Discussion).options(joinedload(Discussion.author))
        .where(Discussion.id.in_(discussion_ids), discussion_visible())
    )} if discussion_ids else {}

    items: dict[str, Item] = {}
    for article_id, langs in wanted_articles.items():
        article = articles.get(article_id)
        if article is None:
            continue
        url = article_url(article, page_lang)
        for lang in langs:
            version = article.version(lang)
            if version is None:
                continue
            text = f"{version.summary}\n{html_to_text(bodies.get((article_id, lang), ''))}"
            items[f"article:{article_id}:{lang}"] = Item(
                f"article:{article_id}:{lang}", "article", lang, version.title, text.strip(),
                author_label(article.author), article.published_at or article.created_at, url,
            )
    for d_id in discussion_ids:
        d = discussions.get(d_id)
        if d is not None and f"discussion:{d_id}" in doc_ids:
            items[f"discussion:{d_id}"] = Item(
                f"discussion:{d_id}", "discussion", d.language, d.title,
                html_to_text(d.body_html), author_label(d.author), d.created_at,
                discussion_url(d, page_lang),
            )
    for c in comments:
        if c.article_id is not None:
            article = articles.get(c.article_id)
            if article is None:
                continue
            lang, url = article.original_language, article_url(article, page_lang)
            shown = shown_version(article, page_lang)
            parent_title = shown.title if shown else ""
        else:
            d = discussions.get(c.discussion_id)  # type: ignore[arg-type]
            if d is None:
                continue
            lang, url, parent_title = d.language, discussion_url(d, page_lang), d.title
        items[f"comment:{c.id}"] = Item(
            f"comment:{c.id}", "comment", lang, "", html_to_text(c.body_html),
            author_label(c.author), c.created_at, f"{url}#comment-{c.id}", parent_title,
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
