"""``bordereau contract``: the service contract's computations from the command line.

Thin wrappers over ``ingest.contract``: parse the arguments, read the files, print the answer.
Bad input exits with code 2 and a one-line reason on stderr.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.errors import die

if TYPE_CHECKING:  # the rules load the public holidays: only the commands that compute load them
    from ingest.contract.availability import AvailabilityReport

contract_app = typer.Typer(
    no_args_is_help=True,
    help="The service contract: support deadlines and monthly availability.",
)

_USAGE_ERROR = 2


def _parse_criticality(text: str) -> int:
    if text.strip() not in {"1", "2", "3"}:
        die(f"--criticality must be 1, 2 or 3, got {text!r}", _USAGE_ERROR)
    return int(text)


def _parse_instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        die(f"--from is not an ISO 8601 date-time: {text!r}", _USAGE_ERROR)
    if value.tzinfo is None:
        die(f"--from has no UTC offset: {text} (add one, e.g. +01:00 or Z)", _USAGE_ERROR)
    return value


@contract_app.command("deadline")
def deadline(
    criticality: str = typer.Option(
        ..., "--criticality", help="The anomaly's criticality: 1, 2 or 3."
    ),
    qualified_at: str = typer.Option(
        ..., "--from", help="When it was qualified, ISO 8601 with an offset."
    ),
) -> None:
    """Print when the provider's answer to an anomaly is due (Europe/Paris), or 'none'."""
    from ingest.contract.support import due_at

    due = due_at(_parse_criticality(criticality), _parse_instant(qualified_at))
    typer.echo("none" if due is None else due.isoformat())


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        die(f"cannot read the {what} file {path}: {reason}", _USAGE_ERROR)


def _report_json(report: AvailabilityReport) -> str:
    """One line of JSON; the percentage is written with its two decimals (98.50, not 98.5)."""
    fields = {
        "month": json.dumps(report.month),
        "counted_hours": json.dumps(report.counted_hours),
        "ko_hours": json.dumps(report.ko_hours),
        "availability_percent": f"{report.availability_percent:.2f}",
        "credit_percent": json.dumps(report.credit_percent),
        "ko_hours_list": json.dumps([start.isoformat() for start in report.ko_hours_list]),
    }
    return "{" + ", ".join(f"{json.dumps(key)}: {value}" for key, value in fields.items()) + "}"


@contract_app.command("availability")
def availability(
    month: Annotated[str, typer.Option("--month", help="The month, YYYY-MM.")],
    probes: Annotated[Path, typer.Option("--probes", help="CSV: probe,at,status,latency_ms.")],
    maintenance: Annotated[Path | None, typer.Option(
        "--maintenance", help="CSV: starts_at,ends_at[,kind] with kind scheduled or urgent."
    )] = None,
) -> None:
    """Print the month's availability, KO hours and credit as one JSON object."""
    from ingest.contract.availability import month_availability
    from ingest.contract.csv_input import CsvError, parse_maintenance_csv, parse_probes_csv

    try:
        measurements = parse_probes_csv(_read(probes, "probes"))
    except CsvError as error:
        die(f"{probes}: {error}", _USAGE_ERROR)
    windows = []
    if maintenance is not None:
        try:
            windows = parse_maintenance_csv(_read(maintenance, "maintenance"))
        except CsvError as error:
            die(f"{maintenance}: {error}", _USAGE_ERROR)
    try:
        report = month_availability(month, measurements, windows)
    except ValueError as error:
        die(f"--month: {error}", _USAGE_ERROR)
    typer.echo(_report_json(report))
