"""Decoded postings shared through files beside the index (app/search/postings_cache.py)."""

from __future__ import annotations

import random
import shutil

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh import query as wq

from app.search import dense, postings_cache, store
from app.search.schema import build_schema

from .test_dense import _doc


@pytest.fixture
def ix(tmp_path, monkeypatch):
    monkeypatch.setattr(postings_cache, "MIN_POSTINGS", 1)  # cache every list here
    index = whoosh_index.create_in(str(tmp_path), build_schema())
    rng = random.Random(3)
    n = 0
    for size in (300, 200):  # two segments
        writer = index.writer()
        for _ in range(size):
            n += 1
            writer.add_document(**_doc(rng, n))
        writer.commit(merge=False)
    return index


def cached_files(ix) -> list:
    return sorted(p for p in postings_cache.root(ix.storage.folder).rglob("*") if p.is_file())


def search(ix, q):
    with ix.searcher() as s:  # a fresh searcher: new readers, nothing kept in memory
        return dense.search(s, q, limit=1000)


def test_a_search_saves_postings_and_the_next_reads_them(ix):
    q = wq.Or([wq.Term("text_en", "learn"), wq.Term("text_fr", "apprentissag")])
    first = search(ix, q)
    files = cached_files(ix)
    assert first.total > 0 and len(files) >= 2  # a word in each of two segments at least
    assert {f.parent.parent.name for f in files} == {
        r.segment().segment_id() for r, _o in ix.reader().leaf_readers()}
    assert search(ix, q) == first
    # The second search read the files: one more occurrence in every saved posting
    # (a key's weight is key // ROW) raises every score.
    for f in files:
        raw = np.fromfile(f, dtype=np.uint8)
        header = raw[:postings_cache.HEADER].view(np.int64)
        count = int(header[1])
        header[2] += 1  # rows: weights now go one higher
        raw[postings_cache.HEADER + 4 * count:].view(np.uint16)[:] += postings_cache.ROW
        raw.tofile(f)
    raised = search(ix, q)
    assert raised.total == first.total
    assert all(b > a for a, b in zip(first.keys, raised.keys, strict=True))


DAMAGED_QUERIES = {
    "one field": wq.Term("text_en", "learn"),
    "two words": wq.Or([wq.Term("text_en", "learn"), wq.Term("text_en", "librari")]),
    "four fields": wq.Or([wq.Term("text_en", "learn"), wq.Term("title_en", "learn"),
                          wq.Term("text_en", "librari"), wq.Term("title_en", "librari")]),
    "and": wq.And([wq.Or([wq.Term("text_en", "learn"), wq.Term("title_en", "learn")]),
                   wq.Term("text_en", "librari")]),
}


