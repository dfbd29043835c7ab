"""One-line failures: a reason on stderr and a non-zero exit, never a traceback; and the arguments
that are checked the same way in every command."""

from __future__ import annotations

from datetime import datetime
from typing import NoReturn

import typer


def die(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"bordereau: {message}", err=True)
    raise typer.Exit(code)


def instant(value: str | None, name: str) -> datetime | None:
    """An ISO 8601 instant with its UTC offset, or a one-line refusal (exit 2)."""
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        die(f"{name} must be an ISO 8601 instant, not '{value}'.", 2)
    if at.tzinfo is None:
        die(f"{name} needs a UTC offset (e.g. 2026-03-01T00:00:00+01:00).", 2)
    return at
