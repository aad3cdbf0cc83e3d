"""The load benchmark (`make bench`): Agora's pages beside the same app's ceiling.

    .venv/bin/python bench/run.py                 # seed 1x (or --reuse it), measure
    .venv/bin/python bench/run.py --scale 5       # the 5x dataset
    .venv/bin/python bench/run.py --growth        # 1x and 5x in turn, p95 growth of
                                                  # article/search (measure_interleaved)

For each server configuration (2 sync workers, then 4 gthread workers x 4
threads) it starts gunicorn on 127.0.0.1:<free port> against the seeded
instance, checks each page answers 200, warms it up, then drives it with
`wrk` (a second process) for a bounded time with 32 connections. The ceiling
is /bench/ceiling: a route of the same app (same hooks) that returns a short
text without touching the database. It prints requests/s, p50/p95/p99, the
ratio to the ceiling and PASS/FAIL against issue 9's targets, worker RSS after
the run and create_app() time, and writes everything to
bench/results/<timestamp>.json (git-ignored). See bench/README.md.
"""

from __future__ import annotations

import argparse
import compileall
import http.cookiejar
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS = BENCH_DIR / "results"
sys.path.insert(0, str(BENCH_DIR))

import seed as seeding  # noqa: E402
from words import WORDS  # noqa: E402

# Issue 9 section 2: minimum share of the ceiling's requests/s, and a p99 bound.
RSS_LIMIT_MB = 150
CREATE_APP_LIMIT_S = 0.5
GROWTH_LIMIT = 1.5


@dataclass
class Page:
    name: str
    label: str
    target: float | None  # fraction of the ceiling; None: informational
    p99_limit_ms: float | None = None
    member: bool = False
    script: str = "report.lua"
    script_args: list[str] = field(default_factory=list)
    path: str = ""
    # Fetched once each before the warm-up: what a page needs to be in steady state.
    prime_paths: list[str] = field(default_factory=list)


def pages_for(meta: dict, search: bool) -> list[Page]:
    pages = [
        Page("ceiling", "ceiling (/bench/ceiling)", None, path="/bench/ceiling"),
        Page("home", "home /en/", 0.40, 25, path="/en/"),
        Page("articles_list", "articles list", 0.30, path="/en/articles/"),
        Page("article", "article (20 comments, 3 versions)", 0.40, 25),
        Page("discussions_list", "discussions list", 0.30, path="/en/discussions/"),
        Page("discussion", "discussion (100 replies)", 0.40, 25),
    ]
    if search:
        word = urllib.parse.quote(meta.get("search_word", "learning"))
        pages.append(Page("search", f"search ?q={word}", 0.10, path=f"/en/search?q={word}"))
        # Not a target: every request a different query, so no page cache can answer.
        # Each word searched once first: the decoded postings it reads are then in the
        # index's postings cache, as they are on a site after its first searches.
        varied = WORDS["en"][:40]
        pages.append(Page("search_varied", "search, varied queries (uncached)", None,
                          path="/en/search?q=learning", script="search_varied.lua",
                          script_args=varied,
                          prime_paths=[f"/en/search?q={urllib.parse.quote(w)}" for w in varied]))
    pages.append(Page("member_article", "article, logged-in member", 0.15, member=True))
    return pages


@dataclass
class ServerConfig:
    name: str
    worker_class: str
    workers: int
    threads: int

    @classmethod
    def parse(cls, spec: str) -> ServerConfig:
        """'sync:2' or 'gthread:4:4' (class:workers[:threads])."""
        parts = spec.split(":")
        kind, workers = parts[0], int(parts[1])
        threads = int(parts[2]) if len(parts) > 2 else (4 if kind == "gthread" else 1)
        name = f"{kind} {workers}w" + (f"x{threads}t" if kind == "gthread" else "")
        return cls(name, kind, workers, threads)


# -- the machine ------------------------------------------------------------------------

def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_mb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram_mb = int(line.split()[1]) // 1024
    except OSError:
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_mb": ram_mb,
            "python": platform.python_version(), "kernel": platform.release(),
            "wrk": wrk_version()}


def wrk_version() -> str:
    if not shutil.which("wrk"):
        return ""
    out = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    return (out.stdout or out.stderr).splitlines()[0] if (out.stdout or out.stderr) else ""


