"""Privacy: emails are never shown to other members nor indexed; a deleted member's
name disappears from their pages and from search, replaced by "deleted member"."""

from __future__ import annotations

import pytest

from tests.conftest import TEST_PASSWORD
from tests.security.routes_table import OPTIONAL_ENDPOINTS, PERMISSIONS
from tests.security.test_routes import route_values, url
from tests.security.world import MARKER, ROLES, login_as

EMAILS = ("olga@example.org", "mark@example.org", "mona@example.org", "adam@example.org",
          "ida@example.org")
# Pages that legitimately show an email: the member's own settings and export, and the
# administrators' member list.
OWN_EMAIL_PAGES = {"auth.settings", "auth.export_data", "auth.delete_account"}
ADMIN_PAGES = {"admin.users"}


def _pages(world) -> list[tuple[str, str]]:  # noqa: ANN001
    values = route_values(world)
    pages = [(e, url(e, values)) for e, r in PERMISSIONS.items()
             if r.get is not None and e not in OPTIONAL_ENDPOINTS]
    pages += [("articles.show", f"/en/articles/{world.ids['event']}-{world.slugs['event']}"),
              ("search.search", "/en/search?q=example.org"),
              ("search.search", "/en/search?q=olga"),
              ("discussions.show",
               f"/en/discussions/{world.ids['disc_member']}-{world.slugs['disc_member']}")]
    return pages


@pytest.mark.parametrize("role", ROLES)
def test_no_page_shows_another_members_email(client, world, role):
    login_as(client, world, role)
    own = {"member": "mark", "owner": "olga", "moderator": "mona", "admin": "adam"}.get(role)
    leaks = []
    for endpoint, target in _pages(world):
        body = client.get(target, follow_redirects=True).get_data(as_text=True)
        for address in EMAILS:
            if address not in body:
                continue
            if endpoint in OWN_EMAIL_PAGES and own and address.startswith(own + "@"):
                continue
            if endpoint in ADMIN_PAGES and role == "admin":
                continue
            leaks.append(f"{endpoint} {target} shows {address} to {role}")
    assert not leaks, "\n".join(leaks)


def test_emails_are_not_in_the_search_index(ctx, world):
    from app.search import facade

    for q in ("olga@example.org", "example.org", "example", "olga"):
        found = facade.search(q, lang="en")
        for result in found.results:
            assert "example.org" not in str(result.excerpt_html) + str(result.title_html)
    assert not facade.search("example.org", lang="en").results


def _delete_owner(client, world, choice: str = "keep"):  # noqa: ANN001, ANN202
    login_as(client, world, "owner")
    response = client.post("/en/settings/delete", data={"password": TEST_PASSWORD,
                                                        "content": choice, "confirm": "y"})
    assert response.status_code == 302
    login_as(client, world, "anonymous")


def test_a_deleted_members_name_leaves_their_pages_feeds_and_search(client, world):
    from app.search import facade

    pages = [f"/en/articles/{world.ids['pub']}-{world.slugs['pub']}",
             f"/en/discussions/{world.ids['disc']}-{world.slugs['disc']}",
             "/en/feeds/articles.atom", "/en/feeds/discussions.atom", "/en/articles/",
             "/en/discussions/", f"/en/search?q={MARKER}", "/en/"]
    # Before: the owner's name is everywhere (the check below is not vacuous).
    for page in (pages[0], pages[1], pages[2], pages[6]):
        assert "Olga Example" in client.get(page).get_data(as_text=True), page
    assert any(r.item.author == "Olga Example" for r in facade.search(MARKER, lang="en").results)
    _delete_owner(client, world)
    facade.sync(wait=5)
    for page in pages:
        body = client.get(page).get_data(as_text=True)
        assert "Olga" not in body and "olga" not in body, page
    article_page = client.get(pages[0]).get_data(as_text=True)
    assert "deleted member" in article_page
    # Search: the content is still found, the name is not, and results say "deleted member".
    assert not facade.search("Olga", lang="en").results
    assert not facade.search("olga", lang="en").results
    results = facade.search(MARKER, lang="en").results
    assert results
    owner_docs = [r for r in results if "Public article" in str(r.title_html)]
    assert owner_docs and all(not r.item.author or r.item.author == "deleted member"
                              for r in owner_docs)
    assert "deleted member" in client.get(f"/en/search?q={MARKER}").get_data(as_text=True)
    assert client.get("/en/users/olga").status_code == 404


def test_deleting_with_content_removes_it_from_pages_and_search(client, world):
    from app.search import facade

    _delete_owner(client, world, "remove")
    facade.sync(wait=5)
    assert client.get(f"/en/articles/{world.ids['pub']}").status_code == 404
    assert client.get(f"/en/discussions/{world.ids['disc']}").status_code == 404
    titles = " ".join(str(r.title_html) for r in facade.search(MARKER, lang="en").results)
    assert "Public article" not in titles and "Discussion about" not in titles
    # The other members' content stays.
    assert "Member discussion" in titles


def test_the_privacy_page_says_what_is_stored(client):
    body = client.get("/en/privacy").get_data(as_text=True).lower()
    for word in ("email", "delete", "download", "cookie", "password"):
        assert word in body, word
