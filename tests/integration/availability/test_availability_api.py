"""``GET /v1/availability`` on both stacks, from measurements stored for June 2026."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from api.routes.availability import current_instant
from ingest.accounts.lifecycle import NewAccount, create_operator
from ingest.availability.probes import store_measurements
from ingest.contract.availability import Measurement, working_hours
from ingest.contract.calendar import PARIS
from tests.integration.conftest import Stack, auth

STEP = timedelta(minutes=3)


def hour(start: datetime, probe: str, ok: int, ko: int = 0) -> list[Measurement]:
    """``ok`` good then ``ko`` failed (no response) measurements every 3 minutes from ``start``."""
    return [Measurement(probe, start + timedelta(seconds=20) + i * STEP, 200 if i < ok else None,
                        80.0 if i < ok else None) for i in range(ok + ko)]


def month_of_measurements(year: int, month: int, ko_starts: Iterable[datetime] = (),
                          half_ok_starts: Iterable[datetime] = ()) -> list[Measurement]:
    """Both probes 20 times in every working hour. In ``ko_starts`` the api probe answers
    9 times out of 20 (KO); in ``half_ok_starts`` the ui probe answers 10 of 20 (still OK)."""
    ko, half = set(ko_starts), set(half_ok_starts)
    measurements: list[Measurement] = []
    for start in working_hours(year, month):
        measurements += hour(start, "ui", *((10, 10) if start in half else (20,)))
        measurements += hour(start, "api", *((9, 11) if start in ko else (20,)))
    return measurements


def store(stack: Stack, measurements: list[Measurement], source: str = "generated") -> None:
    with Session(stack.engine) as session:
        store_measurements(session, measurements, source)
        session.commit()


def new_operator(stack: Stack) -> NewAccount:
    with Session(stack.engine) as session:
        return create_operator(session, f"ops-{uuid.uuid4().hex[:8]}@example.test")


def at_instant(client: TestClient, now: datetime) -> None:
    client.app.dependency_overrides[current_instant] = lambda: now  # type: ignore[attr-defined]


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


KO_HOURS = [paris(2026, 6, 1, 9), paris(2026, 6, 12, 13), paris(2026, 6, 30, 17)]
FOURTH = paris(2026, 6, 17, 11)


def test_june_2026_three_then_four_ko_hours(client: TestClient, stack: Stack,
                                            account_factory: Callable[..., NewAccount]) -> None:
    store(stack, month_of_measurements(2026, 6, KO_HOURS, half_ok_starts=[paris(2026, 6, 3, 10)]))
    reader = auth(account_factory("SAS Lecteur", "company").api_key)
    at_instant(client, paris(2026, 7, 2, 8))
    resp = client.get("/v1/availability", params={"month": "2026-06"}, headers=reader)
    assert resp.status_code == 200, resp.text
    assert resp.json() == {
        "month": "2026-06", "complete": True, "counted_hours": 198, "ko_hours": 3,
        "availability_percent": 98.48, "credit_percent": 0,
        "ko_hours_list": ["2026-06-01T09:00:00+02:00", "2026-06-12T13:00:00+02:00",
                          "2026-06-30T17:00:00+02:00"]}
    # An external monitor saw the api fail 21 times in an hour the prober found fine:
    # 20 OK out of 41 taken is below half, so that hour is KO too.
    operator = auth(new_operator(stack).api_key)
    failures = [{"probe": "api", "at": (FOURTH + timedelta(seconds=5 + 150 * i)).isoformat(),
                 "status": None, "latency_ms": None} for i in range(21)]
    imported = client.post("/v1/probes/measurements", params={"source": "outside"}, json=failures,
                           headers=operator)
    assert imported.json() == {"received": 21, "stored": 21, "duplicates": 0}
    body = client.get("/v1/availability", params={"month": "2026-06"}, headers=reader).json()
    assert (body["ko_hours"], body["availability_percent"], body["credit_percent"]) == (4, 97.98, 10)
    assert "2026-06-17T11:00:00+02:00" in body["ko_hours_list"]


def test_current_month_counts_only_its_ended_hours(client: TestClient, firm: object, stack: Stack) -> None:
    # April 2026: nothing was measured, so every ended hour is KO and nothing after it counts.
    now = paris(2026, 4, 8, 10, 42)
    at_instant(client, now)
    resp = client.get("/v1/availability", headers=firm.headers)  # type: ignore[attr-defined]
    assert resp.status_code == 200, resp.text
    body = resp.json()
    ended = [s for s in working_hours(2026, 4) if s + timedelta(hours=1) <= now]
    assert body["month"] == "2026-04" and body["complete"] is False
    assert body["counted_hours"] == body["ko_hours"] == len(ended) == 5 * 9 + 1  # Easter Monday counts
    assert body["ko_hours_list"][-1] == "2026-04-08T09:00:00+02:00"
    assert (body["availability_percent"], body["credit_percent"]) == (0.0, 10)


def test_availability_needs_a_key_and_a_month(client: TestClient, firm: object) -> None:
    assert client.get("/v1/availability").status_code == 401
    for month in ("2026-13", "2026-6", "June"):
        resp = client.get("/v1/availability", params={"month": month},
                          headers=firm.headers)  # type: ignore[attr-defined]
        assert resp.status_code == 422 and resp.json()["code"] == "invalid_month", month


def test_announced_maintenance_is_not_counted(client: TestClient, stack: Stack, firm: object) -> None:
    # February 2027 (20 weekdays, 180 hours): nothing measured on the 10th, which a scheduled
    # window covers whole; only 6 measurements per probe at 10:00 on the 11th, whose second
    # half a window covers (expecting ceil(20 × 1/2) = 10, of which 6 OK is more than half).
    operator = auth(new_operator(stack).api_key)
    windows = ((paris(2027, 2, 10), paris(2027, 2, 11)), (paris(2027, 2, 11, 10, 30), paris(2027, 2, 11, 11)))
    for start, end in windows:
        resp = client.post("/v1/maintenance", json={"start": start.isoformat(), "end": end.isoformat(),
                                                    "description": "upgrade"}, headers=operator)
        assert resp.status_code == 201 and resp.json()["kind"] == "scheduled", resp.text
    partial = paris(2027, 2, 11, 10)
    kept = [m for m in month_of_measurements(2027, 2)
            if m.at.astimezone(PARIS).date() != paris(2027, 2, 10).date()
            and not partial <= m.at < partial + timedelta(minutes=12)
            and not partial + timedelta(minutes=30) <= m.at < partial + timedelta(hours=1)]
    store(stack, kept)
    at_instant(client, paris(2027, 3, 1, 9))
    body = client.get("/v1/availability", params={"month": "2027-02"},
                      headers=firm.headers).json()  # type: ignore[attr-defined]
    assert (body["counted_hours"], body["ko_hours"], body["availability_percent"]) == (171, 0, 100.0)
