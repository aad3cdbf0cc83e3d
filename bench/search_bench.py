"""Search benchmark (not a test): rebuild speed and query latency at scale.

    .venv/bin/python bench/search_bench.py [--docs 100000] [--queries 300] [--procs 1]

Builds a throwaway instance (SQLite database + Whoosh index in a temporary folder)
holding `--docs` documents of ~300 words in mixed languages (article versions,
discussions, comments), then measures:

1. `rebuild` throughput in documents per second, through the real code path
   (database reads in batches, HTML -> text, per-language analysis, swap);
2. query latency (p50/p95) for 1-3 term queries through `facade.search`, the same
   call the search page makes: parse, search, re-check the 20 shown results in the
   database, highlight them;
3. the same queries through SQLite FTS5 (bm25 ranking, snippet() highlighting) on the
   same texts, as a reference point.

Words are synthetic but language-shaped (per-language syllables and endings, Zipf
distributed), so the Snowball stemmers and the posting lists behave like real text.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LANGS = {
    # language: (weight, consonants, vowels, endings)
    "en": (30, "bcdfghlmnprstvw", "aeiou", ["ing", "ed", "s", "tion", "er", "", "", ""]),
    "fr": (15, "bcdfglmnprstv", "aeiouéè", ["ement", "tion", "es", "er", "ité", "", ""]),
    "de": (15, "bdfghklmnrstwz", "aeiouäöü", ["ung", "en", "lich", "keit", "er", "", ""]),
    "es": (10, "bcdfglmnprstv", "aeiouá", ["ción", "os", "as", "ar", "idad", "", ""]),
    "it": (8, "bcdfglmnprstv", "aeiou", ["zione", "i", "e", "are", "ità", "", ""]),
    "pl": (8, "bcdfgklmnprstwz", "aeiouyąę", ["ość", "ami", "ych", "ie", "ów", "", ""]),
    "nl": (7, "bdfghklmnprstvwz", "aeiou", ["heid", "en", "lijk", "ing", "", ""]),
    "el": (7, "βγδζκλμνπρστφχ", "αεηιοωυ", ["ος", "ης", "ων", "ες", "", ""]),
}
VOCAB_SIZE = 20000
WORDS_PER_DOC = 300


def make_vocab(lang: str, rng: random.Random) -> list[str]:
    _w, consonants, vowels, endings = LANGS[lang]
    words: list[str] = []
    seen: set[str] = set()
    while len(words) < VOCAB_SIZE:
        syllables = rng.choice((1, 2, 2, 3, 3, 4))
        stem = "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(syllables))
        word = stem + rng.choice(endings)
        if len(word) > 2 and word not in seen:
            seen.add(word)
            words.append(word)
    return words


class Corpus:
    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.vocab = {lang: make_vocab(lang, self.rng) for lang in LANGS}
        # Zipf: the word of rank r is drawn with weight 1/r.
        weights = [1.0 / (r + 1) for r in range(VOCAB_SIZE)]
        self.cum = list(_accumulate(weights))
        self.langs = list(LANGS)
        self.lang_weights = [LANGS[lang][0] for lang in self.langs]

    def lang(self) -> str:
        return self.rng.choices(self.langs, self.lang_weights)[0]

    def words(self, lang: str, n: int) -> list[str]:
        return self.rng.choices(self.vocab[lang], cum_weights=self.cum, k=n)

    def title(self, lang: str) -> str:
        return " ".join(self.words(lang, self.rng.randint(4, 9))).capitalize()

    def body_html(self, lang: str) -> str:
        words = self.words(lang, WORDS_PER_DOC + self.rng.randint(-40, 40))
        paragraphs = [" ".join(words[i:i + 60]) + "." for i in range(0, len(words), 60)]
        return "".join(f"<p>{p.capitalize()}</p>" for p in paragraphs)

    def query(self) -> str:
        """1-3 terms of one language, ranks spread from common to rare (log-uniform)."""
        lang = self.lang()
        n = self.rng.choice((1, 1, 2, 2, 2, 3))
        ranks = [int(10 ** self.rng.uniform(1.0, 3.6)) for _ in range(n)]
        return " ".join(self.vocab[lang][min(r, VOCAB_SIZE - 1)] for r in ranks)


def _accumulate(values: list[float]):  # noqa: ANN202
    total = 0.0
    for v in values:
        total += v
        yield total


def fill_database(app, corpus: Corpus, n_docs: int) -> list[tuple[str, str]]:  # noqa: ANN001
    """Insert rows worth `n_docs` documents; returns (language, plain text) for FTS5."""
    from sqlalchemy import insert

    from app.articles.models import Article, ArticleTranslation
    from app.auth.models import User
    from app.comments.models import Comment
    from app.discussions.models import Discussion
    from app.extensions import db

    texts: list[tuple[str, str, str]] = []
    now = datetime.now(UTC)
    n_versions = int(n_docs * 0.4)
    n_discussions = int(n_docs * 0.2)
    n_comments = n_docs - n_versions - n_discussions
    rng = corpus.rng
    with app.app_context():
        conn = db.session.connection()
        conn.execute(insert(User.__table__), [
            {"username": f"bench{i}", "email": f"bench{i}@example.org", "password_hash": "x",
             "display_name": f"Bench Member {i}", "bio": "", "organisation": "", "country": "",
             "preferred_language": "en", "timezone": "", "role": "member", "is_active": True,
             "session_token": f"tok{i}", "created_at": now}
            for i in range(1, 201)
        ])
        articles, versions = [], []
        article_id = 0
        while len(versions) < n_versions:
            article_id += 1
            lang = corpus.lang()
            when = now - timedelta(minutes=rng.randint(0, 500000))
            articles.append({
                "id": article_id, "author_id": rng.randint(1, 200), "kind": "blog",
                "original_language": lang, "status": "published", "rejection_reason": "",
                "comments_open": True, "created_at": when, "published_at": when,
                "updated_at": when, "original_version": 1, "comment_count": 0,
                "event_timezone": "", "venue": "", "is_online": False, "online_url": "",
                "registration_url": "",
            })
            langs = [lang] + ([corpus.lang()] if rng.random() < 0.6 else [])
            for v_lang in dict.fromkeys(langs):
                title, body = corpus.title(v_lang), corpus.body_html(v_lang)
                versions.append({
                    "article_id": article_id, "language": v_lang, "title": title,
                    "slug": "bench", "summary": "", "body_html": body, "source_version": 1,
                    "created_at": when, "updated_at": when,
                })
                texts.append((v_lang, title, body))
        discussions = []
        for i in range(1, n_discussions + 1):
            lang = corpus.lang()
            when = now - timedelta(minutes=rng.randint(0, 500000))
            title, body = corpus.title(lang), corpus.body_html(lang)
            discussions.append({
                "id": i, "author_id": rng.randint(1, 200), "language": lang, "title": title,
                "slug": "bench", "body_html": body, "summary": "", "locked": False,
                "pinned": False, "reply_count": 0, "last_activity_at": when,
                "created_at": when, "updated_at": when,
            })
            texts.append((lang, title, body))
        comments = []
        lang_of_article = {a["id"]: a["original_language"] for a in articles}
        for _ in range(n_comments):
            on_article = rng.random() < 0.5
            parent = rng.randint(1, article_id if on_article else n_discussions)
            lang = lang_of_article[parent] if on_article else discussions[parent - 1]["language"]
            body = corpus.body_html(lang)
            comments.append({
                "author_id": rng.randint(1, 200), "article_id": parent if on_article else None,
                "discussion_id": None if on_article else parent, "body_html": body,
                "created_at": now - timedelta(minutes=rng.randint(0, 500000)),
            })
            texts.append((lang, "", body))
        for table, rows in ((Article.__table__, articles), (ArticleTranslation.__table__, versions),
                            (Discussion.__table__, discussions), (Comment.__table__, comments)):
            for start in range(0, len(rows), 5000):
                conn.execute(insert(table), rows[start:start + 5000])
        # Raw inserts bypass the ORM: no outbox rows; rebuild indexes everything.
        db.session.commit()
        # Planner statistics, as a live site has (and as bench/seed.py does): without
        # them SQLite looks results up through the status index, 3 ms instead of 0.1.
        with db.engine.begin() as analyze:
            analyze.exec_driver_sql("ANALYZE")
    return texts


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered)) - 1))
    return ordered[k]


def bench_whoosh_queries(app, queries: list[str]) -> dict[str, float]:  # noqa: ANN001
    from app.search import facade

    timings: list[float] = []
    totals: list[int] = []
    with app.test_request_context("/en/search"):
        from flask import g

        g.lang = "en"
        for q in queries[:20]:  # warm up: first searcher open, caches
            facade.search(q, lang="en")
        for q in queries:
            started = time.perf_counter()
            page = facade.search(q, lang="en")
            timings.append((time.perf_counter() - started) * 1000)
            totals.append(page.total)
    return {
        "p50": statistics.median(timings), "p95": percentile(timings, 95),
        "max": max(timings), "median_hits": statistics.median(totals),
    }


def bench_fts5(texts: list[tuple[str, str, str]], queries: list[str], folder: Path) -> dict:
    import re

    from app.sanitize import html_to_text

    path = folder / "fts5.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE VIRTUAL TABLE docs USING fts5(title, body, lang UNINDEXED, "
                 "tokenize = 'unicode61 remove_diacritics 2')")
    started = time.perf_counter()
    conn.executemany("INSERT INTO docs (title, body, lang) VALUES (?, ?, ?)",
                     ((t, html_to_text(b), lang) for lang, t, b in texts))
    conn.commit()
    build = time.perf_counter() - started
    timings: list[float] = []
    sql = ("SELECT rowid, title, snippet(docs, 1, '<mark>', '</mark>', '…', 24) FROM docs "
           "WHERE docs MATCH ? ORDER BY bm25(docs, 2.0, 1.0) LIMIT 20")
    for q in queries:
        match = " AND ".join(f'"{w}"' for w in re.findall(r"\w+", q))
        started = time.perf_counter()
        rows = conn.execute(sql, (match,)).fetchall()
        conn.execute("SELECT count(*) FROM docs WHERE docs MATCH ?", (match,)).fetchone()
        timings.append((time.perf_counter() - started) * 1000)
        assert rows is not None
    conn.close()
    return {"p50": statistics.median(timings), "p95": percentile(timings, 95),
            "build_rate": len(texts) / build}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--procs", type=int, default=1, help="rebuild indexing processes")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    from flask_migrate import upgrade

    from app import create_app
    from app.search import facade

    folder = Path(tempfile.mkdtemp(prefix="agora-search-bench-"))
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {platform.system()} {platform.release()}")
    print(f"folder: {folder}")
    app = create_app({
        "TESTING": True, "ENV_NAME": "testing", "SECRET_KEY": "bench", "INSTANCE_PATH": str(folder),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.db'}", "SERVER_NAME": "localhost",
        "PAGE_CACHE_ENABLED": False,
    })
    try:
        with app.app_context():
            upgrade(revision="heads")
        corpus = Corpus()
        started = time.perf_counter()
        texts = fill_database(app, corpus, args.docs)
        print(f"corpus: {len(texts)} documents of ~{WORDS_PER_DOC} words in {len(LANGS)} "
              f"languages, written to SQLite in {time.perf_counter() - started:.0f}s")

        with app.app_context():
            result = facade.rebuild(procs=args.procs)
        print(f"rebuild: {result.documents} docs in {result.seconds:.1f}s = "
              f"{result.rate:.0f} docs/s (procs={args.procs})")

        queries = [corpus.query() for _ in range(args.queries)]
        whoosh = bench_whoosh_queries(app, queries)
        print(f"whoosh query (facade.search: parse, search, DB re-check, highlight 20): "
              f"p50 {whoosh['p50']:.1f} ms, p95 {whoosh['p95']:.1f} ms, max {whoosh['max']:.1f} ms "
              f"(median hits {whoosh['median_hits']:.0f})")
        fts = bench_fts5(texts, queries, folder)
        print(f"sqlite fts5 reference (bm25 top 20 + snippet + count): p50 {fts['p50']:.1f} ms, "
              f"p95 {fts['p95']:.1f} ms; fts5 build {fts['build_rate']:.0f} docs/s")
        files = [p for p in (folder / "search-index").rglob("*") if p.is_file()]
        cached = sum(p.stat().st_size for p in files if "postings-cache" in p.parts)
        size = sum(p.stat().st_size for p in files) - cached
        print(f"index size: {size / 1e6:.0f} MB (+ {cached / 1e6:.0f} MB of decoded postings "
              f"cached by the queries)")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
