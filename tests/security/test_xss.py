"""Hostile input: every payload of tests/data/xss_payloads.txt through every field a
member can write, then every channel that shows it checked with the oracle.

Fields: article title, summary, body, tags, venue; comment; discussion title, body,
tags; reply; display name, bio, organisation; search query; URL segments and list /
search query parameters. Channels: article, discussion, list, home, profile and search
pages (with excerpts), Atom feeds, .ics files and the password-reset email.

Payloads are packed several to a field (up to the field's limit) so the whole corpus
goes through in a few hundred requests.
"""

from __future__ import annotations

import email
import itertools
from email import policy
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import insert, select

from app.articles.models import Article
from app.auth.models import User
from app.comments.services import post_comment
from app.discussions.models import Discussion
from app.extensions import db
from app.search import facade
from tests.conftest import _password_hash
from tests.security.oracle import (
    feed_problems,
    html_problems,
    ics_problems,
    load_payloads,
)
from tests.security.world import MARKER, login_as

PAYLOADS = load_payloads()
SEP = " \u00b7 "  # between packed payloads: plain text, so each payload stays whole


def pack(payloads: list[str], limit: int, min_len: int = 1) -> list[str]:
    """Join payloads into values of at most `limit` characters (each payload whole)."""
    groups, current = [], ""
    for p in payloads:
        p = p[:limit]
        candidate = p if not current else current + SEP + p
        if len(candidate) <= limit:
            current = candidate
        else:
            groups.append(current)
            current = p
    if current:
        groups.append(current)
    return [g if len(g) >= min_len else g + " xx" for g in groups]


def batched(items: list[str], size: int) -> list[list[str]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def cycle_to(values: list[str], n: int) -> list[str]:
    return list(itertools.islice(itertools.cycle(values), n))


def check_page(client, url: str, problems: list[str], status: int = 200) -> str:  # noqa: ANN001
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    html = response.get_data(as_text=True)
    problems += html_problems(html, url)
    return html


def test_corpus_is_big_and_distinct():
    assert len(PAYLOADS) == len(set(PAYLOADS)) >= 200


def test_the_oracle_is_not_blind():
    """Put raw, the payloads are caught: a clean result below means the app made them inert."""
    page = "<!doctype html><html><head><title>t</title></head><body>{}</body></html>"
    caught = [p for p in PAYLOADS if html_problems(page.format(p))]
    assert len(caught) >= 0.75 * len(PAYLOADS), len(caught)
    for p in ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
              '<a href="java\tscript:alert(1)">x</a>', '<a href="&#106;avascript:alert(1)">x</a>',
              '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
              '<base href="https://evil.example/">', "<svg><animate onbegin=alert(1)>",
              '<form action="https://evil.example/steal" method="post"></form>',
              '<meta http-equiv="refresh" content="0;url=https://evil.example/">'):
        assert html_problems(page.format(p)), p
    # Ours are fine.
    assert not html_problems(page.format('<script src="/static/js/agora.js"></script>'
                                         '<script src="/en/i18n.js"></script>'))


# -- stored payloads -------------------------------------------------------------------------

def _authors(n: int) -> list[int]:
    """n members whose display names, bios and organisations carry the corpus."""
    names = cycle_to(pack(PAYLOADS, 100), n)
    orgs = cycle_to(pack(PAYLOADS, 200), n)
    bios = [_nth(pack(PAYLOADS, 2000), i, "") for i in range(n)]
    # A bulk insert skips the ORM's flush hook that drops NUL characters (PostgreSQL
    # refuses them in text), so do here what the app does for every form write.
    names, orgs, bios = ([v.replace("\x00", "") for v in col] for col in (names, orgs, bios))
    db.session.execute(insert(User), [
        {"username": f"hostile{i}", "email": f"hostile{i}@example.org",
         "password_hash": _password_hash(), "display_name": names[i], "bio": bios[i],
         "organisation": orgs[i], "country": "", "preferred_language": "en", "timezone": "",
         "role": "member", "is_active_flag": True, "session_token": f"hostile-token-{i:04d}"}
        for i in range(n)
    ])
    db.session.commit()
    return list(db.session.scalars(select(User.id).where(User.username.like("hostile%"))
                                   .order_by(User.id)))


