"""Event times in words (Babel, the page's locale) and as an iCalendar file (RFC 5545).

Event instants are stored in UTC with the event's IANA zone beside them; the page
shows the event's own wall-clock time with its UTC offset, and the viewer's time too
when the viewer lives in another zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_skeleton, get_timezone_location
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _

from app.articles.models import Article
from app.db_types import utcnow


@dataclass
class EventTimes:
    own: str  # in the event's zone: "22 March 2021, 14:00–15:30 Paris time (UTC+1)"
    viewer: str | None  # the same in the viewer's zone, when that zone differs
    is_past: bool


def utc_offset_label(moment: datetime) -> str:
    """'UTC+1', 'UTC−3', 'UTC+5:30', 'UTC' — the offset in force at that moment."""
    offset = moment.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign = "+" if minutes > 0 else "−"
    hours, mins = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{mins:02d}" if mins else "")


def zone_label(zone: ZoneInfo, locale: str) -> str:
    """'Paris time', 'heure de Paris'... the zone's main city in the page's language."""
    if zone.key == "UTC":
        return "UTC"
    city = get_timezone_location(zone, locale=locale, return_city=True)
    return _("%(city)s time", city=city)


def format_range(start: datetime, end: datetime, zone: ZoneInfo, locale: str) -> str:
    """One event's span in one zone, in words, for the page's locale."""
    start_l, end_l = start.astimezone(zone), end.astimezone(zone)
    day = format_date(start_l, "long", locale=locale)
    start_t = format_skeleton("Hm", start_l, locale=locale)
    end_t = format_skeleton("Hm", end_l, locale=locale)
    where = zone_label(zone, locale)
    offset = utc_offset_label(start_l)
    if zone.key == "UTC":  # "UTC (UTC)" says nothing twice
        if start_l.date() == end_l.date():
            return _("%(date)s, %(start)s–%(end)s UTC", date=day, start=start_t, end=end_t)
        return _("%(date)s, %(start)s – %(end_date)s, %(end)s UTC", date=day, start=start_t,
                 end_date=format_date(end_l, "long", locale=locale), end=end_t)
    if start_l.date() == end_l.date():
        return _("%(date)s, %(start)s–%(end)s %(zone)s (%(offset)s)", date=day, start=start_t,
                 end=end_t, zone=where, offset=offset)
    end_day = format_date(end_l, "long", locale=locale)
    return _("%(date)s, %(start)s – %(end_date)s, %(end)s %(zone)s (%(offset)s)", date=day,
             start=start_t, end_date=end_day, end=end_t, zone=where, offset=offset)


def _viewer_zone() -> ZoneInfo:
    tz = get_timezone()
    key = getattr(tz, "key", None) or getattr(tz, "zone", None) or str(tz)
    try:
        return ZoneInfo(key)
    except (ValueError, KeyError, OSError):
        return ZoneInfo("UTC")


def event_times(article: Article, now: datetime | None = None) -> EventTimes | None:
    """The event's times for display, or None for an article that is not a dated event."""
    if not (article.is_event and article.event_start_utc and article.event_timezone):
        return None
    locale = str(get_locale() or "en")
    start = article.event_start_utc
    end = article.event_end_utc or start
    own_zone = ZoneInfo(article.event_timezone)
    own = format_range(start, end, own_zone, locale)
    viewer_zone = _viewer_zone()
    viewer = None
    # Same offset at the start means the same wall-clock time: no need to say it twice.
    if start.astimezone(viewer_zone).utcoffset() != start.astimezone(own_zone).utcoffset():
        viewer = format_range(start, end, viewer_zone, locale)
    return EventTimes(own=own, viewer=viewer, is_past=end < (now or utcnow()))


def short_when(article: Article) -> str:
    """The line under an event in a list: its own time and zone."""
    times = event_times(article)
    return times.own if times else ""


def event_calendar(article: Article, language: str, url: str, host: str) -> bytes:
    """A one-event iCalendar file: times in UTC, summary in the page's language version."""
    # Imported here: icalendar costs ~25 ms at start-up and only this download needs it.
    from icalendar import Calendar, Event

    version = article.best_version(language)
    cal = Calendar()
    cal.add("prodid", "-//Agora//Agora events//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"article-{article.id}@{host}")
    event.add("dtstamp", utcnow().replace(microsecond=0))
    start = article.event_start_utc.astimezone(UTC)  # type: ignore[union-attr]
    end = (article.event_end_utc or article.event_start_utc).astimezone(UTC)  # type: ignore[union-attr]
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", version.title)
    if version.summary:
        event.add("description", version.summary)
    event.add("url", url)
    location = article.online_url if article.is_online else article.venue
    if location:
        event.add("location", location)
    if article.updated_at:
        event.add("last-modified", article.updated_at.astimezone(UTC).replace(microsecond=0))
    cal.add_component(event)
    return cal.to_ical()
