"""Monthly availability from the two probes, and the credit it may open (docs/contract.md §3).

Hours are fixed Paris clock hours [hh:00, hh+1:00). The counted hours of a month are the hours
starting 09:00 through 17:00, Monday to Friday, public holidays included, minus the hours entirely
inside scheduled maintenance windows. Measurements inside scheduled windows are ignored; an hour
partly inside expects ceil(20 × uncovered fraction) measurements. A probe's hour is OK when its OK
measurements are at least half of max(taken, expected); the hour is KO when either probe's is.
Urgent maintenance excuses nothing. Below 98 % (compared exactly, not after rounding) the month
opens a 10 % credit.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction
from math import ceil

from ingest.contract.calendar import PARIS, require_aware

PROBES = ("ui", "api")
# The web interface's probe was called "ihm" (the booklet's IHM) before this release: still
# accepted on input for one release, stored and answered as "ui".
DEPRECATED_PROBE_NAMES = {"ihm": "ui"}
# A measurement is OK when the HTTP status is 2xx and the response came in under this many ms.
LATENCY_LIMIT_MS = {"ui": 1000.0, "api": 5000.0}
EXPECTED_PER_HOUR = 20  # one measurement every 3 minutes
# Months the service can speak of: from before any measurement to far ahead, and within what a
# datetime holds once moved between time zones (year 1 or 9999 would overflow it).
FIRST_YEAR, LAST_YEAR = 2000, 2999
FIRST_HOUR, LAST_HOUR = 9, 17  # counted hours start 09:00 through 17:00
THRESHOLD_PERCENT = Fraction(98)
CREDIT_PERCENT = 10
CLAIM_WINDOW = timedelta(days=7)
_HOUR = timedelta(hours=1)
_HOUR_US = 3600 * 10**6


@dataclass(frozen=True)
class Measurement:
    """One probe measurement; ``status`` and ``latency_ms`` are None when nothing answered."""

    probe: str
    at: datetime
    status: int | None
    latency_ms: float | None

    def __post_init__(self) -> None:
        if self.probe not in PROBES:
            raise ValueError(f"probe must be one of {', '.join(PROBES)}, got {self.probe!r}")
        require_aware(self.at, "at")

    @property
    def ok(self) -> bool:
        if self.status is None or self.latency_ms is None:
            return False
        return 200 <= self.status < 300 and self.latency_ms < LATENCY_LIMIT_MS[self.probe]


def probe_name(value: str) -> str:
    """The probe a name given on input stands for (a deprecated name included)."""
    return DEPRECATED_PROBE_NAMES.get(value, value)


class WindowKind(StrEnum):
    """Announced before it starts (`scheduled`, excluded from the count) or after (`urgent`,
    the booklet's *Maintenance Urgente*, which excuses nothing)."""

    SCHEDULED = "scheduled"
    URGENT = "urgent"


@dataclass(frozen=True)
class MaintenanceWindow:
    """A maintenance window [starts_at, ends_at); only scheduled ones are excluded from the count."""

    starts_at: datetime
    ends_at: datetime
    kind: WindowKind = WindowKind.SCHEDULED

    def __post_init__(self) -> None:
        require_aware(self.starts_at, "starts_at")
        require_aware(self.ends_at, "ends_at")
        if self.ends_at <= self.starts_at:
            raise ValueError(f"a window must end after it starts: {self.starts_at} → {self.ends_at}")

    def contains(self, at: datetime) -> bool:
        return self.starts_at <= at < self.ends_at


@dataclass(frozen=True)
class AvailabilityReport:
    month: str  # 'YYYY-MM'
    counted_hours: int
    ko_hours: int
    availability_percent: Decimal  # two decimals, rounded half up; for display only
    credit_percent: int  # CREDIT_PERCENT or 0, decided on the exact ratio
    ko_hours_list: list[datetime] = field(default_factory=list)  # KO hour starts, Europe/Paris

    @property
    def ko_hour_ends(self) -> list[datetime]:
        return [start + _HOUR for start in self.ko_hours_list]


def parse_month(month: str | tuple[int, int]) -> tuple[int, int]:
    """(year, month) from 'YYYY-MM' or a (year, month) pair; ValueError otherwise."""
    if isinstance(month, str):
        year_text, sep, month_text = month.partition("-")
        if not (sep and len(year_text) == 4 and len(month_text) == 2):
            raise ValueError(f"month must look like YYYY-MM, got {month!r}")
        try:
            year, number = int(year_text), int(month_text)
        except ValueError:
            raise ValueError(f"month must look like YYYY-MM, got {month!r}") from None
    else:
        year, number = month
    if not 1 <= number <= 12:
        raise ValueError(f"month number must be 1 to 12, got {number}")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"the year must be from {FIRST_YEAR} to {LAST_YEAR}, got {year}")
    return year, number


def working_hours(year: int, month: int) -> list[datetime]:
    """Starts of the month's working-period hours (before maintenance), in Europe/Paris."""
    day = date(year, month, 1)
    hours: list[datetime] = []
    while day.month == month:
        if day.weekday() < 5:
            hours.extend(
                datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)
                for hour in range(FIRST_HOUR, LAST_HOUR + 1)
            )
        day += timedelta(days=1)
    return hours


