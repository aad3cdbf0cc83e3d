"""The numpy search (app/search/dense.py) gives Whoosh's own answers, query form by form.

The index is built here with the real schema, in several segments with deletions, so
every per-segment path (postings in blocks and inline, field lengths, live documents,
masks, dates) is compared with what Whoosh's matcher finds and how it scores.
"""

from __future__ import annotations

import gc
import random
import weakref
from datetime import datetime, timedelta
from types import SimpleNamespace

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh import query as wq

from app.search import dense
from app.search.query import parse_user_query
from app.search.rebuild import RebuildCodec
from app.search.schema import build_schema, family, text_field, title_field

WORDS = {
    "en": ("learning learned learns library libraries public garden gardens reading circle "
           "circles skills digital adults teacher teaching the of and mentor").split(),
    "fr": ("apprentissage apprentissages bibliothèque public jardin lecture cercle adultes "
           "compétences numérique le la des formation").split(),
    "de": "Lernen Lernens Bibliothek öffentlich Garten Lesen Kreis Erwachsene Bildung".split(),
    "pl": "nauka biblioteka ogród czytanie krąg dorośli umiejętności".split(),
}
START = datetime(2026, 1, 1)


def _doc(rng: random.Random, n: int) -> dict:
    lang = rng.choice(list(WORDS))
    fam = family(lang)
    # Zipf-like: early words are common, so some postings fill many blocks.
    words = rng.choices(WORDS[lang], weights=[1 / (i + 1) for i in range(len(WORDS[lang]))],
                        k=rng.randint(3, 400))
    return {
        "id": f"article:{n}:{lang}", "type": rng.choice(["article", "discussion", "comment"]),
        "lang": lang, "theme": rng.choice(["quality", "inclusion", "quality,inclusion", ""]),
        "tag": rng.choice(["mentoring", "libraries", ""]),
        "author": rng.choice(["Wanda Writer", "Anna Alder", "Marie Curie"]),
        "created": START + timedelta(hours=n), "stamp": str(n),
        title_field(fam): " ".join(rng.choices(WORDS[lang], k=rng.randint(1, 6))),
        text_field(fam): " ".join(words),
    }


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    path = tmp_path_factory.mktemp("dense-index")
    ix = whoosh_index.create_in(str(path), build_schema())
    rng = random.Random(5)
    n = 0
    # Four segments, one of them tiny; one written as a rebuild writes (uncompressed
    # blocks, RebuildCodec), the others as a drain does (zlib-compressed blocks).
    for size, codec in ((700, None), (40, None), (900, RebuildCodec(compression=0)),
                        (3, None)):
        writer = ix.writer(codec=codec) if codec else ix.writer()
        for _ in range(size):
            n += 1
            writer.add_document(**_doc(rng, n))
        writer.commit(merge=False)
    writer = ix.writer()
    for gone in rng.sample(range(1, n + 1), 60):
        writer.delete_by_term("stamp", str(gone))
    writer.commit(merge=False)
    with ix.searcher() as s:
        assert len(s.reader().leaf_readers()) == 4 and s.reader().has_deletions()
        yield s


def whoosh_answer(s, q: wq.Query) -> tuple[list[int], list[float]]:
    ranked = sorted((-round(hit.score, 9), hit.docnum) for hit in s.search(q, limit=None))
    return [docnum for _score, docnum in ranked], [-score for score, _d in ranked]


def parsed(s, raw: str, language: str | None = None) -> wq.Query:
    q = parse_user_query(raw, language, s.reader()).query
    assert q is not None
    return q


USER_QUERIES = [
    "learning", "apprentissages", "Lernens", "library public", "learning OR garden",
    "learning NOT garden", "learning AND NOT garden", "(learning OR nauka) AND public",
    "the learning", '"reading circle"', "learn*", "title:learning", "author:wanda",
    "tag:mentoring", "type:discussion learning", "theme:quality garden",
    "learning ANDMAYBE garden", "learning ANDNOT garden", "biblioteka", "nowhereword",
    "learning nowhereword", "learning OR nowhereword",
    # Sparse (word) and dense (filter, NOT) parts mixed in each combination.
    "learning OR type:discussion", "type:article ANDMAYBE learning",
    "learning ANDMAYBE type:comment", "(learning NOT garden) OR public",
    "type:article ANDNOT learning",
    # ORs whose parts all come out empty in some (or every) segment.
    "(learning nauka) OR (garden biblioteka)",
    "(learning ANDNOT learning) OR (garden ANDNOT garden)",
    # An empty part on the right of ANDNOT, ANDMAYBE and AND.
    "learning ANDNOT (garden ANDNOT garden)", "learning ANDMAYBE (garden ANDNOT garden)",
]

