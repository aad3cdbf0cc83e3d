"""`flask users ...` and `flask seed ...` commands."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from app.auth import services as accounts
from app.auth.models import ROLES
from app.extensions import db

users_cli = AppGroup("users", help="Manage members.")
seed_cli = AppGroup("seed", help="Load demonstration data.")


@users_cli.command("create-admin")
@click.option("--username", prompt=True)
@click.option("--email", prompt=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--role", type=click.Choice(ROLES), default="admin", show_default=True)
def create_admin(username: str, email: str, password: str, role: str) -> None:
    """Create an administrator (or, with --role, a moderator or member)."""
    from app.auth.passwords import password_problem

    if accounts.username_taken(username):
        raise click.ClickException(f"username {username!r} is taken")
    if accounts.email_taken(email):
        raise click.ClickException(f"email {email!r} is already used")
    problem = password_problem(password, [username, email])
    if problem:
        raise click.ClickException(problem)
    user = accounts.create_user(username, email, password, role=role)
    db.session.commit()
    click.echo(f"Created {role} {user.username} (id {user.id}).")


@seed_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no members yet.")
def seed_demo(if_empty: bool) -> None:
    """Demo members, articles and discussions in several languages."""
    from app.seed import load_demo

    load_demo(if_empty=if_empty, echo=click.echo)


def register(app: Flask) -> None:
    from app.backup import register as register_backup

    app.cli.add_command(users_cli)
    app.cli.add_command(seed_cli)
    register_backup(app)
