"""Seed a realistic Agora dataset into a fresh instance folder, fast.

    .venv/bin/python bench/seed.py --instance bench/results/instance-1x --scale 1
    .venv/bin/python bench/seed.py --instance /tmp/x --tiny      # for the smoke test

At scale 1: 2,000 members, 10,000 articles with one to three language versions
(mixed languages, weighted to en/fr/de/es/it/pl) and 0-60 comments each,
2,000 discussions with 50,000 replies, tags and themes. The schema comes from
`flask db upgrade heads`; rows go in with SQLAlchemy Core executemany in a few
big transactions (the ORM would take an hour). Denormalized columns
(comment_count, reply_count, last_activity_at, summaries) are computed here,
exactly as the services would keep them.

Two known items are the pages the benchmark measures: article KNOWN_ARTICLE_ID
(3 versions, exactly 20 visible comments) and discussion KNOWN_DISCUSSION_ID
(exactly 100 visible replies). Their ids, the bench member's login and the
timings are written to <instance>/bench-meta.json for bench/run.py.

Then `flask search rebuild` builds the search index when that command exists.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import shutil
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from slugify import slugify

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(ROOT))

from words import COMMON_SEARCH_WORD, FIRST_NAMES, GLUE, LAST_NAMES, WORDS  # noqa: E402

META_FILE = "bench-meta.json"
BENCH_MEMBER = "benchmember"
BENCH_PASSWORD = "bench-Lantern-42-walrus"
KNOWN_ARTICLE_ID = 1
KNOWN_ARTICLE_LANGUAGES = ("en", "fr", "de")  # original first
KNOWN_ARTICLE_COMMENTS = 20
KNOWN_DISCUSSION_ID = 1
KNOWN_DISCUSSION_REPLIES = 100

# Content languages: the six big ones carry most of the text, as on EPALE.
LANGUAGE_WEIGHTS = {"en": 25, "fr": 12, "de": 12, "es": 10, "it": 8, "pl": 6}
KIND_WEIGHTS = {"blog": 50, "news": 20, "event": 15, "resource": 15}
VERSION_COUNT_WEIGHTS = {1: 50, 2: 30, 3: 20}
TIMEZONES = ["Europe/Paris", "Europe/Berlin", "Europe/Madrid", "Europe/Rome", "Europe/Warsaw",
             "Europe/Dublin", "Europe/Lisbon", "Europe/Athens", "Europe/Helsinki"]
CITIES = ["Lyon", "Leipzig", "Valencia", "Bologna", "Kraków", "Porto", "Ghent", "Tartu", "Cork"]
FLUSH_ROWS = 20_000  # rows buffered per table before an executemany


@dataclass
class Plan:
    members: int
    articles: int
    discussions: int
    replies: int  # discussion replies in total
    max_comments: int  # per article (uniform 0..max)
    tags: int

    @classmethod
    def for_scale(cls, scale: float) -> Plan:
        return cls(members=round(2000 * scale), articles=round(10_000 * scale),
                   discussions=round(2000 * scale), replies=round(50_000 * scale),
                   max_comments=60, tags=300)

    @classmethod
    def tiny(cls) -> Plan:
        return cls(members=20, articles=30, discussions=10, replies=150, max_comments=8, tags=20)


# -- text ------------------------------------------------------------------------------

class TextMaker:
    """Sentences from per-language word lists (seeded, so runs are reproducible)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def words(self, lang: str, n: int) -> list[str]:
        vocab = WORDS.get(lang) or WORDS["en"]
        glue = GLUE.get(lang)
        out = self.rng.choices(vocab, k=n)
        if glue:  # about one word in four is a connecting word
            for i in range(1, n, 4):
                out[i] = self.rng.choice(glue)
        return out

    def sentence(self, lang: str, n: int) -> str:
        w = self.words(lang, n)
        return " ".join(w)[:1].upper() + " ".join(w)[1:] + "."

    def paragraph(self, lang: str, n_words: int) -> str:
        parts, left = [], n_words
        while left > 0:
            k = min(left, self.rng.randint(8, 18))
            parts.append(self.sentence(lang, k))
            left -= k
        return " ".join(parts)

    def title(self, lang: str) -> str:
        return self.sentence(lang, self.rng.randint(4, 9)).rstrip(".")

    def article_body(self, lang: str, words: int = 300) -> tuple[str, str]:
        """(sanitized-looking HTML, its first paragraph as plain text)."""
        paras = [self.paragraph(lang, words // 5) for _ in range(5)]
        first = paras[0]
        strong = self.rng.choice(WORDS.get(lang) or WORDS["en"])
        html_parts = [f"<p>{paras[0]}</p>", f"<h2>{self.title(lang)}</h2>",
                      f"<p>{paras[1]} <strong>{strong}</strong></p>",
                      f"<p>{paras[2]}</p>",
                      "<ul><li>" + "</li><li>".join(self.words(lang, 3)) + "</li></ul>",
                      f'<p>{paras[3]} <a href="https://example.org/{strong}" '
                      f'rel="nofollow ugc noopener">{strong}</a></p>',
                      f"<blockquote><p>{paras[4]}</p></blockquote>"]
        return "".join(html_parts), first

    def comment_body(self, lang: str) -> str:
        # clean_comment_text's output shape: escaped text in paragraphs.
        n = self.rng.choice((1, 1, 1, 2, 3))
        return "".join(f"<p>{self.paragraph(lang, self.rng.randint(8, 40))}</p>"
                       for _ in range(n))


def summary_of(text: str, length: int = 200) -> str:
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0] + "…"


def pick_weighted(rng: random.Random, weights: dict[Any, float]) -> Any:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


# -- the seeder --------------------------------------------------------------------------

class Seeder:
    def __init__(self, conn: Any, tables: dict[str, Any], plan: Plan, languages: list[str],
                 themes: list[str], rng: random.Random, password_hash: str) -> None:
        self.conn = conn
        self.t = tables
        self.plan = plan
        self.rng = rng
        self.text = TextMaker(rng)
        self.themes = themes
        self.password_hash = password_hash
        self.now = datetime.now(UTC).replace(microsecond=0)
        # Every configured language appears; the big six dominate.
        self.lang_weights = {code: LANGUAGE_WEIGHTS.get(code, 1.5) for code in languages}
        self.buffers: dict[str, list[dict]] = {}
        self.counts: Counter[str] = Counter()
        self.comment_id = 0

    # -- buffered inserts, flushed in foreign-key order
    ORDER = ("users", "tags", "articles", "article_translations", "article_themes",
             "article_tags", "discussions", "discussion_themes", "discussion_tags", "comments")

    def add(self, table: str, row: dict) -> None:
        self.buffers.setdefault(table, []).append(row)

    def maybe_flush(self) -> None:
        """Called between items, never mid-item: a comment never precedes its article."""
        if any(len(rows) >= FLUSH_ROWS for rows in self.buffers.values()):
            self.flush()

    def flush(self) -> None:
        for name in self.ORDER:
            rows = self.buffers.get(name)
            if rows:
                self.conn.execute(self.t[name].insert(), rows)
                self.counts[name] += len(rows)
                self.buffers[name] = []

    def ago(self, max_days: float, min_days: float = 0.0) -> datetime:
        return self.now - timedelta(seconds=self.rng.uniform(min_days, max_days) * 86400)

    def language(self) -> str:
        return pick_weighted(self.rng, self.lang_weights)

    def languages(self, k: int, first: str) -> list[str]:
        chosen = [first]
        while len(chosen) < k:
            code = self.language()
            if code not in chosen:
                chosen.append(code)
        return chosen

    def author(self) -> int:
        return self.rng.randint(1, self.plan.members)

    # -- members
    def users(self) -> None:
        interface = ["en", "fr", "de", "es", "it", "pl", "pt", "nl"]
        for uid in range(1, self.plan.members + 1):
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
            username = BENCH_MEMBER if uid == 1 else f"{first.lower()}{uid}"
            role = "admin" if uid == 2 else ("moderator" if uid % 200 == 3 else "member")
            self.add("users", {
                "id": uid, "username": username, "email": f"{username}@bench.agora.example",
                # One scrypt hash for everyone: hashing 2,000 passwords would take minutes.
                "password_hash": self.password_hash,
                "display_name": f"{first} {last}", "bio": "", "organisation": "",
                "country": "", "preferred_language": self.rng.choice(interface),
                "timezone": self.rng.choice(["", *TIMEZONES]), "role": role,
                "is_active": True, "session_token": secrets.token_hex(24),
                "created_at": self.ago(1500, 1100), "deleted_at": None,
            })

    def tags(self) -> None:
        en = WORDS["en"]
        names: list[str] = []
        while len(names) < self.plan.tags:
            name = slugify(f"{self.rng.choice(en)} {self.rng.choice(en)}", allow_unicode=True)
            if name not in names:
                names.append(name)
        for i, name in enumerate(names, 1):
            self.add("tags", {"id": i, "name": name})

    # -- articles, their versions and comments
    def articles(self) -> None:
        for aid in range(1, self.plan.articles + 1):
            known = aid == KNOWN_ARTICLE_ID
            if known:
                langs = list(KNOWN_ARTICLE_LANGUAGES)
                published = self.ago(3, 2)
                status, kind = "published", "blog"
            else:
                k = pick_weighted(self.rng, VERSION_COUNT_WEIGHTS)
                langs = self.languages(k, self.language())
                published = self.ago(1100)
                roll = self.rng.random()
                status = "draft" if roll < 0.02 else ("review" if roll < 0.03 else "published")
                kind = pick_weighted(self.rng, KIND_WEIGHTS)
            author = 1 if known else self.author()
            visible = self.comments_for_article(aid, published, langs[0], status, known)
            event = self.event_fields(kind)
            self.add("articles", {
                "id": aid, "author_id": author, "kind": kind, "original_language": langs[0],
                "status": status, "rejection_reason": "", "comments_open": True,
                "hidden_at": None, "created_at": published - timedelta(hours=2),
                "published_at": published if status == "published" else None,
                "updated_at": published, "original_version": 1, "comment_count": visible,
                **event,
            })
            for lang in langs:
                self.translation(aid, lang, author, published)
            for theme in self.rng.sample(self.themes, self.rng.randint(1, 2)):
                self.add("article_themes", {"article_id": aid, "theme": theme})
            for tag_id in self.rng.sample(range(1, self.plan.tags + 1), self.rng.randint(0, 4)):
                self.add("article_tags", {"article_id": aid, "tag_id": tag_id})
            self.maybe_flush()

    def event_fields(self, kind: str) -> dict:
        if kind != "event":
            return {"event_start_utc": None, "event_end_utc": None, "event_timezone": "",
                    "venue": "", "is_online": False, "online_url": "", "registration_url": ""}
        start = (self.now + timedelta(days=self.rng.uniform(-300, 120))).replace(
            minute=0, second=0)
        online = self.rng.random() < 0.3
        return {"event_start_utc": start, "event_end_utc": start + timedelta(hours=3),
                "event_timezone": self.rng.choice(TIMEZONES),
                "venue": "" if online else f"Learning centre, {self.rng.choice(CITIES)}",
                "is_online": online,
                "online_url": "https://meet.example.org/agora" if online else "",
                "registration_url": "https://example.org/register"}

    def translation(self, aid: int, lang: str, author: int, published: datetime) -> None:
        title = self.text.title(lang)
        body, first = self.text.article_body(lang)
        self.counts["translation_seq"] += 1
        self.add("article_translations", {
            "id": self.counts["translation_seq"], "article_id": aid, "language": lang,
            "title": title,
            "slug": slugify(title, allow_unicode=True, max_length=80, word_boundary=True)
            or "article",
            "summary": summary_of(first), "body_html": body,
            "translator_id": author if self.rng.random() < 0.6 else self.author(),
            "source_version": 1, "created_at": published, "updated_at": published,
        })

    def comments_for_article(self, aid: int, published: datetime, lang: str, status: str,
                             known: bool) -> int:
        if status != "published":
            return 0
        n = KNOWN_ARTICLE_COMMENTS if known else self.rng.randint(0, self.plan.max_comments)
        return self.comment_rows(n, published, lang, article_id=aid, exact=known)[0]

    def comment_rows(self, n: int, since: datetime, lang: str, *, article_id: int | None = None,
                     discussion_id: int | None = None, exact: bool = False
                     ) -> tuple[int, datetime | None]:
        """n comments after `since`; returns (visible count, last visible created_at).

        About 1% are hidden by a moderator and 0.5% deleted (not counted); a
        quarter answer an earlier top-level comment. With `exact`, all are visible.
        """
        span = max((self.now - since).total_seconds(), 60.0)
        times = sorted(since + timedelta(seconds=self.rng.uniform(30, span)) for _ in range(n))
        top_level: list[int] = []
        visible, last = 0, None
        for created in times:
            self.comment_id += 1
            cid = self.comment_id
            parent = None
            if top_level and self.rng.random() < 0.25:
                parent = self.rng.choice(top_level)
            else:
                top_level.append(cid)
            roll = 1.0 if exact else self.rng.random()
            hidden = created + timedelta(hours=1) if roll < 0.01 else None
            deleted = created + timedelta(hours=2) if 0.01 <= roll < 0.015 else None
            if hidden is None and deleted is None:
                visible += 1
                last = created
            self.add("comments", {
                "id": cid, "author_id": self.author(), "article_id": article_id,
                "discussion_id": discussion_id, "parent_id": parent,
                "body_html": self.text.comment_body(lang), "created_at": created,
                "edited_at": None, "hidden_at": hidden, "deleted_at": deleted,
            })
        return visible, last

    # -- discussions and replies
    def reply_plan(self) -> list[int]:
        """Replies per discussion: the known one gets exactly 100, the rest share the total."""
        d = self.plan.discussions
        counts = [0] * (d + 1)
        counts[KNOWN_DISCUSSION_ID] = KNOWN_DISCUSSION_REPLIES
        others = [i for i in range(1, d + 1) if i != KNOWN_DISCUSSION_ID]
        left = max(self.plan.replies - KNOWN_DISCUSSION_REPLIES, 0)
        if others and left:
            weights = [self.rng.expovariate(1.0) for _ in others]  # a few busy, many quiet
            for i, c in Counter(self.rng.choices(others, weights=weights, k=left)).items():
                counts[i] = c
        return counts

    def discussions(self) -> None:
        counts = self.reply_plan()
        for did in range(1, self.plan.discussions + 1):
            known = did == KNOWN_DISCUSSION_ID
            lang = "en" if known else self.language()
            created = self.ago(10, 5) if known else self.ago(900)
            title = self.text.title(lang)
            text = self.text.paragraph(lang, self.rng.randint(60, 160))
            body = f"<p>{text}</p>"
            visible, last = self.comment_rows(counts[did], created, lang, discussion_id=did,
                                              exact=known)
            roll = self.rng.random()
            self.add("discussions", {
                "id": did, "author_id": self.author(), "language": lang, "title": title,
                "slug": slugify(title, max_length=80, word_boundary=True) or "discussion",
                "body_html": body, "summary": summary_of(text),
                "opens_at": None, "closes_at": None,
                "locked": (not known) and roll < 0.02,
                "pinned": (not known) and did % 400 == 7,
                "hidden_at": None if known or roll > 0.005 else created + timedelta(days=1),
                "reply_count": visible, "last_activity_at": last or created,
                "created_at": created, "updated_at": created,
            })
            for theme in self.rng.sample(self.themes, self.rng.randint(0, 2)):
                self.add("discussion_themes", {"discussion_id": did, "theme": theme})
            for tag_id in self.rng.sample(range(1, self.plan.tags + 1), self.rng.randint(0, 3)):
                self.add("discussion_tags", {"discussion_id": did, "tag_id": tag_id})
            self.maybe_flush()


# -- orchestration ---------------------------------------------------------------------

def fresh_instance(instance: Path, force: bool) -> None:
    if instance.exists() and any(instance.iterdir()):
        if not force:
            raise SystemExit(f"{instance} is not empty: pass --force to wipe it")
        shutil.rmtree(instance)
    instance.mkdir(parents=True, exist_ok=True)


def make_app(instance: Path) -> Any:
    os.environ["AGORA_INSTANCE_PATH"] = str(instance)
    # The benchmark's database is the instance's SQLite file, never a DATABASE_URL
    # (the test suite's PostgreSQL pass sets one).
    os.environ.pop("DATABASE_URL", None)
    from app import create_app

    return create_app({"PAGE_CACHE_ENABLED": False})


def migrate(app: Any) -> float:
    """`flask db upgrade heads`, in this process (a second interpreter costs seconds)."""
    from flask_migrate import upgrade

    started = time.perf_counter()
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision="heads")
    return time.perf_counter() - started


