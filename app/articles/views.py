"""Article routes: parse the request, call a service, render. Logic lives in services."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from app.articles import bp, queries, services
from app.articles.events import event_calendar, event_times
from app.articles.forms import ArticleForm, CommentsOpenForm, DeleteForm, VersionForm
from app.articles.labels import kind_label, status_label, theme_label
from app.articles.models import KINDS, Article
from app.comments import services as comments
from app.extensions import db, limiter
from app.i18n import current_lang
from app.urls import carried_args, page_arg

INVALID_FORM = 422


# -- load or refuse, in one place (flaskr's get_post) ---------------------------------

def get_article(article_id: int, *, manage: bool = False) -> Article:
    """The article if this viewer may see it (else 404), and manage it when asked (else 403)."""
    article = queries.load_article(article_id)
    if article is None or not services.can_view(current_user, article):
        abort(404)
    if manage and not services.can_manage(current_user, article):
        abort(403)
    return article


def _page_arg() -> int:
    return page_arg()


# -- list ------------------------------------------------------------------------------

@bp.route("/")
def index():
    languages = current_app.config["LANGUAGES"]
    themes = current_app.config["THEMES"]
    kind = request.args.get("kind") if request.args.get("kind") in KINDS else None
    theme = request.args.get("theme") if request.args.get("theme") in themes else None
    tag = (request.args.get("tag") or "").strip().lower()[:60] or None
    available = request.args.get("language") if request.args.get("language") in languages else None
    page = queries.list_articles(kind=kind, theme=theme, tag=tag, available=available,
                                 page=_page_arg())
    lang = current_lang()
    cards = [queries.to_card(a, lang) for a in page.items]
    return render_template(
        "articles/index.html", page=page, cards=cards,
        filters={"kind": kind, "theme": theme, "tag": tag, "language": available},
        kinds=KINDS, kind_label=kind_label, theme_label=theme_label,
    )


# -- one article ------------------------------------------------------------------------

def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def render_article(article: Article, *, comment_error: str | None = None,
                   comment_body: str = "", status: int = 200):  # noqa: ANN201
    lang = current_lang()
    version = article.best_version(lang)
    is_moderator = current_user.is_authenticated and current_user.is_moderator
    rows = list(db.session.scalars(
        comments.comments_query(article_id=article.id, include_hidden=is_moderator)
    ))
    threads = comments.thread_comments(rows)
    from app.main.home import latest_discussions_panel

    return render_template(
        "articles/show.html",
        article=article,
        version=version,
        fallback=version.language != lang,
        threads=threads,
        comment_total=article.comment_count,
        comment_error=comment_error,
        comment_body=comment_body,
        times=event_times(article),
        can_manage=services.can_manage(current_user, article),
        can_edit_version=services.can_edit_version(current_user, article, version),
        kind_label=kind_label,
        status_label=status_label,
        theme_label=theme_label,
        article_url=queries.article_url,
        latest_discussions=latest_discussions_panel(),
    ), status


@bp.route("/<int:article_id>-<slug>")
@bp.route("/<int:article_id>", defaults={"slug": ""})
def show(article_id: int, slug: str):
    article = get_article(article_id)
    canonical = article.best_version(current_lang()).slug
    if slug != canonical:
        target = url_for("articles.show", article_id=article.id, slug=canonical,
                         **carried_args("article_id", "slug"))
        return redirect(target, code=301)
    return render_article(article)


@bp.route("/<int:article_id>/event.ics")
def event_ics(article_id: int):
    article = get_article(article_id)
    if not (article.is_event and article.event_start_utc):
        abort(404)
    url = queries.article_url(article, current_lang(), _external=True)
    body = event_calendar(article, current_lang(), url, request.host.split(":")[0])
    response = make_response(body)
    response.mimetype = "text/calendar"
    response.headers["Content-Disposition"] = f'attachment; filename="event-{article.id}.ics"'
    return response


# -- writing ------------------------------------------------------------------------------

def _article_input(form: ArticleForm) -> services.ArticleInput:
    return services.ArticleInput(
        kind=form.kind.data,
        original_language=form.original_language.data,
        text=services.VersionText(form.title.data or "", form.summary.data or "",
                                  form.body.data or ""),
        themes=list(form.themes.data or []),
        tags=form.tags.data or "",
        event_start_local=form.event_start.data,
        event_end_local=form.event_end.data,
        event_timezone=form.event_timezone.data or "",
        venue=form.venue.data or "",
        is_online=bool(form.is_online.data),
        online_url=form.online_url.data or "",
        registration_url=form.registration_url.data or "",
    )


def _flash_saved(status: str) -> None:
    messages = {
        "draft": _("Your draft is saved. Only you and the moderators can see it."),
        "review": _("Thank you! A moderator will review your article before it is published."),
        "published": _("The article is published."),
        "rejected": _("The article is saved."),
    }
    flash(messages.get(status, _("Saved.")), "success")


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    form = ArticleForm()
    if request.method == "GET":
        form.original_language.data = current_lang()
    if form.validate_on_submit():
        article = services.create_article(current_user, _article_input(form),
                                          publish=bool(form.publish.data))
        # Read before the commit expires the article (relationships never lazy-load).
        target, status = queries.article_url(article, article.original_language), article.status
        db.session.commit()
        _flash_saved(status)
        return redirect(target)
    status = INVALID_FORM if form.is_submitted() else 200
    return render_template("articles/form.html", form=form, article=None), status


def _prefill(form: ArticleForm, article: Article) -> None:
    original = article.original
    form.kind.data = article.kind
    form.original_language.data = article.original_language
    form.title.data = original.title
    form.summary.data = original.summary
    form.body.data = original.body_html
    form.themes.data = article.themes
    form.tags.data = ", ".join(t.name for t in article.tags)
    if article.event_start_utc and article.event_timezone:
        form.event_timezone.data = article.event_timezone
        form.event_start.data = services.utc_to_local(article.event_start_utc,
                                                      article.event_timezone)
        if article.event_end_utc:
            form.event_end.data = services.utc_to_local(article.event_end_utc,
                                                        article.event_timezone)
    form.is_online.data = article.is_online
    form.venue.data = article.venue
    form.online_url.data = article.online_url
    form.registration_url.data = article.registration_url


@bp.route("/<int:article_id>/edit", methods=["GET", "POST"])
@login_required
def edit(article_id: int):
    article = get_article(article_id)
    language = request.args.get("language") or article.original_language
    if language != article.original_language:
        return _edit_version(article, language)
    if not services.can_manage(current_user, article):
        abort(403)
    form = ArticleForm()
    if request.method == "GET":
        _prefill(form, article)
    if form.validate_on_submit():
        try:
            services.update_article(article, current_user, _article_input(form),
                                    publish=bool(form.publish.data))
        except services.VersionExists as err:
            form.original_language.errors.append(str(err))
        else:
            target = queries.article_url(article, article.original_language)
            status = article.status
            db.session.commit()
            _flash_saved(status)
            return redirect(target)
    status = INVALID_FORM if form.is_submitted() else 200
    return render_template("articles/form.html", form=form, article=article), status


def _edit_version(article: Article, language: str):  # noqa: ANN202
    version = article.version(language)
    if version is None:
        abort(404)
    if not services.can_edit_version(current_user, article, version):
        abort(403)
    form = VersionForm()
    form.language.data = language  # fixed: editing never moves a version to another language
    if request.method == "GET":
        form.title.data = version.title
        form.summary.data = version.summary
        form.body.data = version.body_html
    if form.validate_on_submit():
        services.update_version(article, version, services.VersionText(
            form.title.data or "", form.summary.data or "", form.body.data or ""))
        target = queries.article_url(article, language)
        db.session.commit()
        flash(_("The %(language)s version is saved.", language=_language(language)), "success")
        return redirect(target)
    status = INVALID_FORM if form.is_submitted() else 200
    return render_template("articles/version_form.html", form=form, article=article,
                           version=version, original=article.original, editing=True), status


def _language(code: str) -> str:
    from app.i18n import language_name

    return language_name(code, current_lang())


@bp.route("/<int:article_id>/translate", methods=["GET", "POST"])
@login_required
def translate(article_id: int):
    article = get_article(article_id)
    original = article.original
    form = VersionForm()
    if request.method == "GET":
        target = request.args.get("to", "")
        if target in current_app.config["LANGUAGES"] and target != article.original_language:
            form.language.data = target
        else:
            form.language.data = next(
                (c for c in (current_lang(), "en") if article.version(c) is None),
                "",
            )
        # Prefilled with the original, so the translator replaces it paragraph by paragraph.
        form.title.data = original.title
        form.summary.data = original.summary
        form.body.data = original.body_html
    if form.validate_on_submit():
        language = form.language.data
        try:
            services.add_version(article, current_user, language, services.VersionText(
                form.title.data or "", form.summary.data or "", form.body.data or ""))
        except services.VersionExists as err:
            form.language.errors.append(str(err))
        else:
            target = queries.article_url(article, language)
            db.session.commit()
            flash(_("Thank you! The %(language)s version is published.",
                    language=_language(language)), "success")
            return redirect(target)
    status = INVALID_FORM if form.is_submitted() else 200
    return render_template("articles/version_form.html", form=form, article=article,
                           version=None, original=original, editing=False), status


@bp.route("/<int:article_id>/delete", methods=["POST"])
@login_required
def delete(article_id: int):
    form = DeleteForm()
    if not form.validate_on_submit():
        abort(400)
    article = get_article(article_id, manage=True)
    full = services.load_for_delete(article.id)
    if full is None:
        abort(404)
    services.delete_article(full)
    db.session.commit()
    flash(_("The article is deleted."), "success")
    return redirect(url_for("articles.index"))


@bp.route("/<int:article_id>/comments-open", methods=["POST"])
@login_required
def comments_open(article_id: int):
    form = CommentsOpenForm()
    if not form.validate_on_submit():
        abort(400)
    article = get_article(article_id, manage=True)
    is_open = request.form.get("open") == "1"
    services.set_comments_open(article, is_open)
    target = queries.article_url(article, current_lang()) + "#comments"
    db.session.commit()
    flash(_("Comments are open.") if is_open else _("Comments are closed."), "success")
    return redirect(target)


# -- comments ------------------------------------------------------------------------------

def _comment_limit() -> str:
    return current_app.config["RATELIMIT_COMMENT"]


def _member_key() -> str:
    """Rate limits count per member, not per address (many members share an office NAT)."""
    if current_user.is_authenticated:
        return f"member:{current_user.id}"
    return f"ip:{request.remote_addr}"


@bp.route("/<int:article_id>/comments", methods=["POST"])
@login_required
@limiter.limit(_comment_limit, key_func=_member_key, methods=["POST"])
def post_comment(article_id: int):
    article = get_article(article_id)
    if not article.is_visible or not article.comments_open:
        abort(403)
    parent = None
    parent_raw = request.form.get("parent_id", "")
    if parent_raw:
        if not parent_raw.isdigit():
            abort(400)
        parent = comments.get_comment(int(parent_raw))
        if parent is None:
            abort(400)
    body = request.form.get("body", "")
    try:
        comment = comments.post_comment(current_user, body, article=article, parent=parent)
    except comments.CommentError as err:
        # Raised before anything reaches the session: nothing to roll back.
        if _wants_json():
            return {"error": str(err)}, INVALID_FORM
        return render_article(article, comment_error=str(err), comment_body=body,
                              status=INVALID_FORM)
    target = queries.article_url(article, current_lang()) + f"#comment-{comment.id}"
    db.session.commit()
    if _wants_json():
        total = article.comment_count  # refreshed after commit: the count includes this one
        html = render_template(
            "comments/_fragment.html", comment=comment,
            post_url=url_for("articles.post_comment", article_id=article.id),
            can_reply=comment.parent_id is None, is_open=True,
        )
        return {
            "id": comment.id,
            "parent_id": comment.parent_id,
            "html": html,
            "count": total,
            "count_label": ngettext("%(num)d comment", "%(num)d comments", total),
        }, 201
    return redirect(target)
