"""Shared caches: the anonymous page cache and short-lived computed panels.

Placeholder wiring for the foundation; the page cache lands with the performance work.
"""

from __future__ import annotations

from flask import Flask


def init_cache(app: Flask) -> None:
    return None
