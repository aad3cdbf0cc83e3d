"""Events: times in the event's zone and the viewer's, the .ics file, past and upcoming."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from icalendar import Calendar
from sqlalchemy import select

from app.articles.models import Article
from app.extensions import db
from tests.articles.helpers import follow

EVENT_FORM = {
    "kind": "event",
    "original_language": "en",
    "title": "Spring school for adult educators",
    "summary": "Two days of workshops.",
    "body": "<p>Workshops on guidance and quality.</p>",
    "event_timezone": "Europe/Paris",
    "venue": "Maison des associations, Lyon",
    "registration_url": "https://example.org/register",
    "publish": "1",
}


def _event(client, **fields) -> Article:  # noqa: ANN003
    r = client.post("/en/articles/new", data=dict(EVENT_FORM, **fields))
    assert r.status_code == 302, r.text
    return db.session.scalars(select(Article).order_by(Article.id.desc())).first()


def test_event_across_dst_is_stored_in_utc_and_exported(client, make_user, login):
    login(make_user("anna"))
    # Summer time starts in Paris on 28 March 2021 at 02:00 (UTC+1 -> UTC+2).
    article = _event(client, event_start="2021-03-27T20:00", event_end="2021-03-28T10:00")
    assert article.event_timezone == "Europe/Paris"
    assert article.event_start_utc == datetime(2021, 3, 27, 19, 0, tzinfo=UTC)
    assert article.event_end_utc == datetime(2021, 3, 28, 8, 0, tzinfo=UTC)

    r = client.get(f"/en/articles/{article.id}/event.ics")
    assert r.status_code == 200
    assert r.mimetype == "text/calendar"
    cal = Calendar.from_ical(r.data)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 1
    ev = events[0]
    assert ev.decoded("dtstart") == datetime(2021, 3, 27, 19, 0, tzinfo=UTC)
    assert ev.decoded("dtend") == datetime(2021, 3, 28, 8, 0, tzinfo=UTC)
    assert str(ev["summary"]) == "Spring school for adult educators"
    assert str(ev["uid"]).startswith(f"article-{article.id}@")
    assert ev.decoded("dtstamp").tzinfo is not None
    assert str(ev["location"]) == "Maison des associations, Lyon"
    assert str(ev["url"]).endswith(f"/en/articles/{article.id}-spring-school-for-adult-educators")
    assert str(cal["version"]) == "2.0" and cal["prodid"]
    # RFC 5545: CRLF line endings, UTC times written with a trailing Z.
    assert b"\r\n" in r.data and b"DTSTART:20210327T190000Z" in r.data


def test_ics_summary_follows_the_page_language(client, make_user, login, add_version):
    anna = make_user("anna")
    login(anna)
    article = _event(client, event_start="2021-03-22T14:00", event_end="2021-03-22T15:30")
    add_version(article.id, anna, "fr", "École de printemps des formateurs")
    cal = Calendar.from_ical(client.get(f"/fr/articles/{article.id}/event.ics").data)
    ev = next(iter(cal.walk("VEVENT")))
    assert str(ev["summary"]) == "École de printemps des formateurs"
    assert "/fr/articles/" in str(ev["url"])


def test_event_page_shows_own_zone_offset_and_past(client, make_user, login):
    anna = make_user("anna")
    login(anna)
    article = _event(client, event_start="2021-03-22T14:00", event_end="2021-03-22T15:30")
    client.set_cookie("agora_tz", "Europe/Paris")
    page = follow(client, client.get(f"/en/articles/{article.id}")).text
    assert "March 22, 2021, 14:00–15:30 Paris time (UTC+1)" in page
    assert "This event has taken place." in page
    assert "Your time:" not in page  # same zone as the event
    assert f'href="/en/articles/{article.id}/event.ics"' in page
    fr = follow(client, client.get(f"/fr/articles/{article.id}")).text
    assert "22 mars 2021, 14:00–15:30" in fr


def test_event_shown_in_viewer_zone_when_different(client, make_user, login):
    login(make_user("anna"))
    article = _event(client, event_start="2021-03-22T14:00", event_end="2021-03-22T15:30")
    login(make_user("ny", timezone="America/New_York"))
    page = follow(client, client.get(f"/en/articles/{article.id}")).text
    assert "March 22, 2021, 14:00–15:30 Paris time (UTC+1)" in page
    # New York is already on summer time (UTC−4) that day: 13:00 UTC is 09:00 there.
    assert "Your time: March 22, 2021, 09:00–10:30 New York time (UTC−4)" in page


def test_event_validation(client, make_user, login):
    login(make_user("anna"))
    r = client.post("/en/articles/new", data=dict(
        EVENT_FORM, event_start="2030-05-01T10:00", event_end="2030-05-01T09:00",
        event_timezone="Mars/Olympus", venue=""))
    assert r.status_code == 422
    assert 'id="event_timezone-error"' in r.text
    assert 'id="event_end-error"' in r.text
    assert 'id="venue-error"' in r.text
    r = client.post("/en/articles/new", data=dict(
        EVENT_FORM, event_start="2030-05-01T10:00", event_end="2030-05-01T11:00",
        is_online="y", online_url="javascript:alert(1)"))
    assert r.status_code == 422
    assert 'id="online_url-error"' in r.text
    assert db.session.scalars(select(Article)).first() is None


def test_online_event_and_home_lists_upcoming_only(client, make_user, login):
    login(make_user("anna"))
    soon = datetime.now(UTC) + timedelta(days=10)
    day = soon.strftime("%Y-%m-%d")
    _event(client, title="Upcoming webinar on guidance", event_start=f"{day}T10:00",
           event_end=f"{day}T11:00", is_online="y", venue="",
           online_url="https://meet.example.org/room")
    _event(client, title="Past conference", event_start="2020-01-10T09:00",
           event_end="2020-01-10T17:00")
    home = client.get("/en/").text
    panel = home.split('id="upcoming-events"')[1].split("</section>")[0]
    assert "Upcoming webinar on guidance" in panel
    assert "Past conference" not in panel
    article = db.session.scalars(select(Article).where(Article.is_online.is_(True))).one()
    cal = Calendar.from_ical(client.get(f"/en/articles/{article.id}/event.ics").data)
    assert str(next(iter(cal.walk("VEVENT")))["location"]) == "https://meet.example.org/room"


def test_ics_only_for_events(client, make_user, make_article):
    article = make_article(make_user("anna"))
    assert client.get(f"/en/articles/{article.id}/event.ics").status_code == 404
