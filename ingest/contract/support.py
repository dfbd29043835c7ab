"""Support deadlines for anomalies (docs/contract.md §2).

From the qualification instant, with the clock start applied, the provider owes:
criticality 1 — a corrective action plan within 12 support hours;
criticality 2 — a fix or workaround by the same Paris clock time on the 6th business day after the
clock-start date; criticality 3 — no deadline.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import IntEnum, StrEnum

from ingest.contract.calendar import (
    add_business_days,
    add_support_hours,
    clock_start,
    require_aware,
    support_hours_between,
)

CRITICALITY_1_SUPPORT_HOURS = timedelta(hours=12)
CRITICALITY_2_BUSINESS_DAYS = 6


class Criticality(IntEnum):
    """An anomaly's criticality, as defined in article 1 of the booklet."""

    BLOCKING = 1  # an essential feature is unusable and no workaround can exist
    MAJOR = 2  # an essential feature is inoperative, a workaround may exist
    MINOR = 3  # anything else


class DeadlineState(StrEnum):
    """Where an anomaly stands against its deadline; values are stable codes shown to users."""

    ON_TIME = "on_time"
    DUE_SOON = "due_soon"
    LATE = "late"
    MET = "met"


def due_at(criticality: int, qualified_at: datetime) -> datetime | None:
    """The deadline of an anomaly qualified at ``qualified_at`` (Europe/Paris), or None for 3."""
    level = Criticality(criticality)  # ValueError for anything but 1, 2, 3
    require_aware(qualified_at, "qualified_at")
    if level is Criticality.BLOCKING:
        return add_support_hours(qualified_at, CRITICALITY_1_SUPPORT_HOURS)
    if level is Criticality.MAJOR:
        return add_business_days(clock_start(qualified_at), CRITICALITY_2_BUSINESS_DAYS)
    return None


def deadline_state(
    due: datetime | None,
    done_at: datetime | None,
    now: datetime,
    due_soon_within: timedelta = timedelta(hours=4),
) -> DeadlineState | None:
    """The state of a deadline at ``now``; None when there is no deadline (criticality 3).

    Done: MET when done at or before ``due``, LATE after it. Not done: LATE once ``now`` is past
    ``due``; DUE_SOON when at most ``due_soon_within`` of *support hours* remain, for both
    criticalities, since the desk only works then: four calendar hours mean nothing over a weekend,
    while a Friday 16:00 check of a Monday 10:00 deadline really has two working hours left.
    ON_TIME otherwise. The due instant itself is still on time (due soon), not late.
    """
    if due is None:
        return None
    require_aware(due, "due")
    if done_at is not None:
        return DeadlineState.MET if require_aware(done_at, "done_at") <= due else DeadlineState.LATE
    if require_aware(now, "now") > due:
        return DeadlineState.LATE
    if support_hours_between(now, due) <= due_soon_within:
        return DeadlineState.DUE_SOON
    return DeadlineState.ON_TIME
