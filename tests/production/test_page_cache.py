"""The anonymous page cache (DESIGN.md "Page cache", issue 9 "Tests").

Changes are written straight through the models and committed, as any view or
service would; each test first proves the page was served from the cache, then
that the change shows on the very next request.

The article page here is a small test-only route reading the models, so these
tests do not depend on the article templates being finished; the home page
(real route) carries the latest-articles and latest-discussions panels.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import make_response, render_template_string, session
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from app.articles.models import Article, ArticleTranslation
from app.cache import get_cache, get_or_set
from app.comments.models import Comment
from app.discussions.models import Discussion
from app.extensions import db
from app.main.home import latest_discussions_panel
from tests.production.helpers import fresh, warm

ARTICLE_PAGE = """<!doctype html><title>{{ version.title }}</title>
<h1>{{ version.title }}</h1>
<div class="body">{{ version.body_html|safe }}</div>
<p class="languages">{{ article.languages|sort|join(",") }}</p>
<ul class="comments">{% for c in comments %}<li>{{ c.body_html|safe }}</li>{% endfor %}</ul>
<ul class="panel">{% for d in panel %}<li>{{ d.title }}</li>{% endfor %}</ul>
<p class="viewer">{{ current_user.username if current_user.is_authenticated else "visitor" }}</p>
"""


def _article_page(article_id: int):
    from app.i18n import current_lang

    article = db.session.scalar(
        select(Article).where(Article.id == article_id)
        .options(selectinload(Article.translations))
    )
    comments = db.session.scalars(
        select(Comment).where(Comment.article_id == article_id, Comment.hidden_at.is_(None),
                              Comment.deleted_at.is_(None)).order_by(Comment.id)
    ).all()
    return render_template_string(ARTICLE_PAGE, article=article,
                                  version=article.best_version(current_lang()),
                                  comments=comments, panel=latest_discussions_panel())


def _sets_cookie():
    response = make_response("<p>hello</p>")
    response.set_cookie("visitor_token", "per-person-value")
    return response


def _touches_session():
    session["seen"] = True
    return "<p>a page that starts a session</p>"


def _carries_csrf_input():
    # The marker alone, without the session that a real token would start.
    return '<form method="post"><input type="hidden" name="csrf_token" value="abc"></form>'


@pytest.fixture
def app(app_factory):
    app = app_factory(PAGE_CACHE_ENABLED=True)
    app.add_url_rule("/<lang:lang>/_cachetest/articles/<int:article_id>", "cachetest_article",
                     _article_page)
    app.add_url_rule("/<lang:lang>/_cachetest/cookie", "cachetest_cookie", _sets_cookie)
    app.add_url_rule("/<lang:lang>/_cachetest/session", "cachetest_session", _touches_session)
    app.add_url_rule("/<lang:lang>/_cachetest/csrf", "cachetest_csrf", _carries_csrf_input)
    return app


def _url(article: Article, lang: str = "en") -> str:
    return f"/{lang}/_cachetest/articles/{article.id}"


# -- visitors see every change at once ---------------------------------------------

def test_a_visitor_gets_the_cached_page_with_its_headers(client, article):
    body = warm(client, _url(article))
    assert "Learning circles" in body
    hit = client.get(_url(article))
    assert hit.headers["Content-Type"].startswith("text/html")
    assert hit.headers["Content-Security-Policy"]
    assert hit.headers["X-Request-ID"]
    assert "Set-Cookie" not in hit.headers
    assert client.get(_url(article)).headers["X-Request-ID"] != hit.headers["X-Request-ID"]


def test_a_new_comment_shows_right_after_it_is_posted(client, article, make_user):
    assert "Welcome back" not in warm(client, _url(article))
    reader = make_user("reader")
    db.session.add(Comment(author_id=reader.id, article_id=article.id,
                           body_html="<p>Welcome back</p>"))
    db.session.commit()
    assert "Welcome back" in fresh(client, _url(article))


def test_an_edit_shows_right_after_it_is_saved(client, article):
    warm(client, _url(article))
    version = db.session.scalar(select(ArticleTranslation).where(
        ArticleTranslation.article_id == article.id))
    version.title = "Learning circles, revised"
    version.body_html = "<p>Second body.</p>"
    db.session.commit()
    body = fresh(client, _url(article))
    assert "Learning circles, revised" in body
    assert "Second body." in body and "First body." not in body


def test_a_new_language_version_shows_right_after_it_is_added(client, article):
    french_url = _url(article, "fr")
    assert "Learning circles" in warm(client, french_url)  # the original, as fallback
    warm(client, _url(article))
    db.session.add(ArticleTranslation(article_id=article.id, language="fr",
                                      title="Cercles d'apprentissage",
                                      slug="cercles-d-apprentissage", body_html="<p>Corps.</p>"))
    db.session.commit()
    assert "Cercles d&#39;apprentissage" in fresh(client, french_url)
    assert '<p class="languages">en,fr</p>' in fresh(client, _url(article))


def test_a_hidden_comment_disappears_right_after_it_is_hidden(client, article, make_user):
    reader = make_user("reader")
    comment = Comment(author_id=reader.id, article_id=article.id, body_html="<p>Spam link</p>")
    db.session.add(comment)
    db.session.commit()
    assert "Spam link" in warm(client, _url(article))
    comment.hidden_at = datetime.now(UTC)
    db.session.commit()
    assert "Spam link" not in fresh(client, _url(article))


def test_a_counter_updated_by_a_bulk_statement_invalidates_too(client, article):
    # Services keep counts with UPDATE statements, not through loaded objects.
    warm(client, _url(article))
    db.session.execute(update(ArticleTranslation)
                       .where(ArticleTranslation.article_id == article.id)
                       .values(title="Renamed in bulk"))
    db.session.commit()
    assert "Renamed in bulk" in fresh(client, _url(article))


def _discussion(author_id: int, title: str) -> Discussion:
    now = datetime.now(UTC)
    return Discussion(author_id=author_id, language="en", title=title, slug="d",
                      body_html="<p>Body</p>", summary="Body", last_activity_at=now,
                      created_at=now)


def test_the_latest_discussions_panel_changes_right_after_a_new_discussion(
        client, article, make_user):
    starter = make_user("starter")
    db.session.add(_discussion(starter.id, "Older debate"))
    db.session.commit()
    assert "Older debate" in warm(client, _url(article))
    assert "Older debate" in warm(client, "/en/")
    db.session.add(_discussion(starter.id, "Fresh debate on funding"))
    db.session.commit()
    assert "Fresh debate on funding" in fresh(client, _url(article))
    assert "Fresh debate on funding" in fresh(client, "/en/")


def test_a_hidden_discussion_leaves_the_home_page_at_once(client, make_user):
    starter = make_user("starter")
    discussion = _discussion(starter.id, "Soon hidden thread")
    db.session.add(discussion)
    db.session.commit()
    assert "Soon hidden thread" in warm(client, "/en/")
    discussion.hidden_at = datetime.now(UTC)
    db.session.commit()
    assert "Soon hidden thread" not in fresh(client, "/en/")


def test_another_worker_invalidates_this_workers_pages(app_factory, client, article):
    """Two apps on one instance folder stand for two gunicorn workers (memory store)."""
    warm(client, _url(article))
    other_worker = app_factory(PAGE_CACHE_ENABLED=True)
    with other_worker.app_context():
        version = db.session.scalar(select(ArticleTranslation).where(
            ArticleTranslation.article_id == article.id))
        version.title = "Changed by the other worker"
        db.session.commit()
        db.session.remove()
    assert "Changed by the other worker" in fresh(client, _url(article))


def test_private_changes_keep_the_cache(app, client, article, make_user):
    """Logging in or out (a new session token) must not empty the cache for everyone."""
    member = make_user("member")
    warm(client, _url(article))
    member.rotate_session_token()
    db.session.commit()
    assert client.get(_url(article)).headers["X-Cache"] == "HIT"
    member.bio = "Now with a public bio"
    db.session.commit()
    assert client.get(_url(article)).headers["X-Cache"] == "MISS"


# -- members never share ------------------------------------------------------------

def test_a_member_never_receives_the_cached_visitor_page(app, client, article, make_user,
                                                         login):
    anna = make_user("anna")  # first: a new account changes the content version
    warm(client, _url(article))
    member = app.test_client()
    login(anna, member)
    response = member.get(_url(article))
    assert response.headers.get("X-Cache") is None
    assert '<p class="viewer">anna</p>' in response.get_data(as_text=True)


def test_a_member_page_is_never_stored_nor_given_to_another_member(app, article, make_user,
                                                                  login):
    anna, bruno = make_user("anna"), make_user("bruno")
    first, second = app.test_client(), app.test_client()
    login(anna, first)
    login(bruno, second)
    for _ in range(2):
        assert "anna" in first.get(_url(article)).get_data(as_text=True)
    page = second.get(_url(article)).get_data(as_text=True)
    assert '<p class="viewer">bruno</p>' in page and "anna" not in page
    visitor = app.test_client().get(_url(article))
    assert visitor.headers["X-Cache"] == "MISS"  # nothing a member saw was stored
    assert '<p class="viewer">visitor</p>' in visitor.get_data(as_text=True)


def test_the_real_header_of_a_member_is_never_cached(app, client, make_user, login):
    anna = make_user("anna", display_name="Anna Member")
    warm(client, "/en/")
    member = app.test_client()
    login(anna, member)
    page = member.get("/en/").get_data(as_text=True)
    assert "Anna Member" in page
    assert "Anna Member" not in client.get("/en/").get_data(as_text=True)


def test_a_remember_me_cookie_alone_bypasses_the_cache(app, client, article):
    warm(client, _url(article))
    client.set_cookie("remember_token", "whatever", domain="localhost")
    assert client.get(_url(article)).headers.get("X-Cache") is None


def test_a_visitor_with_a_pending_message_gets_it(app, client):
    """Flashed messages live in the session: such a request renders, not a cached copy."""
    warm(client, "/en/")
    with client.session_transaction() as sess:
        sess["_flashes"] = [("info", "You are logged out.")]
    response = client.get("/en/")
    assert response.headers.get("X-Cache") is None
    assert "You are logged out." in response.get_data(as_text=True)


# -- what is never stored -------------------------------------------------------------

@pytest.mark.parametrize("path", ["/en/_cachetest/cookie", "/en/_cachetest/session",
                                  "/en/_cachetest/csrf"])
def test_pages_with_a_cookie_or_a_csrf_token_are_never_shared(app, path):
    first = app.test_client().get(path)
    assert first.status_code == 200
    second = app.test_client().get(path)
    assert second.headers["X-Cache"] == "MISS"
    if path.endswith("/cookie"):
        assert "visitor_token=per-person-value" in second.headers["Set-Cookie"]


def test_a_login_form_with_its_csrf_token_is_never_shared(app_factory):
    app = app_factory(PAGE_CACHE_ENABLED=True, WTF_CSRF_ENABLED=True)
    first, second = app.test_client(), app.test_client()
    page_one = first.get("/en/auth/login")
    page_two = second.get("/en/auth/login")
    assert page_one.status_code == page_two.status_code == 200
    assert 'name="csrf_token"' in page_one.get_data(as_text=True)
    assert page_two.headers.get("X-Cache") != "HIT"
    assert page_one.data != page_two.data  # each visitor has their own token


def test_health_and_errors_are_never_cached(app, client):
    for _ in range(2):
        assert client.get("/healthz").headers.get("X-Cache") is None
        missing = client.get("/en/no-such-page")
        assert missing.status_code == 404
        assert missing.headers.get("X-Cache") != "HIT"


def test_query_language_and_time_zone_are_part_of_the_key(app, client, article):
    warm(client, "/en/?page=1")
    assert client.get("/en/?page=2").headers["X-Cache"] == "MISS"
    assert client.get("/fr/?page=1").headers["X-Cache"] == "MISS"
    # agora.js writes the zone percent-encoded; it must still get its own entry.
    for value in ("Europe/Paris", "Europe%2FParis"):
        zoned = app.test_client()
        zoned.set_cookie("agora_tz", value, domain="localhost")
        assert zoned.get("/en/?page=1").headers["X-Cache"] == (
            "MISS" if value == "Europe/Paris" else "HIT")
        assert zoned.get("/en/?page=1").headers["X-Cache"] == "HIT"
    junk = app.test_client()
    junk.set_cookie("agora_tz", "Not/AZone", domain="localhost")
    assert junk.get("/en/?page=1").headers["X-Cache"] == "HIT"  # rendered in UTC anyway


def test_the_cache_is_off_when_disabled(app_factory):
    app = app_factory(PAGE_CACHE_ENABLED=False)
    client = app.test_client()
    for _ in range(2):
        assert client.get("/en/").headers.get("X-Cache") is None


# -- panels ---------------------------------------------------------------------------

def test_a_panel_is_computed_once_until_content_changes(app, ctx, make_user):
    calls: list[int] = []

    def compute() -> list[str]:
        calls.append(1)
        return ["value", str(len(calls))]

    assert get_or_set("test-panel", 60, compute) == ["value", "1"]
    assert get_or_set("test-panel", 60, compute) == ["value", "1"]
    assert len(calls) == 1
    make_user("someone")  # a committed change to content
    assert get_or_set("test-panel", 60, compute) == ["value", "2"]
    assert get_or_set("test-panel", 0, compute) == ["value", "3"]  # ttl 0: not cached
    version = get_cache(app).version()
    get_cache(app).bump()
    assert get_cache(app).version() != version


def test_the_real_article_page_shows_a_new_comment_at_once(client, article, make_user):
    """The same through the articles blueprint's own page."""
    url = f"/en/articles/{article.id}-learning-circles"
    assert "Learning circles" in warm(client, url)
    reader = make_user("reader")
    db.session.add(Comment(author_id=reader.id, article_id=article.id,
                           body_html="<p>Seen on the real page</p>"))
    db.session.commit()
    assert "Seen on the real page" in fresh(client, url)


