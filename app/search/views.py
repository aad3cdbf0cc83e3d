"""The search page: parse the request, call the facade, render."""

from __future__ import annotations

from datetime import date

from flask import current_app, render_template, request
from flask_babel import lazy_gettext as _l

from app.cache import skip_page_cache
from app.extensions import db
from app.i18n import current_lang
from app.search import bp, facade
from app.search.display import latest
from app.search.searching import SORTS, TYPES, Filters

TYPE_LABELS = {"article": _l("Article"), "discussion": _l("Discussion"), "comment": _l("Comment")}


def _theme_label(theme: str) -> str:
    try:
        from app.articles.labels import theme_label
    except ImportError:  # the articles area owns the labels
        return theme
    return theme_label(theme)


def _date_arg(name: str, notices: list[str]) -> date | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        # str(): flask_babel's LazyString.__html__ skips escaping, and raw is the visitor's.
        notices.append(str(_l("“%(value)s” is not a date like 2024-03-31; that filter was "
                              "ignored.", value=raw[:20])))
        return None


def _filters(notices: list[str]) -> Filters:
    args = request.args
    kind = args.get("type", "")
    language = args.get("language", "")
    theme = args.get("theme", "")
    sort = args.get("sort", "relevance")
    return Filters(
        type=kind if kind in TYPES else None,
        language=language if language in current_app.config["LANGUAGES"] else None,
        theme=theme if theme in current_app.config["THEMES"] else None,
        date_from=_date_arg("from", notices),
        date_to=_date_arg("to", notices),
        sort=sort if sort in SORTS else "relevance",
    )


@bp.route("/search")
def search():
    notices: list[str] = []
    filters = _filters(notices)
    q = request.args.get("q", "")
    page = request.args.get("page", 1, type=int) or 1
    lang = current_lang()
    result = facade.search(q, page=page, lang=lang, filters=filters)
    if not result.available:
        skip_page_cache()  # "try again soon" must not be what visitors get for minutes
    result.notices[:0] = notices
    latest_articles, latest_discussions = ([], [])
    if not result.searched:
        latest_articles, latest_discussions = latest(db.session, lang)
    return render_template(
        "search/search.html",
        q=q,
        result=result,
        filters=filters,
        types=TYPES,
        type_labels=TYPE_LABELS,
        theme_label=_theme_label,
        latest_articles=latest_articles,
        latest_discussions=latest_discussions,
    )
