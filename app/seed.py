"""Demonstration data for `make run` and `flask seed demo`."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from app.auth import services as accounts
from app.auth.models import User
from app.extensions import db

DEMO_PASSWORD = "agora-demo-Lantern-42"
DEMO_MEMBERS = [
    # username, email, role, language, display name
    ("admin", "admin@agora.example", "admin", "en", "Ada Admin"),
    ("moderator", "moderator@agora.example", "moderator", "fr", "Modeste Moderateur"),
    ("anna", "anna@agora.example", "member", "de", "Anna Weber"),
    ("marie", "marie@agora.example", "member", "fr", "Marie Dubois"),
    ("lucia", "lucia@agora.example", "member", "es", "Lucía García"),
]


def load_demo(if_empty: bool = False, echo: Callable[[str], None] = print) -> None:
    count = db.session.scalar(select(func.count(User.id))) or 0
    if if_empty and count:
        echo("Database already has members; no demo data loaded.")
        return
    users = {}
    for username, email, role, lang, name in DEMO_MEMBERS:
        user = accounts.find_by_username(username)
        if user is None:
            user = accounts.create_user(username, email, DEMO_PASSWORD, preferred_language=lang,
                                        role=role, display_name=name)
        users[username] = user
    db.session.commit()
    from app.demo_content import load_demo_content

    load_demo_content(users)
    db.session.commit()
    echo(f"Demo members (password for all: {DEMO_PASSWORD}):")
    for username, _email, role, _lang, _name in DEMO_MEMBERS:
        echo(f"  {username:<10} {role}")
