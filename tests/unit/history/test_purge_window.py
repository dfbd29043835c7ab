"""The purge window without a server: year boundaries, leap years, Paris midnight against UTC, the
as-of date of the command line, the nightly schedule, and the ZIP sink that cannot seek."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from ingest.contract.retention import PARIS, history_start, is_purgeable, paris_date
from ingest.history.export import _Sink, entry_name
from ingest.history.purge import as_of_from_date


@pytest.mark.parametrize(
    ("as_of", "start"),
    [
        (as_of_from_date(date(2026, 12, 31)), date(2025, 1, 1)),
        (as_of_from_date(date(2027, 1, 1)), date(2026, 1, 1)),
        (datetime(2026, 12, 31, 23, 59, 59, tzinfo=PARIS), date(2025, 1, 1)),
        (datetime(2027, 1, 1, 0, 0, tzinfo=PARIS), date(2026, 1, 1)),
        # Midnight in Paris is 23:00 UTC in winter: the new year starts an hour before UTC's.
        (datetime(2026, 12, 31, 22, 59, tzinfo=UTC), date(2025, 1, 1)),
        (datetime(2026, 12, 31, 23, 0, tzinfo=UTC), date(2026, 1, 1)),
        (datetime(2027, 1, 1, 0, 30, tzinfo=UTC), date(2026, 1, 1)),
    ],
)
def test_history_start_at_the_year_boundary(as_of: datetime, start: date) -> None:
    assert history_start(as_of) == start


@pytest.mark.parametrize(
    ("reference", "as_of", "purged"),
    [
        (date(2024, 12, 31), as_of_from_date(date(2026, 12, 31)), True),
        (date(2025, 1, 1), as_of_from_date(date(2026, 12, 31)), False),
        (date(2025, 12, 31), as_of_from_date(date(2026, 12, 31)), False),
        (date(2025, 12, 31), as_of_from_date(date(2027, 1, 1)), True),
        (date(2026, 1, 1), as_of_from_date(date(2027, 1, 1)), False),
        # Leap days: 29 February 2024 stays through 2025 and goes on 1 January 2026.
        (date(2024, 2, 29), as_of_from_date(date(2025, 12, 31)), False),
        (date(2024, 2, 29), as_of_from_date(date(2026, 1, 1)), True),
        (date(2028, 2, 29), as_of_from_date(date(2029, 12, 31)), False),
        (date(2028, 2, 29), datetime(2029, 12, 31, 23, 0, tzinfo=UTC), True),
    ],
)
def test_purgeable_around_boundaries(reference: date, as_of: datetime, purged: bool) -> None:
    assert is_purgeable(reference, as_of) is purged


def test_as_of_date_is_noon_in_paris() -> None:
    as_of = as_of_from_date(date(2026, 3, 29))  # the day clocks go forward
    assert as_of.astimezone(PARIS).hour == 12 and paris_date(as_of) == date(2026, 3, 29)


@given(st.dates(date(2000, 1, 1), date(2100, 12, 31)))
def test_as_of_from_date_keeps_the_paris_date(day: date) -> None:
    assert paris_date(as_of_from_date(day)) == day


@given(reference=st.dates(date(2000, 1, 1), date(2100, 12, 31)),
       as_of=st.datetimes(datetime(2001, 1, 1), datetime(2100, 12, 31), timezones=st.just(UTC)))
def test_purgeable_means_two_paris_years_back(reference: date, as_of: datetime) -> None:
    """The window in other words: gone iff its year is at least two before the Paris year."""
    paris_year = as_of.astimezone(PARIS).year
    assert is_purgeable(reference, as_of) is (reference.year <= paris_year - 2)


def test_nightly_schedule_follows_the_setting() -> None:
    from ingest.platform.settings import Settings
    from workers.tasks_purge import beat_entries

    entries = beat_entries(Settings(purge_at="03:15"))
    schedule = entries["purge-nightly"]["schedule"]
    assert schedule.hour == {3} and schedule.minute == {15}  # type: ignore[attr-defined]
    assert entries["purge-nightly"]["options"]["routing_key"] == "ops"  # type: ignore[index]


def test_zip_written_into_a_sink_that_cannot_seek() -> None:
    sink, out = _Sink(), bytearray()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, body in (("a.pdf", b"%PDF-1.7 a" * 1000), ("b.png", b"\x89PNG b")):
            with archive.open(zipfile.ZipInfo(name), "w", force_zip64=True) as entry:
                entry.write(body)
            out += sink.take()
    out += sink.take()
    assert not sink.seekable()
    reread = zipfile.ZipFile(io.BytesIO(bytes(out)))
    assert reread.read("a.pdf") == b"%PDF-1.7 a" * 1000 and reread.read("b.png") == b"\x89PNG b"


@pytest.mark.parametrize(
    ("filename", "expected"),
    [("facture.pdf", "id-facture.pdf"), ("../../etc/passwd", "id-passwd"), ("a/b\\c:d.pdf", "id-b_c_d.pdf"),
     ("...", "id-document"), ("Facture n°12.pdf", "id-Facture n_12.pdf")],
)
def test_entry_names_are_safe(filename: str, expected: str) -> None:
    assert entry_name(SimpleNamespace(id="id", filename=filename)) == expected


def test_bad_as_of_is_refused_before_any_work() -> None:
    from cli.purge import purge_app

    root = typer.Typer()
    root.add_typer(purge_app, name="purge")
    result = CliRunner().invoke(root, ["purge", "--dry-run", "--as-of", "31/12/2026"])
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output
