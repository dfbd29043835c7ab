"""The account's usage and statements as pages, on both stacks: the gauge's figures and the overage
in French formats, an account without a plan, the statements with their lines, credits and
corrections, the CSV and the PDF, and the same rights as the JSON API."""

from __future__ import annotations

import csv
import html as entities
import io
import re
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import Session

from api.web.render import euros, number
from ingest.accounts.lifecycle import NewAccount, create_operator
from ingest.availability.tables import CreditClaim
from ingest.billing import statement_pdf
from ingest.billing.statements import issue_correction, issue_due
from ingest.billing.subscriptions import set_plan
from ingest.billing.tables import Statement
from ingest.contract.periods import PARIS, period_bounds
from tests.integration.billing.test_billing import PLAN, add_usage, ago
from tests.integration.conftest import Stack, auth
from tests.integration.web.pages import browser, change_password, new_admin, sign_in


def _subscribe(stack: Stack, account: NewAccount, days_ago: float, **terms: int) -> None:
    with Session(stack.engine) as session:
        set_plan(session, account.account_id, {**PLAN, **terms}, activation=ago(days_ago))


def _issue(stack: Stack, account: NewAccount) -> list[Statement]:
    with Session(stack.engine, expire_on_commit=False) as session:
        return issue_due(session, account.account_id)


def grant_credit(stack: Stack, account: NewAccount, month: str) -> None:
    """A claim for `month` granted 10 %, as the hourly job leaves it once decided."""
    with Session(stack.engine) as session:
        session.add(CreditClaim(account_id=account.account_id, filed_by=account.user_id, month=month,
                                filed_at=ago(1), outcome="granted", decided_at=ago(1), counted_hours=198,
                                ko_hours=9, availability_percent="95.45", credit_percent=10))
        session.commit()


def span(activation: datetime, index: int) -> str:
    """Period `index` as the pages write it: ``du 31/01/2026 au 28/02/2026``, Paris dates."""
    start, end = (bound.astimezone(PARIS) for bound in period_bounds(activation, index))
    return f"du {start:%d/%m/%Y} au {end:%d/%m/%Y}"


def _text(page: TestClient, path: str) -> str:
    """A page's HTML with its entities read back (the templates escape every apostrophe)."""
    return entities.unescape(page.get(path).text)


def _pdf_text(body: bytes) -> str:
    """The PDF's words, every run of spaces (and line breaks, no-break spaces) as one space."""
    return _words(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(body)).pages))


def _words(text: str) -> str:
    return " ".join(text.split())


def test_usage_page_shows_the_gauge_and_the_overage_in_french(client: TestClient, stack: Stack) -> None:
    page, account = new_admin(client, stack)
    activation = ago(40)  # now in period 1
    with Session(stack.engine) as session:
        set_plan(session, account.account_id, PLAN, activation=activation)
    add_usage(stack, account, 1_100, period_bounds(activation, 0)[0], timedelta(minutes=20))
    add_usage(stack, account, 1_043, period_bounds(activation, 1)[0] + timedelta(seconds=1), timedelta(seconds=30))
    html = _text(page, "/app/usage")
    said = (f"{number(1_043, 'fr')} documents traités sur {number(1_000, 'fr')} inclus dans le forfait : "
            "0 restants, 43 au-delà du forfait.")
    assert said in html and 'aria-labelledby="usage-said"' in html  # the gauge's figures, in words
    assert "gauge-over w100" in html
    assert f"<dd>{euros(2_064, 'fr')}</dd>" in html  # 43 × 0,48 € so far
    assert "facturé 0,48\xa0€ (prix catalogue 0,40\xa0€ + 20\xa0%)" in html
    assert "2 × 500 documents" in html and euros(30_000, "fr") in html
    assert "80\xa0% du forfait atteints le" in html and "Forfait entièrement consommé le" in html
    assert span(activation, 1) in html
    # The closed period 0, with what its 100 documents over come to.
    assert f"<td class=\"num\">{number(1_100, 'fr')}</td>" in html and euros(4_800, "fr") in html
    api = page.get("/v1/usage").json()  # the same session, the JSON twin
    assert (api["allowance"], api["consumed"], api["remaining"], api["overage"]) == (1_000, 1_043, 0, 43)
    english = _text(page, "/app/usage?lang=en")
    assert "Overage so far" in english and "€20.64" in english