def load1() -> float:
    return round(os.getloadavg()[0], 2)


def cpu_busy(seconds: float = 1.0) -> float | None:
    """The share of all CPUs busy over the next `seconds` (/proc/stat; None elsewhere).
    Unlike the load average, a minute's moving average, it does not still count the
    server of a run that has just ended (the 5x run starts right after the 1x one)."""

    def sample() -> tuple[int, int]:
        with open("/proc/stat") as f:
            # user nice system idle iowait irq softirq steal (guest time is in user)
            values = [int(v) for v in f.readline().split()[1:9]]
        return sum(values), values[3] + values[4]  # total, idle + iowait

    try:
        total0, idle0 = sample()
        time.sleep(seconds)
        total1, idle1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    spent = total1 - total0
    return round(1 - (idle1 - idle0) / spent, 2) if spent > 0 else None


# -- HTTP helpers -----------------------------------------------------------------------

class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401
        return None


def fetch(url: str, *, cookie: str = "", data: dict | None = None,
          jar: http.cookiejar.CookieJar | None = None) -> tuple[int, dict, bytes]:
    """One request, redirects NOT followed: (status, headers, body)."""
    handlers: list[Any] = [_NoRedirect()]
    if jar is not None:
        handlers.append(urllib.request.HTTPCookieProcessor(jar))
    opener = urllib.request.build_opener(*handlers)
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    req = urllib.request.Request(url, data=body)
    if cookie:
        req.add_header("Cookie", cookie)
    try:
        with opener.open(req, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def login(base: str, username: str, password: str) -> str:
    """Log in through the real form (CSRF token scraped); returns a Cookie header."""
    jar = http.cookiejar.CookieJar()
    status, _h, body = fetch(f"{base}/en/auth/login", jar=jar)
    if status != 200:
        raise RuntimeError(f"login form answered {status}")
    match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body) or re.search(
        rb'value="([^"]+)"[^>]*name="csrf_token"', body)
    form = {"login": username, "password": password}
    if match:
        form["csrf_token"] = match.group(1).decode()
    status, _h, _b = fetch(f"{base}/en/auth/login", data=form, jar=jar)
    if status not in (302, 303):
        raise RuntimeError(f"login POST answered {status} (expected a redirect)")
    # Follow the redirect as a browser would: the first page after login gives the new
    # session its CSRF secret (a new cookie), which the browser keeps from then on.
    fetch(f"{base}/en/", jar=jar)
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def canonical_path(base: str, path: str) -> str:
    """Follow the 301 a slug-less URL answers (/en/articles/1 -> /en/articles/1-<slug>)."""
    status, headers, _b = fetch(base + path)
    if status in (301, 302, 308) and headers.get("Location"):
        return urllib.parse.urlsplit(urllib.parse.urljoin(base + path, headers["Location"])).path
    return path


