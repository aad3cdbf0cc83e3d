"""Decoded posting lists kept beside the index, shared by every worker.

Whoosh stores a word's postings as pickled, zlib-compressed blocks of 128; decoding
them was half of a search whose words are common (pickle.loads per block). A segment
never changes once written (deletions are kept apart), so a long list decoded once
can be saved as plain arrays and read back by any worker with one file read, which
the operating system caches for all of them.

Layout: <index generation>/postings-cache/<segment id>/<field>/<sha1 of the word>,
holding a header (MAGIC, count), the weights (float64), the document numbers (int32)
and each document's one-byte length code in the field: what scoring needs, so a
worker keeps no per-document array of lengths for these words. Written to a
temporary name and renamed, so a reader sees a whole file or none. A segment's
folder goes when the segment leaves the index (prune, on each searcher refresh); a
rebuild's new generation starts with no cache, and the old one is removed with its
generation. Every failure here falls back to decoding: the cache is only a shortcut.
Words reached through a prefix or wildcard are not added (`lear*` stands for every
word that begins so); otherwise the cache holds what was searched, at 13 bytes a
posting, until its segment merges away or the index is rebuilt.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

log = logging.getLogger("agora.search")

CACHE_DIR = "postings-cache"
# Lists shorter than a block (Whoosh's blocks hold 128) are not worth a file each.
MIN_POSTINGS = 128
MAGIC = 0x41474F5241505331  # "AGORAPS1": this layout


def root(index_dir: str | os.PathLike[str]) -> Path:
    return Path(index_dir) / CACHE_DIR


def _path(cache: Path, segment_id: str, fieldname: str, btext: bytes) -> Path:
    return cache / segment_id / fieldname / hashlib.sha1(btext).hexdigest()  # noqa: S324  (a name, not security)


def load(cache: Path, segment_id: str, fieldname: str, btext: bytes
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(document numbers, weights, length codes), or None when not cached (or unreadable)."""
    try:
        raw = np.fromfile(_path(cache, segment_id, fieldname, btext), dtype=np.uint8)
    except (OSError, ValueError):
        return None
    if len(raw) < 16:
        return None
    magic, count = raw[:16].view(np.int64)
    if magic != MAGIC or len(raw) != 16 + 13 * count:
        return None
    weights_end = 16 + 8 * count
    ids_end = weights_end + 4 * count
    return (raw[weights_end:ids_end].view(np.int32).astype(np.int64),
            raw[16:weights_end].view(np.float64), raw[ids_end:])


def save(cache: Path, segment_id: str, fieldname: str, btext: bytes, ids: np.ndarray,
         weights: np.ndarray, codes: np.ndarray) -> bool:
    """Keep a decoded list for every worker. False (and a warning): it could not, and
    the caller should stop trying."""
    if len(ids) and int(ids[-1]) > np.iinfo(np.int32).max:
        return True  # (a segment of 2 billion documents: not one this codec makes)
    target = _path(cache, segment_id, fieldname, btext)
    try:
        # Not parents=True for the cache itself: a generation folder that a rebuild
        # just removed must not come back, empty, as the newest one.
        cache.mkdir(exist_ok=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(np.array([MAGIC, len(ids)], dtype=np.int64).tobytes())
                out.write(weights.astype(np.float64).tobytes())
                out.write(ids.astype(np.int32).tobytes())
                out.write(codes.astype(np.uint8).tobytes())
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
