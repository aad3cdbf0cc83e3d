"""Atom feeds per language: the newest visible articles and discussions.

Built with feedgen (valid Atom without hand-written XML). Authors appear by name only,
never by email. Articles use the version in the feed's language where one exists.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.articles.models import Article
from app.db_types import utcnow
from app.discussions.models import Discussion
from app.extensions import db
from app.i18n import current_lang

feeds_bp = Blueprint("feeds", __name__, url_prefix="/<lang:lang>/feeds")

FEED_SIZE = 50

# XML 1.0 cannot hold most C0 controls (nor U+FFFE/U+FFFF): feedgen refuses them, and a
# member's title with a stray \x0c would take the whole feed down. Plain text loses nothing.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(value: str | None) -> str:
    return _NOT_XML.sub("", value or "")


def _new_feed(feed_id: str, title: str, page_url: str, self_url: str, language: str):  # noqa: ANN202
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.id(feed_id)
    fg.title(title)
    fg.link(href=page_url, rel="alternate")
    fg.link(href=self_url, rel="self")
    fg.language(language)
    return fg


def _atom(fg, items_updated) -> Response:  # noqa: ANN001
    fg.updated(max(items_updated, default=utcnow()))
    return Response(fg.atom_str(pretty=True), mimetype="application/atom+xml")


@feeds_bp.route("/articles.atom")
def articles():
    lang = current_lang()
    rows = list(db.session.scalars(
        select(Article)
        .options(selectinload(Article.translations), selectinload(Article.author))
        .where(Article.status == "published", Article.hidden_at.is_(None))
        .order_by(Article.published_at.desc(), Article.id.desc())
        .limit(FEED_SIZE)
    ))
    fg = _new_feed(
        url_for("feeds.articles", _external=True), _("Agora: latest articles"),
        url_for("articles.index", _external=True), url_for("feeds.articles", _external=True),
        lang,
    )
    from app.discussions.services import article_url

    updated = []
    # feedgen prepends entries: add oldest first so the feed reads newest first.
    for a in reversed(rows):
        if not a.translations:
            continue
        v = a.best_version(lang)
        link = _external(article_url(a, lang))
        entry = fg.add_entry()
        entry.id(link.split("#")[0])
        entry.title(_xml_text(v.title))
        entry.link(href=link)
        entry.summary(_xml_text(v.summary))
        if a.author is not None:
            entry.author({"name": _xml_text(a.author.name)})
        published = a.published_at or a.created_at
        changed = max(published, v.updated_at or published)
        entry.published(published)
        entry.updated(changed)
        updated.append(changed)
    return _atom(fg, updated)


@feeds_bp.route("/discussions.atom")
def discussions():
    lang = current_lang()
    rows = list(db.session.scalars(
        select(Discussion)
        .options(selectinload(Discussion.author))
        .where(Discussion.hidden_at.is_(None))
        .order_by(Discussion.created_at.desc(), Discussion.id.desc())
        .limit(FEED_SIZE)
    ))
    fg = _new_feed(
        url_for("feeds.discussions", _external=True), _("Agora: latest discussions"),
        url_for("discussions.index", _external=True),
        url_for("feeds.discussions", _external=True), lang,
    )
    updated = []
    for d in reversed(rows):
        link = url_for("discussions.show", discussion_id=d.id, slug=d.slug, _external=True)
        entry = fg.add_entry()
        entry.id(link)
        entry.title(_xml_text(d.title))
        entry.link(href=link)
        entry.summary(_xml_text(d.summary))
        if d.author is not None:
            entry.author({"name": _xml_text(d.author.name)})
        entry.published(d.created_at)
        entry.updated(d.updated_at or d.created_at)
        updated.append(d.updated_at or d.created_at)
    return _atom(fg, updated)


def _external(path_or_url: str) -> str:
    if path_or_url.startswith("http"):
        return path_or_url
    from flask import request

    return request.host_url.rstrip("/") + path_or_url
