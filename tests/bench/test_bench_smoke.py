"""The benchmark keeps working: a tiny seed, and the runner for ~2 s per page.

The real benchmark is `make bench` (bench/README.md); this only proves the
seeder builds what the measured pages need and the runner measures every page
without errors. The runner part needs `wrk` (Debian package; `make bench`
installs it) and is skipped without it.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.slow,
    # The benchmark always runs on its own SQLite instance: the PostgreSQL pass of
    # `make test` would only repeat the SQLite run.
    pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")),
                       reason="the benchmark uses its own SQLite instance"),
]

EXPECTED_PAGES = {"ceiling", "home", "articles_list", "article", "discussions_list",
                  "discussion", "member_article"}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    instance = tmp_path_factory.mktemp("bench") / "instance"
    # A separate interpreter: the seeder sets AGORA_INSTANCE_PATH and builds its own app.
    subprocess.run([sys.executable, "bench/seed.py", "--tiny", "--instance", str(instance)],
                   cwd=ROOT, check=True, capture_output=True, text=True, timeout=120)
    return instance


def test_tiny_seed_builds_the_measured_items_with_consistent_counts(seeded: Path) -> None:
    meta = json.loads((seeded / "bench-meta.json").read_text())
    con = sqlite3.connect(seeded / "agora.db")
    try:
        known = meta["known"]
        langs = [r[0] for r in con.execute(
            "SELECT language FROM article_translations WHERE article_id = ? ORDER BY id",
            (known["article_id"],))]
        assert langs == ["en", "fr", "de"]
        visible = "hidden_at IS NULL AND deleted_at IS NULL"
        assert con.execute(f"SELECT count(*) FROM comments WHERE article_id = ? AND {visible}",
                           (known["article_id"],)).fetchone()[0] == 20
        assert con.execute(f"SELECT count(*) FROM comments WHERE discussion_id = ? AND {visible}",
                           (known["discussion_id"],)).fetchone()[0] == 100
        # Denormalized counts agree with the rows, for every item.
        assert con.execute(
            f"SELECT count(*) FROM articles a WHERE comment_count != (SELECT count(*) FROM "
            f"comments c WHERE c.article_id = a.id AND {visible})").fetchone()[0] == 0
        assert con.execute(
            f"SELECT count(*) FROM discussions d WHERE reply_count != (SELECT count(*) FROM "
            f"comments c WHERE c.discussion_id = d.id AND {visible})").fetchone()[0] == 0
        assert con.execute(
            f"SELECT count(*) FROM discussions d WHERE last_activity_at < (SELECT "
            f"max(created_at) FROM comments c WHERE c.discussion_id = d.id AND {visible})"
        ).fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM users").fetchone()[0] == 20
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 30
    finally:
        con.close()


def test_the_seeder_reports_the_documents_the_index_holds(seeded: Path) -> None:
    from whoosh import index

    meta = json.loads((seeded / "bench-meta.json").read_text())
    with index.open_dir(str(seeded / "search-index" / "current")).reader() as reader:
        held = reader.doc_count()
    assert meta["search"]["documents"] == held > 0


def test_a_hidden_discussion_takes_its_replies_out_of_the_expected_count(
        seeded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app import create_app

    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    from seed import count_search_documents

    shutil.copy(seeded / "agora.db", tmp_path / "agora.db")
    app = create_app({"INSTANCE_PATH": str(tmp_path),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'agora.db'}"})
    before = count_search_documents(app)
    con = sqlite3.connect(tmp_path / "agora.db")
    try:
        did, replies = con.execute(
            "SELECT id, reply_count FROM discussions WHERE hidden_at IS NULL "
            "AND reply_count > 0 ORDER BY id LIMIT 1").fetchone()
        con.execute("UPDATE discussions SET hidden_at = created_at WHERE id = ?", (did,))
        con.commit()
    finally:
        con.close()
    assert count_search_documents(app) == before - 1 - replies


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (make bench "
                    "installs it: apt-get install wrk)")
def test_runner_measures_every_page_without_errors(seeded: Path, tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    proc = subprocess.run(
        [sys.executable, "bench/run.py", "--instance", str(seeded), "--reuse",
         "--duration", "2", "--warmup", "0", "--connections", "4", "--configs", "sync:2",
         "--startup-runs", "1", "--json-out", str(out), "--log-dir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(out.read_text())
    pages = report["configs"][0]["pages"]
    expected = set(EXPECTED_PAGES)
    if report["dataset"]["search"].get("available"):
        expected |= {"search", "search_varied"}
    assert expected <= set(pages)
    for name in expected:
        page = pages[name]
        assert page["status"] == 200, (name, page)
        assert page["rps"] > 0, (name, page)
        assert page["bad_status"] == 0 and page["socket_errors"] == 0, (name, page)
    assert pages["article"]["comments_shown"] == 20
    assert pages["member_article"]["logged_in"] is True
    assert report["configs"][0]["rss_mb"], "worker RSS was read"
    assert report["startup"]["create_app_s"] > 0
    assert 0 <= report["cpu_busy_start"] <= 1
    assert report["settings"]["warm_files"] is True
    assert all(pages[name]["warm_mb"] > 0 for name in expected)  # (database and index read)
    # What the server's log says it did: cached pages come from the page cache, and not
    # one varied search does.
    assert pages["home"]["cache_hits"] > 0
    if "search_varied" in expected:
        varied = pages["search_varied"]
        assert varied["cache_hits"] == 0 and varied["cache_misses"] >= varied["requests"]


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (make bench "
                    "installs it: apt-get install wrk)")
def test_the_growth_run_measures_both_instances_in_turn(seeded: Path, tmp_path: Path) -> None:
    """--growth: both servers up at once, each page on one and then the other, the
    growth pages twice on each (1x 5x 5x 1x), each server logging to its own file."""
    large = tmp_path / "large"
    shutil.copytree(seeded, large, symlinks=True)
    out = tmp_path / "growth.json"
    proc = subprocess.run(
        [sys.executable, "bench/run.py", "--growth", "--instance", str(seeded),
         "--large-instance", str(large), "--reuse", "--pages", "home,article",
         "--duration", "1", "--warmup", "0", "--connections", "4", "--configs", "sync:2",
         "--startup-runs", "1", "--json-out", str(out), "--log-dir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(out.read_text())
    small_run, large_run = report["runs"]
    assert small_run["instance"] == str(seeded.resolve())
    assert large_run["instance"] == str(large.resolve())
    for one in (small_run, large_run):
        pages = one["configs"][0]["pages"]
        assert set(pages) == {"ceiling", "home", "article"}
        assert all(p["rps"] > 0 and p["bad_status"] == 0 for p in pages.values())
        assert "runs" not in pages["home"]  # measured once on each
        assert len(pages["article"]["runs"]) == 2
        assert pages["article"]["requests"] == sum(r["requests"]
                                                   for r in pages["article"]["runs"])
        assert pages["home"]["cache_hits"] > 0  # (its own server's log lines)
        assert one["configs"][0]["rss_mb"]
    row = report["growth"]["sync 2w"]["article"]
    assert len(row["runs_p95_ms"]) == 4 and row["verdict"] in ("PASS", "FAIL")
    # The order the lines were printed in: 1x then 5x for the ceiling, the other way
    # round for home, then 1x 5x 5x 1x for the article.
    order = [(line.split()[0], line.split()[1]) for line in proc.stdout.splitlines()
             if line.startswith("   ") and line.split()[0] in ("1x", "5x")
             and "req/s" in line]
    assert order == [("1x", "ceiling"), ("5x", "ceiling"), ("5x", "home"), ("1x", "home"),
                     ("1x", "article"), ("5x", "article"), ("5x", "article"),
                     ("1x", "article")]
    assert (tmp_path / "gunicorn-sync-1x.log").stat().st_size > 0
    assert (tmp_path / "gunicorn-sync-5x.log").stat().st_size > 0
