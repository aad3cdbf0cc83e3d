"""Authorisation matrix: every state-changing route, every role, with a valid submission.

A refused role gets the table's status and the database AND the search index are
exactly as before (every row of every table, every indexed document and its stamp,
and what a search finds). An allowed role really acts (the state changes), which
proves the submission was valid, so the refusals are about the role and nothing else.
Then the IDOR cases: other members' drafts, hidden items, comments, notifications
and settings, reached by id.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.extensions import db
from app.notifications.models import Notification
from tests.security.routes_table import PERMISSIONS, state_changing
from tests.security.test_routes import route_values, url
from tests.security.world import (
    ROLES,
    World,
    db_snapshot,
    diff,
    full_snapshot,
    index_snapshot,
    login_as,
)

ALLOWED = (200, 201, 302)


def _allowed(endpoint: str, role: str) -> bool:
    route = PERMISSIONS[endpoint]
    if route.anonymous_post:
        # Visitors' forms: a member turned away from the form page (login, register) is
        # turned away from its POST too, with nothing changed.
        return role == "anonymous" or (route.get is not None
                                       and route.get[role] == route.get["anonymous"])
    return role != "anonymous" and route.post[role] in ALLOWED


def _must_change(endpoint: str, role: str) -> bool:
    changes = PERMISSIONS[endpoint].changes
    return changes is True or (isinstance(changes, tuple) and role in changes)


REFUSALS = [(e, [r for r in ROLES if not _allowed(e, r)]) for e in state_changing()]
ACCEPTANCES = [(e, r) for e in state_changing() for r in ROLES if _allowed(e, r)]


def post(client, world: World, endpoint: str, role: str):  # noqa: ANN001, ANN201
    values = route_values(world)
    login_as(client, world, role)
    return client.post(url(endpoint, values), data=PERMISSIONS[endpoint].data(values))


@pytest.mark.parametrize(("endpoint", "roles"), [r for r in REFUSALS if r[1]],
                         ids=[e for e, roles in REFUSALS if roles])
def test_refused_roles_change_nothing(client, world, endpoint, roles):
    before = full_snapshot()
    for role in roles:
        response = post(client, world, endpoint, role)
        assert response.status_code == PERMISSIONS[endpoint].post[role], (role, endpoint)
        if role == "anonymous":
            assert "/auth/login" in response.headers["Location"]
        after = full_snapshot()
        assert after == before, f"{endpoint} as {role} changed: {diff(before, after)}"


@pytest.mark.parametrize(("endpoint", "role"), ACCEPTANCES,
                         ids=[f"{e}-{r}" for e, r in ACCEPTANCES])
def test_allowed_roles_act(client, world, endpoint, role):
    before = db_snapshot()
    response = post(client, world, endpoint, role)
    assert response.status_code == PERMISSIONS[endpoint].post[role], response.status_code
    if _must_change(endpoint, role):
        assert db_snapshot() != before, f"{endpoint} as {role} accepted but changed nothing"


# -- IDOR: other members' things, by id ---------------------------------------------------

def _refused(client, world: World, role: str, method: str, target: str, status: int,
             data: dict | None = None) -> None:
    before = full_snapshot()
    login_as(client, world, role)
    response = client.get(target) if method == "GET" else client.post(target, data=data or {})
    assert response.status_code == status, (role, method, target, response.status_code)
    after = full_snapshot()
    assert after == before, f"{method} {target} as {role}: {diff(before, after)}"


def test_drafts_are_invisible_to_other_members(client, world):
    i = world.ids
    body = {"title": "Stolen", "body": "<p>x</p>", "language": "fr", "kind": "blog",
            "original_language": "en", "publish": "1"}
    for name in ("draft", "review", "hidden"):
        a = i[name]
        for method, target in (
            ("GET", f"/en/articles/{a}"),
            ("GET", f"/en/articles/{a}-{world.slugs[name]}"),
            ("GET", f"/en/articles/{a}/edit"),
            ("GET", f"/en/articles/{a}/translate"),
            ("POST", f"/en/articles/{a}/edit"),
            ("POST", f"/en/articles/{a}/translate"),
            ("POST", f"/en/articles/{a}/delete"),
            ("POST", f"/en/articles/{a}/comments-open"),
            ("POST", f"/en/articles/{a}/comments"),
        ):
            _refused(client, world, "member", method, target, 404, data=body)
    # Only the owner and moderators reach them.
    login_as(client, world, "owner")
    assert client.get(f"/en/articles/{i['draft']}/edit").status_code == 200
    login_as(client, world, "moderator")
    assert client.get(f"/en/articles/{i['hidden']}-{world.slugs['hidden']}").status_code == 200


def test_an_event_draft_has_no_public_calendar_file(client, world):
    _refused(client, world, "member", "GET", f"/en/articles/{world.ids['draft']}/event.ics", 404)


def test_nobody_comments_on_a_hidden_article_not_even_its_owner(client, world):
    _refused(client, world, "owner", "POST", f"/en/articles/{world.ids['hidden']}/comments",
             403, data={"body": "Sneaky"})


def test_hidden_discussions_are_closed_to_members(client, world):
    d = world.ids["disc_hidden"]
    _refused(client, world, "member", "GET", f"/en/discussions/{d}-{world.slugs['disc_hidden']}",
             404)
    for role in ("member", "owner"):
        _refused(client, world, role, "POST", f"/en/discussions/{d}/replies", 404,
                 data={"body": "Sneaky reply"})
    _refused(client, world, "member", "POST", "/en/notifications/subscription", 404,
             data={"target_type": "discussion", "target_id": str(d), "action": "subscribe"})


def test_reports_on_things_one_cannot_see_are_refused(client, world):
    for kind, name in (("article", "draft"), ("discussion", "disc_hidden"),
                       ("comment", "c_hidden"), ("article", "review")):
        _refused(client, world, "member", "POST", "/en/moderation/report", 422,
                 data={"target_type": kind, "target_id": str(world.ids[name]),
                       "reason": "Probing for hidden items"})


def test_the_report_page_does_not_describe_what_one_cannot_see(client, world):
    from app.comments.services import post_comment
    from app.discussions.models import Discussion

    hidden = db.session.get(Discussion, world.ids["disc_hidden"])
    owner = db.session.get(User, world.users["owner"])
    reply_id = post_comment(owner, "A secret reply in a hidden discussion", discussion=hidden).id
    db.session.commit()
    login_as(client, world, "member")
    leaks = []
    for kind, item_id in (("article", world.ids["draft"]), ("article", world.ids["review"]),
                          ("comment", reply_id)):
        page = client.get(f"/en/moderation/report?target_type={kind}&target_id={item_id}")
        posted = client.post("/en/moderation/report", data={
            "target_type": kind, "target_id": str(item_id), "reason": "Probing by id"})
        for response in (page, posted):
            text = response.get_data(as_text=True)
            if any(w in text for w in ("Draft article", "Reviewed article", "Hidden discussion",
                                       "secret reply")):
                leaks.append(f"{response.request.method} {kind} {item_id}")
        assert page.status_code == 404
    assert not leaks, leaks


def test_other_members_comments(client, world):
    c = world.ids["c_owner"]
    _refused(client, world, "member", "GET", f"/en/comments/{c}/edit", 403)
    _refused(client, world, "member", "POST", f"/en/comments/{c}/edit", 403,
             data={"body": "Not mine"})
    _refused(client, world, "member", "POST", f"/en/comments/{c}/delete", 403)
    # A hidden comment cannot be edited back into view by its author either.
    _refused(client, world, "member", "POST", f"/en/comments/{world.ids['c_hidden']}/edit", 403,
             data={"body": "Unhide me"})


def test_a_reply_cannot_attach_to_another_articles_comment(client, world):
    i = world.ids
    _refused(client, world, "member", "POST", f"/en/articles/{i['event']}/comments", 422,
             data={"body": "Cross-thread", "parent_id": str(i["c_owner"])})
    _refused(client, world, "member", "POST", f"/en/articles/{i['pub']}/comments", 422,
             data={"body": "Under a hidden one", "parent_id": str(i["c_hidden"])})
    _refused(client, world, "member", "POST", f"/en/articles/{i['pub']}/comments", 400,
             data={"body": "Bad parent", "parent_id": "1 OR 1=1"})


def test_reply_permalinks_do_not_leak_hidden_discussions(client, world):
    from app.comments.services import post_comment
    from app.discussions.models import Discussion

    hidden = db.session.get(Discussion, world.ids["disc_hidden"])
    owner = db.session.get(User, world.users["owner"])
    reply_id = post_comment(owner, "In the hidden one", discussion=hidden).id
    db.session.commit()
    _refused(client, world, "member", "GET", f"/en/discussions/replies/{reply_id}", 404)
    _refused(client, world, "member", "GET", f"/en/discussions/replies/{world.ids['c_owner']}",
             404)


def test_notifications_are_each_members_own(client, world):
    def unread(role: str) -> list[int]:
        return list(db.session.scalars(select(Notification.id).where(
            Notification.user_id == world.users[role], Notification.read_at.is_(None))))

    owner_unread = unread("owner")
    assert owner_unread
    login_as(client, world, "member")
    page = client.get("/en/notifications").get_data(as_text=True)
    assert "Member discussion" in page  # the member's own: someone answered them
    assert "Discussion about" not in page  # the owner's: never shown to the member
    assert client.post("/en/notifications/read").status_code == 302
    assert unread("owner") == owner_unread
    login_as(client, world, "owner")
    assert "Discussion about" in client.get("/en/notifications").get_data(as_text=True)


def test_settings_change_only_ones_own_row_and_only_profile_fields(client, world):
    owner_before = db.session.get(User, world.users["owner"])
    owner_row = (owner_before.display_name, owner_before.email, owner_before.role)
    login_as(client, world, "member")
    response = client.post("/en/settings", data={
        "profile-submit": "1", "profile-display_name": "Mark Renamed",
        "profile-preferred_language": "en",
        # Mass assignment attempts: none of these are form fields.
        "profile-role": "admin", "role": "admin", "profile-email": "olga@example.org",
        "profile-username": "olga", "user_id": str(world.users["owner"]),
        "profile-is_active_flag": "0", "profile-session_token": "x",
    })
    assert response.status_code == 302
    db.session.expire_all()
    member = db.session.get(User, world.users["member"])
    owner = db.session.get(User, world.users["owner"])
    assert member.display_name == "Mark Renamed"
    assert (member.role, member.email, member.username) == ("member", "mark@example.org", "mark")
    assert member.session_token == world.tokens["member"]
    assert (owner.display_name, owner.email, owner.role) == owner_row


def test_export_holds_only_ones_own_data(client, world):
    login_as(client, world, "member")
    data = json.loads(client.get("/en/settings/export").data)
    text = json.dumps(data)
    assert data["profile"]["email"] == "mark@example.org"
    assert "olga@example.org" not in text and "Olga" not in text
    assert all("Member" in c["body_html"] or "Hidden" in c["body_html"]
               for c in data["comments"])


def test_admins_cannot_be_demoted_by_moderators_and_admins_keep_their_role(client, world):
    _refused(client, world, "moderator", "POST", f"/en/admin/users/{world.users['admin']}/role",
             403, data={"role": "member"})
    _refused(client, world, "moderator", "POST",
             f"/en/admin/users/{world.users['moderator']}/role", 403, data={"role": "admin"})
    # An admin cannot remove their own role by accident (flash, no change).
    _refused(client, world, "admin", "POST", f"/en/admin/users/{world.users['admin']}/role", 302,
             data={"role": "member"})
    _refused(client, world, "admin", "POST", f"/en/admin/users/{world.users['member']}/role",
             400, data={"role": "superuser"})


def test_moderation_actions_on_missing_items_are_404(client, world):
    for target in ("/en/moderation/articles/999999/hide",
                   "/en/moderation/discussions/999999/lock",
                   "/en/moderation/reports/999999/resolve",
                   "/en/moderation/articles/999999/review",
                   "/en/comments/999999/hide", "/en/admin/users/999999/deactivate"):
        role = "admin"
        _refused(client, world, role, "POST", target, 404,
                 data={"decision": "dismiss", "note": "x"})


def test_index_snapshot_sees_a_change(client, world):
    """The index oracle is not blind: an allowed action shows up in it."""
    before = index_snapshot()
    login_as(client, world, "moderator")
    assert client.post(f"/en/moderation/articles/{world.ids['pub']}/hide",
                       data={"note": "x"}).status_code == 302
    after = index_snapshot()
    assert after != before
    assert f"article:{world.ids['pub']}:en" not in after[2]
