"""Actions on one comment: edit (author, within the window), delete, hide, unhide.

Each is a POST with CSRF, login required and an explicit permission check; a refused
action answers 403 and changes nothing. After the action the member returns to the
comment on its article or discussion page.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.routing import BuildError

from app.comments import bp, services
from app.comments.models import Comment
from app.extensions import db
from app.i18n import current_lang
from app.permissions import moderator_required

INVALID_FORM = 422


class ActionForm(FlaskForm):
    """Only the CSRF token."""


def get_comment(comment_id: int) -> Comment:
    comment = services.get_comment(comment_id)
    if comment is None or comment.deleted_at is not None:
        abort(404)
    return comment


def item_url(comment: Comment) -> str:
    """The page the comment is shown on, anchored at the comment."""
    anchor = f"#comment-{comment.id}"
    if comment.article_id is not None:
        from app.articles.models import Article
        from app.articles.queries import article_url

        article = db.session.scalar(select(Article).where(Article.id == comment.article_id)
                                    .options(selectinload(Article.translations)))
        if article is not None:
            return article_url(article, current_lang()) + anchor
        return url_for("articles.index")
    from app.discussions.models import Discussion

    discussion = db.session.get(Discussion, comment.discussion_id)
    try:
        if discussion is not None:
            return url_for("discussions.show", discussion_id=discussion.id,
                           slug=discussion.slug) + anchor
    except BuildError:  # the discussion page is not wired in yet
        pass
    return url_for("discussions.index")


def _check_csrf() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


@bp.route("/<int:comment_id>/edit", methods=["GET", "POST"])
@login_required
def edit(comment_id: int):
    comment = get_comment(comment_id)
    if not services.can_edit(current_user, comment):
        abort(403)
    error = None
    body = request.form.get("body", "")
    if request.method == "POST":
        _check_csrf()
        try:
            services.edit_comment(comment, body)
        except services.CommentError as err:
            error = str(err)
        else:
            db.session.commit()
            flash(_("Your comment is updated."), "success")
            return redirect(item_url(comment))
    else:
        from app.sanitize import html_to_text

        body = html_to_text(comment.body_html)
    status = INVALID_FORM if error else 200
    return render_template("comments/edit.html", comment=comment, body=body, error=error,
                           back_url=item_url(comment), max_length=services.MAX_LENGTH,
                           window_minutes=current_app.config["COMMENT_EDIT_WINDOW"] // 60), status


@bp.route("/<int:comment_id>/delete", methods=["POST"])
@login_required
def delete(comment_id: int):
    _check_csrf()
    comment = get_comment(comment_id)
    if not services.can_delete(current_user, comment):
        abort(403)
    services.delete_comment(comment)
    db.session.commit()
    flash(_("The comment is deleted."), "success")
    return redirect(item_url(comment).split("#")[0] + "#comments")


@bp.route("/<int:comment_id>/hide", methods=["POST"])
@moderator_required
def hide(comment_id: int):
    _check_csrf()
    comment = get_comment(comment_id)
    services.hide_comment(comment, current_user, request.form.get("note", "")[:500])
    db.session.commit()
    flash(_("The comment is hidden."), "success")
    return redirect(item_url(comment))


@bp.route("/<int:comment_id>/unhide", methods=["POST"])
@moderator_required
def unhide(comment_id: int):
    _check_csrf()
    comment = get_comment(comment_id)
    services.unhide_comment(comment, current_user, request.form.get("note", "")[:500])
    db.session.commit()
    flash(_("The comment is visible again."), "success")
    return redirect(item_url(comment))


@bp.app_context_processor
def comment_helpers() -> dict:
    """What the comment macros ask of every page (cheap: no queries)."""
    return {
        # The member object itself, not the proxy: these run for every comment shown.
        "comment_can_edit": lambda c: services.can_edit(current_user._get_current_object(), c),
        "comment_can_delete": lambda c: services.can_delete(current_user._get_current_object(), c),
        "comment_report_url": _report_url,
        "comment_action_urls": _action_urls,
        "comment_max_length": services.MAX_LENGTH,
    }


_ID_MARK = 987654321  # stands for the comment id while the URL is built


def _action_urls() -> dict[str, str]:
    """{"edit": "/en/comments/%d/edit", ...}: one url_for per action and page.

    The macros fill in each comment's id with `%`: a url_for per comment and action was
    a measurable share of a member's article page, for URLs that differ only by the id.
    """
    urls = {}
    for action in ("edit", "delete", "hide", "unhide"):
        url = url_for(f"comments.{action}", comment_id=_ID_MARK).replace("%", "%%")
        urls[action] = url.replace(str(_ID_MARK), "%d")
    return urls


def _report_url() -> str | None:
    """The moderation area's report endpoint, or None while it does not exist yet."""
    if "moderation.report" not in current_app.view_functions:
        return None
    return url_for("moderation.report")
