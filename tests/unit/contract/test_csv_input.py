import io
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.contract.availability import MaintenanceWindow, Measurement, WindowKind
from ingest.contract.csv_input import CsvError, parse_maintenance_csv, parse_probes_csv

PROBES_OK = """probe,at,status,latency_ms
ui,2026-06-03T10:00:30+02:00,200,123.5
api,2026-06-03T08:00:30Z,503,40

ui,2026-06-03T10:03:30+02:00,,
"""


def test_parses_a_good_probes_file() -> None:
    assert parse_probes_csv(PROBES_OK) == [
        Measurement("ui", datetime(2026, 6, 3, 8, 0, 30, tzinfo=UTC), 200, 123.5),
        Measurement("api", datetime(2026, 6, 3, 8, 0, 30, tzinfo=UTC), 503, 40.0),
        Measurement("ui", datetime(2026, 6, 3, 8, 3, 30, tzinfo=UTC), None, None),
    ]


def test_keeps_the_offset_given() -> None:
    (measurement, *_) = parse_probes_csv(PROBES_OK)
    assert measurement.at.utcoffset() == timedelta(hours=2)


def test_takes_lines_from_a_file_with_crlf_and_a_bom() -> None:
    text = "\ufeffprobe,at,status,latency_ms\r\napi,2026-06-03T10:00:00+02:00,204,9\r\n"
    lines = io.StringIO(text, newline="")
    assert parse_probes_csv(lines) == [
        Measurement("api", datetime(2026, 6, 3, 10, tzinfo=timezone(timedelta(hours=2))), 204, 9.0)
    ]


def test_a_header_alone_has_no_measurements() -> None:
    assert parse_probes_csv("probe,at,status,latency_ms\n") == []


GOOD = "ui,2026-06-03T10:00:00+02:00,200,1"
BOTH = "'status' and 'latency_ms' must both"


def probes(*rows: str) -> str:
    return "\n".join(["probe,at,status,latency_ms", *rows]) + "\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1: the file is empty"),
        ("probe,at,status\n", "line 1: expected the header 'probe,at,status,latency_ms'"),
        ("at,probe,status,latency_ms\n", "line 1: expected the header"),
        (probes("ui,2026-06-03T10:00:00+02:00,200"), "line 2: expected 4 fields, got 3"),
        (probes("ui,2026-06-03T10:00:00+02:00,200,1,2"), "line 2: expected 4 fields, got 5"),
        (probes("web,2026-06-03T10:00:00+02:00,200,1"), "line 2: 'probe' must be ui or api"),
        (
            probes(GOOD, "", "", "", "", "api,2026-06-03T10:00:00,200,1"),
            "line 7: 'at' has no UTC offset: 2026-06-03T10:00:00",
        ),
        (probes("ui,yesterday,200,1"), "line 2: 'at' is not an ISO 8601 date-time: 'yesterday'"),
        (probes("ui,2026-06-03T10:00:00+02:00,OK,1"), "line 2: 'status' must be an HTTP status"),
        (probes("ui,2026-06-03T10:00:00+02:00,999,1"), "line 2: 'status' must be an HTTP status"),
        (probes("ui,2026-06-03T10:00:00+02:00,200,fast"), "line 2: 'latency_ms' must be a number"),
        (probes("ui,2026-06-03T10:00:00+02:00,200,-3"), "line 2: 'latency_ms' must be a number"),
        (probes("ui,2026-06-03T10:00:00+02:00,200,nan"), "line 2: 'latency_ms' must be a number"),
        (probes("ui,2026-06-03T10:00:00+02:00,200,"), f"line 2: {BOTH}"),
        (probes("ui,2026-06-03T10:00:00+02:00,,12"), f"line 2: {BOTH}"),
        (probes('ui,"2026-06-03T10:00:00+02:00'), "line 2: not valid CSV"),
    ],
)
def test_malformed_probes_name_the_line_and_the_fault(text: str, message: str) -> None:
    with pytest.raises(CsvError) as raised:
        parse_probes_csv(text)
    assert str(raised.value).startswith(message)


def test_csv_error_carries_the_line_number() -> None:
    with pytest.raises(CsvError) as raised:
        parse_probes_csv(probes("ui,2026-06-03T10:00:00+02:00,200,1", "api,noon,200,1"))
    assert raised.value.line == 3
    assert isinstance(raised.value, ValueError)


PARIS_SUMMER = timezone(timedelta(hours=2))


