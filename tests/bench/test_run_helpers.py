"""bench/run.py's helpers: the check that nothing else uses the CPUs before a run, and the
reading of the instance's files before each page."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import run  # noqa: E402  (bench/run.py)


def test_cpu_busy_sees_a_process_spinning_on_one_cpu() -> None:
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        busy = run.cpu_busy(0.5)
    finally:
        spinner.kill()
        spinner.wait()
    assert busy is not None  # Linux: /proc/stat
    # One CPU of them all taken by the spinner (less a little: it is not alone).
    assert 0.7 / os.cpu_count() <= busy <= 1.0


def test_the_warning_follows_the_busy_share_and_falls_back_to_the_load_average() -> None:
    cpus = os.cpu_count() or 1
    assert run.busy_warning(0.05, load=cpus * 4.0) == ""  # a past run still in the average
    assert run.busy_warning(0.6, load=0.0) == "60% of the CPUs busy"
    assert run.busy_warning(None, load=cpus * 0.6) == f"load average {cpus * 0.6}"
    assert run.busy_warning(None, load=cpus * 0.4) == ""


def test_warm_files_reads_the_database_and_the_index_in_use(tmp_path: Path) -> None:
    """What a page reads from disk is read once before it is measured: the database
    and the current index generation, and nothing else (not an old generation)."""
    (tmp_path / "agora.db").write_bytes(b"d" * 3_000_000)
    (tmp_path / "agora.db-wal").write_bytes(b"w" * 1_000)
    (tmp_path / "secret_key").write_bytes(b"s" * 64)
    index = tmp_path / "search-index"
    current, old = index / "gen-2", index / "gen-1"
    (current / "postings-cache" / "SEG").mkdir(parents=True)
    old.mkdir()
    (current / "MAIN_1.seg").write_bytes(b"i" * 2_000_000)
    (current / "postings-cache" / "SEG" / "list").write_bytes(b"p" * 500_000)
    (old / "MAIN_0.seg").write_bytes(b"o" * 7_000_000)
    (index / "current").symlink_to("gen-2")
    warmed = run.warm_files(tmp_path)
    assert warmed["warm_mb"] == 5.5  # 3 + 0.001 + 2 + 0.5 MB
    assert warmed["warm_s"] >= 0
    assert run.warm_files(tmp_path / "nothing-here")["warm_mb"] == 0


def test_cache_answers_counts_the_log_lines_written_after_the_offset(tmp_path: Path) -> None:
    log = tmp_path / "gunicorn.log"
    before = b"[INFO] agora.request: GET /en/ 200 0.1ms id=a cache=HIT\n"
    log.write_bytes(before)
    with log.open("ab") as out:
        out.write(b"[INFO] agora.request: GET /en/search 200 9.0ms id=b cache=MISS\n"
                  b"[INFO] agora.request: GET /en/search 200 0.1ms id=c cache=HIT\n"
                  b"[INFO] agora.request: GET /bench/ceiling 200 0.1ms id=d cache=-\n"
                  b"[INFO] agora.request: GET /en/search 200 8.0ms id=e cache=MISS\n")
    assert run.cache_answers(log, len(before)) == {"cache_hits": 1, "cache_misses": 2}
    assert run.cache_answers(log, 0) == {"cache_hits": 2, "cache_misses": 2}


def _run(rps: float, p95: float, **extra: float) -> dict:
    return {"requests": int(rps * 10), "rps": rps, "p50_ms": p95 / 2, "p95_ms": p95,
            "p99_ms": p95 * 2, "mean_ms": p95 / 2, "max_ms": p95 * 3, "bad_status": 0,
            "socket_errors": 0, "cache_hits": 5, "cache_misses": 1, "load1_before": 0.5,
            **extra}


def test_two_runs_of_a_page_combine_into_one_entry_that_keeps_both() -> None:
    first = _run(100.0, 10.0, bad_status=1)
    second = _run(300.0, 30.0, load1_before=1.5)
    entry = run.combine_runs(first, second)
    assert entry["requests"] == 4000 and entry["bad_status"] == 1
    assert entry["cache_hits"] == 10 and entry["cache_misses"] == 2
    assert entry["rps"] == 200.0 and entry["p95_ms"] == 20.0 and entry["p99_ms"] == 40.0
    assert entry["max_ms"] == 90.0 and entry["load1_before"] == 0.5
    assert entry["runs"] == [first, second]
    skipped = {"status": 500, "skipped": "answered 500"}
    assert run.combine_runs(skipped, second) is skipped


def test_growth_compares_the_combined_p95_and_lists_the_runs_in_the_order_measured() -> None:
    def report(entry: dict) -> dict:
        return {"configs": [{"name": "sync 2w", "pages": {"article": entry}}]}

    small = run.combine_runs(_run(100.0, 10.0), _run(100.0, 12.0))
    large = run.combine_runs(_run(100.0, 14.0), _run(100.0, 20.0))
    row = run.growth(report(small), report(large))["sync 2w"]["article"]
    assert row["p95_1x_ms"] == 11.0 and row["p95_5x_ms"] == 17.0
    assert row["ratio"] == 1.55 and row["verdict"] == "FAIL"
    assert row["runs_p95_ms"] == [10.0, 14.0, 20.0, 12.0]  # 1x 5x 5x 1x
