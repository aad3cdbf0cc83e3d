"""Atom feeds: valid, newest 50 visible items, in the feed's language, names not emails."""

from __future__ import annotations

from datetime import timedelta

import feedparser

from app.db_types import utcnow
from app.extensions import db
from tests.discussions.helpers import make_article, make_discussion


def _parse(client, path):  # noqa: ANN001, ANN202
    r = client.get(path)
    assert r.status_code == 200
    assert r.mimetype == "application/atom+xml"
    feed = feedparser.parse(r.data)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed, r.get_data(as_text=True)


def test_discussions_feed_newest_fifty_visible(client, make_user):
    anna = make_user("anna", display_name="Anna Weber", email="anna.secret@example.org")
    now = utcnow()
    for i in range(53):
        d = make_discussion(anna, title=f"Feed topic {i:02d}", body=f"<p>About {i} &amp; more</p>")
        d.created_at = now - timedelta(minutes=100 - i)
    db.session.commit()
    d.hidden_at = now  # the newest one
    db.session.commit()
    feed, raw = _parse(client, "/en/feeds/discussions.atom")
    titles = [e.title for e in feed.entries]
    assert len(titles) == 50
    assert titles[0] == "Feed topic 51" and "Feed topic 52" not in titles
    assert titles[-1] == "Feed topic 02"
    assert feed.entries[0].summary == "About 51 & more"
    assert feed.entries[0].author == "Anna Weber"
    assert feed.entries[0].link.startswith("http://localhost/en/discussions/")
    assert "anna.secret" not in raw and "@example.org" not in raw


def test_articles_feed_uses_the_language_version(client, make_user):
    marie = make_user("marie", display_name="Marie Dubois", email="marie.x@example.org")
    make_article(marie, title="Learning cities", versions={"fr": "Villes apprenantes"})
    make_article(marie, title="Draft only", status="draft")
    hidden = make_article(marie, title="Hidden article")
    hidden.hidden_at = utcnow()
    db.session.commit()
    fr, raw = _parse(client, "/fr/feeds/articles.atom")
    assert [e.title for e in fr.entries] == ["Villes apprenantes"]
    assert fr.entries[0].summary == "Summary of Villes apprenantes"
    assert fr.entries[0].author == "Marie Dubois" and "marie.x" not in raw
    assert "/fr/articles/" in fr.entries[0].link
    de, _ = _parse(client, "/de/feeds/articles.atom")
    assert [e.title for e in de.entries] == ["Learning cities"]  # no German version


def test_empty_feeds_are_still_valid(client):
    _parse(client, "/en/feeds/articles.atom")
    _parse(client, "/en/feeds/discussions.atom")
