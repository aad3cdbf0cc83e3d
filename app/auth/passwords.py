"""Password policy: at least 10 characters and not guessable (zxcvbn's estimate)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

MIN_LENGTH = 10
MIN_SCORE = 3  # zxcvbn 0..4; 3 = "safely unguessable: moderate protection"


def password_problem(password: str, user_inputs: list[str] | None = None) -> str | None:
    if len(password) < MIN_LENGTH:
        return str(_l("Use at least %(n)d characters.", n=MIN_LENGTH))
    if len(password) > 1024:
        return str(_l("Use at most 1024 characters."))
    # Imported on first use: zxcvbn builds its big word-frequency tables at import
    # (~20 ms of every process start); only choosing a password needs them.
    from zxcvbn import zxcvbn

    # zxcvbn's cost grows with length; the first 100 characters decide.
    result = zxcvbn(password[:100], user_inputs=[u for u in (user_inputs or []) if u])
    if result["score"] < MIN_SCORE:
        return str(_l("This password is too easy to guess. Add more words or characters "
                      "that are less common."))
    return None


class StrongPassword:
    def __call__(self, form, field):  # noqa: ANN001
        inputs = []
        for name in ("username", "email"):
            if name in form:
                inputs.append(form[name].data or "")
        problem = password_problem(field.data or "", inputs)
        if problem:
            raise ValidationError(problem)
