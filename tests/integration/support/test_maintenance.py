"""Maintenance windows on both stacks: kinds at recording, public listing, months, uploads go on."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from ingest.accounts.lifecycle import NewAccount, create_operator
from ingest.accounts.principal import Principal
from ingest.accounts.tables import Role
from ingest.contract.availability import (
    MaintenanceWindow,
    WindowKind,
    month_availability,
)
from ingest.support import maintenance
from tests.integration.api.test_api import post_batch
from tests.integration.conftest import Firm, Stack, auth
from tests.support.files import text_pdf

PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def operator(stack: Stack) -> NewAccount:
    with Session(stack.engine) as session:
        return create_operator(session, f"op-{uuid.uuid4().hex[:8]}@provider.test")


def _iso(at: datetime) -> str:
    return at.isoformat()


def _announce(client: TestClient, op: NewAccount, start: datetime, end: datetime, text: str = "Upgrade"):
    return client.post("/v1/maintenance", json={"starts_at": _iso(start), "ends_at": _iso(end), "description": text},
                       headers=auth(op.api_key))


def test_kind_is_fixed_at_recording(client: TestClient, operator: NewAccount) -> None:
    now = datetime.now(UTC)
    ahead = _announce(client, operator, now + timedelta(days=3), now + timedelta(days=3, hours=2))
    assert ahead.status_code == 201, ahead.text
    assert ahead.json()["kind"] == "scheduled"
    assert ahead.json()["starts_at"].endswith(("+01:00", "+02:00"))  # answered on the Paris clock
    late = _announce(client, operator, now - timedelta(minutes=5), now + timedelta(hours=1), "Hot patch")
    assert late.json()["kind"] == "urgent"


def test_the_names_of_the_previous_release_still_work(client: TestClient, operator: NewAccount) -> None:
    starts = datetime.now(UTC) + timedelta(days=4)
    old = client.post("/v1/maintenance", json={"start": _iso(starts), "end": _iso(starts + timedelta(hours=1))},
                      headers=auth(operator.api_key))
    assert old.status_code == 201, old.text
    body = old.json()
    assert (body["start"], body["end"]) == (body["starts_at"], body["ends_at"])  # deprecated, one release


def test_only_operators_announce_and_windows_must_end_after_start(
        client: TestClient, operator: NewAccount, account_factory: Callable[..., NewAccount]) -> None:
    start = datetime(2030, 1, 5, 22, tzinfo=PARIS)
    bad = _announce(client, operator, start, start)
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_window")
    naive = client.post("/v1/maintenance", json={"starts_at": "2030-01-05T22:00:00", "ends_at": "2030-01-05T23:00:00"},
                        headers=auth(operator.api_key))
    assert naive.status_code == 422
    client_acc = account_factory()
    refused = _announce(client, client_acc, start, start + timedelta(hours=1))
    assert (refused.status_code, refused.json()["code"]) == (403, "operators_only")
    assert client.post("/v1/maintenance", json={"starts_at": _iso(start), "ends_at": _iso(start)}).status_code == 401


def test_listing_is_public_filtered_and_paged(client: TestClient, operator: NewAccount) -> None:
    # A year of its own, so that windows written by other tests on this stack stay out of the way.
    base = datetime(2031, 2, 3, 22, tzinfo=PARIS)
    made = [_announce(client, operator, base + timedelta(days=d), base + timedelta(days=d, hours=2)).json()
            for d in (0, 7, 14)]
    window = {"from": "2031-02-01T00:00:00+01:00", "to": "2031-03-01T00:00:00+01:00"}
    listed = client.get("/v1/maintenance", params=window)  # no key
    assert listed.status_code == 200
    assert [w["id"] for w in listed.json()["items"]] == [w["id"] for w in made]
    assert listed.json()["items"][0]["starts_at"] == "2031-02-03T22:00:00+01:00"
    first = client.get("/v1/maintenance", params={**window, "limit": 2}).json()
    assert (len(first["items"]), first["total"], first["next_offset"]) == (2, 3, 2)
    rest = client.get("/v1/maintenance", params={**window, "limit": 2, "offset": 2}).json()
    assert [w["id"] for w in rest["items"]] == [made[2]["id"]] and rest["next_offset"] is None
    past = _announce(client, operator, datetime(2020, 3, 2, 22, tzinfo=PARIS),
                     datetime(2020, 3, 2, 23, tzinfo=PARIS)).json()
    assert past["kind"] == "urgent"
    upcoming = client.get("/v1/maintenance", params={"upcoming": "true", "limit": 500}).json()
    ids = {w["id"] for w in upcoming["items"]}
    assert past["id"] not in ids and {w["id"] for w in made} <= ids
    everything = client.get("/v1/maintenance", params={"limit": 500}).json()
    assert past["id"] in {w["id"] for w in everything["items"]}
    reversed_range = client.get("/v1/maintenance", params={"from": window["to"], "to": window["from"]})
    assert reversed_range.json()["code"] == "invalid_range"


def test_windows_for_month_feed_the_availability_rule(stack: Stack, operator: NewAccount) -> None:
    op = Principal(operator.user_id, None, Role.operator)

    def at(day: int, hour: int, month: int = 2) -> datetime:
        return datetime(2029, month, day, hour, tzinfo=PARIS)

    with Session(stack.engine) as session:
        # Announced a week ahead: scheduled. Recorded once started: urgent. Straddling the month start.
        maintenance.announce_window(session, op, starts_at=at(14, 10), ends_at=at(14, 12), now=at(7, 9))
        maintenance.announce_window(session, op, starts_at=at(20, 9), ends_at=at(20, 10), now=at(20, 9))
        maintenance.announce_window(session, op, starts_at=at(31, 22, 1), ends_at=at(1, 10), now=at(20, 9, 1))
        maintenance.announce_window(session, op, starts_at=at(1, 9, 3), ends_at=at(1, 10, 3), now=at(20, 9, 1))
        windows = maintenance.windows_for_month(session, 2029, 2)
    assert windows == [MaintenanceWindow(at(31, 22, 1), at(1, 10), WindowKind.SCHEDULED),
                       MaintenanceWindow(at(14, 10), at(14, 12), WindowKind.SCHEDULED),
                       MaintenanceWindow(at(20, 9), at(20, 10), WindowKind.URGENT)]
    # February 2029 has 20 weekdays of 9 counted hours; the scheduled windows remove 1 + 2 of them,
    # the urgent one none.
    assert month_availability("2029-02", [], windows).counted_hours == 20 * 9 - 3


def test_uploads_are_accepted_during_a_window(client: TestClient, operator: NewAccount, firm: Firm) -> None:
    now = datetime.now(UTC)
    assert _announce(client, operator, now - timedelta(minutes=1), now + timedelta(hours=1)).status_code == 201
    resp = post_batch(client, firm, [("a.pdf", text_pdf())])
    assert resp.status_code == 202, resp.text
    assert [d["state"] for d in resp.json()["documents"]] == ["queued"]