def insert_rows(app: Any, plan: Plan, seed: int, echo: Any) -> dict:
    from werkzeug.security import generate_password_hash

    from app.extensions import db

    with app.app_context():
        tables = db.metadata.tables
        languages = list(app.config["LANGUAGES"])
        themes = list(app.config["THEMES"])
        password_hash = generate_password_hash(BENCH_PASSWORD, method="scrypt")
        timings: dict[str, float] = {}
        with db.engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                # A throwaway dataset: no fsync per transaction while loading it.
                conn.exec_driver_sql("PRAGMA synchronous=OFF")
                conn.commit()
            seeder = Seeder(conn, tables, plan, languages, themes, random.Random(seed),
                            password_hash)
            for step in ("users", "tags", "articles", "discussions"):
                started = time.perf_counter()
                with conn.begin():
                    getattr(seeder, step)()
                    seeder.flush()
                timings[step] = round(time.perf_counter() - started, 2)
                echo(f"  {step:<12} {timings[step]:6.1f} s")
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("ANALYZE")  # planner statistics, as a live site has
                conn.commit()
        counts = {k: v for k, v in seeder.counts.items() if k != "translation_seq"}
        db.engine.dispose()
    return {"timings": timings, "rows": counts}


def build_search(app: Any, echo: Any) -> dict:
    """`flask search rebuild` when the search area provides it (run in this process)."""
    group = app.cli.commands.get("search")
    if group is None or "rebuild" not in getattr(group, "commands", {}):
        echo("  search: `flask search rebuild` does not exist yet; skipped")
        return {"available": False}
    started = time.perf_counter()
    result = app.test_cli_runner().invoke(args=["search", "rebuild"])
    seconds = time.perf_counter() - started
    if result.exit_code != 0:
        detail = result.output.strip()[-800:] or repr(result.exception)
        echo(f"  search rebuild FAILED ({result.exit_code}): {detail}")
        return {"available": False, "error": detail}
    docs = count_search_documents(app)
    echo(f"  search rebuild {seconds:6.1f} s, {docs} documents, {docs / seconds:,.0f} docs/s")
    return {"available": True, "seconds": round(seconds, 2), "documents": docs,
            "docs_per_s": round(docs / seconds, 1), "output": result.output.strip()[-300:]}