# -- gunicorn ----------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn started by us (and only its process group stopped by us)."""

    def __init__(self, instance: Path, config: ServerConfig, log_path: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}  # the SQLite file
        env.update({
            "AGORA_INSTANCE_PATH": str(instance),
            "AGORA_BENCH_CEILING_ROUTE": "true",
            "AGORA_BIND": f"127.0.0.1:{self.port}",
            "AGORA_WORKERS": str(config.workers),
            "AGORA_WORKER_CLASS": config.worker_class,
            "AGORA_THREADS": str(config.threads),
            # gunicorn's access line off; the app still logs its own line per request.
            "AGORA_ACCESS_LOG": "",
            # Two servers may be up at once (--growth), each on its own instance: with
            # REDIS_URL set, they must not answer from each other's page cache.
            "AGORA_CACHE_KEY_PREFIX": f"agora-bench:{instance}:",
        })
        self.log_path = log_path
        # A fresh log per server (the app logs a line per request: ~600 MB a run).
        self.log = log_path.open("wb")
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        self.proc = subprocess.Popen(
            [gunicorn, "-c", str(ROOT / "gunicorn.conf.py"), "app:create_app()"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.expected_workers = config.workers

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; "
                                   f"see {self.log.name}")
            try:
                status, _h, _b = fetch(self.base + "/bench/ceiling")
                if status == 200 and len(self.worker_pids()) >= self.expected_workers:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn not ready after {timeout:.0f}s; see {self.log.name}")

    def worker_pids(self) -> list[int]:
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        except OSError:
            return []
        return [int(p) for p in children.split()]

    def worker_memory_mb(self) -> list[dict[str, float]]:
        """Per worker: VmRSS (what the target judges) and its parts, RssAnon (the
        worker's own heap) and RssFile (touched pages of mapped files: shared
        libraries; the index is read without mmap, see app/search/store.py)."""
        out = []
        for pid in self.worker_pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text().splitlines()
            except OSError:
                continue
            fields = dict(line.split(":", 1) for line in status if ":" in line)
            if "VmRSS" not in fields:  # a worker exiting right now has no memory left
                continue
            out.append({name: round(int(fields[key].split()[0]) / 1024, 1)
                        for name, key in (("rss", "VmRSS"), ("anon", "RssAnon"),
                                          ("file", "RssFile")) if key in fields})
        return out

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # gunicorn's graceful stop, master only
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # its own session: only our workers
                self.proc.wait()
        self.log.close()


# -- wrk ---------------------------------------------------------------------------------

def run_wrk(url: str, *, duration: float, connections: int, threads: int, script: str,
            script_args: list[str], cookie: str = "") -> dict:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(duration, 1):.0f}s",
           "--timeout", "10s", "--latency", "-s", str(BENCH_DIR / "wrk" / script)]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    cmd.append(url)
    if script_args:
        cmd += ["--", *script_args]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    for line in out.stdout.splitlines():
        if line.startswith("WRK_JSON "):
            return json.loads(line[len("WRK_JSON "):])
    raise RuntimeError(f"wrk gave no report ({out.returncode}): {out.stdout}{out.stderr}")


def summarize(raw: dict) -> dict:
    lat = raw["latency_us"]
    seconds = raw["duration_us"] / 1e6
    errors = raw["errors"]
    return {
        "requests": raw["requests"],
        "rps": round(raw["requests"] / seconds, 1) if seconds else 0.0,
        "p50_ms": round(lat["p50"] / 1000, 2), "p95_ms": round(lat["p95"] / 1000, 2),
        "p99_ms": round(lat["p99"] / 1000, 2), "max_ms": round(lat["max"] / 1000, 2),
        "mean_ms": round(lat["mean"] / 1000, 2),
        # wrk counts answers with a status >= 400 here; the pre-check saw a 200 first.
        "bad_status": errors["status"],
        "socket_errors": errors["connect"] + errors["read"] + errors["write"]
        + errors["timeout"],
        "bytes_per_request": round(raw["bytes"] / raw["requests"]) if raw["requests"] else 0,
    }


# -- one configuration -------------------------------------------------------------------

def precheck(base: str, page: Page, cookie: str) -> dict:
    status, _headers, body = fetch(base + page.path, cookie=cookie)
    info: dict[str, Any] = {"status": status, "html_bytes": len(body)}
    if page.name in ("article", "member_article", "discussion"):
        info["comments_shown"] = len(re.findall(rb'id="comment-\d+"', body))
    if page.member:
        info["logged_in"] = b"/auth/logout" in body
    return info


GROWTH_PAGES = ("article", "member_article", "search", "search_varied")


@dataclass
class Bench:
    """One gunicorn server up on one instance: its pages (paths resolved), the member's
    session cookie, and the result its measurements go into."""
    label: str  # "1x", "5x": printed before each page's line
    instance: Path
    server: Server
    cookie: str
    pages: dict[str, Page]
    result: dict


def scale_label(scale: float | str) -> str:
    """'1x', '5x'; 'tiny' for the smoke test's dataset."""
    return f"{scale:g}x" if isinstance(scale, int | float) else str(scale)


def start_bench(label: str, instance: Path, meta: dict, config: ServerConfig,
                args: argparse.Namespace, log_dir: Path) -> Bench:
    search = bool(meta.get("search", {}).get("available"))
    pages = pages_for(meta, search)
    if args.pages:  # the ceiling is always measured: every ratio needs it
        wanted = {"ceiling", *args.pages.split(",")}
        pages = [p for p in pages if p.name in wanted]
    # A log per server: the cache=HIT/MISS count reads its own server's lines.
    server = Server(instance, config, log_dir / f"gunicorn-{config.worker_class}-{label}.log")
    try:
        server.wait_ready()
        base = server.base
        known = meta["known"]
        article = canonical_path(base, f"/en/articles/{known['article_id']}")
        discussion = canonical_path(base, f"/en/discussions/{known['discussion_id']}")
        cookie = login(base, meta["member"]["username"], meta["member"]["password"])
    except BaseException:
        server.stop()
        raise
    for page in pages:
        if page.name in ("article", "member_article"):
            page.path = article
        elif page.name == "discussion":
            page.path = discussion
    result: dict[str, Any] = {"name": config.name, "worker_class": config.worker_class,
                              "workers": config.workers, "threads": config.threads,
                              "pages": {}}
    return Bench(label, instance, server, cookie, {p.name: p for p in pages}, result)


