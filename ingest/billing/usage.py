"""Exact usage of a period and its warnings (docs/contract.md §4).

Consumption is the number of ``usage_records`` of the account whose ``counted_at`` falls in the
period's half-open bounds. Processing writes those rows (one per document, in the transaction that
marks it processed); this module only reads them.

Warnings (80 % and 100 % of the allowance) are recorded once per account, period and threshold,
with the instant the threshold was *reached*: the ``counted_at`` of the document whose count
crossed it (the ⌈t × allowance / 100⌉-th record of the period). Because that instant is a fact of
the data and not of the moment we look, recording is idempotent and can happen anywhere: when the
usage is read (``GET /v1/usage``) and in a periodic scan (``record_all_warnings``), so a warning is
recorded within the scan interval even if nobody looks.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, SQLModel, col, select

from ingest.billing.subscriptions import (
    BillingCode,
    BillingError,
    bounds,
    current_period,
    get_subscription,
    plan_history,
    plan_of,
    version_for,
)
from ingest.billing.tables import Subscription, UsageRecord, UsageWarning
from ingest.contract.billing import (
    Plan,
    UsageSummary,
    document_overage_cents,
    thresholds_crossed,
    usage_summary,
)
from ingest.contract.periods import Period
from ingest.platform.columns import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Usage:
    period: Period
    summary: UsageSummary
    warnings: list[UsageWarning]


# One usage row per document, keyed by its id: a second attempt to count it changes nothing. The
# statement is built once, as processing runs it for every document (see ingest.processing.lease).
_USAGE = SQLModel.metadata.tables[UsageRecord.__tablename__]
_COUNT = {dialect: insert(_USAGE).on_conflict_do_nothing(index_elements=["document_id"])
          for dialect, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))}


def count_document(conn: Connection, document_id: str, account_id: str, dossier_id: str) -> None:
    """Count a processed document against its account, in the caller's transaction: processing
    calls this in the transaction that records the ``processed`` state."""
    conn.execute(_COUNT[conn.dialect.name], {"document_id": document_id, "account_id": account_id,
                                             "dossier_id": dossier_id, "counted_at": utcnow()})


# The parameter that carries the counting instant of `counting_of` (the caller gives `utcnow()`:
# every count is stamped by the application's clock, whichever path wrote it).
COUNTED_AT = "_counted_at"


def counting_of(finished: sa.CTE) -> sa.CTE:
    """On PostgreSQL, the usage rows of the documents that `finished` (a data-modifying CTE returning
    their `id`, `account_id` and `dossier_id`) returns, as a CTE of the same statement: a document is
    counted in the very statement that marks it processed, one round trip for both. The key makes it
    exactly-once, as `count_document`'s."""
    rows = sa.select(finished.c.id, finished.c.account_id, finished.c.dossier_id,
                     sa.bindparam(COUNTED_AT, type_=_USAGE.c.counted_at.type))
    return (pg_insert(_USAGE).from_select(["document_id", "account_id", "dossier_id", "counted_at"], rows)
            .on_conflict_do_nothing(index_elements=["document_id"]).cte("counted"))


def consumed(session: Session, account_id: str, period: Period) -> int:
    stmt = (sa.select(sa.func.count()).select_from(UsageRecord)
            .where(col(UsageRecord.account_id) == account_id, col(UsageRecord.counted_at) >= period.start,
                   col(UsageRecord.counted_at) < period.end))
    return int(session.execute(stmt).scalar_one())


def resolve_period(activation: datetime, which: str | int, now: datetime) -> Period:
    """``which`` is a period index, ``current`` or ``previous``."""
    cur = current_period(activation, now)
    if which in ("current", "previous"):
        if cur is None:
            raise BillingError(BillingCode.period_not_found,
                                    f"The subscription starts at {activation.isoformat()}.")
        index = cur.index - (which == "previous")
    else:
        try:
            index = int(which)
        except ValueError:
            raise BillingError(BillingCode.invalid_period,
                                    "period must be an index, 'current' or 'previous'.") from None
    if index < 0 or (cur is not None and index > cur.index) or cur is None:
        raise BillingError(BillingCode.period_not_found, f"There is no period {index} yet.")
    return bounds(activation, index)


