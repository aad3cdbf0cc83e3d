"""The article list, home panels, profile and sitemap entries."""

from __future__ import annotations

import re

from sqlalchemy import update

from app.articles.models import Article
from app.db_types import utcnow
from app.extensions import db


def _titles(html: str) -> list[str]:
    cards = html.split('<ul class="cards">')[1].split("</ul>")[0]
    return re.findall(r'<a href="[^"]+" lang="[a-z]+">([^<]+)</a>', cards)


def test_list_newest_first_20_a_page(client, make_user, make_article):
    from datetime import timedelta

    anna = make_user("anna")
    now = utcnow()
    for i in range(23):
        a = make_article(anna, title=f"Article number {i:02d}")
        db.session.execute(update(Article).where(Article.id == a.id)
                           .values(published_at=now - timedelta(hours=100 - i)))
    db.session.commit()
    first = client.get("/en/articles/").text
    titles = _titles(first)
    assert len(titles) == 20
    assert titles[0] == "Article number 22" and titles[-1] == "Article number 03"
    assert "23 articles" in first
    second = _titles(client.get("/en/articles/?page=2").text)
    assert second == ["Article number 02", "Article number 01", "Article number 00"]


def test_filters(client, make_user, make_article, add_version):
    anna = make_user("anna")
    make_article(anna, title="A news item", kind="news", themes=["policy"], tags="funding")
    res = make_article(anna, title="A resource", kind="resource", themes=["quality"],
                       tags="toolkit, funding")
    add_version(res.id, anna, "de", "Eine Ressource")
    make_article(anna, title="A draft", kind="news", publish=False)
    assert _titles(client.get("/en/articles/?kind=news").text) == ["A news item"]
    assert _titles(client.get("/en/articles/?theme=quality").text) == ["A resource"]
    assert set(_titles(client.get("/en/articles/?tag=funding").text)) == {
        "A news item", "A resource"}
    assert _titles(client.get("/en/articles/?tag=toolkit").text) == ["A resource"]
    assert _titles(client.get("/en/articles/?language=de").text) == ["A resource"]
    assert "No articles match." in client.get("/en/articles/?language=pl").text
    # Junk filter values are ignored, never an error.
    assert client.get("/en/articles/?kind=<x>&theme=nope&page=abc").status_code == 200


def test_entries_in_page_language_when_version_exists(client, make_user, make_article,
                                                      add_version):
    anna = make_user("anna")
    a = make_article(anna, title="Learning circles")
    add_version(a.id, anna, "fr", "Cercles d'apprentissage")
    make_article(anna, title="Only in English")
    fr = client.get("/fr/articles/").text
    titles = _titles(fr)
    assert "Cercles d&#39;apprentissage" in titles and "Only in English" in titles
    assert f'href="/fr/articles/{a.id}-cercles-d-apprentissage"' in fr


def test_home_latest_articles_and_write_callout(client, make_user, make_article):
    anna = make_user("anna")
    make_article(anna, title="Fresh article")
    make_article(anna, title="Hidden draft", publish=False)
    home = client.get("/en/").text
    assert "Fresh article" in home and "Hidden draft" not in home
    assert "Want to write an article? Don't hesitate to do so!" in home
    assert 'href="/en/auth/login?next=/en/articles/new"' in home


def test_profile_shows_drafts_only_to_owner(client, make_user, make_article, login):
    anna = make_user("anna")
    make_article(anna, title="Public piece")
    make_article(anna, title="Secret draft", publish=False)
    public = client.get("/en/users/anna").text
    assert "Public piece" in public and "Secret draft" not in public
    login(anna)
    own = client.get("/en/users/anna").text
    assert "Secret draft" in own


def test_sitemap_lists_each_public_version(client, make_user, make_article, add_version):
    from app.articles.services import sitemap_articles

    anna = make_user("anna")
    a = make_article(anna, title="Circles")
    add_version(a.id, anna, "de", "Zirkel")
    make_article(anna, title="Draft", publish=False)
    with client.application.test_request_context():
        locs = [e["loc"] for e in sitemap_articles()]
    assert len(locs) == 2
    assert any(f"/de/articles/{a.id}-zirkel" in loc for loc in locs)
