"""Classifying a batch as daily flow or bulk archive, with the database's history (docs/contract.md §6).

The rules are `ingest.contract.flow`; this module reads what they need (the dossier's
daily-flow documents per business day, its age) and records their decisions: at upload, and
later when invoice dates move a daily batch to bulk (`reclassify_batch`).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from ingest.accounts.dossiers import get_dossier
from ingest.contract.calendar import is_business_day, to_paris
from ingest.contract.flow import (
    HISTORY_BUSINESS_DAYS,
    MIN_DATED_DOCUMENTS,
    FlowDecision,
    classify,
    reclassify_by_dates,
    usual_daily_volume,
)
from ingest.flow.tables import FlowChange
from ingest.platform.models import Batch, Document, Flow

log = logging.getLogger(__name__)

# docs/contract.md §6: a daily batch is processed within 48 calendar hours of its receipt.
DAILY_COMMITMENT = timedelta(hours=48)
# Calendar days read to find 30 business days (weekends and the longest run of holidays).
HISTORY_CALENDAR_DAYS = 50
NO_DOCUMENTS = FlowDecision("daily", "no_documents", "no file of the batch was accepted")


class SlaState(StrEnum):
    """Where a daily batch stands against its 48-hour commitment."""

    on_track = "on_track"
    at_risk = "at_risk"
    breached = "breached"
    met = "met"



def daily_counts(session: Session, dossier_id: str, now: datetime) -> list[int]:
    """Daily-flow documents of each of the dossier's last business days before today, oldest first."""
    since = now - timedelta(days=HISTORY_CALENDAR_DAYS)
    rows = session.exec(
        select(Batch.received_at, sa.func.count(col(Document.id)))
        .join(Document, col(Document.batch_id) == Batch.id)
        .where(Batch.dossier_id == dossier_id, Batch.flow == Flow.daily, Batch.received_at >= since)
        .group_by(col(Batch.id), col(Batch.received_at))
    ).all()
    per_day: Counter[date] = Counter()
    for received_at, count in rows:
        per_day[to_paris(received_at).date()] += count
    today = to_paris(now).date()
    days = [today - timedelta(days=n) for n in range(HISTORY_CALENDAR_DAYS, 0, -1)]
    business = [day for day in days if is_business_day(day)][-HISTORY_BUSINESS_DAYS:]
    return [per_day[day] for day in business]


def classify_batch(session: Session, dossier_id: str, document_count: int, declared: str | None,
                   now: datetime, upload_total: int | None = None) -> FlowDecision:
    """The flow of a new batch of `document_count` accepted documents in this dossier, part of an
    upload of `upload_total` files when the client says so."""
    if document_count < 1:
        return NO_DOCUMENTS
    dossier = get_dossier(session, dossier_id)
    age_days = max(0, (now - dossier.created_at).days) if dossier else 0
    usual = usual_daily_volume(daily_counts(session, dossier_id, now))
    return classify(document_count, declared, usual, age_days, upload_total)


def reclassify_batch(session: Session, batch: Batch, invoice_dates: Sequence[date],
                     now: datetime) -> FlowChange | None:
    """Move a daily batch to bulk when its invoice dates span months; adds rows, never commits.

    Its documents already queued stay on the daily queue (moving messages would cost more than
    finishing them); the batch loses its 48-hour commitment and is shown with the new reason.
    """
    current = FlowDecision("bulk" if batch.flow == Flow.bulk else "daily", batch.flow_reason, batch.flow_message)
    decision = reclassify_by_dates(invoice_dates, current)
    if decision is None:
        return None
    change = FlowChange(batch_id=batch.id, changed_at=now, from_flow=batch.flow, to_flow=decision.flow,
                        from_reason=batch.flow_reason, from_message=batch.flow_message,
                        to_reason=decision.reason, to_message=decision.message[:500], previous_due_at=batch.due_at)
    batch.flow, batch.flow_reason, batch.flow_message = decision.flow, decision.reason, decision.message[:500]
    batch.reclassified_at, batch.due_at, batch.sla_state = now, None, None
    session.add(change)
    session.add(batch)
    log.info("batch reclassified", extra={"batch_id": batch.id, "flow_reason": decision.reason})
    return change


def reclassify_open_batches(engine: Engine, now: datetime) -> list[FlowChange]:
    """The periodic job: every unfinished daily batch whose invoice dates now span months.

    The dates are those processing wrote in `documents.invoice_date` (`ingest.processing.process`)."""
    changes = []
    with Session(engine, expire_on_commit=False) as session:
        batches = session.exec(select(Batch).where(Batch.flow == Flow.daily,
                                                   col(Batch.finished_at).is_(None))).all()
        for batch in batches:
            # The invoice dates processing found (validated or not: a spread of
            # dates is what matters here, not any single one).
            dates = [d for d in session.exec(select(col(Document.invoice_date)).where(
                Document.batch_id == batch.id, col(Document.invoice_date).is_not(None))).all() if d is not None]
            if len(dates) < MIN_DATED_DOCUMENTS:
                continue
            change = reclassify_batch(session, batch, dates, now)
            if change is not None:
                changes.append(change)
        session.commit()
    return changes