def measure_page(bench: Bench, page: Page, config: ServerConfig,
                 args: argparse.Namespace) -> dict:
    """Pre-check, prime, warm up and drive one page with wrk; print its line."""
    base = bench.server.base
    page_cookie = bench.cookie if page.member else ""
    info = precheck(base, page, page_cookie)
    entry: dict[str, Any] = {"label": page.label, "path": page.path, "target": page.target,
                             "p99_limit_ms": page.p99_limit_ms, **info}
    if info["status"] != 200:
        entry["skipped"] = f"answered {info['status']}"
        print(f"  {bench.label:>3} {page.name:<18} SKIPPED: {page.path} answered "
              f"{info['status']}")
        return entry
    wrk_opts = {"threads": args.wrk_threads, "script": page.script,
                "script_args": page.script_args, "cookie": page_cookie}
    if args.warm_files:  # (before priming: that reads them too)
        entry.update(warm_files(bench.instance))
    primed = time.monotonic()
    for path in page.prime_paths:
        status = fetch(base + path, cookie=page_cookie)[0]
        if status != 200:
            entry.setdefault("prime_failures", []).append(f"{path}: {status}")
    if page.prime_paths:
        entry["prime_s"] = round(time.monotonic() - primed, 2)
    if args.warmup > 0:
        run_wrk(base + page.path, duration=args.warmup,
                connections=max(4, config.workers * config.threads), **wrk_opts)
    entry["load1_before"] = load1()
    logged = bench.server.log_path.stat().st_size
    entry.update(summarize(run_wrk(base + page.path, duration=args.duration,
                                   connections=args.connections, **wrk_opts)))
    entry.update(cache_answers(bench.server.log_path, logged))
    # After the run every worker has seen the page: does a visitor now get a HIT?
    entry["x_cache"] = ("varied" if page.script_args else
                        fetch(base + page.path, cookie=page_cookie)[1].get("X-Cache", ""))
    notes = f", primed in {entry['prime_s']} s" if "prime_s" in entry else ""
    if "warm_s" in entry:
        notes += f", files read in {entry['warm_s']} s"
    if entry.get("prime_failures"):
        notes += f", PRIMING FAILED: {entry['prime_failures'][:3]}"
    if page.script_args and entry["cache_hits"]:
        notes += (f", WARNING: {entry['cache_hits']} of its requests answered by "
                  "the page cache")
    print(f"  {bench.label:>3} {page.name:<18} {entry['rps']:>8.0f} req/s  p50 "
          f"{entry['p50_ms']:6.1f} ms  p99 {entry['p99_ms']:6.1f} ms  "
          f"(load {entry['load1_before']}{notes})")
    entry["settle_s"] = settle(base)
    return entry


def record_memory(bench: Bench) -> None:
    memory = bench.server.worker_memory_mb()
    bench.result["rss_mb"] = [m["rss"] for m in memory]
    bench.result["worker_memory_mb"] = memory


def measure(instance: Path, meta: dict, config: ServerConfig, args: argparse.Namespace,
            log_dir: Path) -> dict:
    """Every page on one instance, one after another."""
    bench = start_bench(scale_label(meta["scale"]), instance, meta, config, args, log_dir)
    try:
        for name, page in bench.pages.items():
            bench.result["pages"][name] = measure_page(bench, page, config, args)
        record_memory(bench)
    finally:
        bench.server.stop()
    judge(bench.result)
    return bench.result


