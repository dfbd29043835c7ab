"""Subscriptions, usage and statements end to end, on both stacks."""

from __future__ import annotations

import csv
import io
import json
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
import typer
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from cli.billing import billing_operator_app
from ingest.accounts.lifecycle import NewAccount, create_operator
from ingest.billing.statements import issue_due
from ingest.billing.tables import BilledLine, Statement, UsageRecord
from ingest.contract.periods import period_bounds
from ingest.platform.columns import utcnow
from ingest.platform.settings import get_settings
from tests.integration.conftest import Stack, auth

PLAN = {"packs": 2, "pack_size": 500, "pack_price_cents": 15_000, "named_users": 3,
        "extra_document_price_cents": 40, "extra_user_price_cents": 2_000}


@pytest.fixture
def operator(stack: Stack) -> dict[str, str]:
    with Session(stack.engine) as session:
        new = create_operator(session, f"op-{uuid.uuid4().hex[:8]}@example.test")
    return auth(new.api_key)


@pytest.fixture
def cli(stack: Stack) -> Iterator[Callable[..., object]]:
    root = typer.Typer()
    root.add_typer(billing_operator_app, name="operator")
    runner = CliRunner()
    get_settings.cache_clear()

    def run(*args: str) -> object:
        result = runner.invoke(root, ["operator", *args], env=stack.env())
        assert result.exit_code == 0, result.output
        return result

    yield run
    get_settings.cache_clear()


def subscribe(client: TestClient, operator: dict[str, str], account: NewAccount, activation: datetime,
              **plan: int) -> dict:  # type: ignore[type-arg]
    body = {**PLAN, **plan, "activation": activation.isoformat()}
    resp = client.put(f"/v1/accounts/{account.account_id}/subscription", json=body, headers=operator)
    assert resp.status_code == 200, resp.text
    return resp.json()  # type: ignore[no-any-return]


def add_usage(stack: Stack, account: NewAccount, count: int, start: datetime, step: timedelta) -> None:
    """Usage rows as processing writes them (volume without processing real files)."""
    with Session(stack.engine) as session:
        session.add_all(UsageRecord(document_id=str(uuid.uuid4()), account_id=account.account_id,
                                    dossier_id=str(uuid.uuid4()), counted_at=start + i * step)
                        for i in range(count))
        session.commit()


def ago(days: float) -> datetime:
    return utcnow() - timedelta(days=days)


def test_plan_is_set_by_operators_and_kept_with_its_history(client: TestClient, operator: dict[str, str],
                                                            account_factory: Callable[..., NewAccount]) -> None:
    acc = account_factory()
    activation = ago(40)
    denied = client.put(f"/v1/accounts/{acc.account_id}/subscription", json=PLAN, headers=auth(acc.api_key))
    assert denied.status_code == 403
    assert client.get("/v1/subscription", headers=auth(acc.api_key)).json()["code"] == "no_subscription"
    first = subscribe(client, operator, acc, activation)
    assert first["history"][0]["effective_period_index"] == 0 and first["pending"] is None
    second = subscribe(client, operator, acc, activation, packs=3)
    mine = client.get("/v1/subscription", headers=auth(acc.api_key)).json()
    assert mine == {**second, "current_period": mine["current_period"]}
    assert mine["current_period"]["index"] == 1
    assert mine["current_period"]["start"].endswith(("+01:00", "+02:00"))  # Paris time
    assert mine["plan"]["packs"] == 2 and mine["allowance"] == 1_000  # the change waits for period 2
    assert mine["pending"]["packs"] == 3 and mine["pending"]["effective_period_index"] == 2
    assert [v["packs"] for v in mine["history"]] == [2, 3]
    moved = client.put(f"/v1/accounts/{acc.account_id}/subscription",
                       json={**PLAN, "activation": ago(10).isoformat()}, headers=operator)
    assert moved.status_code == 409 and moved.json()["code"] == "activation_fixed"
    bad = client.put(f"/v1/accounts/{acc.account_id}/subscription", json={**PLAN, "pack_size": 0}, headers=operator)
    assert bad.status_code == 422
    assert client.put(f"/v1/accounts/{uuid.uuid4()}/subscription", json=PLAN, headers=operator).status_code == 404


