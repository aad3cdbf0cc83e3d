"""A word-cached front for Whoosh analyzer chains: same tokens, a fraction of the cost.

Whoosh runs every token through a chain of generators (tokenizer, lowercase, stop
words, Snowball stemmer, accent folding): about 10 µs a word, which was most of the
indexing time. Every step after the tokenizer looks at one word at a time, so the
chain's answer for a word never depends on its neighbours. `CachedAnalyzer` splits
the text with the tokenizer's own expression, asks the real chain once per distinct
word, and replays the answer from a dictionary afterwards, numbering positions as the
chain's StopFilter would. Calls with options it does not mirror go to the chain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from whoosh.analysis import Analyzer, CompositeAnalyzer, RegexTokenizer, StopFilter, Token

# Distinct words kept per analyzer before the dictionary starts over (~10 MB at most).
CACHE_WORDS = 100_000
_COMPLEX = ("complex",)  # a word the chain splits in two: not cacheable


class CachedAnalyzer(Analyzer):
    """Wraps the chain `build(key)`; only `key` is pickled into the index's schema."""

    def __init__(self, key: str, build: Callable[[str], CompositeAnalyzer]) -> None:
        self.key = key
        self.build = build
        self._setup()

    def _setup(self) -> None:
        self.chain = self.build(self.key)
        tokenizer = self.chain.items[0]
        assert isinstance(tokenizer, RegexTokenizer) and not tokenizer.gaps
        self.words = tokenizer.expression.finditer
        # A StopFilter renumbers the positions of the words it keeps.
        self.renumber = any(isinstance(item, StopFilter) and item.renumber
                            for item in self.chain.items)
        self.cache: dict[str, tuple[str, ...]] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {"key": self.key, "build": self.build}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.key = state["key"]
        self.build = state["build"]
        self._setup()

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, CachedAnalyzer) and other.key == self.key
                and other.build == self.build)

    def __hash__(self) -> int:
        return hash((self.key, self.build))

    def __repr__(self) -> str:
        return f"CachedAnalyzer({self.key!r})"

    def terms(self, word: str) -> tuple[str, ...]:
        """What the chain makes of one word: () when it is a stop word."""
        found = self.cache.get(word)
        if found is None:
            found = tuple(t.text for t in self.chain(word))
            if len(found) > 1:
                found = _COMPLEX
            if len(self.cache) >= CACHE_WORDS:
                self.cache.clear()
            self.cache[word] = found
        return found

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, tokenize: bool = True, mode: str = "",
                 **kwargs: Any) -> Iterator[Token]:
        # Extra keywords (Whoosh passes boosts=True) only become token attributes.
        if keeporiginal or not removestops or not tokenize:
            return self.chain(value, positions=positions, chars=chars,
                              keeporiginal=keeporiginal, removestops=removestops,
                              start_pos=start_pos, start_char=start_char, tokenize=tokenize,
                              mode=mode, **kwargs)
        matches = list(self.words(value))
        if any(self.terms(m.group()) is _COMPLEX for m in matches):
            return self.chain(value, positions=positions, chars=chars, start_pos=start_pos,
                              start_char=start_char, mode=mode, **kwargs)
        token = Token(positions, chars, removestops=True, mode=mode, **kwargs)
        return self._tokens(token, matches, start_pos, start_char)

    def _tokens(self, token: Token, matches: list[Any], start_pos: int,
                start_char: int) -> Iterator[Token]:
        positions, chars = token.positions, token.chars
        renumber = self.renumber and positions
        terms = self.terms
        pos: int | None = None
        for i, match in enumerate(matches):
            found = terms(match.group())
            if not found:
                continue
            token.text = found[0]
            token.boost = 1.0
            token.stopped = False
            if positions:
                pos = start_pos + i if pos is None or not renumber else pos + 1
                token.pos = pos
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token
