"""Decoded posting lists kept beside the index, shared by every worker.

Whoosh stores a word's postings as pickled, zlib-compressed blocks of 128; decoding
them was half of a search whose words are common (pickle.loads per block). A segment
never changes once written (deletions are kept apart), so a long list decoded once
can be saved as plain arrays and read back by any worker with one file read, which
the operating system caches for all of them.

Layout: <index generation>/postings-cache/<segment id>/<field>/<sha1 of the word>,
holding the document numbers (int64) then the weights (float64). Written to a
temporary name and renamed, so a reader sees a whole file or none. A segment's
folder goes when the segment leaves the index (prune, on each searcher refresh); a
rebuild's new generation starts with no cache, and the old one is removed with its
generation. Every failure here falls back to decoding: the cache is only a shortcut.
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
# Shorter lists decode in well under a millisecond; not worth a file each.
MIN_POSTINGS = 1024


def root(index_dir: str | os.PathLike[str]) -> Path:
    return Path(index_dir) / CACHE_DIR


def _path(cache: Path, segment_id: str, fieldname: str, btext: bytes) -> Path:
    return cache / segment_id / fieldname / hashlib.sha1(btext).hexdigest()  # noqa: S324  (a name, not security)


def load(cache: Path, segment_id: str, fieldname: str, btext: bytes
         ) -> tuple[np.ndarray, np.ndarray] | None:
    """(document numbers, weights), or None when not cached (or unreadable)."""
    try:
        raw = np.fromfile(_path(cache, segment_id, fieldname, btext), dtype=np.int64)
    except (OSError, ValueError):
        return None
    half = len(raw) // 2
    if not half or len(raw) % 2:
        return None
    return raw[:half], raw[half:].view(np.float64)


def save(cache: Path, segment_id: str, fieldname: str, btext: bytes, ids: np.ndarray,
         weights: np.ndarray) -> None:
    """Keep a decoded list for every worker; quietly does nothing if it cannot."""
    if len(ids) < MIN_POSTINGS:
        return
    target = _path(cache, segment_id, fieldname, btext)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(ids.astype(np.int64).tobytes())
                out.write(weights.astype(np.float64).tobytes())
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    except OSError:
        log.warning("could not cache the postings of a word in %s", cache, exc_info=True)


def prune(cache: Path, segment_ids: set[str]) -> None:
    """Remove the cached lists of segments no longer in the index."""
    try:
        gone = [p for p in cache.iterdir() if p.name not in segment_ids]
    except OSError:
        return
    for path in gone:
        shutil.rmtree(path, ignore_errors=True)
