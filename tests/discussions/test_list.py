"""The discussions list, the latest-discussions panel, and hidden content."""

from __future__ import annotations

from datetime import timedelta

from app.db_types import utcnow
from app.discussions.services import latest_discussions
from app.extensions import db
from tests.discussions.helpers import add_reply, make_article, make_discussion


def test_list_orders_pinned_then_last_activity_with_details(client, make_user):
    anna, marie = make_user("anna", display_name="Anna Weber"), make_user("marie")
    old = make_discussion(anna, title="Old but pinned")
    quiet = make_discussion(anna, title="Quiet one")
    busy = make_discussion(marie, title="Busy one", body="<p>Opening <em>text</em> here</p>")
    now = utcnow()
    old.last_activity_at = now - timedelta(days=30)
    old.pinned = True
    quiet.last_activity_at = now - timedelta(hours=3)
    db.session.commit()
    add_reply(busy, anna, "one")
    add_reply(busy, anna, "two")
    add_reply(quiet, marie, "only")
    quiet.last_activity_at = now - timedelta(hours=3)  # back to three hours ago
    db.session.commit()
    html = client.get("/en/discussions/").get_data(as_text=True)
    assert html.index("Old but pinned") < html.index("Busy one") < html.index("Quiet one")
    assert "Pinned" in html
    assert "Opening text here" in html  # the summary, as text
    assert "Started by Anna Weber" in html
    assert "2 replies" in html and "1 reply" in html
    assert "3 hours ago" in html
    fr = client.get("/fr/discussions/").get_data(as_text=True)
    assert "il y a 3 heures" in fr


def test_filters_by_language_theme_and_tag(client, make_user):
    anna = make_user("anna")
    make_discussion(anna, title="English on quality", themes=["quality"], tags="evaluation")
    make_discussion(anna, title="Discussion en français", language="fr", themes=["policy"],
                    tags="politique, evaluation")
    html = client.get("/en/discussions/?language=fr").get_data(as_text=True)
    assert "Discussion en français" in html and "English on quality" not in html
    html = client.get("/en/discussions/?theme=quality").get_data(as_text=True)
    assert "English on quality" in html and "Discussion en français" not in html
    html = client.get("/en/discussions/?tag=politique").get_data(as_text=True)
    assert "Discussion en français" in html and "English on quality" not in html
    html = client.get("/en/discussions/?tag=evaluation").get_data(as_text=True)
    assert "Discussion en français" in html and "English on quality" in html
    # Unknown filter values are ignored rather than failing.
    assert client.get("/en/discussions/?language=xx&theme=nope&page=-3").status_code == 200


def test_twenty_a_page(client, make_user):
    anna = make_user("anna")
    for i in range(25):
        make_discussion(anna, title=f"Topic {i:02d}")
    first = client.get("/en/discussions/").get_data(as_text=True)
    assert first.count('class="discussion-title"') == 20
    assert "Page 1 of 2" in first
    second = client.get("/en/discussions/?page=2").get_data(as_text=True)
    assert second.count('class="discussion-title"') == 5


def test_latest_panel_on_home_and_article_pages(client, make_user):
    anna = make_user("anna")
    for i in range(7):
        make_discussion(anna, title=f"Panel topic {i}", body=f"<p>Panel summary {i}</p>")
    items = latest_discussions(limit=5)
    assert [i.title for i in items] == [f"Panel topic {i}" for i in (6, 5, 4, 3, 2)]
    home = client.get("/en/").get_data(as_text=True)
    assert "Panel topic 6" in home and "Panel summary 6" in home
    assert "Panel topic 1" not in home
    article = make_article(anna)
    page = client.get(f"/en/articles/{article.id}-article", follow_redirects=True)
    assert "Panel topic 6" in page.get_data(as_text=True)


def test_hidden_discussion_vanishes_except_for_moderators(client, make_user, login):
    anna = make_user("anna")
    shown = make_discussion(anna, title="Visible topic")
    hidden = make_discussion(anna, title="Spam topic")
    hidden.hidden_at = utcnow()
    db.session.commit()
    assert [i.title for i in latest_discussions()] == ["Visible topic"]
    for path in ("/en/discussions/", "/en/", "/en/feeds/discussions.atom"):
        body = client.get(path).get_data(as_text=True)
        assert "Visible topic" in body and "Spam topic" not in body, path
    assert client.get(f"/en/discussions/{hidden.id}-{hidden.slug}").status_code == 404
    assert "Spam topic" not in client.get("/en/users/anna").get_data(as_text=True)
    login(make_user("mod", role="moderator"))
    html = client.get("/en/discussions/").get_data(as_text=True)
    assert "Spam topic" in html and "Hidden" in html
    assert client.get(f"/en/discussions/{hidden.id}-{hidden.slug}").status_code == 200
    assert shown.id


def test_hidden_reply_vanishes_from_page_count_and_feed(client, make_user, login):
    anna, marie = make_user("anna"), make_user("marie")
    d = make_discussion(anna, title="Tools for tutors")
    add_reply(d, marie, "Useful answer")
    spam = add_reply(d, marie, "Buy cheap watches")
    mod = make_user("mod", role="moderator")
    login(mod)
    assert client.post(f"/en/comments/{spam.id}/hide").status_code == 302
    login(marie)
    page = client.get(f"/en/discussions/{d.id}-{d.slug}").get_data(as_text=True)
    assert "Useful answer" in page and "Buy cheap watches" not in page
    assert "1 reply" in page
    listing = client.get("/en/discussions/").get_data(as_text=True)
    assert "1 reply" in listing and "2 replies" not in listing
    assert "Buy cheap watches" not in client.get("/en/feeds/discussions.atom").get_data(
        as_text=True)
    assert client.get(f"/en/discussions/replies/{spam.id}").status_code == 404
    login(mod)
    page = client.get(f"/en/discussions/{d.id}-{d.slug}").get_data(as_text=True)
    assert "Buy cheap watches" in page  # moderators still see it, marked hidden


def test_sitemap_and_profile_list_visible_discussions(client, make_user):
    anna = make_user("anna")
    shown = make_discussion(anna, title="Mapped topic", language="de")
    hidden = make_discussion(anna, title="Hidden topic")
    hidden.hidden_at = utcnow()
    db.session.commit()
    xml = client.get("/sitemap.xml").get_data(as_text=True)
    assert f"http://localhost/de/discussions/{shown.id}-mapped-topic" in xml
    assert f"/discussions/{hidden.id}-" not in xml
    profile = client.get("/en/users/anna").get_data(as_text=True)
    assert "Mapped topic" in profile and "Hidden topic" not in profile
