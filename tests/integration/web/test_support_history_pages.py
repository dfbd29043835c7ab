"""Support requests and a dossier's two-year history as pages, on both stacks: opening a request
with an attachment through the form, its deadline in French formats once qualified, the attachment
downloaded back, forms refused without their CSRF token, limits said in French, another account's
request and another dossier's history not found, the expiring documents counted by month and the
yearly export downloaded with the session cookie."""

from __future__ import annotations

import csv
import html as entities
import io
import re
import uuid
import zipfile
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from api.routes import history as history_api
from api.routes import support_requests as support_routes
from api.web.render import when
from ingest.accounts.lifecycle import NewAccount, create_operator
from ingest.platform.models import Batch
from tests.integration.conftest import Stack, auth
from tests.integration.history.test_purge import Place, add_doc
from tests.integration.web.pages import CSRF, browser, change_password, new_admin, sign_in
from tests.support.files import scan

# 1 December 2026, 10:00 in Paris: the notice of the 1 January 2027 purge is open.
IN_NOTICE = datetime(2026, 12, 1, 9, tzinfo=UTC)
BEFORE_NOTICE = datetime(2026, 11, 15, 9, tzinfo=UTC)
SUBJECT = "Le dépôt du 30/11 reste en cours"


def _token(page: TestClient, path: str) -> str:
    found = CSRF.search(page.get(path).text)
    assert found, path
    return found.group(1)


def _open_request(page: TestClient, files: list[tuple[str, tuple[str, bytes, str]]],
                  **fields: str) -> TestClient:
    """Post the new-request form as a browser does: multipart, its files in ``files``, and an empty
    part for a file input left empty."""
    files = files or [("files", ("", b"", "application/octet-stream"))]
    data = {"subject": SUBJECT, "description": "Les 12 factures déposées hier ne sont toujours pas traitées.",
            "context": "Dossier SARL Dupont", "error_messages": "", "steps": "",
            "csrf_token": _token(page, "/app/support/new"), **fields}
    return page.post("/app/support/new", data=data, files=files, follow_redirects=False)  # type: ignore[return-value]


def _operator(stack: Stack) -> dict[str, str]:
    with Session(stack.engine) as session:
        return auth(create_operator(session, f"op-{uuid.uuid4().hex[:8]}@provider.test").api_key)


def _requests_of(client: TestClient, account: NewAccount) -> int:
    resp = client.get("/v1/support-requests", headers=auth(account.api_key))
    assert resp.status_code == 200, resp.text
    return int(resp.json()["total"])


def _text(html: str) -> str:
    """A page's text as a reader sees it: tags dropped, entities read, spaces joined."""
    return " ".join(entities.unescape(re.sub(r"<[^>]+>", " ", html)).split())


# --- support requests -----------------------------------------------------------------------------


def test_a_request_opened_through_the_form_is_listed_with_its_deadline_and_its_attachment(
        client: TestClient, stack: Stack) -> None:
    page, account = new_admin(client, stack)
    form = page.get("/app/support/new").text
    assert 'enctype="multipart/form-data"' in form and 'name="files"' in form
    assert "12 heures ouvrées" in _text(form) and "6e jour ouvré" in _text(form)  # the levels, from the contract
    picture = scan("PNG")
    sent = _open_request(page, [("files", ("capture écran.png", picture, "image/png")),
                                ("files", ("", b"", "application/octet-stream"))])  # an input left empty
    assert sent.status_code == 303, sent.text
    location = sent.headers["location"]
    assert re.fullmatch(r"/app/support/[A-Za-z0-9_-]+", location), location
    request_id = location.rsplit("/", 1)[1]

    detail = page.get(location)
    assert detail.status_code == 200
    said = _text(detail.text)
    assert f"<h1 class=\"support-subject\">{entities.escape(SUBJECT, quote=False)}</h1>" in detail.text
    assert "Demande enregistrée" in said and "Pièce jointe ajoutée" in said and "capture écran.png" in said
    assert "Enregistrée" in said and "À qualifier" in said and "Fixée à la qualification" in said
    href = f"/v1/support-requests/{request_id}/attachments/1"
    assert f'href="{href}"' in detail.text and "/attachments/2" not in detail.text  # the empty part was dropped
    download = page.get(href)  # the API's own route, with the session cookie
    assert download.status_code == 200 and download.content == picture
    assert "attachment" in download.headers["content-disposition"]

    operator = _operator(stack)
    assert client.post(f"/v1/support-requests/{request_id}/pick-up", headers=operator).status_code == 200
    qualified = client.post(f"/v1/support-requests/{request_id}/qualify", json={"criticality": 1},
                            headers=operator).json()
    due = when(datetime.fromisoformat(qualified["due_at"]), "fr")
    assert re.fullmatch(r"\d\d/\d\d/20\d\d \d\d:\d\d", due)
    listed = _text(page.get("/app/support").text)
    assert SUBJECT in listed and "1 — bloquante" in listed and "Qualifiée" in listed
    assert f"Avant le {due}" in listed and "Dans les temps" in listed  # 12 support hours: never due soon at once
    assert when(datetime.fromisoformat(qualified["registered_at"]), "fr") in listed

    client.post(f"/v1/support-requests/{request_id}/action-plan", json={"text": "Relance des traitements."},
                headers=operator)
    met = _text(page.get(location).text)
    assert "Plan d'action correctif" in met and "Relance des traitements." in met and "Tenue" in met
    assert "Prise en charge par le support" in met and "Qualifiée : anomalie de criticité 1" in met
    assert "Tenue" in _text(page.get("/app/support").text)


