"""Discussion pages: list, start, read and reply.

Editing, deleting and hiding a reply go through the shared comment routes
(app/comments/views.py), as for article comments.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.comments import services as comments
from app.discussions import bp
from app.discussions import services as discussions
from app.discussions.forms import DiscussionForm, ReplyForm
from app.discussions.models import Discussion
from app.extensions import db, limiter
from app.i18n import current_lang
from app.taxonomy import theme_label
from app.timeutil import select_timezone
from app.urls import carried_args, page_arg


def _is_moderator() -> bool:
    return current_user.is_authenticated and current_user.is_moderator


def _load_or_404(discussion_id: int) -> Discussion:
    d = discussions.get_discussion(discussion_id, current_user)
    if d is None:
        abort(404)
    return d


def _comment_limit() -> str:
    return current_app.config["RATELIMIT_COMMENT"]


@bp.route("/")
def index():
    languages = current_app.config["LANGUAGES"]
    language = request.args.get("language", "")
    theme = request.args.get("theme", "")
    tag = request.args.get("tag", "")[:60]
    filters = {
        "language": language if language in languages else "",
        "theme": theme if theme in current_app.config["THEMES"] else "",
        "tag": tag,
    }
    page = page_arg()
    stmt = discussions.list_query(include_hidden=_is_moderator(), **filters)
    pagination = db.paginate(stmt, page=page, per_page=discussions.PER_PAGE, error_out=False)
    themes = discussions.themes_of([d.id for d in pagination.items])
    return render_template("discussions/index.html", pagination=pagination, filters=filters,
                           themes_by_id=themes, theme_label=theme_label)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    form = DiscussionForm()
    if request.method == "GET":
        form.language.data = current_lang()
    if form.validate_on_submit():
        d = discussions.create_discussion(
            current_user,
            title=form.title.data,
            body=form.body.data,
            language=form.language.data,
            themes=form.themes.data or [],
            tags=form.tags.data or "",
            opens_at=form.to_utc(form.opens_at.data),
            closes_at=form.to_utc(form.closes_at.data),
        )
        db.session.commit()
        flash(_("Your discussion has started."), "success")
        return redirect(discussions.discussion_url(d))
    status = 422 if request.method == "POST" else 200
    return render_template("discussions/new.html", form=form, zone=select_timezone()), status


@bp.route("/<int:discussion_id>-<slug>")
@bp.route("/<int:discussion_id>", defaults={"slug": None})
def show(discussion_id: int, slug: str | None):
    d = _load_or_404(discussion_id)
    if slug != d.slug:
        return redirect(discussions.discussion_url(d, **carried_args("discussion_id", "slug")),
                        301)
    # Visitors get no form: building one would put a CSRF token in their session,
    # set a cookie and make the page uncacheable for everyone who is not logged in.
    form = ReplyForm() if current_user.is_authenticated else None
    quote_id = request.args.get("quote", type=int)
    if quote_id and form is not None:
        quoted = discussions.get_reply(d, quote_id)
        if quoted is not None and quoted.is_visible:
            form.body.data = discussions.quote_text(quoted)
    return _render_show(d, form)


def _render_show(d: Discussion, form: ReplyForm | None, status: int = 200):  # noqa: ANN202
    from app.notifications.services import is_subscribed

    include_hidden = _is_moderator()
    page = page_arg()
    replies = discussions.replies_page(d, page, include_hidden)
    latest_id = discussions.latest_reply_id(d, include_hidden)
    subscribed = current_user.is_authenticated and is_subscribed(
        current_user.id, "discussion", d.id)
    return render_template(
        "discussions/show.html",
        d=d,
        form=form,
        replies=replies,
        latest_id=latest_id,
        themes=discussions.themes_of([d.id])[d.id],
        theme_label=theme_label,
        state=discussions.reply_state(d),
        subscribed=subscribed,
        page_url=discussions.discussion_url(d, page=page if page > 1 else None),
    ), status


@bp.route("/<int:discussion_id>/replies", methods=["POST"])
@login_required
@limiter.limit(_comment_limit, methods=["POST"])
def reply(discussion_id: int):
    d = _load_or_404(discussion_id)
    if discussions.reply_state(d) != discussions.OPEN or d.hidden_at is not None:
        abort(403)
    form = ReplyForm()
    if form.validate_on_submit():
        try:
            c = discussions.post_reply(d, current_user, form.body.data)
        except discussions.ReplyRefused:
            abort(403)
        except comments.CommentError as err:
            form.body.errors = [str(err)]
        else:
            db.session.commit()
            page = discussions.page_of_reply(c, include_hidden=False)
            return redirect(discussions.discussion_url(d, page=page if page > 1 else None)
                            + f"#comment-{c.id}")
    db.session.rollback()
    return _render_show(d, form, status=422)


@bp.route("/replies/<int:comment_id>")
def reply_permalink(comment_id: int):
    """A reply's address for notifications and reports: its page of the discussion."""
    c = comments.get_comment(comment_id)
    if c is None or c.discussion_id is None or c.deleted_at is not None:
        abort(404)
    if c.hidden_at is not None and not _is_moderator():
        abort(404)
    d = _load_or_404(c.discussion_id)
    page = discussions.page_of_reply(c, include_hidden=_is_moderator())
    return redirect(discussions.discussion_url(d, page=page if page > 1 else None)
                    + f"#comment-{c.id}")
