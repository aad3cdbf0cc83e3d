"""Excerpts with the matched words in <mark>, HTML-escaped.

Whoosh's own highlighter runs every token of the text through the full analyzer
chain for each result (60% of a search page's time in the benchmark). Here the text
is split with the same regular expression the analyzers use, and each distinct word
is analysed once per process (cached), then compared with the query's terms.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from markupsafe import Markup, escape
from whoosh.support.charset import accent_map

from app.search.schema import analyzer

# The default expression of Whoosh's RegexTokenizer, used by every analyzer here.
_WORD = re.compile(r"\w+(?:\.?\w+)*", re.UNICODE)


@lru_cache(maxsize=200_000)
def _term(fam: str, word: str) -> str | None:
    tokens = [t.text for t in analyzer(fam)(word)]
    return tokens[0] if len(tokens) == 1 else None


@cache
def _one_to_one_fold() -> tuple[dict[int, str], re.Pattern[str]]:
    """Lowercase-and-fold as a character-for-character table, and the characters it
    cannot handle that way ("Æ" -> "ae", "İ" -> "i̇"): texts holding one of those take
    the word-by-word path."""
    table: dict[int, str] = {}
    wider: list[str] = []
    for code in range(0x10000):  # the Basic Multilingual Plane: every European script
        ch = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            continue
        folded = ch.lower().translate(accent_map)
        if len(folded) != 1:
            wider.append(re.escape(ch))
        elif folded != ch:
            table[code] = folded
    return table, re.compile("[" + "".join(wider) + "]")


def _matches(text: str, fam: str, terms: frozenset[str]) -> list[tuple[int, int]]:
    if not terms:
        return []
    # Stemmers change a word's end, not its start: only words sharing a term's first
    # three (folded) letters can match, so only those are analysed.
    heads = tuple({t[:3] for t in terms})
    table, wider = _one_to_one_fold()
    spans = []
    if not wider.search(text):
        # Fold the whole text once; offsets stay those of the original.
        folded = text.translate(table)
        for m in _WORD.finditer(text):
            if folded.startswith(heads, m.start()) and _term(fam, m.group()) in terms:
                spans.append((m.start(), m.end()))
        return spans
    for m in _WORD.finditer(text):
        word = m.group()
        if word.lower().translate(accent_map).startswith(heads) and _term(fam, word) in terms:
            spans.append((m.start(), m.end()))
    return spans


def _marked(text: str, spans: list[tuple[int, int]], start: int, end: int) -> str:
    out, pos = [], start
    for a, b in spans:
        if a < start or b > end:
            continue
        out.append(str(escape(text[pos:a])))
        out.append(f"<mark>{escape(text[a:b])}</mark>")
        pos = b
    out.append(str(escape(text[pos:end])))
    return "".join(out)


def highlight_whole(text: str, fam: str, terms: frozenset[str]) -> Markup:
    """All of a short text (a title), matched words marked."""
    return Markup(_marked(text, _matches(text, fam, terms), 0, len(text)))  # noqa: S704


def excerpt(text: str, fam: str, terms: frozenset[str], size: int = 240) -> Markup:
    """The `size`-character window holding the most matched words, marked; else the start."""
    text = " ".join(text.split())
    spans = _matches(text, fam, terms) if terms else []
    if not spans:
        cut = text if len(text) <= size else text[:size].rsplit(" ", 1)[0] + "…"
        return Markup(escape(cut))  # noqa: S704
    best, best_count = 0, 0
    for i, (a, _b) in enumerate(spans):
        count = sum(1 for s, _e in spans[i:] if s < a + size - 60)
        if count > best_count:
            best, best_count = i, count
    first = spans[best][0]
    start = max(0, first - 60)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(text), start + size)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > spans[best][1] else end
    body = _marked(text, spans, start, end)
    return Markup(("…" if start else "") + body + ("…" if end < len(text) else ""))  # noqa: S704
