"""Template globals and filters used across blueprints."""

from __future__ import annotations

from flask import Flask
from flask_login import current_user

from app import timeutil


def init_templating(app: Flask) -> None:
    app.jinja_env.filters["reltime"] = timeutil.relative_time
    app.jinja_env.filters["datetime"] = timeutil.local_datetime
    app.jinja_env.filters["iso"] = timeutil.iso
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    def unread_notifications() -> int:
        if not current_user.is_authenticated:
            return 0
        from app.notifications.services import unread_count

        return unread_count(current_user.id)

    app.jinja_env.globals["unread_notifications"] = unread_notifications
    app.jinja_env.globals["themes"] = lambda: app.config["THEMES"]
