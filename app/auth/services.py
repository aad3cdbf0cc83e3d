"""Account logic: registration, authentication, password reset tokens, roles."""

from __future__ import annotations

import hashlib

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select

from app.auth.models import ROLES, User
from app.extensions import db, login_manager

RESET_SALT = "agora.password-reset"


def configure_login(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to continue.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(token: str) -> User | None:
        user = db.session.scalar(select(User).where(User.session_token == token))
        if user is None or not user.is_active:
            return None
        return user


def find_by_username(username: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.username) == username.lower()))


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email.strip().lower()))


def find_by_login(login: str) -> User | None:
    login = login.strip()
    return find_by_email(login) if "@" in login else find_by_username(login)


def username_taken(username: str) -> bool:
    return find_by_username(username) is not None


def email_taken(email: str) -> bool:
    return find_by_email(email) is not None


def create_user(
    username: str,
    email: str,
    password: str,
    *,
    preferred_language: str = "en",
    role: str = "member",
    display_name: str = "",
) -> User:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    user = User(
        username=username.strip(),
        email=email.strip().lower(),
        preferred_language=preferred_language,
        role=role,
        display_name=display_name,
    )
    user.set_password(password)
    db.session.add(user)
    return user


def authenticate(login: str, password: str) -> User | None:
    """The member for these credentials, or None (one answer for every failure)."""
    user = find_by_login(login)
    if user is None:
        # Spend the same time hashing, so timing does not reveal unknown accounts.
        User(password_hash=_dummy_hash()).check_password(password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user


_DUMMY: dict[str, str] = {}


def _dummy_hash() -> str:
    if "h" not in _DUMMY:
        from werkzeug.security import generate_password_hash

        _DUMMY["h"] = generate_password_hash("not-a-real-password", method="scrypt")
    return _DUMMY["h"]


# -- password reset -------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def _password_fingerprint(user: User) -> str:
    # Part of the token: once the password changes, every earlier link is dead (single use).
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_reset_token(user: User) -> str:
    return _serializer().dumps({"uid": user.id, "fp": _password_fingerprint(user)})


def user_for_reset_token(token: str) -> User | None:
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(data, dict):
        return None
    user = db.session.get(User, data.get("uid"))
    if user is None or not user.is_active or data.get("fp") != _password_fingerprint(user):
        return None
    return user


def reset_password(user: User, password: str) -> None:
    user.set_password(password)
    user.rotate_session_token()  # sign out everywhere


# -- administration ---------------------------------------------------------------


def set_role(user: User, role: str) -> None:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    user.role = role


def set_active(user: User, active: bool) -> None:
    user.is_active_flag = active
    if not active:
        user.rotate_session_token()  # their sessions end now