def combine_runs(first: dict, second: dict) -> dict:
    """One page's two runs as one entry: requests and log counts added up, requests/s
    and latencies the mean of the two runs' (each ran for the same time), the worst
    max. The two runs stay in `runs`."""
    if "rps" not in first or "rps" not in second:
        return first if "rps" not in first else second  # (a SKIP is reported as such)
    entry = {**second, "runs": [first, second]}
    for key in ("requests", "bad_status", "socket_errors", "cache_hits", "cache_misses"):
        entry[key] = first[key] + second[key]
    for key in ("rps", "p50_ms", "p95_ms", "p99_ms", "mean_ms"):
        entry[key] = round((first[key] + second[key]) / 2, 2)
    entry["max_ms"] = max(first["max_ms"], second["max_ms"])
    entry["load1_before"] = first["load1_before"]
    return entry


def measure_interleaved(runs: list[tuple[str, Path, dict]], config: ServerConfig,
                        args: argparse.Namespace, log_dir: Path) -> list[dict]:
    """The growth run: both instances' servers up at once, each page measured on one
    right after the other, so that a VM whose speed drifts over minutes (ours move by
    up to 45%) cannot decide the comparison. Pages alternate which instance goes
    first; the growth pages run twice on each, in the order 1x 5x 5x 1x, and their
    two runs are combined (a drift steady over the four runs cancels out)."""
    benches: list[Bench] = []
    try:
        for label, instance, meta in runs:
            benches.append(start_bench(label, instance, meta, config, args, log_dir))
        names = list(dict.fromkeys(n for b in benches for n in b.pages))
        for index, name in enumerate(names):
            order = benches if index % 2 == 0 else benches[::-1]
            if name in GROWTH_PAGES:
                order = [*benches, *benches[::-1]]
            found: dict[int, list[dict]] = {}
            for bench in order:
                if name in bench.pages:
                    found.setdefault(id(bench), []).append(
                        measure_page(bench, bench.pages[name], config, args))
            for bench in benches:
                entries = found.get(id(bench))
                if entries:
                    bench.result["pages"][name] = (entries[0] if len(entries) == 1
                                                   else combine_runs(*entries))
        for bench in benches:
            record_memory(bench)
    finally:
        for bench in benches:
            bench.server.stop()
    for bench in benches:
        judge(bench.result)
    return [bench.result for bench in benches]


def warm_files(instance: Path, chunk: int = 1 << 20) -> dict[str, float]:
    """Read the instance's database and index files once, so that they are in the
    operating system's page cache when a page is measured, as on a server whose
    memory holds its data (the 5x instance is ~6 GB here, in 24 GB). Some VMs page
    out file pages nobody touched for a minute (DAMON `pageout`): without this, a
    run measured their disk rather than the app. Returns MB read and seconds."""
    started = time.monotonic()
    size = 0
    buffer = bytearray(chunk)
    # The database (and its journal), and the index generation in use with its saved
    # postings (older generations wait for removal: nothing reads them).
    index = instance / "search-index" / "current"
    files = sorted(instance.glob("agora.db*"))
    if index.is_dir():
        files += sorted(f for f in index.resolve().rglob("*") if f.is_file())
    for path in files:
        try:
            with path.open("rb", buffering=0) as stream:
                while read := stream.readinto(buffer):
                    size += read
        except OSError:  # (a file a rebuild or a refresh removed meanwhile)
            continue
    return {"warm_mb": round(size / 1e6, 1), "warm_s": round(time.monotonic() - started, 2)}


CACHE_FIELD = re.compile(rb" cache=(HIT|MISS)\b")


def cache_answers(log_path: Path, offset: int) -> dict[str, int]:
    """How the app answered the requests it logged after `offset` in the server's log:
    from the page cache (its line says cache=HIT) or rendered (cache=MISS). For the
    varied searches, every request must be rendered."""
    with log_path.open("rb") as log:
        log.seek(offset)
        found = CACHE_FIELD.findall(log.read())
    return {"cache_hits": found.count(b"HIT"), "cache_misses": found.count(b"MISS")}


def settle(base: str, quick_ms: float = 20.0, timeout: float = 60.0) -> float:
    """Wait until the server has worked off what the last run left queued (wrk stops
    sending, but requests already accepted still run: after the uncached searches, for
    seconds), so that each page is measured on an idle server. Returns the seconds."""
    started = time.monotonic()
    quick = 0
    while quick < 3 and time.monotonic() - started < timeout:
        sent = time.monotonic()
        try:
            fetch(base + "/bench/ceiling")
        except OSError:
            pass
        quick = quick + 1 if (time.monotonic() - sent) * 1000 < quick_ms else 0
        time.sleep(0.05)
    return round(time.monotonic() - started, 2)


