"""User query string -> Whoosh query over the per-language fields.

The string is parsed once against a small "virtual" schema (text, title, author,
tag, theme, type, lang) whose analyzer only lowercases, so the words stay as typed.
Each word is then analyzed by every language family it may be searched in, and the
virtual field becomes an OR over the real ones (title_fr, text_fr, ..., text_std).
That is how "apprentissages" meets the French stem of "apprentissage" while
the same word is left alone in Polish text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from whoosh import fields, qparser
from whoosh import query as wq
from whoosh.reading import IndexReader
from whoosh.support.charset import accent_map

from app.search import dense
from app.search.schema import FAMILIES, analyzer, family, plain_analyzer, text_field, title_field
from app.taxonomy import normalise_tag

MAX_QUERY_CHARS = 300
MAX_TERMS = 16
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}


@dataclass
class ParsedQuery:
    query: wq.Query | None  # None: nothing searchable was left
    text: str  # the cleaned string that was searched
    notices: list[str] = field(default_factory=list)  # friendly, translated messages


@cache
def _virtual_schema() -> fields.Schema:
    words = plain_analyzer()
    return fields.Schema(
        text=fields.TEXT(analyzer=words),
        title=fields.TEXT(analyzer=words),
        author=fields.TEXT(analyzer=words),
        tag=fields.KEYWORD(lowercase=True),
        theme=fields.KEYWORD(lowercase=True),
        type=fields.ID(),
        lang=fields.ID(),
    )


def _parser() -> qparser.QueryParser:
    parser = qparser.QueryParser("text", _virtual_schema())
    # Ranges over words and boosts mean nothing to visitors; keep the syntax small.
    parser.remove_plugin_class(qparser.RangePlugin)
    parser.remove_plugin_class(qparser.BoostPlugin)
    return parser


def _fold(text: str) -> str:
    return text.lower().translate(accent_map)


# -- cleaning and the friendly messages -----------------------------------------------

def _syntax_problems(text: str) -> bool:
    if text.count('"') % 2:
        return True
    depth = 0
    for ch in re.sub(r'"[^"]*"', "", text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth < 0:
            return True
    if depth:
        return True
    words = text.split()
    if words and (words[0] in _OPERATORS - {"NOT"} or words[-1] in _OPERATORS):
        return True
    pairs = zip(words, words[1:], strict=False)
    if any(a in _OPERATORS and b in _OPERATORS - {"NOT"} for a, b in pairs):
        return True
    return bool(re.search(r"\b\w+:(?=\s|$|\))", text))


def _lenient(text: str) -> str:
    """The words of a malformed query, without its syntax."""
    text = re.sub(r'["()]', " ", text)
    text = re.sub(r"\b\w+:(?=\s|$)", " ", text)
    words = [w for w in text.split() if w not in _OPERATORS]
    return " ".join(words)


def clean(raw: str) -> tuple[str, list[str]]:
    notices: list[str] = []
    text = raw or ""
    if _CONTROL.search(text):
        text = _CONTROL.sub(" ", text)
        notices.append(_l("Some invisible characters were removed from your search."))
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS].rsplit(" ", 1)[0]
        notices.append(
            lazy_ngettext("Your search was very long: only its first %(num)d character was used.",
                          "Your search was very long: only its first %(num)d characters were used.",
                          MAX_QUERY_CHARS)
        )
    return text, notices


# -- expansion over the real fields ---------------------------------------------------

class Lexicon:
    """What the index holds, so expansion leaves out fields and words it has not got.

    A word searched in every language family is 32 term queries; against a real index
    only a few of them exist, and Whoosh builds a union over whatever it is given.
    Without a reader (tests of the parser alone) everything is kept.
    """

    def __init__(self, reader: IndexReader | None = None) -> None:
        self.reader = reader
        self.fields = set(reader.indexed_field_names()) if reader is not None else None

    def has_field(self, name: str) -> bool:
        return self.fields is None or name in self.fields

    def has(self, name: str, word: str) -> bool:
        return self.reader is None or dense.has_term(self.reader, name, word)


def _targets(fieldname: str, families: tuple[str, ...], lex: Lexicon) -> list[tuple[str, str]]:
    """(real field, family) pairs a virtual text field searches."""
    pairs = [(title_field(f), f) for f in families]
    if fieldname == "text":
        pairs += [(text_field(f), f) for f in families]
    return [(name, fam) for name, fam in pairs if lex.has_field(name)]


def _analyzed(fam: str, text: str) -> list[str]:
    return [t.text for t in analyzer(fam)(text)]


def _expand_leaf(q: wq.Query, families: tuple[str, ...], lex: Lexicon) -> wq.Query | None:
    name = getattr(q, "fieldname", None)
    boost = getattr(q, "boost", 1.0)
    if isinstance(q, wq.Every):
        return wq.Every()
    if name in ("text", "title"):
        out: list[wq.Query] = []
        if isinstance(q, wq.Phrase):
            phrase = " ".join(q.words)
            for real, fam in _targets(name, families, lex):
                words = _analyzed(fam, phrase)
                if not all(lex.has(real, w) for w in words):
                    continue
                if len(words) > 1:
                    out.append(wq.Phrase(real, words, slop=q.slop))
                elif words:
                    out.append(wq.Term(real, words[0]))
        elif isinstance(q, (wq.Prefix, wq.Wildcard)):
            pattern = _fold(q.text)
            if len(pattern.strip("*?")) < 2:  # "a*" would expand to half the lexicon
                return None
            for real, _fam in _targets(name, families, lex):
                out.append(type(q)(real, pattern))
        elif isinstance(q, wq.Term):
            stopped: set[str] = set()
            for real, fam in _targets(name, families, lex):
                words = _analyzed(fam, q.text)
                if not words:
                    stopped.add(fam)
                out.extend(wq.Term(real, word) for word in words if lex.has(real, word))
            if not out:
                # A stop word everywhere it could be is dropped, as the analyzers drop it;
                # a word the index has not got matches nothing (nor does an AND with it).
                return None if stopped else wq.NullQuery
            if stopped:
                # A stop word ("the") cannot be looked up in the languages that drop it:
                # there it is satisfied by any document, without adding to the score.
                langs = wq.Or([wq.Term("lang", fam) for fam in sorted(stopped)])
                out.append(wq.ConstantScoreQuery(langs, score=0.0))
        if not out:
            return None
        return wq.Or(out, boost=boost) if len(out) > 1 else out[0].with_boost(boost)
    if name == "author" and isinstance(q, (wq.Term, wq.Prefix, wq.Phrase)):
        if isinstance(q, wq.Phrase):
            return wq.Phrase("author", [_fold(w) for w in q.words])
        return type(q)("author", _fold(q.text))
    if name == "tag" and isinstance(q, wq.Term):
        return wq.Term("tag", normalise_tag(q.text))
    if name in ("theme", "type", "lang") and isinstance(q, wq.Term):
        return wq.Term(name, q.text.lower())
    return None  # ranges, fuzzy terms and the like: not part of our syntax


def expand(q: wq.Query, families: tuple[str, ...], lex: Lexicon | None = None) -> wq.Query | None:
    lex = lex or Lexicon()
    if isinstance(q, wq.Not):
        inner = expand(q.query, families, lex)
        inner = inner.normalize() if inner is not None else None
        # NOT a word the index lacks excludes nothing (Whoosh would make it match nothing).
        return wq.Not(inner) if inner is not None and inner is not wq.NullQuery else None
    if isinstance(q, wq.BinaryQuery):
        a, b = expand(q.a, families, lex), expand(q.b, families, lex)
        if a is None or a is wq.NullQuery:
            # The left side decides what matches, except in "a OTHERWISE b".
            return (b if b is not None else a) if isinstance(q, wq.Otherwise) else a
        if b is None or b is wq.NullQuery:
            return wq.NullQuery if isinstance(q, wq.Require) and b is wq.NullQuery else a
        return type(q)(a, b)
    if isinstance(q, wq.CompoundQuery):
        parts = [p for p in (expand(s, families, lex) for s in q.subqueries) if p is not None]
        # Whoosh's normalize() drops a NullQuery from an AND; a word nowhere in the
        # index must instead make the AND match nothing.
        if isinstance(q, wq.And) and any(p is wq.NullQuery for p in parts):
            return wq.NullQuery
        if not parts:
            return None
        parts = [p for p in parts if p is not wq.NullQuery]
        if not parts:
            return wq.NullQuery
        return type(q)(parts, boost=q.boost) if len(parts) > 1 else parts[0]
    if q is wq.NullQuery:
        return None
    return _expand_leaf(q, families, lex)


def families_for(language: str | None) -> tuple[str, ...]:
    """The analyzer families to search: all, or those of the filtered language."""
    return (family(language),) if language else FAMILIES


def _count_leaves(q: wq.Query) -> int:
    return sum(1 for _ in q.leaves()) if not q.is_leaf() else 1


def parse_user_query(raw: str, language: str | None = None,
                     reader: IndexReader | None = None) -> ParsedQuery:
    """Never raises: a malformed query is searched for its words, with a notice."""
    text, notices = clean(raw)
    if not text:
        return ParsedQuery(None, "", notices)
    parser = _parser()
    families = families_for(language)
    searched = text
    if _syntax_problems(text):
        searched = _lenient(text)
        notices.append(
            _l("We could not read your search exactly as written (an unmatched quote or "
               "parenthesis, or a lonely AND, OR or NOT), so we searched for its words.")
        )
    try:
        parsed = parser.parse(searched)
    except Exception:  # noqa: BLE001  (the parser is third-party; a query must never 500)
        searched = _lenient(text)
        parsed = parser.parse(searched) if searched else wq.NullQuery
    if parsed is not wq.NullQuery and _count_leaves(parsed) > MAX_TERMS:
        searched = " ".join(_lenient(searched).split()[:MAX_TERMS])
        parsed = parser.parse(searched)
        notices.append(lazy_ngettext("Only the first %(num)d word of your search was used.",
                                     "Only the first %(num)d words of your search were used.",
                                     MAX_TERMS))
    expanded = expand(parsed, families, Lexicon(reader)) if parsed is not wq.NullQuery else None
    if expanded is not None:
        expanded = expanded.normalize()
    return ParsedQuery(expanded, searched, notices)
