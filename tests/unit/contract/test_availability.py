from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ingest.contract.availability import (
    AvailabilityReport,
    HourState,
    MaintenanceWindow,
    Measurement,
    WindowKind,
    claim_window_open,
    hour_states,
    month_availability,
    parse_month,
    probe_hour_ok,
    working_hours,
)
from ingest.contract.calendar import PARIS

STEP = timedelta(minutes=3)


def paris(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=PARIS)


def hour_of(
    start: datetime, probe: str, ok: int, ko: int = 0, offset: timedelta = timedelta(seconds=30)
) -> list[Measurement]:
    """``ok`` good then ``ko`` failed measurements every 3 minutes from ``start`` + ``offset``."""
    good = [Measurement(probe, start + offset + i * STEP, 200, 120.0) for i in range(ok)]
    bad = [Measurement(probe, start + offset + (ok + i) * STEP, None, None) for i in range(ko)]
    return good + bad


def full_month(month: str, ko_starts: frozenset[datetime] = frozenset()) -> list[Measurement]:
    """Every working hour measured 20 times by both probes; ui fails in ``ko_starts``."""
    measurements = []
    for start in working_hours(*parse_month(month)):
        measurements += hour_of(start, "api", 20)
        failed = start in ko_starts
        measurements += hour_of(start, "ui", 0, 20) if failed else hour_of(start, "ui", 20)
    return measurements


@pytest.mark.parametrize(
    ("probe", "status", "latency_ms", "ok"),
    [
        ("ui", 200, 999.9, True),
        ("ui", 200, 1000.0, False),  # strictly under 1 s
        ("ui", 204, 10.0, True),
        ("ui", 301, 10.0, False),
        ("ui", 500, 10.0, False),
        ("ui", None, None, False),  # no response
        ("api", 200, 4999.0, True),
        ("api", 200, 5000.0, False),  # strictly under 5 s
        ("api", 299, 1500.0, True),
        ("api", 404, 10.0, False),
        ("api", None, None, False),
        ("api", 200, None, False),
    ],
)
def test_measurement_ok(probe: str, status: int | None, latency_ms: float | None, ok: bool) -> None:
    assert Measurement(probe, paris("2026-06-01T09:00"), status, latency_ms).ok is ok


def test_measurement_refuses_unknown_probes_and_naive_instants() -> None:
    with pytest.raises(ValueError, match="probe"):
        Measurement("web", paris("2026-06-01T09:00"), 200, 1.0)
    with pytest.raises(ValueError, match="naive"):
        Measurement("ui", datetime(2026, 6, 1, 9, 0), 200, 1.0)


@pytest.mark.parametrize(
    ("ok", "ko", "expected", "hour_ok"),
    [
        (10, 10, 20, True),  # 10 of 20 OK is OK
        (9, 11, 20, False),  # 9 of 20 is KO
        (10, 0, 20, True),  # 10 taken, 10 missing: still half
        (9, 0, 20, False),  # missing measurements are KO
        (0, 0, 20, False),  # nothing measured
        (11, 11, 20, True),  # 22 taken: the larger denominator
        (10, 12, 20, False),
        (5, 0, 10, True),  # a half-covered hour expects 10
        (4, 0, 10, False),
    ],
)
def test_probe_hour(ok: int, ko: int, expected: int, hour_ok: bool) -> None:
    assert probe_hour_ok([True] * ok + [False] * ko, expected) is hour_ok


def test_counted_hours_of_june_2026() -> None:
    hours = working_hours(2026, 6)
    assert len(hours) == 22 * 9 == 198
    assert hours[0] == paris("2026-06-01T09:00")
    assert hours[-1] == paris("2026-06-30T17:00")


def test_a_fully_measured_month_is_100_percent() -> None:
    report = month_availability("2026-06", full_month("2026-06"))
    assert report == AvailabilityReport("2026-06", 198, 0, Decimal("100.00"), 0, [])


def test_june_2026_with_3_ko_hours_has_no_credit() -> None:
    ko = frozenset(working_hours(2026, 6)[:3])
    report = month_availability("2026-06", full_month("2026-06", ko))
    assert (report.counted_hours, report.ko_hours) == (198, 3)
    assert report.availability_percent == Decimal("98.48")
    assert report.credit_percent == 0
    assert report.ko_hours_list == sorted(ko)


