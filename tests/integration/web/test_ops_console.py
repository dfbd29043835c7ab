"""The operators' console on both stacks: reserved to operators; daily batches late first, then at
risk; the maintenance form (CSRF, Paris wall time, refusals in French) and what it announces."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from ingest.accounts.lifecycle import NewAccount, create_operator
from ingest.contract.calendar import PARIS
from ingest.platform.columns import utcnow
from ingest.platform.models import Batch
from ingest.support.tables import MaintenanceWindow
from tests.integration.conftest import Firm, Stack
from tests.integration.web.pages import CSRF, browser, change_password, sign_in
from tests.support.files import text_pdf


@pytest.fixture
def operator_page(client: TestClient, stack: Stack) -> TestClient:
    email = f"ops-{uuid.uuid4().hex[:8]}@provider.test"
    with Session(stack.engine) as session:
        operator = create_operator(session, email, initial_password=True)
    page = browser(client)
    sign_in(page, email, str(operator.initial_password))
    change_password(page, str(operator.initial_password))
    return page


def _batch(client: TestClient, firm: Firm, stack: Stack, state: str, due_in: timedelta) -> str:
    batch = client.post("/v1/batches", data={"dossier_id": firm.dossier_id},
                        files=[("files", ("f.pdf", text_pdf("F")))], headers=firm.headers).json()["id"]
    with Session(stack.engine) as session:  # as the flow's refresh would have judged it
        row = session.get(Batch, batch)
        assert row is not None
        row.sla_state, row.due_at = state, utcnow() + due_in
        session.add(row)
        session.commit()
    return str(batch)


def test_late_batches_come_first_then_those_at_risk(operator_page: TestClient, client: TestClient, firm: Firm,
                                                    stack: Stack) -> None:
    at_risk = _batch(client, firm, stack, "at_risk", timedelta(hours=2))
    late = _batch(client, firm, stack, "breached", timedelta(hours=3))
    html = operator_page.get("/app/ops").text
    assert "Console des opérateurs" in html
    assert html.index(f"/app/batches/{late}") < html.index(f"/app/batches/{at_risk}")
    assert "En retard" in html and "À risque" in html
    assert "Comptes clients" in html and "Sonde api" in html


def test_the_console_is_the_operators(client: TestClient, opened: tuple[NewAccount, str]) -> None:
    account, email = opened
    page = browser(client)
    sign_in(page, email, str(account.initial_password))
    change_password(page, str(account.initial_password))
    refused = page.get("/app/ops")
    assert refused.status_code == 403 and "réservée aux opérateurs" in refused.text
    assert page.post("/app/ops/maintenance", data={"starts_at": "2030-01-01T10:00",
                                                   "ends_at": "2030-01-01T11:00"}).status_code == 403
    assert 'href="/app/ops"' not in page.get("/app/").text


def test_announcing_a_maintenance_window(operator_page: TestClient, stack: Stack) -> None:
    html = operator_page.get("/app/ops").text
    token = CSRF.search(html)
    assert token
    start = (utcnow() + timedelta(days=40)).astimezone(PARIS)
    local = start.strftime("%Y-%m-%dT%H:%M")
    end = (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    forged = operator_page.post("/app/ops/maintenance", data={"starts_at": local, "ends_at": end})
    assert forged.status_code == 403 and "Le formulaire a expiré" in forged.text
    backwards = operator_page.post("/app/ops/maintenance", data={"starts_at": end, "ends_at": local,
                                                                 "csrf_token": token.group(1)})
    assert backwards.status_code == 422 and "doit finir après son début" in backwards.text
    garbled = operator_page.post("/app/ops/maintenance", data={"starts_at": "demain", "ends_at": end,
                                                               "csrf_token": token.group(1)})
    assert garbled.status_code == 422 and "jour, mois, année et heure" in garbled.text
    done = operator_page.post("/app/ops/maintenance", data={"starts_at": local, "ends_at": end,
                                                            "description": "Migration du stockage.",
                                                            "csrf_token": token.group(1)}, follow_redirects=False)
    assert done.status_code == 303
    listed = operator_page.get("/app/ops").text
    assert f"Du {start.strftime('%d/%m/%Y %H:%M')}" in listed and "Migration du stockage." in listed
    assert "programmée" in listed
    with Session(stack.engine) as session:  # the window is far ahead; leave no trace for other tests
        for row in session.exec(select(MaintenanceWindow).where(
                MaintenanceWindow.description == "Migration du stockage.")).all():
            session.delete(row)
        session.commit()
