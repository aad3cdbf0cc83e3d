"""Match and rank a search a whole segment at a time, with numpy.

Whoosh matches and scores one document at a time in Python: a few microseconds per
matching document and field. A two-word search whose words are common walks tens of
thousands of postings that way, and an exact count forbids its block-skipping
shortcut (p95 138 ms at 100,000 documents). Here each segment is evaluated in one
go instead:

* a term's postings are read into arrays (decoded once, then shared by every worker
  through postings_cache), and Whoosh's own BM25F (same formula, statistics and
  parameters) is computed over them at once;
* AND, OR and NOT become operations on those arrays: sparse (the matching documents
  and their scores) for words, so the work follows the postings and not the size
  of the segment; dense (one entry per document) for NOT, dates and filter words;
  the unions and intersections of sparse ones run in C (_merge.c) when it is built,
  with the same floats as the numpy code here;
* filters and the page-language boost are per-segment masks, cached;
* the exact count and the top hits come out of the same arrays.

Query parts it has no array form for (phrases, ranges) are matched by Whoosh's own
matcher and poured into the same arrays, so every query gets an answer.

It reads Whoosh 2.7.5's posting blocks and length columns directly; the version is
pinned in setup.cfg, and tests/search/test_dense.py compares every query form with
Whoosh's own results.
"""

from __future__ import annotations

import io
import pickle
import threading
import weakref
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.reading import IndexReader, TermNotFound
from whoosh.scoring import BM25F
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from app.search import postings_cache

try:  # the merges in C (app/search/_merge.c, built by setup.py); numpy otherwise
    from app.search import _merge
except ImportError:  # pragma: no cover  (a source tree that was never built)
    _merge = None

# Field lengths are stored as one byte each; this turns the bytes back into lengths.
_LENGTHS = np.array([byte_to_length(i) for i in range(256)], dtype=np.float64)
# Filter and language masks kept per segment (bit-packed: n/8 bytes each).
MASKS_PER_SEGMENT = 64
# Term lookups remembered per segment (most say "not here": ~150 bytes each).
PLACES_PER_SEGMENT = 4096
# An AND looks a word's documents up in a table over the segment (a write and a read per
# posting) when it has more than 1/TABLE_DENSITY of them, rather than by a binary
# search per document: 80 against 520 µs for two 20,000-posting words of 90,000.
# (An OR merges by a stable sort, which is faster there than a table.)
TABLE_DENSITY = 32
# Fields whose length codes a segment keeps (each n bytes), least recently used out.
LENGTHS_PER_SEGMENT = 4
# Short lists (under postings_cache.MIN_POSTINGS, < 2 KB decoded) a segment keeps
# decoded, so a search neither decodes them again nor looks for a file each time.
SHORT_PER_SEGMENT = 256
# A document without a value in a numeric column (sorts last, never in a range).
MISSING = np.iinfo(np.int64).min + 1

# Per segment: (score per document, does it match). None: nothing in it matches.
Arrays = tuple[np.ndarray, np.ndarray] | None


@dataclass
class Sparse:
    """The documents a query part matches (ascending, no repeats) and their scores."""

    ids: np.ndarray
    scores: np.ndarray


Found = Sparse | Arrays


@dataclass
class _Keyed:
    """A saved posting list as read (postings_cache.Cached: int32 document numbers,
    uint16 keys) with the word's scores by key: table[keys] are its scores."""

    ids: np.ndarray
    keys: np.ndarray
    table: np.ndarray


# A term's postings ready to score: saved ones (document numbers and keys), or
# (document numbers, weights, length codes); None: not in the segment.
Scorable = postings_cache.Cached | tuple[np.ndarray, np.ndarray, np.ndarray] | None
# Where a segment keeps a term's postings: (offset, length) in its postings file, the
# postings themselves when kept in the term's entry, or None: not in the segment.
Place = tuple[int, int] | tuple[np.ndarray, np.ndarray] | None


@dataclass
class Hits:
    docnums: list[int]  # global document numbers, best first, at most `limit`
    keys: list[float]  # what they were ranked by: score (+ boost), or date
    total: int  # every live document that matches (and passes the filter)


def length_codes(perdoc: Any, fieldname: str) -> bytes | None:
    """A segment's one-byte length codes for `fieldname`, one per document from the
    first (shorter when the last documents lack the field); None: no lengths."""
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)  # noqa: SLF001
    if column is None:
        return None
    return column._dbfile.get(column._basepos, column._count) if column._count else b""  # noqa: SLF001


