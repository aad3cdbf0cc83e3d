"""Registration, login, logout, password reset, settings — through HTTP, as a member would."""

from __future__ import annotations

import email
import email.policy
import re
from pathlib import Path

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from app.auth.models import User
from app.auth.services import RESET_SALT, make_reset_token
from app.extensions import db
from tests.conftest import TEST_PASSWORD

STRONG = "Violet-harbour-kettle-73"


def register(client, **fields):
    data = {
        "username": "newbie",
        "email": "newbie@example.org",
        "password": STRONG,
        "password2": STRONG,
        "preferred_language": "fr",
        "website": "",
    }
    data.update(fields)
    return client.post("/en/auth/register", data=data)


def count_users(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(User.id)))


def test_register_creates_member_logs_in_and_goes_home_in_their_language(client, app):
    response = register(client)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/fr/")
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "newbie"))
        assert user.email == "newbie@example.org"
        assert user.role == "member"
        assert user.preferred_language == "fr"
        assert user.password_hash.startswith("scrypt:")
        assert STRONG not in user.password_hash
    page = client.get("/en/")
    assert "newbie" in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"username": "ANNA"}, "username", "This username is already taken."),
        ({"email": "Anna@Example.ORG"}, "email", "An account with this email already exists."),
    ],
)
def test_duplicate_username_or_email_case_insensitive_is_a_field_error(
    client, app, make_user, fields, field, message
):
    make_user("anna", email="anna@example.org")
    before = count_users(app)
    response = register(client, **fields)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    assert message in html
    assert count_users(app) == before
    # What the user typed is kept, except the password.
    assert 'value="newbie@example.org"' in html or 'value="Anna@Example.ORG"' in html
    assert STRONG not in html


def test_register_rejects_mismatched_and_weak_passwords(client, app):
    response = register(client, password2="something-else-entirely-9")
    assert response.status_code == 422
    assert "The passwords do not match." in response.get_data(as_text=True)
    response = register(client, password="password12", password2="password12")
    assert response.status_code == 422
    assert "too easy to guess" in response.get_data(as_text=True)
    response = register(client, password="short", password2="short")
    assert "at least 10 characters" in response.get_data(as_text=True)
    assert count_users(app) == 0


def test_error_is_tied_to_its_field_for_screen_readers(client):
    html = register(client, email="not-an-email").get_data(as_text=True)
    tag = re.search(r'<input[^>]*id="email"[^>]*>', html).group(0)
    assert re.search(r'aria-describedby="[^"]*email-error', tag)


def test_honeypot_filled_by_a_bot_creates_nothing(client, app):
    response = register(client, website="http://spam.example")
    assert response.status_code == 400
    assert count_users(app) == 0


def login_post(client, login, password=TEST_PASSWORD, next_=None, remember=False):
    url = "/en/auth/login" + (f"?next={next_}" if next_ else "")
    data = {"login": login, "password": password}
    if remember:
        data["remember"] = "y"
    return client.post(url, data=data)


def test_login_with_username_or_email(client, make_user):
    make_user("anna")
    response = login_post(client, "Anna")
    assert response.status_code == 302
    client.post("/en/auth/logout")
    response = login_post(client, "ANNA@example.org")
    assert response.status_code == 302
    assert "anna" in client.get("/en/").get_data(as_text=True)


def test_wrong_password_and_unknown_user_get_the_same_message(client, make_user):
    make_user("anna")
    wrong = login_post(client, "anna", "not-the-password-1")
    unknown = login_post(client, "nobody", "not-the-password-1")
    assert wrong.status_code == unknown.status_code == 422
    message = "Wrong username, email or password."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil.example",
                                    "javascript:alert(1)"])
def test_next_is_followed_only_when_local(client, make_user, target):
    make_user("anna")
    response = login_post(client, "anna", next_=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/en/"


def test_next_local_path_is_followed(client, make_user):
    make_user("anna")
    response = login_post(client, "anna", next_="/en/settings")
    assert response.headers["Location"] == "/en/settings"


def test_remember_me_sets_a_lasting_cookie(client, make_user):
    make_user("anna")
    response = login_post(client, "anna", remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("remember_token=") and "HttpOnly" in c for c in cookies)


def test_session_cookie_is_httponly_and_lax(client, make_user):
    make_user("anna")
    response = login_post(client, "anna")
    session_cookie = next(c for c in response.headers.getlist("Set-Cookie")
                          if c.startswith("session="))
    assert "HttpOnly" in session_cookie
    assert "SameSite=Lax" in session_cookie


def test_logout_is_post_only_and_ends_remembered_sessions(client, app, make_user):
    user = make_user("anna")
    old_token = user.session_token
    login_post(client, "anna", remember=True)
    assert client.get("/en/auth/logout").status_code == 405
    response = client.post("/en/auth/logout")
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, user.id).session_token != old_token
    # A stolen copy of the old remember cookie no longer logs anyone in.
    fresh = app.test_client()
    with fresh.session_transaction() as session:
        session["_user_id"] = old_token
    assert fresh.get("/en/settings").status_code == 302


def test_deactivated_member_cannot_log_in_and_their_session_ends(client, app, make_user, login):
    user = make_user("anna")
    login(user)
    assert client.get("/en/settings").status_code == 200
    with app.app_context():
        from app.auth.services import set_active

        set_active(db.session.get(User, user.id), False)
        db.session.commit()
    assert client.get("/en/settings").status_code == 302
    response = login_post(client, "anna")
    assert response.status_code == 422
    assert "Wrong username, email or password." in response.get_data(as_text=True)


