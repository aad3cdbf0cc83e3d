"""What a search result shows, as load_items reads it from the database: titles, text,
authors, dates and addresses, for every kind of document, and nothing for a document
that is no longer visible."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import update

from app.articles.models import ArticleTranslation
from app.db_types import utcnow
from app.extensions import db
from app.search.display import load_items


def test_load_items_shows_each_kind_with_its_title_text_author_and_address(
        app: Flask, make_article, make_discussion, make_comment, make_user) -> None:
    gone = make_user("gone", display_name="Gone Member")
    plain = make_user("plainname")
    orchards = make_article("Orchards", "Apple &amp; pear <em>trees</em>",
                            versions={"fr": ("Vergers", "Pommiers")}, published_days_ago=2)
    db.session.execute(update(ArticleTranslation).where(
        ArticleTranslation.article_id == orchards.id, ArticleTranslation.language == "en"
    ).values(summary="Fruit at school"))
    woodwork = make_article("Holzarbeit", "Tischlern", language="de", user=gone)
    hidden = make_article("Hidden orchard", "Not shown")
    garden = make_discussion("Gardening", "Tell us <strong>all</strong>", language="de",
                             user=plain)
    on_article = make_comment("Lovely orchards", article=orchards)
    on_discussion = make_comment("Compost first", discussion=garden, user=gone)
    on_hidden = make_comment("On a hidden page", article=hidden)
    removed = make_comment("Removed later", discussion=garden)
    hidden.hidden_at = utcnow()
    removed.deleted_at = utcnow()
    gone.deleted_at = utcnow()
    db.session.commit()

    ids = [f"article:{orchards.id}:en", f"article:{orchards.id}:fr",
           f"article:{orchards.id}:de",  # a version the article has not got
           f"article:{woodwork.id}:de", f"article:{hidden.id}:en", f"discussion:{garden.id}",
           f"comment:{on_article.id}", f"comment:{on_discussion.id}",
           f"comment:{on_hidden.id}", f"comment:{removed.id}",
           "article:x:en", "bogus:1", "discussion:999999"]
    with app.test_request_context("/fr/search"):
        items = load_items(db.session, ids, "fr")

    assert set(items) == {f"article:{orchards.id}:en", f"article:{orchards.id}:fr",
                          f"article:{woodwork.id}:de", f"discussion:{garden.id}",
                          f"comment:{on_article.id}", f"comment:{on_discussion.id}"}
    # Every address is the page language's; an article's is its version in that
    # language where there is one, else its original.
    orchards_url = f"/fr/articles/{orchards.id}-vergers"
    en = items[f"article:{orchards.id}:en"]
    assert (en.type, en.lang, en.title, en.author, en.url) == (
        "article", "en", "Orchards", "Wanda Writer", orchards_url)
    assert en.text == "Fruit at school\nApple & pear trees"
    assert abs(en.date - (utcnow() - timedelta(days=2))) < timedelta(minutes=1)
    fr = items[f"article:{orchards.id}:fr"]
    assert (fr.lang, fr.title, fr.text, fr.url) == ("fr", "Vergers", "Pommiers", orchards_url)
    wood = items[f"article:{woodwork.id}:de"]
    assert (wood.title, wood.author, wood.url) == (
        "Holzarbeit", None, f"/fr/articles/{woodwork.id}-holzarbeit")
    discussion = items[f"discussion:{garden.id}"]
    assert (discussion.type, discussion.lang, discussion.title, discussion.text,
            discussion.author, discussion.url, discussion.date) == (
        "discussion", "de", "Gardening", "Tell us all", "plainname",
        f"/fr/discussions/{garden.id}-gardening", garden.created_at)
    comment = items[f"comment:{on_article.id}"]
    assert (comment.type, comment.lang, comment.title, comment.text, comment.author,
            comment.url, comment.parent_title, comment.date) == (
        "comment", "en", "", "Lovely orchards", "Wanda Writer",
        f"{orchards_url}#comment-{on_article.id}", "Vergers", on_article.created_at)
    reply = items[f"comment:{on_discussion.id}"]
    assert (reply.lang, reply.author, reply.url, reply.parent_title) == (
        "de", None, f"/fr/discussions/{garden.id}-gardening#comment-{on_discussion.id}",
        "Gardening")


def test_load_items_with_nothing_to_load_asks_nothing(app: Flask, ctx) -> None:
    with app.test_request_context("/en/search"):
        assert load_items(db.session, [], "en") == {}
        assert load_items(db.session, ["article:1:en", "comment:2"], "en") == {}


def test_results_are_loaded_without_holding_the_searcher(
        app: Flask, make_article, monkeypatch) -> None:
    """The database rows and the excerpts are read after the process's one searcher is
    released: other threads of a gthread worker may search meanwhile."""
    from app.search import facade, searching
    from app.search.searching import Filters
    from app.search.store import searcher_slot

    article = make_article("Orchards in winter")
    held = []

    def spy(session, doc_ids, page_lang):  # noqa: ANN001, ANN202
        held.append(searcher_slot(searching.index_root(app)).lock.locked())
        return load_items(session, doc_ids, page_lang)

    monkeypatch.setattr(searching, "load_items", spy)
    with app.test_request_context("/en/search"):
        result = facade.search("orchards", page=1, lang="en", filters=Filters())
    assert [r.item.doc_id for r in result.results] == [f"article:{article.id}:en"]
    assert held == [False]
