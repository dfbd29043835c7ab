"""What a careless or hostile client sends gets a 4xx with a code and a sentence, never a 500, and
never lands as is where it would hurt (a header, a spreadsheet)."""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient

from tests.integration.api.test_api import post_batch
from tests.integration.conftest import Firm
from tests.support.files import text_pdf


def test_the_same_key_for_another_upload_is_refused(client: TestClient, firm: Firm) -> None:
    """Used to answer 202 with the first batch, the new files silently dropped."""
    key, pdf = f"k-{uuid.uuid4().hex}", text_pdf("A")
    first = post_batch(client, firm, [("a.pdf", pdf)], idempotency_key=key)
    assert first.status_code == 202
    again = post_batch(client, firm, [("a.pdf", pdf)], idempotency_key=key)
    assert again.status_code == 202 and again.json()["id"] == first.json()["id"]
    other_files = post_batch(client, firm, [("b.pdf", text_pdf("B"))], idempotency_key=key)
    assert other_files.status_code == 422 and other_files.json()["code"] == "idempotency_key_reused"
    other = client.post("/v1/dossiers", json={"name": "SAS Autre"}, headers=firm.headers).json()["id"]
    other_dossier = client.post("/v1/batches", data={"dossier_id": other}, files=[("files", ("a.pdf", pdf))],
                                headers={**firm.headers, "Idempotency-Key": key})
    assert other_dossier.status_code == 422 and other_dossier.json()["code"] == "idempotency_key_reused"
    other_flow = post_batch(client, firm, [("a.pdf", pdf)], idempotency_key=key, flow="bulk")
    assert other_flow.status_code == 422


@pytest.mark.parametrize("name", ["Facture_cœur.pdf", "Reçu 100 €.pdf", "請求書.pdf", "\u202efdp.exe"])
def test_any_file_name_downloads(client: TestClient, firm: Firm, name: str) -> None:
    """A name with œ, €, CJK or a right-to-left mark used to answer 500 (the raw name in a header)."""
    batch = post_batch(client, firm, [(name, text_pdf())]).json()
    doc = batch["documents"][0]
    assert "\u202e" not in doc["filename"]  # kept as given for display, less what reorders text
    got = client.get(f"/v1/documents/{doc['id']}/content", headers=firm.headers)
    assert got.status_code == 200 and got.content.startswith(b"%PDF")
    disposition = got.headers["content-disposition"]
    assert disposition.isascii() and disposition.startswith('attachment; filename="')
    assert unquote(disposition.split("filename*=UTF-8''", 1)[1]) == doc["filename"]


def test_control_characters_never_reach_a_name_or_a_header(client: TestClient, firm: Firm) -> None:
    # Written by hand: an HTTP library would escape what a hostile client sends raw.
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"dossier_id\"\r\n\r\n{firm.dossier_id}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"bad\x07X-Evil: 1\x00.pdf\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode() + text_pdf() + f"\r\n--{boundary}--\r\n".encode()
    multipart = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    sent = client.post("/v1/batches", content=body, headers={**firm.headers, **multipart})
    assert sent.status_code == 202, sent.text
    doc = sent.json()["documents"][0]
    assert doc["filename"] == "badX-Evil: 1.pdf"
    got = client.get(f"/v1/documents/{doc['id']}/content", headers=firm.headers)
    assert "x-evil" not in got.headers and "\n" not in got.headers["content-disposition"]


@pytest.mark.parametrize(("path", "params"), [
    ("/v1/batches", {"offset": 9223372036854775808}),
    ("/v1/dossiers", {"offset": -1}),
    ("/v1/support-requests", {"offset": 10**12}),
    ("/v1/availability", {"month": "0001-01"}),
    ("/v1/availability", {"month": "9999-12"}),
    ("/v1/batches/%00", {}),
    ("/v1/documents/" + "x" * 400, {}),
])
def test_out_of_range_parameters_are_refused_with_a_code(client: TestClient, firm: Firm, path: str,
                                                         params: dict[str, object]) -> None:
    """Huge offsets and the year 1 used to answer 500 (OverflowError)."""
    got = client.get(path, params=params, headers=firm.headers)
    assert got.status_code in (404, 422), got.text
    assert got.json()["code"] in ("invalid_request", "invalid_month", "not_found")


def test_a_claim_for_the_year_1_is_refused(client: TestClient, firm: Firm) -> None:
    got = client.post("/v1/credit-claims", json={"month": "0001-01"}, headers=firm.headers)
    assert got.status_code == 422 and got.json()["code"] == "invalid_month"


@pytest.mark.parametrize("name", ["   ", "SARL\x00Dupont", "\tSARL\x1b[31m"])
def test_a_dossier_name_must_say_something_printable(client: TestClient, firm: Firm, name: str) -> None:
    """A blank name used to make a dossier with an empty name; a NUL, a 500 on PostgreSQL."""
    got = client.post("/v1/dossiers", json={"name": name}, headers=firm.headers)
    assert got.status_code == 422 and got.json()["code"] == "invalid_request"


def test_names_are_stripped(client: TestClient, firm: Firm) -> None:
    got = client.post("/v1/dossiers", json={"name": "  SARL Dupont  "}, headers=firm.headers)
    assert got.status_code == 201 and got.json()["name"] == "SARL Dupont"


def test_an_export_manifest_opens_as_text_in_a_spreadsheet(client: TestClient, firm: Firm) -> None:
    """A file named like a formula used to land in manifest.csv as a formula."""
    formula = "=cmd|' -c calc'!A1.pdf"
    post_batch(client, firm, [(formula, text_pdf()), ("@SUM(A1).pdf", text_pdf("other"))])
    from datetime import date

    got = client.get(f"/v1/dossiers/{firm.dossier_id}/export", params={"year": date.today().year},
                     headers=firm.headers)
    with zipfile.ZipFile(io.BytesIO(got.content)) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode("utf-8"))))
    names = sorted(row["original_filename"] for row in rows)
    assert names == ["'=cmd|' -c calc'!A1.pdf", "'@SUM(A1).pdf"]


def test_every_answer_says_not_to_sniff(client: TestClient, firm: Firm) -> None:
    for path in ("/v1/echo", "/ui/ui.css", "/v1/batches", "/v1/nowhere", "/openapi.json"):
        got = client.get(path, headers=firm.headers)
        assert got.headers["x-content-type-options"] == "nosniff", path
