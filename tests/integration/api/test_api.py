"""The HTTP API on both stacks: auth, upload checks, idempotency, isolation."""

from __future__ import annotations

import uuid
from pathlib import Path

from fastapi.testclient import TestClient

from tests.integration.conftest import Firm, auth
from tests.support.files import scan, text_pdf, zip_of


def post_batch(client: TestClient, firm: Firm, files: list[tuple[str, bytes]], **kw: object):
    headers = dict(firm.headers)
    if key := kw.pop("idempotency_key", None):
        headers["Idempotency-Key"] = str(key)
    data = {"dossier_id": firm.dossier_id, **kw}
    return client.post("/v1/batches", data=data, files=[("files", f) for f in files], headers=headers)


def test_open_routes_answer_without_a_key(client: TestClient) -> None:
    assert client.get("/v1/echo").json()["echo"] == "ok"
    assert client.get("/healthz").status_code == 200
    css = client.get("/ui/ui.css")
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.json()
    assert ready.json()["checks"] == {"database": "ok", "broker": "ok", "store": "ok", "ocr": "ok"}


def test_every_v1_route_but_echo_needs_a_key(client: TestClient) -> None:
    for path in ("/v1/dossiers", "/v1/batches", f"/v1/batches/{uuid.uuid4()}", f"/v1/documents/{uuid.uuid4()}"):
        resp = client.get(path)
        assert resp.status_code == 401, path
        assert resp.headers["content-type"].startswith("application/problem+json")
        assert resp.json()["code"] == "unauthenticated"
    assert client.get("/v1/dossiers", headers=auth("bdr_nope_nope")).json()["code"] == "invalid_api_key"


def test_dossier_siren_is_checked(client: TestClient, firm: Firm) -> None:
    bad = client.post("/v1/dossiers", json={"name": "X", "siren": "123456789"}, headers=firm.headers)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_siren"
    good = client.post("/v1/dossiers", json={"name": "X", "siren": "732 829 320"}, headers=firm.headers)
    assert good.status_code == 201 and good.json()["siren"] == "732829320"


def test_upload_sorts_accepted_and_rejected_files(client: TestClient, firm: Firm) -> None:
    files = [("a.pdf", text_pdf()), ("scan.jpg", scan("JPEG")), ("scan.png", scan("PNG")),
             ("scan.tif", scan("TIFF")), ("empty.pdf", b""), ("notes.pdf", b"just some text, not a PDF"),
             ("lot.zip", zip_of({"in/b.pdf": text_pdf("Facture B"), "readme.txt": b"hello",
                                 "nested.zip": zip_of({"c.pdf": text_pdf()}), "../evil.pdf": text_pdf()}))]
    resp = post_batch(client, firm, files)
    assert resp.status_code == 202, resp.text
    body = resp.json()
    accepted = sorted(d["filename"] for d in body["documents"])
    assert accepted == ["a.pdf", "lot.zip/in/b.pdf", "scan.jpg", "scan.png", "scan.tif"]
    assert all(d["state"] == "queued" for d in body["documents"])
    reasons = {r["filename"]: r["reason"] for r in body["rejected"]}
    assert reasons["empty.pdf"] == "empty_file"
    assert reasons["notes.pdf"] == "unsupported_type"
    assert reasons["lot.zip/readme.txt"] == "unsupported_type"
    assert reasons["lot.zip/nested.zip"] == "nested_archive"
    assert any(r == "unsafe_name" and "evil" in name for name, r in reasons.items())
    assert all(r["message"].endswith(".") for r in body["rejected"])


def test_too_large_and_zip_bomb(stack, firm: Firm) -> None:  # type: ignore[no-untyped-def]
    from api.app import create_app

    small = stack.settings.model_copy(update={"max_file_bytes": 20_000, "max_archive_ratio": 50,
                                              "max_pages": 5, "max_image_pixels": 100_000})
    with TestClient(create_app(small)) as client:
        resp = post_batch(client, firm, [("big.pdf", text_pdf("x" * 80, pages=60)),
                                           ("long.pdf", text_pdf("y", pages=6)),
                                           ("huge.png", scan("PNG", size=(400, 300))),
                                           ("bomb.zip", zip_of({"zeros.pdf": b"%PDF-1.7\n" + b"\0" * 5_000_000}))])
    assert resp.status_code == 202, resp.text
    reasons = {r["filename"]: r["reason"] for r in resp.json()["rejected"]}
    assert reasons == {"big.pdf": "too_large", "long.pdf": "too_many_pages", "huge.png": "too_many_pixels",
                       "bomb.zip": "archive_rejected"}


