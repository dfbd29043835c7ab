"""``bordereau backup``: create, verify and restore backups of the configured database and store.

Exit codes: 0 done; 1 the backup does not verify, or the restore was refused or failed (one line
says why); 3 a purge or integrity scan is running (the backup did nothing; run it again).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from cli.errors import die

backup_app = typer.Typer(no_args_is_help=True, help="Back up and restore the database and the objects.")
BUSY = 3
WHICH = "Which backup (its stamp); default the newest."


def _fail(exc: Exception) -> None:
    """A refusal, an unusable folder or an unreachable service as one line; a bug goes on up."""
    from sqlalchemy.exc import OperationalError

    from ingest.history.lock import PurgeBusy
    from ingest.platform.errors import DomainError
    from ingest.store import StoreUnavailable

    if isinstance(exc, PurgeBusy):
        die(f"{exc}; run the backup again once it is done.", BUSY)
    if isinstance(exc, DomainError):
        die(f"{exc.code}: {exc.message}", 1)
    if isinstance(exc, StoreUnavailable):
        die(f"store_unavailable: the object store cannot be reached ({exc}); check BORDEREAU_S3_*.", 1)
    if isinstance(exc, OperationalError):
        die(f"database_unavailable: the database cannot be reached ({str(exc.orig).strip()[:200]}); "
            "check BORDEREAU_DATABASE_URL.", 1)
    if isinstance(exc, OSError):
        die(f"folder_unusable: {exc.filename or 'the backup directory'}: {exc.strerror or exc}; "
            "choose a directory this user can write.", 1)
    raise exc


def _print(body: dict[str, Any], as_json: bool, text: str) -> None:
    typer.echo(json.dumps(body) if as_json else text)


@backup_app.command("create")
def create(to: Path = typer.Option(..., "--to", help="Backup directory (made if absent; shared by backups)."),
           as_json: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
    """Back up the database and the new objects into DIR/<stamp>/, while the service runs."""
    from ingest.backup.run import create_backup
    from ingest.resources import for_command

    with for_command(migrate_first=False) as res:
        try:
            made = create_backup(res.engine, res.store, res.settings.effective_database_url(), to)
        except Exception as exc:  # noqa: BLE001 - _fail re-raises what is not ours
            _fail(exc)
    m = made.manifest
    _print({"path": str(made.path), "seconds": round(made.seconds, 3), "documents": m.tables.get("documents", 0),
            "objects": m.objects, "object_bytes": m.object_bytes, "objects_new": m.objects_new,
            "object_bytes_new": m.object_bytes_new, "database_bytes": m.database_size}, as_json,
           f"Backup {made.path}: {m.tables.get('documents', 0)} documents, {m.objects} objects "
           f"({m.objects_new} new, {m.object_bytes_new} bytes copied) in {made.seconds:.1f} s.")


@backup_app.command("verify")
def verify_cmd(directory: Path = typer.Argument(..., help="A backup directory, or one backup in it."),
               backup: str | None = typer.Option(None, "--backup", help=WHICH),
               as_json: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
    """Check a backup against its manifest (every checksum), without restoring it."""
    from ingest.backup.run import check

    try:
        path, problems = check(directory, backup)
    except Exception as exc:  # noqa: BLE001 - _fail re-raises what is not ours
        _fail(exc)
    _print({"path": str(path), "ok": not problems, "problems": problems[:100], "problem_count": len(problems)},
           as_json, f"Backup {path} verifies." if not problems else
           f"Backup {path} does not verify: {len(problems)} problems.\n" + "\n".join(f"  {p}" for p in problems[:50]))
    if problems:
        raise typer.Exit(1)


@backup_app.command("restore")
def restore(source: Path = typer.Option(..., "--from", help="The backup directory."),
            backup: str | None = typer.Option(None, "--backup", help=WHICH),
            force: bool = typer.Option(False, "--force", help="Replace what the database and store hold."),
            jobs: int = typer.Option(2, "--jobs", min=1, help="pg_restore's parallel jobs."),
            as_json: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
    """Restore into the configured (empty) database and store, with the service stopped."""
    from ingest.backup.run import restore_backup
    from ingest.resources import for_command

    with for_command(migrate_first=False) as res:
        try:
            done = restore_backup(res.engine, res.store, res.settings.effective_database_url(), source,
                                  stamp=backup, force=force, jobs=jobs)
        except Exception as exc:  # noqa: BLE001 - _fail re-raises what is not ours
            _fail(exc)
    _print({"path": str(done.path), "seconds": round(done.seconds, 3), "documents": done.documents,
            "objects": done.objects, "bytes": done.bytes, "purged": done.purged, "requeued": done.requeued},
           as_json, f"Restored {done.path}: {done.documents} documents, {done.objects} objects ({done.bytes} "
                    f"bytes); {done.purged} documents out of the history purged again; {done.requeued} "
                    f"unfinished documents queued; {done.seconds:.1f} s.")


@backup_app.command("prune")
def prune_cmd(directory: Path = typer.Argument(..., help="The backup directory."),
              keep: int = typer.Option(..., "--keep", help="How many of the newest backups to keep."),
              as_json: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
    """Delete all but the newest backups, and the objects only they held."""
    from ingest.backup.run import prune

    try:
        done = prune(directory, keep)
    except Exception as exc:  # noqa: BLE001 - _fail re-raises what is not ours
        _fail(exc)
    _print({"deleted": done.backups, "objects": done.objects, "bytes": done.bytes}, as_json,
           f"Deleted {len(done.backups)} backups and {done.objects} objects ({done.bytes} bytes) only they held.")
