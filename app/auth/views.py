"""Register, log in and out, reset a password, profile and settings pages."""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import bp, services
from app.auth.forms import (
    LoginForm,
    PasswordChangeForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
    SettingsForm,
)
from app.extensions import db, limiter
from app.i18n import current_lang
from app.mail import send_template_mail
from app.urls import safe_next

INVALID_FORM = 422  # one rule for the whole app: bad form input answers 422


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def _register_limit() -> str:
    return current_app.config["RATELIMIT_REGISTER"]


def _account_key() -> str:
    return "login-account:" + (request.form.get("login") or "").strip().lower()[:254]


@bp.route("/auth/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = RegisterForm()
    if request.method == "GET":
        form.preferred_language.data = current_lang()
    if form.is_submitted():
        valid = form.validate()
        if form.website.data:  # the honeypot was filled: a bot. Say nothing useful.
            abort(400)
        # Say a name or address is taken at the first try, not after the rest is fixed.
        if not form.username.errors and services.username_taken(form.username.data):
            form.username.errors.append(_("This username is already taken."))
            valid = False
        if not form.email.errors and services.email_taken(form.email.data):
            form.email.errors.append(_("An account with this email already exists."))
            valid = False
        if valid:
            user = services.create_user(
                form.username.data,
                form.email.data,
                form.password.data,
                preferred_language=form.preferred_language.data,
            )
            db.session.commit()
            login_user(user)
            flash(_("Welcome to Agora, %(name)s!", name=user.username), "success")
            return redirect(url_for("main.home", lang=user.preferred_language))
    status = INVALID_FORM if form.is_submitted() else 200
    return render_template("auth/register.html", form=form), status


@bp.route("/auth/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit(_login_limit, key_func=_account_key, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(url_for("main.home")))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.login.data, form.password.data)
        if user is not None:
            # A fresh session at login: nothing planted before it (session fixation) survives.
            session.clear()
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(url_for("main.home")))
        form.password.errors.append(_("Wrong username, email or password."))
    status = INVALID_FORM if form.is_submitted() else 200
    return render_template("auth/login.html", form=form), status


@bp.route("/auth/logout", methods=["POST"])
@login_required
def logout():
    # A new token ends this session and any "remember me" cookie, server-side.
    current_user.rotate_session_token()
    db.session.commit()
    logout_user()
    flash(_("You are logged out."), "info")
    return redirect(url_for("main.home"))


@bp.route("/auth/reset", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if form.validate_on_submit():
        user = services.find_by_email(form.email.data)
        if user is not None and user.is_active:
            token = services.make_reset_token(user)
            link = url_for("auth.reset_password", token=token, lang=user.preferred_language,
                           _external=True)
            send_template_mail(
                user.email,
                user.preferred_language,
                "email/reset_password.txt",
                _l("Reset your Agora password"),
                user=user,
                link=link,
            )
        # The same answer whether or not the address exists.
        flash(_("If an account uses that address, we have sent it a link to reset the "
                "password. The link works for one hour."), "info")
        return redirect(url_for("auth.login"))
    status = INVALID_FORM if form.is_submitted() else 200
    return render_template("auth/reset_request.html", form=form), status


@bp.route("/auth/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = services.user_for_reset_token(token)
    if user is None:
        flash(_("This reset link is invalid, expired or already used. Ask for a new one."),
              "error")
        return redirect(url_for("auth.reset_request"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.reset_password(user, form.password.data)
        db.session.commit()
        flash(_("Your password has been changed. You can log in now."), "success")
        return redirect(url_for("auth.login"))
    status = INVALID_FORM if form.is_submitted() else 200
    return render_template("auth/reset_password.html", form=form), status


@bp.route("/users/<username>")
def profile(username: str):
    user = services.find_by_username(username)
    if user is None or user.deleted_at is not None:
        abort(404)
    from app.auth.profile import profile_content

    content = profile_content(user, viewer=current_user, language=current_lang())
    return render_template("auth/profile.html", user=user, **content)


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    form = SettingsForm(obj=current_user, prefix="profile")
    password_form = PasswordChangeForm(prefix="password")
    status = 200
    if request.method == "POST" and "profile-submit" in request.form:
        if form.validate_on_submit():
            form.populate_obj(current_user)
            current_user.country = (current_user.country or "").upper()
            db.session.commit()
            flash(_("Your settings are saved."), "success")
            return redirect(url_for("auth.settings", lang=current_lang()))
        status = INVALID_FORM
    elif request.method == "POST" and "password-submit" in request.form:
        if password_form.validate_on_submit():
            if current_user.check_password(password_form.current_password.data):
                current_user.set_password(password_form.new_password.data)
                current_user.rotate_session_token()
                db.session.commit()
                login_user(current_user)  # keep this session, end the others
                flash(_("Your password has been changed."), "success")
                return redirect(url_for("auth.settings"))
            password_form.current_password.errors.append(_("The current password is wrong."))
        status = INVALID_FORM
    elif request.method == "POST":
        abort(400)
    return render_template(
        "auth/settings.html", form=form, password_form=password_form
    ), status



@bp.route("/settings/export")
@login_required
def export_data():
    """Download everything Agora holds about the member, as JSON."""
    import json

    from app.auth.privacy import export_user_data

    body = json.dumps(export_user_data(current_user), ensure_ascii=False, indent=2)
    response = current_app.response_class(body, mimetype="application/json")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="agora-{current_user.username}.json"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/settings/delete", methods=["GET", "POST"])
@login_required
def delete_account():
    from app.auth.forms import DeleteAccountForm
    from app.auth.privacy import delete_account as erase

    form = DeleteAccountForm()
    if form.validate_on_submit():
        if current_user.check_password(form.password.data):
            erase(current_user._get_current_object(), remove_content=form.content.data == "remove")
            db.session.commit()
            logout_user()
            flash(_("Your account has been deleted. Goodbye."), "info")
            return redirect(url_for("main.home"))
        form.password.errors.append(_("The password is wrong."))
    status = INVALID_FORM if form.is_submitted() else 200
    return render_template("auth/delete_account.html", form=form), status
