"""Daily flow or bulk archive (docs/contract.md §6): the rules that classify a batch, in words.

A batch is classified at upload from its size and its dossier's history, and may be moved to bulk
once its invoice dates are known. Every decision carries a stable `reason` code (read by the API and the
web pages) and a `message`, a sentence with the figures that fired the rule.

The thresholds, and why:

- Usual daily volume: the upper quartile of the dossier's *active* days (days with at least one
  daily-flow document) among its last 30 business days, known once there are 5 such days. Idle
  days are left out because a firm that uploads every Monday would otherwise look like a
  dossier of zero documents a day; the upper quartile (not the mean) ignores up to a quarter of
  unusual days, and sits above the median so that a normal busy day is not an exception.
- Bulk by volume: more than 5x the usual daily volume, and never at or below 200 documents.
  Month-end and VAT-return peaks run at 2-4x an ordinary day, so 5x is clearly something else.
  200 documents take minutes of worker time, so promising them within 48 hours costs nothing;
  the floor also keeps a dossier of 3 a day from having a batch of 20 called an archive.
- New dossier (no usual volume yet): up to 200 documents is daily, above is bulk: the same floor.
- An upload sent as several batches (a client sending a folder 100 files at a time) may say how
  many files the whole upload holds (`upload_total`); each batch is then judged on that total,
  as one large batch would be. Saying more can only make a batch bulk, which a client may declare
  anyway; saying less than the batch holds changes nothing.
- Invoice dates: a daily batch of at least 20 dated documents whose dates, the oldest and newest
  5 % set aside, lie more than 62 days apart becomes bulk (`spans_months`). Daily uploads carry
  this month's and last month's invoices, with the odd late one; 62 days (two long months)
  allows that, and the trimming keeps one misread date from flipping a batch.
- A client may declare a batch `bulk`; declaring `daily` never overrides a rule that says bulk.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

Flow = Literal["daily", "bulk"]

HISTORY_BUSINESS_DAYS = 30
MIN_ACTIVE_DAYS = 5
BULK_MULTIPLE = 5
DAILY_FLOOR = 200
MIN_DATED_DOCUMENTS = 20
DATE_TRIM_SHARE = 0.05
MAX_DAILY_DATE_SPREAD_DAYS = 62
NEW_DOSSIER_DAYS = 30

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True)
class FlowDecision:
    """A batch's flow, the rule that set it (`reason`, a stable code) and that rule in words with its
    figures (`message`)."""

    flow: Flow
    reason: str
    message: str


def usual_daily_volume(daily_counts: Sequence[int]) -> float | None:
    """The dossier's usual daily volume from its per-business-day document counts.

    `daily_counts` are the daily-flow documents of each of the dossier's recent business days
    (archives excluded, or one archive would raise the bar for the next); only the last
    `HISTORY_BUSINESS_DAYS` are read. None when fewer than `MIN_ACTIVE_DAYS` days had uploads.
    """
    if any(count < 0 for count in daily_counts):
        raise ValueError("daily counts cannot be negative")
    active = [count for count in daily_counts[-HISTORY_BUSINESS_DAYS:] if count > 0]
    if len(active) < MIN_ACTIVE_DAYS:
        return None
    # 'inclusive' interpolates between observed values, so the result never exceeds the busiest day.
    return statistics.quantiles(active, n=4, method="inclusive")[2]


def classify(
    document_count: int,
    declared: str | None,
    dossier_daily_volume: float | None,
    dossier_age_days: int,
    upload_total: int | None = None,
) -> FlowDecision:
    """Classify a batch at upload; see the module docstring for the rules.

    `dossier_daily_volume` is `usual_daily_volume(...)` of the dossier: None when unknown.
    `upload_total`: the files of the whole upload this batch is part of, when the client says.
    """
    if document_count < 1:
        raise ValueError(f"a batch holds at least one document, not {document_count}")
    if upload_total is not None and upload_total < 1:
        raise ValueError(f"an upload holds at least one file, not {upload_total}")
    if declared not in (None, "daily", "bulk"):
        raise ValueError(f"declared flow must be 'daily' or 'bulk', not {declared!r}")
    if dossier_daily_volume is not None and dossier_daily_volume <= 0:
        raise ValueError("a usual daily volume is positive; pass None when there is none")
    if declared == "bulk":
        message = f"declared an archive by the client ({_n(document_count)} documents)"
        return FlowDecision("bulk", "declared_bulk", message)
    volume = _Volume(document_count, upload_total or 0)
    if dossier_daily_volume is None:
        decision = _by_floor(volume, dossier_age_days)
    else:
        decision = _by_usual_volume(volume, dossier_daily_volume)
    if declared == "daily" and decision.flow == "bulk":
        message = f"declared daily, but {decision.message}, which makes it bulk"
        return FlowDecision(decision.flow, decision.reason, message)
    return decision


@dataclass(frozen=True)
class _Volume:
    """The documents a decision weighs: the batch's, or the whole upload's when it says more."""

    batch: int
    upload: int

    @property
    def total(self) -> int:
        return max(self.batch, self.upload)

    def __str__(self) -> str:
        if self.upload <= self.batch:
            return f"{_n(self.batch)} documents"
        return f"{_n(self.upload)} documents in this upload ({_n(self.batch)} in this batch)"


def _by_usual_volume(volume: _Volume, usual: float) -> FlowDecision:
    threshold = max(BULK_MULTIPLE * usual, DAILY_FLOOR)
    figures = f"{volume}, {_ratio(volume.total / usual)} this dossier's usual daily volume of {_n(usual)}"
    if volume.total > threshold:
        return FlowDecision("bulk", "above_daily_volume", f"{figures} (bulk above {_n(threshold)})")
    return FlowDecision("daily", "within_daily_volume", f"{figures} (daily up to {_n(threshold)})")


def _by_floor(volume: _Volume, age_days: int) -> FlowDecision:
    if age_days < NEW_DOSSIER_DAYS:
        days = "day" if age_days == 1 else "days"
        why = f"a dossier opened {_n(age_days)} {days} ago has no usual volume yet"
    else:
        why = "this dossier has too few recent upload days for a usual volume"
    if volume.total > DAILY_FLOOR:
        message = f"{volume}, above the {_n(DAILY_FLOOR)} taken as daily while {why}"
        return FlowDecision("bulk", "above_new_dossier_floor", message)
    message = f"{volume}, within the {_n(DAILY_FLOOR)} taken as daily while {why}"
    return FlowDecision("daily", "new_dossier_floor", message)


def reclassify_by_dates(
    invoice_dates: Sequence[date], current: FlowDecision
) -> FlowDecision | None:
    """Move a daily batch to bulk once its invoice dates span months; None when nothing changes.

    `invoice_dates` are the dates extracted so far (undated documents simply absent).
    """
    if current.flow == "bulk" or len(invoice_dates) < MIN_DATED_DOCUMENTS:
        return None
    ordered = sorted(invoice_dates)
    trim = int(len(ordered) * DATE_TRIM_SHARE)
    oldest, newest = ordered[trim], ordered[len(ordered) - 1 - trim]
    if (newest - oldest).days <= MAX_DAILY_DATE_SPREAD_DAYS:
        return None
    months = (newest.year - oldest.year) * 12 + newest.month - oldest.month + 1
    message = (
        f"invoices dated from {_month(oldest)} to {_month(newest)} ({months} months), "
        f"more than the {MAX_DAILY_DATE_SPREAD_DAYS} days a daily batch spans"
    )
    if trim:
        message += f", the {_n(trim)} oldest and {_n(trim)} newest dates set aside"
    return FlowDecision("bulk", "spans_months", message)


def _month(day: date) -> str:
    return f"{MONTHS[day.month - 1]} {day.year}"


def _n(value: float) -> str:
    """A figure with thousands separators: whole numbers bare, others with one decimal."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


def _ratio(ratio: float) -> str:
    # Small ratios keep a decimal so that 1.5x and 2.4x do not both read "2x".
    return f"{ratio:,.0f}×" if ratio >= 10 else f"{ratio:.1f}×"