def test_a_cached_search_miss_expires_when_the_item_is_indexed(app, client, make_user):
    """The content's commit expires the cache before the index has the item (the drain
    was deferred: another process held the index); the drain must expire it again."""
    from app.search.outbox import drain, index_root
    from app.search.store import IndexLock, ensure_index

    url = "/en/search?q=zanzibarian"
    author = make_user("writer")
    ensure_index(index_root(app))
    lock = IndexLock(index_root(app))
    assert lock.acquire()
    try:
        db.session.add(Discussion(author_id=author.id, language="en", slug="zanzibarian-circles",
                                  title="Zanzibarian reading circles",
                                  body_html="<p>Meeting notes.</p>"))
        db.session.commit()
        client.get(url)  # (a search is stored from its second request)
        assert "zanzibarian-circles" not in warm(client, url)
    finally:
        lock.release()
    assert drain(app, budget=None).processed == 1
    assert "zanzibarian-circles" in fresh(client, url)  # the result's link


def test_a_search_is_stored_from_its_second_request(app, client):
    """One-off searches never fill the store; a search asked for again is cached."""
    backend = get_cache(app).backend
    before = backend._bytes
    once = client.get("/en/search?q=orchards+once")
    assert once.status_code == 200 and once.headers["X-Cache"] == "MISS"
    assert backend._bytes == before  # not stored
    again = "/en/search?q=orchards"
    assert client.get(again).headers["X-Cache"] == "MISS"
    assert warm(client, again)  # the second request stores it, the third is a HIT
    assert backend._bytes > before
    # A page of another kind is stored on its first request, as before.
    assert client.get("/en/").headers["X-Cache"] == "MISS"
    assert client.get("/en/").headers["X-Cache"] == "HIT"