def test_forms_without_their_csrf_token_are_refused_and_change_nothing(client: TestClient, stack: Stack) -> None:
    page, account = new_admin(client, stack)
    for token in ("", "not-the-sessions-token"):
        refused = page.post("/app/support/new", data={"subject": SUBJECT, "description": "x", "csrf_token": token},
                            files=[("files", ("a.png", scan("PNG"), "image/png"))], follow_redirects=False)
        assert refused.status_code == 403
        assert "Le formulaire a expiré : rechargez la page et recommencez." in _text(refused.text)
    too_many = page.post("/app/support/new", data={"subject": "Texte d'un autre site", "description": "x"},
                         files=[("files", (f"{n}.png", b"png", "image/png")) for n in range(6)])
    assert too_many.status_code == 413 and "Texte d'un autre site" not in too_many.text  # nothing sent back
    assert _requests_of(client, account) == 0

    opened = _open_request(page, [])
    assert opened.status_code == 303
    location = opened.headers["location"]
    added = page.post(f"{location}/attachments", files=[("files", ("b.png", scan("PNG"), "image/png"))],
                      data={"csrf_token": "forged"}, follow_redirects=False)
    assert added.status_code == 403 and "Le formulaire a expiré" in added.text
    assert "b.png" not in page.get(location).text
    kept = page.post(f"{location}/attachments", files=[("files", ("b.png", scan("PNG"), "image/png"))],
                     data={"csrf_token": _token(page, location)}, follow_redirects=False)
    assert kept.status_code == 303 and "b.png" in page.get(location).text


def test_refusals_are_said_in_french_and_keep_what_was_typed(client: TestClient, stack: Stack,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    page, account = new_admin(client, stack)
    blank = _open_request(page, [], subject="   ")
    assert blank.status_code == 422
    assert "Indiquez l'objet, sur une ligne de 200 caractères au plus." in _text(blank.text)
    assert "Les 12 factures déposées hier" in blank.text  # the description is kept
    monkeypatch.setattr(support_routes, "MAX_ATTACHMENT_BYTES", 1000)  # the API's own limit, read by the page
    monkeypatch.setattr(support_routes, "_MULTIPART_OVERHEAD", 500)
    too_large = _open_request(page, [("files", ("scan.png", b"\x89PNG" + bytes(5000), "image/png"))])
    assert too_large.status_code == 413
    assert "Les pièces jointes dépassent" in _text(too_large.text)
    assert "Choisissez à nouveau vos fichiers" in _text(too_large.text)
    assert "Les 12 factures déposées hier" in too_large.text and SUBJECT in too_large.text  # what was typed
    monkeypatch.undo()
    too_many = _open_request(page, [("files", (f"{n}.png", b"png", "image/png")) for n in range(6)])
    assert too_many.status_code == 413 and "Au plus 5 fichiers par envoi" in _text(too_many.text)
    assert _requests_of(client, account) == 0


def test_an_operator_sees_every_request_but_opens_none(client: TestClient, stack: Stack) -> None:
    client_page, _ = new_admin(client, stack, "Cabinet Lambert")
    theirs = _open_request(client_page, []).headers["location"]
    email = f"op-{uuid.uuid4().hex[:8]}@provider.test"
    with Session(stack.engine) as session:
        operator = create_operator(session, email, initial_password=True)
    staff = browser(client)
    sign_in(staff, email, str(operator.initial_password))
    change_password(staff, str(operator.initial_password))
    listed = _text(staff.get("/app/support").text)
    assert "Cabinet Lambert" in listed and "Ouvrir une demande" not in listed
    assert staff.get(theirs).status_code == 200
    refused = _open_request(staff, [])
    assert refused.status_code == 403
    assert "Les opérateurs n'ouvrent pas de demande" in _text(refused.text)


def test_another_accounts_request_is_not_found(client: TestClient, stack: Stack) -> None:
    page, _ = new_admin(client, stack)
    stranger, _ = new_admin(client, stack, "Cabinet Autre")
    theirs = _open_request(stranger, [("files", ("leur.png", scan("PNG"), "image/png"))]).headers["location"]
    missing = page.get(theirs)
    assert missing.status_code == 404
    assert "Cette page n'existe pas, ou n'est pas visible depuis votre compte." in _text(missing.text)
    assert SUBJECT not in page.get("/app/support").text
    assert page.get(f"{theirs.replace('/app/support', '/v1/support-requests')}/attachments/1").status_code == 404
    token = _token(page, "/app/support/new")
    foreign = page.post(f"{theirs}/attachments", data={"csrf_token": token},
                        files=[("files", ("x.png", scan("PNG"), "image/png"))])
    assert foreign.status_code == 404
    assert page.get(f"/app/support/{uuid.uuid4()}").status_code == 404


# --- the two-year history -------------------------------------------------------------------------


def _place(stack: Stack, account: NewAccount, dossier_id: str) -> Place:
    """A batch in the dossier for documents written straight into the history."""
    with Session(stack.engine) as session:
        batch = Batch(account_id=account.account_id, dossier_id=dossier_id)
        session.add(batch)
        session.commit()
        return Place(account.account_id, dossier_id, batch.id)


def test_a_dossiers_history_counts_what_expires_by_month_and_exports_a_year(
        client: TestClient, stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    page, account = new_admin(client, stack)
    dossier = client.post("/v1/dossiers", json={"name": "SARL Dupont"}, headers=auth(account.api_key)).json()["id"]
    where = _place(stack, account, dossier)
    leaving = [add_doc(stack, where, date(2025, 3, 14)), add_doc(stack, where, date(2025, 3, 31)),
               add_doc(stack, where, date(2025, 11, 30))]
    add_doc(stack, where, date(2024, 6, 1))  # older, still waiting for a purge
    add_doc(stack, where, date(2026, 5, 5))  # the current year: kept
    monkeypatch.setattr(history_api, "now", lambda: IN_NOTICE)

    assert f'href="/app/dossiers/{dossier}/history"' in page.get("/app/").text
    shown = page.get(f"/app/dossiers/{dossier}/history")
    assert shown.status_code == 200
    said = _text(shown.text)
    assert "Historique de SARL Dupont" in said and "deux années civiles" in said
    assert ("Le 01/01/2027, les documents datés de 2025 ou avant quitteront l'historique : 4 documents."
            in said)
    assert "Le préavis est ouvert : exportez-les avant le 01/01/2027" in said
    assert "Les documents datés de 2026 resteront dans l'historique jusqu'au 01/01/2028." in said
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td class="num">(\d+)</td><td>([^<]*)</td></tr>',
                      shown.text)
    assert rows == [("Juin 2024", "1", "01/01/2027"), ("Mars 2025", "2", "01/01/2027"),
                    ("Novembre 2025", "1", "01/01/2027"), ("Total", "4", "")]
    api = client.get(f"/v1/dossiers/{dossier}/expiring", headers=auth(account.api_key)).json()
    assert api["total"] == 4  # the page and the API count the same wave

    links = re.findall(r'href="(/v1/dossiers/[^"]+/export\?year=\d+)"', shown.text)
    assert [link.rsplit("=", 1)[1] for link in links] == ["2024", "2025", "2026"]
    export = page.get(entities.unescape(links[1]))  # the session cookie alone: a download needs no CSRF token
    assert export.status_code == 200 and export.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(export.content))
    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    assert {row["document_id"] for row in manifest} == {d.id for d in leaving}

    monkeypatch.setattr(history_api, "now", lambda: BEFORE_NOTICE)
    early = _text(page.get(f"/app/dossiers/{dossier}/history").text)
    assert "Le préavis commence le 1er décembre" in early and "4 documents" in early


