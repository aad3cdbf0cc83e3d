"""Decoded posting lists kept beside the index, shared by every worker.

Whoosh stores a word's postings as pickled, zlib-compressed blocks of 128; decoding
them was half of a search whose words are common (pickle.loads per block). A segment
never changes once written (deletions are kept apart), so a long list decoded once
can be saved as plain arrays and read back by any worker with one file read, which
the operating system caches for all of them.

Layout: <index generation>/postings-cache/<segment id>/<field>/<sha1 of the word>,
holding a header (MAGIC, count, rows), the document numbers (int32) and one key per
posting (uint16): its weight times 256 plus the document's one-byte length code in
the field. That is all BM25 needs, and it takes few values: a search scores a word
by computing those (rows x 256, see dense._Evaluator._table) once and looking each
posting's score up, and a worker keeps no per-document array of lengths for it.
Weights are term frequencies times the field boost, whole numbers; a list with a
weight that is not a whole number below 256 is not saved. Files are written to a
temporary name and renamed, so a reader sees a whole file or none. A segment's
folder goes when the segment leaves the index (prune, on each searcher refresh); a
rebuild's new generation starts with no cache, and the old one is removed with its
generation. Every failure here falls back to decoding: the cache is only a shortcut.
Words reached through a prefix or wildcard are not added (`lear*` stands for every
word that begins so); otherwise the cache holds what was searched, at 6 bytes a
posting, until its segment merges away or the index is rebuilt.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

log = logging.getLogger("agora.search")

CACHE_DIR = "postings-cache"
# Lists shorter than a block (Whoosh's blocks hold 128) are not worth a file each.
MIN_POSTINGS = 128
MAGIC = 0x41474F5241505332  # "AGORAPS2": this layout
HEADER = 24  # MAGIC, count, rows: int64 each
# Keys are weight * ROW + length code.
ROW = 256


@dataclass
class Cached:
    """A saved posting list: document numbers (int32, as saved) and keys (weight * ROW
    + length code), every weight below `rows`."""

    ids: np.ndarray
    keys: np.ndarray
    rows: int


def root(index_dir: str | os.PathLike[str]) -> Path:
    return Path(index_dir) / CACHE_DIR


@functools.lru_cache(maxsize=4096)
def _name(btext: bytes) -> str:
    return hashlib.sha1(btext).hexdigest()  # noqa: S324  (a file name, not a secret)


def _path(cache: Path, segment_id: str, fieldname: str, btext: bytes) -> str:
    # (Joined by hand, each word's name computed once: this runs for each word, field
    # and segment of a search.)
    return f"{cache}{os.sep}{segment_id}{os.sep}{fieldname}{os.sep}{_name(btext)}"


def load(cache: Path, segment_id: str, fieldname: str, btext: bytes) -> Cached | None:
    """The saved list, or None when not saved (or unreadable). Its keys and the order of
    its documents are not checked here (a pass over them on every search): the C union
    checks them as it merges, and dense._Evaluator._scored before a numpy look-up; a
    damaged list raises IndexError there, and is decoded instead."""
    try:
        # Straight into an array of the file's size with one read: a third less than
        # an unbuffered open() and readall() (~10 against ~15 µs), which is half the
        # time of np.fromfile; a search reads one file per word, field and segment.
        fd = os.open(_path(cache, segment_id, fieldname, btext), os.O_RDONLY)
        try:
            raw = np.empty(os.fstat(fd).st_size, dtype=np.uint8)
            raw = raw[:os.readv(fd, [raw])]
        finally:
            os.close(fd)
        raw.flags.writeable = False  # (shared by a search's parts: nothing may change it)
    except OSError:
        return None
    if len(raw) < HEADER:
        return None
    magic, count, rows = raw[:HEADER].view(np.int64)
    if magic != MAGIC or len(raw) != HEADER + 6 * count or not 0 < rows <= ROW:
        return None
    ids_end = HEADER + 4 * count
    return Cached(raw[HEADER:ids_end].view(np.int32), raw[ids_end:].view(np.uint16), int(rows))


def fits(weights: np.ndarray) -> bool:
    """Can this list be saved: is every weight a whole number below ROW?"""
    whole = weights.astype(np.int64)
    return not len(weights) or bool((whole == weights).all() and whole.min() >= 0
                                    and whole.max() < ROW)


def keys_for(weights: np.ndarray, codes: np.ndarray) -> tuple[np.ndarray, int] | None:
    """(keys, rows) for a list, or None when a weight is not a whole number below ROW."""
    if not fits(weights):
        return None
    whole = weights.astype(np.int64)
    return (whole * ROW + codes).astype(np.uint16), int(whole.max(initial=0)) + 1


def save(cache: Path, segment_id: str, fieldname: str, btext: bytes, ids: np.ndarray,
         weights: np.ndarray, codes: np.ndarray) -> bool:
    """Keep a decoded list for every worker (unless its weights do not fit a key).
    False (and a warning): it could not, and the caller should stop trying."""
    keyed = keys_for(weights, codes)
    if keyed is None or (len(ids) and int(ids[-1]) > np.iinfo(np.int32).max):
        return True  # (rows this layout cannot hold: the list is decoded each time)
    keys, rows = keyed
    target = _path(cache, segment_id, fieldname, btext)
    folder = os.path.dirname(target)
    try:
        # Not parents=True for the cache itself: a generation folder that a rebuild
        # just removed must not come back, empty, as the newest one.
        cache.mkdir(exist_ok=True)
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(np.array([MAGIC, len(ids), rows], dtype=np.int64).tobytes())
                out.write(ids.astype(np.int32).tobytes())
                out.write(keys.tobytes())
            os.chmod(tmp, 0o644)  # (mkstemp's 0600 would shut out workers run as others)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError:
        log.warning("cannot cache decoded postings in %s; searches decode them instead",
                    cache, exc_info=True)
        return False
    return True


def prune(cache: Path, segment_ids: set[str]) -> None:
    """Remove the cached lists of segments no longer in the index."""
    try:
        gone = [p for p in cache.iterdir() if p.name not in segment_ids]
    except OSError:
        return
    for path in gone:
        shutil.rmtree(path, ignore_errors=True)
