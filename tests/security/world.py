"""A small, complete world for the security tests: every role and every kind of item.

Built through the real services in one transaction (one commit, one index drain), so a
fresh world per test stays cheap. `World` holds plain ids, never ORM objects: tests
make requests in other app contexts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, text

from app.articles import services as articles
from app.articles.models import ArticleTranslation
from app.auth.models import User
from app.comments.services import post_comment
from app.db_types import utcnow
from app.discussions.models import Discussion
from app.discussions.services import create_discussion
from app.extensions import db
from app.moderation.models import Report
from app.notifications.models import Notification
from app.search import facade

ROLES = ("anonymous", "member", "owner", "moderator", "admin")
# A word no fixture text contains by chance: searching it finds exactly our items.
MARKER = "quokkafjord"


@dataclass
class World:
    users: dict[str, int] = field(default_factory=dict)  # role -> user id
    tokens: dict[str, str] = field(default_factory=dict)  # role -> session token
    ids: dict[str, int] = field(default_factory=dict)  # item name -> id
    slugs: dict[str, str] = field(default_factory=dict)  # item name -> canonical slug

    def values(self) -> dict[str, object]:
        """Placeholders for URL templates: item ids, slugs, `user_<role>` ids."""
        out: dict[str, object] = dict(self.ids)
        out.update({f"{k}_slug": v for k, v in self.slugs.items()})
        out.update({f"user_{k}": v for k, v in self.users.items()})
        return out


def _article(author: User, title: str, *, publish: bool = True, kind: str = "blog",
             **event) -> int:
    data = articles.ArticleInput(
        kind=kind, original_language="en",
        text=articles.VersionText(title, "", f"<p>{title}: {MARKER} body text.</p>"),
        tags="adult-learning", **event,
    )
    return articles.create_article(author, data, publish=publish).id


def build_world(password_hash: str) -> World:
    """Owner's items (public, draft, hidden, in review, event), a discussion, replies,
    a hidden discussion, a report and notifications for two members."""
    w = World()
    people = {}
    for role, username in (("owner", "olga"), ("member", "mark"), ("moderator", "mona"),
                           ("admin", "adam"), ("inactive", "ida")):
        user = User(username=username, email=f"{username}@example.org",
                    password_hash=password_hash, preferred_language="en",
                    role=role if role in ("moderator", "admin") else "member",
                    display_name=f"{username.title()} Example")
        db.session.add(user)
        people[role] = user
    db.session.flush()
    owner, member = people["owner"], people["member"]

    ids = w.ids
    ids["pub"] = _article(owner, f"Public article about {MARKER}")
    ids["draft"] = _article(owner, f"Draft article about {MARKER}", publish=False)
    ids["hidden"] = _article(owner, f"Hidden article about {MARKER}")
    ids["review"] = _article(owner, f"Reviewed article about {MARKER}", publish=False)
    start = datetime(2031, 5, 4, 10, 0)
    ids["event"] = _article(owner, f"Event about {MARKER}", kind="event",
                            event_start_local=start, event_end_local=start + timedelta(hours=2),
                            event_timezone="Europe/Paris", venue="Town library")
    db.session.flush()
    from app.articles.models import Article

    pub = db.session.get(Article, ids["pub"])
    ids["c_owner"] = post_comment(owner, f"Owner comment {MARKER}", article=pub).id
    ids["c_member"] = post_comment(member, f"Member comment {MARKER}", article=pub).id
    c_hidden = post_comment(member, f"Hidden comment {MARKER}", article=pub)
    ids["c_hidden"] = c_hidden.id

    d = create_discussion(owner, title=f"Discussion about {MARKER}",
                          body=f"<p>Opening post {MARKER}</p>", language="en")
    ids["disc"] = d.id
    ids["r_owner"] = post_comment(owner, f"Owner reply {MARKER}", discussion=d).id
    ids["r_member"] = post_comment(member, f"Member reply {MARKER}", discussion=d).id
    md = create_discussion(member, title=f"Member discussion {MARKER}",
                           body=f"<p>Member opening {MARKER}</p>", language="en")
    ids["disc_member"] = md.id
    post_comment(owner, f"Owner answers {MARKER}", discussion=md)
    hd = create_discussion(owner, title=f"Hidden discussion {MARKER}",
                           body=f"<p>Hidden opening {MARKER}</p>", language="en")
    ids["disc_hidden"] = hd.id
    db.session.flush()

    now = utcnow()
    db.session.get(Article, ids["hidden"]).hidden_at = now
    db.session.get(Article, ids["review"]).status = "review"
    hd.hidden_at = now
    people["inactive"].is_active_flag = False
    from app.comments.services import hide_comment

    hide_comment(c_hidden, people["moderator"], "off topic")
    report = Report(reporter_id=member.id, target_type="article", target_id=ids["pub"],
                    reason="Looks like spam to me", status="open", created_at=now)
    db.session.add(report)
    db.session.flush()
    ids["report"] = report.id
    db.session.commit()
    facade.sync(wait=5)

    for name in ("pub", "draft", "hidden", "review", "event"):
        w.slugs[name] = db.session.scalar(
            select(ArticleTranslation.slug).where(ArticleTranslation.article_id == ids[name]))
    for name in ("disc", "disc_member", "disc_hidden"):
        w.slugs[name] = db.session.get(Discussion, ids[name]).slug
    for role, user in people.items():
        w.users[role] = user.id
        w.tokens[role] = user.session_token
    # Both members have unread notifications (replies in their discussions).
    for role in ("owner", "member"):
        count = db.session.scalar(select(db.func.count()).select_from(Notification)
                                  .where(Notification.user_id == w.users[role]))
        assert count, f"the world should give {role} a notification"
    return w


def login_as(client, world: World, role: str) -> None:  # noqa: ANN001
    """The client is now `role` (anonymous: no session)."""
    with client.session_transaction() as session:
        session.clear()
        if role != "anonymous":
            session["_user_id"] = world.tokens[role]
            session["_fresh"] = True


# -- "nothing changed": the whole database and the whole search index ---------------------

def db_snapshot() -> dict[str, list[tuple]]:
    """Every row of every table (the fixtures are small: this is cheap and leaves no gap)."""
    db.session.expire_all()
    snap = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(text(f'SELECT * FROM "{table.name}"')).all()
        snap[table.name] = sorted(tuple(map(repr, r)) for r in rows)
    return snap


def index_snapshot() -> tuple[int, dict[str, str], list[str]]:
    """(document count, {doc id: stamp}, ids found for the marker word) after a full drain."""
    from flask import current_app

    from app.search.outbox import index_root
    from app.search.store import open_index

    facade.sync(wait=5)
    ix = open_index(index_root(current_app))
    with ix.searcher() as searcher:
        stamps = {f["id"]: f.get("stamp", "") for f in searcher.reader().all_stored_fields()}
        count = searcher.doc_count()
    found = []
    page = 1
    while True:
        result = facade.search(MARKER, page=page, lang="en")
        found += [r.item.doc_id for r in result.results]
        if not result.has_next:
            break
        page += 1
    return count, stamps, sorted(found)


def full_snapshot() -> tuple:
    return db_snapshot(), index_snapshot()


def diff(before: tuple, after: tuple) -> str:
    """A short description of what changed, for assertion messages."""
    lines = []
    db_before, ix_before = before
    db_after, ix_after = after
    for name in db_before:
        if db_before[name] != db_after.get(name):
            lines.append(f"table {name}: {len(db_before[name])} -> {len(db_after[name])} rows "
                         f"(changed rows differ)")
    if ix_before != ix_after:
        lines.append(f"index: {ix_before[0]} -> {ix_after[0]} documents; "
                     f"{set(ix_before[1].items()) ^ set(ix_after[1].items())}")
    return "; ".join(lines) or "no change"
