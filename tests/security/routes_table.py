"""The permission table: every endpoint of the app, who may do what, and what it answers.

One entry per endpoint (test_routes.py fails on a route without an entry and on an
entry without a route). Statuses are for a request by each role:

- GET: the page as that role sees it (the URL names the world's items);
- POST: a *valid* submission (`data`), so an allowed role really acts; a refused role
  gets the status listed and, as test_authorisation.py proves, changes nothing.

"owner" is the owner of the item the URL names (for routes about no item, an ordinary
member like "member"). 302 for anonymous means "sent to the login page", checked
separately. Statuses are what the user gets; a redirect after a successful POST is 302.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tests.conftest import TEST_PASSWORD
from tests.security.world import ROLES

Expect = dict[str, int]


def expect(anonymous: int, member: int, owner: int, moderator: int, admin: int) -> Expect:
    return dict(zip(ROLES, (anonymous, member, owner, moderator, admin), strict=True))


def everyone(status: int) -> Expect:
    return expect(status, status, status, status, status)


def members(status: int) -> Expect:
    """Any logged-in member; visitors go to the login page."""
    return expect(302, status, status, status, status)


def owner_or_moderator(status: int) -> Expect:
    return expect(302, 403, status, status, status)


def moderators(status: int) -> Expect:
    return expect(302, 403, 403, status, status)


def admins(status: int) -> Expect:
    return expect(302, 403, 403, 403, status)


def visitors_only(status: int) -> Expect:
    """Login and register: members already in are sent home (302)."""
    return expect(status, 302, 302, 302, 302)


@dataclass(frozen=True)
class Route:
    url: str  # a template over World.values() (and {reset_token})
    get: Expect | None = None  # None: GET is not served (405)
    post: Expect | None = None  # None: POST is not served (405)
    data: Callable[[dict], dict] | None = None  # a valid POST body, from the world's values
    # Roles whose successful POST must change the database or the index (True: every
    # allowed role). An action that is idempotent for some role lists the others.
    changes: bool | tuple[str, ...] = True
    anonymous_post: bool = False  # a deliberate POST for visitors (still CSRF-checked)
    get_changes: bool = False  # a GET that writes (documented exceptions only)
    notes: str = ""
    extra: dict = field(default_factory=dict)


def _article_form(v: dict) -> dict:
    return {"kind": "blog", "original_language": "en", "title": "A fresh article title",
            "summary": "", "body": "<p>Fresh words for a fresh article.</p>",
            "tags": "fresh", "publish": "1"}


def _discussion_form(v: dict) -> dict:
    return {"title": "A fresh discussion title", "body": "<p>Fresh opening post.</p>",
            "language": "en", "tags": "fresh"}


def _register_form(v: dict) -> dict:
    return {"username": "newcomer", "email": "newcomer@example.org", "password": TEST_PASSWORD,
            "password2": TEST_PASSWORD, "preferred_language": "en", "website": ""}


PERMISSIONS: dict[str, Route] = {
    # -- site ---------------------------------------------------------------------------
    "main.root": Route("/", get=everyone(302)),
    "main.home": Route("/en/", get=everyone(200)),
    "main.privacy": Route("/en/privacy", get=everyone(200)),
    "main.healthz": Route("/healthz", get=everyone(200)),
    "main.robots": Route("/robots.txt", get=everyone(200)),
    "main.sitemap": Route("/sitemap.xml", get=everyone(200)),
    "i18n_js": Route("/en/i18n.js", get=everyone(200)),
    "static": Route("/static/css/agora.css", get=everyone(200)),
    "feeds.articles": Route("/en/feeds/articles.atom", get=everyone(200)),
    "feeds.discussions": Route("/en/feeds/discussions.atom", get=everyone(200)),
    "search.search": Route("/en/search?q=quokkafjord", get=everyone(200)),
    # -- accounts -----------------------------------------------------------------------
    "auth.register": Route("/en/auth/register", get=visitors_only(200),
                           post=visitors_only(302), data=_register_form,
                           changes=("anonymous",), anonymous_post=True),
    "auth.login": Route("/en/auth/login", get=visitors_only(200), post=visitors_only(302),
                        data=lambda v: {"login": "mark", "password": TEST_PASSWORD},
                        changes=False, anonymous_post=True,
                        notes="a login changes the session, not the database"),
    "auth.logout": Route("/en/auth/logout", post=members(302), data=lambda v: {}),
    "auth.reset_request": Route("/en/auth/reset", get=everyone(200), post=everyone(302),
                                data=lambda v: {"email": "mark@example.org"}, changes=False,
                                anonymous_post=True, notes="sends mail; stores nothing"),
    "auth.reset_password": Route("/en/auth/reset/{reset_token}", get=everyone(200),
                                 post=everyone(302),
                                 data=lambda v: {"password": "Another-long-Passphrase-42",
                                                 "password2": "Another-long-Passphrase-42"},
                                 anonymous_post=True,
                                 notes="whoever holds the emailed link may use it"),
    "auth.profile": Route("/en/users/olga", get=everyone(200)),
    "auth.settings": Route("/en/settings", get=members(200), post=members(302),
                           data=lambda v: {"profile-submit": "1",
                                           "profile-display_name": "Renamed Person",
                                           "profile-preferred_language": "en"}),
    "auth.export_data": Route("/en/settings/export", get=members(200)),
    "auth.delete_account": Route("/en/settings/delete", get=members(200), post=members(302),
                                 data=lambda v: {"password": TEST_PASSWORD, "content": "keep",
                                                 "confirm": "y"}),
    # -- administration -----------------------------------------------------------------
    "admin.users": Route("/en/admin/users", get=admins(200)),
    "admin.change_role": Route("/en/admin/users/{user_member}/role", post=admins(302),
                               data=lambda v: {"role": "moderator"}),
    "admin.deactivate": Route("/en/admin/users/{user_member}/deactivate", post=admins(302),
                              data=lambda v: {}),
    "admin.reactivate": Route("/en/admin/users/{user_inactive}/reactivate", post=admins(302),
                              data=lambda v: {}),
    # -- articles -----------------------------------------------------------------------
    "articles.index": Route("/en/articles/", get=everyone(200)),
    "articles.show": Route("/en/articles/{pub}-{pub_slug}", get=everyone(200)),
    "articles.event_ics": Route("/en/articles/{event}/event.ics", get=everyone(200)),
    "articles.new": Route("/en/articles/new", get=members(200), post=members(302),
                          data=_article_form),
    "articles.edit": Route("/en/articles/{pub}/edit", get=owner_or_moderator(200),
                           post=owner_or_moderator(302),
                           data=lambda v: {**_article_form(v), "title": "An edited title"}),
    "articles.translate": Route("/en/articles/{pub}/translate", get=members(200),
                                post=members(302),
                                data=lambda v: {"language": "fr", "title": "Un titre traduit",
                                                "summary": "", "body": "<p>Traduit.</p>"},
                                notes="any member may add a language version"),
    "articles.delete": Route("/en/articles/{pub}/delete", post=owner_or_moderator(302),
                             data=lambda v: {}),
    "articles.comments_open": Route("/en/articles/{pub}/comments-open",
                                    post=owner_or_moderator(302), data=lambda v: {"open": "0"}),
    "articles.post_comment": Route("/en/articles/{pub}/comments", post=members(302),
                                   data=lambda v: {"body": "A fresh comment"}),
    # -- comments (article comments and discussion replies) -----------------------------
    "comments.edit": Route("/en/comments/{c_owner}/edit", get=expect(302, 403, 200, 403, 403),
                           post=expect(302, 403, 302, 403, 403),
                           data=lambda v: {"body": "Edited comment"},
                           notes="only the author edits, within the window"),
    "comments.delete": Route("/en/comments/{c_owner}/delete", post=owner_or_moderator(302),
                             data=lambda v: {}),
    "comments.hide": Route("/en/comments/{c_owner}/hide", post=moderators(302),
                           data=lambda v: {"note": "spam"}),
    "comments.unhide": Route("/en/comments/{c_hidden}/unhide", post=moderators(302),
                             data=lambda v: {"note": "fine after all"}),
    # -- discussions --------------------------------------------------------------------
    "discussions.index": Route("/en/discussions/", get=everyone(200)),
    "discussions.show": Route("/en/discussions/{disc}-{disc_slug}", get=everyone(200)),
    "discussions.new": Route("/en/discussions/new", get=members(200), post=members(302),
                             data=_discussion_form),
    "discussions.reply": Route("/en/discussions/{disc}/replies", post=members(302),
                               data=lambda v: {"body": "A fresh reply"}),
    "discussions.reply_permalink": Route("/en/discussions/replies/{r_member}",
                                         get=everyone(302)),
    # -- moderation ---------------------------------------------------------------------
    "moderation.index": Route("/en/moderation/", get=moderators(200)),
    "moderation.log": Route("/en/moderation/log", get=moderators(200)),
    "moderation.report": Route("/en/moderation/report?target_type=article&target_id={pub}",
                               get=members(200), post=members(302),
                               data=lambda v: {"target_type": "discussion",
                                               "target_id": str(v["disc"]),
                                               "reason": "This is off topic here."}),
    "moderation.resolve_report": Route("/en/moderation/reports/{report}/resolve",
                                       post=moderators(302),
                                       data=lambda v: {"decision": "dismiss", "note": ""}),
    "moderation.review_article": Route("/en/moderation/articles/{review}/review",
                                       post=moderators(302),
                                       data=lambda v: {"decision": "approve", "reason": ""}),
    "moderation.article_action": Route("/en/moderation/articles/{pub}/hide",
                                       post=moderators(302), data=lambda v: {"note": "spam"}),
    "moderation.discussion_action": Route("/en/moderation/discussions/{disc}/lock",
                                          post=moderators(302),
                                          data=lambda v: {"note": "heated"}),
    # -- notifications ------------------------------------------------------------------
    "notifications.index": Route("/en/notifications", get=members(200), get_changes=True,
                                 notes="showing a notification marks it read (own only)"),
    "notifications.mark_all_read": Route("/en/notifications/read", post=members(302),
                                         data=lambda v: {}, changes=("member", "owner")),
    "notifications.subscription": Route("/en/notifications/subscription", post=members(302),
                                        data=lambda v: {"target_type": "article",
                                                        "target_id": str(v["event"]),
                                                        "action": "subscribe"},
                                        changes=("member", "moderator", "admin")),
    # -- only with BENCH_CEILING_ROUTE (bench/run.py); off by default -------------------
    "bench.ceiling": Route("/bench/ceiling", get=everyone(200)),
}

# Registered only by some configurations: the inventory test turns them on.
OPTIONAL_ENDPOINTS = {"bench.ceiling": {"BENCH_CEILING_ROUTE": True}}


def url_for_route(route: Route, values: dict) -> str:
    return route.url.format(**values)


def state_changing() -> list[str]:
    return sorted(name for name, r in PERMISSIONS.items() if r.post is not None)