MATCH_NOTHING = {"nowhereword", "learning nowhereword", "(learning nauka) OR (garden biblioteka)",
                 "(learning ANDNOT learning) OR (garden ANDNOT garden)"}


@pytest.mark.parametrize("raw", USER_QUERIES)
def test_user_queries_match_and_rank_as_whoosh(searcher, raw):
    q = parsed(searcher, raw)
    docnums, scores = whoosh_answer(searcher, q)
    hits = dense.search(searcher, q, limit=100_000)
    assert hits.total == len(docnums)
    assert hits.docnums == docnums
    assert hits.keys == pytest.approx(scores, rel=1e-9)
    assert bool(docnums) == (raw not in MATCH_NOTHING)


def test_andnot_a_filter_word_removes_all_its_documents(searcher):
    # Not against Whoosh: its AndNot matcher keeps one comment here (document 708).
    learning = set(dense.search(searcher, parsed(searcher, "learning"), limit=100_000).docnums)
    comments = set(dense.search(searcher, wq.Term("type", "comment"), limit=100_000).docnums)
    hits = dense.search(searcher, parsed(searcher, "learning ANDNOT type:comment"),
                        limit=100_000)
    assert set(hits.docnums) == learning - comments and hits.total == len(learning - comments)
    assert learning & comments and learning - comments


def test_not_alone_matches_every_live_document_without_the_word(searcher):
    q = parsed(searcher, "NOT garden")
    docnums, _scores = whoosh_answer(searcher, q)
    hits = dense.search(searcher, q, limit=100_000)
    assert hits.total == len(docnums) > 0
    assert hits.docnums == docnums  # equal scores: document order, as Whoosh


def test_limit_keeps_the_best_and_counts_all(searcher):
    q = parsed(searcher, "learning OR garden")
    docnums, _scores = whoosh_answer(searcher, q)
    hits = dense.search(searcher, q, limit=7)
    assert hits.docnums == docnums[:7]
    assert hits.total == len(docnums) > 7


def test_restrict_filters_like_a_whoosh_filter(searcher):
    q = parsed(searcher, "learning OR bibliothèque OR Lernen")
    restrict = wq.And([wq.Term("type", "article"), wq.DateRange(
        "created", START + timedelta(hours=300), START + timedelta(hours=1200))])
    expected = [hit.docnum for hit in searcher.search(q, filter=restrict, limit=None)]
    hits = dense.search(searcher, q, limit=100_000, restrict=restrict)
    assert hits.total == len(expected) > 0
    assert hits.docnums == expected


def test_open_ended_date_ranges(searcher):
    for start, end in ((START + timedelta(hours=1500), None),
                       (None, START + timedelta(hours=10))):
        restrict = wq.DateRange("created", start, end)
        expected = {hit.docnum for hit in searcher.search(wq.Every(), filter=restrict,
                                                          limit=None)}
        hits = dense.search(searcher, wq.Every(), limit=100_000, restrict=restrict)
        assert set(hits.docnums) == expected and hits.total == len(expected) > 0


def test_boosted_language_comes_first_in_score_order(searcher):
    q = parsed(searcher, "public OR öffentlich OR biblioteka")
    hits = dense.search(searcher, q, limit=100_000, boost_lang="de")
    langs = [searcher.stored_fields(d)["lang"] for d in hits.docnums]
    first_other = langs.index(next(lang for lang in langs if lang != "de"))
    assert set(langs[:first_other]) == {"de"} and "de" not in langs[first_other:]
    # Within each group, Whoosh's order.
    docnums, _scores = whoosh_answer(searcher, q)
    german = [d for d in docnums if searcher.stored_fields(d)["lang"] == "de"]
    assert hits.docnums[:first_other] == german


