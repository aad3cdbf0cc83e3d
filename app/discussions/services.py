"""Discussion logic: starting, listing, replying, and the moderator switches.

Services change the session and never commit; the view commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from flask_babel import lazy_gettext as _l
from slugify import slugify
from sqlalchemy import Select, delete, func, insert, select
from sqlalchemy.orm import joinedload, selectinload

from app.articles.models import Article
from app.auth.models import User
from app.comments import services as comments
from app.comments.models import Comment
from app.db_types import utcnow
from app.discussions.models import Discussion
from app.extensions import db
from app.sanitize import clean_rich_html, html_to_text, plain_summary
from app.taxonomy import Tag, discussion_tags, discussion_themes, get_or_create_tags, parse_tags

PER_PAGE = 20
REPLIES_PER_PAGE = 50

# Window / lock states, in the order they are checked.
OPEN, LOCKED, NOT_YET_OPEN, CLOSED = "open", "locked", "not_yet_open", "closed"


class ReplyRefused(PermissionError):
    """Replying is not allowed now (locked, before the window, after it)."""


# -- URLs --------------------------------------------------------------------------

def make_slug(title: str) -> str:
    return slugify(title, max_length=80, word_boundary=True) or "discussion"


def discussion_url(d: Discussion, **kwargs) -> str:  # noqa: ANN003
    return url_for("discussions.show", discussion_id=d.id, slug=d.slug, **kwargs)


def reply_permalink(comment_id: int) -> str:
    return url_for("discussions.reply_permalink", comment_id=comment_id)


def article_url(article: Article, language: str) -> str:
    """An article's page in `language` (its translations must be loaded)."""
    from app.articles.queries import article_url as url

    return url(article, language)


# -- starting ------------------------------------------------------------------------

def create_discussion(
    author: User,
    *,
    title: str,
    body: str,
    language: str,
    themes: list[str] | None = None,
    tags: str = "",
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
) -> Discussion:
    """A new discussion; its starter follows it. Body HTML is sanitized here, once."""
    from app.notifications.services import subscribe

    body_html = clean_rich_html(body)
    now = utcnow()
    discussion = Discussion(
        author_id=author.id,
        language=language,
        title=title.strip(),
        slug=make_slug(title),
        body_html=body_html,
        summary=plain_summary(body_html, 200),
        opens_at=opens_at,
        closes_at=closes_at,
        locked=False,
        pinned=False,
        reply_count=0,
        last_activity_at=now,
        created_at=now,
        updated_at=now,
    )
    discussion.tags = get_or_create_tags(parse_tags(tags))
    db.session.add(discussion)
    db.session.flush()
    set_themes(discussion.id, themes or [])
    subscribe(author.id, "discussion", discussion.id)
    return discussion


def set_themes(discussion_id: int, themes: list[str]) -> None:
    db.session.execute(delete(discussion_themes).where(
        discussion_themes.c.discussion_id == discussion_id))
    unique = list(dict.fromkeys(themes))
    if unique:
        db.session.execute(insert(discussion_themes), [
            {"discussion_id": discussion_id, "theme": t} for t in unique])


def themes_of(discussion_ids: list[int]) -> dict[int, list[str]]:
    """Themes of many discussions in one query."""
    found: dict[int, list[str]] = {i: [] for i in discussion_ids}
    if discussion_ids:
        rows = db.session.execute(
            select(discussion_themes.c.discussion_id, discussion_themes.c.theme)
            .where(discussion_themes.c.discussion_id.in_(discussion_ids))
            .order_by(discussion_themes.c.theme)
        )
        for discussion_id, theme in rows:
            found[discussion_id].append(theme)
    return found


# -- reading -----------------------------------------------------------------------

def get_discussion(discussion_id: int, viewer: User | None) -> Discussion | None:
    """The discussion with author and tags, or None (hidden ones only for moderators)."""
    d = db.session.scalar(
        select(Discussion)
        .options(joinedload(Discussion.author), selectinload(Discussion.tags))
        .where(Discussion.id == discussion_id)
    )
    if d is None or (d.hidden_at is not None and not _is_moderator(viewer)):
        return None
    return d


def _is_moderator(viewer: User | None) -> bool:
    return bool(viewer is not None and viewer.is_authenticated and viewer.is_moderator)


def list_query(*, language: str = "", theme: str = "", tag: str = "",
               include_hidden: bool = False) -> Select:
    """Pinned first, then by last activity, newest first; authors and tags eager-loaded."""
    stmt = select(Discussion).options(
        selectinload(Discussion.author), selectinload(Discussion.tags)
    )
    if not include_hidden:
        stmt = stmt.where(Discussion.hidden_at.is_(None))
    if language:
        stmt = stmt.where(Discussion.language == language)
    if theme:
        stmt = stmt.where(Discussion.id.in_(
            select(discussion_themes.c.discussion_id).where(discussion_themes.c.theme == theme)))
    if tag:
        stmt = stmt.where(Discussion.id.in_(
            select(discussion_tags.c.discussion_id)
            .join(Tag, Tag.id == discussion_tags.c.tag_id)
            .where(Tag.name == tag)))
    return stmt.order_by(
        Discussion.pinned.desc(), Discussion.last_activity_at.desc(), Discussion.id.desc()
    )


