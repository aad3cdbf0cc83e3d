"""Pages render in a fixed number of SQL queries, whatever the amount of data."""

from __future__ import annotations

from sqlalchemy import insert

from app.articles.models import Article
from app.comments.models import Comment
from app.db_types import utcnow
from app.extensions import db
from tests.articles.helpers import count_queries

LANGS = ["de", "fr", "es", "it", "pl", "pt", "nl", "sv", "cs"]  # + the original: 10 versions
BUDGET = 10


def _big_article(make_article, add_version, author, commenters, comments=200) -> int:  # noqa: ANN001
    article = make_article(author, tags="one, two, three", themes=["quality", "policy"])
    for code in LANGS:
        add_version(article.id, commenters[0], code, f"Title in {code}")
    now = utcnow()
    db.session.execute(insert(Comment), [
        {"author_id": commenters[i % len(commenters)].id, "article_id": article.id,
         "body_html": f"<p>Comment {i}</p>", "created_at": now} for i in range(comments // 2)
    ])
    db.session.flush()
    parents = db.session.scalars(
        db.select(Comment.id).where(Comment.article_id == article.id)).all()
    db.session.execute(insert(Comment), [
        {"author_id": commenters[(i + 1) % len(commenters)].id, "article_id": article.id,
         "parent_id": parents[i], "body_html": f"<p>Reply {i}</p>", "created_at": now}
        for i in range(comments - comments // 2)
    ])
    db.session.execute(db.update(Article).where(Article.id == article.id)
                       .values(comment_count=comments))
    db.session.commit()
    return article.id


def _page_queries(client, url: str) -> tuple[int, str]:  # noqa: ANN001
    """Statements one GET sends, all counted against the budget.

    A request first: the search outbox left by the test's own writes is drained by
    whichever request comes next (the search area's after-request work, not this
    page's). If a drain still lands in the measured request, it counts against the
    budget but not as page queries (see _without_outbox).
    """
    client.get(url)
    with count_queries() as statements:
        r = client.get(url)
    assert r.status_code == 200, r.status_code
    assert len(statements) <= BUDGET, statements
    return len(_without_outbox(statements)), r.text


def _without_outbox(statements: list[str]) -> list[str]:
    return [s for s in statements if "search_outbox" not in s]


def test_article_page_with_200_comments_and_10_versions(client, make_user, login,
                                                        make_article, add_version):
    anna = make_user("anna")
    commenters = [make_user(f"c{i}") for i in range(20)]
    small = _big_article(make_article, add_version, anna, commenters, comments=2)
    big = _big_article(make_article, add_version, anna, commenters, comments=200)
    url = f"/fr/articles/{big}-title-in-fr"

    n_visitor, html = _page_queries(client, url)
    assert html.count('class="comment"') == 200
    assert "200 commentaires" in html  # the /fr/ page
    assert n_visitor <= BUDGET, n_visitor

    login(commenters[3])
    n_member, html = _page_queries(client, url)
    assert n_member <= BUDGET, n_member
    n_small, _ = _page_queries(client, f"/fr/articles/{small}-title-in-fr")
    assert n_small == n_member  # the count does not grow with the data

    login(make_user("mod", role="moderator"))
    n_mod, _ = _page_queries(client, url)
    assert n_mod <= BUDGET, n_mod


def test_article_list_query_count_is_fixed(client, make_user, make_article, add_version, login):
    anna = make_user("anna")
    make_article(anna, title="Only one")
    n_small, _ = _page_queries(client, "/en/articles/")
    for i in range(25):
        a = make_article(anna, title=f"Article {i}", tags="x, y")
        if i < 5:
            for code in LANGS:
                add_version(a.id, anna, code, f"{code} {i}")
    n_big, html = _page_queries(client, "/en/articles/")
    assert n_big <= BUDGET and n_big == n_small, (n_small, n_big)
    login(anna)
    n_member, _ = _page_queries(client, "/en/articles/?kind=blog&tag=x&language=de")
    assert n_member <= BUDGET, n_member