def judge(result: dict) -> None:
    ceiling = result["pages"].get("ceiling", {}).get("rps") or 0.0
    result["ceiling_rps"] = ceiling
    for name, p in result["pages"].items():
        if "rps" not in p:
            p["verdict"] = "SKIP"
            continue
        p["ratio"] = round(p["rps"] / ceiling, 3) if ceiling else None
        if name == "ceiling" or p["target"] is None:
            p["verdict"] = "-"
            continue
        ok = p["ratio"] is not None and p["ratio"] >= p["target"]
        if p.get("p99_limit_ms") is not None:
            ok = ok and p["p99_ms"] < p["p99_limit_ms"]
        ok = ok and p["bad_status"] == 0 and p["socket_errors"] == 0
        p["verdict"] = "PASS" if ok else "FAIL"
    rss = result.get("rss_mb") or []
    result["rss_verdict"] = "PASS" if rss and max(rss) < RSS_LIMIT_MB else "FAIL"


def print_table(result: dict) -> None:
    print(f"\n{result['name']}: ceiling {result['ceiling_rps']:.0f} req/s")
    print(f"  {'page':<38}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'ratio':>7}"
          f"  {'target':<14}{'cache':<6} result")
    for p in result["pages"].values():
        target = "-"
        if p["target"] is not None:
            target = f">={p['target']:.0%}" + (f" p99<{p['p99_limit_ms']:g}"
                                                if p.get("p99_limit_ms") else "")
        if "rps" not in p:
            print(f"  {p['label']:<38}{'':>39}  {target:<14}{'':<6} SKIP ({p['skipped']})")
            continue
        ratio = f"{p['ratio']:.0%}" if p.get("ratio") is not None else "-"
        errors = (f" [{p['bad_status']} bad status, {p['socket_errors']} socket errors]"
                  if p["bad_status"] or p["socket_errors"] else "")
        print(f"  {p['label']:<38}{p['rps']:>8.0f}{p['p50_ms']:>8.1f}{p['p95_ms']:>8.1f}"
              f"{p['p99_ms']:>8.1f}{ratio:>7}  {target:<14}{p.get('x_cache') or '-':<6} "
              f"{p['verdict']}{errors}")
    rss = result.get("rss_mb") or []
    print(f"  worker RSS after the run: {', '.join(f'{r:.0f}' for r in rss)} MB "
          f"(target < {RSS_LIMIT_MB} MB): {result['rss_verdict']}")
    parts = result.get("worker_memory_mb") or []
    if parts:
        print("    of which anonymous / mapped files: " + ", ".join(
            f"{m.get('anon', 0):.0f} / {m.get('file', 0):.0f}" for m in parts) + " MB")


# -- start-up --------------------------------------------------------------------------

STARTUP_PROBE = """
import json, time
t0 = time.perf_counter()
import app
t1 = time.perf_counter()
app.create_app()
t2 = time.perf_counter()
print("STARTUP", json.dumps({"import_s": t1 - t0, "create_app_s": t2 - t1}))
"""