def _nth(values: list[str], i: int, default: str) -> str:
    return values[i] if i < len(values) else default


def test_stored_payloads_are_inert_everywhere(app, app_factory, world):
    """Written through the forms, read back through every channel.

    The writing app runs without indexing (one rebuild afterwards is far faster than a
    drain per request); the reading app checks CSRF, so our forms carry their tokens.
    """
    problems: list[str] = []
    titles = pack(PAYLOADS, 300, min_len=3)
    n = len(titles)
    names, orgs = pack(PAYLOADS, 100), pack(PAYLOADS, 200)
    author_ids = _authors(len(names))
    writer = app_factory(SEARCH_ENABLED=False).test_client()

    def as_author(i: int) -> None:
        with writer.session_transaction() as s:
            s.clear()
            s["_user_id"] = f"hostile-token-{i % len(author_ids):04d}"

    # Profiles through the settings form too (the form path, not only the model).
    for i in range(3):
        as_author(i)
        response = writer.post("/en/settings", data={
            "profile-submit": "1", "profile-display_name": names[i],
            "profile-bio": pack(PAYLOADS, 2000)[i], "profile-organisation": orgs[i],
            "profile-preferred_language": "en"})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]

    # Articles (events, so each has a calendar file) and discussions through the forms.
    summaries, bodies = pack(PAYLOADS, 600), pack(PAYLOADS, 5_000)
    tags, venues = pack(PAYLOADS, 500), pack(PAYLOADS, 300)
    article_ids, discussion_ids = [], []
    for i in range(n):
        as_author(i)
        body = _nth(bodies, i, "<p>Short.</p>")
        response = writer.post("/en/articles/new", data={
            "kind": "event", "original_language": "en", "title": titles[i],
            "summary": _nth(summaries, i, ""), "body": f"<p>{MARKER}</p>{body}",
            "tags": _nth(tags, i, ""), "event_start": "2031-06-01T10:00",
            "event_end": "2031-06-01T12:00", "event_timezone": "Europe/Vienna",
            "venue": _nth(venues, i, "Library"), "publish": "1"})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        article_ids.append(int(response.headers["Location"].split("/articles/")[1]
                               .split("-")[0]))
        response = writer.post("/en/discussions/new", data={
            "title": titles[i], "body": f"{body}<p>{MARKER}</p>", "language": "en",
            "tags": _nth(tags, i, "")})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        discussion_ids.append(int(response.headers["Location"].split("/discussions/")[1]
                                  .split("-")[0]))
    for i, body in enumerate(pack(PAYLOADS, 4_000)):
        as_author(i)
        assert writer.post(f"/en/articles/{article_ids[i]}/comments",
                           data={"body": f"{body} {MARKER}"}).status_code == 302
        assert writer.post(f"/en/discussions/{discussion_ids[i]}/replies",
                           data={"body": f"{body} {MARKER}"}).status_code == 302
    # Every author signs once on one article and one discussion: their display names
    # then show on a few pages instead of one profile each.
    hub_article = db.session.get(Article, article_ids[-1])
    hub_discussion = db.session.get(Discussion, discussion_ids[-1])
    for uid in author_ids:
        user = db.session.get(User, uid)
        post_comment(user, f"Signed {MARKER}", article=hub_article)
        post_comment(user, f"Signed {MARKER}", discussion=hub_discussion)
    db.session.commit()
    assert facade.rebuild().documents > 2 * n

    reader = app_factory(WTF_CSRF_ENABLED=True).test_client()
    for role in ("anonymous", "member"):
        login_as(reader, world, role)
        for url in ("/en/", "/en/articles/", "/en/discussions/"):
            check_page(reader, url, problems)
    for page in range(2, n // 20 + 2):
        check_page(reader, f"/en/articles/?page={page}", problems)
        check_page(reader, f"/en/discussions/?page={page}", problems)
    for aid in article_ids:
        response = reader.get(f"/en/articles/{aid}", follow_redirects=True)
        assert response.status_code == 200
        problems += html_problems(response.get_data(as_text=True), f"article {aid}")
        ics = reader.get(f"/en/articles/{aid}/event.ics")
        assert ics.status_code == 200
        problems += ics_problems(ics.data, f"event {aid}.ics")
    for did in discussion_ids:
        response = reader.get(f"/en/discussions/{did}", follow_redirects=True)
        assert response.status_code == 200
        problems += html_problems(response.get_data(as_text=True), f"discussion {did}")
    for page in range(2, len(author_ids) // 50 + 2):
        response = reader.get(f"/en/discussions/{discussion_ids[-1]}?page={page}",
                              follow_redirects=True)
        problems += html_problems(response.get_data(as_text=True), f"hub discussion p{page}")
    # Profiles: the organisations need one page each; bios and names ride along.
    for i in range(len(orgs)):
        check_page(reader, f"/en/users/hostile{i}", problems)
    for lang in ("en", "fr"):
        for feed in ("articles", "discussions"):
            response = reader.get(f"/{lang}/feeds/{feed}.atom")
            assert response.status_code == 200
            problems += feed_problems(response.data, f"/{lang}/feeds/{feed}.atom")
    # Search results and their highlighted excerpts, page after page.
    page = 1
    while True:
        html = check_page(reader, f"/en/search?q={MARKER}&page={page}", problems)
        if f"page={page + 1}" not in html or page >= 30:
            break
        page += 1
    assert page > 3, "the search should find the hostile documents"
    assert not problems, "\n".join(problems[:40]) + f"\n... {len(problems)} problems"


def test_template_syntax_is_shown_as_typed(client, world):
    login_as(client, world, "member")
    response = client.post("/en/articles/new", data={
        "kind": "blog", "original_language": "en", "title": "Sum {{7*7}} and {{ config }}",
        "summary": "{% for x in range(3) %}loop{% endfor %}", "body": "<p>{{7*7}}</p>",
        "publish": "1"})
    assert response.status_code == 302
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Sum {{7*7}} and {{ config }}" in html
    assert "{% for x in range(3) %}loop{% endfor %}" in html
    assert "SECRET_KEY" not in html and "test-secret-key" not in html


def test_event_links_refuse_script_urls(client, world):
    login_as(client, world, "member")
    before = db.session.scalar(select(db.func.count()).select_from(Article))
    for url in ("javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)",
                "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)",
                "//evil.example/x", "java\tscript:alert(1)", "/en/auth/logout"):
        for name in ("online_url", "registration_url"):
            response = client.post("/en/articles/new", data={
                "kind": "event", "original_language": "en", "title": "Event with a link",
                "body": "<p>x</p>", "event_start": "2031-06-01T10:00",
                "event_end": "2031-06-01T12:00", "event_timezone": "Europe/Vienna",
                "is_online": "y", "online_url": "https://ok.example/meet",
                name: url, "publish": "1"})
            assert response.status_code == 422, (name, url)
    assert db.session.scalar(select(db.func.count()).select_from(Article)) == before


# -- reflected payloads ------------------------------------------------------------------------

def test_reflected_payloads_in_search_and_list_parameters(client, world):
    """Every payload as the search query (eight to a query) and as a filter, sort or page
    parameter of the search page and both lists (five parameters to a request)."""
    problems: list[str] = []
    login_as(client, world, "member")
    params = ("type", "language", "sort", "page", "theme", "from", "to")
    for i, group in enumerate(batched(PAYLOADS, 8)):
        others = {name: PAYLOADS[(i * 7 + k) % len(PAYLOADS)] for k, name in enumerate(params)}
        query = "&".join(f"{k}={quote(v, safe='')}"
                         for k, v in {"q": " ".join(group), **others}.items())
        check_page(client, f"/en/search?{query}", problems)
    for i, group in enumerate(batched(PAYLOADS, 5)):
        names = ("kind", "theme", "tag", "language", "page")
        query = "&".join(f"{k}={quote(v, safe='')}" for k, v in zip(names, group, strict=False))
        endpoint = "/en/articles/" if i % 2 else "/en/discussions/"
        check_page(client, f"{endpoint}?{query}", problems)
    assert not problems, "\n".join(problems[:40]) + f"\n... {len(problems)} problems"


def test_payloads_as_the_language_segment_are_plain_404s(client):
    problems: list[str] = []
    for p in PAYLOADS[::9]:
        for template in ("/{}/", "/{}/articles/", "/{}/search?q=x"):
            url = template.format(quote(p, safe=""))
            response = client.get(url)
            assert response.status_code == 404, (url, response.status_code)
            problems += html_problems(response.get_data(as_text=True), url)
    assert not problems, "\n".join(problems[:20])


@pytest.mark.parametrize("name", ["_scheme", "_external", "_anchor", "_method", "lang"])
def test_url_builder_keywords_in_the_query_string_are_inert(client, world, name):
    """Flask's url_for takes _scheme/_external/...: reflecting query args into it must not
    build javascript: links or fail."""
    problems: list[str] = []
    for url in ("/en/articles/", "/en/search?q=x",
                f"/en/articles/{world.ids['pub']}",
                f"/en/discussions/{world.ids['disc']}-{world.slugs['disc']}"):
        joiner = "&" if "?" in url else "?"
        target = f"{url}{joiner}{name}=javascript&_external=1"
        response = client.get(target)
        assert response.status_code in (200, 301), (target, response.status_code)
        if response.status_code == 301:
            location = response.headers["Location"]
            assert location.startswith(("/", "http://localhost/")), location
        problems += html_problems(response.get_data(as_text=True), target)
    assert not problems, "\n".join(problems)


# -- the password reset email ------------------------------------------------------------------

def _message(path: Path) -> email.message.EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def test_reset_email_carries_the_display_name_as_plain_text(app, client, world):
    """Through the reset form for a few members, then the same template and mailer for
    every display name of the corpus (the form adds nothing per name)."""
    from app.auth.services import make_reset_token
    from app.mail import send_template_mail

    names = [n.replace("\x00", "") for n in pack(PAYLOADS, 100)]  # as stored (see _authors)
    ids = _authors(len(names))
    outbox = Path(app.instance_path) / "outbox"
    for uid in ids[:5]:
        user = db.session.get(User, uid)
        assert client.post("/en/auth/reset", data={"email": user.email}).status_code == 302
    assert len(list(outbox.glob("*.eml"))) == 5
    with app.test_request_context("/en/auth/reset"):
        for uid in ids[5:]:
            user = db.session.get(User, uid)
            send_template_mail(user.email, "en", "email/reset_password.txt", "Reset",
                               user=user, link=f"http://localhost/en/auth/reset/"
                                               f"{make_reset_token(user)}")
    files = sorted(outbox.glob("*.eml"))
    assert len(files) == len(ids)
    greeted = 0
    for path in files:
        message = _message(path)
        assert message.get_content_type() == "text/plain"
        assert not message.is_multipart()
        assert len(message.get_all("To")) == 1 and message.get_all("Bcc") is None
        assert message["To"].addresses[0].addr_spec.startswith("hostile")
        body = message.get_content()
        # Line ends are the mail format's (CRLF becomes LF); the words stay verbatim.
        greeted += any(name.replace("\r\n", "\n").replace("\r", "\n") in body
                       for name in names)
        assert "<script" not in message.as_string().split("\n\n")[0]
    assert greeted == len(files), "every email greets its member by display name, verbatim"


def test_the_search_date_notice_escapes_the_visitors_value(client):
    """Regression: the notice was a lazy_gettext string formatted with the raw value, and
    flask_babel's LazyString.__html__ skips escaping (reflected XSS through ?from=)."""
    response = client.get("/en/search", query_string={"q": "x", "from": "<script src=//a.b>",
                                                      "to": "<img src=x onerror=alert(1)>"})
    html = response.get_data(as_text=True)
    assert "&lt;script src=//a.b&gt;" in html
    assert not html_problems(html, "search notice")
