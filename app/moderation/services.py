"""Moderation logic: the action log, reports, hiding content and the article review queue.

Every moderator action writes a ModerationAction row in the same transaction as the
change it records. Services never commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.articles.models import Article
from app.auth.models import User
from app.comments import services as comments
from app.comments.models import Comment
from app.db_types import utcnow
from app.discussions.models import Discussion
from app.extensions import db
from app.moderation.models import TARGET_TYPES, ModerationAction, Report

REPORT_DECISIONS = ("hide", "dismiss")
REVIEW_DECISIONS = ("approve", "reject")
LOG_PER_PAGE = 50


class ModerationError(ValueError):
    """A request that cannot be carried out; str(err) is a user-facing message."""


def log_action(moderator: User, action: str, target_type: str, target_id: int,
               note: str = "") -> ModerationAction:
    entry = ModerationAction(moderator_id=moderator.id, action=action, target_type=target_type,
                             target_id=target_id, note=note, created_at=utcnow())
    db.session.add(entry)
    return entry


# -- targets -------------------------------------------------------------------------

@dataclass
class Target:
    """What a report or log entry points at, ready to show."""

    title: str
    url: str
    hidden: bool
    excerpt: str = ""


def load_target(target_type: str, target_id: int) -> Article | Comment | Discussion | None:
    model = {"article": Article, "comment": Comment, "discussion": Discussion}.get(target_type)
    return db.session.get(model, target_id) if model is not None else None


def describe_targets(pairs: list[tuple[str, int]], language: str) -> dict[tuple[str, int], Target]:
    """Titles and links of many reported or moderated items, in a fixed number of queries."""
    from app.discussions.services import article_url, discussion_url, reply_permalink
    from app.sanitize import html_to_text

    ids = {t: {i for tt, i in pairs if tt == t} for t in TARGET_TYPES}
    found_comments = {c.id: c for c in db.session.scalars(
        select(Comment).where(Comment.id.in_(ids["comment"])))} if ids["comment"] else {}
    discussion_ids = ids["discussion"] | {
        c.discussion_id for c in found_comments.values() if c.discussion_id}
    article_ids = ids["article"] | {c.article_id for c in found_comments.values() if c.article_id}
    discussions = {d.id: d for d in db.session.scalars(
        select(Discussion).where(Discussion.id.in_(discussion_ids)))} if discussion_ids else {}
    articles = {a.id: a for a in db.session.scalars(
        select(Article).options(selectinload(Article.translations))
        .where(Article.id.in_(article_ids)))} if article_ids else {}

    out: dict[tuple[str, int], Target] = {}
    for d in discussions.values():
        if d.id in ids["discussion"]:
            out[("discussion", d.id)] = Target(d.title, discussion_url(d), d.hidden_at is not None,
                                               d.summary)
    for a in articles.values():
        if a.id in ids["article"] and a.translations:
            out[("article", a.id)] = Target(a.best_version(language).title,
                                            article_url(a, language), a.hidden_at is not None)
    for c in found_comments.values():
        excerpt = html_to_text(c.body_html)[:200]
        hidden = c.hidden_at is not None or c.deleted_at is not None
        if c.discussion_id in discussions:
            title = str(_l("Reply in “%(title)s”", title=discussions[c.discussion_id].title))
            out[("comment", c.id)] = Target(title, reply_permalink(c.id), hidden, excerpt)
        elif c.article_id in articles and articles[c.article_id].translations:
            a = articles[c.article_id]
            title = str(_l("Comment on “%(title)s”", title=a.best_version(language).title))
            url = article_url(a, language) + f"#comment-{c.id}"
            out[("comment", c.id)] = Target(title, url, hidden, excerpt)
    return out


def _visible_to(user: User, item: Article | Comment | Discussion) -> bool:
    if user.is_moderator:
        return True
    if isinstance(item, Article):
        return item.is_visible or item.author_id == user.id
    if isinstance(item, Comment):
        if not item.is_visible:
            return False
        # A comment is only as visible as the article or discussion it sits under.
        if item.article_id is not None:
            parent = db.session.get(Article, item.article_id)
        else:
            parent = db.session.get(Discussion, item.discussion_id)
        return parent is not None and _visible_to(user, parent)
    return item.hidden_at is None


def visible_target(user: User, target_type: str, target_id: int):  # noqa: ANN201
    """The article, comment or discussion if `user` may see it, else None."""
    item = load_target(target_type, target_id)
    if item is None or not _visible_to(user, item):
        return None
    return item


# -- reports -------------------------------------------------------------------------

def file_report(reporter: User, target_type: str, target_id: int, reason: str) -> Report:
    """A member flags a post for moderators. Raises ModerationError for unknown targets."""
    item = load_target(target_type, target_id)
    if item is None or not _visible_to(reporter, item):
        raise ModerationError(_l("This post does not exist or is no longer available."))
    report = Report(reporter_id=reporter.id, target_type=target_type, target_id=target_id,
                    reason=reason.strip(), status="open", created_at=utcnow())
    db.session.add(report)
    return report


def open_reports(limit: int = 100) -> list[Report]:
    return list(db.session.scalars(
        select(Report).options(selectinload(Report.reporter))
        .where(Report.status == "open")
        .order_by(Report.created_at, Report.id)
        .limit(limit)
    ))


def resolve_report(report: Report, moderator: User, decision: str, note: str = "") -> None:
    """Hide the reported post (and close the report) or dismiss the report; both are logged."""
    if decision not in REPORT_DECISIONS:
        raise ValueError(decision)
    if report.status != "open":
        raise ModerationError(_l("This report has already been handled."))
    if decision == "hide":
        hide_target(moderator, report.target_type, report.target_id, note or report.reason)
    report.status = "resolved" if decision == "hide" else "dismissed"
    report.resolved_at = utcnow()
    report.resolved_by_id = moderator.id
    log_action(moderator, "resolve_report" if decision == "hide" else "dismiss_report",
               "report", report.id,
               note or f"{report.target_type} #{report.target_id}: {report.reason}"[:500])


# -- hiding ----------------------------------------------------------------------------

def hide_target(moderator: User, target_type: str, target_id: int, note: str = "",
                hide: bool = True) -> None:
    """Hide (or unhide) an article, comment or discussion; logged by whichever service acts."""
    from app.discussions.services import moderate

    item = load_target(target_type, target_id)
    if item is None:
        raise ModerationError(_l("This post does not exist or is no longer available."))
    if isinstance(item, Comment):
        (comments.hide_comment if hide else comments.unhide_comment)(item, moderator, note)
    elif isinstance(item, Discussion):
        moderate(item, moderator, "hide" if hide else "unhide", note)
    elif (item.hidden_at is None) == hide:
        item.hidden_at = utcnow() if hide else None
        log_action(moderator, "hide" if hide else "unhide", "article", item.id, note)


# -- article review --------------------------------------------------------------------

def review_queue(limit: int = 100) -> list[Article]:
    return list(db.session.scalars(
        select(Article)
        .options(selectinload(Article.translations), selectinload(Article.author))
        .where(Article.status == "review")
        .order_by(Article.updated_at, Article.id)
        .limit(limit)
    ))


def review_article(article: Article, moderator: User, decision: str, reason: str = "") -> None:
    """Approve or reject an article waiting for review (reject needs a reason)."""
    if decision not in REVIEW_DECISIONS:
        raise ValueError(decision)
    if article.status != "review":
        raise ModerationError(_l("This article is not waiting for review."))
    reason = reason.strip()
    if decision == "reject" and not reason:
        raise ModerationError(_l("Say why the article is rejected."))
    # The articles area owns what publishing means (dates, search, notices); call it
    # at request time so the two areas stay independent.
    from app.articles import services as articles

    if decision == "approve":
        approve = getattr(articles, "approve_article", None)
        if approve is not None:
            approve(article, moderator)  # logs the action itself
        else:
            article.status = "published"
            article.published_at = article.published_at or utcnow()
            log_action(moderator, "approve", "article", article.id)
    else:
        reject = getattr(articles, "reject_article", None)
        if reject is not None:
            reject(article, moderator, reason)  # logs the action itself
        else:
            article.status = "rejected"
            article.rejection_reason = reason
            log_action(moderator, "reject", "article", article.id, reason)


# -- the log ------------------------------------------------------------------------

def action_log_query():  # noqa: ANN201
    return (
        select(ModerationAction)
        .options(selectinload(ModerationAction.moderator))
        .order_by(ModerationAction.created_at.desc(), ModerationAction.id.desc())
    )