def startup_time(instance: Path, runs: int) -> dict:
    """create_app() in fresh interpreters (the first run pays a cold disk cache)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["AGORA_INSTANCE_PATH"] = str(instance)
    samples = []
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", STARTUP_PROBE], cwd=ROOT, env=env,
                             capture_output=True, text=True, check=True)
        line = next(ln for ln in out.stdout.splitlines() if ln.startswith("STARTUP "))
        samples.append(json.loads(line[len("STARTUP "):]))
    best = min(samples, key=lambda s: s["create_app_s"])
    return {"runs": [{k: round(v, 3) for k, v in s.items()} for s in samples],
            "create_app_s": round(best["create_app_s"], 3),
            "import_s": round(best["import_s"], 3),
            "verdict": "PASS" if best["create_app_s"] < CREATE_APP_LIMIT_S else "FAIL"}


# -- a whole run -------------------------------------------------------------------------

def prepare_instance(args: argparse.Namespace, scale: float,
                     instance: Path | None = None) -> tuple[Path, dict]:
    instance = (instance or seeding.default_instance(scale, args.tiny)).resolve()
    meta = seeding.load_meta(instance) if args.reuse else None
    if meta is None:
        meta = seeding.seed(instance, scale=scale, tiny=args.tiny, force=True,
                            search=not args.no_search)
    else:
        print(f"Reusing the seeded instance {instance} (seeded {meta['created']})")
    return instance, meta


def busy_warning(busy: float | None, load: float) -> str:
    """What says other processes are using the CPUs ("" when nothing does): the CPUs'
    busy share where it is known, else the load average."""
    if busy is not None:
        return f"{busy:.0%} of the CPUs busy" if busy > 0.25 else ""
    return f"load average {load}" if load > (os.cpu_count() or 1) * 0.5 else ""


def begin_report(args: argparse.Namespace, scale: float,
                 instance: Path | None = None) -> tuple[Path, dict, dict]:
    """The instance (seeded unless reused), its report's header and start-up figures."""
    instance, meta = prepare_instance(args, scale, instance)
    report: dict[str, Any] = {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(), "instance": str(instance),
        "dataset": {k: meta.get(k) for k in ("scale", "plan", "rows", "seed_s", "db_bytes",
                                             "search", "known")},
        "settings": {"duration_s": args.duration, "warmup_s": args.warmup,
                     "connections": args.connections, "wrk_threads": args.wrk_threads,
                     "warm_files": args.warm_files},
        "page_cache_store": "redis" if os.environ.get("REDIS_URL") else "memory",
        "load1_start": load1(), "cpu_busy_start": cpu_busy(), "configs": [],
    }
    if not meta.get("search", {}).get("available"):
        print(f"NOTE: {instance} has no search index (see its bench-meta.json): the search "
              "pages are skipped")
    busy = busy_warning(report["cpu_busy_start"], report["load1_start"])
    if busy:
        print(f"WARNING: {busy} before the run: other processes share the CPUs and the "
              "figures will be low and noisy")
    report["startup"] = startup_time(instance, args.startup_runs)
    return instance, meta, report


def end_report(report: dict) -> None:
    report["load1_end"] = load1()
    print(f"\n##### dataset {scale_label(report['dataset']['scale'])} ({report['instance']})")
    for result in report["configs"]:
        print_table(result)
    s = report["startup"]
    print(f"\ncreate_app(): {s['create_app_s']:.3f} s (+ import app {s['import_s']:.3f} s), "
          f"best of {len(s['runs'])} fresh processes (target < {CREATE_APP_LIMIT_S} s): "
          f"{s['verdict']}")
    share = report["cpu_busy_start"]
    print(f"CPUs busy before the run: {'unknown' if share is None else f'{share:.0%}'}; "
          f"load average: {report['load1_start']} at start, {report['load1_end']} at end "
          f"({report['machine']['nproc']} CPUs)")


def log_dir_for(args: argparse.Namespace) -> Path:
    log_dir = Path(args.log_dir) if args.log_dir else RESULTS
    log_dir.mkdir(parents=True, exist_ok=True)
    return log_dir


def run_once(args: argparse.Namespace, scale: float) -> dict:
    instance, meta, report = begin_report(args, scale, args.instance)
    for spec in args.configs.split(","):
        config = ServerConfig.parse(spec)
        print(f"\n== {config.name} (dataset {scale_label(meta['scale'])}) ==")
        report["configs"].append(measure(instance, meta, config, args, log_dir_for(args)))
    end_report(report)
    return report


def run_growth(args: argparse.Namespace) -> tuple[dict, dict]:
    """1x and 5x measured in turn, page by page (see measure_interleaved)."""
    small_instance, small_meta, small = begin_report(args, 1.0, args.instance)
    large_instance, large_meta, large = begin_report(args, 5.0, args.large_instance)
    runs = [("1x", small_instance, small_meta), ("5x", large_instance, large_meta)]
    for spec in args.configs.split(","):
        config = ServerConfig.parse(spec)
        print(f"\n== {config.name} (datasets 1x and 5x, each page on one then the other) ==")
        small_result, large_result = measure_interleaved(runs, config, args, log_dir_for(args))
        small["configs"].append(small_result)
        large["configs"].append(large_result)
    end_report(small)
    end_report(large)
    return small, large


