"""Run a search: parse, filter, rank, re-check against the database, highlight one page."""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask import Flask
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import insert
from whoosh import query as wq
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from app.db_types import utcnow
from app.extensions import db
from app.search import dense
from app.search.display import Item, load_items
from app.search.highlight import excerpt, highlight_whole
from app.search.models import SearchOutbox
from app.search.outbox import index_root
from app.search.query import parse_user_query
from app.search.schema import FAMILIES, analyzer, family, text_field, title_field
from app.search.store import searcher_slot

log = logging.getLogger("agora.search")

PER_PAGE = 20
# Extra hits fetched so a page stays full when a few turn out stale in the database.
SLACK = 10
# Added to page-language documents: larger than any text score, so they come first.
PAGE_LANGUAGE_BOOST = 1_000_000.0
TYPES = ("article", "discussion", "comment")
SORTS = ("relevance", "newest")
MAX_PAGE = 500



@dataclass
class Filters:
    type: str | None = None
    language: str | None = None
    theme: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "relevance"

    @property
    def any(self) -> bool:
        return bool(self.type or self.language or self.theme or self.date_from or self.date_to)


@dataclass
class Result:
    item: Item
    title_html: Markup
    excerpt_html: Markup


@dataclass
class SearchPage:
    query: str
    results: list[Result] = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = PER_PAGE
    notices: list[str] = field(default_factory=list)
    suggestion: str | None = None
    searched: bool = False  # False: nothing to search for (show the latest items instead)
    available: bool = True  # False: the index could not be opened

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def _as_naive(d: date, end: bool = False) -> datetime:
    moment = datetime.combine(d, time.min, tzinfo=UTC)
    if end:
        moment += timedelta(days=1) - timedelta(microseconds=1)
    return moment.replace(tzinfo=None)


def filter_query(filters: Filters) -> wq.Query | None:
    parts: list[wq.Query] = []
    if filters.type in TYPES:
        parts.append(wq.Term("type", filters.type))
    if filters.language:
        parts.append(wq.Term("lang", filters.language))
    if filters.theme:
        parts.append(wq.Term("theme", filters.theme.lower()))
    if filters.date_from or filters.date_to:
        start = _as_naive(filters.date_from) if filters.date_from else None
        end = _as_naive(filters.date_to, end=True) if filters.date_to else None
        parts.append(wq.DateRange("created", start, end))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def _terms_by_field(q: wq.Query, reader: IndexReader) -> dict[str, frozenset[str]]:
    """The query's terms (prefixes expanded against the index), per field."""
    # Not Results.query_terms(): its loop variable shadows its `fieldname` argument, so it
    # only returns the terms of the first leaf's field.
    found: dict[str, set[str]] = {}
    leaves = [q] if q.is_leaf() else list(q.leaves())
    for leaf in leaves:
        for fieldname, text in leaf.expanded_terms(reader, phrases=True):
            value = text.decode("utf-8") if isinstance(text, bytes) else str(text)
            found.setdefault(fieldname, set()).add(value)
    return {k: frozenset(v) for k, v in found.items()}


def _highlight(item: Item, terms: dict[str, frozenset[str]]) -> tuple[Markup, Markup]:
    fam = family(item.lang)
    try:
        title = highlight_whole(item.title, fam, terms.get(title_field(fam), frozenset()))
        text = excerpt(item.text, fam, terms.get(text_field(fam), frozenset()))
    except Exception:  # noqa: BLE001  (a highlight problem must not cost the result)
        log.exception("highlighting %s failed", item.doc_id)
        return escape(item.title), escape(" ".join(item.text.split())[:240])
    return title, text


_FIELD_PREFIX = re.compile(r"\b\w+:")
_WORD = re.compile(r"[^\W\d_]{3,}")


def _in_text(reader: IndexReader, word: str) -> bool:
    """Is the word in some document's text, in any language's analysed form?"""
    for fam in FAMILIES:
        for token in analyzer(fam)(word):
            if (text_field(fam), token.text) in reader:
                return True
    return False


