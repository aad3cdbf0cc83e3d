"""Time zones and localised dates: stored in UTC, shown in the viewer's zone and locale."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache, lru_cache
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale
from babel.dates import (
    DateTimePattern,
    get_date_format,
    get_datetime_format,
    get_time_format,
    parse_pattern,
)
from flask import has_request_context, request
from flask_babel import (
    format_date,
    format_datetime,
    format_decimal,
    format_timedelta,
    get_locale,
    to_user_timezone,
)
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


@lru_cache(maxsize=64)
def babel_locale(code: str) -> Locale:
    """One Locale per language for the process: Locale.parse builds a new one per call."""
    return Locale.parse(code)


@lru_cache(maxsize=256)
def _date_and_time_patterns(locale: str, fmt: str) -> tuple[str, DateTimePattern, DateTimePattern]:
    """The locale's way of joining a date and a time, and both patterns, parsed once.

    A comment list shows two dates per comment: looking these up in CLDR every time
    (what babel.dates.format_date/format_time do) was a visible share of the page.
    """
    loc = babel_locale(locale)
    joined = str(get_datetime_format(fmt, locale=loc))
    # CLDR quotes literal text ("{1} 'at' {0}"); '' is a literal apostrophe.
    joined = joined.replace("''", "\x00").replace("'", "").replace("\x00", "'")
    return (joined, parse_pattern(get_date_format(fmt, locale=loc)),
            parse_pattern(get_time_format("short", locale=loc)))


def _date_and_time(value: datetime, fmt: str, locale: str) -> str:
    """CLDR date of width `fmt` plus a short time (no seconds), joined the locale's way.

    `value` is already in the zone to show; the same result as babel.dates'
    format_date(value, fmt) and format_time(value, "short", tzinfo=value.tzinfo).
    """
    joined, date_pattern, time_pattern = _date_and_time_patterns(locale, fmt)
    loc = babel_locale(locale)
    day = value.date()
    return (joined.replace("{1}", date_pattern.apply(day, loc))
            .replace("{0}", time_pattern.apply(value.timetz(), loc, reference_date=day)))


def local_datetime(value: datetime | None, fmt: str = "medium") -> str:
    """A date and time in the viewer's time zone and the page's locale.

    fmt "short" | "medium" | "long" | "full": that date width with hours and minutes
    ("Mar 3, 2026, 10:00 AM", "03.03.2026, 10:00"); anything else is a CLDR pattern.
    """
    if value is None:
        return ""
    if fmt not in ("short", "medium", "long", "full"):
        return format_datetime(_aware(value), fmt)
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
