"""Pure rules of maintenance windows: the kind at recording, month bounds."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from ingest.support.maintenance import WindowKind, kind_at_recording, month_bounds

PARIS = ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(("recorded", "kind"), [
    (datetime(2026, 6, 10, 19, 59, tzinfo=PARIS), WindowKind.SCHEDULED),
    (datetime(2026, 6, 10, 20, 0, tzinfo=PARIS), WindowKind.URGENT),  # at its start: already under way
    (datetime(2026, 6, 10, 18, 30, tzinfo=UTC), WindowKind.URGENT),  # 20:30 in Paris
    (datetime(2026, 6, 10, 21, 0, tzinfo=PARIS), WindowKind.URGENT),
])
def test_kind_at_recording(recorded: datetime, kind: WindowKind) -> None:
    assert kind_at_recording(datetime(2026, 6, 10, 20, 0, tzinfo=PARIS), recorded) is kind


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        kind_at_recording(datetime(2026, 6, 10, 20, 0), datetime(2026, 6, 1, tzinfo=UTC))


@pytest.mark.parametrize(("year", "month", "start", "end"), [
    (2026, 3, "2026-03-01T00:00:00+01:00", "2026-04-01T00:00:00+02:00"),
    (2026, 12, "2026-12-01T00:00:00+01:00", "2027-01-01T00:00:00+01:00"),
    (2026, 10, "2026-10-01T00:00:00+02:00", "2026-11-01T00:00:00+01:00"),
])
def test_month_bounds_are_paris_midnights(year: int, month: int, start: str, end: str) -> None:
    first, following = month_bounds(year, month)
    assert (first.isoformat(), following.isoformat()) == (start, end)
