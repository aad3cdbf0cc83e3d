"""GDPR: a member's data as JSON, and erasing an account.

Deleting keeps the users row (so foreign keys stay valid) but scrubs every
personal field; content is either kept, shown under "deleted member", or removed.
"""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from app.articles.models import Article, ArticleTranslation
from app.auth.models import User
from app.comments.models import Comment
from app.db_types import utcnow
from app.discussions.models import Discussion
from app.extensions import db
from app.notifications.models import Notification, Subscription


def _iso(value) -> str | None:  # noqa: ANN001
    return value.isoformat() if value else None


def export_user_data(user: User) -> dict[str, Any]:
    """Everything Agora holds about `user`, in one JSON-ready document."""
    articles = db.session.scalars(
        select(Article).options(selectinload(Article.translations))
        .where(Article.author_id == user.id).order_by(Article.id)
    ).all()
    versions = db.session.scalars(
        select(ArticleTranslation).where(ArticleTranslation.translator_id == user.id)
        .order_by(ArticleTranslation.id)
    ).all()
    comments = db.session.scalars(
        select(Comment).where(Comment.author_id == user.id).order_by(Comment.id)
    ).all()
    discussions = db.session.scalars(
        select(Discussion).where(Discussion.author_id == user.id).order_by(Discussion.id)
    ).all()
    return {
        "profile": {
            "username": user.username,
            "email": user.email,
            "display_name": user.display_name,
            "bio": user.bio,
            "organisation": user.organisation,
            "country": user.country,
            "preferred_language": user.preferred_language,
            "timezone": user.timezone,
            "role": user.role,
            "created_at": _iso(user.created_at),
        },
        "articles": [
            {
                "id": a.id, "kind": a.kind, "status": a.status,
                "original_language": a.original_language,
                "created_at": _iso(a.created_at), "published_at": _iso(a.published_at),
                "versions": [
                    {"language": t.language, "title": t.title, "summary": t.summary,
                     "body_html": t.body_html}
                    for t in a.translations
                ],
            }
            for a in articles
        ],
        "translations": [
            {"article_id": t.article_id, "language": t.language, "title": t.title,
             "summary": t.summary, "body_html": t.body_html,
             "updated_at": _iso(t.updated_at)}
            for t in versions
        ],
        "comments": [
            {"id": c.id, "article_id": c.article_id, "discussion_id": c.discussion_id,
             "body_html": c.body_html, "created_at": _iso(c.created_at),
             "deleted": c.deleted_at is not None}
            for c in comments
        ],
        "discussions": [
            {"id": d.id, "language": d.language, "title": d.title, "body_html": d.body_html,
             "created_at": _iso(d.created_at)}
            for d in discussions
        ],
    }


def delete_account(user: User, remove_content: bool) -> None:
    """Erase personal data; keep content under "deleted member", or remove it too."""
    from app.comments.services import delete_comment

    if remove_content:
        for comment in db.session.scalars(
            select(Comment).where(Comment.author_id == user.id, Comment.deleted_at.is_(None))
        ):
            delete_comment(comment)
            comment.body_html = ""
        for article in db.session.scalars(select(Article).where(Article.author_id == user.id)):
            db.session.delete(article)
        for discussion in db.session.scalars(
            select(Discussion).where(Discussion.author_id == user.id)
        ):
            db.session.delete(discussion)
    db.session.execute(delete(Subscription).where(Subscription.user_id == user.id))
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))
    marker = secrets.token_hex(6)
    user.username = f"deleted-{marker}"
    user.email = f"deleted-{marker}@invalid"
    user.display_name = ""
    user.bio = ""
    user.organisation = ""
    user.country = ""
    user.timezone = ""
    user.password_hash = "!"  # matches no password
    user.is_active_flag = False
    user.deleted_at = utcnow()
    user.rotate_session_token()
