"""Query budgets (issue 9 §3): every main page sends as many SQL statements with 50 items
as with one, and no more than its budget.

Each test measures a page showing one item (one of each kind where a page shows
several kinds), adds what makes 50 or more, and measures again.
The counts are taken on a miss: the page cache is off (tests/conftest.py) and so is the
panel cache (PANEL_CACHE_TTL=0), so the panels' own queries are counted every time.
Data goes in through the services, as the views write it. The search outbox is drained
after each commit (the search area's work, not the page's): its statements are left out.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import event

from app.articles import services as articles
from app.articles.queries import article_url, load_article
from app.auth.models import User
from app.comments.services import post_comment
from app.discussions.models import Discussion
from app.discussions.services import create_discussion
from app.extensions import db
from app.notifications.services import subscribe

# The most any viewer's page sends (measured on SQLite; a member adds two: loading the
# member and their unread count). Over budget: the page grew a query, or an N+1.
BUDGETS = {
    "home": 7,
    "articles_list": 5,
    "article": 8,
    "discussions_list": 7,
    "discussion": 9,
    "search": 7,
    "notifications": 9,  # with the UPDATE that marks the shown ones read
    "profile": 6,
}


@pytest.fixture
def app(app_factory):
    # A huge sync interval: the search area's throttled outbox check never lands in a
    # measured request (it is a timer, not part of any page).
    return app_factory(PANEL_CACHE_TTL=0, SEARCH_SYNC_INTERVAL=1e9)


def page_statements(client, url: str, warm_with: str | None = None) -> list[str]:  # noqa: ANN001
    """The statements one GET of `url` sends, after a first GET (of `warm_with`, else of
    `url`) has built what is built once per process."""
    client.get(warm_with or url)
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        if "search_outbox" not in statement:
            statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert response.status_code == 200, (url, response.status_code)
    return statements


def assert_fixed(page: str, small: list[str], big: list[str]) -> None:
    assert len(small) == len(big), f"{page}: {len(small)} queries with 1 item, {len(big)} with 50"
    assert len(big) <= BUDGETS[page], f"{page} over its budget: {big}"


# -- data, through the services ----------------------------------------------------------

def new_articles(author: User, n: int, *, word: str = "literacy", events: bool = False,
                 first: int = 0) -> list[int]:
    """n published articles (every other one an event when asked), one commit."""
    made = []
    for i in range(first, first + n):
        is_event = events and i % 2 == 0
        start = datetime.now() + timedelta(days=10 + i)  # naive local time, as the form gives
        data = articles.ArticleInput(
            kind="event" if is_event else "blog", original_language="en",
            text=articles.VersionText(f"Article {i} on {word}", "",
                                      f"<p>Adult {word} in practice, part {i}.</p>"),
            themes=["quality"], tags=f"tag{i}, shared",
            event_start_local=start if is_event else None,
            event_end_local=start + timedelta(hours=2) if is_event else None,
            event_timezone="Europe/Paris" if is_event else "",
            venue="Library" if is_event else "",
        )
        made.append(articles.create_article(author, data, publish=True))
    db.session.commit()
    return [a.id for a in made]


def add_versions(article_id: int, translator: User, languages: list[str]) -> None:
    article = load_article(article_id)
    for code in languages:
        articles.add_version(article, translator, code,
                             articles.VersionText(f"Title {code}", "", "<p>Traduit.</p>"))
    db.session.commit()


def new_discussions(author: User, n: int, *, word: str = "literacy", first: int = 0) -> list[int]:
    made = [create_discussion(author, title=f"Topic {i} about {word}",
                              body=f"<p>How do you teach {word}? ({i})</p>", language="en",
                              tags=f"t{i}, shared", themes=["policy"])
            for i in range(first, first + n)]
    db.session.commit()
    return [d.id for d in made]


def comment_on(authors: list[User], n: int, *, article_id: int | None = None,
               discussion_id: int | None = None, body: str = "Comment") -> None:
    """n comments (a quarter of them replies, on articles) by turns of `authors`."""
    article = db.session.get(articles.Article, article_id) if article_id else None
    discussion = db.session.get(Discussion, discussion_id) if discussion_id else None
    last_top = None
    for i in range(n):
        parent = last_top if article is not None and i % 4 == 3 else None
        c = post_comment(authors[i % len(authors)], f"{body} {i}, see https://example.org/{i}",
                         article=article, discussion=discussion, parent=parent)
        if parent is None:
            last_top = c
    db.session.commit()


def article_page(article_id: int, lang: str = "en") -> str:
    return article_url(load_article(article_id), lang)


def discussion_page(discussion_id: int) -> str:
    d = db.session.get(Discussion, discussion_id)
    return f"/en/discussions/{d.id}-{d.slug}"


@pytest.fixture
def people(make_user):
    return {
        "anna": make_user("anna"),
        "ben": make_user("ben", timezone="Europe/Paris"),
        "cleo": make_user("cleo", preferred_language="fr"),
        "mod": make_user("mod", role="moderator"),
    }


# -- the pages ---------------------------------------------------------------------------

def test_home_page(client, login, people):
    anna = people["anna"]
    new_articles(anna, 1, events=True)  # an event: both article panels have one
    new_discussions(anna, 1)
    visitor_1 = page_statements(client, "/en/")
    new_articles(anna, 49, events=True, first=1)
    new_discussions(anna, 49, first=1)
    visitor_50 = page_statements(client, "/en/")
    assert_fixed("home", visitor_1, visitor_50)

    login(people["ben"])
    member = page_statements(client, "/en/")
    assert len(member) <= BUDGETS["home"], member


def test_articles_list(client, login, people):
    anna = people["anna"]
    new_articles(anna, 1)
    visitor_1 = page_statements(client, "/en/articles/")
    ids = new_articles(anna, 49, events=True, first=1)
    for article_id in ids[:5]:
        add_versions(article_id, people["ben"], ["fr", "de"])
    visitor_50 = page_statements(client, "/en/articles/")
    assert_fixed("articles_list", visitor_1, visitor_50)
    # Filters and later pages go through the same queries.
    assert_fixed("articles_list", visitor_1,
                 page_statements(client, "/en/articles/?page=2&kind=blog&tag=shared"))

    login(people["ben"])
    member = page_statements(client, "/en/articles/")
    assert len(member) == len(visitor_1) + 2  # the member and their unread count


def test_article_page(client, login, people):
    anna, ben, cleo, mod = people["anna"], people["ben"], people["cleo"], people["mod"]
    small, big = new_articles(anna, 2)
    comment_on([ben], 1, article_id=small)
    add_versions(big, ben, ["fr", "de"])
    comment_on([ben, cleo, anna, mod], 50, article_id=big)
    small_url, big_url = article_page(small), article_page(big)

    assert_fixed("article", page_statements(client, small_url), page_statements(client, big_url))
    for viewer in (ben, mod):  # a commenter (edit and delete links), a moderator
        login(viewer)
        assert_fixed("article", page_statements(client, small_url),
                     page_statements(client, big_url))
    html = client.get(big_url).text
    assert html.count('class="comment"') == 50


def test_discussions_list(client, login, people):
    anna = people["anna"]
    new_discussions(anna, 1)
    visitor_1 = page_statements(client, "/en/discussions/")
    new_discussions(anna, 49, first=1)
    visitor_50 = page_statements(client, "/en/discussions/")
    assert_fixed("discussions_list", visitor_1, visitor_50)

    login(people["ben"])
    member = page_statements(client, "/en/discussions/")
    assert len(member) == len(visitor_1) + 2  # the member and their unread count


def test_discussion_page(client, login, people):
    anna, ben, cleo, mod = people["anna"], people["ben"], people["cleo"], people["mod"]
    small, big = new_discussions(anna, 2)
    comment_on([ben], 1, discussion_id=small)
    comment_on([ben, cleo, anna, mod], 50, discussion_id=big)
    small_url, big_url = discussion_page(small), discussion_page(big)

    assert_fixed("discussion", page_statements(client, small_url),
                 page_statements(client, big_url))
    for viewer in (ben, mod):
        login(viewer)
        assert_fixed("discussion", page_statements(client, small_url),
                     page_statements(client, big_url))
    assert client.get(big_url).text.count('<article class="comment') == 50


def test_search_results_page(client, login, people):
    """The database side of a search: the shown hits are re-checked in a fixed number of
    queries per kind of result, whatever the number of hits."""
    anna, ben = people["anna"], people["ben"]
    url = "/en/search?q=numeracy"
    kinds = ("article", "discussion", "comment")
    # One hit of each kind: an article, a discussion, a comment.
    (article_id,) = new_articles(anna, 1, word="numeracy")
    new_discussions(anna, 1, word="numeracy")
    comment_on([ben], 1, article_id=article_id, body="Numeracy matters")
    one_each = page_statements(client, url)
    assert ">3 results</h2>" in client.get(url).text
    one = {kind: page_statements(client, f"{url}&type={kind}") for kind in kinds}

    # More than a page (20) of each.
    ids = new_articles(anna, 21, word="numeracy", first=1)
    new_discussions(anna, 21, word="numeracy", first=1)
    comment_on([ben, people["cleo"]], 21, article_id=ids[0], body="Numeracy matters")
    assert ">66 results</h2>" in client.get(url).text
    for kind in kinds:
        assert_fixed("search", one[kind], page_statements(client, f"{url}&type={kind}"))
        assert_fixed("search", one[kind], page_statements(client, f"{url}&type={kind}&page=2"))
    # Mixed results: never more than one set of queries per kind.
    assert len(page_statements(client, url)) <= len(one_each) <= BUDGETS["search"]

    login(ben)
    member = page_statements(client, url)
    assert len(member) <= len(one_each) + 2  # the member and their unread count


def test_notifications_page(client, login, people):
    """Targets are loaded per type, never per notification, and none is reloaded after
    the commit that marks them read."""
    anna, ben, cleo = people["anna"], people["ben"], people["cleo"]
    url = "/en/notifications"
    # One of each kind: a reply in a discussion anna started, a comment on her article.
    (discussion_id,) = new_discussions(anna, 1)
    (article_id,) = new_articles(anna, 1)
    subscribe(anna.id, "article", article_id)
    db.session.commit()
    comment_on([ben], 1, discussion_id=discussion_id)
    comment_on([cleo], 1, article_id=article_id)
    login(anna)
    unread_2 = page_statements(client, url, warm_with="/en/")  # this view marks them read
    read_2 = page_statements(client, url)

    for d in new_discussions(anna, 24, first=1):
        comment_on([cleo], 1, discussion_id=d)
    for a in new_articles(anna, 24, first=1):
        subscribe(anna.id, "article", a)
        db.session.commit()
        comment_on([ben], 1, article_id=a)
    unread_50 = page_statements(client, url, warm_with="/en/")
    read_50 = page_statements(client, url)
    assert client.get(url).text.count('<li class="notification') == 50
    assert_fixed("notifications", read_2, read_50)
    assert_fixed("notifications", unread_2, unread_50)
    assert len(unread_50) == len(read_50) + 1  # the one UPDATE that marks the page read


def test_member_profile_page(client, login, people):
    anna = people["anna"]
    new_articles(anna, 1)
    new_discussions(anna, 1)
    url = "/en/users/anna"
    visitor_1 = page_statements(client, url)
    new_articles(anna, 49, first=1)
    new_discussions(anna, 49, first=1)
    visitor_50 = page_statements(client, url)
    assert_fixed("profile", visitor_1, visitor_50)
    html = client.get(url).text
    assert "Article 49 on literacy" in html and "Topic 49 about literacy" in html

    login(people["ben"])
    member = page_statements(client, url)
    assert len(member) == len(visitor_1) + 2  # the member and their unread count
    login(anna)  # her own profile
    assert len(page_statements(client, url)) == len(visitor_1) + 2