def _crossing_instant(session: Session, account_id: str, period: Period, nth: int) -> datetime | None:
    stmt = (select(UsageRecord.counted_at)
            .where(col(UsageRecord.account_id) == account_id, col(UsageRecord.counted_at) >= period.start,
                   col(UsageRecord.counted_at) < period.end)
            .order_by(col(UsageRecord.counted_at), col(UsageRecord.document_id)).offset(nth - 1).limit(1))
    return session.exec(stmt).first()


def record_warnings(session: Session, account_id: str, period: Period, allowance: int, count: int) -> None:
    """Record the thresholds reached by ``count`` documents (flushes; safe to repeat and to race)."""
    already = {w.threshold for w in _warnings(session, account_id, period.index)}
    # From zero, every threshold ``count`` has reached is "crossed".
    for threshold in thresholds_crossed(allowance, 0, count):
        if threshold in already:
            continue
        nth = max(1, -(-threshold * allowance // 100))  # ceil, and the first document at allowance 0
        reached = _crossing_instant(session, account_id, period, nth)
        if reached is None:
            continue
        insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
        session.execute(insert(UsageWarning).values(
            account_id=account_id, period_index=period.index, threshold=threshold, reached_at=reached,
            recorded_at=utcnow()).on_conflict_do_nothing())
        log.info("account %s reached %d %% of its allowance in period %d", account_id, threshold, period.index)


def _warnings(session: Session, account_id: str, period_index: int) -> list[UsageWarning]:
    stmt = (select(UsageWarning).where(UsageWarning.account_id == account_id,
                                       UsageWarning.period_index == period_index)
            .order_by(col(UsageWarning.threshold)))
    return list(session.exec(stmt).all())


def read_usage(session: Session, account_id: str, which: str | int = "current",
               now: datetime | None = None) -> Usage:
    """The usage of one period, recording any warning it reached (commits)."""
    now = now or utcnow()
    sub = get_subscription(session, account_id)
    period = resolve_period(sub.activation_at, which, now)
    plan = plan_of(version_for(plan_history(session, account_id), period.index))
    count = consumed(session, account_id, period)
    record_warnings(session, account_id, period, plan.allowance, count)
    session.commit()
    return Usage(period, usage_summary(plan, count), _warnings(session, account_id, period.index))


@dataclass(frozen=True)
class PastPeriod:
    """A closed period as the usage page lists it: its plan, its figures, and what its documents
    over the allowance come to (billed on the next statement)."""

    period: Period
    plan: Plan
    summary: UsageSummary
    overage_cents: int


def past_periods(session: Session, account_id: str, *, limit: int, offset: int,
                 now: datetime | None = None) -> tuple[list[PastPeriod], int]:
    """The account's closed periods, newest first (`limit` of them from `offset`), and how many
    there are. Reads only: warnings of closed periods were recorded while they ran."""
    now = now or utcnow()
    sub = get_subscription(session, account_id)
    current = current_period(sub.activation_at, now)
    total = current.index if current else 0
    history = plan_history(session, account_id)
    rows = []
    for index in range(total - 1 - offset, max(total - offset - limit, 0) - 1, -1):
        period = bounds(sub.activation_at, index)
        plan = plan_of(version_for(history, index))
        count = consumed(session, account_id, period)
        rows.append(PastPeriod(period, plan, usage_summary(plan, count), document_overage_cents(plan, count)))
    return rows, total


def record_all_warnings(engine: Engine, now: datetime | None = None) -> int:
    """The periodic scan: record the warnings of every account's current period."""
    now = now or utcnow()
    with Session(engine) as session:
        subs = [(s.account_id, s.activation_at) for s in session.exec(select(Subscription)).all()]
    done = 0
    for account_id, activation in subs:
        if current_period(activation, now) is None:
            continue
        with Session(engine) as session:
            read_usage(session, account_id, "current", now)
            done += 1
    return done
