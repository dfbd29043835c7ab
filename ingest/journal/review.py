"""The entries held for a person: each invoice that the export leaves out, and why.

An invoice is held while it has an open flag (totals that do not add up, a missing mention, a VAT
rate that is not French…), a missing or uncertain amount or date, no supplier number, or amounts in
another currency (ingest.journal.entries.HoldCode). The list is made from the documents as they
are now, like the export, so an invoice leaves it as soon as what held it is corrected.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from ingest.journal.entries import Booking
from ingest.journal.period import Period, bookings


@dataclass(frozen=True)
class ReviewPage:
    items: list[Booking]
    total: int


def held_bookings(engine: Engine, dossier_id: str, period: Period, *, limit: int, offset: int) -> ReviewPage:
    """One page of the held invoices in the journal's order, and how many there are. Every invoice of
    the period is booked to find them (only the page is kept)."""
    items: list[Booking] = []
    total = 0
    for booking in bookings(engine, dossier_id, period):
        if booking.exported:
            continue
        if offset <= total < offset + limit:
            items.append(booking)
        total += 1
    return ReviewPage(items, total)
