"""The integrity scan on both stacks: old orphans go, young ones and foreign prefixes stay, rows
missing their original are reported (never dropped), and a running purge keeps the scan away."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from ingest.accounts.lifecycle import NewAccount, create_operator
from ingest.history.integrity import run_integrity
from ingest.history.lock import purge_lock
from ingest.history.purge import PurgeBusy
from ingest.history.tables import IntegrityReport
from ingest.platform.columns import utcnow
from ingest.platform.models import Document
from ingest.store import derivative_key, original_key
from tests.integration.conftest import Stack, auth
from tests.integration.history.test_purge import _cli, add_doc, place
from tests.support.store import exists as store_exists

LATER = timedelta(days=2)  # the scan reasons as two days from now: today's orphans are "old"


def test_orphans_removed_missing_reported(stack: Stack, client, account_factory: Callable[..., NewAccount]) -> None:  # type: ignore[no-untyped-def]
    where = place(stack, account_factory())
    healthy = add_doc(stack, where, date(2026, 3, 1))
    lost = add_doc(stack, where, date(2026, 3, 2))
    stack.store.delete_many([lost.object_key])
    orphan_original = original_key(os.urandom(32).hex())
    orphan_derived = derivative_key(str(uuid.uuid4()), "normalised.png")
    foreign = f"support/{uuid.uuid4().hex}/attachment.pdf"
    for key in (orphan_original, orphan_derived, foreign):
        stack.store.put_bytes(key, b"no row for this")

    young = run_integrity(stack.engine, stack.store)  # everything is minutes old: nothing removed
    assert store_exists(stack.store, orphan_original) and store_exists(stack.store, orphan_derived)
    assert young.orphans_young >= 2 and young.complete

    report = run_integrity(stack.engine, stack.store, now=utcnow() + LATER)
    assert not store_exists(stack.store, orphan_original) and not store_exists(stack.store, orphan_derived)
    assert store_exists(stack.store, foreign)  # not ours
    for key in [healthy.object_key, *(derivative_key(healthy.id, n) for n in healthy.facts["derivatives"])]:
        assert store_exists(stack.store, key), key
    assert report.orphans_removed >= 2 and report.complete
    assert {"document_id": lost.id, "dossier_id": where.dossier_id, "account_id": where.account_id,
            "object_key": lost.object_key} in report.missing
    with Session(stack.engine) as s:
        assert s.get(Document, lost.id) is not None  # reported, never dropped
        saved = s.exec(select(IntegrityReport).where(IntegrityReport.id == report.id)).one()
        assert saved.missing_count == report.missing_count >= 1
        operator = create_operator(s, f"op-{uuid.uuid4().hex[:6]}@example.test")
    listed = client.get("/v1/purge/integrity", headers=auth(operator.api_key)).json()
    assert lost.id in {m["document_id"] for m in listed["items"][0]["missing"]}

    out = _cli(stack, ["integrity", "--json"])
    assert out.exit_code == 1, out.output  # a loss is not a success
    assert lost.id in {m["document_id"] for m in json.loads(out.stdout)["missing"]}
    stack.store.put_bytes(lost.object_key, b"restored from backup")


def test_scan_waits_for_a_running_purge(stack: Stack) -> None:
    with purge_lock(stack.engine), pytest.raises(PurgeBusy):
        run_integrity(stack.engine, stack.store)
