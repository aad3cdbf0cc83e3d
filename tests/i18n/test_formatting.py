"""Dates, times, numbers and plurals in the page's locale and the viewer's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_babel import ngettext

from app.extensions import db
from app.timeutil import local_date, local_datetime, number, relative_time, zoned_datetime

MOMENT = datetime(2026, 3, 9, 14, 30, tzinfo=UTC)


def in_page(app, path, fn, headers=None):
    with app.test_request_context(path, headers=headers or {}):
        app.preprocess_request()
        return fn()


def test_same_date_renders_differently_under_de_and_en(app):
    en = in_page(app, "/en/", lambda: local_datetime(MOMENT, "long"))
    de = in_page(app, "/de/", lambda: local_datetime(MOMENT, "long"))
    assert en == "March 9, 2026, 2:30\u202fPM"
    assert de == "9. März 2026, 14:30"


def test_profile_page_shows_member_since_in_page_locale(app, client, make_user):
    user = make_user("anna")
    user.created_at = MOMENT
    db.session.commit()
    assert "9. März 2026" in client.get("/de/users/anna").get_data(as_text=True)
    assert "March 9, 2026" in client.get("/en/users/anna").get_data(as_text=True)
    assert "9 mars 2026" in client.get("/fr/users/anna").get_data(as_text=True)


def test_relative_time_is_localised(app):
    three_hours_ago = datetime.now(UTC) - timedelta(hours=3)
    assert in_page(app, "/en/", lambda: relative_time(three_hours_ago)) == "3 hours ago"
    assert in_page(app, "/fr/", lambda: relative_time(three_hours_ago)) == "il y a 3 heures"
    assert in_page(app, "/de/", lambda: relative_time(three_hours_ago)) == "vor 3 Stunden"
    assert in_page(app, "/pl/", lambda: relative_time(three_hours_ago)) == "3 godziny temu"
    assert in_page(app, "/es/", lambda: relative_time(datetime.now(UTC))) == "ahora mismo"


def test_language_without_catalog_still_formats_with_its_own_cldr_data(app):
    assert in_page(app, "/fi/", lambda: local_date(MOMENT, "long")) == "9. maaliskuuta 2026"


def test_numbers_follow_the_locale(app):
    assert in_page(app, "/en/", lambda: number(1234.5)) == "1,234.5"
    assert in_page(app, "/de/", lambda: number(1234.5)) == "1.234,5"


def test_polish_has_three_plural_forms(app):
    def forms():
        return [ngettext("%(num)d unread", "%(num)d unread", n) for n in (1, 3, 5, 22)]

    assert in_page(app, "/pl/", forms) == [
        "1 nieprzeczytane", "3 nieprzeczytane", "5 nieprzeczytanych", "22 nieprzeczytane",
    ]


def test_times_use_the_browser_zone_from_the_cookie(app):
    # agora.js stores encodeURIComponent(Intl...timeZone): "Europe%2FParis".
    cookie = {"Cookie": "agora_tz=Europe%2FParis"}
    assert in_page(app, "/en/", lambda: local_datetime(MOMENT, "short")) == "3/9/26, 2:30\u202fPM"
    assert in_page(app, "/en/", lambda: local_datetime(MOMENT, "short"), cookie) == (
        "3/9/26, 3:30\u202fPM"
    )
    bogus = {"Cookie": "agora_tz=Mars%2FOlympus"}
    assert in_page(app, "/en/", lambda: local_datetime(MOMENT, "short"), bogus) == (
        "3/9/26, 2:30\u202fPM"
    )


def test_member_setting_wins_over_the_cookie(app, client, make_user, login):
    user = make_user("bea", timezone="Europe/Warsaw")
    user.created_at = MOMENT
    db.session.commit()
    login(user)
    client.set_cookie("agora_tz", "America%2FNew_York", domain="localhost")
    page = client.get("/en/users/bea").get_data(as_text=True)
    assert "March 9, 2026, 3:30\u202fPM" in page  # Warsaw (UTC+1), not New York


def test_event_zone_is_named(app):
    text = in_page(app, "/fr/", lambda: zoned_datetime(MOMENT, "America/New_York"))
    assert text == "9 mars 2026, 10:30 (America/New_York)"


def test_written_out_language_names_are_cldrs():
    from app.config import EU_LANGUAGES
    from app.i18n import NATIVE_NAMES, _cldr_native_name

    assert set(NATIVE_NAMES) == set(EU_LANGUAGES)
    assert {code: _cldr_native_name(code) for code in EU_LANGUAGES} == NATIVE_NAMES


def test_a_page_does_not_load_every_languages_cldr_data(tmp_path):
    # In a fresh process, as a new worker: Babel keeps what it loaded (~1 MB a language).
    import subprocess
    import sys

    script = (
        "import babel.localedata\n"
        "from app import create_app\n"
        f"app = create_app({{'TESTING': True, 'SECRET_KEY': 'x',"
        f" 'INSTANCE_PATH': {str(tmp_path)!r},"
        f" 'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path}/a.db'}})\n"
        "from app.extensions import db\n"
        "with app.app_context(): db.create_all()\n"
        "assert app.test_client().get('/en/').status_code == 200\n"
        "print(len(babel.localedata._cache))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, timeout=60)
    assert int(out.stdout.split()[-1]) < 5
