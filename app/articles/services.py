"""Article logic: writing, language versions, review, deletion, and the small lists
other areas show (home panels, profile, sitemap).

Services change the session and never commit; the view commits once. Bodies are
sanitized here, at write time, and stored clean: reads never sanitize.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from slugify import slugify
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.articles.models import Article, ArticleTheme, ArticleTranslation
from app.auth.models import User
from app.comments.models import Comment
from app.db_types import utcnow
from app.extensions import db
from app.sanitize import clean_rich_html, plain_summary
from app.taxonomy import get_or_create_tags, parse_tags

SLUG_LENGTH = 80


class VersionExists(ValueError):
    """A language version already exists; str(err) is a user-facing message."""


@dataclass
class VersionText:
    """The text of one language version as the writer typed it (body not yet clean)."""

    title: str
    summary: str
    body: str


@dataclass
class ArticleInput:
    """Everything the article form collects. Event times are naive local wall-clock times."""

    kind: str
    original_language: str
    text: VersionText
    themes: list[str] = field(default_factory=list)
    tags: str = ""
    event_start_local: datetime | None = None
    event_end_local: datetime | None = None
    event_timezone: str = ""
    venue: str = ""
    is_online: bool = False
    online_url: str = ""
    registration_url: str = ""


# -- small helpers -------------------------------------------------------------

def make_slug(title: str) -> str:
    """Unicode-aware slug ('Éducation des adultes' -> 'éducation-des-adultes')."""
    slug = slugify(title, allow_unicode=True, max_length=SLUG_LENGTH, word_boundary=True)
    return slug or "article"


def local_to_utc(local: datetime, timezone: str) -> datetime:
    """A wall-clock time in an IANA zone -> the UTC instant (DST handled by zoneinfo)."""
    return local.replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def utc_to_local(instant: datetime, timezone: str) -> datetime:
    """The inverse, naive, for prefilling a datetime-local input."""
    return instant.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)


def can_view(user: User, article: Article) -> bool:
    """Public articles for all; drafts, review, rejected and hidden ones for author/moderators."""
    if article.is_visible:
        return True
    return bool(user.is_authenticated and (user.is_moderator or article.author_id == user.id))


def can_manage(user: User, article: Article) -> bool:
    """Edit the article, delete it, close its comments: author, moderators, admins."""
    return bool(user.is_authenticated and (user.is_moderator or article.author_id == user.id))


def can_edit_version(user: User, article: Article, version: ArticleTranslation) -> bool:
    """A language version: its translator, the article's author, moderators."""
    if can_manage(user, article):
        return True
    return bool(user.is_authenticated and version.translator_id == user.id)


def _write_text(version: ArticleTranslation, text: VersionText) -> bool:
    """Store cleaned text on a version; True when the words changed."""
    body_html = clean_rich_html(text.body)
    title = text.title.strip()
    summary = text.summary.strip() or plain_summary(body_html, 200)
    changed = (version.title, version.summary, version.body_html) != (title, summary, body_html)
    version.title = title
    version.summary = summary
    version.body_html = body_html
    version.slug = make_slug(title)
    version.updated_at = utcnow()
    return changed


def _apply_fields(article: Article, data: ArticleInput) -> None:
    article.kind = data.kind
    allowed = current_app.config["THEMES"]
    wanted = [t for t in dict.fromkeys(data.themes) if t in allowed]
    current = {link.theme: link for link in article.theme_links}
    article.theme_links = [current.get(t) or ArticleTheme(theme=t) for t in wanted]
    article.tags = get_or_create_tags(parse_tags(data.tags))
    if data.kind == "event" and data.event_start_local and data.event_timezone:
        article.event_timezone = data.event_timezone
        article.event_start_utc = local_to_utc(data.event_start_local, data.event_timezone)
        end = data.event_end_local or data.event_start_local
        article.event_end_utc = local_to_utc(end, data.event_timezone)
        article.is_online = data.is_online
        article.venue = data.venue.strip()
        article.online_url = data.online_url.strip()
        article.registration_url = data.registration_url.strip()
    else:
        article.event_timezone = ""
        article.event_start_utc = article.event_end_utc = None
        article.is_online = False
        article.venue = article.online_url = ""
        article.registration_url = data.registration_url.strip() if data.kind == "event" else ""


def _apply_status(article: Article, editor: User, publish: bool) -> None:
    """Draft or publish; with ARTICLE_REVIEW, a member's publish waits for a moderator.

    An article that is already public stays public when its author edits it; moderators'
    own articles never wait for review.
    """
    if not publish:
        article.status = "draft"
        return
    if article.status == "published":
        return
    if current_app.config.get("ARTICLE_REVIEW") and not editor.is_moderator:
        article.status = "review"
        article.rejection_reason = ""
        return
    article.status = "published"
    article.rejection_reason = ""
    if article.published_at is None:
        article.published_at = utcnow()


# -- writing ---------------------------------------------------------------------

