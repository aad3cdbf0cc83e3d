"""Rebuild the index from the database, and check it against the database.

Rebuild writes a fresh generation directory while search keeps reading the live
one, then swaps the `current` link in one rename. It holds the write lock the whole
time: drains meanwhile leave their outbox rows, which are replayed into the new
index after the swap, so a change made during a rebuild is never lost.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from whoosh import index as whoosh_index
from whoosh.analysis.tokenizers import default_pattern  # the spelling field's tokenizer
from whoosh.codec.whoosh3 import W3Codec, W3PerDocReader
from whoosh.util.numeric import byte_to_length

from app.extensions import db
from app.search import documents
from app.search.dense import length_codes
from app.search.outbox import OUTBOX, drain, index_root
from app.search.store import (
    IndexLock,
    forget_searcher,
    new_generation_dir,
    open_index,
    remove_old_generations,
    swap_current,
)

log = logging.getLogger("agora.search")

@dataclass
class RebuildResult:
    documents: int
    seconds: float
    path: Path

    @property
    def rate(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0


# Text per indexing process and segment. Whoosh sorts a segment's postings in memory
# up to `limitmb`, then spills sorted runs to disk and merges them on commit, which at
# 20,000 documents made indexing three times slower than in memory. So a rebuild
# commits a segment per process every CHUNK_CHARS characters of text (~20,000
# documents of 300 words, about 1 GB of memory per process) and never merges.
# Counting text, not documents, keeps short comments from making many small segments.
# Fewer, larger segments make searches cheaper (each segment costs a term lookup per
# field and word): at 100,000 documents, 8 segments instead of 28 took the search
# p95 from 64 to 38 ms, and the rebuild went faster too (fewer commits).
CHUNK_CHARS = 40_000_000
LIMIT_MB = 2048


class RebuildCodec(W3Codec):
    """Whoosh's codec, except that a segment's document lengths are read once per field.

    Writing the postings asks for the length of each posting's document (for block
    statistics), a small file read each time: a tenth of a rebuild's CPU. The index's
    table of contents names this class (segments keep their codec), so it must stay
    importable under this name; readers get the same lengths either way.
    """

    def per_document_reader(self, storage: Any, segment: Any) -> Any:
        return _LengthsReadOnce(storage, segment)


class _LengthsReadOnce(W3PerDocReader):
    def doc_field_length(self, docnum: int, fieldname: str, default: Any = 0) -> Any:
        cache = self.__dict__.setdefault("_length_codes", {})
        if fieldname not in cache:
            cache[fieldname] = length_codes(self, fieldname)
        codes = cache[fieldname]
        if codes is None:
            return default
        if docnum > self._doccount:
            raise IndexError(f"Asked for docnum {docnum} of {self._doccount}")
        code = codes[docnum] if docnum < len(codes) else 0
        return byte_to_length(code) if code else None  # as W3PerDocReader answers


def _writer(ix: Any, procs: int, limitmb: int) -> Any:
    # Uncompressed posting blocks: zlib was a third of the commit time for ~25% less
    # disk; readers handle both (each block records whether it is compressed).
    codec = RebuildCodec(compression=0)
    if procs > 1:
        # Sub-processes analyse and write while this one reads the database; each
        # writes its own segment (multisegment: no merge on commit).
        return ix.writer(procs=procs, limitmb=limitmb, batchsize=256, multisegment=True,
                         codec=codec)
    return ix.writer(limitmb=limitmb, codec=codec)


def _write_segments(ix: Any, docs: Iterator[dict[str, Any]], procs: int, limitmb: int,
                    advance: Any) -> int:
    """Add `docs` in chunks, one committed writer (a segment per process) per chunk."""
    count = 0
    docs = iter(docs)
    doc = next(docs, None)
    while doc is not None:
        writer = _writer(ix, procs, limitmb)
        added = size = 0
        try:
            while doc is not None and size < procs * CHUNK_CHARS:
                writer.add_document(**doc)
                size += _text_size(doc)
                added += 1
                if advance is not None and added % 200 == 0:
                    advance.update(200)
                doc = next(docs, None)
        except BaseException:
            writer.cancel()
            raise
        writer.commit(merge=False)
        count += added
        if advance is not None:
            advance.update(added % 200)
    return count


def _text_size(doc: dict[str, Any]) -> int:
    return sum(len(v) for k, v in doc.items() if k.startswith(("title_", "text_", "spell")))


def default_procs() -> int:
    return max(1, min(4, os.cpu_count() or 1))


class SpellingOnce:
    """Give each spelling word to one document only during a rebuild.

    "Did you mean" needs the spelling field's word list, not its postings: after the
    first few thousand documents almost every word is known, and skipping repeats
    takes a sixth of all postings out of the rebuild.
    """

    def __init__(self, limit: int = 2_000_000) -> None:
        self.seen: set[str] = set()
        self.limit = limit

    def __call__(self, doc: dict[str, Any]) -> dict[str, Any]:
        words = doc.get("spell")
        if words is None or len(self.seen) >= self.limit:
            return doc
        tokens = (m.group() for m in default_pattern.finditer(words.lower()))
        new = [w for w in dict.fromkeys(tokens) if w not in self.seen]
        self.seen.update(new)
        if new:
            doc["spell"] = " ".join(new)
        else:
            del doc["spell"]
        return doc


def rebuild(
    app: Flask,
    *,
    progress: Callable[[int], AbstractContextManager[Any]] | None = None,
    procs: int | None = None,
    limitmb: int = LIMIT_MB,
    lock_timeout: float = 60.0,
) -> RebuildResult:
    """Index every visible item into a new directory, then swap it in."""
    root = index_root(app)
    procs = procs or int(app.config.get("SEARCH_REBUILD_PROCS") or default_procs())
    lock = IndexLock(root)
    if not lock.acquire(timeout=lock_timeout):
        raise TimeoutError("the search index is busy (another rebuild or drain); try again")
    started = time.monotonic()
    count = 0
    try:
        with Session(db.engine) as session:
            # Rows already queued describe changes this rebuild will read anyway.
            queued = list(session.scalars(select(OUTBOX.c.id)))
            total = documents.count_documents(session)
            gen = new_generation_dir(root)
            ix = whoosh_index.open_dir(str(gen))
            bar = progress(total) if progress else nullcontext(None)
            spelling = SpellingOnce()
            docs = (spelling(doc) for doc in documents.iter_all_documents(session))
            try:
                with bar as advance:
                    count = _write_segments(ix, docs, procs, limitmb, advance)
            except BaseException:
                shutil.rmtree(gen, ignore_errors=True)
                raise
        swap_current(root, gen)
        forget_searcher(root)
        remove_old_generations(root, keep=2)
        if queued:
            with Session(db.engine) as session:
                for start in range(0, len(queued), 500):
                    batch = queued[start:start + 500]
                    session.execute(delete(OUTBOX).where(OUTBOX.c.id.in_(batch)))
                session.commit()
    finally:
        lock.release()
    elapsed = time.monotonic() - started
    # Changes committed during the rebuild waited in the outbox: replay them now.
    drain(app, budget=None, wait=5.0)
    return RebuildResult(count, elapsed, gen)


@dataclass
class CheckReport:
    expected: int = 0
    indexed: int = 0
    missing: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.stale or self.extra)


def _indexed_stamps(root: Path) -> Iterator[tuple[str, str]]:
    ix = open_index(root)
    with ix.searcher() as searcher:
        for fields in searcher.reader().all_stored_fields():
            yield fields["id"], fields.get("stamp", "")


def check(app: Flask) -> CheckReport:
    """Compare the index with what the database says it should hold."""
    report = CheckReport()
    indexed: dict[str, str] = {}
    duplicates: list[str] = []
    for doc_id, stamp in _indexed_stamps(index_root(app)):
        if doc_id in indexed:
            duplicates.append(doc_id)
        indexed[doc_id] = stamp
    report.indexed = len(indexed)
    with Session(db.engine) as session:
        for doc in documents.iter_all_documents(session):
            report.expected += 1
            have = indexed.pop(doc["id"], None)
            if have is None:
                report.missing.append(doc["id"])
            elif have != doc["stamp"]:
                report.stale.append(doc["id"])
    report.extra = sorted(indexed) + duplicates
    return report


def queue_fix(app: Flask, report: CheckReport) -> int:
    """Queue every drifted document for re-indexing (`check --fix`)."""
    from app.db_types import utcnow

    rows = []
    for doc_id in [*report.missing, *report.stale, *report.extra]:
        kind, _, rest = doc_id.partition(":")
        key = rest.split(":")[0]
        if key.isdigit():
            rows.append({"kind": kind, "key": key, "op": "upsert", "created_at": utcnow()})
    if rows:
        with db.engine.begin() as conn:
            conn.execute(OUTBOX.insert(), rows)
    return len(rows)
