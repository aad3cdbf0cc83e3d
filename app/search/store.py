"""Where the index lives on disk, who may write it, and the per-process searcher.

Layout of SEARCH_INDEX_DIR::

    write.lock        fcntl lock: whoever holds it may write (drain, rebuild)
    current -> gen-…  symlink to the live Whoosh index; swapped atomically by rebuild
    gen-…/            one Whoosh index per rebuild (the previous one is kept a while)
    gen-…/postings-cache/   long posting lists decoded once, for every worker
                            (postings_cache.py; pruned as segments merge away)

The lock is ours, not Whoosh's, because a rebuild writes a *new* directory: it must
keep drains out of the old one until the swap, or their changes would be lost. An
fcntl lock is released by the kernel when its holder dies, even by SIGKILL.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
import time
import uuid
from collections import OrderedDict
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex
from whoosh.reading import EmptyReader, IndexReader, MultiReader, SegmentReader
from whoosh.searching import Searcher

from app.search import postings_cache
from app.search.schema import build_schema

CURRENT = "current"
LOCK_FILE = "write.lock"


class IndexLock:
    """A non-blocking (by default) exclusive lock on the index directory."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._fd: int | None = None

    def acquire(self, timeout: float = 0.0) -> bool:
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(0.05)
                continue
            self._fd = fd
            return True

    def release(self) -> None:
        if self._fd is not None:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            finally:
                os.close(self._fd)
                self._fd = None

    def __enter__(self) -> IndexLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def current_dir(root: Path) -> Path | None:
    link = root / CURRENT
    try:
        target = os.readlink(link)
    except OSError:
        return None
    return (root / target).resolve()


def new_generation_dir(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    path = root / f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}"
    path.mkdir()
    whoosh_index.create_in(str(path), build_schema())
    return path


def swap_current(root: Path, gen: Path) -> None:
    """Point `current` at `gen` in one rename: readers see the old or the new, never none."""
    tmp = root / f".current-{uuid.uuid4().hex[:8]}"
    os.symlink(gen.name, tmp)
    os.replace(tmp, root / CURRENT)


def remove_old_generations(root: Path, keep: int = 2) -> None:
    """Delete all but the newest `keep` generations (searchers elsewhere may still read the
    previous one for a moment; they reopen on the next search)."""
    live = current_dir(root)
    gens = sorted((p for p in root.glob("gen-*") if p.is_dir()), key=lambda p: p.stat().st_mtime)
    for path in gens[:-keep] if keep else gens:
        if live is not None and path.resolve() == live:
            continue
        shutil.rmtree(path, ignore_errors=True)


def ensure_index(root: Path, have_lock: bool = False, timeout: float = 10.0) -> Path:
    """The live index directory, created empty on first use (under the write lock).

    `have_lock`: the caller already holds the write lock (a second flock from the
    same process on another descriptor would wait for itself).
    """
    live = current_dir(root)
    if live is not None and whoosh_index.exists_in(str(live)):
        return live
    if have_lock:
        return _create_live(root)
    with IndexLock(root) as lock:
        if not lock.acquire(timeout=timeout):
            raise TimeoutError("the search index is locked by another process")
        return _create_live(root)


def _create_live(root: Path) -> Path:
    live = current_dir(root)
    if live is not None and whoosh_index.exists_in(str(live)):
        return live
    gen = new_generation_dir(root)
    swap_current(root, gen)
    return gen


def open_index(root: Path, have_lock: bool = False) -> FileIndex:
    return whoosh_index.open_dir(str(ensure_index(root, have_lock)))


# -- one searcher per process -------------------------------------------------------

def _open_for_reading(gen: Path) -> FileIndex:
    """The index as searchers read it: plain file reads, not memory maps.

    Whoosh maps every segment file into memory by default. Each page a search touches
    then counts in the worker's resident size: 2 GB per worker after a benchmark on a
    1 GB index, which is what an out-of-memory killer looks at. With plain reads the
    operating system still caches the files, once for all workers; searches were
    about 15% slower, the workers stayed under 100 MB.
    """
    return FileStorage(str(gen), supports_mmap=False).open_index()


class _Slot:
    def __init__(self, gen: Path, searcher: Searcher) -> None:
        self.gen = gen
        self.lock = threading.Lock()
        self.searcher = searcher



_slots: OrderedDict[str, _Slot] = OrderedDict()
_slots_lock = threading.Lock()
_slots_pid = os.getpid()
MAX_SLOTS = 4  # tests build many apps, each with its own index


def searcher_slot(root: Path) -> _Slot:
    """This process's searcher for `root`, reopened after a rebuild, refreshed after a commit.

    Opening a searcher reads every segment's term index: far too slow per request.
    `up_to_date()` only lists the directory, so checking on each search is cheap.
    """
    global _slots_pid
    with _slots_lock:
        if _slots_pid != os.getpid():  # forked (gunicorn): never share the parent's files
            _slots.clear()
            _slots_pid = os.getpid()
        key = str(root)
        # No index yet and the lock taken (a first rebuild): fail fast, never wait.
        live = current_dir(root) or ensure_index(root, timeout=0.0)
        slot = _slots.get(key)
        if slot is None or slot.gen != live:
            slot = _Slot(live, _open_for_reading(live).searcher())
            _slots[key] = slot
            while len(_slots) > MAX_SLOTS:
                _slots.popitem(last=False)
        elif not slot.searcher.up_to_date():
            slot.searcher = _refreshed_or_kept(slot.searcher, live)
        _slots.move_to_end(key)
        return slot


def _refreshed_or_kept(searcher: Searcher, live: Path, attempts: int = 5) -> Searcher:
    """`_refreshed`, tried again when a commit elsewhere removed a file between listing
    the index and opening it (as Whoosh's own reader does); after that, the searcher
    we have: a moment stale, never "unavailable". The next search tries again."""
    for _ in range(attempts):
        try:
            return _refreshed(searcher, live)
        except FileNotFoundError:
            continue
    return searcher


def _refreshed(searcher: Searcher, live: Path) -> Searcher:
    """A searcher on the index's latest generation, reusing unchanged segment readers.

    Not Whoosh's own refresh(): in whoosh-reloaded 2.7.5 it keeps segments that a merge
    removed and reuses a segment's reader after new deletions in it (segments compare
    by id only), so deleted documents would still be found.
    """
    ix = _open_for_reading(live)
    toc = ix._read_toc()  # noqa: SLF001  (no public way to read the segment list)
    postings_cache.prune(postings_cache.root(live), {s.segment_id() for s in toc.segments})
    old = searcher.reader()
    reusable = {} if isinstance(old, EmptyReader) else {
        r.segment().segment_id(): r for r, _offset in old.leaf_readers()
        if r.segment() is not None
    }
    readers: list[IndexReader] = []
    for segment in toc.segments:
        reader = reusable.get(segment.segment_id())
        # Deletions only ever grow, so an equal count means the same deleted set.
        if reader is None or reader.segment().deleted_count() != segment.deleted_count():
            reader = SegmentReader(ix.storage, toc.schema, segment, generation=toc.generation)
        readers.append(reader)
    if not readers:
        combined: IndexReader = EmptyReader(toc.schema)
    elif len(readers) == 1:
        combined = readers[0]
    else:
        combined = MultiReader(readers, generation=toc.generation)
    return Searcher(combined, fromindex=ix)


def forget_searcher(root: Path) -> None:
    with _slots_lock:
        _slots.pop(str(root), None)
