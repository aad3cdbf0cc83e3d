"""Factories shared by the discussions, moderation and notifications tests.

They go through the real services (and commit), the way the views do.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event, insert

from app.articles.models import Article, ArticleTranslation
from app.auth.models import User
from app.comments.models import Comment
from app.comments.services import post_comment
from app.db_types import utcnow
from app.discussions.models import Discussion
from app.discussions.services import create_discussion
from app.extensions import db


def make_discussion(author: User, title: str = "How do we keep learners motivated?",
                    body: str = "<p>Share what works in your evening classes.</p>",
                    **fields) -> Discussion:
    fields.setdefault("language", "en")
    d = create_discussion(author, title=title, body=body, **fields)
    db.session.commit()
    return d


def add_reply(discussion: Discussion, author: User, body: str = "A reply",
              minutes_ago: int | None = None) -> Comment:
    c = post_comment(author, body, discussion=discussion)
    db.session.commit()
    if minutes_ago is not None:
        c.created_at = utcnow() - timedelta(minutes=minutes_ago)
        db.session.commit()
    return c


def add_replies(discussion: Discussion, author: User, bodies: list[str]) -> list[Comment]:
    """Many replies through the service, one commit (a commit per reply is slow on disk)."""
    replies = [post_comment(author, body, discussion=discussion) for body in bodies]
    db.session.commit()
    return replies


def bulk_replies(discussion: Discussion, author: User, n: int) -> None:
    """n plain reply rows at once, counts set to match (for page-size and query tests)."""
    now = utcnow()
    db.session.execute(insert(Comment), [
        {"author_id": author.id, "discussion_id": discussion.id, "body_html": f"<p>Reply {i}</p>",
         "created_at": now - timedelta(seconds=n - i)} for i in range(n)
    ])
    discussion.reply_count += n
    db.session.commit()


def make_article(author: User, title: str = "Adult learning in rural areas",
                 status: str = "published", language: str = "en",
                 versions: dict[str, str] | None = None) -> Article:
    """An article with its original version and optional translations {lang: title}."""
    now = utcnow()
    article = Article(author_id=author.id, kind="blog", original_language=language,
                      status=status, published_at=now if status == "published" else None,
                      created_at=now, updated_at=now)
    article.translations = [
        ArticleTranslation(language=language, title=title, slug="article",
                           summary=f"Summary of {title}", body_html=f"<p>{title}</p>",
                           created_at=now, updated_at=now)
    ] + [
        ArticleTranslation(language=lang, title=t, slug="version", summary=f"Summary of {t}",
                           body_html=f"<p>{t}</p>", created_at=now, updated_at=now)
        for lang, t in (versions or {}).items()
    ]
    db.session.add(article)
    db.session.commit()
    return article


@contextmanager
def count_queries(app):  # noqa: ANN001, ANN201
    """Count SQL statements sent while the block runs (engine-level listener)."""
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):  # noqa: ANN001
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)
