"""`flask search rebuild | sync | check`."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.search import facade
from app.search.rebuild import LIMIT_MB

search_cli = AppGroup("search", help="Maintain the full-text search index.")


@search_cli.command("rebuild")
@click.option("--procs", type=int, default=None,
              help="Indexing processes (default: SEARCH_REBUILD_PROCS, or one per core up to 4).")
@click.option("--limitmb", type=int, default=LIMIT_MB, show_default=True,
              help="Memory per indexing process before it spills postings to disk.")
def rebuild_command(procs: int | None, limitmb: int) -> None:
    """Rebuild the whole index from the database; search keeps working meanwhile."""

    def progress(total: int):  # noqa: ANN202
        return click.progressbar(length=total, label="Indexing", show_pos=True)

    result = facade.rebuild(progress=progress, procs=procs, limitmb=limitmb)
    click.echo(
        f"Indexed {result.documents} documents in {result.seconds:.1f}s "
        f"({result.rate:.0f} docs/s) into {result.path}."
    )


@search_cli.command("sync")
def sync_command() -> None:
    """Index every change waiting in the outbox (waits for the index lock)."""
    result = facade.sync(wait=30.0)
    if result.locked_out:
        raise click.ClickException("the index stayed locked for 30 s; try again")
    click.echo(f"Processed {result.processed} outbox rows.")


@search_cli.command("check")
@click.option("--fix", is_flag=True, help="Queue drifted documents and sync them.")
@click.option("--show", default=20, show_default=True, help="How many ids to list per kind.")
def check_command(fix: bool, show: int) -> None:
    """Report documents missing from, stale in, or extra in the index; exit 1 if any."""
    report = facade.check()
    click.echo(f"Expected {report.expected} documents, index holds {report.indexed}.")
    for label, ids in (("missing", report.missing), ("stale", report.stale),
                       ("extra", report.extra)):
        if ids:
            listed = ", ".join(ids[:show]) + (" …" if len(ids) > show else "")
            click.echo(f"{label}: {len(ids)}: {listed}")
    if report.ok:
        click.echo("Index and database agree.")
        return
    if fix:
        from app.search.rebuild import queue_fix

        queued = queue_fix(current_app, report)
        facade.sync(wait=30.0)
        click.echo(f"Queued and synced {queued} documents.")
    raise SystemExit(1)