def utc(day: int, hour: int) -> datetime:
    return datetime(2026, 6, day, hour, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "start,end\n2026-06-03T20:00:00+02:00,2026-06-03T22:00:00+02:00\n",
            [MaintenanceWindow(datetime(2026, 6, 3, 20, tzinfo=PARIS_SUMMER),
                               datetime(2026, 6, 3, 22, tzinfo=PARIS_SUMMER))],
        ),
        (
            "start,end,kind\n"
            "2026-06-03T18:00:00Z,2026-06-03T19:00:00Z,scheduled\n"
            "2026-06-04T08:00:00Z,2026-06-04T09:00:00Z,urgent\n"
            "2026-06-05T08:00:00Z,2026-06-05T09:00:00Z,\n",
            [
                MaintenanceWindow(utc(3, 18), utc(3, 19)),
                MaintenanceWindow(utc(4, 8), utc(4, 9), WindowKind.URGENT),
                MaintenanceWindow(utc(5, 8), utc(5, 9)),
            ],
        ),
        ("start,end\n", []),
    ],
)
def test_parses_good_maintenance_files(text: str, expected: list[MaintenanceWindow]) -> None:
    assert parse_maintenance_csv(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "line 1: the file is empty"),
        ("from,to\n", "line 1: expected the header 'starts_at,ends_at' or 'starts_at,ends_at,kind' or 'start,end' "
                      "or 'start,end,kind'"),
        ("start,end\n2026-06-03T20:00:00+02:00\n", "line 2: expected 2 fields, got 1"),
        (
            "start,end\n2026-06-03T20:00:00,2026-06-03T22:00:00+02:00\n",
            "line 2: 'start' has no UTC offset: 2026-06-03T20:00:00",
        ),
        (
            "start,end\n2026-06-03T20:00:00+02:00,tonight\n",
            "line 2: 'end' is not an ISO 8601 date-time: 'tonight'",
        ),
        (
            "start,end\n2026-06-03T22:00:00+02:00,2026-06-03T20:00:00+02:00\n",
            "line 2: 'end' must be after 'start'",
        ),
        (
            "start,end,kind\n2026-06-03T20:00:00Z,2026-06-03T22:00:00Z,planned\n",
            "line 2: 'kind' must be scheduled or urgent, got 'planned'",
        ),
    ],
)
def test_malformed_maintenance_names_the_line_and_the_fault(text: str, message: str) -> None:
    with pytest.raises(CsvError) as raised:
        parse_maintenance_csv(text)
    assert str(raised.value).startswith(message)


measurements = st.builds(
    Measurement,
    probe=st.sampled_from(["ui", "api"]),
    at=st.datetimes(
        min_value=datetime(2020, 1, 1),
        max_value=datetime(2030, 12, 31),
        # Fixed offsets: a Paris datetime in the DST gap or fold never equals one in another zone.
        timezones=st.sampled_from([UTC, PARIS_SUMMER, timezone(timedelta(hours=-5, minutes=-30))]),
    ),
    status=st.none() | st.integers(min_value=100, max_value=599),
    latency_ms=st.floats(min_value=0, max_value=1e6, allow_nan=False),
).map(lambda m: m if m.status is not None else Measurement(m.probe, m.at, None, None))


@given(st.lists(measurements, max_size=20))
def test_written_measurements_read_back_the_same(written: list[Measurement]) -> None:
    lines = ["probe,at,status,latency_ms"]
    for m in written:
        answered = m.status is not None and m.latency_ms is not None
        fields = f"{m.status},{m.latency_ms!r}" if answered else ","
        lines.append(f"{m.probe},{m.at.isoformat()},{fields}")
    assert parse_probes_csv("\n".join(lines)) == written


def test_the_names_of_the_previous_release_are_still_read() -> None:
    (measurement,) = parse_probes_csv("probe,at,status,latency_ms\nihm,2026-06-03T10:00:00+02:00,200,12\n")
    assert measurement.probe == "ui"
    (window,) = parse_maintenance_csv("start,end,kind\n2026-06-03T10:00:00Z,2026-06-03T11:00:00Z,urgent\n")
    assert (window.starts_at, window.kind) == (datetime(2026, 6, 3, 10, tzinfo=UTC), WindowKind.URGENT)
    with pytest.raises(CsvError, match="'end' must be after 'start'"):
        parse_maintenance_csv("start,end\n2026-06-03T10:00:00Z,2026-06-03T09:00:00Z\n")

