"""Translated names for article kinds and statuses (themes: app.taxonomy.theme_label)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.taxonomy import theme_label  # noqa: F401  (articles' views and forms use it from here)

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

def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))
