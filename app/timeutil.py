"""Time zones and localised dates: stored in UTC, shown in the viewer's zone and locale."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from flask import has_request_context, request
from flask_babel import format_date, format_datetime, format_decimal, format_timedelta, get_locale
from flask_babel import gettext as _
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
    if not has_request_context():
        return "UTC"
    try:
        setting = current_user.timezone if current_user.is_authenticated else None
    except RuntimeError:  # no login manager on this app (scripts)
        setting = None
    if setting and is_valid_timezone(setting):
        return setting
    # agora.js writes the cookie with encodeURIComponent ("Europe%2FParis"); werkzeug
    # does not percent-decode cookie values.
    cookie = unquote(request.cookies.get(TZ_COOKIE, ""))
    if is_valid_timezone(cookie):
        return cookie
    return "UTC"


def utc_now() -> datetime:
    return datetime.now(UTC)


JUST_NOW = timedelta(seconds=45)


def _aware(value: datetime) -> datetime:
    # Stored times are UTC (UTCDateTime); a naive value can only be UTC too.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def relative_time(value: datetime | None, now: datetime | None = None) -> str:
    """'3 hours ago' / 'il y a 3 heures' / 'in 2 days' in the page's locale (CLDR)."""
    if value is None:
        return ""
    delta = _aware(value) - (now or utc_now())
    if abs(delta) < JUST_NOW:
        return _("just now")
    return format_timedelta(delta, add_direction=True, granularity="minute")


def _date_and_time(value: datetime, fmt: str, locale: str) -> str:
    """CLDR date of width `fmt` plus a short time (no seconds), joined the locale's way."""
    from babel.dates import format_date as babel_date
    from babel.dates import format_time as babel_time
    from babel.dates import get_datetime_format

    joined = str(get_datetime_format(fmt, locale=locale))
    # CLDR quotes literal text ("{1} 'at' {0}"); '' is a literal apostrophe.
    joined = joined.replace("''", "\x00").replace("'", "").replace("\x00", "'")
    return (joined.replace("{1}", babel_date(value, fmt, locale=locale))
            .replace("{0}", babel_time(value, "short", tzinfo=value.tzinfo, locale=locale)))


def local_datetime(value: datetime | None, fmt: str = "medium") -> str:
    """A date and time in the viewer's time zone and the page's locale.

    fmt "short" | "medium" | "long" | "full": that date width with hours and minutes
    ("Mar 3, 2026, 10:00 AM", "03.03.2026, 10:00"); anything else is a CLDR pattern.
    """
    if value is None:
        return ""
    if fmt not in ("short", "medium", "long", "full"):
        return format_datetime(_aware(value), fmt)
    from flask_babel import to_user_timezone

    return _date_and_time(to_user_timezone(_aware(value)), fmt, locale_code())


def local_date(value: datetime | date | None, fmt: str = "medium") -> str:
    """Only the date (a datetime is first moved into the viewer's time zone)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = _aware(value)
    return format_date(value, fmt)


def zoned_datetime(value: datetime | None, zone: str, fmt: str = "medium") -> str:
    """A time in a given zone (an event's own), the zone named: '3 mars 2026, 10:00 (Europe/Paris)'.

    The IANA name is shown rather than CLDR's short names, which are often just "+0100".
    """
    if value is None:
        return ""
    tz = ZoneInfo(zone) if is_valid_timezone(zone) else UTC
    local = _aware(value).astimezone(tz)
    return f"{_date_and_time(local, fmt, locale_code())} ({zone if tz is not UTC else 'UTC'})"


def number(value: float | int | None) -> str:
    """1234.5 -> '1,234.5' (en) / '1 234,5' (fr) / '1.234,5' (de)."""
    if value is None:
        return ""
    return format_decimal(value)


def iso(value: datetime | None) -> str:
    return value.astimezone(UTC).isoformat() if value else ""


def locale_code() -> str:
    return str(get_locale() or "en")
