"""Database rows -> index documents. The database is the source of truth.

Only visible items become documents:
- an article language version when its article is published and not hidden;
- a discussion when it is not hidden;
- a comment or reply when neither hidden nor deleted and its page is visible.

Every loader takes an explicit SQLAlchemy session (the drain uses its own, apart
from the request's) and eager-loads, so a batch costs a fixed number of queries.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from app.articles.models import Article, ArticleTranslation
from app.auth.models import User
from app.comments.models import Comment
from app.discussions.models import Discussion
from app.sanitize import html_to_text
from app.search.schema import family, text_field, title_field
from app.taxonomy import article_themes, discussion_themes

Doc = dict[str, Any]
SPELL_WORDS = 40


# -- visibility, as SQL conditions -------------------------------------------------

def article_visible() -> Any:
    return and_(Article.status == "published", Article.hidden_at.is_(None))


def discussion_visible() -> Any:
    return Discussion.hidden_at.is_(None)


def comment_visible() -> Any:
    """Visible comment on a visible page (needs the outer joins of `_comment_select`)."""
    return and_(
        Comment.hidden_at.is_(None),
        Comment.deleted_at.is_(None),
        or_(
            and_(Article.id.is_not(None), article_visible()),
            and_(Discussion.id.is_not(None), discussion_visible()),
        ),
    )


# -- helpers -------------------------------------------------------------------------

def author_name(user: User | None) -> str:
    """The indexed (searchable) author name; deleted members are not searchable by name."""
    if user is None or user.deleted_at is not None:
        return ""
    return user.display_name or user.username


def _naive_utc(value: datetime | None) -> datetime | None:
    # Whoosh's DATETIME field works on naive datetimes: store UTC without tzinfo.
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def _stamp(doc: Doc) -> str:
    parts = [f"{k}={doc[k]!s}" for k in sorted(doc) if k not in ("stamp", "spell")]
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=10).hexdigest()


def _spell(title: str, text: str) -> str:
    """Words for "Did you mean": the title and the opening words (analysing the whole
    text a second time would cost a third of the indexing time)."""
    return title + " " + " ".join(text.split()[:SPELL_WORDS])


def _finish(doc: Doc) -> Doc:
    doc = {k: v for k, v in doc.items() if v not in (None, "")}
    doc["stamp"] = _stamp(doc)
    return doc


def _themes(session: Session, table: Any, column: str, ids: Iterable[int]) -> dict[int, list[str]]:
    ids = list(ids)
    found: dict[int, list[str]] = defaultdict(list)
    if not ids:
        return found
    col = table.c[column]
    for item_id, theme in session.execute(
        select(col, table.c.theme).where(col.in_(ids)).order_by(col, table.c.theme)
    ):
        found[item_id].append(theme)
    return found


# -- articles ------------------------------------------------------------------------

def _article_select() -> Any:
    return select(Article).options(
        selectinload(Article.translations),
        selectinload(Article.author),
        selectinload(Article.tags),
    )


def _article_version_doc(article: Article, version: ArticleTranslation, themes: list[str]) -> Doc:
    fam = family(version.language)
    body = html_to_text(version.body_html)
    text = f"{version.summary}\n{body}" if version.summary else body
    updated = max(version.updated_at, article.updated_at)
    return _finish({
        "id": f"article:{article.id}:{version.language}",
        "group": f"article:{article.id}",
        "parent": f"article:{article.id}",
        "type": "article",
        "lang": version.language,
        "theme": ",".join(themes),
        "tag": ",".join(sorted(t.name for t in article.tags)),
        "author": author_name(article.author),
        "created": _naive_utc(article.published_at or article.created_at),
        "updated": _naive_utc(updated),
        title_field(fam): version.title,
        text_field(fam): text,
        "spell": _spell(version.title, text),
    })


def _article_docs_from(session: Session, articles: list[Article]) -> dict[int, list[Doc]]:
    themes = _themes(session, article_themes, "article_id", (a.id for a in articles))
    return {
        a.id: [_article_version_doc(a, v, themes.get(a.id, [])) for v in a.translations]
        for a in articles
    }


def article_docs(session: Session, ids: Iterable[int]) -> dict[int, list[Doc]]:
    """Visible articles among `ids` -> their version documents (absent ids: not visible)."""
    ids = list(set(ids))
    if not ids:
        return {}
    articles = list(session.scalars(
        _article_select().where(Article.id.in_(ids), article_visible())
    ))
    return _article_docs_from(session, articles)


# -- discussions ---------------------------------------------------------------------

def _discussion_doc(d: Discussion, themes: list[str]) -> Doc:
    fam = family(d.language)
    text = html_to_text(d.body_html)
    return _finish({
        "id": f"discussion:{d.id}",
        "group": f"discussion:{d.id}",
        "parent": f"discussion:{d.id}",
        "type": "discussion",
        "lang": d.language,
        "theme": ",".join(themes),
        "tag": ",".join(sorted(t.name for t in d.tags)),
        "author": author_name(d.author),
        "created": _naive_utc(d.created_at),
        "updated": _naive_utc(d.updated_at),
        title_field(fam): d.title,
        text_field(fam): text,
        "spell": _spell(d.title, text),
    })


def _discussion_select() -> Any:
    return select(Discussion).options(
        selectinload(Discussion.author), selectinload(Discussion.tags)
    )


def _discussion_docs_from(session: Session, items: list[Discussion]) -> dict[int, Doc]:
    themes = _themes(session, discussion_themes, "discussion_id", (d.id for d in items))
    return {d.id: _discussion_doc(d, themes.get(d.id, [])) for d in items}


def discussion_docs(session: Session, ids: Iterable[int]) -> dict[int, Doc]:
    ids = list(set(ids))
    if not ids:
        return {}
    items = list(session.scalars(
        _discussion_select().where(Discussion.id.in_(ids), discussion_visible())
    ))
    return _discussion_docs_from(session, items)


# -- comments ------------------------------------------------------------------------

def _comment_select() -> Any:
    return (
        select(Comment, Article.original_language, Discussion.language)
        .outerjoin(Article, Comment.article_id == Article.id)
        .outerjoin(Discussion, Comment.discussion_id == Discussion.id)
        .options(selectinload(Comment.author))
        .where(comment_visible())
    )


def _comment_doc(c: Comment, lang: str) -> Doc:
    parent = (
        f"article:{c.article_id}" if c.article_id is not None
        else f"discussion:{c.discussion_id}"
    )
    text = html_to_text(c.body_html)
    return _finish({
        "id": f"comment:{c.id}",
        "group": f"comment:{c.id}",
        "parent": parent,
        "type": "comment",
        "lang": lang,
        "author": author_name(c.author),
        "created": _naive_utc(c.created_at),
        "updated": _naive_utc(c.edited_at or c.created_at),
        text_field(family(lang)): text,
        "spell": _spell("", text),
    })


def _comment_docs_from(rows: Iterable[Any]) -> dict[int, Doc]:
    return {c.id: _comment_doc(c, art_lang or disc_lang) for c, art_lang, disc_lang in rows}


def comment_docs(session: Session, ids: Iterable[int]) -> dict[int, Doc]:
    ids = list(set(ids))
    if not ids:
        return {}
    return _comment_docs_from(session.execute(_comment_select().where(Comment.id.in_(ids))))


def comment_docs_under(
    session: Session, article_ids: Iterable[int] = (), discussion_ids: Iterable[int] = ()
) -> dict[int, Doc]:
    """Visible comments of these pages (a page that became visible brings them back)."""
    article_ids, discussion_ids = list(article_ids), list(discussion_ids)
    conditions = []
    if article_ids:
        conditions.append(Comment.article_id.in_(article_ids))
    if discussion_ids:
        conditions.append(Comment.discussion_id.in_(discussion_ids))
    if not conditions:
        return {}
    return _comment_docs_from(session.execute(_comment_select().where(or_(*conditions))))


# -- a member's items (a name change or account deletion changes their documents) ---------

def items_by_author(session: Session, user_ids: Iterable[int]) -> dict[str, list[int]]:
    ids = list(set(user_ids))
    if not ids:
        return {"article": [], "discussion": [], "comment": []}
    return {
        "article": list(session.scalars(select(Article.id).where(Article.author_id.in_(ids)))),
        "discussion": list(
            session.scalars(select(Discussion.id).where(Discussion.author_id.in_(ids)))
        ),
        "comment": list(session.scalars(select(Comment.id).where(Comment.author_id.in_(ids)))),
    }


# -- everything, in batches (rebuild and check) ------------------------------------------

def count_documents(session: Session) -> int:
    versions = session.scalar(
        select(func.count(ArticleTranslation.id))
        .join(Article, ArticleTranslation.article_id == Article.id)
        .where(article_visible())
    ) or 0
    discussions = session.scalar(select(func.count(Discussion.id)).where(discussion_visible())) or 0
    comments = session.scalar(
        select(func.count(Comment.id))
        .outerjoin(Article, Comment.article_id == Article.id)
        .outerjoin(Discussion, Comment.discussion_id == Discussion.id)
        .where(comment_visible())
    ) or 0
    return versions + discussions + comments


def iter_all_documents(session: Session, batch_size: int = 500) -> Iterator[Doc]:
    """Every document, read by id ranges so memory stays flat whatever the corpus size.

    The session is expunged after each batch: rows are not kept in its identity map.
    """
    last = 0
    while True:
        articles = list(session.scalars(
            _article_select().where(Article.id > last, article_visible())
            .order_by(Article.id).limit(batch_size)
        ))
        if not articles:
            break
        last = articles[-1].id
        for docs in _article_docs_from(session, articles).values():
            yield from docs
        session.expunge_all()
    last = 0
    while True:
        items = list(session.scalars(
            _discussion_select().where(Discussion.id > last, discussion_visible())
            .order_by(Discussion.id).limit(batch_size)
        ))
        if not items:
            break
        last = items[-1].id
        yield from _discussion_docs_from(session, items).values()
        session.expunge_all()
    last = 0
    while True:
        rows = list(session.execute(
            _comment_select().where(Comment.id > last).order_by(Comment.id).limit(batch_size * 2)
        ))
        if not rows:
            break
        last = rows[-1][0].id
        yield from _comment_docs_from(rows).values()
        session.expunge_all()
