"""Pure rules of support requests: what meets a deadline, standing, safe attachment names."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.contract.support import DeadlineState
from ingest.support.rules import (
    EventKind,
    Status,
    attachment_key,
    meets_deadline,
    safe_name,
    standing,
)
from ingest.support.tables import SupportRequest

PARIS = ZoneInfo("Europe/Paris")


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


@pytest.mark.parametrize(("criticality", "kind", "meets"), [
    (1, EventKind.ACTION_PLAN, True), (1, EventKind.WORKAROUND, False), (1, EventKind.FIX, False),
    (2, EventKind.ACTION_PLAN, False), (2, EventKind.WORKAROUND, True), (2, EventKind.FIX, True),
    (3, EventKind.FIX, False), (None, EventKind.FIX, False),
])
def test_what_meets_a_deadline(criticality: int | None, kind: EventKind, meets: bool) -> None:
    assert meets_deadline(criticality, kind) is meets


@pytest.mark.parametrize(("filename", "safe"), [
    ("report.pdf", "report.pdf"), ("screen shot.png", "screen_shot.png"), ("../../etc/passwd", "passwd"),
    ("C:\\Users\\x\\log.txt", "log.txt"), (".hidden", "hidden"), ("...", "file"), ("", "file"),
    ("facture été.pdf", "facture_ete.pdf"), ("€ 100.pdf", "__100.pdf"), ("a/", "file"), ("x" * 300, "x" * 100),
])
def test_safe_names(filename: str, safe: str) -> None:
    assert safe_name(filename) == safe


@given(st.text(max_size=300))
def test_a_safe_name_is_always_one_plain_segment(filename: str) -> None:
    name = safe_name(filename)
    assert 1 <= len(name) <= 100 and not name.startswith(".")
    assert all(c.isascii() and (c.isalnum() or c in "._-") for c in name)
    assert attachment_key("r1", 3, filename) == f"support/r1/3-{name}"


def _request(**kw: object) -> SupportRequest:
    return SupportRequest(id="r", account_id="a", registered_by="u", description="d",
                          registered_at=paris(2026, 11, 26, 11, 0), **kw)


def test_standing_of_an_unqualified_request_has_no_deadline() -> None:
    st_ = standing(_request(), paris(2026, 11, 26, 15, 0))
    assert (st_.status, st_.due_at, st_.deadline_state) == (Status.REGISTERED, None, None)
    assert st_.hours.to_pick_up == timedelta(hours=2)  # 11:00–12:30 and 14:30–15:00
    assert st_.hours.against_deadline is None


def test_standing_of_an_anomaly_runs_until_met_and_stops_at_closure() -> None:
    req = _request(picked_up_at=paris(2026, 11, 26, 12, 0), qualified_at=paris(2026, 11, 26, 12, 45),
                   qualification="anomaly", criticality=1, due_at=paris(2026, 11, 30, 12, 0))
    assert standing(req, paris(2026, 11, 30, 9, 0)).deadline_state is DeadlineState.DUE_SOON
    assert standing(req, paris(2026, 11, 27, 9, 0)).hours.against_deadline == timedelta(hours=3)
    req.met_at = paris(2026, 11, 27, 10, 0)
    assert standing(req, paris(2026, 12, 9, 9, 0)).hours.against_deadline == timedelta(hours=4)
    assert standing(req, paris(2026, 12, 9, 9, 0)).deadline_state is DeadlineState.MET
    req.met_at, req.closed_at = None, paris(2026, 11, 27, 11, 0)
    closed = standing(req, paris(2027, 1, 9, 9, 0))
    assert closed.status is Status.CLOSED and closed.deadline_state is DeadlineState.ON_TIME
    assert closed.hours.total == timedelta(hours=1, minutes=30) + timedelta(hours=3) + timedelta(hours=2)