def test_an_account_without_a_plan_is_told_so(client: TestClient, stack: Stack) -> None:
    page, account = new_admin(client, stack)
    assert page.get("/app/usage").status_code == 200
    assert "Ce compte n'a pas encore d'abonnement" in _text(page, "/app/usage")
    assert "Aucun relevé pour l'instant" in _text(page, "/app/statements")
    _subscribe(stack, account, days_ago=-3)  # starts in three days
    assert "Votre abonnement commence le" in _text(page, "/app/usage")


def test_statements_list_detail_csv_and_pdf(client: TestClient, stack: Stack) -> None:
    page, account = new_admin(client, stack, "Cabinet Lefèvre & Fils")
    activation = ago(70)  # now in period 2
    with Session(stack.engine) as session:
        set_plan(session, account.account_id, PLAN, activation=activation)
    add_usage(stack, account, 1_043, period_bounds(activation, 0)[0], timedelta(minutes=30))
    grant_credit(stack, account, f"{activation.astimezone(PARIS):%Y-%m}")
    first, second, third = _issue(stack, account)
    assert second.total_cents == 30_000 + 2_064 - 3_000

    listed = _text(page, "/app/statements")
    for s in (first, second, third):
        assert f'href="/app/statements/{s.id}"' in listed and f"Relevé n° {s.number}" in listed
    assert euros(29_064, "fr") in listed and listed.index("Relevé n° 3") < listed.index("Relevé n° 1")

    html = _text(page, f"/app/statements/{second.id}")
    period0 = span(activation, 0)
    row = re.compile(r"<tr>\s*<td>(.*?)</td>", re.S)  # each line's description and its period
    assert [" ".join(re.sub("<[^>]+>", " ", d).split()) for d in row.findall(html)] == [
        f"Abonnement (packs de documents) Période {span(activation, 1)}",
        f"Documents au-delà du forfait (prix catalogue + 20 %) Période {period0}",
        f"Avoir de disponibilité (mois sous 98 %) Période {period0}"]
    assert "0,48\xa0€" in html and euros(2_064, "fr") in html and euros(-3_000, "fr") in html
    assert "Sous-total des prestations" in html and euros(32_064, "fr") in html
    assert "Total du relevé" in html and euros(29_064, "fr") in html

    got = page.get(f"/v1/statements/{second.id}.csv")  # the API's CSV, with the session cookie
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert [r["amount_eur"] for r in rows] == ["300.00", "20.64", "-30.00", "290.64"]
    assert f'href="/v1/statements/{second.id}.csv"' in html and f'href="/app/statements/{second.id}.pdf"' in html

    pdf = page.get(f"/app/statements/{second.id}.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert 'filename="releve-2.pdf"' in pdf.headers["content-disposition"]
    assert pdf.content.startswith(b"%PDF")
    text = _pdf_text(pdf.content)
    assert "Relevé n° 2" in text and "Cabinet Lefèvre & Fils" in text and "€" in text
    for said in (euros(29_064, "fr"), euros(32_064, "fr"), euros(-3_000, "fr"), "0,48 €", "Total du relevé",
                 f"Documents au-delà du forfait (prix catalogue + 20 %) Période {period0}"):
        assert _words(said) in text, said


def test_a_correction_cancels_and_points_both_ways(client: TestClient, stack: Stack) -> None:
    page, account = new_admin(client, stack)
    activation = ago(40)
    with Session(stack.engine) as session:
        set_plan(session, account.account_id, PLAN, activation=activation)
    add_usage(stack, account, 1_043, period_bounds(activation, 0)[0], timedelta(minutes=30))
    _, second = _issue(stack, account)
    with Session(stack.engine, expire_on_commit=False) as session:
        correction = issue_correction(session, second.id)
    html = _text(page, f"/app/statements/{correction.id}")
    assert "Rectificatif" in html and "Ce relevé rectifie le relevé n° 2" in html
    assert "Annulation du relevé n° 2 : Documents au-delà du forfait" in html and ">-43<" in html
    assert f'href="/app/statements/{second.id}"' in html
    corrected = _text(page, f"/app/statements/{second.id}")
    assert "Ce relevé a été rectifié par le relevé n° 3." in corrected
    assert "Annulation du relevé n° 2" in _pdf_text(page.get(f"/app/statements/{correction.id}.pdf").content)


def test_another_accounts_statement_is_not_found(client: TestClient, stack: Stack,
                                                 account_factory: Callable[..., NewAccount]) -> None:
    page, _ = new_admin(client, stack)
    stranger = account_factory("SCI Autre")
    _subscribe(stack, stranger, days_ago=3)
    [theirs] = _issue(stack, stranger)
    for path in (f"/app/statements/{theirs.id}", f"/app/statements/{theirs.id}.pdf", f"/v1/statements/{theirs.id}.csv",
                 f"/app/statements/{uuid.uuid4()}", f"/app/statements/{uuid.uuid4()}.pdf"):
        assert page.get(path).status_code == 404, path
    assert "n'est pas visible depuis votre compte" in _text(page, f"/app/statements/{theirs.id}")
    assert f"/app/statements/{theirs.id}" not in _text(page, "/app/statements")
    assert page.get(f"/app/usage?account_id={stranger.account_id}").status_code == 404  # as /v1/usage


def test_a_missing_font_leaves_the_csv(client: TestClient, stack: Stack, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A server without DejaVu Sans answers the PDF with a page that says why (503), not with boxes
    in place of "€"."""
    page, account = new_admin(client, stack)
    _subscribe(stack, account, days_ago=3)
    [statement] = _issue(stack, account)
    monkeypatch.setattr(statement_pdf, "FONT_FOLDER", tmp_path)  # a folder without the font
    resp = page.get(f"/app/statements/{statement.id}.pdf")
    assert resp.status_code == 503 and "le CSV reste disponible" in entities.unescape(resp.text)
    assert page.get(f"/v1/statements/{statement.id}.csv").status_code == 200


@pytest.mark.parametrize("path", ["/app/usage", "/app/statements", f"/app/statements/{uuid.uuid4()}.pdf"])
def test_strangers_are_sent_to_sign_in(client: TestClient, path: str) -> None:
    resp = client.get(path, follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"] == "/app/login"


def test_rights_are_the_apis(client: TestClient, stack: Stack) -> None:
    """Usage and statements are account-wide: a user limited to one dossier sees them, as through the
    API; an operator, who has no account, names one for the usage, as the API asks."""
    admin_page, account = new_admin(client, stack, "Cabinet Roux")
    _subscribe(stack, account, days_ago=3)
    [statement] = _issue(stack, account)
    key = auth(account.api_key)
    mine = client.post("/v1/dossiers", json={"name": "SARL Visible"}, headers=key).json()["id"]
    user = client.post("/v1/users", json={"email": f"ines-{uuid.uuid4().hex[:6]}@roux.test", "dossier_ids": [mine]},
                       headers=key).json()
    limited = browser(client)
    sign_in(limited, user["email"], user["initial_password"])
    change_password(limited, user["initial_password"])
    for path, twin in (("/app/usage", "/v1/usage"), (f"/app/statements/{statement.id}",
                                                     f"/v1/statements/{statement.id}")):
        assert limited.get(path).status_code == limited.get(twin).status_code == 200, path
    assert limited.get(f"/app/statements/{statement.id}.pdf").status_code == 200

    email = f"op-{uuid.uuid4().hex[:8]}@provider.test"
    with Session(stack.engine) as session:
        operator = create_operator(session, email, initial_password=True)
    staff = browser(client)
    sign_in(staff, email, str(operator.initial_password))
    change_password(staff, str(operator.initial_password))
    refused, api = staff.get("/app/usage"), staff.get("/v1/usage")
    assert refused.status_code == api.status_code == 422 and api.json()["code"] == "account_required"
    assert "indiquez le compte dans l'adresse" in entities.unescape(refused.text)
    assert "Compte : Cabinet Roux" in _text(staff, f"/app/usage?account_id={account.account_id}")
    assert f"/app/statements/{statement.id}" in _text(staff, f"/app/statements?account_id={account.account_id}")
    assert staff.get(f"/app/statements/{statement.id}").status_code == 200
    assert admin_page.get("/app/usage").status_code == 200