def test_june_2026_with_4_ko_hours_opens_the_credit() -> None:
    ko = frozenset(working_hours(2026, 6)[-4:])
    report = month_availability((2026, 6), full_month("2026-06", ko))
    assert (report.counted_hours, report.ko_hours) == (198, 4)
    assert report.availability_percent == Decimal("97.98")
    assert report.credit_percent == 10


def test_exactly_98_percent_is_not_below_98() -> None:
    # 2 of 100 counted hours KO: July 2026 has 23 weekdays (207 h); schedule away 107 of them.
    hours = working_hours(2026, 7)
    windows = [MaintenanceWindow(start, start + timedelta(hours=1)) for start in hours[100:]]
    report = month_availability("2026-07", full_month("2026-07", frozenset(hours[:2])), windows)
    assert (report.counted_hours, report.ko_hours) == (100, 2)
    assert report.availability_percent == Decimal("98.00")
    assert report.credit_percent == 0


def test_missing_measurements_are_ko() -> None:
    measurements = [m for m in full_month("2026-06") if m.at.date().day != 1]  # 1 June unmeasured
    report = month_availability("2026-06", measurements)
    assert report.ko_hours == 9
    assert report.ko_hours_list[0] == paris("2026-06-01T09:00")


def test_an_hour_is_ko_when_either_probe_is() -> None:
    start = paris("2026-06-01T09:00")
    both = [m for m in full_month("2026-06") if not start <= m.at < start + timedelta(hours=1)]
    ui_half = both + hour_of(start, "ui", 10, 10) + hour_of(start, "api", 20)
    api_short = both + hour_of(start, "ui", 20) + hour_of(start, "api", 9, 11)
    assert month_availability("2026-06", ui_half).ko_hours == 0
    assert month_availability("2026-06", api_short).ko_hours_list == [start]


def test_measurements_outside_counted_hours_do_not_matter() -> None:
    evening = hour_of(paris("2026-06-01T18:00"), "ui", 0, 20)
    saturday = hour_of(paris("2026-06-06T10:00"), "api", 0, 20)
    report = month_availability("2026-06", full_month("2026-06") + evening + saturday)
    assert report.ko_hours == 0


def test_holidays_are_counted() -> None:
    report = month_availability("2026-05", full_month("2026-05"))
    assert report.counted_hours == 21 * 9  # 1, 8, 14 and 25 May are weekday holidays, still counted


def test_an_hour_entirely_in_scheduled_maintenance_is_not_counted() -> None:
    window = MaintenanceWindow(paris("2026-06-02T20:00"), paris("2026-06-03T11:00"))
    report = month_availability("2026-06", [], [window])
    assert report.counted_hours == 198 - 2
    assert report.ko_hours == 196


def test_partial_maintenance_expects_fewer_measurements() -> None:
    start = paris("2026-06-01T09:00")
    window = MaintenanceWindow(start, start + timedelta(minutes=30))  # half the hour
    others = [m for m in full_month("2026-06") if not start <= m.at < start + timedelta(hours=1)]
    # 5 OK measurements after 09:30 on each probe: 5 of ceil(20 × 0.5) = 10 → OK.
    late = timedelta(minutes=30, seconds=30)
    enough = others + hour_of(start, "ui", 5, offset=late) + hour_of(start, "api", 5, offset=late)
    short = others + hour_of(start, "ui", 4, offset=late) + hour_of(start, "api", 5, offset=late)
    assert month_availability("2026-06", enough, [window]).ko_hours == 0
    assert month_availability("2026-06", short, [window]).ko_hours_list == [start]
    assert month_availability("2026-06", enough, [window]).counted_hours == 198


def test_measurements_inside_scheduled_maintenance_are_ignored() -> None:
    start = paris("2026-06-01T09:00")
    window = MaintenanceWindow(start, start + timedelta(minutes=40))  # 1/3 uncovered: expects 7
    others = [m for m in full_month("2026-06") if not start <= m.at < start + timedelta(hours=1)]
    during = hour_of(start, "ui", 0, 13)  # 13 failures, all inside the window
    after = hour_of(start, "ui", 4, offset=timedelta(minutes=40)) + hour_of(start, "api", 20)
    assert month_availability("2026-06", others + during + after, [window]).ko_hours == 0
    short = hour_of(start, "ui", 3, offset=timedelta(minutes=40)) + hour_of(start, "api", 20)
    assert month_availability("2026-06", others + during + short, [window]).ko_hours == 1


