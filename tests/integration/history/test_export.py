"""The notice and the export of a year (docs/contract.md §5) on both stacks: listing, isolation, a valid
streamed ZIP with its manifest, and memory that stays flat on a multi-megabyte export."""

from __future__ import annotations

import csv
import io
import os
import tracemalloc
import zipfile
from collections.abc import Callable
from datetime import UTC, date, datetime

from fastapi.testclient import TestClient
from sqlmodel import Session

from ingest.accounts.lifecycle import NewAccount
from ingest.history.export import iter_export
from ingest.platform.models import Batch
from tests.integration.conftest import Firm, Stack, auth
from tests.integration.history.test_purge import Place, add_doc, place
from tests.support.store import read as store_read


def firm_place(stack: Stack, firm: Firm) -> Place:
    with Session(stack.engine) as s:
        batch = Batch(account_id=firm.account.account_id, dossier_id=firm.dossier_id)
        s.add(batch)
        s.commit()
        return Place(firm.account.account_id, firm.dossier_id, batch.id)


def test_export_is_a_valid_zip_with_manifest(stack: Stack, client: TestClient, firm: Firm,
                                             account_factory: Callable[..., NewAccount]) -> None:
    where = firm_place(stack, firm)
    fields = {"fields": {"invoice_number": "F-2025-017", "total": "1234.56"}}
    docs = [add_doc(stack, where, date(2025, 3, 14), content=os.urandom(3000), facts=fields),
            add_doc(stack, where, date(2025, 12, 31), content=os.urandom(10))]
    lost = add_doc(stack, where, date(2025, 6, 1))
    stack.store.delete_many([lost.object_key])
    other_year = add_doc(stack, where, date(2024, 12, 31))

    resp = client.get(f"/v1/dossiers/{firm.dossier_id}/export", params={"year": 2025}, headers=firm.headers)
    assert resp.status_code == 200, resp.text
    assert resp.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(resp.content))
    assert archive.testzip() is None
    manifest = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
    by_id = {row["document_id"]: row for row in manifest}
    assert set(by_id) == {d.id for d in docs} | {lost.id}
    assert other_year.id not in by_id
    for doc in docs:
        row = by_id[doc.id]
        assert archive.read(row["file_name"]) == store_read(stack.store, doc.object_key)
        assert (row["sha256"], row["status"], row["reference_date"]) == (doc.sha256, "included",
                                                                         doc.reference_date.isoformat())
    assert '"invoice_number": "F-2025-017"' in by_id[docs[0].id]["fields"]
    assert by_id[lost.id]["status"] == "missing" and by_id[lost.id]["file_name"] == ""
    assert len(archive.namelist()) == len(docs) + 1

    stranger = account_factory("Another firm")
    assert client.get(f"/v1/dossiers/{firm.dossier_id}/export", params={"year": 2025},
                      headers=auth(stranger.api_key)).status_code == 404
    assert client.get(f"/v1/dossiers/{firm.dossier_id}/expiring",
                      headers=auth(stranger.api_key)).status_code == 404


def test_export_streams_in_flat_memory(stack: Stack, account_factory: Callable[..., NewAccount]) -> None:
    where = place(stack, account_factory())
    size, count = 2 * 1024 * 1024, 8
    for _ in range(count):
        add_doc(stack, where, date(2025, 5, 5), content=os.urandom(size), derivatives=())
    tracemalloc.start()
    try:
        total = 0
        archive_end = b""
        for piece in iter_export(stack.engine, stack.store, where.dossier_id, 2025):
            total += len(piece)
            archive_end = (archive_end + piece)[-22:]  # keep only the end-of-central-directory tail
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert total > size * count
    assert archive_end.startswith(b"PK\x05\x06")
    assert peak < 6 * 1024 * 1024, f"peak {peak} bytes for a {total}-byte export"


def test_expiring_lists_what_the_next_purge_removes(stack: Stack, client: TestClient, firm: Firm,
                                                    monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from api.routes import history

    where = firm_place(stack, firm)
    going = [add_doc(stack, where, date(2025, 12, 31)), add_doc(stack, where, date(2024, 2, 29))]
    add_doc(stack, where, date(2026, 1, 1))
    monkeypatch.setattr(history, "now", lambda: datetime(2026, 11, 30, 22, 59, tzinfo=UTC))  # 23:59 in Paris
    url = f"/v1/dossiers/{firm.dossier_id}/expiring"
    before = client.get(url, headers=firm.headers).json()
    assert before["notice_open"] is False and before["expiring_year"] == 2025
    assert before["purge_on"] == "2027-01-01"
    assert before["total"] == 2
    monkeypatch.setattr(history, "now", lambda: datetime(2026, 11, 30, 23, 0, tzinfo=UTC))  # 1 December
    page = client.get(url, params={"limit": 1}, headers=firm.headers).json()
    assert page["notice_open"] is True and page["total"] == 2 and page["next_offset"] == 1
    second = client.get(url, params={"limit": 1, "offset": 1}, headers=firm.headers).json()
    assert [page["items"][0]["id"], second["items"][0]["id"]] == [going[1].id, going[0].id]
    with Session(stack.engine) as s:
        from ingest.accounts.tables import Dossier

        dossier = s.get(Dossier, firm.dossier_id)
        assert dossier is not None
        dossier.legal_hold = True
        s.add(dossier)
        s.commit()
    held = client.get(url, headers=firm.headers).json()
    assert held["legal_hold"] is True and held["total"] == 0 and held["items"] == []
