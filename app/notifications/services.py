"""Subscriptions and notifications.

Subscriptions are written with INSERT ... ON CONFLICT DO NOTHING so two replies from
the same member racing each other never fail on the unique constraint. A new comment
fans out to its subscribers in one INSERT ... SELECT, whatever their number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, event, func, insert, literal, select, update
from sqlalchemy.orm import Session, selectinload

from app.articles.models import Article
from app.comments.models import Comment
from app.db_types import UTCDateTime, utcnow
from app.extensions import db
from app.notifications.models import Notification, Subscription

TARGET_TYPES = ("article", "discussion")
PER_PAGE = 50


def unread_count(user_id: int) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
    ) or 0


# -- subscriptions -------------------------------------------------------------

def _insert_ignoring_duplicates(bind: Session | Connection, user_id: int, target_type: str,
                                target_id: int) -> None:
    values = {"user_id": user_id, "target_type": target_type, "target_id": target_id,
              "created_at": utcnow()}
    dialect = bind.dialect.name if isinstance(bind, Connection) else bind.get_bind().dialect.name
    # Each dialect's module imported only where it runs (PostgreSQL's costs ~15 ms at start-up).
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        stmt = postgresql.insert(Subscription).values(**values).on_conflict_do_nothing()
    elif dialect == "sqlite":
        from sqlalchemy.dialects import sqlite

        stmt = sqlite.insert(Subscription).values(**values).on_conflict_do_nothing()
    else:  # pragma: no cover  (only the two supported databases)
        raise NotImplementedError(dialect)
    bind.execute(stmt)


def subscribe(user_id: int, target_type: str, target_id: int) -> None:
    if target_type not in TARGET_TYPES:
        raise ValueError(f"cannot subscribe to {target_type!r}")
    _insert_ignoring_duplicates(db.session, user_id, target_type, target_id)


def unsubscribe(user_id: int, target_type: str, target_id: int) -> None:
    db.session.execute(
        delete(Subscription).where(
            Subscription.user_id == user_id,
            Subscription.target_type == target_type,
            Subscription.target_id == target_id,
        )
    )


def is_subscribed(user_id: int, target_type: str, target_id: int) -> bool:
    return db.session.scalar(
        select(Subscription.id).where(
            Subscription.user_id == user_id,
            Subscription.target_type == target_type,
            Subscription.target_id == target_id,
        )
    ) is not None


@event.listens_for(Article, "after_insert")
def _subscribe_article_author(mapper, connection: Connection, article: Article) -> None:  # noqa: ANN001
    """Authors follow the comments on their own articles from the moment the row exists.

    A mapper event rather than a call in the articles code, so every way of creating an
    article (form, demo, import) subscribes its author.
    """
    if article.author_id is not None:
        _insert_ignoring_duplicates(connection, article.author_id, "article", article.id)


# -- notifications ---------------------------------------------------------------

def notify_new_comment(comment: Comment) -> None:
    """Notify every subscriber of the comment's item except its author (one INSERT ... SELECT).

    Runs inside post_comment's transaction. Whoever replies to a discussion follows it
    from then on.
    """
    if comment.discussion_id is not None:
        target_type, target_id, kind = "discussion", comment.discussion_id, "reply"
    else:
        target_type, target_id, kind = "article", comment.article_id, "comment"
    when = comment.created_at or utcnow()
    subscribers = select(
        Subscription.user_id,
        literal(comment.author_id).label("actor_id"),
        literal(kind).label("kind"),
        literal(target_type).label("target_type"),
        literal(target_id).label("target_id"),
        literal(comment.id).label("comment_id"),
        literal(when, UTCDateTime()).label("created_at"),
    ).where(Subscription.target_type == target_type, Subscription.target_id == target_id)
    if comment.author_id is not None:
        subscribers = subscribers.where(Subscription.user_id != comment.author_id)
    db.session.execute(
        insert(Notification).from_select(
            ["user_id", "actor_id", "kind", "target_type", "target_id", "comment_id",
             "created_at"],
            subscribers,
        )
    )
    if target_type == "discussion" and comment.author_id is not None:
        subscribe(comment.author_id, "discussion", target_id)


@dataclass
class NotificationItem:
    notification: Notification
    title: str
    url: str
    was_unread: bool


def notifications_page(user_id: int, page: int, language: str):  # noqa: ANN201
    """One page of a member's notifications, newest first, with their targets' titles.

    Targets are loaded in one query per type, never per notification.
    """
    stmt = (
        select(Notification)
        .options(selectinload(Notification.actor))
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
    )
    pagination = db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)
    return pagination, describe(pagination.items, language)


def describe(notifications: list[Notification], language: str) -> list[NotificationItem]:
    from app.discussions.models import Discussion
    from app.discussions.services import article_url, discussion_url, reply_permalink

    discussion_ids = {n.target_id for n in notifications if n.target_type == "discussion"}
    article_ids = {n.target_id for n in notifications if n.target_type == "article"}
    discussions = {}
    if discussion_ids:
        discussions = {d.id: d for d in db.session.scalars(
            select(Discussion).where(Discussion.id.in_(discussion_ids)))}
    articles = {}
    if article_ids:
        articles = {a.id: a for a in db.session.scalars(
            select(Article).options(selectinload(Article.translations))
            .where(Article.id.in_(article_ids)))}
    items = []
    for n in notifications:
        title, url = "", ""
        if n.target_type == "discussion" and n.target_id in discussions:
            d = discussions[n.target_id]
            title = d.title
            url = reply_permalink(n.comment_id) if n.comment_id else discussion_url(d)
        elif n.target_type == "article" and n.target_id in articles:
            a = articles[n.target_id]
            title = a.best_version(language).title
            url = article_url(a, language)
            if n.comment_id:
                url += f"#comment-{n.comment_id}"
        items.append(NotificationItem(n, title, url, n.read_at is None))
    return items


def mark_read(user_id: int, notification_ids: list[int] | None = None,
              now: datetime | None = None) -> int:
    """Mark the member's own notifications read (all, or those ids); returns how many."""
    stmt = update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    if notification_ids is not None:
        if not notification_ids:
            return 0
        stmt = stmt.where(Notification.id.in_(notification_ids))
    result = db.session.execute(stmt.values(read_at=now or utcnow()))
    return result.rowcount or 0
