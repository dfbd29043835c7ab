"""Subscription periods: monthly anniversaries of the activation, in Paris wall time.

The contract (docs/contract.md §4) counts usage and bills per *period*, a month starting on the
anniversary of the activation instant. Period 0 starts at activation; period k starts k months
later on the activation's day of month at the activation's wall-clock time. Each start is
computed from the activation itself, never from the previous start, so an activation on
31 January gives 28 (or 29) February, then 31 March, not 28 March.

Daylight saving time, decided here because the booklet is silent:

- a wall time that does not exist (the spring gap, 02:00-03:00 on the last Sunday of March)
  moves forward by the gap: 02:30 becomes 03:30 summer time. This is the instant PEP 495 gives
  the wall time with ``fold=0`` (the offset in force before the change), so a period is never
  shortened to before its nominal wall time;
- a wall time that happens twice (the autumn fold) means its first occurrence (summer time),
  except for period 0, which is the activation instant itself.

Periods are half-open, [start, end): the end of period k is the start of period k + 1, so an
instant exactly on a boundary belongs to the new period.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


@dataclass(frozen=True, slots=True)
class Period:
    """One subscription period: its index (0 = the one starting at activation) and bounds."""

    index: int
    start: datetime
    end: datetime

    def __contains__(self, at: datetime) -> bool:
        instant = _utc(_require_aware(at, "at"))
        return _utc(self.start) <= instant < _utc(self.end)


def _require_aware(value: datetime, name: str) -> datetime:
    # A naive datetime has no defined instant; guessing its zone would silently shift a
    # period boundary by one or two hours, so refuse it instead.
    if not isinstance(value, datetime):
        raise TypeError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value


def _require_index(index: int) -> int:
    if isinstance(index, bool) or not isinstance(index, int):
        raise TypeError(f"period index must be an int, got {type(index).__name__}")
    if index < 0:
        raise ValueError(f"period index must be >= 0, got {index}")
    return index


def _to_paris(value: datetime) -> datetime:
    return value.astimezone(PARIS)


def _utc(value: datetime) -> datetime:
    # Python compares two datetimes sharing a tzinfo by wall time, ignoring ``fold``: in the
    # autumn hour that happens twice, 02:10 (second) would sort before 02:30 (first). Compare
    # instants in UTC instead.
    return value.astimezone(UTC)


def _resolve_wall_time(wall: datetime) -> datetime:
    """Turn a Paris wall time (tzinfo=PARIS) into a real instant, expressed in Paris time.

    Going through UTC applies the rules in the module docstring: a gap time with fold=0 takes
    the pre-change offset (so it lands later in wall time), an ambiguous one its first
    occurrence. The result always shows an existing wall time with the right offset.
    """
    return wall.replace(fold=0).astimezone(UTC).astimezone(PARIS)


def period_start(activation: datetime, index: int) -> datetime:
    """Start of period ``index`` (0-based) of a subscription activated at ``activation``."""
    local = _to_paris(_require_aware(activation, "activation"))
    _require_index(index)
    if index == 0:
        # Period 0 is the activation instant itself, even when it is the second of two
        # identical autumn wall times.
        return local
    months = local.year * 12 + (local.month - 1) + index
    year, month0 = divmod(months, 12)
    month = month0 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    return _resolve_wall_time(local.replace(year=year, month=month, day=day))


def period_bounds(activation: datetime, index: int) -> tuple[datetime, datetime]:
    """Half-open bounds [start, end) of period ``index``."""
    return period_start(activation, index), period_start(activation, index + 1)


def period_index_at(activation: datetime, at: datetime) -> int:
    """Index of the period containing the instant ``at``.

    Raises ValueError when ``at`` is before the activation: there is no period then.
    """
    start = _to_paris(_require_aware(activation, "activation"))
    instant = _utc(_require_aware(at, "at"))
    if instant < _utc(start):
        raise ValueError(f"{at.isoformat()} is before activation {activation.isoformat()}")
    # The calendar-month distance is right to within one period (the anniversary day or
    # time may not have come yet in the month of ``at``); settle it against the real bounds.
    local_at = _to_paris(instant)
    index = max((local_at.year - start.year) * 12 + (local_at.month - start.month), 0)
    while index > 0 and _utc(period_start(activation, index)) > instant:
        index -= 1
    while _utc(period_start(activation, index + 1)) <= instant:
        index += 1
    return index


def period_at(activation: datetime, at: datetime) -> Period:
    """The period containing ``at`` (see ``period_index_at``)."""
    index = period_index_at(activation, at)
    start, end = period_bounds(activation, index)
    return Period(index=index, start=start, end=end)