def test_newest_sorts_by_date(searcher):
    q = parsed(searcher, "learning")
    expected = [hit.docnum for hit in searcher.search(q, sortedby="created", reverse=True,
                                                      limit=None)]
    hits = dense.search(searcher, q, limit=100_000, newest=True)
    dates = [searcher.stored_fields(d)["stamp"] for d in hits.docnums]
    assert [int(d) for d in dates] == sorted((int(d) for d in dates), reverse=True)
    assert set(hits.docnums) == set(expected) and hits.total == len(expected)


def test_deleted_documents_are_never_found(searcher):
    deleted = {docnum for reader, offset in searcher.reader().leaf_readers()
               for docnum in (offset + d for d in reader.deleted_docs_set)}
    assert deleted
    hits = dense.search(searcher, wq.Every(), limit=100_000)
    assert not deleted & set(hits.docnums)
    assert hits.total == searcher.doc_count()


def test_a_replaced_reader_and_its_cached_arrays_are_freed(tmp_path):
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    writer = ix.writer()
    writer.add_document(**_doc(random.Random(1), 1))
    writer.commit()
    s = ix.searcher()
    dense.search(s, wq.Term("lang", "en"), limit=5)
    reader = s.reader()
    assert reader in dense._segments  # noqa: SLF001
    gone = weakref.ref(reader)
    s.close()
    del s, reader
    gc.collect()
    assert gone() is None


@pytest.mark.parametrize("density", [1, 10**9])  # binary search only / table only
def test_and_gives_the_same_answers_either_way_it_looks_words_up(searcher, monkeypatch,
                                                                density):
    expected = {raw: dense.search(searcher, parsed(searcher, raw), limit=100_000)
                for raw in USER_QUERIES}
    monkeypatch.setattr(dense, "TABLE_DENSITY", density)
    for raw, hits in expected.items():
        assert dense.search(searcher, parsed(searcher, raw), limit=100_000) == hits, raw


def test_or_adds_scores_left_to_right(searcher):
    parts = [wq.Term("text_en", "learn"), wq.Term("title_en", "learn"),
             wq.Term("text_en", "librari"), wq.Term("title_en", "librari"),
             wq.Term("text_en", "public")]
    alone = []
    for part in parts:
        hits = dense.search(searcher, part, limit=100_000)
        alone.append(dict(zip(hits.docnums, hits.keys, strict=True)))
    expected: dict[int, float] = {}
    for scores in alone:
        for docnum, score in scores.items():
            expected[docnum] = expected.get(docnum, 0.0) + score
    hits = dense.search(searcher, wq.Or(parts), limit=100_000)
    assert sum(1 for d in expected if sum(d in a for a in alone) >= 3) > 10  # 3+ parts met
    assert dict(zip(hits.docnums, hits.keys, strict=True)) == expected  # to the last bit


@pytest.mark.parametrize("limit", [1, 5, 37])
def test_a_small_limit_keeps_ties_in_document_order(searcher, limit):
    # Every document without the word scores 1: the cut falls inside one long tie.
    q = parsed(searcher, "NOT garden")
    everything = dense.search(searcher, q, limit=100_000)
    hits = dense.search(searcher, q, limit=limit)
    assert hits.docnums == everything.docnums[:limit] == sorted(everything.docnums)[:limit]
    newest = dense.search(searcher, q, limit=100_000, newest=True)
    assert dense.search(searcher, q, limit=limit, newest=True).docnums == \
        newest.docnums[:limit]


def test_has_term_agrees_with_the_reader(searcher):
    reader = searcher.reader()
    for fieldname in ("text_en", "title_en", "text_fr", "text_pl", "lang", "nofield"):
        for word in ("learn", "librari", "apprentissag", "nauka", "en", "nowhere"):
            expected = fieldname in reader.schema and (fieldname, word) in reader
            assert dense.has_term(reader, fieldname, word) == expected, (fieldname, word)