def _covered_microseconds(start: datetime, windows: Sequence[MaintenanceWindow]) -> int:
    """How much of the hour starting at ``start`` the windows cover (overlaps merged)."""
    begin, end = start.astimezone(UTC), (start + _HOUR).astimezone(UTC)
    pieces = sorted(
        (max(w.starts_at, begin), min(w.ends_at, end)) for w in windows if w.starts_at < end and w.ends_at > begin
    )
    covered, reached = timedelta(0), begin
    for piece_start, piece_end in pieces:
        piece_start = max(piece_start, reached)
        if piece_end > piece_start:
            covered += piece_end - piece_start
            reached = piece_end
    return covered // timedelta(microseconds=1)


def _hour_key(at: datetime) -> tuple[date, int]:
    local = at.astimezone(PARIS)
    return local.date(), local.hour


def _bucket(
    measurements: Iterable[Measurement], scheduled: Sequence[MaintenanceWindow]
) -> dict[tuple[date, int, str], list[bool]]:
    """OK flags by (Paris date, hour, probe); measurements in scheduled windows are dropped."""
    buckets: dict[tuple[date, int, str], list[bool]] = defaultdict(list)
    for measurement in measurements:
        if any(window.contains(measurement.at) for window in scheduled):
            continue
        day, hour = _hour_key(measurement.at)
        buckets[(day, hour, measurement.probe)].append(measurement.ok)
    return buckets


def probe_hour_ok(ok_flags: Sequence[bool], expected: int) -> bool:
    """At least half of max(taken, expected) OK: missing measurements count as KO."""
    return 2 * sum(ok_flags) >= max(len(ok_flags), expected)


def _percent(counted: int, ko: int) -> Fraction:
    return Fraction(100) if counted == 0 else Fraction(100 * (counted - ko), counted)


def month_availability(
    month: str | tuple[int, int],
    measurements: Iterable[Measurement],
    windows: Iterable[MaintenanceWindow] = (),
    measured_until: datetime | None = None,
) -> AvailabilityReport:
    """The month's availability, KO hours and credit from the probes' measurements.

    `measured_until`: for a month not over yet, the hours that start at or after it are not
    counted: an hour that has not ended cannot have its 20 measurements.
    """
    year, number = parse_month(month)
    scheduled = [window for window in windows if window.kind is WindowKind.SCHEDULED]
    buckets = _bucket(measurements, scheduled)
    counted, ko_starts = 0, []
    for start in working_hours(year, number):
        if measured_until is not None and start >= require_aware(measured_until, "measured_until"):
            break
        uncovered = _HOUR_US - _covered_microseconds(start, scheduled)
        if uncovered <= 0:
            continue
        counted += 1
        expected = ceil(Fraction(EXPECTED_PER_HOUR * uncovered, _HOUR_US))
        day, hour = start.date(), start.hour
        if not all(probe_hour_ok(buckets.get((day, hour, p), []), expected) for p in PROBES):
            ko_starts.append(start)
    exact = _percent(counted, len(ko_starts))
    shown = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )
    return AvailabilityReport(
        month=f"{year:04d}-{number:02d}",
        counted_hours=counted,
        ko_hours=len(ko_starts),
        availability_percent=shown,
        credit_percent=CREDIT_PERCENT if exact < THRESHOLD_PERCENT else 0,
        ko_hours_list=ko_starts,
    )


class HourState(StrEnum):
    """What became of a working hour of the month, as the month's grid shows it."""

    OK = "ok"
    KO = "ko"
    MAINTENANCE = "maintenance"  # wholly inside scheduled maintenance: not counted
    NOT_COUNTED = "not_counted"  # not ended yet


def hour_states(report: AvailabilityReport, windows: Iterable[MaintenanceWindow] = (),
                measured_until: datetime | None = None) -> list[tuple[datetime, HourState]]:
    """Every working hour of the report's month with its state, by the same rules that made the
    report (`month_availability`, given the same windows and `measured_until`)."""
    year, number = parse_month(report.month)
    scheduled = [window for window in windows if window.kind is WindowKind.SCHEDULED]
    ko = set(report.ko_hours_list)
    states: list[tuple[datetime, HourState]] = []
    for start in working_hours(year, number):
        if measured_until is not None and start >= require_aware(measured_until, "measured_until"):
            state = HourState.NOT_COUNTED
        elif _covered_microseconds(start, scheduled) >= _HOUR_US:
            state = HourState.MAINTENANCE
        else:
            state = HourState.KO if start in ko else HourState.OK
        states.append((start, state))
    return states


def claim_window_open(ko_hour_ends: Iterable[datetime], filed_at: datetime) -> bool:
    """A credit claim is accepted when filed within 7 days after the end of one of the month's
    KO hours: from that end (inclusive) to 7 days later (inclusive)."""
    require_aware(filed_at, "filed_at")
    return any(
        require_aware(end, "ko_hour_end") <= filed_at <= end + CLAIM_WINDOW for end in ko_hour_ends
    )
