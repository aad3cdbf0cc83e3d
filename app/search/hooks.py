"""Wires the search outbox into SQLAlchemy session events (filled in by the search work)."""

from __future__ import annotations

from flask import Flask


def init_search(app: Flask) -> None:
    return None