def growth(small: dict, large: dict) -> dict:
    out: dict[str, Any] = {}
    for cs, cl in zip(small["configs"], large["configs"], strict=True):
        rows = {}
        for name in ("article", "member_article", "search", "search_varied"):
            a, b = cs["pages"].get(name, {}), cl["pages"].get(name, {})
            if "p95_ms" in a and "p95_ms" in b and a["p95_ms"]:
                ratio = round(b["p95_ms"] / a["p95_ms"], 2)
                rows[name] = {"p95_1x_ms": a["p95_ms"], "p95_5x_ms": b["p95_ms"],
                              "ratio": ratio, "verdict": "PASS" if ratio <= GROWTH_LIMIT
                              else "FAIL"}
                if "runs" in a and "runs" in b:  # (measured twice each: 1x 5x 5x 1x)
                    rows[name]["runs_p95_ms"] = [a["runs"][0]["p95_ms"], b["runs"][0]["p95_ms"],
                                                 b["runs"][1]["p95_ms"], a["runs"][1]["p95_ms"]]
        out[cs["name"]] = rows
    return out


def print_growth(g: dict) -> None:
    print(f"\nGrowth 1x -> 5x (p95; target ratio <= {GROWTH_LIMIT}):")
    for config, rows in g.items():
        for name, r in rows.items():
            runs = (f"  (runs 1x 5x 5x 1x: {' '.join(f'{v:.1f}' for v in r['runs_p95_ms'])})"
                    if "runs_p95_ms" in r else "")
            print(f"  {config:<16} {name:<16} {r['p95_1x_ms']:7.1f} ms -> {r['p95_5x_ms']:7.1f} ms"
                  f"  x{r['ratio']:.2f}  {r['verdict']}{runs}")


def write_json(report: dict, path: Path | None) -> Path:
    if path is None:
        RESULTS.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = RESULTS / f"{stamp}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"\nWrote {path}")
    return path


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--scale", type=float, default=1.0, help="dataset size (1 = issue 9's)")
    p.add_argument("--tiny", action="store_true", help="a tiny dataset (the smoke test)")
    p.add_argument("--growth", action="store_true", help="run 1x and 5x, compare p95")
    p.add_argument("--reuse", action="store_true",
                   help="reuse the instance if it was seeded before (else seed it)")
    p.add_argument("--instance", type=Path, help="instance folder (default "
                   "bench/results/instance-<scale>x; with --growth, the 1x one)")
    p.add_argument("--large-instance", type=Path, help="with --growth: the 5x instance "
                   "folder (default bench/results/instance-5x)")
    p.add_argument("--no-search", action="store_true", help="do not build the search index")
    p.add_argument("--duration", type=float, default=10.0, help="seconds per page")
    p.add_argument("--warmup", type=float, default=2.0, help="warm-up seconds per page")
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--wrk-threads", type=int, default=1,
                   help="wrk threads (1 leaves the CPUs to the server; one wrk thread "
                        "drives far more than the ceiling)")
    p.add_argument("--configs", default="sync:2,gthread:4:4",
                   help="gunicorn configurations, class:workers[:threads], comma-separated")
    p.add_argument("--pages", help="only these pages (comma-separated names: home, "
                   "articles_list, article, discussions_list, discussion, search, "
                   "search_varied, member_article); the ceiling is always measured")
    p.add_argument("--startup-runs", type=int, default=3)
    p.add_argument("--no-warm-files", dest="warm_files", action="store_false",
                   help="do not read the database and index files into the page cache "
                        "before each page (see warm_files)")
    p.add_argument("--json-out", type=Path, help="write the JSON here instead of "
                   "bench/results/<timestamp>.json")
    p.add_argument("--log-dir", help="gunicorn logs (default bench/results)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not shutil.which("wrk"):
        print("wrk is not installed: `make bench` installs it (apt-get install wrk)",
              file=sys.stderr)
        return 2
    # As `make serve` starts workers (`make bytecode`): not compiling the app in each.
    compileall.compile_dir(ROOT / "app", quiet=1)
    if args.large_instance and not args.growth:
        raise SystemExit("--large-instance is the 5x instance of --growth")
    if args.growth:
        small, large = run_growth(args)
        g = growth(small, large)
        print_growth(g)
        write_json({"growth": g, "runs": [small, large]}, args.json_out)
        return 0
    report = run_once(args, args.scale)
    write_json(report, args.json_out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
