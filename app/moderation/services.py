"""Moderation logic: the action log (and, with the moderation work, reports and queues)."""

from __future__ import annotations

from app.auth.models import User
from app.extensions import db
from app.moderation.models import ModerationAction


def log_action(moderator: User, action: str, target_type: str, target_id: int,
               note: str = "") -> ModerationAction:
    entry = ModerationAction(moderator_id=moderator.id, action=action, target_type=target_type,
                             target_id=target_id, note=note)
    db.session.add(entry)
    return entry