def count_search_documents(app: Any) -> int:
    """What the index should hold, counted by the search area's own rule (visible
    versions, discussions, and visible comments on a visible page)."""
    from app.extensions import db
    from app.search.documents import count_documents

    with app.app_context():
        return count_documents(db.session)


def seed(instance: Path, *, scale: float = 1.0, tiny: bool = False, force: bool = False,
         search: bool = True, seed_value: int = 42, echo: Any = print) -> dict:
    plan = Plan.tiny() if tiny else Plan.for_scale(scale)
    instance = instance.resolve()
    fresh_instance(instance, force)
    echo(f"Seeding {instance} ({'tiny' if tiny else f'{scale:g}x'}): {asdict(plan)}")
    total = time.perf_counter()
    app = make_app(instance)
    migrate_s = migrate(app)
    echo(f"  migrate      {migrate_s:6.1f} s")
    result = insert_rows(app, plan, seed_value, echo)
    seed_s = time.perf_counter() - total
    echo(f"  seeded in {seed_s:.1f} s; rows: {dict(result['rows'])}")
    search_info = (build_search(app, echo) if search
                   else {"available": False, "skipped": True})
    meta = {
        "scale": "tiny" if tiny else scale, "plan": asdict(plan), "seed": seed_value,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "migrate_s": round(migrate_s, 2), "seed_s": round(seed_s, 2), **result,
        "db_bytes": (instance / "agora.db").stat().st_size,
        "known": {"article_id": KNOWN_ARTICLE_ID, "article_languages": KNOWN_ARTICLE_LANGUAGES,
                  "article_comments": KNOWN_ARTICLE_COMMENTS,
                  "discussion_id": KNOWN_DISCUSSION_ID,
                  "discussion_replies": KNOWN_DISCUSSION_REPLIES},
        "member": {"username": BENCH_MEMBER, "password": BENCH_PASSWORD},
        "search": search_info, "search_word": COMMON_SEARCH_WORD,
    }
    (instance / META_FILE).write_text(json.dumps(meta, indent=2))
    return meta


def load_meta(instance: Path) -> dict | None:
    path = instance / META_FILE
    return json.loads(path.read_text()) if path.exists() else None


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--instance", type=Path, help="instance folder (default "
                   "bench/results/instance-<scale>x)")
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--tiny", action="store_true", help="20 members, 30 articles (smoke test)")
    p.add_argument("--force", action="store_true", help="wipe a non-empty instance folder")
    p.add_argument("--no-search", action="store_true", help="skip `flask search rebuild`")
    p.add_argument("--seed", type=int, default=42)
    args = p.parse_args(argv)
    instance = args.instance or default_instance(args.scale, args.tiny)
    seed(instance, scale=args.scale, tiny=args.tiny, force=args.force,
         search=not args.no_search, seed_value=args.seed)
    return 0


def default_instance(scale: float, tiny: bool = False) -> Path:
    return BENCH_DIR / "results" / ("instance-tiny" if tiny else f"instance-{scale:g}x")


if __name__ == "__main__":
    raise SystemExit(main())
