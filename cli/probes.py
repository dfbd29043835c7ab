"""``bordereau probes``: operators' commands for the availability probes.

``import`` stores an external monitor's measurements from a CSV file (``probe,at,status,latency_ms``);
importing the same file twice stores nothing new.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated

import typer

from cli.errors import die

probes_app = typer.Typer(no_args_is_help=True, help="Availability probes: import an external monitor's measurements.")

_USAGE_ERROR = 2
_SOURCE_HELP = "The monitor's name (lower case letters, digits, . _ -)."
_SOURCE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")



def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        die(f"cannot read {path}: {reason}", _USAGE_ERROR)


@probes_app.command("import")
def import_csv(
    file: Annotated[Path, typer.Argument(help="CSV with the header probe,at,status,latency_ms.")],
    source: Annotated[str, typer.Option("--source", help=_SOURCE_HELP)] = "import",
) -> None:
    """Store the measurements of FILE under SOURCE; prints received, stored and duplicates as JSON."""
    from ingest.availability.probes import import_measurements
    from ingest.availability.tables import PROBER_SOURCE
    from ingest.contract.csv_input import CsvError, parse_probes_csv
    from ingest.resources import for_command

    if not _SOURCE.match(source) or source == PROBER_SOURCE:
        die(f"--source must be a monitor's name (lower case letters, digits, . _ -), not {source!r}",
            _USAGE_ERROR)
    try:
        measurements = parse_probes_csv(_read(file))
    except CsvError as error:
        die(f"{file}: {error}", _USAGE_ERROR)
    with for_command() as resources:
        result = import_measurements(resources.engine, measurements, source)
    typer.echo(json.dumps({"received": result.received, "stored": result.stored,
                           "duplicates": result.duplicates}))