def _parse_blocks(raw: bytes) -> tuple[np.ndarray, np.ndarray]:
    """A posting list as Whoosh 2.7.5 writes it (W3PostingsWriter): a 4-byte tag, then
    blocks of [int32 size, negative on the last][pickled info][pickled data], where
    info = (count, max id, max weight, compressed?, min length, max length) and data =
    (ids delta-coded from 0, weights: None = all 1.0, one float = all equal, or one per
    posting, values)."""
    stream = io.BytesIO(raw)
    pos = 4
    id_parts: list[np.ndarray] = []
    weight_parts: list[np.ndarray] = []
    while True:
        size = int.from_bytes(raw[pos:pos + 4], "big", signed=True)
        pos += 4
        end = pos + abs(size)
        stream.seek(pos)
        # The index is ours (written by this app, in its instance folder), as for Whoosh.
        info = pickle.load(stream)  # noqa: S301
        count, compressed = info[0], info[3]
        data = raw[stream.tell():end]
        ids_delta, weights, _values = pickle.loads(  # noqa: S301
            zlib.decompress(data) if compressed else data)
        id_parts.append(np.cumsum(np.array(ids_delta, dtype=np.int64)))
        if weights is None:
            weight_parts.append(np.ones(count))
        elif isinstance(weights, float):
            weight_parts.append(np.full(count, weights))
        else:
            weight_parts.append(np.array(weights, dtype=np.float64))
        if size < 0:
            break
        pos = end
    return np.concatenate(id_parts), np.concatenate(weight_parts)


