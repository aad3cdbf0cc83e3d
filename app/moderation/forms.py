"""Moderation forms: a member's report, a moderator's decisions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, NumberRange, Optional

from app.moderation.models import TARGET_TYPES
from app.moderation.services import REPORT_DECISIONS, REVIEW_DECISIONS


class ReportForm(FlaskForm):
    target_type = HiddenField(validators=[DataRequired(), AnyOf(TARGET_TYPES)])
    target_id = IntegerField(widget=HiddenField.widget,
                             validators=[DataRequired(), NumberRange(min=1)])
    reason = TextAreaField(
        _l("Why should moderators look at this?"),
        validators=[DataRequired(message=_l("Tell the moderators what is wrong.")),
                    Length(min=5, max=1000)],
        render_kw={"rows": 4},
    )
    next = HiddenField()


class ResolveReportForm(FlaskForm):
    decision = SelectField(_l("Decision"), choices=[(d, d) for d in REPORT_DECISIONS],
                           validators=[DataRequired()])
    note = TextAreaField(_l("Note for the log"), validators=[Optional(), Length(max=500)])


class ReviewForm(FlaskForm):
    decision = SelectField(_l("Decision"), choices=[(d, d) for d in REVIEW_DECISIONS],
                           validators=[DataRequired()])
    reason = TextAreaField(_l("Reason (required to reject)"),
                           validators=[Optional(), Length(max=1000)])
