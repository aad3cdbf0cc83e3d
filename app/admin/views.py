from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select

from app.admin import bp
from app.admin.forms import ROLE_LABELS, ActiveForm, RoleForm
from app.auth import services as accounts
from app.auth.models import User
from app.extensions import db
from app.permissions import admin_required
from app.urls import page_arg

PER_PAGE = 25


@bp.route("/users")
@admin_required
def users():
    q = request.args.get("q", "").strip()[:100]
    page = page_arg()
    stmt = select(User).order_by(User.created_at.desc(), User.id.desc())
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            or_(func.lower(User.username).like(like), User.email.like(like),
                func.lower(User.display_name).like(like))
        )
    pagination = db.paginate(stmt, page=page, per_page=PER_PAGE, error_out=False)
    return render_template("admin/users.html", members=pagination, q=q,
                           role_form=RoleForm(), active_form=ActiveForm())


def _target(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@admin_required
def change_role(user_id: int):
    user = _target(user_id)
    form = RoleForm()
    if not form.validate_on_submit():
        abort(400)
    if user.id == current_user.id and form.role.data != "admin":
        flash(_("You cannot remove your own administrator role."), "error")
        return redirect(url_for("admin.users"))
    accounts.set_role(user, form.role.data)
    db.session.commit()
    flash(_("%(name)s is now %(role)s.", name=user.username, role=ROLE_LABELS[form.role.data]),
          "success")
    return redirect(url_for("admin.users", q=request.args.get("q") or None))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@admin_required
def deactivate(user_id: int):
    return _set_active(user_id, False)


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@admin_required
def reactivate(user_id: int):
    return _set_active(user_id, True)


def _set_active(user_id: int, active: bool):  # noqa: ANN202
    user = _target(user_id)
    if not ActiveForm().validate_on_submit():
        abort(400)
    if user.id == current_user.id:
        flash(_("You cannot deactivate your own account here."), "error")
        return redirect(url_for("admin.users"))
    accounts.set_active(user, active)
    db.session.commit()
    if active:
        flash(_("%(name)s can log in again.", name=user.username), "success")
    else:
        flash(_("%(name)s is deactivated and logged out.", name=user.username), "success")
    return redirect(url_for("admin.users"))