def test_idempotency_key_returns_the_same_batch(client: TestClient, firm: Firm) -> None:
    key = uuid.uuid4()
    first = post_batch(client, firm, [("a.pdf", text_pdf())], idempotency_key=key)
    again = post_batch(client, firm, [("a.pdf", text_pdf())], idempotency_key=key)
    assert first.status_code == again.status_code == 202
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert again.json()["id"] == first.json()["id"]
    assert [d["id"] for d in again.json()["documents"]] == [d["id"] for d in first.json()["documents"]]
    other = post_batch(client, firm, [("a.pdf", text_pdf()), ("b.pdf", text_pdf("B"))], idempotency_key=key)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    listed = client.get("/v1/batches", params={"dossier_id": firm.dossier_id}, headers=firm.headers).json()
    assert listed["total"] == 1


def test_an_account_never_sees_another_accounts_things(client: TestClient, firm: Firm,
                                                       account_factory) -> None:  # type: ignore[no-untyped-def]
    batch = post_batch(client, firm, [("a.pdf", text_pdf())]).json()
    doc_id = batch["documents"][0]["id"]
    other = auth(account_factory("Autre cabinet").api_key)
    for path in (f"/v1/dossiers/{firm.dossier_id}", f"/v1/batches/{batch['id']}",
                 f"/v1/documents/{doc_id}", f"/v1/documents/{doc_id}/content"):
        assert client.get(path, headers=other).status_code == 404, path
    assert client.get("/v1/batches", headers=other).json()["total"] == 0
    assert client.get("/v1/dossiers", headers=other).json()["total"] == 0
    stolen = client.post("/v1/batches", data={"dossier_id": firm.dossier_id},
                         files=[("files", ("a.pdf", text_pdf()))], headers=other)
    assert stolen.status_code == 404 and stolen.json()["code"] == "dossier_not_found"


def test_batch_listing_filters_and_pages(client: TestClient, firm: Firm) -> None:
    for _ in range(3):
        post_batch(client, firm, [("a.pdf", text_pdf())])
    page = client.get("/v1/batches", params={"limit": 2}, headers=firm.headers).json()
    assert len(page["items"]) == 2 and page["total"] == 3 and page["next_offset"] == 2
    rest = client.get("/v1/batches", params={"limit": 2, "offset": 2}, headers=firm.headers).json()
    assert len(rest["items"]) == 1 and rest["next_offset"] is None
    open_ = client.get("/v1/batches", params={"state": "open"}, headers=firm.headers).json()
    assert open_["total"] == 3
    assert client.get("/v1/batches", params={"state": "done"}, headers=firm.headers).json()["total"] == 0


def test_bad_requests_get_problem_details(client: TestClient, firm: Firm) -> None:
    no_files = client.post("/v1/batches", data={"dossier_id": firm.dossier_id}, headers=firm.headers,
                           files=[("other", ("x.txt", b"x"))])
    assert no_files.status_code == 422
    no_dossier = client.post("/v1/batches", files=[("files", ("a.pdf", text_pdf()))], headers=firm.headers)
    assert no_dossier.json()["code"] == "dossier_required"
    not_multipart = client.post("/v1/batches", json={"dossier_id": firm.dossier_id}, headers=firm.headers)
    assert not_multipart.status_code == 415 and not_multipart.json()["code"] == "not_multipart"
    bad_flow = post_batch(client, firm, [("a.pdf", text_pdf())], flow="urgent")
    assert bad_flow.status_code == 422 and bad_flow.json()["code"] == "invalid_flow"


def _spooled_files(stack) -> set[Path]:  # type: ignore[no-untyped-def]
    return set(stack.settings.resolved_tmp_dir().glob("upload-*"))


def test_uploads_leave_no_temporary_file_and_a_cut_body_is_refused_whole(
        stack, client: TestClient, firm: Firm) -> None:  # type: ignore[no-untyped-def]
    before = _spooled_files(stack)
    ok = post_batch(client, firm, [("a.pdf", text_pdf()), ("b.zip", zip_of({"c.pdf": text_pdf("Facture C")}))])
    assert ok.status_code == 202 and len(ok.json()["documents"]) == 2
    unknown = client.post("/v1/batches", data={"dossier_id": "nope"}, files=[("files", ("a.pdf", text_pdf()))],
                          headers=firm.headers)
    assert unknown.status_code == 404
    # The connection dropped inside a file: that file is not half a document, nothing is recorded.
    cut = (b'--XX\r\nContent-Disposition: form-data; name="dossier_id"\r\n\r\n' + firm.dossier_id.encode()
           + b'\r\n--XX\r\nContent-Disposition: form-data; name="files"; filename="a.pdf"\r\n\r\n'
           + text_pdf()[:200])
    resp = client.post("/v1/batches", content=cut, headers={
        **firm.headers, "Content-Type": "multipart/form-data; boundary=XX"})
    assert (resp.status_code, resp.json()["code"]) == (400, "malformed_multipart")
    assert _spooled_files(stack) == before