def create_article(author: User, data: ArticleInput, publish: bool) -> Article:
    now = utcnow()
    article = Article(
        author_id=author.id,
        original_language=data.original_language,
        status="draft",
        rejection_reason="",
        comments_open=True,
        created_at=now,
        updated_at=now,
        original_version=1,
        comment_count=0,
        theme_links=[],
        tags=[],
        translations=[],
    )
    _apply_fields(article, data)
    original = ArticleTranslation(
        language=data.original_language, translator_id=None, source_version=1, created_at=now,
        title="", summary="", body_html="",
    )
    _write_text(original, data.text)
    article.translations.append(original)
    _apply_status(article, author, publish)
    db.session.add(article)
    db.session.flush()
    return article


def update_article(article: Article, editor: User, data: ArticleInput, publish: bool) -> None:
    """Edit the article and its original version.

    Changing the original's words bumps `original_version`, so every other version
    reads as "may be outdated" until someone updates it.
    """
    original = article.original
    if data.original_language != article.original_language:
        if article.version(data.original_language) is not None:
            raise VersionExists(_l("There is already a version in this language."))
        original.language = data.original_language
        article.original_language = data.original_language
    _apply_fields(article, data)
    if _write_text(original, data.text):
        article.original_version += 1
    original.source_version = article.original_version
    _apply_status(article, editor, publish)
    article.updated_at = utcnow()


def add_version(
    article: Article, translator: User, language: str, text: VersionText
) -> ArticleTranslation:
    """A new language version; one per language, never over an existing one."""
    if article.version(language) is not None:
        raise VersionExists(_l("There is already a version in this language. "
                               "Edit that version instead."))
    now = utcnow()
    version = ArticleTranslation(
        language=language, translator_id=translator.id,
        source_version=article.original_version, created_at=now,
        title="", summary="", body_html="",
    )
    _write_text(version, text)
    article.translations.append(version)
    article.updated_at = now
    db.session.flush()
    return version


def update_version(article: Article, version: ArticleTranslation, text: VersionText) -> None:
    """Edit a non-original version; it now follows the current original (clears "outdated")."""
    _write_text(version, text)
    version.source_version = article.original_version
    article.updated_at = utcnow()


def set_comments_open(article: Article, is_open: bool) -> None:
    article.comments_open = is_open


def delete_article(article: Article) -> None:
    """Delete an article, its versions and its comments.

    SQLite does not enforce ON DELETE CASCADE here, so comments are removed explicitly:
    replies first (their parent_id cascades on PostgreSQL), then the rest, as ORM deletes
    so session listeners (search) see every removed row.
    """
    comments = list(db.session.scalars(select(Comment).where(Comment.article_id == article.id)))
    for reply in (c for c in comments if c.parent_id is not None):
        db.session.delete(reply)
    db.session.flush()
    for top in (c for c in comments if c.parent_id is None):
        db.session.delete(top)
    db.session.flush()
    db.session.delete(article)


def load_for_delete(article_id: int) -> Article | None:
    """Deleting walks every collection; load them now (relationships never lazy-load)."""
    return db.session.scalar(
        select(Article).where(Article.id == article_id).options(
            selectinload(Article.translations),
            selectinload(Article.tags),
            selectinload(Article.theme_links),
        )
    )


# -- review -----------------------------------------------------------------------

def approve_article(article: Article, moderator: User) -> None:
    """Publish an article that waited for review (called from the moderation queue)."""
    from app.moderation.services import log_action

    article.status = "published"
    article.rejection_reason = ""
    if article.published_at is None:
        article.published_at = utcnow()
    log_action(moderator, "approve", "article", article.id)


def reject_article(article: Article, moderator: User, reason: str) -> None:
    """Send an article back to its author with a reason they see on the article page."""
    from app.moderation.services import log_action

    article.status = "rejected"
    article.rejection_reason = (reason or "").strip()
    log_action(moderator, "reject", "article", article.id, article.rejection_reason)


def articles_in_review(limit: int = 50) -> list[Article]:
    """The moderation queue's articles, oldest first, versions and author loaded."""
    return list(db.session.scalars(
        select(Article).where(Article.status == "review")
        .options(selectinload(Article.translations), selectinload(Article.author))
        .order_by(Article.updated_at, Article.id).limit(limit)
    ))


# -- lists for other areas (home, profile, sitemap) ------------------------------

def latest_articles(language: str, limit: int = 6) -> list:
    from app.articles.queries import latest_cards

    return latest_cards(language, limit)


def upcoming_events(language: str, limit: int = 5) -> list:
    from app.articles.queries import upcoming_event_cards

    return upcoming_event_cards(language, limit)


def articles_by_author(user, viewer, language: str, limit: int = 20) -> list:  # noqa: ANN001
    from app.articles.queries import author_cards

    return author_cards(user, viewer, language, limit)


def sitemap_articles() -> list[dict]:
    from app.articles.queries import sitemap_entries

    return sitemap_entries()
