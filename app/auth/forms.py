"""Account forms. Labels and messages are lazily translated."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, Regexp

from app.auth.passwords import StrongPassword
from app.timeutil import is_valid_timezone

USERNAME_RE = r"^[A-Za-z0-9][A-Za-z0-9_.-]{2,39}$"


def language_choices() -> list[tuple[str, str]]:
    from flask import current_app

    from app.i18n import language_name

    return [(code, language_name(code)) for code in current_app.config["LANGUAGES"]]


class RegisterForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[
            DataRequired(),
            Regexp(
                USERNAME_RE,
                message=_l("3–40 letters, digits, dots, dashes or underscores, "
                           "starting with a letter or digit."),
            ),
        ],
    )
    email = EmailField(
        _l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), StrongPassword()])
    password2 = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )
    preferred_language = SelectField(_l("Preferred language"), validators=[DataRequired()])
    # Honeypot: hidden from people, filled in by bots.
    website = StringField(_l("Leave this field empty"), validators=[Optional()])

    def __init__(self, *args, **kwargs):  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.preferred_language.choices = language_choices()


class LoginForm(FlaskForm):
    login = StringField(_l("Username or email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])
    remember = BooleanField(_l("Remember me"))


class ResetRequestForm(FlaskForm):
    email = EmailField(
        _l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), StrongPassword()])
    password2 = PasswordField(
        _l("Repeat password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords do not match."))],
    )


class SettingsForm(FlaskForm):
    display_name = StringField(_l("Display name"), validators=[Optional(), Length(max=100)])
    bio = TextAreaField(_l("About you"), validators=[Optional(), Length(max=2000)])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    country = StringField(
        _l("Country (two-letter code)"),
        validators=[Optional(), Regexp(r"^[A-Za-z]{2}$", message=_l("Use a two-letter code."))],
    )
    preferred_language = SelectField(_l("Preferred language"), validators=[DataRequired()])
    timezone = StringField(_l("Time zone"), validators=[Optional(), Length(max=64)])

    def __init__(self, *args, **kwargs):  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.preferred_language.choices = language_choices()

    def validate_timezone(self, field):  # noqa: ANN001
        if field.data and not is_valid_timezone(field.data):
            from wtforms.validators import ValidationError

            raise ValidationError(_l("Unknown time zone; use a name such as Europe/Paris."))


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), StrongPassword()])
    new_password2 = PasswordField(
        _l("Repeat new password"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("The passwords do not match.")),
        ],
    )


class DeleteAccountForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired()])
    content = RadioField(
        _l("What happens to what you wrote"),
        choices=[
            ("keep", _l("Keep my articles, discussions and comments, shown under "
                        "\u201cdeleted member\u201d")),
            ("remove", _l("Remove my articles, discussions and comments")),
        ],
        default="keep",
        validators=[DataRequired()],
    )
    confirm = BooleanField(
        _l("I understand that this cannot be undone."), validators=[DataRequired()]
    )
