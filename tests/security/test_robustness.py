"""Property-based robustness: random unicode, huge values, wrong types, missing and extra
fields to every form, random query strings to every page. Never a 500 (TESTING re-raises
any server error, so one fails the test loudly), and a refused submission (4xx) leaves
every table exactly as it was: no partial write.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.routes_table import PERMISSIONS, state_changing
from tests.security.test_routes import route_values, url
from tests.security.world import db_snapshot, login_as

SETTINGS = settings(max_examples=20, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])

# Text a browser can send: any unicode except lone surrogates (not encodable as UTF-8).
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60)
HUGE = st.sampled_from([10_001, 50_001, 300_001]).map(lambda n: "x\u00e9<" * (n // 3))
NUMBERISH = st.sampled_from(["-1", "0", "abc", "1e309", "10" * 12, "99999999999999999999",
                             "1.5", "NaN", " 7 ", "0x10", "\u0667", ""])
VALUE = st.one_of(TEXT, NUMBERISH, HUGE, st.lists(TEXT, min_size=2, max_size=3))
EXTRA_NAMES = st.sampled_from(["role", "id", "author_id", "user_id", "status", "csrf_token",
                               "is_active", "__proto__", "lang", "next", "parent_id", "x" * 300])


def _acting_role(endpoint: str) -> str:
    route = PERMISSIONS[endpoint]
    if route.anonymous_post:
        return "anonymous"
    return next(r for r in ("owner", "moderator", "admin") if route.post[r] in (200, 302))


@st.composite
def mangled(draw, valid: dict) -> dict:  # noqa: ANN001
    """The valid body with fields dropped, replaced by junk, and junk fields added."""
    body = {}
    for name, good in valid.items():
        choice = draw(st.sampled_from(["keep", "drop", "junk", "junk"]))
        if choice == "keep":
            body[name] = good
        elif choice == "junk":
            body[name] = draw(VALUE)
    for _ in range(draw(st.integers(0, 2))):
        body[draw(EXTRA_NAMES)] = draw(VALUE)
    return body


# Forms whose success logs the client out or erases it: checked too, but last in the run.
FORMS = state_changing()


@pytest.mark.parametrize("endpoint", FORMS)
def test_forms_never_fail_and_never_half_write(client, world, endpoint):
    values = route_values(world)
    target = url(endpoint, values)
    role = _acting_role(endpoint)
    valid = PERMISSIONS[endpoint].data(values)
    # Routes with a body of only a CSRF token still get junk fields.
    valid = valid or {"note": "x"}

    @SETTINGS
    @given(body=mangled(valid))
    def run(body: dict) -> None:
        # Hypothesis seeds the global `random` identically for every example; Whoosh names
        # its segments with it, and equal names in one index collide. Real processes differ.
        random.seed()
        login_as(client, world, role)
        before = db_snapshot()
        response = client.post(target, data=body)
        assert response.status_code < 500
        if 400 <= response.status_code < 500:
            assert db_snapshot() == before, f"{endpoint} refused {response.status_code} but wrote"

    run()


READ_PAGES = ["/en/", "/en/articles/", "/en/discussions/", "/en/search",
              "/en/notifications", "/en/moderation/", "/en/moderation/log", "/en/admin/users",
              "/en/moderation/report", "/en/users/olga", "/en/feeds/articles.atom",
              "/en/feeds/discussions.atom", "/en/settings", "/en/auth/login"]
QUERY_NAMES = st.sampled_from(["page", "q", "type", "language", "sort", "theme", "from", "to",
                               "kind", "tag", "target_type", "target_id", "next", "quote",
                               "available", "zz"])


@pytest.mark.parametrize("page", READ_PAGES + ["{article}", "{discussion}"])
def test_query_strings_never_fail(client, world, page):
    target = page.format(
        article=f"/en/articles/{world.ids['pub']}-{world.slugs['pub']}",
        discussion=f"/en/discussions/{world.ids['disc']}-{world.slugs['disc']}")
    login_as(client, world, "admin")

    @SETTINGS
    @given(params=st.dictionaries(QUERY_NAMES, st.one_of(TEXT, NUMBERISH), max_size=5))
    def run(params: dict) -> None:
        response = client.get(target, query_string=params)
        assert response.status_code < 500

    run()


HUGE_PAGES = ["-1", "0", "abc", str(10**12), str(10**20), "1e3", "2.5"]
PAGED = {
    "/en/articles/": "anonymous", "/en/discussions/": "anonymous", "/en/search?q=quokkafjord":
    "anonymous", "/en/notifications": "member", "/en/moderation/log": "moderator",
    "/en/admin/users": "admin", "/en/discussions/{disc}-{disc_slug}": "anonymous",
}


@pytest.mark.parametrize("page", PAGED)
def test_pagination_takes_any_page_number(client, world, page):
    target = page.format(**world.values())
    login_as(client, world, PAGED[page])
    joiner = "&" if "?" in target else "?"
    for value in HUGE_PAGES:
        response = client.get(f"{target}{joiner}page={value}")
        assert response.status_code in (200, 404), (value, response.status_code)


def test_a_body_over_the_limit_is_413_and_writes_nothing(app_factory, world):
    small = app_factory(MAX_CONTENT_LENGTH=4096).test_client()
    before = db_snapshot()
    big = "x" * 10_000
    assert small.post("/en/auth/login", data={"login": big, "password": big}).status_code == 413
    login_as(small, world, "member")
    for target, body in (("/en/articles/new", {"title": "Big", "body": big, "kind": "blog",
                                                "original_language": "en", "publish": "1"}),
                         (f"/en/articles/{world.ids['pub']}/comments", {"body": big}),
                         ("/en/discussions/new", {"title": "Big", "body": big,
                                                  "language": "en"})):
        assert small.post(target, data=body).status_code == 413, target
    # A file upload to a form that takes none is refused the same way.
    from io import BytesIO

    response = small.post("/en/settings", data={"profile-submit": "1",
                                                "file": (BytesIO(b"x" * 10_000), "a.bin")},
                          content_type="multipart/form-data")
    assert response.status_code == 413
    assert db_snapshot() == before


def test_the_default_limit_is_two_megabytes(app):
    assert app.config["MAX_CONTENT_LENGTH"] == 2 * 1024 * 1024
