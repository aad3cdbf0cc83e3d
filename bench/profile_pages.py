"""Where a page's time goes: render the benchmark's pages in-process under cProfile.

    .venv/bin/python bench/profile_pages.py --instance bench/results/instance-1x
    .venv/bin/python bench/profile_pages.py --instance ... --pages discussion --top 25
    .venv/bin/python bench/profile_pages.py --instance ... --page-cache   # as visitors get it

For each page: milliseconds per request (no server, no network: the app's own
cost), SQL statements per request, and the functions with the most own time
and cumulative time. The page cache is off unless --page-cache is given, so
the figures are the cost of a miss, which is what the cache hides and what a
logged-in member always pays (--member profiles the member's article page).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(ROOT))

import seed as seeding  # noqa: E402


def page_paths(app: Any, meta: dict) -> dict[str, str]:
    known = meta["known"]
    client = app.test_client()
    paths = {"ceiling": "/bench/ceiling", "home": "/en/", "articles_list": "/en/articles/",
             "discussions_list": "/en/discussions/",
             "search": f"/en/search?q={meta.get('search_word', 'learning')}"}
    for name, raw in (("article", f"/en/articles/{known['article_id']}"),
                      ("discussion", f"/en/discussions/{known['discussion_id']}")):
        resp = client.get(raw)
        paths[name] = resp.headers.get("Location", raw) if resp.status_code == 301 else raw
    return paths


def count_queries(app: Any) -> list[int]:
    from sqlalchemy import event

    from app.extensions import db

    counter = [0]
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def _count(*_args: Any) -> None:
        counter[0] += 1

    return counter


def login(app: Any, client: Any, meta: dict) -> None:
    """Log the test client in through the form (CSRF is off in this process)."""
    resp = client.post("/en/auth/login", data={"login": meta["member"]["username"],
                                               "password": meta["member"]["password"]})
    if resp.status_code not in (302, 303):
        raise SystemExit(f"login failed: {resp.status_code}")


def profile(app: Any, client: Any, path: str, n: int, top: int, counter: list[int]) -> str:
    for _ in range(3):  # warm: first-use imports, template compilation, panel caches
        client.get(path)
    counter[0] = 0
    started = time.perf_counter()
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(n):
        resp = client.get(path)
    prof.disable()
    elapsed = time.perf_counter() - started
    out = io.StringIO()
    out.write(f"{path}: {resp.status_code}, {len(resp.data)} bytes, "
              f"X-Cache={resp.headers.get('X-Cache', '-')}, "
              f"{elapsed / n * 1000:.1f} ms/request under the profiler, "
              f"{counter[0] / n:.1f} SQL statements/request\n")
    stats = pstats.Stats(prof, stream=out)
    stats.strip_dirs()
    out.write("-- by own time --\n")
    stats.sort_stats("tottime").print_stats(top)
    out.write("-- by cumulative time --\n")
    stats.sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def timed(client: Any, path: str, n: int) -> float:
    for _ in range(3):
        client.get(path)
    started = time.perf_counter()
    for _ in range(n):
        client.get(path)
    return (time.perf_counter() - started) / n * 1000


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--instance", type=Path, default=seeding.default_instance(1.0))
    p.add_argument("--pages", default="ceiling,home,articles_list,article,discussions_list,"
                   "discussion,search,member_article")
    p.add_argument("-n", type=int, default=30, help="requests per page")
    p.add_argument("--top", type=int, default=18)
    p.add_argument("--page-cache", action="store_true", help="leave the page cache on")
    p.add_argument("--times-only", action="store_true", help="ms/request without profiling")
    args = p.parse_args(argv)
    if not (args.instance / "agora.db").exists():
        raise SystemExit(f"{args.instance} was not seeded by bench/seed.py")
    # The seeder writes its metadata last (after the search index); its constants will do.
    meta = seeding.load_meta(args.instance.resolve()) or {
        "known": {"article_id": seeding.KNOWN_ARTICLE_ID,
                  "discussion_id": seeding.KNOWN_DISCUSSION_ID},
        "member": {"username": seeding.BENCH_MEMBER, "password": seeding.BENCH_PASSWORD}}
    os.environ["AGORA_INSTANCE_PATH"] = str(args.instance.resolve())
    from app import create_app

    app = create_app({"BENCH_CEILING_ROUTE": True, "PAGE_CACHE_ENABLED": args.page_cache,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    counter = count_queries(app)
    paths = page_paths(app, meta)
    paths["member_article"] = paths["article"]
    for name in args.pages.split(","):
        client = app.test_client()
        if name == "member_article":
            login(app, client, meta)
        path = paths[name]
        if args.times_only:
            print(f"{name:<18} {timed(client, path, args.n):7.1f} ms/request  {path}")
            continue
        print(f"\n===== {name} =====")
        print(profile(app, client, path, args.n, args.top, counter))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
