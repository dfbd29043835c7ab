"""One-line failures: a reason on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

from typing import NoReturn

import typer


def die(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"bordereau: {message}", err=True)
    raise typer.Exit(code)
