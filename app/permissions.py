"""Role checks in one place: load-or-refuse helpers and decorators."""

from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def moderator_required(view):  # noqa: ANN001, ANN201
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003
        if not current_user.is_moderator:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def admin_required(view):  # noqa: ANN001, ANN201
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):  # noqa: ANN002, ANN003
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def can_edit(owner_id: int | None) -> bool:
    """Owner, moderator or admin."""
    if not current_user.is_authenticated:
        return False
    return current_user.is_moderator or (owner_id is not None and owner_id == current_user.id)


def require_owner_or_moderator(owner_id: int | None) -> None:
    if not can_edit(owner_id):
        abort(403)