def test_a_search_seen_before_a_change_is_stored_again_at_once(app, client, make_user):
    url = "/en/search?q=orchards"
    client.get(url)
    warm(client, url)
    make_user("newcomer")  # (a change that shows on pages: a new member)
    with app.app_context():
        get_cache(app).bump()
    assert client.get(url).headers["X-Cache"] == "MISS"
    assert client.get(url).headers["X-Cache"] == "HIT"


def test_the_seen_searches_a_worker_remembers_are_bounded(tmp_path, monkeypatch):
    import app.cache as cache_module

    monkeypatch.setattr(cache_module, "SEEN_MAX_KEYS", 3)
    backend = cache_module.MemoryBackend(tmp_path / "version", 1 << 20)
    assert [backend.seen(k, 60) for k in ("a", "b", "c", "d")] == [False] * 4
    assert backend.seen("a", 60) is False  # pushed out by "d"
    assert backend.seen("d", 60) is True
    assert backend.seen("e", -1) is False and backend.seen("e", 60) is False  # expired


def test_search_unavailable_is_never_cached(app, client):
    from app.search.outbox import index_root
    from app.search.store import IndexLock

    # No index yet and its lock held (a first rebuild): search says so, uncached.
    lock = IndexLock(index_root(app))
    assert lock.acquire()
    try:
        for _ in range(2):
            response = client.get("/en/search?q=learning")
            assert response.status_code == 200
            assert "Search is unavailable for a moment" in response.get_data(as_text=True)
            assert response.headers["X-Cache"] != "HIT"
    finally:
        lock.release()


