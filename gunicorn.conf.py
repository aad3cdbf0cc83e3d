"""gunicorn settings for Agora: `gunicorn -c gunicorn.conf.py 'app:create_app()'`.

Everything can be changed from the environment (see docs/operations.md):

  AGORA_BIND            where to listen (default 127.0.0.1:8000; a list: "a,b")
  AGORA_WORKERS         worker processes (also WEB_CONCURRENCY; default 2 x cores + 1,
                        at most 8)
  AGORA_WORKER_CLASS    sync (default) or gthread
  AGORA_THREADS         threads per gthread worker (default 4 with gthread, else 1)
  AGORA_WORKER_CONNECTIONS  connections one gthread worker holds at once (default
                        2 x threads)
  AGORA_TIMEOUT         seconds before a stuck worker is restarted (default 30)
  AGORA_GRACEFUL_TIMEOUT  seconds a worker has to finish its requests on stop/reload (30)
  AGORA_MAX_REQUESTS    recycle a worker after this many requests (default 0: never)
  AGORA_LOG_LEVEL       gunicorn's own log level (default info)
  AGORA_ACCESS_LOG      gunicorn's access log ("-" = stdout, the default; "" = off)
  AGORA_CONTROL_SOCKET  path of gunicorn's control socket (default: none)

Workers are independent: sessions are signed cookies, rate limits and caches
live in Redis when REDIS_URL is set, and the page cache version is shared
through the instance folder otherwise (app/cache.py).
"""

from __future__ import annotations

import os

MAX_DEFAULT_WORKERS = 8


def _int_env(*names: str, default: int) -> int:
    for name in names:
        raw = os.environ.get(name, "").strip()
        if raw:
            try:
                value = int(raw)
            except ValueError:
                raise SystemExit(f"{name}: must be a whole number, got {raw!r}") from None
            if value < 0:
                raise SystemExit(f"{name}: must not be negative, got {raw!r}")
            return value
    return default


def _default_workers() -> int:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return min(2 * (cores or 1) + 1, MAX_DEFAULT_WORKERS)


bind = [part.strip() for part in os.environ.get("AGORA_BIND", "127.0.0.1:8000").split(",")
        if part.strip()]
workers = _int_env("AGORA_WORKERS", "WEB_CONCURRENCY", default=_default_workers()) or 1
worker_class = os.environ.get("AGORA_WORKER_CLASS", "sync")
threads = _int_env("AGORA_THREADS", default=4 if worker_class == "gthread" else 1) or 1
# A gthread worker keeps each connection it accepts for as long as the client keeps it
# alive (gunicorn's default allows 1000), so the first worker to accept can end up
# serving most of them on one core while the others idle (seen: 26 of the benchmark's
# 32 connections on one of 4 workers, p99 47 ms). Holding no more than it can serve
# soon leaves the rest in the listen queue, which every worker with room takes from:
# the fairness sync workers get, with keep-alive.
worker_connections = _int_env("AGORA_WORKER_CONNECTIONS", default=2 * threads) or 2 * threads
timeout = _int_env("AGORA_TIMEOUT", default=30)
graceful_timeout = _int_env("AGORA_GRACEFUL_TIMEOUT", default=30)
keepalive = 5
max_requests = _int_env("AGORA_MAX_REQUESTS", default=0)
max_requests_jitter = max_requests // 10

# gunicorn's access line (stdout) and the app's own line through the "agora"
# logger (stderr: method, path, status, duration, request id, page-cache state).
# AGORA_ACCESS_LOG="" keeps only the app's line.
accesslog = os.environ.get("AGORA_ACCESS_LOG", "-") or None
errorlog = "-"
loglevel = os.environ.get("AGORA_LOG_LEVEL", "info")
access_log_format = '%(t)s %(p)s %(h)s "%(r)s" %(s)s %(b)s %(M)sms id=%({x-request-id}o)s'
capture_output = False
# No logconfig_dict: given one, gunicorn 27 counts the access log as on whatever
# `accesslog` says (it builds every request's log fields, 13% of a cached page's
# time in a gthread worker) and its default logging dict sends access lines to
# stdout even with AGORA_ACCESS_LOG="" or a file. gunicorn's own loggers follow
# accesslog/errorlog/loglevel; the app's logger is set up in on_starting below.
APP_LOG_FORMAT = "%(asctime)s [%(process)d] [%(levelname)s] %(name)s: %(message)s"
APP_LOG_DATEFMT = "[%Y-%m-%d %H:%M:%S %z]"


def on_starting(server) -> None:  # noqa: ANN001  (gunicorn's Arbiter)
    """The app's "agora" logger (request lines, errors with traceback) to stderr beside
    gunicorn's own lines, and libraries' warnings too (their INFO chatter, such as
    alembic's plugin list, stays out). Runs in the master: workers inherit it."""
    import logging
    import sys

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(APP_LOG_FORMAT, APP_LOG_DATEFMT))
    agora = logging.getLogger("agora")
    agora.setLevel(logging.INFO)
    agora.addHandler(handler)
    agora.propagate = False  # each line once
    root = logging.getLogger()
    root.setLevel(logging.WARNING)
    root.addHandler(handler)
    # What the lines do not print is not looked up for every record (the logging
    # HOWTO's "Optimization" section): the caller's file, function and line (a walk
    # up the stack), the thread, the multiprocessing process name. Each request logs
    # a line, which was two thirds of what a cached page costs in the app (~40 of
    # ~60 µs); this takes ~6 µs off it. Tracebacks are not affected.
    logging._srcfile = None  # noqa: SLF001  (the documented switch)
    logging.logThreads = False
    logging.logMultiprocessing = False


# Each worker builds its own app (and its own database pool and search reader);
# nothing is opened before the fork.
preload_app = False
proc_name = "agora"

# gunicorn >= 25 opens a control socket at one fixed path per user, which several
# instances side by side (AGORA_INSTANCE_PATH) would fight over: opt in with a path.
control_socket_disable = not os.environ.get("AGORA_CONTROL_SOCKET")
if os.environ.get("AGORA_CONTROL_SOCKET"):
    control_socket = os.environ["AGORA_CONTROL_SOCKET"]


# Heaps glibc may create for a threaded worker's threads (its default: 8 per core).
# Each keeps the memory its thread freed (a search's arrays): 2 kept a gthread worker
# 5-8 MB smaller after the benchmark's searches.
THREAD_MALLOC_ARENAS = 2


def _limit_malloc_arenas(count: int) -> bool:
    """glibc's mallopt(M_ARENA_MAX): False where the C library is not glibc."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(-8, count))  # -8: M_ARENA_MAX in glibc's malloc.h
    except (OSError, AttributeError):
        return False


def post_worker_init(worker) -> None:  # noqa: ANN001  (gunicorn's Worker)
    """Before the worker's first request: the app's own objects out of the garbage
    collector's way; with threads, fewer heaps; the search index open.

    With the index opened here, the first search a new worker answers (after a start,
    a restart or a crash) no longer opens every segment first: 1.3-2.3 s seen under
    load.
    """
    import gc

    from app.search.facade import warm_up

    if worker.cfg.threads > 1:
        _limit_malloc_arenas(THREAD_MALLOC_ARENAS)
    # What create_app() built lives as long as the worker: keep it out of the
    # collector's full passes, which otherwise walk all of it (~97,000 objects) about
    # once every hundred searches, 55-130 ms each on the 2026-12-06 VM (~20 ms
    # without them). Before warm_up: the searcher is replaced at every index change
    # and must stay collectable.
    gc.freeze()
    warm_up(worker.wsgi)