def did_you_mean(searcher: Searcher, text: str) -> str | None:
    """The query with unknown words replaced by the closest indexed words, if any."""
    reader = searcher.reader()
    corrector = None
    corrected = text
    changed = False
    for match in _WORD.finditer(_FIELD_PREFIX.sub(" ", text)):
        word = match.group(0)
        if word in ("AND", "OR", "NOT"):
            continue
        lowered = word.lower()
        if ("spell", lowered) in reader or _in_text(reader, word):
            continue
        corrector = corrector or searcher.corrector("spell")
        suggestions = corrector.suggest(lowered, limit=1, maxdist=2)
        if suggestions and suggestions[0] != lowered:
            corrected = re.sub(rf"\b{re.escape(word)}\b", suggestions[0], corrected, count=1)
            changed = True
    return corrected if changed else None


def _requeue(doc_ids: list[str]) -> None:
    """A hit the database no longer shows: queue its item so the index catches up."""
    rows = []
    for doc_id in doc_ids:
        kind, _, rest = doc_id.partition(":")
        key = rest.split(":")[0]
        if kind in TYPES and key.isdigit():
            rows.append({"kind": kind, "key": key, "op": "upsert", "created_at": utcnow()})
    if not rows:
        return
    try:
        with db.engine.begin() as conn:
            conn.execute(insert(SearchOutbox.__table__), rows)
    except Exception:  # noqa: BLE001
        log.exception("could not queue stale search documents")


def run_search(
    app: Flask, raw: str, filters: Filters, page: int, page_lang: str
) -> SearchPage:
    page = min(max(page, 1), MAX_PAGE)
    try:
        slot = searcher_slot(index_root(app))
    except Exception:  # noqa: BLE001  (no index yet, or unreadable: say so, do not 500)
        log.exception("search index unavailable")
        parsed = parse_user_query(raw, filters.language)
        result = SearchPage(query=parsed.text, page=page, notices=list(parsed.notices))
        result.available = False
        if parsed.query is not None or filters.any:
            result.searched = True
            result.notices.append(_l("Search is unavailable for a moment. Please try again soon."))
        return result
    with slot.lock:
        searcher = slot.searcher
        parsed = parse_user_query(raw, filters.language, searcher.reader())
        result = SearchPage(query=parsed.text, page=page, notices=list(parsed.notices))
        q = parsed.query
        if q is None:
            if not filters.any:
                return result
            q = wq.Every()
        result.searched = True
        offset = (page - 1) * PER_PAGE
        limit = offset + PER_PAGE + SLACK
        # Page-language results first, unless one language is asked for anyway.
        boost_lang = page_lang if filters.sort == "relevance" and not filters.language else None
        hits = dense.search(searcher, q, limit=limit, restrict=filter_query(filters),
                            newest=filters.sort == "newest", boost_lang=boost_lang,
                            boost=PAGE_LANGUAGE_BOOST)
        total = hits.total
        window = [searcher.stored_fields(d)["id"] for d in hits.docnums[offset:limit]]
        terms = _terms_by_field(q, searcher.reader())
        if total < 10 and parsed.text:
            try:
                result.suggestion = did_you_mean(searcher, parsed.text)
            except Exception:  # noqa: BLE001
                log.exception("spelling suggestion failed")
    # The rows and the excerpts need no searcher: this process's other threads may
    # search meanwhile (the slot is one per process).
    items = load_items(db.session, window, page_lang)
    shown: list[Item] = []
    stale: list[str] = []
    for doc_id in window:
        item = items.get(doc_id)
        if item is None:
            stale.append(doc_id)
        elif len(shown) < PER_PAGE:
            shown.append(item)
    result.results = [Result(item, *_highlight(item, terms)) for item in shown]
    if stale:
        _requeue(stale)
    # Honest count: what the index matched, minus what the database refused on this page.
    result.total = max(total - len(stale), offset + len(result.results))
    return result
