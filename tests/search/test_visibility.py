"""Only visible items are indexed and shown; the page re-checks the database."""

from __future__ import annotations

from sqlalchemy import select, text

from app.articles.models import Article
from app.comments.services import delete_comment, hide_comment
from app.db_types import utcnow
from app.extensions import db
from app.search import facade
from app.search.models import SearchOutbox


def test_draft_and_review_articles_are_not_found(make_article, find):
    make_article("Draft about orchards", status="draft")
    make_article("Review about orchards", status="review")
    make_article("Rejected about orchards", status="rejected")
    assert find("orchards") == []


def test_publishing_makes_every_version_findable(make_article, find):
    article = make_article("Orchards", "Apple trees", status="draft",
                           versions={"fr": ("Vergers", "Pommiers")})
    assert find("orchards") == [] and find("vergers") == []
    article.status = "published"
    article.published_at = utcnow()
    db.session.commit()
    assert find("orchards") == [f"article:{article.id}:en"]
    assert find("vergers") == [f"article:{article.id}:fr"]


def test_hidden_article_and_its_comments_disappear(make_article, make_comment, find):
    article = make_article("Beekeeping courses")
    comment = make_comment("Beekeeping changed my life", article=article)
    assert set(find("beekeeping")) == {f"article:{article.id}:en", f"comment:{comment.id}"}
    article.hidden_at = utcnow()
    db.session.commit()
    assert find("beekeeping") == []
    article.hidden_at = None
    db.session.commit()
    assert set(find("beekeeping")) == {f"article:{article.id}:en", f"comment:{comment.id}"}


def test_unpublishing_removes_the_article(make_article, find):
    article = make_article("Pottery evenings")
    article.status = "review"
    db.session.commit()
    assert find("pottery") == []


def test_deleted_and_hidden_comments_disappear(make_discussion, make_comment, make_user, find):
    moderator = make_user("mod", role="moderator")
    d = make_discussion("Gardening", "Tell us")
    deleted = make_comment("Compost tips from grandma", discussion=d)
    hidden = make_comment("Compost spam offer", discussion=d)
    assert len(find("compost")) == 2
    delete_comment(deleted)
    hide_comment(hidden, moderator)
    db.session.commit()
    assert find("compost") == []


def test_hidden_discussion_takes_its_replies_along(make_discussion, make_comment, find):
    d = make_discussion("Knitting circle", "Who knits?")
    reply = make_comment("Knitting every Friday", discussion=d)
    assert set(find("knitting")) == {f"discussion:{d.id}", f"comment:{reply.id}"}
    d.hidden_at = utcnow()
    db.session.commit()
    assert find("knitting") == []


def test_deleting_an_article_removes_versions_and_comments(make_article, make_comment, find):
    article = make_article("Woodworking", versions={"de": ("Holzarbeit", "Tischlern")})
    make_comment("Woodworking is great", article=article)
    db.session.delete(db.session.get(Article, article.id, options=[]))
    db.session.commit()
    assert find("woodworking") == [] and find("holzarbeit") == []


def test_results_are_rechecked_against_the_database(make_article, find, ctx):
    """A change the index has not seen yet (here a raw UPDATE, no outbox row) never shows."""
    keep = make_article("Choir practice for adults")
    gone = make_article("Choir practice online")
    db.session.execute(text("UPDATE articles SET hidden_at = CURRENT_TIMESTAMP WHERE id = :i"),
                       {"i": gone.id})
    db.session.commit()
    page = facade.search("choir", lang="en")
    assert [r.item.doc_id for r in page.results] == [f"article:{keep.id}:en"]
    assert page.total == 1  # honest count
    # ...and the stale document was queued for re-indexing.
    queued = db.session.scalars(select(SearchOutbox.key).where(SearchOutbox.kind == "article"))
    assert str(gone.id) in set(queued)


def test_author_rename_and_deletion_reindex_their_items(make_article, make_user, find, client):
    user = make_user("renamer", display_name="Rita Rename")
    article = make_article("Calligraphy basics", user=user)
    assert find("author:rita") == [f"article:{article.id}:en"]
    user.display_name = "Greta New"
    db.session.commit()
    assert find("author:rita") == []
    assert find("author:greta") == [f"article:{article.id}:en"]
    user.deleted_at = utcnow()
    db.session.commit()
    assert find("author:greta") == []
    body = client.get("/en/search?q=calligraphy").get_data(as_text=True)
    assert "deleted member" in body and "Greta" not in body


def test_emails_are_never_indexed(make_article, make_user, find):
    user = make_user("mailer", email="secret-address@example.org")
    make_article("Stamp collecting", user=user)
    assert find("secret") == [] and find("example") == [] and find("author:secret") == []