# -- password reset -----------------------------------------------------------------


def outbox_messages(app) -> list[str]:
    """Bodies of the emails written to instance/outbox/, oldest first."""
    folder = Path(app.instance_path) / "outbox"
    if not folder.exists():
        return []
    return [
        email.message_from_bytes(p.read_bytes(), policy=email.policy.default).get_content()
        for p in sorted(folder.glob("*.eml"))
    ]


def reset_link(app) -> str:
    body = outbox_messages(app)[-1]
    match = re.search(r"http://localhost(/\w\w/auth/reset/\S+)", body)
    assert match, body
    return match.group(1)


def test_reset_request_sends_a_link_that_changes_the_password_once(client, app, make_user):
    make_user("anna")
    response = client.post("/en/auth/reset", data={"email": "anna@example.org"})
    assert response.status_code == 302
    link = reset_link(app)
    assert client.get(link).status_code == 200
    new = "Copper-lantern-meadow-58"
    response = client.post(link, data={"password": new, "password2": new})
    assert response.status_code == 302
    assert login_post(client, "anna", new).status_code == 302
    client.post("/en/auth/logout")
    # Used once: the same link is refused now.
    reused = client.post(link, data={"password": STRONG, "password2": STRONG})
    assert reused.status_code == 302
    assert reused.headers["Location"].endswith("/en/auth/reset")
    assert login_post(client, "anna", STRONG).status_code == 422


def test_reset_does_not_reveal_whether_an_email_exists(client, app, make_user):
    make_user("anna")
    known = client.post("/en/auth/reset", data={"email": "anna@example.org"},
                        follow_redirects=True)
    unknown = client.post("/en/auth/reset", data={"email": "ghost@example.org"},
                          follow_redirects=True)
    assert known.status_code == unknown.status_code == 200
    flash = "If an account uses that address"
    assert flash in known.get_data(as_text=True) and flash in unknown.get_data(as_text=True)
    assert len(outbox_messages(app)) == 1


def test_expired_and_tampered_reset_tokens_are_refused(client, app, make_user):
    user = make_user("anna")
    with app.test_request_context():
        token = make_reset_token(user)
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    for bad in (tampered, "garbage"):
        response = client.get(f"/en/auth/reset/{bad}")
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/en/auth/reset")
    expired_app_token = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=RESET_SALT)
    with app.app_context():
        from app.auth.services import _password_fingerprint

        payload = {"uid": user.id, "fp": _password_fingerprint(db.session.get(User, user.id))}
    token = expired_app_token.dumps(payload)
    app.config["PASSWORD_RESET_MAX_AGE"] = 1
    import time as _time

    real_time = _time.time
    try:
        _time.time = lambda: real_time() + 3600  # an hour later
        response = client.get(f"/en/auth/reset/{token}")
    finally:
        _time.time = real_time
    assert response.status_code == 302


# -- profile and settings -------------------------------------------------------------


def test_profile_page_shows_public_fields_but_never_email(client, make_user):
    make_user("anna", display_name="Anna Weber", organisation="VHS Köln", country="DE",
              bio="I teach German to adults.")
    html = client.get("/en/users/anna").get_data(as_text=True)
    assert "Anna Weber" in html and "VHS Köln" in html and "I teach German" in html
    assert "anna@example.org" not in html
    assert client.get("/en/users/ghost").status_code == 404


def test_settings_update_and_validation(client, app, make_user, login):
    user = make_user("anna")
    login(user)
    response = client.post("/en/settings", data={
        "profile-display_name": "Anna W.", "profile-bio": "Hi", "profile-organisation": "VHS",
        "profile-country": "de", "profile-preferred_language": "de",
        "profile-timezone": "Europe/Berlin", "profile-submit": "1",
    })
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.get(User, user.id)
        assert (saved.display_name, saved.country, saved.preferred_language, saved.timezone) == (
            "Anna W.", "DE", "de", "Europe/Berlin")
    bad = client.post("/en/settings", data={
        "profile-display_name": "X", "profile-preferred_language": "de",
        "profile-timezone": "Mars/Olympus", "profile-submit": "1",
    })
    assert bad.status_code == 422
    assert "Unknown time zone" in bad.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, user.id).display_name == "Anna W."


def test_password_change_needs_the_current_password(client, app, make_user, login):
    user = make_user("anna")
    login(user)
    new = "Granite-orchard-pelican-11"
    wrong = client.post("/en/settings", data={
        "password-current_password": "nope-nope-nope", "password-new_password": new,
        "password-new_password2": new, "password-submit": "1"})
    assert wrong.status_code == 422
    assert "The current password is wrong." in wrong.get_data(as_text=True)
    ok = client.post("/en/settings", data={
        "password-current_password": TEST_PASSWORD, "password-new_password": new,
        "password-new_password2": new, "password-submit": "1"})
    assert ok.status_code == 302
    with app.app_context():
        assert db.session.get(User, user.id).check_password(new)
    # Still logged in in this browser.
    assert client.get("/en/settings").status_code == 200


def test_taken_username_is_reported_even_when_other_fields_are_wrong(client, make_user):
    make_user("anna")
    response = register(client, username="Anna", password2="does-not-match-at-all-1")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This username is already taken." in html
    assert "The passwords do not match." in html
