"""Copies of one invoice finishing at the same instant: one original, counted once.

Finishers lock only what could match them (``ingest.processing.duplicates.lock_matches``), so
this checks the locks really serialise copies, on both stacks, and that finishers
whose matches cross (same bytes as one, same invoice as another) never deadlock.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session

from ingest.billing.tables import UsageRecord
from ingest.platform.models import Document
from ingest.processing.lease import Lease, take
from ingest.processing.process import finish_processed
from tests.integration.api.test_api import post_batch
from tests.integration.conftest import Firm, Stack
from tests.support.files import text_pdf

LEASE = timedelta(minutes=5)


def _taken(stack: Stack, client: TestClient, firm: Firm, files: list[tuple[str, bytes]]) -> list[Lease]:
    resp = post_batch(client, firm, files)
    assert resp.status_code == 202, resp.text
    held = [take(stack.engine, d["id"], duration=LEASE) for d in resp.json()["documents"]]
    assert all(held)
    return held  # type: ignore[return-value]


def _finish_together(stack: Stack, held: list[Lease], keys: list[str | None]) -> list[bool]:
    barrier = threading.Barrier(len(held))

    def finish(i: int) -> bool:
        barrier.wait()
        return finish_processed(stack.engine, held[i], invoice_key=keys[i], flags=[])

    with ThreadPoolExecutor(len(held)) as pool:
        return list(pool.map(finish, range(len(held)), timeout=120))


def _rows(stack: Stack, ids: list[str]) -> tuple[dict[str, str | None], int]:
    with Session(stack.engine) as session:
        dup_of = dict(session.execute(sa.select(Document.id, Document.duplicate_of)
                                      .where(Document.id.in_(ids))).all())  # type: ignore[attr-defined]
        counted = session.execute(sa.select(sa.func.count()).select_from(UsageRecord)
                                  .where(UsageRecord.document_id.in_(ids))).scalar_one()  # type: ignore[attr-defined]
    return dup_of, counted


def test_identical_copies_finishing_at_once_leave_one_original(stack: Stack, client: TestClient,
                                                               firm: Firm) -> None:
    data = text_pdf("Facture RACE-1\nTotal TTC 12,00 EUR")
    held = _taken(stack, client, firm, [(f"copy{i}.pdf", data) for i in range(6)])
    assert _finish_together(stack, held, [None] * 6) == [True] * 6
    dup_of, counted = _rows(stack, [h.document_id for h in held])
    originals = [doc for doc, of in dup_of.items() if of is None]
    assert len(originals) == 1 and counted == 1
    assert all(of == originals[0] for doc, of in dup_of.items() if doc != originals[0])


def test_crossing_matches_finish_without_deadlock(stack: Stack, client: TestClient, firm: Firm) -> None:
    # a ~ b by invoice key, b ~ c by bytes, c ~ d by invoice key: every finisher's locks overlap
    # another's in a different order of kinds; ascending key order keeps them from cycling.
    one, two, three = (text_pdf(f"Facture X-{n}") for n in range(3))
    files = [("a.pdf", one), ("b.pdf", two), ("c.pdf", two), ("d.pdf", three)] * 2
    held = _taken(stack, client, firm, files)
    keys = ["siren:1|K1|1", "siren:1|K1|1", "siren:1|K2|1", "siren:1|K2|1"] * 2
    assert _finish_together(stack, held, keys) == [True] * len(held)
    dup_of, counted = _rows(stack, [h.document_id for h in held])
    originals = {doc for doc, of in dup_of.items() if of is None}
    assert counted == len(originals) >= 1
    assert all(of in originals for of in dup_of.values() if of is not None)
