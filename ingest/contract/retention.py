"""The two-year history (docs/contract.md §5): which documents a client keeps, and which the purge removes.

A client keeps the documents of the current calendar year and of the previous one, counted in
Europe/Paris. Every function here takes the instant it reasons about (`as_of`, `at`) as an argument
and reads no clock, so the year boundary can be tested at the exact minute it falls.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from ingest.contract.calendar import PARIS, to_paris

__all__ = [
    "PARIS",
    "ExpiryNotice",
    "expiring_notice",
    "history_start",
    "is_purgeable",
    "next_purge_boundary",
    "outside_history",
    "paris_date",
    "reference_date",
]

# The month from which clients can list and export the documents that the purge of the next
# 1 January will remove (docs/contract.md §5, "from 1 December"): the whole of December, Paris time.
NOTICE_MONTH = 12


def paris_date(at: datetime) -> date:
    """The Paris wall-clock date of an aware instant.

    A naive datetime is refused: guessing its zone would move the year boundary by an hour or two,
    which is exactly where purge decisions are made.
    """
    return to_paris(at, "as_of").date()


def history_start(as_of: datetime) -> date:
    """The first reference date still kept at `as_of`: 1 January of the previous Paris year."""
    return date(paris_date(as_of).year - 1, 1, 1)


def is_purgeable(reference_date: date, as_of: datetime) -> bool:
    """Whether a document with this reference date is outside the history at `as_of`.

    Only the start of the history bounds it: a reference date in the future (a mistyped invoice
    date) is kept, since the purge must never delete what the contract says to keep.
    """
    return reference_date < history_start(as_of)


def outside_history(reference_date: date, at: datetime) -> bool:
    """Whether a document being processed at `at` is already outside the history.

    Such a document is rejected with the reason `outside_history` and is not counted. It is the
    same test as the purge's, so a document accepted at processing time is never one that the
    purge running the same night would remove.
    """
    return is_purgeable(reference_date, at)


def reference_date(
    invoice_date: date | None, invoice_date_validated: bool, received_at: datetime
) -> date:
    """A document's reference date: its validated invoice date, else its Paris receipt date.

    An extracted but unvalidated date is ignored: an OCR misreading ("2016" for "2026") must not
    be able to send a fresh document to the purge.
    """
    if invoice_date is not None and invoice_date_validated:
        return invoice_date
    return paris_date(received_at)


def next_purge_boundary(as_of: datetime) -> date:
    """The Paris date from which the next wave becomes purgeable: 1 January of the next year."""
    return date(paris_date(as_of).year + 1, 1, 1)


@dataclass(frozen=True)
class ExpiryNotice:
    """What the purge of `purge_on` will remove, and whether clients are being told yet.

    `expiring_year` is always filled, even outside the notice period, because the next wave is
    known all year long (operators and dry runs want it); `is_open` says whether the client-facing
    listing and export of that wave is available (1–31 December, Paris time).
    """

    is_open: bool
    expiring_year: int
    purge_on: date

    @property
    def last_reference_date(self) -> date:
        return date(self.expiring_year, 12, 31)


def expiring_notice(as_of: datetime) -> ExpiryNotice:
    """The next purge wave at `as_of`: on 2026-12-01 (Paris) it is open and names 2025."""
    today = paris_date(as_of)
    return ExpiryNotice(
        is_open=today.month == NOTICE_MONTH,
        expiring_year=today.year - 1,
        purge_on=date(today.year + 1, 1, 1),
    )
