"""A member's own notifications, and following / unfollowing articles and discussions."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import db
from app.i18n import current_lang
from app.notifications import bp
from app.notifications import services as notifications
from app.notifications.forms import SubscriptionForm
from app.urls import page_arg, safe_next


@bp.route("")
@login_required
def index():
    page = page_arg()
    pagination, items = notifications.notifications_page(current_user.id, page, current_lang())
    # Seeing a notification is reading it: mark the ones on this page, and only the
    # member's own (the query above is already limited to them).
    notifications.mark_read(current_user.id, [i.notification.id for i in items if i.was_unread])
    # Rendered before the commit (the unread badge already counts the marks): a commit
    # expires every loaded object, and the template would then reload each notification
    # and the member one query at a time.
    html = render_template("notifications/index.html", pagination=pagination, items=items)
    db.session.commit()
    return html


@bp.route("/read", methods=["POST"])
@login_required
def mark_all_read():
    count = notifications.mark_read(current_user.id)
    db.session.commit()
    if count:
        flash(_("All notifications are marked as read."), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/subscription", methods=["POST"])
@login_required
def subscription():
    form = SubscriptionForm()
    if not form.validate_on_submit():
        abort(400)
    target_type, target_id = form.target_type.data, form.target_id.data
    if not _target_visible(target_type, target_id):
        abort(404)
    if form.action.data == "subscribe":
        notifications.subscribe(current_user.id, target_type, target_id)
        flash(_("You will be notified of new replies."), "success")
    else:
        notifications.unsubscribe(current_user.id, target_type, target_id)
        flash(_("You will no longer be notified."), "success")
    db.session.commit()
    return redirect(safe_next(url_for("notifications.index")))


def _target_visible(target_type: str, target_id: int) -> bool:
    """Only follow what the member may see (hidden items are for moderators)."""
    from app.articles.models import Article
    from app.discussions.models import Discussion

    model = Article if target_type == "article" else Discussion
    item = db.session.get(model, target_id)
    if item is None:
        return False
    if current_user.is_moderator:
        return True
    if target_type == "article":
        return item.is_visible or item.author_id == current_user.id
    return item.hidden_at is None


@bp.app_context_processor
def subscription_helpers() -> dict:
    """`subscription_state(type, id)` for _subscribe_button.html on any page (one query)."""

    def subscription_state(target_type: str, target_id: int) -> bool:
        if not current_user.is_authenticated:
            return False
        return notifications.is_subscribed(current_user.id, target_type, target_id)

    return {"subscription_state": subscription_state}