# -- concurrent misses in one process render once ------------------------------------

def _signal_waits(monkeypatch, signal) -> None:
    """Call `signal()` each time a request starts waiting for another thread's render."""
    import app.cache as cache_module

    real_wait = cache_module._wait_for_render

    def wait(done):
        signal()
        real_wait(done)

    monkeypatch.setattr(cache_module, "_wait_for_render", wait)


def test_concurrent_misses_of_a_page_render_it_once(app, monkeypatch):
    """Threads of one worker (gthread) that miss the same page at once: one renders,
    the others wait for it and get the stored page."""
    import threading

    import app.cache as cache_module

    renders = []
    rendering = threading.Event()
    finish = threading.Event()
    waiting = threading.Semaphore(0)

    def slow_page():
        renders.append(1)
        rendering.set()
        assert finish.wait(10)
        return f"<p>render {len(renders)}</p>"

    app.add_url_rule("/<lang:lang>/_cachetest/slow", "cachetest_slow", slow_page)
    _signal_waits(monkeypatch, waiting.release)
    results: list = [None] * 4

    def visit(i: int) -> None:
        response = app.test_client().get("/en/_cachetest/slow")
        results[i] = (response.status_code, response.headers["X-Cache"], response.data)

    first = threading.Thread(target=visit, args=(0,))
    first.start()
    assert rendering.wait(10)
    others = [threading.Thread(target=visit, args=(i,)) for i in (1, 2, 3)]
    for t in others:
        t.start()
    for _ in others:  # all three are waiting for the first render
        assert waiting.acquire(timeout=10)
    finish.set()
    for t in (first, *others):
        t.join(10)
    assert len(renders) == 1
    assert results[0] == (200, "MISS", b"<p>render 1</p>")
    assert results[1:] == [(200, "HIT", b"<p>render 1</p>")] * 3
    assert not cache_module._renders  # released


def test_a_failed_render_lets_the_waiting_request_render_itself(app, monkeypatch):
    import threading

    import app.cache as cache_module

    calls = []
    rendering = threading.Event()
    finish = threading.Event()
    waiting = threading.Event()

    def flaky_page():
        calls.append(1)
        if len(calls) == 1:
            rendering.set()
            assert finish.wait(10)
            raise RuntimeError("render failed")
        return "<p>second try</p>"

    app.add_url_rule("/<lang:lang>/_cachetest/flaky", "cachetest_flaky", flaky_page)
    _signal_waits(monkeypatch, waiting.set)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    statuses: list = [None, None]

    def visit(i: int) -> None:
        response = app.test_client().get("/en/_cachetest/flaky")
        statuses[i] = (response.status_code, response.data)

    first = threading.Thread(target=visit, args=(0,))
    first.start()
    assert rendering.wait(10)
    second = threading.Thread(target=visit, args=(1,))
    second.start()
    assert waiting.wait(10)
    finish.set()
    first.join(10)
    second.join(10)
    assert statuses[0][0] == 500
    assert statuses[1] == (200, b"<p>second try</p>")
    assert not cache_module._renders
