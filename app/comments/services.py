"""Comment logic shared by article comments and discussion replies.

Services change the session and never commit: the view commits once, so a count
update and the write that causes it land in one transaction (or not at all).
Counts are updated with `SET n = n + 1` statements, which stay exact under
concurrent writers on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, literal, select, update
from sqlalchemy.orm import joinedload, selectinload

from app.articles.models import Article
from app.auth.models import User
from app.comments.models import Comment
from app.db_types import UTCDateTime, utcnow
from app.discussions.models import Discussion
from app.extensions import db
from app.sanitize import clean_comment_text

MAX_LENGTH = 5000


class CommentError(ValueError):
    """A comment that cannot be saved; str(err) is a translated, user-facing message."""


def _check_body(body: str) -> str:
    text = (body or "").strip()
    if not text:
        raise CommentError(_l("Write something first."))
    if len(text) > MAX_LENGTH:
        raise CommentError(_l("A comment can be at most %(n)d characters.", n=MAX_LENGTH))
    return text


def _bump_count(comment: Comment, delta: int, touch_activity: bool = False) -> None:
    if comment.article_id is not None:
        db.session.execute(
            update(Article)
            .where(Article.id == comment.article_id)
            .values(comment_count=Article.comment_count + delta)
        )
    else:
        values = {"reply_count": Discussion.reply_count + delta}
        if touch_activity:
            # Never move backwards: a writer that waited for the lock may carry an
            # earlier timestamp than one that committed before it.
            when = literal(comment.created_at, UTCDateTime())
            values["last_activity_at"] = case(
                (Discussion.last_activity_at < when, when), else_=Discussion.last_activity_at
            )
        db.session.execute(
            update(Discussion).where(Discussion.id == comment.discussion_id).values(**values)
        )


def post_comment(
    author: User,
    body: str,
    *,
    article: Article | None = None,
    discussion: Discussion | None = None,
    parent: Comment | None = None,
) -> Comment:
    """Add a comment (article) or reply (discussion); counts follow in the same transaction.

    Article comments have one level of replies: answering a reply attaches to its parent.
    """
    if (article is None) == (discussion is None):
        raise ValueError("a comment belongs to exactly one article or discussion")
    text = _check_body(body)
    parent_id = None
    if parent is not None:
        same_item = (
            parent.article_id == article.id if article is not None
            else parent.discussion_id == discussion.id  # type: ignore[union-attr]
        )
        if not same_item or not parent.is_visible:
            raise CommentError(_l("The comment you are answering is no longer available."))
        parent_id = parent.parent_id or parent.id
    comment = Comment(
        author_id=author.id,
        article_id=article.id if article is not None else None,
        discussion_id=discussion.id if discussion is not None else None,
        parent_id=parent_id,
        body_html=clean_comment_text(text),
        created_at=utcnow(),
    )
    db.session.add(comment)
    db.session.flush()
    _bump_count(comment, +1, touch_activity=True)
    from app.notifications.services import notify_new_comment

    notify_new_comment(comment)
    return comment


def edit_window_open(comment: Comment) -> bool:
    window = timedelta(seconds=current_app.config["COMMENT_EDIT_WINDOW"])
    return utcnow() - comment.created_at <= window


def can_edit(user: User, comment: Comment) -> bool:
    """Only the author, only within the edit window, only while visible."""
    return (
        user.is_authenticated
        and comment.author_id == user.id
        and comment.is_visible
        and edit_window_open(comment)
    )


def can_delete(user: User, comment: Comment) -> bool:
    return user.is_authenticated and comment.deleted_at is None and (
        comment.author_id == user.id or user.is_moderator
    )


def edit_comment(comment: Comment, body: str) -> Comment:
    comment.body_html = clean_comment_text(_check_body(body))
    comment.edited_at = utcnow()
    return comment


def delete_comment(comment: Comment) -> None:
    if comment.deleted_at is not None:
        return
    was_visible = comment.is_visible
    comment.deleted_at = utcnow()
    if was_visible:
        _bump_count(comment, -1)


def hide_comment(comment: Comment, moderator: User, note: str = "") -> None:
    from app.moderation.services import log_action

    if comment.hidden_at is not None:
        return
    was_visible = comment.is_visible
    comment.hidden_at = utcnow()
    if was_visible:
        _bump_count(comment, -1)
    log_action(moderator, "hide", "comment", comment.id, note)


def unhide_comment(comment: Comment, moderator: User, note: str = "") -> None:
    from app.moderation.services import log_action

    if comment.hidden_at is None:
        return
    comment.hidden_at = None
    if comment.is_visible:
        _bump_count(comment, +1)
    log_action(moderator, "unhide", "comment", comment.id, note)


def comments_query(
    *, article_id: int | None = None, discussion_id: int | None = None,
    include_hidden: bool = False,
) -> Select:
    """Comments of one item, oldest first, authors eager-loaded.

    Deleted comments are left out; hidden ones only when include_hidden (moderators).
    """
    # Authors joined in the same query: one query for the whole thread, whatever its size.
    stmt = select(Comment).options(joinedload(Comment.author)).where(
        Comment.deleted_at.is_(None)
    )
    if article_id is not None:
        stmt = stmt.where(Comment.article_id == article_id)
    else:
        stmt = stmt.where(Comment.discussion_id == discussion_id)
    if not include_hidden:
        stmt = stmt.where(Comment.hidden_at.is_(None))
    return stmt.order_by(Comment.created_at, Comment.id)


def get_comment(comment_id: int) -> Comment | None:
    return db.session.scalar(
        select(Comment).options(selectinload(Comment.author)).where(Comment.id == comment_id)
    )


@dataclass
class Thread:
    """A top-level comment and its replies (one level), oldest first."""

    comment: Comment
    replies: list[Comment] = field(default_factory=list)


def thread_comments(comments: list[Comment]) -> list[Thread]:
    """Group a flat, oldest-first list into top-level comments with their replies.

    A reply whose parent is not in the list (deleted, or hidden from this viewer) is
    left out with it: it would make no sense alone.
    """
    threads: dict[int, Thread] = {}
    for c in comments:
        if c.parent_id is None:
            threads[c.id] = Thread(c)
    for c in comments:
        if c.parent_id is not None and c.parent_id in threads:
            threads[c.parent_id].replies.append(c)
    return list(threads.values())
