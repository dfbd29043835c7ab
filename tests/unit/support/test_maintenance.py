"""Pure rules of maintenance windows: the kind at recording, month bounds."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from ingest.contract.availability import WindowKind
from ingest.support.maintenance import kind_at_recording

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


