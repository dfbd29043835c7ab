"""A dossier's purchase journal for a period, as a FEC or a CSV file, streamed.

Entries are numbered 1, 2, 3… in the journal's order (invoice date, then document id), over the
entries exported: the same invoices give the same numbers, and the numbering has no gap, as the
FEC's checks want. Entries held for review are left out (`ingest.journal.review` lists them).
The validation date (ValidDate) is the day of the export: the day the entries were handed over.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy.engine import Engine

from ingest.journal import layouts
from ingest.journal.entries import Entry
from ingest.journal.errors import JournalCode, JournalError
from ingest.journal.period import Period, bookings

# Text is handed out in slices of about this many characters: a few hundred entries each, few
# enough writes to the socket, little enough held.
SLICE = 64 * 1024


class JournalFormat(StrEnum):
    fec = "fec"
    csv = "csv"


@dataclass(frozen=True)
class JournalFile:
    filename: str
    media_type: str
    chunks: Iterator[bytes]


def check_period(start: date, end: date) -> None:
    if end < start:
        raise JournalError(JournalCode.period_reversed, f"The period ends on {end:%d/%m/%Y}, before it starts "
                           f"on {start:%d/%m/%Y}: give 'from' on or before 'to'.")


def journal_file(engine: Engine, dossier_id: str, siren: str | None, start: date, end: date, fmt: JournalFormat,
                 today: date) -> JournalFile:
    """The export's name, type and content (read as it is sent). Refuses before anything is read:
    a FEC needs the dossier's SIREN, which names its file."""
    check_period(start, end)
    if fmt is JournalFormat.fec:
        if not siren:
            raise JournalError(JournalCode.siren_required, "A FEC file is named by the company's SIREN and this "
                               "dossier has none (a dossier's SIREN is given when it is opened): ask for format=csv, "
                               "or export from a dossier opened with its SIREN.")
        return JournalFile(layouts.fec_filename(siren, end), "text/plain; charset=utf-8",
                           _slices(layouts.fec_header(), _entries(engine, dossier_id, start, end),
                                   lambda entry, n: layouts.fec_lines(entry, n, today)))
    return JournalFile(layouts.csv_filename(dossier_id, start, end), "text/csv; charset=utf-8",
                       _slices(layouts.csv_header(), _entries(engine, dossier_id, start, end), layouts.csv_lines))


def _entries(engine: Engine, dossier_id: str, start: date, end: date) -> Iterator[Entry]:
    for booking in bookings(engine, dossier_id, Period(start, end)):
        if booking.exported and booking.entry is not None:
            yield booking.entry


def _slices(header: str, entries: Iterator[Entry], write: Callable[[Entry, int], str]) -> Iterator[bytes]:
    parts, size = [header], len(header)
    for number, entry in enumerate(entries, start=1):
        text = write(entry, number)
        parts.append(text)
        size += len(text)
        if size >= SLICE:
            yield "".join(parts).encode("utf-8")
            parts, size = [], 0
    yield "".join(parts).encode("utf-8")
