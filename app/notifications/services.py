"""Notifications (filled in by the discussions work)."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.notifications.models import Notification


def unread_count(user_id: int) -> int:
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
    ) or 0


def notify_new_comment(comment) -> None:  # noqa: ANN001
    """Tell subscribers of the comment's article or discussion (filled in by discussions work)."""
    return None
