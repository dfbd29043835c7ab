"""``bordereau purge``: the two-year history's purge, its dry run, and the integrity scan.

Exit codes: 0 done; 1 the store refused some keys (their documents stay for the next run);
2 bad arguments; 3 another purge or integrity scan is running (this one did nothing).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import typer

from cli.errors import die

purge_app = typer.Typer(invoke_without_command=True, no_args_is_help=False,
                        help="Remove documents outside the two-year history (docs/contract.md §5).")
BUSY = 3


@contextmanager
def _runtime() -> Iterator[tuple[Any, Any]]:
    """Engine and store for one command; the engine's connections are closed on the way out."""
    from ingest.resources import for_command

    with for_command() as resources:
        yield resources.engine, resources.store


def _as_of(value: str | None) -> datetime | None:
    from ingest.history.purge import as_of_from_date

    if value is None:
        return None
    try:
        return as_of_from_date(date.fromisoformat(value))
    except ValueError:
        die(f"--as-of {value!r}: expected a date as YYYY-MM-DD", 2)


def _tally(t: Any) -> dict[str, Any]:
    return {"dossier_id": t.dossier_id, "account_id": t.account_id, "name": t.name,
            "documents": t.documents, "bytes": t.bytes}


@purge_app.callback()
def purge(ctx: typer.Context,
          dry_run: bool = typer.Option(False, "--dry-run", help="List what would go; delete nothing."),
          as_of: str | None = typer.Option(None, "--as-of", help="Reason as on this date (YYYY-MM-DD, Paris)."),
          as_json: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
    """Purge now (or list what would go with --dry-run)."""
    if ctx.invoked_subcommand is not None:
        return
    when = _as_of(as_of)
    with _runtime() as (engine, store):
        if dry_run:
            _print_preview(engine, when, as_json)
        else:
            _run(engine, store, when, as_json)


def _print_preview(engine: Any, when: datetime | None, as_json: bool) -> None:
    from ingest.history.purge import preview
    from ingest.platform.columns import utcnow

    p = preview(engine, when or utcnow())
    body = {"dry_run": True, "as_of": p.as_of.isoformat(), "history_start": p.history_start.isoformat(),
            "documents": p.documents, "bytes": p.bytes, "dossiers": [_tally(t) for t in p.dossiers],
            "held": [_tally(t) for t in p.held]}
    if as_json:
        typer.echo(json.dumps(body))
        return
    typer.echo(f"Keeping documents dated from {p.history_start}; {p.documents} documents "
               f"({p.bytes} bytes) would go from {len(p.dossiers)} dossiers.")
    for t in p.dossiers:
        typer.echo(f"  {t.dossier_id}  {t.documents:>9} documents  {t.bytes:>14} bytes  {t.name}")
    for t in p.held:
        typer.echo(f"  {t.dossier_id}  {t.documents:>9} documents kept: legal hold  {t.name}")


def _run(engine: Any, store: Any, when: datetime | None, as_json: bool) -> None:
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn

    from ingest.history.purge import PurgeBusy, run_purge

    try:
        with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=Console(stderr=True),
                      disable=as_json, transient=True) as bar:
            task = bar.add_task("purging: 0 documents", total=None)
            done = [0]

            def step(n: int) -> None:
                done[0] += n
                bar.update(task, description=f"purging: {done[0]} documents")

            result = run_purge(engine, store, when, progress=step)
    except PurgeBusy as exc:
        die(str(exc), BUSY)
    except ValueError as exc:
        die(str(exc), 2)
    body = {"run_id": result.run_id, "state": result.state.value, "as_of": result.as_of.isoformat(),
            "documents": result.documents, "bytes": result.bytes, "objects": result.objects,
            "failures": result.failures[:100], "failure_count": len(result.failures),
            "dossiers": [{"dossier_id": d, "documents": n, "bytes": b} for d, (n, b) in result.dossiers.items()]}
    typer.echo(json.dumps(body) if as_json else
               f"Purge {result.run_id}: {result.documents} documents, {result.bytes} bytes, "
               f"{result.objects} objects removed; {len(result.failures)} keys refused by the store.")
    if result.failures:
        raise typer.Exit(1)


@purge_app.command("integrity")
def integrity(as_json: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
    """Compare the bucket with the rows: remove objects with no row (older than a day), report rows
    whose original is missing."""
    from ingest.history.integrity import report_dict, run_integrity
    from ingest.history.purge import PurgeBusy

    with _runtime() as (engine, store):
        try:
            report = run_integrity(engine, store)
        except PurgeBusy as exc:
            die(str(exc), BUSY)
    body = report_dict(report)
    if as_json:
        typer.echo(json.dumps(body))
    else:
        typer.echo(f"Scanned {body['objects_scanned']} objects: {body['orphans_removed']} orphans removed, "
                   f"{body['orphans_young']} too recent to judge, {body['missing_count']} rows missing "
                   "their original.")
        for item in body["missing"][:50]:
            typer.echo(f"  missing: document {item['document_id']}  {item['object_key']}")
    if body["missing_count"]:
        raise typer.Exit(1)
