"""Support requests on both stacks: their life by criticality, deadlines, isolation, attachments."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.routes import support_requests as routes
from ingest.accounts.lifecycle import NewAccount, create_operator
from ingest.accounts.principal import Principal
from ingest.accounts.tables import Role
from ingest.contract.support import DeadlineState
from ingest.support import requests as support
from ingest.support.rules import EventKind, standing
from tests.integration.conftest import Stack, auth
from tests.support.store import read as store_read

PARIS = ZoneInfo("Europe/Paris")


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


@pytest.fixture
def operator(stack: Stack) -> NewAccount:
    with Session(stack.engine) as session:
        return create_operator(session, f"op-{uuid.uuid4().hex[:8]}@provider.test")


def principal_of(acc: NewAccount, role: Role) -> Principal:
    return Principal(acc.user_id, acc.account_id or None, role)


def _register(stack: Stack, client_acc: NewAccount, at: datetime) -> str:
    with Session(stack.engine, expire_on_commit=False) as session:
        req = support.register_request(session, principal_of(client_acc, Role.admin),
                                       description="Uploads fail", context="Daily flow", at=at, now=at)
        return req.id


def test_criticality_1_life_matches_the_contract(stack: Stack, account_factory: Callable[..., NewAccount],
                                                 operator: NewAccount) -> None:
    """Qualified Thu 24 Dec 2026 16:50 → plan due Tue 29 Dec 15:50 (docs/contract.md §2, 25 Dec a holiday)."""
    acc, op = account_factory(), principal_of(operator, Role.operator)
    request_id = _register(stack, acc, paris(2026, 12, 24, 16, 0))
    with Session(stack.engine, expire_on_commit=False) as session:
        support.pick_up(session, op, request_id, at=paris(2026, 12, 24, 16, 30), now=paris(2026, 12, 24, 16, 30))
        req = support.qualify(session, op, request_id, criticality=1, at=paris(2026, 12, 24, 16, 50),
                              now=paris(2026, 12, 24, 16, 50))
        assert req.due_at == paris(2026, 12, 29, 15, 50)
        states = {now: standing(req, now).deadline_state for now in (
            paris(2026, 12, 28, 10, 0), paris(2026, 12, 29, 10, 0), paris(2026, 12, 29, 15, 50),
            paris(2026, 12, 29, 15, 51))}
        assert list(states.values()) == [DeadlineState.ON_TIME, DeadlineState.DUE_SOON, DeadlineState.DUE_SOON,
                                         DeadlineState.LATE]
        # A workaround does not deliver what criticality 1 is owed; the action plan does.
        support.record_follow_up(session, op, request_id, EventKind.WORKAROUND, "Use the CLI",
                                 at=paris(2026, 12, 28, 11, 0), now=paris(2026, 12, 28, 11, 0))
        assert standing(req, paris(2026, 12, 29, 10, 0)).deadline_state is DeadlineState.DUE_SOON
        plan_at = paris(2026, 12, 29, 15, 0)
        req = support.record_follow_up(session, op, request_id, EventKind.ACTION_PLAN, "Roll back 1.4",
                                       at=plan_at, now=plan_at)
        assert req.met_at == plan_at
        st = standing(req, paris(2027, 1, 4, 9, 0))
        assert st.deadline_state is DeadlineState.MET
        assert st.hours.to_pick_up == timedelta(minutes=30)
        # 24 Dec 16:50–17:30, all of Mon 28 Dec, 29 Dec 09:00–12:30 and 14:30–15:00.
        assert st.hours.against_deadline == timedelta(hours=11, minutes=10)
        req = support.close(session, op, request_id, at=paris(2026, 12, 30, 9, 0), now=paris(2026, 12, 30, 9, 0))
        events, _ = support.history(session, request_id)
    assert [e.kind for e in events] == ["registered", "picked_up", "qualified", "workaround", "action_plan",
                                        "closed"]
    assert {e.by_role for e in events[1:]} == {"operator"} and events[0].by_user_id == acc.user_id
    assert standing(req, paris(2027, 6, 1, 9, 0)).hours.total == standing(
        req, paris(2026, 12, 30, 9, 0)).hours.total


def test_criticality_2_life_matches_the_contract(stack: Stack, account_factory: Callable[..., NewAccount],
                                                 operator: NewAccount) -> None:
    """Qualified Sat 28 Nov 2026 10:00 → due Tue 8 Dec 09:00; a fix after it is late."""
    acc, op = account_factory(), principal_of(operator, Role.operator)
    request_id = _register(stack, acc, paris(2026, 11, 28, 9, 0))
    with Session(stack.engine, expire_on_commit=False) as session:
        support.pick_up(session, op, request_id, at=paris(2026, 11, 28, 9, 30), now=paris(2026, 11, 28, 9, 30))
        req = support.qualify(session, op, request_id, criticality=2, at=paris(2026, 11, 28, 10, 0),
                              now=paris(2026, 11, 28, 10, 0))
        assert req.due_at == paris(2026, 12, 8, 9, 0)
        # Registered on a Saturday: no support hour has passed before Monday's opening.
        assert standing(req, paris(2026, 11, 30, 9, 0)).hours.to_pick_up == timedelta(0)
        assert standing(req, paris(2026, 12, 7, 10, 0)).deadline_state is DeadlineState.ON_TIME
        assert standing(req, paris(2026, 12, 7, 16, 0)).deadline_state is DeadlineState.DUE_SOON
        assert standing(req, paris(2026, 12, 8, 9, 1)).deadline_state is DeadlineState.LATE
        fix_at = paris(2026, 12, 8, 10, 0)
        req = support.record_follow_up(session, op, request_id, EventKind.FIX, "Patched", at=fix_at, now=fix_at)
    st = standing(req, paris(2026, 12, 20, 9, 0))
    assert st.deadline_state is DeadlineState.LATE and req.met_at == fix_at
    # Mon–Thu 30 Nov–3 Dec and Mon 7 Dec (6 h 30 each), Fri 4 Dec (6 h), Tue 8 Dec 09:00–10:00.
    assert st.hours.against_deadline == timedelta(hours=39, minutes=30)


def test_the_api_life_of_a_criticality_1_and_2_request(client: TestClient, stack: Stack,
                                                       account_factory: Callable[..., NewAccount],
                                                       operator: NewAccount) -> None:
    """Through the API, with operator steps dated by ``at`` (past contract instants)."""
    acc, op = account_factory(), auth(operator.api_key)
    one = _register(stack, acc, paris(2026, 11, 26, 11, 0))
    steps = [("pick-up", {"at": "2026-11-26T12:00:00+01:00"}),
             ("qualify", {"criticality": 1, "at": "2026-11-26T12:45:00+01:00"}),
             ("action-plan", {"text": "Restart the workers", "at": "2026-11-26T17:00:00+01:00"})]
    for path, body in steps:
        resp = client.post(f"/v1/support-requests/{one}/{path}", json=body, headers=op)
        assert resp.status_code == 200, resp.text
    body = client.get(f"/v1/support-requests/{one}", headers=auth(acc.api_key)).json()
    assert body["due_at"] == "2026-11-30T12:00:00+01:00"  # docs/contract.md §2, registered during lunch
    assert body["qualified_at"] == "2026-11-26T12:45:00+01:00"
    assert (body["deadline_state"], body["status"], body["criticality"]) == ("met", "qualified", 1)
    assert body["support_hours"]["to_pick_up"] == 1.0 and body["support_hours"]["against_deadline"] == 2.5
    assert [e["kind"] for e in body["events"]] == ["registered", "picked_up", "qualified", "action_plan"]

    two = _register(stack, acc, paris(2026, 5, 13, 10, 0))
    client.post(f"/v1/support-requests/{two}/pick-up", json={"at": "2026-05-13T11:00:00+02:00"}, headers=op)
    resp = client.post(f"/v1/support-requests/{two}/qualify",
                       json={"criticality": 2, "at": "2026-05-13T12:00:00+02:00"}, headers=op)
    # 12:00 is inside support hours; 14 May (Ascension) is a holiday; the 6th business day is Fri 22 May.
    assert resp.json()["due_at"] == "2026-05-22T12:00:00+02:00"
    resp = client.post(f"/v1/support-requests/{two}/workaround",
                       json={"text": "Split the archive", "at": "2026-05-20T10:00:00+02:00"}, headers=op)
    assert resp.json()["deadline_state"] == "met"
    closed = client.post(f"/v1/support-requests/{two}/close", json={"note": "done"}, headers=op).json()
    assert closed["status"] == "closed" and closed["closed_at"].endswith(("+01:00", "+02:00"))


def test_steps_are_checked(client: TestClient, stack: Stack, account_factory: Callable[..., NewAccount],
                           operator: NewAccount) -> None:
    acc, op = account_factory(), auth(operator.api_key)
    rid = client.post("/v1/support-requests", json={"description": "Slow"}, headers=auth(acc.api_key)).json()["id"]
    url = f"/v1/support-requests/{rid}"

    def code(path: str, body: object) -> tuple[int, str]:
        resp = client.post(f"{url}/{path}", json=body, headers=op)
        return resp.status_code, resp.json().get("code", "")

    assert code("qualify", {"criticality": 1}) == (409, "not_picked_up")
    assert code("pick-up", {"at": "2999-01-01T09:00:00+01:00"}) == (422, "at_in_future")
    assert code("pick-up", {"at": "2020-01-01T09:00:00+01:00"}) == (409, "out_of_order")
    assert code("pick-up", {"at": "2026-11-27T09:00:00"}) == (422, "invalid_request")  # naive: no instant
    assert code("pick-up", {})[0] == 200
    assert code("pick-up", {}) == (409, "already_picked_up")
    assert code("workaround", {"text": "x"}) == (409, "not_qualified")
    assert code("qualify", {"criticality": 1, "not_an_anomaly": True}) == (422, "invalid_qualification")
    assert code("qualify", {"criticality": 4}) == (422, "invalid_request")
    assert code("qualify", {"not_an_anomaly": True, "note": "Works as documented"})[0] == 200
    assert client.get(url, headers=op).json()["deadline_state"] is None
    assert code("fix", {"text": "x"}) == (409, "not_an_anomaly")
    assert client.post(f"{url}/close", headers=op).status_code == 200  # the body is optional
    assert code("close", {}) == (409, "request_closed")


def test_clients_cannot_record_operator_steps(client: TestClient, account_factory: Callable[..., NewAccount]) -> None:
    acc = account_factory()
    headers = auth(acc.api_key)
    rid = client.post("/v1/support-requests", json={"description": "Slow"}, headers=headers).json()["id"]
    for path, body in (("pick-up", {}), ("qualify", {"criticality": 1}), ("action-plan", {"text": "x"}),
                       ("workaround", {"text": "x"}), ("fix", {"text": "x"}), ("close", {})):
        resp = client.post(f"/v1/support-requests/{rid}/{path}", json=body, headers=headers)
        assert (resp.status_code, resp.json()["code"]) == (403, "operators_only"), path
    assert client.get("/v1/support-requests/attention", headers=headers).status_code == 403
    assert client.post("/v1/support-requests", json={"description": ""}, headers=headers).status_code == 422
    assert client.get("/v1/support-requests").status_code == 401


def test_accounts_see_only_their_requests(client: TestClient, account_factory: Callable[..., NewAccount],
                                          operator: NewAccount) -> None:
    a, b = account_factory("A"), account_factory("B")
    ra = client.post("/v1/support-requests", json={"description": "A's"}, headers=auth(a.api_key)).json()
    rb = client.post("/v1/support-requests", json={"description": "B's"}, headers=auth(b.api_key)).json()
    assert ra["status"] == "registered" and ra["account_id"] == a.account_id
    assert client.get(f"/v1/support-requests/{rb['id']}", headers=auth(a.api_key)).status_code == 404
    files = [("files", ("x.txt", b"x"))]
    assert client.post(f"/v1/support-requests/{rb['id']}/attachments", files=files,
                       headers=auth(a.api_key)).status_code == 404
    listed = client.get("/v1/support-requests", headers=auth(a.api_key)).json()
    assert [r["id"] for r in listed["items"]] == [ra["id"]] and listed["total"] == 1
    seen = {r["id"] for r in
            client.get("/v1/support-requests?limit=500", headers=auth(operator.api_key)).json()["items"]}
    assert {ra["id"], rb["id"]} <= seen
    opened = client.get("/v1/support-requests?status=closed", headers=auth(a.api_key)).json()
    assert opened["total"] == 0


def test_attachments_are_stored_and_read_back(client: TestClient, stack: Stack,
                                              account_factory: Callable[..., NewAccount],
                                              operator: NewAccount, monkeypatch: pytest.MonkeyPatch) -> None:
    acc = account_factory()
    headers = auth(acc.api_key)
    rid = client.post("/v1/support-requests", json={"description": "Crash"}, headers=headers).json()["id"]
    shot, log = bytes(range(256)) * 40, "Traceback: é\n".encode()
    resp = client.post(f"/v1/support-requests/{rid}/attachments", headers=headers,
                       files=[("files", ("screen shot.png", shot)), ("files", ("../../etc/app.log", log))])
    assert resp.status_code == 201, resp.text
    assert [(a["number"], a["filename"], a["size"]) for a in resp.json()] == [
        (1, "screen shot.png", len(shot)), (2, "../../etc/app.log", len(log))]
    assert store_read(stack.store, f"support/{rid}/1-screen_shot.png") == shot
    assert store_read(stack.store, f"support/{rid}/2-app.log") == log
    back = client.get(f"/v1/support-requests/{rid}/attachments/1", headers=auth(operator.api_key))
    assert back.status_code == 200 and back.content == shot
    assert back.headers["content-disposition"].startswith("attachment")
    detail = client.get(f"/v1/support-requests/{rid}", headers=headers).json()
    assert [e["kind"] for e in detail["events"]] == ["registered", "attachment_added", "attachment_added"]
    assert client.get(f"/v1/support-requests/{rid}/attachments/3", headers=headers).status_code == 404

    monkeypatch.setattr(routes, "MAX_ATTACHMENT_BYTES", 1000)
    monkeypatch.setattr(routes, "_MULTIPART_OVERHEAD", 500)
    big = client.post(f"/v1/support-requests/{rid}/attachments", headers=headers,
                      files=[("files", ("big.bin", b"\0" * 5000))])
    assert (big.status_code, big.json()["code"]) == (413, "attachment_too_large")
    assert client.post(f"/v1/support-requests/{rid}/attachments", headers=headers,
                       data={"note": "no file"}).json()["code"] == "not_multipart"
    assert client.get(f"/v1/support-requests/{rid}", headers=headers).json()["attachments"][-1]["number"] == 2


def test_attention_lists_due_soon_and_late_anomalies(client: TestClient, stack: Stack,
                                                     account_factory: Callable[..., NewAccount],
                                                     operator: NewAccount) -> None:
    acc, op = account_factory(), principal_of(operator, Role.operator)
    ids = {}
    for name, qualified_at, criticality in (("late_1", paris(2026, 3, 27, 16, 0), 1),
                                            ("late_2", paris(2026, 3, 26, 10, 0), 2),
                                            ("minor", paris(2026, 3, 26, 10, 0), 3)):
        ids[name] = _register(stack, acc, qualified_at - timedelta(hours=1))
        with Session(stack.engine) as session:
            support.pick_up(session, op, ids[name], at=qualified_at - timedelta(minutes=30))
            support.qualify(session, op, ids[name], criticality=criticality, at=qualified_at)
    with Session(stack.engine) as session:
        met = _register(stack, acc, paris(2026, 3, 27, 9, 0))
        support.pick_up(session, op, met, at=paris(2026, 3, 27, 9, 5))
        support.qualify(session, op, met, criticality=1, at=paris(2026, 3, 27, 9, 10))
        support.record_follow_up(session, op, met, EventKind.ACTION_PLAN, "plan", at=paris(2026, 3, 27, 9, 20))
    page = client.get("/v1/support-requests/attention?limit=500", headers=auth(operator.api_key)).json()
    mine = [r for r in page["items"] if r["id"] in {*ids.values(), met}]
    # Criticality 2 due Fri 3 Apr 2026 10:00 comes after criticality 1 due Tue 31 Mar 15:30.
    assert [r["id"] for r in mine] == [ids["late_1"], ids["late_2"]]
    assert [r["due_at"] for r in mine] == ["2026-03-31T15:30:00+02:00", "2026-04-03T10:00:00+02:00"]
    assert all(r["deadline_state"] == "late" for r in mine)
    # At an instant of our choosing, the same request is due soon.
    with Session(stack.engine) as session:
        soon = {r.id for r, _ in support.needing_attention(session, paris(2026, 3, 31, 14, 30))}
    assert ids["late_1"] in soon and ids["late_2"] not in soon
