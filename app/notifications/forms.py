"""Follow / unfollow form (posted from article and discussion pages)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField
from wtforms.validators import AnyOf, DataRequired, NumberRange

from app.notifications.services import TARGET_TYPES


class SubscriptionForm(FlaskForm):
    target_type = HiddenField(validators=[DataRequired(), AnyOf(TARGET_TYPES)])
    target_id = IntegerField(validators=[DataRequired(), NumberRange(min=1)])
    action = HiddenField(validators=[DataRequired(), AnyOf(("subscribe", "unsubscribe"))])