def test_usage_and_warnings(stack: Stack, client: TestClient, operator: dict[str, str],
                            account_factory: Callable[..., NewAccount]) -> None:
    acc = account_factory()
    activation = ago(40)
    subscribe(client, operator, acc, activation)
    start, end = period_bounds(activation, 0)
    add_usage(stack, acc, 1_043, start + timedelta(seconds=1), timedelta(minutes=20))
    add_usage(stack, acc, 7, period_bounds(activation, 1)[0], timedelta(seconds=1))
    usage = client.get("/v1/usage?period=0", headers=auth(acc.api_key)).json()
    assert (usage["allowance"], usage["consumed"], usage["remaining"], usage["overage"]) == (1_000, 1_043, 0, 43)
    assert usage["period"]["index"] == 0
    reached = {w["threshold"]: datetime.fromisoformat(w["reached_at"]) for w in usage["warnings"]}
    assert reached == {80: start + timedelta(seconds=1) + 799 * timedelta(minutes=20),
                       100: start + timedelta(seconds=1) + 999 * timedelta(minutes=20)}
    again = client.get("/v1/usage?period=previous", headers=auth(acc.api_key)).json()
    assert again["warnings"] == usage["warnings"]  # recorded once, unchanged
    current = client.get("/v1/usage", headers=auth(acc.api_key)).json()
    assert (current["period"]["index"], current["consumed"], current["remaining"], current["warnings"]) == \
        (1, 7, 993, [])
    assert client.get("/v1/usage?period=5", headers=auth(acc.api_key)).status_code == 404
    other = account_factory()
    assert client.get(f"/v1/usage?account_id={acc.account_id}", headers=auth(other.api_key)).status_code == 404
    assert client.get(f"/v1/usage?account_id={acc.account_id}", headers=operator).json()["consumed"] == 7


def test_worked_example_statements_numbering_and_csv(stack: Stack, client: TestClient, operator: dict[str, str],
                                                     account_factory: Callable[..., NewAccount], cli) -> None:  # type: ignore[no-untyped-def]
    acc = account_factory()
    activation = ago(40)
    subscribe(client, operator, acc, activation)
    add_usage(stack, acc, 1_043, period_bounds(activation, 0)[0], timedelta(minutes=30))
    first = cli("close-period", "--account", acc.account_id)
    again = cli("close-period", "--account", acc.account_id)
    assert '"issued": []' in again.stdout and first.stdout.count('"number"') == 2  # type: ignore[attr-defined]
    listed = client.get("/v1/statements", headers=auth(acc.api_key)).json()
    assert listed["total"] == 2 and [s["number"] for s in listed["items"]] == [2, 1]
    second = client.get(f"/v1/statements/{listed['items'][0]['id']}", headers=auth(acc.api_key)).json()
    assert [(ln["kind"], ln["period_index"], ln["amount_cents"]) for ln in second["lines"]] == [
        ("subscription", 1, 30_000), ("document_overage", 0, 2_064)]
    assert second["total_cents"] == 32_064 and second["lines"][1]["quantity"] == 43
    sid = second["id"]
    body = client.get(f"/v1/statements/{sid}.csv", headers=auth(acc.api_key))
    assert body.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(body.text)))
    assert [(r["kind"], r["amount_eur"]) for r in rows] == [
        ("subscription", "300.00"), ("document_overage", "20.64"), ("total", "320.64")]
    assert rows[1]["unit_price_eur"] == "0.48"
    assert client.get(f"/v1/statements/{sid}?format=csv", headers=auth(acc.api_key)).text == body.text
    stranger = account_factory()
    for path in (f"/v1/statements/{sid}", f"/v1/statements/{sid}.csv"):
        assert client.get(path, headers=auth(stranger.api_key)).status_code == 404
    assert client.get("/v1/statements", headers=auth(stranger.api_key)).json()["total"] == 0


def test_no_rollover_and_no_period_billed_twice(stack: Stack, client: TestClient, operator: dict[str, str],
                                                account_factory: Callable[..., NewAccount]) -> None:
    acc = account_factory()
    activation = ago(100)  # now is in period 3
    subscribe(client, operator, acc, activation, packs=1, pack_size=1_000, extra_document_price_cents=50)
    for index, count in ((0, 600), (1, 1_300), (2, 1_000)):
        add_usage(stack, acc, count, period_bounds(activation, index)[0], timedelta(minutes=1))
    with Session(stack.engine, expire_on_commit=False) as session:
        issued = issue_due(session, acc.account_id)
        assert [s.number for s in issued] == [1, 2, 3, 4]
        overage = session.exec(select(BilledLine).where(BilledLine.account_id == acc.account_id,
                                                        BilledLine.kind == "document_overage")).all()
    # 400 unused in period 0 offset nothing: 300 over in period 1 only, at 0.60 €.
    assert [(b.period_index, b.statement_id) for b in overage] == [(1, issued[2].id)]
    third = client.get(f"/v1/statements/{issued[2].id}", headers=auth(acc.api_key)).json()
    assert [ln["amount_cents"] for ln in third["lines"]] == [15_000, 18_000]