def _random_parts(seed: int, most: int = 5) -> list[dense.Sparse]:
    rng = np.random.default_rng(seed)
    parts = []
    for size in rng.integers(0, 60, size=int(rng.integers(1, most))):
        ids = np.unique(rng.integers(0, 80, size=int(size)))
        parts.append(dense.Sparse(ids, rng.random(len(ids))))
    parts.append(dense.Sparse(np.array([0, 79]), np.array([0.5, 0.25])))  # both ends
    return parts


@pytest.fixture(params=["c", "numpy"])
def merges(request, monkeypatch):
    """Each test below runs with the C merges and with the numpy code they replace."""
    if request.param == "numpy":
        monkeypatch.setattr(dense, "_merge", None)
    return request.param


def test_the_c_merges_are_built():
    # setup.py builds app/search/_merge.c; without it searches fall back to numpy,
    # correct but several times slower at the benchmark's 5x size.
    assert dense._merge is not None  # noqa: SLF001


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("shape", ["spread", "one long", "far apart"])  # the C code's ways
def test_union_of_sorted_parts_matches_a_plain_merge(seed, shape, merges):
    parts = _random_parts(seed, most=8)
    if shape == "one long":
        parts.insert(1, dense.Sparse(np.arange(1, 79), np.linspace(0.2, 3.0, 78)))
    elif shape == "far apart":
        parts.append(dense.Sparse(np.array([10**6]), np.array([0.75])))
    expected: dict[int, float] = {}
    for part in parts:
        for docnum, score in zip(part.ids.tolist(), part.scores.tolist(), strict=True):
            expected[docnum] = expected.get(docnum, 0.0) + score  # left to right
    found = dense._union(parts)  # noqa: SLF001
    assert found.ids.tolist() == sorted(expected)
    assert dict(zip(found.ids.tolist(), found.scores.tolist(), strict=True)) == expected


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("shape", ["two alike", "two unlike", "many"])  # the C code's ways
def test_and_of_sorted_parts_matches_a_plain_intersection(seed, shape, merges):
    every_other = dense.Sparse(np.arange(0, 80, 2), np.linspace(0.1, 4.0, 40))
    if shape == "many":
        parts = [every_other, *_random_parts(seed)]
    elif shape == "two unlike":  # more than 4x apart: galloping, not the merge
        rng = np.random.default_rng(seed)
        ids = np.unique(rng.integers(0, 80, size=6))
        parts = [dense.Sparse(ids, rng.random(len(ids))), every_other]
    else:
        rng = np.random.default_rng(seed)
        ids = np.unique(rng.integers(0, 80, size=int(rng.integers(30, 60))))
        parts = [every_other, dense.Sparse(ids, rng.random(len(ids)))]
    common = set.intersection(*(set(p.ids.tolist()) for p in parts))
    expected = {}
    for docnum in common:
        total = 0.0
        for part in parts:  # in the parts' order
            total += float(part.scores[part.ids.tolist().index(docnum)])
        expected[docnum] = total
    evaluator = object.__new__(dense._Evaluator)  # noqa: SLF001  (its AND needs no index)
    evaluator.seg = SimpleNamespace(n=80)  # what the numpy lookup reads of a segment
    found = evaluator._and(parts)  # noqa: SLF001
    assert found.ids.tolist() == sorted(expected)
    assert dict(zip(found.ids.tolist(), found.scores.tolist(), strict=True)) == expected


@pytest.mark.parametrize("shape", ["one long", "spread"])  # run copies; the array
@pytest.mark.parametrize("seed", range(6))
def test_saved_lists_are_scored_by_their_table_in_the_c_union(seed, shape):
    """Parts as a saved list is read (int32 documents, uint16 keys, the word's table)
    mixed with scored ones give what their scores, looked up first, would give."""
    rng = np.random.default_rng(seed)
    table = rng.random(3 * 256)
    parts = _random_parts(seed, most=6)
    if shape == "one long":
        parts.insert(0, dense.Sparse(np.arange(1, 79), np.linspace(0.2, 3.0, 78)))
    keyed = [dense._Keyed(p.ids.astype(np.int32),  # noqa: SLF001
                          rng.integers(0, len(table), len(p.ids)).astype(np.uint16), table)
             if i % 2 else p for i, p in enumerate(parts)]
    expected: dict[int, float] = {}
    for k in keyed:  # scores looked up first, then added left to right
        scores = k.table[k.keys] if isinstance(k, dense._Keyed) else k.scores  # noqa: SLF001
        for docnum, score in zip(k.ids.tolist(), scores.tolist(), strict=True):
            expected[docnum] = expected.get(docnum, 0.0) + score
    room = sum(len(k.ids) for k in keyed)
    out_ids, out_scores = np.empty(room, dtype=np.int64), np.empty(room)
    count = dense._merge.union(  # noqa: SLF001
        [k.ids for k in keyed],
        [k.keys if isinstance(k, dense._Keyed) else k.scores for k in keyed],  # noqa: SLF001
        out_ids, out_scores,
        [k.table if isinstance(k, dense._Keyed) else None for k in keyed])  # noqa: SLF001
    assert out_ids[:count].tolist() == sorted(expected)
    assert dict(zip(out_ids[:count].tolist(), out_scores[:count].tolist(), strict=True)) \
        == expected


