"""Members and their accounts."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from app.db_types import UTCDateTime, utcnow
from app.extensions import db

ROLES = ("member", "moderator", "admin")


def new_session_token() -> str:
    return secrets.token_hex(24)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40))
    email: Mapped[str] = mapped_column(String(254), unique=True)  # stored lower-case
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(100), default="")
    bio: Mapped[str] = mapped_column(Text, default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    country: Mapped[str] = mapped_column(String(2), default="")
    preferred_language: Mapped[str] = mapped_column(String(8), default="en")
    timezone: Mapped[str] = mapped_column(String(64), default="")
    role: Mapped[str] = mapped_column(String(16), default="member", index=True)
    is_active_flag: Mapped[bool] = mapped_column("is_active", Boolean, default=True)
    # Flask-Login's id: rotating it ends every session and "remember me" cookie.
    session_token: Mapped[str] = mapped_column(
        String(64), unique=True, default=new_session_token
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # -- Flask-Login ---------------------------------------------------------
    def get_id(self) -> str:
        return self.session_token

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return bool(self.is_active_flag) and self.deleted_at is None

    def rotate_session_token(self) -> None:
        self.session_token = new_session_token()

    # -- passwords -----------------------------------------------------------
    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    # -- roles ---------------------------------------------------------------
    @property
    def is_moderator(self) -> bool:
        return self.role in ("moderator", "admin")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def name(self) -> str:
        if self.deleted_at is not None:
            from flask_babel import gettext

            return gettext("deleted member")
        return self.display_name or self.username

    def __repr__(self) -> str:
        return f"<User {self.username}>"


# Usernames are unique whatever their case ("Anna" and "anna" are one name).
Index("uq_users_username_lower", func.lower(User.username), unique=True)