def test_urgent_maintenance_excuses_nothing() -> None:
    window = MaintenanceWindow(paris("2026-06-01T09:00"), paris("2026-06-01T12:00"), WindowKind.URGENT)
    start = paris("2026-06-01T09:00")
    end = start + timedelta(hours=3)
    measurements = [m for m in full_month("2026-06") if not start <= m.at < end]
    report = month_availability("2026-06", measurements, [window])
    assert (report.counted_hours, report.ko_hours) == (198, 3)


def test_overlapping_windows_are_merged() -> None:
    start = paris("2026-06-01T09:00")
    windows = [
        MaintenanceWindow(start, start + timedelta(minutes=40)),
        MaintenanceWindow(start + timedelta(minutes=20), start + timedelta(minutes=60)),
    ]
    assert month_availability("2026-06", [], windows).counted_hours == 197


@pytest.mark.parametrize(
    ("month", "counted", "utc_first", "offset"),
    [
        ("2026-03", 22 * 9, "2026-03-02T08:00", timedelta(hours=1)),  # DST on Sunday 29 March
        ("2026-10", 22 * 9, "2026-10-01T07:00", timedelta(hours=2)),  # back on Sunday 25 October
    ],
)
def test_dst_months(month: str, counted: int, utc_first: str, offset: timedelta) -> None:
    report = month_availability(month, [])
    assert report.counted_hours == counted
    assert report.ko_hours_list[0] == datetime.fromisoformat(utc_first).replace(tzinfo=UTC)
    assert report.ko_hours_list[0].utcoffset() == offset


@pytest.mark.parametrize(
    ("utc_hour", "paris_hour"),
    [("2026-03-27T08:00", "2026-03-27T09:00"), ("2026-03-30T07:00", "2026-03-30T09:00"),
     ("2026-10-23T07:00", "2026-10-23T09:00"), ("2026-10-26T08:00", "2026-10-26T09:00")],
)
def test_utc_measurements_land_in_the_paris_hour(utc_hour: str, paris_hour: str) -> None:
    month = paris_hour[:7]
    start = paris(paris_hour)
    others = [m for m in full_month(month) if not start <= m.at < start + timedelta(hours=1)]
    utc_start = datetime.fromisoformat(utc_hour).replace(tzinfo=UTC)
    moved = hour_of(utc_start, "ui", 20) + hour_of(utc_start, "api", 20)
    report = month_availability(month, others + moved)
    assert report.ko_hours == 0


def test_nothing_counted_is_100_percent() -> None:
    window = MaintenanceWindow(paris("2026-06-01T00:00"), paris("2026-07-01T00:00"))
    report = month_availability("2026-06", [], [window])
    assert (report.counted_hours, report.availability_percent, report.credit_percent) == (
        0, Decimal("100.00"), 0,
    )


@pytest.mark.parametrize("month", ["2026-6", "2026-13", "June", "26-06", "2026/06", "2026-xx"])
def test_bad_months_are_refused(month: str) -> None:
    with pytest.raises(ValueError, match="month"):
        month_availability(month, [])


def test_windows_must_end_after_they_start() -> None:
    with pytest.raises(ValueError):
        MaintenanceWindow(paris("2026-06-01T10:00"), paris("2026-06-01T10:00"))


@pytest.mark.parametrize(
    ("filed_at", "open_"),
    [
        ("2026-06-01T10:00", True),  # at the end of the KO hour
        ("2026-06-08T10:00", True),  # exactly 7 days later
        ("2026-06-08T10:01", False),
        ("2026-06-01T09:30", False),  # before the hour ended
        ("2026-06-22T10:00", True),  # within 7 days of the second KO hour
        ("2026-06-27T17:00", True),
        ("2026-06-27T17:01", False),
    ],
)
def test_claim_window(filed_at: str, open_: bool) -> None:
    ends = [paris("2026-06-01T10:00"), paris("2026-06-20T17:00")]
    assert claim_window_open(ends, paris(filed_at)) is open_