def test_c_merges_give_the_numpy_answers_to_the_last_bit(searcher, monkeypatch):
    for raw in USER_QUERIES:  # once first, so the C pass reads saved lists too
        dense.search(searcher, parsed(searcher, raw), limit=100_000)
    found = {raw: dense.search(searcher, parsed(searcher, raw), limit=100_000)
             for raw in USER_QUERIES}
    monkeypatch.setattr(dense, "_merge", None)
    for raw, hits in found.items():
        assert dense.search(searcher, parsed(searcher, raw), limit=100_000) == hits, raw


def test_c_merges_refuse_arrays_of_the_wrong_kind():
    ids, scores = np.array([1, 2]), np.array([0.5, 0.5])
    out_ids, out_scores = np.empty(4, dtype=np.int64), np.empty(4)
    merge = dense._merge  # noqa: SLF001
    assert merge.union([ids, ids], [scores, scores], out_ids, out_scores) == 2
    assert out_scores[:2].tolist() == [1.0, 1.0]
    with pytest.raises(TypeError):
        merge.union([ids], [scores.astype(np.float32)], out_ids, out_scores)
    with pytest.raises(IndexError):  # a saved list's key beyond its table
        merge.union([ids], [np.array([0, 3], dtype=np.uint16)], out_ids, out_scores,
                    [np.array([0.5, 1.5, 2.5])])
    # (dense.py converts such arrays and tries again)
    found = dense._merged([dense.Sparse(ids, scores[::-1].astype(np.float32)),  # noqa: SLF001
                           dense.Sparse(ids, scores)], intersect=True)
    assert found.ids.tolist() == [1, 2] and found.scores.tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match="differ"):
        merge.union([ids], [scores[:1]], out_ids, out_scores)
    with pytest.raises(ValueError, match="too short"):
        merge.union([ids, ids + 5], [scores, scores], out_ids[:3], out_scores[:3])


# -- a plain search in one C call per segment (_merge.and_best) --------------------------

# (Some words are missing from some segments: the 3-document one has few.)
PLAIN_QUERIES = ["learning", "library public", "learning public garden", "the learning",
                 "apprentissages Lernens", "adults teacher", "biblioteka", "garden nauka"]


def test_plain_searches_take_the_one_call_way(searcher, monkeypatch):
    for raw in PLAIN_QUERIES:
        assert dense._word_groups(parsed(searcher, raw),  # noqa: SLF001
                                  searcher.schema) is not None, raw
    expected = {raw: dense.search(searcher, parsed(searcher, raw), limit=100) for raw in
                PLAIN_QUERIES}

    def evaluated(_self, _q):
        raise AssertionError("the query was evaluated part by part")

    monkeypatch.setattr(dense._Evaluator, "run", evaluated)  # noqa: SLF001
    for raw, hits in expected.items():
        assert dense.search(searcher, parsed(searcher, raw), limit=100) == hits
    # Anything else still is: a filter word, NOT, a prefix, a filter, sorting by date.
    for raw in ("type:discussion learning", "learning NOT garden", "learning OR garden*"):
        # (known from the query's shape: no segment reads its words' lists twice)
        assert dense._word_groups(parsed(searcher, raw),  # noqa: SLF001
                                  searcher.schema) is None, raw
        with pytest.raises(AssertionError, match="evaluated"):
            dense.search(searcher, parsed(searcher, raw), limit=5)
    q = parsed(searcher, "learning")
    boosted = wq.And([q, parsed(searcher, "public")], boost=2.0)  # (the parser makes none)
    with pytest.raises(AssertionError, match="evaluated"):
        dense.search(searcher, boosted, limit=5)
    with pytest.raises(AssertionError, match="evaluated"):
        dense.search(searcher, wq.Or(list(q.subqueries), boost=2.0), limit=5)
    with pytest.raises(AssertionError, match="evaluated"):
        dense.search(searcher, q, limit=5, restrict=wq.Term("type", "article"))
    with pytest.raises(AssertionError, match="evaluated"):
        dense.search(searcher, q, limit=5, newest=True)


