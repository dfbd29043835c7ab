"""The contract's calendar: business days and support hours, in Europe/Paris.

docs/contract.md §1. A *business day* is Monday to Friday and not a public holiday of
metropolitan France, as listed by the ``holidays`` library (country FR, no subdivision). *Support hours* are
the support desk's opening on a business day: 09:00–12:30 and 14:30–17:30 Monday to Thursday,
09:00–12:30 and 14:30–17:00 on Friday.

Every function takes aware datetimes in any zone, refuses naive ones with ``ValueError`` and
answers in Europe/Paris. Support intervals never contain a DST change (those happen at night),
so arithmetic inside one interval on Paris wall times is exact.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from ingest.contract.holiday_table import french_public_holidays

PARIS = ZoneInfo("Europe/Paris")

_MORNING = (time(9, 0), time(12, 30))
_AFTERNOON_MON_THU = (time(14, 30), time(17, 30))
_AFTERNOON_FRI = (time(14, 30), time(17, 0))
_FRIDAY = 4
_ONE_DAY = timedelta(days=1)

SupportInterval = tuple[datetime, datetime]


def require_aware(value: datetime, name: str = "datetime") -> datetime:
    """``value`` if it carries a UTC offset; a naive datetime names no instant, so refuse it."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value


def to_paris(value: datetime, name: str = "datetime") -> datetime:
    """The same instant on the Paris wall clock."""
    return require_aware(value, name).astimezone(PARIS)


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """The Paris calendar month as instants: [its first midnight, the next month's first midnight)."""
    following = (year + month // 12, month % 12 + 1)
    return datetime(year, month, 1, tzinfo=PARIS), datetime(*following, 1, tzinfo=PARIS)


@cache
def public_holidays(year: int) -> frozenset[date]:
    """The national French public holidays of ``year`` (``ingest.contract.holiday_table``)."""
    return french_public_holidays(year)


def is_business_day(day: date) -> bool:
    """Monday to Friday and not a French public holiday."""
    return day.weekday() < 5 and day not in public_holidays(day.year)


def support_intervals(day: date) -> list[SupportInterval]:
    """The support desk's opening intervals on ``day`` (empty when it is not a business day)."""
    if not is_business_day(day):
        return []
    afternoon = _AFTERNOON_FRI if day.weekday() == _FRIDAY else _AFTERNOON_MON_THU
    return [
        (datetime.combine(day, opens, PARIS), datetime.combine(day, closes, PARIS))
        for opens, closes in (_MORNING, afternoon)
    ]


def clock_start(at: datetime) -> datetime:
    """When a clock started at ``at`` begins to run: ``at`` itself inside support hours,
    otherwise the next opening (a closing instant is outside, so it moves on too)."""
    local = to_paris(at, "at")
    day = local.date()
    while True:
        for opens, closes in support_intervals(day):
            if local < opens:
                return opens
            if local < closes:
                return local
        day += _ONE_DAY


def _as_budget(hours: float | timedelta) -> timedelta:
    budget = hours if isinstance(hours, timedelta) else timedelta(hours=hours)
    if budget < timedelta(0):
        raise ValueError(f"a support-hour budget cannot be negative, got {budget}")
    return budget


def add_support_hours(start: datetime, hours: float | timedelta) -> datetime:
    """The earliest instant at which ``hours`` of support time have run since ``start``.

    Time counts only inside support hours, from the clock start. When the budget runs out exactly
    at a closing, the answer is that closing instant (the work is due as the desk closes, not at
    the next opening); this is the only way the answer can be outside support hours. A zero budget
    gives the clock start.
    """
    remaining = _as_budget(hours)
    current = clock_start(start)
    if not remaining:
        return current
    day = current.date()
    while True:
        for opens, closes in support_intervals(day):
            if closes <= current:
                continue
            begin = max(opens, current)
            available = closes - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        day += _ONE_DAY


def add_business_days(start: datetime, days: int) -> datetime:
    """The same Paris wall-clock time on the ``days``-th business day after ``start``'s date.

    Calendar arithmetic only: no clock start is applied here (``support.due_at`` does that).
    The wall time is rebuilt on the target day and then localised, so a DST change in between
    keeps 16:50 at 16:50; a wall time that does not exist that day moves forward by the gap.
    """
    if days < 0:
        raise ValueError(f"days must be zero or more, got {days}")
    local = to_paris(start, "start")
    day = local.date()
    for _ in range(days):
        day += _ONE_DAY
        while not is_business_day(day):
            day += _ONE_DAY
    wall = datetime.combine(day, local.time().replace(fold=0), PARIS)
    # A round trip through UTC normalises a wall time that falls in a spring-forward gap.
    return wall.astimezone(UTC).astimezone(PARIS)


def support_hours_between(a: datetime, b: datetime) -> timedelta:
    """Support time between two instants (negative when ``b`` is before ``a``)."""
    start, end = to_paris(a, "a"), to_paris(b, "b")
    if end < start:
        return -support_hours_between(end, start)
    total = timedelta(0)
    day = start.date()
    while day <= end.date():
        for opens, closes in support_intervals(day):
            overlap = min(closes, end) - max(opens, start)
            if overlap > timedelta(0):
                total += overlap
        day += _ONE_DAY
    return total