def test_claim_window_with_report_ends() -> None:
    report = month_availability("2026-06", [])
    assert report.ko_hour_ends[0] == paris("2026-06-01T10:00")
    assert not claim_window_open([], paris("2026-06-01T10:00"))


@settings(max_examples=25, deadline=None)  # each example builds a month of measurements
@given(st.sets(st.integers(min_value=0, max_value=197), max_size=12))
def test_availability_matches_its_ko_hours(indexes: set[int]) -> None:
    hours = working_hours(2026, 6)
    ko = frozenset(hours[i] for i in indexes)
    report = month_availability("2026-06", full_month("2026-06", ko))
    assert report.ko_hours_list == sorted(ko)
    assert report.credit_percent == (10 if 50 * len(ko) > 198 else 0)  # below 98 % ⇔ ko/198 > 2 %


JUNE = paris("2026-06-01T00:00")
windows_in_june = st.builds(
    lambda start, length: MaintenanceWindow(
        JUNE + timedelta(minutes=start), JUNE + timedelta(minutes=start + length)
    ),
    st.integers(min_value=0, max_value=30 * 24 * 60),
    st.integers(min_value=1, max_value=6 * 60),
)


@settings(deadline=None)
@given(st.lists(windows_in_june, max_size=6), windows_in_june)
def test_scheduled_windows_only_remove_hours(
    windows: list[MaintenanceWindow], extra: MaintenanceWindow
) -> None:
    report = month_availability("2026-06", [], windows)
    assert report.ko_hours == report.counted_hours <= 198  # nothing measured: all KO
    with_extra = month_availability("2026-06", [], [*windows, extra])
    assert with_extra.counted_hours <= report.counted_hours
    urgent = [MaintenanceWindow(w.starts_at, w.ends_at, WindowKind.URGENT) for w in [*windows, extra]]
    assert month_availability("2026-06", [], urgent).counted_hours == 198


def test_hours_not_ended_are_not_counted_yet() -> None:
    # 15 June 2026 10:42: the 10:00 hour has not ended; the month's first 10 working days and the
    # 15th's 09:00 hour have (10 × 9 + 1 = 91).
    until = paris("2026-06-15T10:00")
    assert month_availability("2026-06", [], measured_until=until).counted_hours == 91
    assert month_availability("2026-06", [], measured_until=paris("2026-05-20T10:00")).counted_hours == 0
    assert month_availability("2026-06", [], measured_until=paris("2026-07-01T00:00")).counted_hours == 198


def test_each_hour_of_the_grid_has_the_state_the_report_gave_it() -> None:
    """March 2027: a KO hour on the 1st, the 3rd inside scheduled maintenance, an urgent window on
    the 4th (which excuses nothing), measured until the 10th at 14:00."""
    ko = paris("2027-03-01T10:00")
    windows = [MaintenanceWindow(paris("2027-03-03T00:00"), paris("2027-03-04T00:00")),
               MaintenanceWindow(paris("2027-03-04T09:00"), paris("2027-03-04T18:00"), WindowKind.URGENT),
               MaintenanceWindow(paris("2027-03-05T09:00"), paris("2027-03-05T09:30"))]
    until = paris("2027-03-10T14:00")
    report = month_availability("2027-03", full_month("2027-03", frozenset({ko})), windows, measured_until=until)
    states = dict(hour_states(report, windows, measured_until=until))
    assert list(states) == working_hours(2027, 3)
    assert states[ko] is HourState.KO and report.ko_hours == 1
    assert {states[paris(f"2027-03-03T{h:02d}:00")] for h in range(9, 18)} == {HourState.MAINTENANCE}
    assert states[paris("2027-03-04T11:00")] is HourState.OK  # urgent: counted as measured
    assert states[paris("2027-03-05T09:00")] is HourState.OK  # half covered: still counted
    assert states[paris("2027-03-10T13:00")] is HourState.OK
    assert states[paris("2027-03-10T14:00")] is HourState.NOT_COUNTED
    counted = [s for s in states.values() if s in (HourState.OK, HourState.KO)]
    assert len(counted) == report.counted_hours

