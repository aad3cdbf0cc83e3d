"""Pages render in a fixed number of SQL queries, whatever the number of items."""

from __future__ import annotations

from app.discussions.services import create_discussion
from app.extensions import db
from tests.discussions.helpers import bulk_replies, count_queries, make_discussion


def _queries(app, client, path: str) -> int:  # noqa: ANN001
    # The search area checks its outbox every few seconds after a request (one query,
    # on a timer, not part of the page): keep that timer out of the count.
    app.config["SEARCH_SYNC_INTERVAL"] = 1e9
    client.get(path)
    with count_queries(app) as statements:
        r = client.get(path)
    assert r.status_code == 200
    return len(statements)


def test_list_query_count_does_not_grow(app, client, make_user, login):
    anna = make_user("anna")
    login(make_user("reader"))
    make_discussion(anna, title="Only one", tags="a, b", themes=["quality"])
    one = _queries(app, client, "/en/discussions/")
    for i in range(49):
        create_discussion(anna, title=f"Topic {i}", body="<p>Text</p>", language="en",
                          tags=f"t{i}, shared", themes=["policy"])
    db.session.commit()
    fifty = _queries(app, client, "/en/discussions/?page=1")
    assert one == fifty
    assert fifty <= 10


def test_discussion_page_with_500_replies_fixed_queries(app, client, make_user, login):
    anna = make_user("anna")
    login(make_user("mod", role="moderator"))  # moderators see the most controls
    small = make_discussion(anna, title="Small", tags="x")
    bulk_replies(small, anna, 1)
    big = make_discussion(anna, title="Big", tags="x")
    bulk_replies(big, anna, 500)
    q_small = _queries(app, client, f"/en/discussions/{small.id}-small")
    q_big = _queries(app, client, f"/en/discussions/{big.id}-big")
    q_last = _queries(app, client, f"/en/discussions/{big.id}-big?page=10")
    assert q_small == q_big == q_last
    assert q_big <= 14
