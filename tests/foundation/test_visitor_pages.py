"""Pages a visitor reads carry no session: no cookie, no CSRF token, no POST form.

That is what makes them safe to serve from the shared page cache.
"""

from __future__ import annotations

import pytest

from app.comments.services import post_comment
from app.extensions import db
from tests.discussions.helpers import add_reply, make_article, make_discussion


@pytest.fixture
def content(make_user):
    anna = make_user("anna", display_name="Anna")
    article = make_article(anna, versions={"fr": "Apprendre ensemble"})
    post_comment(anna, "A first comment", article=article)
    discussion = make_discussion(anna)
    add_reply(discussion, anna, "A first reply")
    db.session.commit()
    return {"article": article.id, "discussion": discussion.id}


def visitor_urls(content) -> list[str]:
    return [
        "/en/", "/fr/", "/en/articles/", "/en/discussions/", "/en/search?q=learning",
        "/en/search", "/en/users/anna", "/en/privacy",
        f"/en/articles/{content['article']}-article",
        f"/fr/articles/{content['article']}-version",
        f"/en/discussions/{content['discussion']}-how-do-we-keep-learners-motivated",
    ]


def test_visitor_pages_set_no_cookie_and_carry_no_token(client, content):
    for url in visitor_urls(content):
        response = client.get(url, follow_redirects=True)
        assert response.status_code == 200, url
        assert not response.headers.getlist("Set-Cookie"), url
        html = response.get_data(as_text=True)
        assert "csrf_token" not in html, url
        assert 'method="post"' not in html.lower(), url
