"""Wires search into the app: outbox listeners, the throttled request check, the CLI."""

from __future__ import annotations

from flask import Flask


def init_search(app: Flask) -> None:
    from app.search.cli import search_cli
    from app.search.outbox import maybe_drain_on_teardown, register_listeners, search_enabled

    app.config.setdefault("SEARCH_DRAIN_BUDGET", 0.5)
    app.config.setdefault("SEARCH_SYNC_INTERVAL", 2.0)
    app.config.setdefault("SEARCH_REBUILD_PROCS", 0)  # 0: one per core, up to 4
    register_listeners()
    app.cli.add_command(search_cli)

    @app.teardown_request
    def drain_leftovers(_exc: BaseException | None) -> None:
        # Rows left by a drain that found the lock taken: picked up by a later request.
        if search_enabled(app):
            maybe_drain_on_teardown(app)
