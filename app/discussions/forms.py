"""Forms for starting a discussion and replying. Labels and messages are lazily translated."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.comments.services import MAX_LENGTH
from app.i18n import language_name
from app.timeutil import select_timezone


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class DiscussionForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(min=3, max=300)])
    # data-rich-text: the shared editor script upgrades this textarea; without
    # JavaScript it stays a plain textarea and the HTML is sanitized on save anyway.
    body = TextAreaField(
        _l("Opening post"),
        validators=[DataRequired(), Length(max=50_000)],
        render_kw={"data-rich-text": "", "rows": 12},
    )
    language = SelectField(_l("Language"), validators=[DataRequired()])
    themes = MultiCheckboxField(_l("Themes"), validators=[Optional()])
    tags = StringField(_l("Tags"), validators=[Optional(), Length(max=500)])
    opens_at = DateTimeLocalField(
        _l("Replies open at"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
    )
    closes_at = DateTimeLocalField(
        _l("Replies close at"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
    )

    def __init__(self, *args, **kwargs):  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.language.choices = [
            (code, language_name(code)) for code in current_app.config["LANGUAGES"]
        ]
        from app.taxonomy import theme_label

        self.themes.choices = [(t, theme_label(t)) for t in current_app.config["THEMES"]]

    def validate_closes_at(self, field) -> None:  # noqa: ANN001
        if field.data and self.opens_at.data and field.data <= self.opens_at.data:
            raise ValidationError(_l("The closing time must be after the opening time."))

    @staticmethod
    def to_utc(value: datetime | None) -> datetime | None:
        """A wall-clock time typed in the member's time zone -> an aware UTC instant."""
        if value is None:
            return None
        return value.replace(tzinfo=ZoneInfo(select_timezone())).astimezone(UTC)


class ReplyForm(FlaskForm):
    body = TextAreaField(
        _l("Your reply"), validators=[DataRequired(), Length(max=MAX_LENGTH)],
        render_kw={"rows": 6},
    )
