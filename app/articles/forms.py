"""Article, language-version and list-filter forms. Labels and messages are lazily translated."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.articles.labels import KIND_LABELS, theme_label
from app.articles.models import KINDS
from app.i18n import language_name
from app.timeutil import all_timezones, is_valid_timezone

BODY_MAX = 200_000  # characters of editor HTML; far above any real article


def language_choices() -> list[tuple[str, str]]:
    return [(code, language_name(code)) for code in current_app.config["LANGUAGES"]]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def http_url(form: FlaskForm, f) -> None:  # noqa: ANN001
    """Only absolute http(s) links: never javascript:, data: or relative paths."""
    value = (f.data or "").strip()
    if not value:
        return
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValidationError(_l("Enter a full web address starting with https:// or http://."))


class VersionTextMixin:
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    summary = TextAreaField(
        _l("Summary"), validators=[Optional(), Length(max=600)],
        render_kw={"rows": 3},
    )
    body = TextAreaField(
        _l("Text"), validators=[DataRequired(), Length(max=BODY_MAX)],
        render_kw={"rows": 16, "data-rich-text": "1"},
    )


class ArticleForm(VersionTextMixin, FlaskForm):
    kind = SelectField(_l("Kind"), choices=[(k, KIND_LABELS[k]) for k in KINDS])
    original_language = SelectField(_l("Language of this text"), validators=[DataRequired()])
    themes = MultiCheckboxField(_l("Themes"), validators=[Optional()])
    tags = StringField(_l("Tags"), validators=[Optional(), Length(max=500)])

    event_start = DateTimeLocalField(_l("Starts"), format="%Y-%m-%dT%H:%M",
                                     validators=[Optional()])
    event_end = DateTimeLocalField(_l("Ends"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    event_timezone = SelectField(_l("Time zone"), validators=[Optional()])
    is_online = BooleanField(_l("Online event"))
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=300)])
    online_url = URLField(_l("Meeting link"), validators=[Optional(), Length(max=500), http_url])
    registration_url = URLField(_l("Registration link"),
                                validators=[Optional(), Length(max=500), http_url])

    save_draft = SubmitField(_l("Save as draft"))
    publish = SubmitField(_l("Publish"))

    def __init__(self, *args, **kwargs):  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.original_language.choices = language_choices()
        self.themes.choices = [(t, theme_label(t)) for t in current_app.config["THEMES"]]
        self.event_timezone.choices = [("", _l("Choose a time zone"))] + [
            (z, z.replace("_", " ")) for z in all_timezones()
        ]

    def validate(self, extra_validators=None) -> bool:  # noqa: ANN001
        ok = super().validate(extra_validators)
        if self.kind.data != "event":
            return ok
        required = _l("Events need this.")
        if not self.event_start.data and not self.event_start.errors:
            self.event_start.errors.append(required)
            ok = False
        if not self.event_end.data and not self.event_end.errors:
            self.event_end.errors.append(required)
            ok = False
        if not is_valid_timezone(self.event_timezone.data or ""):
            self.event_timezone.errors.append(_l("Choose the time zone the event takes place in."))
            ok = False
        if self.event_start.data and self.event_end.data and (
                self.event_end.data < self.event_start.data):
            self.event_end.errors.append(_l("The end must come after the start."))
            ok = False
        if self.is_online.data and not (self.online_url.data or "").strip():
            if not self.online_url.errors:
                self.online_url.errors.append(_l("Online events need a meeting link."))
            ok = False
        if not self.is_online.data and not (self.venue.data or "").strip():
            self.venue.errors.append(_l("Give the venue, or tick \u201cOnline event\u201d."))
            ok = False
        return ok


class VersionForm(VersionTextMixin, FlaskForm):
    """A language version: the same words in another language."""

    language = SelectField(_l("Language of this version"), validators=[DataRequired()])
    submit = SubmitField(_l("Save this version"))

    def __init__(self, *args, **kwargs):  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices()


class CommentsOpenForm(FlaskForm):
    """Open or close comments (the value says which)."""


class DeleteForm(FlaskForm):
    """Only the CSRF token: deleting needs nothing else."""