def test_a_dossier_under_legal_hold_or_without_old_documents_says_so(client: TestClient, stack: Stack,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from ingest.accounts.tables import Dossier

    page, account = new_admin(client, stack)
    dossier = client.post("/v1/dossiers", json={"name": "SAS Moreau"}, headers=auth(account.api_key)).json()["id"]
    monkeypatch.setattr(history_api, "now", lambda: IN_NOTICE)
    empty = _text(page.get(f"/app/dossiers/{dossier}/history").text)
    assert "Aucun document de ce dossier ne quittera l'historique le 01/01/2027." in empty
    add_doc(stack, _place(stack, account, dossier), date(2025, 2, 2))
    with Session(stack.engine) as session:
        row = session.get(Dossier, dossier)
        assert row is not None
        row.legal_hold = True
        session.add(row)
        session.commit()
    held = page.get(f"/app/dossiers/{dossier}/history")
    assert "sous conservation légale" in _text(held.text) and "Mois" not in _text(held.text)


def test_a_user_limited_to_another_dossier_does_not_see_this_history(client: TestClient, stack: Stack) -> None:
    _, account = new_admin(client, stack)
    key = auth(account.api_key)
    mine = client.post("/v1/dossiers", json={"name": "SARL Visible"}, headers=key).json()["id"]
    other = client.post("/v1/dossiers", json={"name": "SAS Cachée"}, headers=key).json()["id"]
    user = client.post("/v1/users", json={"email": f"claire-{uuid.uuid4().hex[:6]}@martin.test",
                                          "dossier_ids": [mine]}, headers=key).json()
    page = browser(client)
    sign_in(page, user["email"], user["initial_password"])
    change_password(page, user["initial_password"])
    hidden = page.get(f"/app/dossiers/{other}/history")
    assert hidden.status_code == 404 and "SAS Cachée" not in hidden.text
    assert page.get(f"/v1/dossiers/{other}/export", params={"year": 2025}).status_code == 404
    assert page.get(f"/app/dossiers/{mine}/history").status_code == 200
    assert page.get(f"/app/dossiers/{uuid.uuid4()}/history").status_code == 404