@pytest.mark.parametrize("lang", [None, "en", "de"])
@pytest.mark.parametrize("limit", [0, 1, 5, 37, 100_000])  # (0: the count alone)
def test_a_plain_search_gives_the_part_by_part_answer_to_the_last_bit(searcher, monkeypatch,
                                                                       lang, limit):
    for raw in PLAIN_QUERIES:  # once first, so saved lists are read too
        dense.search(searcher, parsed(searcher, raw), limit=limit)
    found = {raw: dense.search(searcher, parsed(searcher, raw), limit=limit, boost_lang=lang)
             for raw in PLAIN_QUERIES}
    assert sum(hits.total > limit for hits in found.values()) >= (3 if limit < 100 else 0)
    assert sum(hits.total > 0 for hits in found.values()) >= 6  # (two mix languages)
    monkeypatch.setattr(dense, "_word_groups", lambda _q, _schema: None)
    for raw, hits in found.items():
        assert dense.search(searcher, parsed(searcher, raw), limit=limit,
                            boost_lang=lang) == hits, raw


def _plain_answer(groups, live, in_lang, boost, limit):
    """What and_best must give, the slow way: each group's parts added left to right from
    0.0, then the groups; live documents only; best key first, then lower document."""
    everything = set().union(*(set(p[0].tolist()) for g in groups for p in g))
    by_doc = [[dict(zip(ids.tolist(), scores.tolist(), strict=True)) for ids, scores in group]
              for group in groups]
    hits, total = [], 0
    for doc in sorted(everything):
        score, everywhere = 0.0, True
        for group in by_doc:
            inside = [part.get(doc) for part in group]
            if all(s is None for s in inside):
                everywhere = False
                break
            group_score = 0.0
            for s in inside:
                if s is not None:
                    group_score += s
            score += group_score
        if everywhere and live[doc]:
            total += 1
            hits.append((-(score + boost if in_lang[doc] else score), doc))
    hits.sort()
    return total, [d for _k, d in hits[:limit]], [-k for k, _d in hits[:limit]]


def _add_part(rng, ids, *, saved, draw, group, c_args):
    """A part of a word, as the plain computation reads it (documents, scores: added to
    `group`) and as and_best takes it (added to c_args' three lists): a saved list
    (int32 documents, keys into a table of the word's scores) or scores in memory."""
    ids_list, values_list, tables = c_args
    if saved:
        table = draw(3 * 256)
        keys = rng.integers(0, len(table), len(ids)).astype(np.uint16)
        ids_list.append(ids.astype(np.int32))
        values_list.append(keys)
        tables.append(table)
        group.append((ids, table[keys]))
    else:
        scores = draw(len(ids))
        ids_list.append(ids.astype(np.int64))
        values_list.append(scores)
        tables.append(None)
        group.append((ids, scores))


def _assert_and_best_is_plain(groups, args, live, in_lang, limit):
    out_ids, out_keys = np.empty(limit, dtype=np.int64), np.empty(limit)
    total, kept = dense._merge.and_best(args, live, np.packbits(in_lang), 1000.0,  # noqa: SLF001
                                        limit, out_ids, out_keys)
    expected_total, docs, keys = _plain_answer(groups, live, in_lang, 1000.0, limit)
    assert total == expected_total
    assert out_ids[:kept].tolist() == docs
    assert out_keys[:kept].tolist() == keys  # to the last bit


