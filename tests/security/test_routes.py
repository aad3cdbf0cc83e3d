"""Route inventory: every route is in the permission table, and every state-changing
route is POST-only, CSRF-checked and closed to visitors (except login, register, reset).

The table is tests/security/routes_table.py; adding a route without an entry fails
`test_every_route_has_an_entry`, so nobody ships a page the matrix has not seen.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from app.auth import services as accounts
from app.auth.models import User
from app.extensions import db
from tests.security.routes_table import OPTIONAL_ENDPOINTS, PERMISSIONS, state_changing
from tests.security.world import ROLES, World, db_snapshot, full_snapshot, login_as

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def route_values(world: World) -> dict:
    values = world.values()
    member = db.session.get(User, world.users["member"])
    values["reset_token"] = accounts.make_reset_token(member)
    return values


def url(endpoint: str, values: dict) -> str:
    return PERMISSIONS[endpoint].url.format(**values)


def assert_sent_to_login(response, path: str) -> None:  # noqa: ANN001
    assert response.status_code == 302, response.status_code
    location = urlsplit(response.headers["Location"])
    assert location.path == "/en/auth/login", response.headers["Location"]
    assert parse_qs(location.query)["next"][0] == path


# -- the inventory ------------------------------------------------------------------------

def test_every_route_has_an_entry(app_factory):
    optional_config = {k: v for cfg in OPTIONAL_ENDPOINTS.values() for k, v in cfg.items()}
    app = app_factory(**optional_config)
    served: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        served.setdefault(rule.endpoint, set()).update(set(rule.methods or ()) - IGNORED_METHODS)
    missing = sorted(set(served) - set(PERMISSIONS))
    stale = sorted(set(PERMISSIONS) - set(served))
    assert not missing, f"routes without a permission entry: {missing}"
    assert not stale, f"permission entries naming no route: {stale}"
    for endpoint, methods in served.items():
        route = PERMISSIONS[endpoint]
        assert methods <= {"GET", "POST"}, f"{endpoint}: unexpected methods {methods}"
        assert ("GET" in methods) == (route.get is not None), f"{endpoint}: GET entry vs {methods}"
        assert ("POST" in methods) == (route.post is not None), (
            f"{endpoint}: POST entry vs {methods}")
        if route.post is not None:
            assert route.data is not None, f"{endpoint}: a POST entry needs a valid body"
        for expected in (route.get, route.post):
            if expected is not None:
                assert set(expected) == set(ROLES), f"{endpoint}: every role needs a status"


def test_the_default_app_serves_no_optional_route(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert not endpoints & set(OPTIONAL_ENDPOINTS)


@pytest.mark.parametrize("endpoint", state_changing())
def test_state_changing_routes_answer_only_post(client, world, endpoint):
    values = route_values(world)
    target = url(endpoint, values)
    for method in ("put", "delete", "patch"):
        assert getattr(client, method)(target).status_code == 405, (method, endpoint)
    if PERMISSIONS[endpoint].get is None:
        assert client.get(target).status_code == 405


# -- GET: what each role sees, and a GET never writes -------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_get_matrix(client, world, role):
    values = route_values(world)
    login_as(client, world, role)
    failures = []
    for endpoint, route in sorted(PERMISSIONS.items()):
        if route.get is None or endpoint in OPTIONAL_ENDPOINTS:
            continue
        target = url(endpoint, values)
        before = db_snapshot()
        response = client.get(target)
        if response.status_code != route.get[role]:
            failures.append(f"{endpoint} {target}: {response.status_code} != {route.get[role]}")
            continue
        if not route.get_changes:
            assert db_snapshot() == before, f"GET {target} as {role} wrote to the database"
        if role == "anonymous" and response.status_code == 302 and route.get["member"] != 302:
            assert_sent_to_login(response, target)
    assert not failures, "\n".join(failures)


def test_reading_notifications_marks_only_ones_own(client, world):
    from sqlalchemy import select

    from app.notifications.models import Notification

    def unread(role: str) -> int:
        return len(db.session.scalars(select(Notification).where(
            Notification.user_id == world.users[role], Notification.read_at.is_(None))).all())

    owner_unread = unread("owner")
    login_as(client, world, "member")
    assert client.get("/en/notifications").status_code == 200
    assert unread("member") == 0
    assert unread("owner") == owner_unread > 0


# -- POST: visitors go to the login page, and nothing changes -------------------------------

@pytest.mark.parametrize("endpoint", [e for e in state_changing()
                                      if not PERMISSIONS[e].anonymous_post])
def test_visitors_are_sent_to_login(client, world, endpoint):
    values = route_values(world)
    target = url(endpoint, values)
    before = full_snapshot()
    response = client.post(target, data=PERMISSIONS[endpoint].data(values))
    assert_sent_to_login(response, target)
    assert full_snapshot() == before


# -- CSRF: every POST needs the token, visitors' forms included ------------------------------

def _acting_role(endpoint: str) -> str:
    route = PERMISSIONS[endpoint]
    if route.anonymous_post:
        return "anonymous"
    return next(r for r in ("owner", "moderator", "admin") if route.post[r] in (200, 302))


def _token(client, page: str) -> str:  # noqa: ANN001
    html = client.get(page).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, f"no CSRF token on {page}"
    return match.group(1)


@pytest.fixture
def csrf_client(app_factory, world):
    """A client of an app that checks CSRF tokens, on the same database as `world`."""
    return app_factory(WTF_CSRF_ENABLED=True).test_client()


def test_every_post_route_rejects_a_missing_or_wrong_token(csrf_client, world):
    values = route_values(world)
    before = full_snapshot()
    for endpoint in state_changing():
        role = _acting_role(endpoint)
        login_as(csrf_client, world, role)
        target = url(endpoint, values)
        data = PERMISSIONS[endpoint].data(values)
        assert csrf_client.post(target, data=data).status_code == 400, f"{endpoint}: no token"
        bad = dict(data, csrf_token="forged." + "x" * 40)
        assert csrf_client.post(target, data=bad).status_code == 400, f"{endpoint}: bad token"
    assert full_snapshot() == before


def test_a_token_from_another_session_is_refused(csrf_client, app_factory, world):
    other = app_factory(WTF_CSRF_ENABLED=True).test_client()
    login_as(other, world, "member")
    stolen = _token(other, "/en/settings")
    login_as(csrf_client, world, "owner")
    before = db_snapshot()
    response = csrf_client.post(f"/en/articles/{world.ids['pub']}/comments",
                                data={"body": "Cross-site comment", "csrf_token": stolen})
    assert response.status_code == 400
    assert db_snapshot() == before


def test_the_right_token_is_accepted(csrf_client, world):
    """The positive control: the 400s above come from the token, not from the request."""
    login_as(csrf_client, world, "member")
    token = _token(csrf_client, "/en/settings")
    response = csrf_client.post(f"/en/articles/{world.ids['pub']}/comments",
                                data={"body": "A comment with its token", "csrf_token": token})
    assert response.status_code == 302
    login_as(csrf_client, world, "anonymous")
    token = _token(csrf_client, "/en/auth/login")
    response = csrf_client.post("/en/auth/login", data={
        "login": "mark", "password": "correct-Horse-battery-9", "csrf_token": token})
    assert response.status_code == 302
