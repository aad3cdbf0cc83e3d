"""The Whoosh schema: one field family per analyzer, so each language is stemmed its own way.

A document's title and text go into ``title_<family>`` / ``text_<family>`` where the
family is its language when Whoosh has a Snowball stemmer for it, else ``std`` (an
accent-folding standard analyzer). Queries are analysed once per family, so the
same word is stemmed exactly as the documents of that language were.
"""

from __future__ import annotations

from functools import cache

from whoosh import analysis, fields
from whoosh.analysis import Analyzer, CompositeAnalyzer
from whoosh.support.charset import accent_map

from app.search.analysis import CachedAnalyzer

# Languages with a Whoosh Snowball stemmer and stop word list.
STEMMED_LANGUAGES = (
    "da", "de", "en", "es", "fi", "fr", "hu", "it", "nl", "no", "pt", "ro", "ru", "sv", "tr",
)
STD = "std"
FAMILIES = (*STEMMED_LANGUAGES, STD)

# Stored fields are only what a result needs to be found again in the database.
STORED_FIELDS = ("id", "type", "lang", "stamp")


def family(lang: str) -> str:
    """The analyzer family used for a document or query in language `lang`."""
    return lang if lang in STEMMED_LANGUAGES else STD


def _chain(fam: str) -> CompositeAnalyzer:
    """Tokenize, lowercase, drop stop words, stem; then fold accents.

    Folding after stemming lets the Snowball stemmers see the accents they rely on,
    while "education" still finds "éducation" (both stem to "educ" once folded).
    """
    if fam == STD:
        # No stop list: the English one would be wrong for Polish, Greek, ...
        return analysis.StandardAnalyzer(stoplist=None) | analysis.CharsetFilter(accent_map)
    return analysis.LanguageAnalyzer(fam) | analysis.CharsetFilter(accent_map)


def _plain_chain(_key: str) -> CompositeAnalyzer:
    return analysis.RegexTokenizer() | analysis.LowercaseFilter()


@cache
def analyzer(fam: str) -> Analyzer:
    """The analyzer of family `fam` (see `_chain`), cached per word."""
    return CachedAnalyzer(fam, _chain)


@cache
def plain_analyzer() -> Analyzer:
    """Words as typed (lowercased): the spelling dictionary and query-side tokenizing."""
    return CachedAnalyzer("plain", _plain_chain)


def title_field(fam: str) -> str:
    return f"title_{fam}"


def text_field(fam: str) -> str:
    return f"text_{fam}"


def build_schema() -> fields.Schema:
    schema = fields.Schema(
        id=fields.ID(unique=True, stored=True),
        # Every version of one article shares a group ("article:42"); comments point
        # at their page through `parent`, so a hidden article takes its comments along.
        group=fields.ID(),
        parent=fields.ID(),
        type=fields.ID(stored=True),
        lang=fields.ID(stored=True),
        theme=fields.KEYWORD(commas=True, lowercase=True),
        tag=fields.KEYWORD(commas=True, lowercase=True, scorable=True),
        author=fields.TEXT(analyzer=analyzer(STD), phrase=False),
        created=fields.DATETIME(sortable=True),
        updated=fields.DATETIME(),
        # A digest of everything indexed for the document: `check` compares it.
        stamp=fields.ID(stored=True),
        # Unstemmed words of titles, for "Did you mean ...".
        spell=fields.TEXT(analyzer=plain_analyzer(), phrase=False),
    )
    for fam in FAMILIES:
        schema.add(title_field(fam), fields.TEXT(analyzer=analyzer(fam), field_boost=2.0))
        schema.add(text_field(fam), fields.TEXT(analyzer=analyzer(fam)))
    return schema