def test_concurrent_issuers_issue_one_statement(stack: Stack, client: TestClient, operator: dict[str, str],
                                                account_factory: Callable[..., NewAccount]) -> None:
    acc = account_factory()
    subscribe(client, operator, acc, ago(3))
    barrier, numbers = threading.Barrier(4), []

    def issue() -> None:
        barrier.wait()
        with Session(stack.engine, expire_on_commit=False) as session:
            numbers.extend(s.number for s in issue_due(session, acc.account_id))

    threads = [threading.Thread(target=issue) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert numbers == [1]
    with Session(stack.engine) as session:
        rows = session.exec(select(Statement).where(Statement.account_id == acc.account_id)).all()
    assert [(s.number, s.period_index) for s in rows] == [(1, 0)]


def test_a_correction_is_a_new_statement(stack: Stack, client: TestClient, operator: dict[str, str],
                                         account_factory: Callable[..., NewAccount],
                                         cli: Callable[..., object]) -> None:
    acc = account_factory()
    activation = ago(40)
    subscribe(client, operator, acc, activation)
    add_usage(stack, acc, 1_043, period_bounds(activation, 0)[0], timedelta(minutes=30))
    with Session(stack.engine, expire_on_commit=False) as session:
        original = issue_due(session, acc.account_id)[-1]
        # Documents counted late in period 0 (e.g. a repaired import): the correction re-bills it.
        add_usage(stack, acc, 10, period_bounds(activation, 0)[0], timedelta(seconds=1))
    assert client.post(f"/v1/statements/{original.id}/corrections", headers=auth(acc.api_key)).status_code == 403
    issued = client.post(f"/v1/statements/{original.id}/corrections", headers=operator)
    assert issued.status_code == 201, issued.text
    correction = issued.json()
    assert (correction["number"], correction["corrects_id"], correction["kind"]) == (3, original.id, "correction")
    body = client.get(f"/v1/statements/{correction['id']}", headers=auth(acc.api_key)).json()
    assert [ln["amount_cents"] for ln in body["lines"]] == [-30_000, -2_064, 30_000, 2_544]
    assert body["total_cents"] == 480
    before = client.get(f"/v1/statements/{original.id}", headers=auth(acc.api_key)).json()
    assert before["total_cents"] == 32_064 and len(before["lines"]) == 2
    # Corrected once, the original is not corrected again: its correction is the one to correct.
    twice = client.post(f"/v1/statements/{original.id}/corrections", headers=operator)
    assert (twice.status_code, twice.json()["code"]) == (409, "statement_corrected")
    # The command line corrects the correction: it cancels what the correction billed and bills
    # the same again, since nothing changed since.
    again = json.loads(cli("correct-statement", "--statement", correction["id"]).stdout)  # type: ignore[attr-defined]
    assert (again["number"], again["corrects_id"], again["total_cents"]) == (4, correction["id"], 0)
    lines = client.get(f"/v1/statements/{again['id']}", headers=auth(acc.api_key)).json()["lines"]
    assert [ln["amount_cents"] for ln in lines] == [-30_000, -2_544, 30_000, 2_544]
    missing = client.post("/v1/statements/no-such-statement/corrections", headers=operator)
    assert (missing.status_code, missing.json()["code"]) == (404, "statement_not_found")


def test_named_users_are_counted_from_the_users_of_each_period(stack: Stack, client: TestClient,
                                                              operator: dict[str, str],
                                                              account_factory: Callable[..., NewAccount]) -> None:
    from ingest.accounts.tables import User

    acc = account_factory()
    activation = ago(40)
    subscribe(client, operator, acc, activation, named_users=1)
    made = [client.post("/v1/users", json={"email": f"{name}-{uuid.uuid4().hex[:6]}@durand.test"},
                        headers=auth(acc.api_key)).json()["id"] for name in ("anne", "paul", "ines", "marc")]
    client.patch(f"/v1/users/{made[2]}", json={"active": False}, headers=auth(acc.api_key))
    client.delete(f"/v1/users/{made[3]}", headers=auth(acc.api_key))
    with Session(stack.engine) as session:
        for user in session.exec(select(User).where(User.account_id == acc.account_id)):
            user.created_at = activation - timedelta(days=20)
            if user.id == made[2]:  # gone before period 0: not counted
                user.deactivated_at = activation - timedelta(days=1)
            if user.id == made[3]:  # deleted during period 0: counted in it
                user.deactivated_at = user.deleted_at = activation + timedelta(days=10)
            session.add(user)
        session.commit()
        issue_due(session, acc.account_id)
    listed = client.get("/v1/statements", headers=auth(acc.api_key)).json()["items"]
    second = client.get(f"/v1/statements/{listed[0]['id']}", headers=auth(acc.api_key)).json()
    users_over = [ln for ln in second["lines"] if ln["kind"] == "user_overage"]
    # The administrator, anne, paul and marc (deleted on day 10) were named users of period 0: 3 over 1.
    assert [(ln["period_index"], ln["quantity"], ln["amount_cents"]) for ln in users_over] == [(0, 3, 7_200)]