@pytest.mark.parametrize("seed", range(24))
@pytest.mark.parametrize("values", ["few", "any"])  # ties; sums that depend on their order
def test_and_best_matches_a_plain_computation(seed, values):
    rng = np.random.default_rng(seed)
    pool = np.array([0.25, 0.5, 1.0, 1.5, 2.0]) if values == "few" else rng.random(5000)
    n = 150
    groups, args = [], []
    for _ in range(int(rng.integers(1, 4))):
        group, ids_list, values_list, tables = [], [], [], []
        for i in range(int(rng.integers(1, 6))):
            ids = np.unique(rng.integers(0, n, size=int(rng.integers(0, 120))))
            _add_part(rng, ids, saved=bool(i % 2), draw=lambda size: rng.choice(pool, size),
                      group=group, c_args=(ids_list, values_list, tables))
        groups.append(group)
        args.append((ids_list, values_list, tables))
    live = rng.random(n) > 0.1
    in_lang = rng.random(n) > 0.5
    _assert_and_best_is_plain(groups, args, live, in_lang, int(rng.integers(0, 40)))


@pytest.mark.parametrize("seed", range(12))
def test_and_best_over_many_blocks_matches_a_plain_computation(seed):
    """Segments of many of and_best's blocks (2,048 documents): dense and sparse lists,
    a rare word anywhere in the query (blocks where it has nothing are skipped), lists
    that start and end in different blocks, documents at the blocks' edges."""
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(5_000, 40_000))
    edges = np.array([0, 2047, 2048, 4095, 4096, n - 1])
    groups, args = [], []
    n_groups = int(rng.integers(1, 4))
    rare = int(rng.integers(0, n_groups))
    for g in range(n_groups):
        group, ids_list, values_list, tables = [], [], [], []
        for i in range(int(rng.integers(1, 7))):
            density = 0.0005 if g == rare else float(rng.choice([0.001, 0.05, 0.3]))
            ids = np.flatnonzero(rng.random(n) < density)
            if rng.random() < 0.3:
                ids = np.union1d(ids, edges)
            if rng.random() < 0.3:  # only in part of the segment
                start, stop = int(rng.integers(0, n // 2)), int(rng.integers(n // 2, n))
                ids = ids[(ids >= start) & (ids < stop)]
            _add_part(rng, ids, saved=bool(i % 2), draw=lambda size: rng.random(size) * 3,
                      group=group, c_args=(ids_list, values_list, tables))
        groups.append(group)
        args.append((ids_list, values_list, tables))
    live = rng.random(n) > 0.05
    in_lang = rng.random(n) > 0.6
    for limit in (0, 1, 30, 500):
        _assert_and_best_is_plain(groups, args, live, in_lang, limit)


def test_and_best_refuses_what_it_cannot_read():
    ids, scores = np.array([1, 2]), np.array([0.5, 0.5])
    live, out_ids, out_keys = np.ones(4, dtype=bool), np.empty(4, dtype=np.int64), np.empty(4)
    and_best = dense._merge.and_best  # noqa: SLF001
    group = ([ids, ids + 1], [scores, scores], [None, None])
    assert and_best([group], live, None, 0.0, 4, out_ids, out_keys) == (3, 3)
    assert out_ids[:3].tolist() == [2, 1, 3] and out_keys[:3].tolist() == [1.0, 0.5, 0.5]
    with pytest.raises(TypeError):
        and_best([(ids, scores)], live, None, 0.0, 4, out_ids, out_keys)
    with pytest.raises(TypeError):
        and_best([([ids], [scores.astype(np.float32)], None)], live, None, 0.0, 4,
                 out_ids, out_keys)
    with pytest.raises(IndexError):  # a saved list's key beyond its table
        and_best([([ids], [np.array([0, 3], dtype=np.uint16)], [np.array([0.5, 1.5])])],
                 live, None, 0.0, 4, out_ids, out_keys)
    with pytest.raises(ValueError, match="too short"):
        and_best([group], live, None, 0.0, 5, out_ids, out_keys)
    with pytest.raises(ValueError, match="negative"):
        and_best([group], live, None, 0.0, -1, out_ids, out_keys)
