"""The only door into search for the rest of the app (engine-independent)."""

from __future__ import annotations


def health() -> str:
    return "ok"
