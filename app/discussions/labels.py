"""Human names for the configured theme keys (unknown keys fall back to a readable form)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

THEME_LABELS = {
    "learning-environments": _l("Learning environments"),
    "support-for-learners": _l("Support for learners"),
    "quality": _l("Quality"),
    "policy": _l("Policy"),
    "life-skills": _l("Life skills"),
}


def theme_label(key: str) -> str:
    label = THEME_LABELS.get(key)
    return str(label) if label is not None else key.replace("-", " ").capitalize()
