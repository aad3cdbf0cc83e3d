"""Moderation pages: reports and review queue, moderator actions, the log, member reports."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.articles.models import Article
from app.discussions import services as discussions
from app.discussions.models import Discussion
from app.extensions import db
from app.i18n import current_lang
from app.moderation import bp
from app.moderation import services as moderation
from app.moderation.forms import ReportForm, ResolveReportForm, ReviewForm
from app.moderation.models import Report
from app.permissions import moderator_required
from app.urls import page_arg, safe_next


def _get_or_404(model, object_id: int):  # noqa: ANN001, ANN202
    item = db.session.get(model, object_id)
    if item is None:
        abort(404)
    return item


def _back() -> str:
    return safe_next(url_for("moderation.index"))


@bp.route("/")
@moderator_required
def index():
    return _render_index()


def _render_index(review_errors: dict[int, str] | None = None, status: int = 200):  # noqa: ANN202
    reports = moderation.open_reports()
    queue = moderation.review_queue()
    targets = moderation.describe_targets(
        [(r.target_type, r.target_id) for r in reports], current_lang())
    return render_template("moderation/index.html", reports=reports, targets=targets,
                           queue=queue, review_errors=review_errors or {},
                           language=current_lang()), status


@bp.route("/log")
@moderator_required
def log():
    page = page_arg()
    pagination = db.paginate(moderation.action_log_query(), page=page,
                             per_page=moderation.LOG_PER_PAGE, error_out=False)
    targets = moderation.describe_targets(
        [(e.target_type, e.target_id) for e in pagination.items
         if e.target_type in ("article", "comment", "discussion")], current_lang())
    return render_template("moderation/log.html", pagination=pagination, targets=targets)


@bp.route("/report", methods=["GET", "POST"])
@login_required
def report():
    form = ReportForm()
    if request.method == "GET":
        form.target_type.data = request.args.get("target_type", "")
        form.target_id.data = request.args.get("target_id", type=int)
        form.next.data = request.args.get("next", "")
    target = None
    if (form.target_type.data in ("article", "comment", "discussion") and form.target_id.data
            and moderation.visible_target(current_user, form.target_type.data,
                                          form.target_id.data) is not None):
        # Only what this member may see is described (never a draft's title).
        target = moderation.describe_targets(
            [(form.target_type.data, form.target_id.data)], current_lang()
        ).get((form.target_type.data, form.target_id.data))
    if request.method == "POST" and form.validate():
        try:
            moderation.file_report(current_user, form.target_type.data, form.target_id.data,
                                   form.reason.data)
        except moderation.ModerationError as err:
            form.reason.errors = [str(err)]
        else:
            db.session.commit()
            flash(_("Thank you. The moderators will look at your report."), "success")
            return redirect(safe_next(url_for("main.home")))
    if request.method == "GET" and (target is None or target.hidden):
        abort(404)
    status = 422 if request.method == "POST" else 200
    return render_template("moderation/report.html", form=form, target=target), status


@bp.route("/reports/<int:report_id>/resolve", methods=["POST"])
@moderator_required
def resolve_report(report_id: int):
    report = _get_or_404(Report, report_id)
    form = ResolveReportForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        moderation.resolve_report(report, current_user, form.decision.data, form.note.data or "")
    except moderation.ModerationError as err:
        db.session.rollback()
        flash(str(err), "error")
        return redirect(_back())
    db.session.commit()
    flash(_("The post is hidden and the report closed.") if form.decision.data == "hide"
          else _("The report is dismissed."), "success")
    return redirect(_back())


@bp.route("/articles/<int:article_id>/review", methods=["POST"])
@moderator_required
def review_article(article_id: int):
    article = _get_or_404(Article, article_id)
    form = ReviewForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        moderation.review_article(article, current_user, form.decision.data,
                                  form.reason.data or "")
    except moderation.ModerationError as err:
        db.session.rollback()
        return _render_index({article.id: str(err)}, status=422)
    db.session.commit()
    flash(_("The article is published.") if form.decision.data == "approve"
          else _("The article is rejected."), "success")
    return redirect(_back())


@bp.route("/discussions/<int:discussion_id>/<any(lock, unlock, pin, unpin, hide, unhide):action>",
          methods=["POST"])
@moderator_required
def discussion_action(discussion_id: int, action: str):
    d = _get_or_404(Discussion, discussion_id)
    changed = discussions.moderate(d, current_user, action, request.form.get("note", "")[:500])
    db.session.commit()
    if changed:
        flash(_("Done."), "success")
    return redirect(safe_next(discussions.discussion_url(d)))


@bp.route("/articles/<int:article_id>/<any(hide, unhide):action>", methods=["POST"])
@moderator_required
def article_action(article_id: int, action: str):
    article = _get_or_404(Article, article_id)
    moderation.hide_target(current_user, "article", article.id,
                           request.form.get("note", "")[:500], hide=action == "hide")
    db.session.commit()
    flash(_("Done."), "success")
    return redirect(_back())
