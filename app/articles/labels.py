"""Translated names for article kinds, statuses and the configured themes."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

KIND_LABELS = {
    "blog": _l("Blog post"),
    "news": _l("News"),
    "event": _l("Event"),
    "resource": _l("Resource"),
}

STATUS_LABELS = {
    "draft": _l("Draft"),
    "review": _l("Awaiting review"),
    "published": _l("Published"),
    "rejected": _l("Rejected"),
}

THEME_LABELS = {
    "learning-environments": _l("Learning environments"),
    "support-for-learners": _l("Support for learners"),
    "quality": _l("Quality"),
    "policy": _l("Policy"),
    "life-skills": _l("Life skills"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def theme_label(theme: str) -> str:
    """A configured theme's name; themes added by configuration fall back to their slug."""
    label = THEME_LABELS.get(theme)
    if label is not None:
        return str(label)
    text = theme.replace("-", " ").strip()
    return text[:1].upper() + text[1:]