def _damaged(raw: bytes, damage: str) -> bytes:
    header = np.frombuffer(raw[:postings_cache.HEADER], dtype=np.int64)
    count, rows = int(header[1]), int(header[2])
    ids_end = postings_cache.HEADER + 4 * count
    ids = np.frombuffer(raw[postings_cache.HEADER:ids_end], dtype=np.int32).copy()
    ids[count // 2], ids[count // 2 + 1] = ids[count // 2 + 1], ids[count // 2]
    return {"short": raw[:10],  # not even a header
            "magic": b"X" + raw[1:],  # not this layout
            "length": raw[:-1],  # the header's count does not fit
            "key": raw[:-2] + b"\xff\xff",  # a weight far beyond the rows
            # the first weight beyond this list's rows (another segment's list of the
            # word may have that row: its score must not be taken)
            "row": raw[:-2] + np.uint16(min(rows * postings_cache.ROW, 65535)).tobytes(),
            "document": raw[:ids_end - 4] + np.int32(10**6).tobytes()
            + raw[ids_end:],  # beyond the segment's documents
            "order": raw[:postings_cache.HEADER] + ids.tobytes() + raw[ids_end:],
            }[damage]


@pytest.mark.parametrize("damage", ["short", "magic", "length", "key", "row", "document",
                                    "order"])
@pytest.mark.parametrize("words", DAMAGED_QUERIES)  # one part; the C union's two ways; AND
def test_a_damaged_file_is_ignored(ix, damage, words):
    q = DAMAGED_QUERIES[words]
    first = search(ix, q)
    files = cached_files(ix)
    assert files
    for f in files:
        f.write_bytes(_damaged(f.read_bytes(), damage))
    assert search(ix, q) == first


def test_prefix_words_are_not_added_to_the_cache(ix):
    assert search(ix, wq.Prefix("text_en", "lea")).total > 0
    assert cached_files(ix) == []


def test_an_unwritable_cache_costs_nothing_but_speed(ix, tmp_path):
    postings_cache.root(ix.storage.folder).write_text("a file where the folder would go")
    q = wq.Term("text_en", "learn")
    hits = search(ix, q)
    assert hits.total > 0
    with ix.searcher() as s:
        assert hits.docnums == [h.docnum for h in s.search(q, limit=1000)]


def test_a_refresh_removes_the_files_of_merged_segments(ix):
    q = wq.Term("text_en", "learn")
    s = ix.searcher()
    dense.search(s, q, limit=10)
    before = {f.parent.parent.name for f in cached_files(ix)}
    assert len(before) == 2
    ix.optimize()  # both segments merged into a new one
    s = store._refreshed(s, ix.storage.folder)  # noqa: SLF001
    assert not {p.name for p in postings_cache.root(ix.storage.folder).iterdir()} & before
    assert dense.search(s, q, limit=1000).total == search(ix, q).total > 0
    assert {f.parent.parent.name for f in cached_files(ix)} == {
        r.segment().segment_id() for r, _o in s.reader().leaf_readers()}
    s.close()


def test_cached_words_keep_no_per_document_lengths_in_the_worker(ix, monkeypatch):
    q = wq.Or([wq.Term("text_en", "learn"), wq.Term("title_en", "learn"),
               wq.Term("text_fr", "apprentissag"), wq.Term("text_de", "lern")])
    with ix.searcher() as s:
        cold = dense.search(s, q, limit=1000)  # decodes, saves lists and their lengths
        with ix.searcher() as again:
            assert dense.search(again, q, limit=1000) == cold  # read back from the files
        segments = [dense._segment(r) for r, _o in s.reader().leaf_readers()]  # noqa: SLF001
        assert cold.total > 0 and all(not seg._lengths for seg in segments)  # noqa: SLF001
    # Uncached (short) lists use the field's array, but a segment keeps only a few.
    shutil.rmtree(postings_cache.root(ix.storage.folder))
    monkeypatch.setattr(postings_cache, "MIN_POSTINGS", 10**9)
    monkeypatch.setattr(dense, "LENGTHS_PER_SEGMENT", 2)
    with ix.searcher() as s:
        assert dense.search(s, q, limit=1000) == cold
        segments = [dense._segment(r) for r, _o in s.reader().leaf_readers()]  # noqa: SLF001
        sizes = [len(seg._lengths) for seg in segments]  # noqa: SLF001
        assert max(sizes) == 2 and min(sizes) >= 1


def test_saved_lists_score_to_the_last_bit_as_decoded_ones(ix):
    q = wq.Or([wq.Term("text_en", "learn"), wq.Term("title_en", "learn"),
               wq.Term("text_en", "librari")])
    decoded = search(ix, q)  # decodes and saves
    assert cached_files(ix)
    assert search(ix, q) == decoded  # scored from keys: the same floats, not approximately


def test_a_list_whose_weights_are_not_whole_numbers_is_not_saved(ix):
    ids = np.array([1, 5, 9])
    codes = np.array([10, 20, 30], dtype=np.uint8)
    assert postings_cache.keys_for(np.array([2.0, 1.0, 4.0]), codes)[1] == 5
    assert postings_cache.keys_for(np.array([2.0, 1.5, 4.0]), codes) is None
    assert postings_cache.keys_for(np.array([2.0, 256.0, 4.0]), codes) is None
    cache = postings_cache.root(ix.storage.folder)
    assert postings_cache.save(cache, "seg", "text_en", b"odd", ids,
                               np.array([2.0, 1.5, 4.0]), codes)
    assert postings_cache.load(cache, "seg", "text_en", b"odd") is None
    assert postings_cache.save(cache, "seg", "text_en", b"even", ids,
                               np.array([2.0, 1.0, 4.0]), codes)
    saved = postings_cache.load(cache, "seg", "text_en", b"even")
    assert saved.ids.tolist() == [1, 5, 9] and saved.rows == 5
    assert (saved.keys // postings_cache.ROW).tolist() == [2, 1, 4]
    assert (saved.keys % postings_cache.ROW).tolist() == [10, 20, 30]


LEARN = wq.Or([wq.Term("text_en", "learn"), wq.Term("title_en", "learn")])


def first_search_looks_for_files(ix, s, monkeypatch):
    """Search LEARN once (it must look for files and save none); then return the
    list that records which words the following searches look for on disk."""
    looked: list[bytes] = []
    load = postings_cache.load
    monkeypatch.setattr(postings_cache, "load",
                        lambda *args: looked.append(args[3]) or load(*args))
    first = dense.search(s, LEARN, limit=1000)
    assert looked and cached_files(ix) == []
    looked.clear()
    return first, looked


def test_short_lists_are_kept_decoded_instead_of_looked_for_again(ix, monkeypatch):
    monkeypatch.setattr(postings_cache, "MIN_POSTINGS", 10**9)  # every list is short
    with ix.searcher() as s:
        first, looked = first_search_looks_for_files(ix, s, monkeypatch)
        assert dense.search(s, LEARN, limit=1000) == first
        assert looked == []  # neither a file looked for nor a list decoded again
        monkeypatch.setattr(dense, "_parse_blocks", None)  # (decoding would now fail)
        assert dense.search(s, LEARN, limit=1000) == first
        assert [h.docnum for h in s.search(LEARN, limit=1000)] == first.docnums


def test_a_list_the_cache_cannot_hold_is_not_looked_for_again(ix, monkeypatch):
    monkeypatch.setattr(postings_cache, "fits", lambda weights: False)
    with ix.searcher() as s:
        first, looked = first_search_looks_for_files(ix, s, monkeypatch)
        assert dense.search(s, LEARN, limit=1000) == first  # decoded again, not looked for
        assert looked == []
        assert [h.docnum for h in s.search(LEARN, limit=1000)] == first.docnums