@dataclass
class PanelItem:
    url: str
    title: str
    summary: str


def latest_discussions(limit: int = 5) -> list[PanelItem]:
    """The panel beside articles and on the home page: visible discussions only."""
    rows = db.session.scalars(
        select(Discussion)
        .where(Discussion.hidden_at.is_(None))
        .order_by(Discussion.last_activity_at.desc(), Discussion.id.desc())
        .limit(limit)
    )
    return [PanelItem(discussion_url(d), d.title, d.summary) for d in rows]


def discussions_by_author(user: User, viewer, limit: int = 20) -> list[PanelItem]:  # noqa: ANN001
    stmt = select(Discussion).where(Discussion.author_id == user.id)
    if not _is_moderator(viewer):
        stmt = stmt.where(Discussion.hidden_at.is_(None))
    rows = db.session.scalars(stmt.order_by(Discussion.created_at.desc()).limit(limit))
    return [PanelItem(discussion_url(d), d.title, d.summary) for d in rows]


def sitemap_discussions() -> list[dict]:
    rows = db.session.execute(
        select(Discussion.id, Discussion.slug, Discussion.language, Discussion.last_activity_at)
        .where(Discussion.hidden_at.is_(None))
        .order_by(Discussion.id)
    )
    return [
        {
            "loc": url_for("discussions.show", lang=language, discussion_id=i, slug=slug,
                           _external=True),
            "lastmod": last.date().isoformat() if last else None,
        }
        for i, slug, language, last in rows
    ]


# -- replies -----------------------------------------------------------------------

def reply_state(d: Discussion, now: datetime | None = None) -> str:
    now = now or utcnow()
    if d.locked:
        return LOCKED
    if d.opens_at is not None and now < d.opens_at:
        return NOT_YET_OPEN
    if d.closes_at is not None and now >= d.closes_at:
        return CLOSED
    return OPEN


def post_reply(d: Discussion, author: User, body: str) -> Comment:
    """A reply (raises ReplyRefused when locked or outside the window, CommentError on bad text)."""
    if reply_state(d) != OPEN or d.hidden_at is not None:
        raise ReplyRefused(_l("Replies are not open in this discussion."))
    return comments.post_comment(author, body, discussion=d)


def replies_page(d: Discussion, page: int, include_hidden: bool):  # noqa: ANN201
    stmt = comments.comments_query(discussion_id=d.id, include_hidden=include_hidden)
    return db.paginate(stmt, page=page, per_page=REPLIES_PER_PAGE, error_out=False)


def latest_reply_id(d: Discussion, include_hidden: bool) -> int | None:
    stmt = select(Comment.id).where(Comment.discussion_id == d.id, Comment.deleted_at.is_(None))
    if not include_hidden:
        stmt = stmt.where(Comment.hidden_at.is_(None))
    return db.session.scalar(stmt.order_by(Comment.created_at.desc(), Comment.id.desc()).limit(1))


def page_of_reply(comment: Comment, include_hidden: bool) -> int:
    """Which page of its discussion a reply is on (replies are oldest first)."""
    stmt = select(func.count(Comment.id)).where(
        Comment.discussion_id == comment.discussion_id,
        Comment.deleted_at.is_(None),
        (Comment.created_at < comment.created_at)
        | ((Comment.created_at == comment.created_at) & (Comment.id < comment.id)),
    )
    if not include_hidden:
        stmt = stmt.where(Comment.hidden_at.is_(None))
    before = db.session.scalar(stmt) or 0
    return before // REPLIES_PER_PAGE + 1


def quote_text(comment: Comment) -> str:
    """'> '-prefixed plain text of a reply, for the reply box."""
    # Comment HTML writes a line break as "<br>\n"; keep it one line break, not two.
    text = html_to_text(comment.body_html.replace("<br>\n", "<br>"))
    return "\n".join("> " + line if line else ">" for line in text.splitlines()) + "\n\n"


def get_reply(discussion: Discussion, comment_id: int) -> Comment | None:
    """A reply of this discussion that is not deleted (hidden ones included), or None."""
    c = comments.get_comment(comment_id)
    if c is None or c.discussion_id != discussion.id or c.deleted_at is not None:
        return None
    return c


# -- moderator switches ---------------------------------------------------------------

MODERATION_ACTIONS = ("lock", "unlock", "pin", "unpin", "hide", "unhide")


def moderate(d: Discussion, moderator: User, action: str, note: str = "") -> bool:
    """Apply a moderator action; returns False (and logs nothing) when it changes nothing."""
    from app.moderation.services import log_action

    if action not in MODERATION_ACTIONS:
        raise ValueError(action)
    if action in ("lock", "unlock"):
        changed = d.locked != (action == "lock")
        d.locked = action == "lock"
    elif action in ("pin", "unpin"):
        changed = d.pinned != (action == "pin")
        d.pinned = action == "pin"
    else:
        changed = (d.hidden_at is None) == (action == "hide")
        if changed:
            d.hidden_at = utcnow() if action == "hide" else None
    if changed:
        log_action(moderator, action, "discussion", d.id, note)
    return changed
