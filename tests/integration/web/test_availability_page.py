"""The availability page on both stacks: the month's hours as a grid (OK, KO, maintenance, not counted
yet), its rate and credit in French, the claim button while a claim can be filed and the claim's
state after; and the maintenance banner every page shows while a window is near."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from api.app import create_app
from api.routes.availability import current_instant
from ingest.accounts.lifecycle import NewAccount
from ingest.availability.tables import CreditClaim
from ingest.platform.columns import utcnow
from ingest.support.tables import MaintenanceWindow
from tests.integration.availability.test_availability_api import month_of_measurements, new_operator, paris, store
from tests.integration.conftest import Stack, auth
from tests.integration.web.pages import CSRF, browser, change_password, sign_in

KO = [paris(2027, 5, 3, 9), paris(2027, 5, 3, 10)]
NOW = paris(2027, 5, 6, 14, 30)


@pytest.fixture
def page(client: TestClient, opened: tuple[NewAccount, str]) -> Iterator[tuple[TestClient, NewAccount]]:
    account, email = opened
    signed = browser(client)
    sign_in(signed, email, str(account.initial_password))
    change_password(signed, str(account.initial_password))
    signed.app.dependency_overrides[current_instant] = lambda: NOW  # type: ignore[attr-defined]
    yield signed, account
    signed.app.dependency_overrides.pop(current_instant, None)  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def may_2027(stack: Stack) -> None:
    """May 2027 measured until the 6th at 14:00: two KO hours on the 3rd, the 5th in maintenance."""
    store(stack, [m for m in month_of_measurements(2027, 5, KO) if m.at < NOW])
    with TestClient(create_app(stack.settings)) as client:
        resp = client.post("/v1/maintenance", json={"start": paris(2027, 5, 5).isoformat(),
                                                    "end": paris(2027, 5, 6).isoformat(), "description": "x"},
                           headers=auth(new_operator(stack).api_key))
        assert resp.status_code == 201, resp.text


def cells(html: str, day: str) -> list[str]:
    row = re.search(rf'<th scope="row">{day}</th>(.*?)</tr>', html, re.S)
    assert row, day
    return re.findall(r'<td class="hour h-(\w+)">', row.group(1))


def test_the_month_as_a_grid_with_its_rate_credit_and_claim(page: tuple[TestClient, NewAccount], stack: Stack,
                                                            may_2027: None) -> None:
    signed, account = page
    html = signed.get("/app/availability?month=2027-05").text
    assert "Disponibilité du service — mai 2027" in html
    assert cells(html, "lun. 03/05") == ["ko", "ko"] + ["ok"] * 7
    assert cells(html, "mer. 05/05") == ["maintenance"] * 9
    assert cells(html, "jeu. 06/05") == ["ok"] * 5 + ["not_counted"] * 4
    assert cells(html, "lun. 31/05") == ["not_counted"] * 9
    # 3rd and 4th: 18 hours, 6th: 5 hours; 2 KO: 21 / 23 = 91,30 %.
    assert "91,30 %" in html and "23 heures ouvrées comptées, dont 2 heures KO" in html
    assert "ouvre droit à un avoir de 10 %" in html and "Le mois est en cours" in html
    assert "jusqu&#39;au 10/05/2027 11:00" in html  # 7 days after the end of the last KO hour (11:00)
    token = CSRF.search(html)
    assert token

    forged = signed.post("/app/availability/claim", data={"month": "2027-05"})
    assert forged.status_code == 403 and "Le formulaire a expiré" in forged.text
    assert _claims(stack, account) == 0
    filed = signed.post("/app/availability/claim", data={"month": "2027-05", "csrf_token": token.group(1)},
                        follow_redirects=False)
    assert filed.status_code == 303 and filed.headers["location"] == "/app/availability?month=2027-05"
    after = signed.get(filed.headers["location"]).text
    assert "Votre demande du 06/05/2027 14:30 est enregistrée" in after
    assert "Demander l&#39;avoir" not in after
    again = signed.post("/app/availability/claim", data={"month": "2027-05", "csrf_token": token.group(1)})
    assert again.status_code == 409 and "a déjà demandé l&#39;avoir de ce mois" in again.text
    assert _claims(stack, account) == 1


def test_a_month_not_begun_has_nothing_to_claim_and_no_next_month(page: tuple[TestClient, NewAccount],
                                                                   may_2027: None) -> None:
    signed, _ = page
    html = signed.get("/app/availability?month=2027-06").text
    assert "Aucune heure KO ce mois-ci" in html and "Demander l&#39;avoir" not in html
    assert set(cells(html, "mar. 01/06")) == {"not_counted"} and "Mois suivant" not in html
    odd = signed.get("/app/availability?month=2027-13")
    assert odd.status_code == 200 and "Ce mois n&#39;existe pas" in odd.text and "mai 2027" in odd.text


def test_a_near_maintenance_window_is_announced_on_every_page(page: tuple[TestClient, NewAccount],
                                                              stack: Stack) -> None:
    signed, _ = page
    start = utcnow() + timedelta(days=1)
    announced = browser(signed).post("/v1/maintenance", headers=auth(new_operator(stack).api_key), json={
        "start": start.isoformat(), "end": (start + timedelta(hours=2)).isoformat(),
        "description": "Mise à jour de la base."})
    assert announced.status_code == 201, announced.text
    window_id = announced.json()["id"]
    try:
        for path in ("/app/", "/app/availability", "/app/login"):
            html = browser(signed).get(path).text if path == "/app/login" else signed.get(path).text
            assert "Maintenance prévue du" in html and "Mise à jour de la base." in html, path
    finally:
        with Session(stack.engine) as session:
            session.delete(session.get(MaintenanceWindow, window_id))
            session.commit()
    assert "Mise à jour de la base." not in signed.get("/app/").text  # (other tests' windows may be announced)


def _claims(stack: Stack, account: NewAccount) -> int:
    with Session(stack.engine) as session:
        return len(session.exec(select(CreditClaim).where(CreditClaim.account_id == account.account_id)).all())
