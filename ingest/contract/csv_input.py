"""Parsing of the probe and maintenance CSV files that feed the availability computation.

Pure: takes the text (a str, or an iterable of lines as read from a file) and returns values.

Probes: header exactly ``probe,at,status,latency_ms``; ``probe`` is ``ui`` or ``api`` (``ihm``, the
name of ``ui`` before this release, is still read as ``ui``); ``at``
is ISO 8601 *with* a UTC offset; ``status`` (an HTTP status) and ``latency_ms`` (a number of
milliseconds) are both empty when nothing answered, and both present otherwise.

Maintenance: header ``starts_at,ends_at`` or ``starts_at,ends_at,kind`` (``start`` and ``end``, the
names before this release, are still read); both instants ISO 8601 with a UTC offset, the end
after the start; ``kind`` is ``scheduled`` (the default, also when the column is empty) or
``urgent``. Only scheduled windows are excluded from availability.

Line numbers count from 1 for the header; blank lines are skipped but still counted. A leading
byte-order mark is ignored. Anything else raises ``CsvError`` naming the line and the fault.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Iterator
from datetime import datetime

from ingest.contract.availability import (
    PROBES,
    MaintenanceWindow,
    Measurement,
    WindowKind,
    probe_name,
)

PROBE_HEADER = ("probe", "at", "status", "latency_ms")
MAINTENANCE_HEADERS = (("starts_at", "ends_at"), ("starts_at", "ends_at", "kind"),
                       ("start", "end"), ("start", "end", "kind"))  # the last two: deprecated names


class CsvError(ValueError):
    """A malformed CSV line; the message starts with ``line N:``."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(f"line {line}: {problem}")
        self.line = line
        self.problem = problem


def _rows(source: str | Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    """(line number, fields) for every non-blank line, the header included."""
    lines = source.split("\n") if isinstance(source, str) else source
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if number == 1:
            line = line.removeprefix("\ufeff")
        if not line.strip():
            continue
        try:
            fields = next(csv.reader([line], strict=True))
        except csv.Error as error:
            raise CsvError(number, f"not valid CSV ({error})") from None
        yield number, [field.strip() for field in fields]


def _check_header(
    rows: Iterator[tuple[int, list[str]]], allowed: tuple[tuple[str, ...], ...]
) -> tuple[str, ...]:
    expected = " or ".join(repr(",".join(header)) for header in allowed)
    first = next(rows, None)
    if first is None:
        raise CsvError(1, f"the file is empty, expected the header {expected}")
    number, fields = first
    if tuple(fields) not in allowed:
        raise CsvError(number, f"expected the header {expected}, got {','.join(fields)!r}")
    return tuple(fields)


def _instant(number: int, column: str, text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise CsvError(number, f"{column!r} is not an ISO 8601 date-time: {text!r}") from None
    if value.tzinfo is None:
        raise CsvError(number, f"{column!r} has no UTC offset: {text}")
    return value


def _status(number: int, text: str) -> int:
    if not text.isdigit() or not 100 <= int(text) <= 599:
        raise CsvError(number, f"'status' must be an HTTP status from 100 to 599, got {text!r}")
    return int(text)


def _latency(number: int, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise CsvError(number, f"'latency_ms' must be a number of milliseconds >= 0, got {text!r}")
    return value


def _check_width(number: int, fields: list[str], width: int) -> None:
    if len(fields) != width:
        raise CsvError(number, f"expected {width} fields, got {len(fields)}")


def _measurement(number: int, fields: list[str]) -> Measurement:
    _check_width(number, fields, len(PROBE_HEADER))
    probe, at_text, status_text, latency_text = fields
    probe = probe_name(probe)
    if probe not in PROBES:
        raise CsvError(number, f"'probe' must be {' or '.join(PROBES)}, got {probe!r}")
    at = _instant(number, "at", at_text)
    if not status_text and not latency_text:
        return Measurement(probe, at, None, None)  # nothing answered
    if not status_text or not latency_text:
        raise CsvError(
            number, "'status' and 'latency_ms' must both be empty (no response) or both be set"
        )
    return Measurement(probe, at, _status(number, status_text), _latency(number, latency_text))


def parse_probes_csv(source: str | Iterable[str]) -> list[Measurement]:
    """The measurements of a probes CSV, in file order."""
    rows = _rows(source)
    _check_header(rows, (PROBE_HEADER,))
    return [_measurement(number, fields) for number, fields in rows]


def _window(number: int, fields: list[str], header: tuple[str, ...]) -> MaintenanceWindow:
    """A window of the file; faults name its columns as its header does."""
    _check_width(number, fields, len(header))
    starts_at = _instant(number, header[0], fields[0])
    ends_at = _instant(number, header[1], fields[1])
    kind = fields[2] if len(header) == 3 and fields[2] else WindowKind.SCHEDULED.value
    if kind not in WindowKind.__members__.values():
        raise CsvError(number, f"'kind' must be scheduled or urgent, got {kind!r}")
    if ends_at <= starts_at:
        raise CsvError(number, f"'{header[1]}' must be after '{header[0]}': {fields[0]} → {fields[1]}")
    return MaintenanceWindow(starts_at, ends_at, WindowKind(kind))


def parse_maintenance_csv(source: str | Iterable[str]) -> list[MaintenanceWindow]:
    """The maintenance windows of a maintenance CSV, in file order."""
    rows = _rows(source)
    header = _check_header(rows, MAINTENANCE_HEADERS)
    return [_window(number, fields, header) for number, fields in rows]