class _Segment:
    """What one segment reader holds, read once: live documents, field lengths, masks."""

    def __init__(self, reader: IndexReader, cache: Path | None = None) -> None:
        # Weak: this object is the value of a WeakKeyDictionary keyed by the reader, and
        # a strong reference back would keep every replaced reader (and its open files
        # and caches) alive for good.
        self._reader = weakref.ref(reader)
        self.n = reader.doc_count_all()
        segment = reader.segment()
        # Where decoded postings are shared between workers (None: not at all).
        self.cache = cache if cache is not None and segment is not None else None
        self.segment_id = segment.segment_id() if segment is not None else ""
        self.live = np.ones(self.n, dtype=bool)
        if reader.has_deletions():
            self.live[np.fromiter(reader.deleted_docs_set, dtype=np.int64)] = False
        self._lengths: dict[str, np.ndarray] = {}
        self._masks: dict[tuple[str, bytes], np.ndarray] = {}
        self._places: dict[tuple[str, bytes], Place] = {}
        self._kept = 0  # short lists held decoded in _places
        self._unsaved: set[tuple[str, bytes]] = set()  # long lists the cache cannot hold
        self._columns: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    @property
    def reader(self) -> IndexReader:
        reader = self._reader()
        assert reader is not None, "used only while its searcher holds the reader"
        return reader

    def postings(self, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        """(document numbers, weights) of a term, deleted documents included; None when
        the segment has not got the term."""
        place = self._place(fieldname, btext)
        if place is None:
            return None
        if isinstance(place[0], np.ndarray):  # a short list kept in the term's entry
            return place
        return _parse_blocks(self.reader._terms._postfile.get(*place))  # noqa: SLF001

    def scored_postings(self, fieldname: str, btext: bytes, save: bool = True,
                        cached: bool = True) -> Scorable:
        """A term's postings with what scoring needs: from the shared cache when it has
        them (and `cached`: document numbers and keys); else (document numbers,
        weights, length codes: decode with _LENGTHS), and with `save`, long lists are
        added to it."""
        place = self._place(fieldname, btext)
        if place is None:
            return None
        in_file = not isinstance(place[0], np.ndarray)  # (else held decoded)
        key = (fieldname, btext)
        if cached and self.cache is not None and in_file and key not in self._unsaved:
            found = postings_cache.load(self.cache, self.segment_id, fieldname, btext)
            if found is not None and (not len(found.ids) or found.ids[-1] < self.n):
                return found
        ids, weights = self.postings(fieldname, btext)  # type: ignore[misc]
        saved = (self.cache is not None and save and in_file
                 and len(ids) >= postings_cache.MIN_POSTINGS)
        if saved and not postings_cache.fits(weights):
            saved = False  # (decoded each time, but not looked for on disk again)
            with self._lock:
                self._unsaved.add(key)
        if in_file and len(ids) < postings_cache.MIN_POSTINGS:
            self._keep(fieldname, btext, ids, weights)
        # A list to be cached has its lengths read for it alone: they are saved with
        # it, and the field's whole array would sit in this worker for nothing.
        codes = self._codes_once(fieldname, ids) if saved else self.lengths(fieldname)[ids]
        if saved and not postings_cache.save(self.cache, self.segment_id, fieldname, btext,
                                             ids, weights, codes):
            self.cache = None  # (logged once per segment): decode, as without a cache
        return ids, weights, codes

    def _keep(self, fieldname: str, btext: bytes, ids: np.ndarray, weights: np.ndarray) -> None:
        ids.flags.writeable = weights.flags.writeable = False  # shared by every search
        with self._lock:
            place = self._places.get((fieldname, btext))
            if (self._kept < SHORT_PER_SEGMENT and place is not None
                    and not isinstance(place[0], np.ndarray)):  # (not kept by another thread)
                self._places[(fieldname, btext)] = ids, weights
                self._kept += 1

    def _place(self, fieldname: str, btext: bytes) -> Place:
        """Where a term's postings are, remembered: a lookup in Whoosh's term table costs
        ~15 µs, and a search asks each segment for each word in each language's field."""
        key = (fieldname, btext)
        try:
            return self._places[key]
        except KeyError:
            pass
        place: Place
        try:
            info = self.reader._terms.term_info(fieldname, btext)  # noqa: SLF001
        except (TermNotFound, KeyError, AttributeError):  # no such field; no terms at all
            place = None
        else:
            if info.is_inlined():
                ids, weights, _values = info.inlined_postings()
                place = np.array(ids, dtype=np.int64), np.array(weights, dtype=np.float64)
            else:
                offset, length = info.extent()
                if isinstance(length, tuple):  # Whoosh 2.7.5 decodes it as struct.unpack's
                    length = length[0]
                place = int(offset), int(length)
        with self._lock:
            if len(self._places) >= PLACES_PER_SEGMENT:
                self._places.clear()
                self._unsaved.clear()
                self._kept = 0
            self._places[key] = place
        return place

    def lengths(self, fieldname: str) -> np.ndarray:
        """Each document's one-byte length code in `fieldname` (decode with _LENGTHS),
        for the few fields last used: n bytes each, and long lists bring their own."""
        with self._lock:
            found = self._lengths.pop(fieldname, None)
        if found is None:
            found = self._read_lengths(fieldname)
        with self._lock:
            self._lengths[fieldname] = found  # (re)inserted last: most recently used
            while len(self._lengths) > LENGTHS_PER_SEGMENT:
                del self._lengths[next(iter(self._lengths))]
        return found

    def _codes_once(self, fieldname: str, ids: np.ndarray) -> np.ndarray:
        found = self._lengths.get(fieldname)
        return (found if found is not None else self._read_lengths(fieldname))[ids]

    def _read_lengths(self, fieldname: str) -> np.ndarray:
        codes = np.zeros(self.n, dtype=np.uint8)
        raw = length_codes(self.reader._perdoc, fieldname)  # noqa: SLF001
        if raw:
            codes[:len(raw)] = np.frombuffer(raw, dtype=np.uint8)
        return codes

    def column(self, fieldname: str) -> np.ndarray:
        """A sortable numeric column (dates) as int64; a missing value is MISSING."""
        found = self._columns.get(fieldname)
        if found is None:
            reader = self.reader.column_reader(fieldname, translate=False)
            found = np.full(self.n, MISSING, dtype=np.int64)
            count = min(reader._count, self.n)  # noqa: SLF001
            if count:
                raw = reader._dbfile.get(reader._basepos, count * reader._fixedlen)  # noqa: SLF001
                stored = np.frombuffer(raw, dtype=">" + reader._typecode)  # noqa: SLF001
                # Whoosh fills the gaps with its default (the type's maximum).
                found[:count] = np.where(stored == reader._default, MISSING, stored)  # noqa: SLF001
            with self._lock:
                self._columns[fieldname] = found
        return found

    def mask(self, fieldname: str, btext: bytes) -> np.ndarray:
        """Documents holding a term of a filter field (type, language, theme), cached."""
        return np.unpackbits(self._packed(fieldname, btext), count=self.n).view(bool)

    def mask_at(self, fieldname: str, btext: bytes, ids: np.ndarray) -> np.ndarray:
        """mask(fieldname, btext)[ids], read from the packed bits (no n-sized array)."""
        packed = self._packed(fieldname, btext)
        return ((packed[ids >> 3] >> (7 - (ids & 7))) & 1).astype(bool)

    def _packed(self, fieldname: str, btext: bytes) -> np.ndarray:
        key = (fieldname, btext)
        packed = self._masks.get(key)
        if packed is None:
            found = np.zeros(self.n, dtype=bool)
            postings = self.postings(fieldname, btext)
            if postings is not None:
                found[postings[0]] = True
            packed = np.packbits(found)
            with self._lock:
                if len(self._masks) >= MASKS_PER_SEGMENT:
                    self._masks.clear()
                self._masks[key] = packed
        return packed


_segments: weakref.WeakKeyDictionary[IndexReader, _Segment] = weakref.WeakKeyDictionary()
_segments_lock = threading.Lock()


def _segment(reader: IndexReader, cache: Path | None = None) -> _Segment:
    """The cached view of a segment reader (readers are reused while unchanged)."""
    seg = _segments.get(reader)
    if seg is None:
        seg = _Segment(reader, cache)
        with _segments_lock:
            seg = _segments.setdefault(reader, seg)
    if seg.cache is None and cache is not None and seg.segment_id:
        seg.cache = cache  # first seen by has_term, which does not know the folder
    return seg


class _ReaderFacts:
    """What a whole index reader answers the same way for as long as it is used (a
    commit brings a new reader): which words it has and its average field lengths.
    Each is a question to every segment, and a search asks them for each word and
    field: with 20 segments, ~1.5 ms a search."""

    def __init__(self) -> None:
        self.terms: dict[tuple[str, str], bool] = {}
        self.averages: dict[str, float] = {}


_facts: weakref.WeakKeyDictionary[IndexReader, _ReaderFacts] = weakref.WeakKeyDictionary()
# Words remembered per reader (a few dozen bytes each), all forgotten when full.
TERMS_PER_READER = 8192


def _facts_of(reader: IndexReader) -> _ReaderFacts:
    facts = _facts.get(reader)
    if facts is None:
        with _segments_lock:
            facts = _facts.setdefault(reader, _ReaderFacts())
    return facts


def has_term(reader: IndexReader, fieldname: str, text: str) -> bool:
    """`(fieldname, text) in reader`, remembered for the reader."""
    known = _facts_of(reader).terms
    found = known.get((fieldname, text))
    if found is None:
        found = False
        if fieldname in reader.schema:
            btext = reader.schema[fieldname].to_bytes(text)
            found = any(_segment(leaf)._place(fieldname, btext) is not None  # noqa: SLF001
                        for leaf, _offset in reader.leaf_readers())
        if len(known) >= TERMS_PER_READER:
            known.clear()
        known[(fieldname, text)] = found
    return found


class _Evaluator:
    """A query's matches and scores over one segment.

    Words give Sparse answers (their postings: work in proportion to them, not to the
    segment); parts that speak of every document (NOT, dates, filter words) give dense
    arrays. AND keeps a sparse answer sparse; each combination adds scores in the
    query's own order, so every float comes out as Whoosh's does."""

    def __init__(self, top: Searcher, sub: Searcher, seg: _Segment,
                 averages: dict[str, float],
                 tables: dict[tuple[str, bytes, float], np.ndarray],
                 fields: dict[tuple[str, Any], tuple[bytes, bool] | None]) -> None:
        self.top = top
        self.sub = sub
        self.seg = seg
        # Average field lengths (kept for the reader), and each word's scores by key
        # (see _table: shared by a search's segments).
        self.averages = averages
        self.tables = tables
        self.fields = fields  # (field, word): (its bytes, scored?); None: no such field
        weighting = top.weighting
        self.bm25 = weighting if isinstance(weighting, BM25F) else BM25F()

    def run(self, q: wq.Query) -> Found:
        found = self._eval(q)
        boost = getattr(q, "boost", 1.0)  # not every query type has one
        if found is not None and boost != 1.0 and not isinstance(q, wq.Term):
            found = _scaled(found, boost)
        return found

    def dense(self, found: Found) -> Arrays:
        """Any answer as (score per document, does it match)."""
        if not isinstance(found, Sparse):
            return found
        score = np.zeros(self.seg.n)
        score[found.ids] = found.scores
        match = np.zeros(self.seg.n, dtype=bool)
        match[found.ids] = True
        return score, match

    def _eval(self, q: wq.Query) -> Found:  # noqa: PLR0911  (one branch per query type)
        if q is wq.NullQuery:
            return None
        if isinstance(q, wq.Term):
            return self._term(q.fieldname, q.text, q.boost)
        if isinstance(q, wq.Every) and not q.fieldname:  # (every document with a field:
            return np.ones(self.seg.n), self.seg.live.copy()  # Whoosh's matcher below)
        if isinstance(q, wq.Not):
            # Whoosh gives each document that lacks the words a score of 1 (also inside
            # an AND, where it adds 1 to every match).
            inner = self.dense(self.run(q.query))
            match = self.seg.live.copy() if inner is None else self.seg.live & ~inner[1]
            return np.ones(self.seg.n), match
        if isinstance(q, wq.ConstantScoreQuery):
            inner = self.run(q.child)
            if isinstance(inner, Sparse):
                return Sparse(inner.ids, np.full(len(inner.ids), q.score))
            return None if inner is None else (np.full(self.seg.n, q.score), inner[1])
        if isinstance(q, wq.And):
            return self._and([self.run(p) for p in q.subqueries])
        if isinstance(q, wq.Or):
            if _merge is not None and all(type(p) is wq.Term for p in q.subqueries):
                return self._or_of_words(q.subqueries)
            return self._or([self.run(p) for p in q.subqueries])
        if isinstance(q, wq.AndNot):
            return self._and_not(self.run(q.a), self.run(q.b))
        if isinstance(q, wq.AndMaybe):
            return self._and_maybe(self.run(q.a), self.run(q.b))
        if isinstance(q, wq.Require):
            return self._require(self.run(q.a), self.run(q.b))
        if isinstance(q, (wq.Prefix, wq.Wildcard)):
            return self._multiterm(q)
        if isinstance(q, wq.DateRange):
            return self._date_range(q)
        return self._whoosh(q)

    def _term(self, fieldname: str, text: Any, boost: float, save: bool = True) -> Found:
        return self._scored(self._term_part(fieldname, text, boost, save),
                            fieldname, text, boost, save)

    def _scored(self, part: Found | _Keyed, fieldname: str, text: Any, boost: float,
                save: bool = True) -> Found:
        if not isinstance(part, _Keyed):
            return part
        ids = part.ids.astype(np.int64)
        try:
            if len(ids) > 1 and not (ids[1:] > ids[:-1]).all():
                raise IndexError("documents out of order")
            return Sparse(ids, part.table[part.keys])
        except IndexError:  # a damaged file (a key beyond its rows, documents out of
            # order, as _merge.c refuses too): decoded, and saved anew
            return self._term_part(fieldname, text, boost, save, cached=False)  # type: ignore[return-value]

    def _term_part(self, fieldname: str, text: Any, boost: float, save: bool = True,
                   cached: bool = True) -> Found | _Keyed:
        """A word in a field: its documents and scores, or a saved list as it was read
        (_Keyed: the C union looks its scores up itself)."""
        # (The schema is the index's: asked once per search, not once per segment.)
        known = self.fields.get((fieldname, text), False)
        if known is False:
            schema = self.top.schema
            field = schema[fieldname] if fieldname in schema else None
            known = self.fields[(fieldname, text)] = None if field is None else (
                field.to_bytes(text) if not isinstance(text, bytes) else text, field.scorable)
        if known is None:
            return None
        btext, scorable = known
        if not scorable:
            # Whoosh scores a term of an unscored field by its weight: 1 here. Kept dense:
            # filter words (type, language) match a large share of the documents.
            match = self.seg.mask(fieldname, btext)
            return (match * float(boost), match) if match.any() else None
        postings = self.seg.scored_postings(fieldname, btext, save, cached)
        if postings is None:
            return None
        if isinstance(postings, postings_cache.Cached):
            table = self._table(fieldname, text, btext, boost, postings.rows)
            # (Only this list's rows: a shared table may be longer, and a damaged key
            # must fail the look-up rather than find another list's score.)
            return _Keyed(postings.ids, postings.keys, table[:postings.rows * postings_cache.ROW])
        ids, weights, codes = postings
        return Sparse(ids, self._bm25(fieldname, text, boost, weights, _LENGTHS[codes]))

    def _word_parts(self, terms: list[wq.Term]) -> tuple[list[Found | _Keyed],
                                                           list[Sparse | _Keyed] | None]:
        """A word's part in each of its fields (None where it is absent), and the parts
        present if _merge.c can take them all (None: one is an array of another kind)."""
        parts = [self._term_part(t.fieldname, t.text, t.boost) for t in terms]
        present = [p for p in parts if p is not None]
        return parts, (present if all(isinstance(p, (Sparse, _Keyed)) for p in present)
                       else None)

    def _or_of_words(self, terms: list[wq.Term]) -> Found:
        """An OR of words (how the parser spreads a word over the languages' fields):
        saved lists go to the C union as read, their scores looked up there, with no
        array made for each field."""
        parts, for_c = self._word_parts(terms)
        if for_c is not None and len(for_c) > 1:
            try:
                return _in_c(False, *_c_parts(for_c))
            except (IndexError, TypeError, ValueError):  # a damaged saved list (or an
                pass  # array of another kind): below, field by field
        return self._or([self._scored(p, t.fieldname, t.text, t.boost)
                         for p, t in zip(parts, terms, strict=True)])

    def best_of_words(self, groups: list[list[wq.Term]], limit: int, lang: bytes | None,
                      boost: float) -> tuple[int, np.ndarray, np.ndarray] | None:
        """A plain search's answer in this segment in one C call (_merge.and_best): how
        many live documents match, and the `limit` best (document numbers, keys), as
        run() and the ranking in search() would give them. None: a part it cannot take
        (a damaged saved list): evaluate the query instead."""
        args = []
        for terms in groups:
            for_c = self._word_parts(terms)[1]
            if for_c is None:
                return None
            if not for_c:  # a word that is nowhere in this segment: no match
                return 0, _NO_DOCS, _NO_KEYS
            args.append(_c_parts(for_c))
        limit = max(0, min(limit, self.seg.n))
        bits = self.seg._packed("lang", lang) if lang else None  # noqa: SLF001
        out_ids, out_keys = np.empty(limit, dtype=np.int64), np.empty(limit)
        try:
            total, kept = _merge.and_best(args, self.seg.live, bits, boost, limit,
                                          out_ids, out_keys)
        except (IndexError, TypeError, ValueError):  # a damaged saved list: run() decodes
            return None  # it again
        return total, out_ids[:kept], out_keys[:kept]

    def _bm25(self, fieldname: str, text: Any, boost: float, weights: np.ndarray,
              lengths: np.ndarray) -> np.ndarray:
        """Whoosh's BM25F score for each (weight, field length), times the query boost."""
        k1 = self.bm25.K1
        b = self.bm25._field_B.get(fieldname, self.bm25.B)  # noqa: SLF001
        idf = self.top.idf(fieldname, text)
        avgfl = self._avg_length(fieldname)
        scores = idf * (weights * (k1 + 1)) / (weights + k1 * ((1 - b) + b * lengths / avgfl))
        return scores * boost

    def _table(self, fieldname: str, text: Any, btext: bytes, boost: float,
               rows: int) -> np.ndarray:
        """The word's score for every key (weight * ROW + length code) below rows * ROW:
        the same formula over the same numbers as _bm25, so the same floats, computed
        once per search instead of once per posting and segment."""
        key = (fieldname, btext, boost)
        table = self.tables.get(key)
        if table is None or len(table) < rows * postings_cache.ROW:
            weights = np.repeat(np.arange(rows, dtype=np.float64), postings_cache.ROW)
            table = self._bm25(fieldname, text, boost, weights, np.tile(_LENGTHS, rows))
            self.tables[key] = table
        return table

    def _avg_length(self, fieldname: str) -> float:
        # Whoosh sums it over every segment on each call: once per reader is enough.
        found = self.averages.get(fieldname)
        if found is None:
            found = self.averages[fieldname] = self.top.avg_field_length(fieldname) or 1
        return found

    def _or(self, parts: list[Found]) -> Found:
        present = [p for p in parts if p is not None]
        if not present:
            return None
        if all(isinstance(p, Sparse) for p in present):
            return _union(present)  # type: ignore[arg-type]
        dense = [self.dense(p) for p in present]
        # A part's scores are only meaningful where it matches (an AND's are not zero
        # elsewhere), hence the products.
        score, match = dense[0][0] * dense[0][1], dense[0][1].copy()
        for s, m in dense[1:]:
            score += s * m
            match |= m
        return score, match

    def _and(self, parts: list[Found]) -> Found:
        if not parts or any(p is None for p in parts):
            return None
        sparse = [p for p in parts if isinstance(p, Sparse)]
        if _merge is not None and len(sparse) == len(parts):
            return _merged(sparse, intersect=True)
        if not sparse:
            score, match = parts[0][0].copy(), parts[0][1].copy()
            for s, m in parts[1:]:
                score += s
                match &= m
            return score, match
        # The smallest word's documents, kept where every other part matches too; then
        # their scores summed in the parts' order.
        first = min(sparse, key=lambda p: len(p.ids))
        kept = np.arange(len(first.ids))  # which of the first's documents are left
        columns: list[np.ndarray | None] = []
        for p in parts:
            if p is first:
                columns.append(None)  # its scores: first.scores[kept], at the end
                continue
            found, values = self.lookup(p, first.ids[kept])
            kept = kept[found]
            columns = [None if c is None else c[found] for c in columns]
            columns.append(values[found])
        scores = np.zeros(len(kept))
        for c in columns:
            scores += first.scores[kept] if c is None else c
        return Sparse(first.ids[kept], scores)

    def lookup(self, part: Found, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Which of `ids` (ascending) a part matches, and its scores there (meaningless
        elsewhere)."""
        if not isinstance(part, Sparse):
            return part[1][ids], part[0][ids]  # type: ignore[index]
        if not len(part.ids):  # (an AND or ANDNOT with nothing left in this segment)
            return np.zeros(len(ids), dtype=bool), np.zeros(len(ids))
        if len(part.ids) * TABLE_DENSITY > self.seg.n:
            table = _blank_table(self.seg.n)
            try:
                table[part.ids] = part.scores
                values = table[ids]
            finally:
                table[part.ids] = np.nan  # blank again for the next lookup
            return ~np.isnan(values), values
        pos = np.minimum(np.searchsorted(part.ids, ids), len(part.ids) - 1)
        return part.ids[pos] == ids, part.scores[pos]

    def _and_not(self, a: Found, b: Found) -> Found:
        if a is None or b is None:
            return a
        if isinstance(a, Sparse):
            outside = ~self.lookup(b, a.ids)[0]
            return Sparse(a.ids[outside], a.scores[outside])
        return a[0], a[1] & ~self.dense(b)[1]

    def _and_maybe(self, a: Found, b: Found) -> Found:
        if a is None or b is None:
            return a
        if isinstance(a, Sparse):
            inside, values = self.lookup(b, a.ids)
            return Sparse(a.ids, a.scores + np.where(inside, values, 0.0))
        b = self.dense(b)
        return a[0] + b[0] * b[1], a[1]

    def _require(self, a: Found, b: Found) -> Found:
        if a is None or b is None:
            return None
        if isinstance(a, Sparse):
            inside = self.lookup(b, a.ids)[0]
            return Sparse(a.ids[inside], a.scores[inside])
        return a[0], a[1] & self.dense(b)[1]

    def _multiterm(self, q: wq.Query) -> Found:
        """`prefix*` and wildcards: an OR of the words they stand for in this segment.

        Scored like any OR: Whoosh 2.7.5's "constant score" for them falls back to the
        searcher's weighting."""
        words = [btext for _f, btext in q.expanded_terms(self.seg.reader)]
        # Not added to the postings cache: a few short prefixes would copy the index.
        return self._or([self._term(q.fieldname, btext, 1.0, save=False) for btext in words])

    def _date_range(self, q: wq.DateRange) -> Arrays:
        # DateRange holds its ends as the same microsecond numbers the column stores.
        values = self.seg.column(q.fieldname)
        match = self.seg.live & (values != MISSING)
        if q.start is not None:
            low = q.start
            match &= values > low if q.startexcl else values >= low
        if q.end is not None:
            high = q.end
            match &= values < high if q.endexcl else values <= high
        return np.full(self.seg.n, 1.0), match

    def _whoosh(self, q: wq.Query) -> Found:
        """Any other query (a phrase): Whoosh's matcher, one document at a time."""
        m = q.matcher(self.sub, self.sub.context(weighting=self.top.weighting))
        ids: list[int] = []
        scores: list[float] = []
        while m.is_active():
            ids.append(m.id())
            scores.append(m.score())
            m.next()
        if not ids:
            return None
        return Sparse(np.array(ids, dtype=np.int64), np.array(scores, dtype=np.float64))


_scratch = threading.local()


def _blank_table(n: int) -> np.ndarray:
    """This thread's table of at least n NaNs (a score is never NaN), kept between
    lookups: filling a segment-sized table for each one cost more than the lookup."""
    table = getattr(_scratch, "table", None)
    if table is None or len(table) < n:
        table = _scratch.table = np.full(n, np.nan)
    return table


def _union(parts: list[Sparse]) -> Sparse:
    """Every document of the parts, its scores added part after part (left to right,
    as the dense OR adds them): in C when it is built (_merged); else two parts (a
    word's title and text) are merged, more (a word in several languages' fields)
    sorted together once, as merging them one by one would copy the growing answer."""
    if len(parts) == 1:
        return parts[0]
    if _merge is not None:
        return _merged(parts, intersect=False)
    if len(parts) == 2:
        return _merge_two(*parts)
    ids = np.concatenate([p.ids for p in parts])
    if not len(ids):
        return Sparse(ids, np.zeros(0))
    order = np.argsort(ids, kind="stable")  # (runs already sorted: merged, not sorted)
    ordered = ids[order]
    first = np.concatenate(([True], ordered[1:] != ordered[:-1]))
    where = np.empty(len(ids), dtype=np.int64)  # each posting's place in the union
    where[order] = np.cumsum(first) - 1
    scores = np.zeros(int(first.sum()))
    start = 0
    for p in parts:  # a part holds each document once: no repeated places in one step
        scores[where[start:start + len(p.ids)]] += p.scores
        start += len(p.ids)
    return Sparse(ordered[first], scores)


def _merged(parts: list[Sparse], intersect: bool) -> Sparse:
    """The union or intersection of the parts in C: one pass over their postings,
    scores added in the same order (so the same floats) as the numpy code."""
    ids = [p.ids for p in parts]
    scores = [p.scores for p in parts]
    try:
        return _in_c(intersect, ids, scores)
    except (TypeError, ValueError):  # (every array here is int64 or float64 already)
        return _in_c(intersect, [np.ascontiguousarray(i, dtype=np.int64) for i in ids],
                     [np.ascontiguousarray(s, dtype=np.float64) for s in scores])


def _in_c(intersect: bool, ids: list[np.ndarray], values: list[np.ndarray],
          tables: list[np.ndarray | None] | None = None) -> Sparse:
    """_merge.intersect or .union into outputs long enough for any answer (see
    _merge.c for the parts' kinds; `tables`: saved lists' scores by key)."""
    room = min(map(len, ids)) if intersect else sum(map(len, ids))
    out_ids, out_scores = np.empty(room, dtype=np.int64), np.empty(room)
    merge = _merge.intersect if intersect else _merge.union
    count = merge(ids, values, out_ids, out_scores, tables)
    return Sparse(out_ids[:count], out_scores[:count])


def _merge_two(left: Sparse, right: Sparse) -> Sparse:
    """Two parts' documents, scores added (left + right: with two numbers, the same
    float either way round). The shorter part is looked up in the longer and the rest
    inserted, rather than sorting both: a word's title postings are a few next to its
    text's."""
    big, small = (left, right) if len(left.ids) >= len(right.ids) else (right, left)
    if not len(small.ids):
        return big
    pos = np.searchsorted(big.ids, small.ids)
    both = big.ids[np.minimum(pos, len(big.ids) - 1)] == small.ids
    scores = big.scores.copy()
    scores[pos[both]] += small.scores[both]  # (no document twice: no repeated place)
    new = ~both
    if not new.any():
        return Sparse(big.ids, scores)
    # Where the new documents land (their places in `big`, moved along by those
    # inserted before them), and the others fill the rest in order: np.insert's work
    # without its general machinery (a third of the time).
    placed = pos[new] + np.arange(int(new.sum()))
    rest = np.ones(len(big.ids) + len(placed), dtype=bool)
    rest[placed] = False
    ids = np.empty(len(rest), dtype=big.ids.dtype)
    ids[placed], ids[rest] = small.ids[new], big.ids
    out = np.empty(len(rest))
    out[placed], out[rest] = small.scores[new], scores
    return Sparse(ids, out)


def _scaled(found: Found, factor: float) -> Found:
    if isinstance(found, Sparse):
        return Sparse(found.ids, found.scores * factor)
    return None if found is None else (found[0] * factor, found[1])


def _c_parts(parts: list[Sparse | _Keyed]) -> tuple[list[np.ndarray], list[np.ndarray],
                                                     list[np.ndarray | None]]:
    """Parts as _merge.c takes them: document numbers, scores or a saved list's keys,
    and the keys' table (None for scores)."""
    return ([p.ids for p in parts],
            [p.keys if isinstance(p, _Keyed) else p.scores for p in parts],
            [p.table if isinstance(p, _Keyed) else None for p in parts])


_NO_DOCS = np.zeros(0, dtype=np.int64)
_NO_KEYS = np.zeros(0)


def _word_groups(q: wq.Query, schema: Any) -> list[list[wq.Term]] | None:
    """A plain search as the parser spreads its words over the languages' fields (an
    AND of words, each a word or an OR of one word's fields), as groups of words for
    _Evaluator.best_of_words; None for any other shape, or a filter word (type,
    language: an unscored field, matched by a mask)."""

    def word(t: wq.Query) -> bool:
        return type(t) is wq.Term and (t.fieldname not in schema
                                       or schema[t.fieldname].scorable)

    def words(part: wq.Query) -> list[wq.Term] | None:
        if word(part):
            return [part]  # type: ignore[list-item]
        if (type(part) is wq.Or and part.boost == 1.0 and part.subqueries
                and all(word(t) for t in part.subqueries)):
            return list(part.subqueries)
        return None

    if type(q) is wq.And and q.boost == 1.0 and q.subqueries:
        groups = [words(p) for p in q.subqueries]
        return None if any(g is None for g in groups) else groups  # type: ignore[return-value]
    single = words(q)
    return None if single is None else [single]


def _best(key: np.ndarray, limit: int) -> np.ndarray:
    """Positions of the `limit` largest keys, largest first, ties in position order (as
    a stable sort of everything would give, without sorting everything)."""
    if len(key) > limit > 0:
        kth = np.partition(key, len(key) - limit)[len(key) - limit]
        candidates = np.flatnonzero(key >= kth)
    else:
        candidates = np.arange(len(key))
    return candidates[np.argsort(-key[candidates], kind="stable")][:limit]


def search(
    searcher: Searcher,
    q: wq.Query,
    *,
    limit: int,
    restrict: wq.Query | None = None,
    newest: bool = False,
    boost_lang: str | None = None,
    boost: float = 1_000_000.0,
) -> Hits:
    """The best `limit` documents matching `q` (and `restrict`), and how many match.

    Ranked by BM25F score, plus `boost` for documents in `boost_lang`; or, with
    `newest`, by the `created` date. Ties go to the lower document number, as in
    Whoosh.
    """
    docs: list[np.ndarray] = []
    keys: list[np.ndarray] = []
    total = 0
    averages = _facts_of(searcher.reader()).averages
    tables: dict[tuple[str, bytes, float], np.ndarray] = {}
    fields: dict[tuple[str, Any], tuple[bytes, bool] | None] = {}
    folder = getattr(getattr(getattr(searcher, "_ix", None), "storage", None), "folder", None)
    cache = postings_cache.root(folder) if folder else None
    # A plain search (words, no filter, by relevance) is answered per segment in one C
    # call, with no array as long as the matches in between.
    groups = (_word_groups(q, searcher.schema) if restrict is None and not newest
              and getattr(_merge, "and_best", None) is not None else None)
    lang = boost_lang.encode() if boost_lang else None
    for sub, offset in searcher.leaf_searchers():
        seg = _segment(sub.reader(), cache)
        if not seg.n:
            continue
        evaluator = _Evaluator(searcher, sub, seg, averages, tables, fields)
        best = evaluator.best_of_words(groups, limit, lang, boost) if groups else None
        if best is not None:
            count, index, key = best
            total += count
            if len(index):
                docs.append(index + offset)
                keys.append(key)
            continue
        found = evaluator.run(q)
        if found is None:
            continue
        if isinstance(found, Sparse):
            index, score = found.ids, found.scores
        else:
            index = np.flatnonzero(found[1])
            score = found[0][index]
        keep = seg.live[index]
        if restrict is not None:
            allowed = evaluator.run(restrict)
            if allowed is None:
                continue
            keep &= evaluator.lookup(allowed, index)[0]
        index, score = index[keep], score[keep]
        if not len(index):
            continue
        total += len(index)
        if newest:
            key = seg.column("created")[index]
        else:
            key = score
            if boost_lang:
                key = key + boost * seg.mask_at("lang", boost_lang.encode(), index)
        best = _best(key, limit)
        docs.append(index[best] + offset)
        keys.append(key[best])
    if not docs:
        return Hits([], [], total)  # (limit 0: the count alone)
    all_docs, all_keys = np.concatenate(docs), np.concatenate(keys)
    order = np.lexsort((all_docs, -all_keys))[:limit]
    return Hits(all_docs[order].tolist(), all_keys[order].tolist(), total)
