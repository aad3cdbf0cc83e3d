"""Time zones and localised dates: stored in UTC, shown in the viewer's zone and locale."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import request
from flask_babel import format_datetime, format_timedelta, get_locale
from flask_login import current_user

from app.i18n import TZ_COOKIE


@cache
def all_timezones() -> list[str]:
    return sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc/"))


def is_valid_timezone(name: str) -> bool:
    if not name or len(name) > 64:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def select_timezone() -> str:
    """Flask-Babel's timezone selector: the member's setting, the browser's cookie, UTC."""
    try:
        if current_user and current_user.is_authenticated and current_user.timezone:
            return current_user.timezone
    except RuntimeError:  # outside a request
        return "UTC"
    cookie = request.cookies.get(TZ_COOKIE, "") if request else ""
    if is_valid_timezone(cookie):
        return cookie
    return "UTC"


def utc_now() -> datetime:
    return datetime.now(UTC)


def relative_time(value: datetime | None) -> str:
    """'3 hours ago' / 'il y a 3 heures' in the page's locale."""
    if value is None:
        return ""
    delta = value - utc_now()
    return format_timedelta(delta, add_direction=True, granularity="minute")


def local_datetime(value: datetime | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    return format_datetime(value, fmt)


def iso(value: datetime | None) -> str:
    return value.astimezone(UTC).isoformat() if value else ""


def locale_code() -> str:
    return str(get_locale() or "en")
