"""The nightly purge on both stacks: exact result, shared originals, legal hold, interrupted and
concurrent runs, dry run, and the selection checked against the pure rule (Hypothesis)."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select
from typer.testing import CliRunner

from ingest.accounts.lifecycle import NewAccount
from ingest.accounts.tables import Dossier
from ingest.billing.tables import UsageRecord
from ingest.contract.retention import is_purgeable
from ingest.history.lock import purge_lock
from ingest.history.purge import (
    PurgeBusy,
    as_of_from_date,
    preview,
    run_purge,
    select_chunk,
)
from ingest.history.tables import PurgeRun, PurgeRunDossier, RunState, Tombstone
from ingest.journal.tables import FieldCorrection
from ingest.platform.models import Batch, Document
from ingest.store import derivative_key, original_key
from tests.integration.conftest import Stack, auth
from tests.support.store import exists as store_exists
from tests.support.store import read as store_read

AS_OF = as_of_from_date(date(2026, 6, 1))  # the history is 2025 and 2026
OLD, KEPT = date(2024, 12, 31), date(2025, 1, 1)


@dataclass
class Place:
    account_id: str
    dossier_id: str
    batch_id: str


def place(stack: Stack, account: NewAccount, legal_hold: bool = False) -> Place:
    with Session(stack.engine) as s:
        dossier = Dossier(account_id=account.account_id, name="SARL Test", legal_hold=legal_hold)
        s.add(dossier)
        s.flush()
        batch = Batch(account_id=account.account_id, dossier_id=dossier.id)
        s.add(batch)
        s.commit()
        return Place(account.account_id, dossier.id, batch.id)


def add_doc(stack: Stack, where: Place, reference: date, content: bytes | None = None,
            derivatives: tuple[str, ...] = ("normalised.png", "text.json"), state: str = "processed",
            facts: dict | None = None, received_at: datetime | None = None) -> Document:
    """A document row with its original and derivatives really in the store."""
    content = content if content is not None else os.urandom(64)
    sha = hashlib.sha256(content).hexdigest()
    doc = Document(account_id=where.account_id, dossier_id=where.dossier_id, batch_id=where.batch_id,
                   filename=f"f-{uuid.uuid4().hex[:6]}.pdf", kind="pdf", sha256=sha, size=len(content),
                   object_key=original_key(sha), state=state, reference_date=reference,
                   received_at=received_at or datetime(reference.year, reference.month, reference.day, 9, tzinfo=UTC),
                   facts={**(facts or {}), "derivatives": list(derivatives)})
    stack.store.put_bytes(doc.object_key, content)
    for name in derivatives:
        stack.store.put_bytes(derivative_key(doc.id, name), b"derived " + name.encode())
    with Session(stack.engine, expire_on_commit=False) as s:
        s.add(doc)
        s.commit()
    return doc


def keys_of(doc: Document) -> list[str]:
    return [doc.object_key] + [derivative_key(doc.id, n) for n in (doc.facts or {})["derivatives"]]


def alive(stack: Stack, docs: list[Document]) -> set[str]:
    ids = [d.id for d in docs]
    with Session(stack.engine) as s:
        return set(s.exec(select(Document.id).where(Document.id.in_(ids))).all())  # type: ignore[attr-defined]


def assert_gone(stack: Stack, doc: Document, original_too: bool = True) -> None:
    for key in keys_of(doc)[0 if original_too else 1:]:
        assert not store_exists(stack.store, key), key


def assert_kept(stack: Stack, doc: Document) -> None:
    for key in keys_of(doc):
        assert store_exists(stack.store, key), key


def test_purge_removes_exactly_the_old_documents(stack: Stack, account_factory: Callable[..., NewAccount]) -> None:
    a, b = place(stack, account_factory()), place(stack, account_factory("Other firm"))
    old = [add_doc(stack, a, OLD), add_doc(stack, a, date(2023, 2, 28), state="rejected")]
    kept = [add_doc(stack, a, KEPT), add_doc(stack, a, date(2026, 5, 31))]
    # One original shared with a kept document of another account; one shared by two old ones.
    shared_kept = add_doc(stack, a, OLD, content=b"shared with a kept document " + os.urandom(8))
    kept.append(add_doc(stack, b, KEPT, content=store_read(stack.store, shared_kept.object_key)))
    pair_content = b"two old copies " + os.urandom(8)
    pair = [add_doc(stack, a, OLD, content=pair_content), add_doc(stack, b, date(2024, 1, 1), content=pair_content)]
    with Session(stack.engine) as s:
        s.add(UsageRecord(document_id=old[0].id, account_id=a.account_id, dossier_id=a.dossier_id))
        # What a person corrected of an invoice goes with it; of a kept one, stays.
        s.add_all([FieldCorrection(document_id=old[0].id, fields={"invoice_number": "F-1"}),
                   FieldCorrection(document_id=kept[0].id, fields={"invoice_number": "F-2"})])
        s.commit()

    result = run_purge(stack.engine, stack.store, AS_OF, chunk=2)

    assert result.state == RunState.finished and not result.failures
    everything = old + kept + [shared_kept] + pair
    assert alive(stack, everything) == {d.id for d in kept}
    for doc in old + pair:
        assert_gone(stack, doc)
    assert_gone(stack, shared_kept, original_too=False)
    for doc in kept:
        assert_kept(stack, doc)
    gone = old + [shared_kept] + pair
    with Session(stack.engine) as s:
        stones = {t.document_id: t for t in s.exec(select(Tombstone).where(Tombstone.purge_run_id == result.run_id))}
        assert {d.id for d in gone} <= set(stones)
        stone = stones[old[1].id]
        assert (stone.sha256, stone.size, stone.reference_date, stone.dossier_id) == (
            old[1].sha256, old[1].size, old[1].reference_date, a.dossier_id)
        assert s.get(UsageRecord, old[0].id) is not None  # usage is never touched
        assert s.get(FieldCorrection, old[0].id) is None and s.get(FieldCorrection, kept[0].id) is not None
        per_dossier = {r.dossier_id: r for r in s.exec(select(PurgeRunDossier)
                                                       .where(PurgeRunDossier.run_id == result.run_id))}
        run = s.get(PurgeRun, result.run_id)
    mine_a = [d for d in gone if d.dossier_id == a.dossier_id]
    assert (per_dossier[a.dossier_id].documents, per_dossier[a.dossier_id].bytes) == (
        len(mine_a), sum(d.size for d in mine_a))
    assert (per_dossier[b.dossier_id].documents, per_dossier[b.dossier_id].bytes) == (1, pair[1].size)
    assert run is not None and run.state == "finished" and run.ended_at is not None
    assert run.documents == result.documents >= len(gone)


def test_legal_hold_keeps_everything(stack: Stack, account_factory: Callable[..., NewAccount]) -> None:
    held = place(stack, account_factory(), legal_hold=True)
    docs = [add_doc(stack, held, OLD), add_doc(stack, held, date(2020, 1, 1))]
    before = preview(stack.engine, AS_OF)
    assert held.dossier_id in {t.dossier_id for t in before.held}
    assert held.dossier_id not in {t.dossier_id for t in before.dossiers}
    result = run_purge(stack.engine, stack.store, AS_OF)
    assert alive(stack, docs) == {d.id for d in docs}
    for doc in docs:
        assert_kept(stack, doc)
    assert held.dossier_id not in result.dossiers


class Crash(Exception):
    pass


def test_killed_between_objects_and_rows_then_rerun(stack: Stack,
                                                     account_factory: Callable[..., NewAccount]) -> None:
    where = place(stack, account_factory())
    shared = b"shared original " + os.urandom(8)
    old = [add_doc(stack, where, OLD) for _ in range(4)] + [add_doc(stack, where, OLD, content=shared)]
    kept = [add_doc(stack, where, KEPT) for _ in range(2)] + [add_doc(stack, where, KEPT, content=shared)]
    run_purge(stack.engine, stack.store, AS_OF)  # leftovers of other tests: out of the way
    old += [add_doc(stack, where, OLD) for _ in range(3)]
    seen: list[list[str]] = []

    def crash(ids: list[str]) -> None:
        seen.append(ids)
        raise Crash("killed after the object delete")

    with pytest.raises(Crash):
        run_purge(stack.engine, stack.store, AS_OF, chunk=2, after_objects_deleted=crash)
    # The objects of the first chunk are gone, its rows are still there (the worst moment).
    first = [d for d in old if d.id in seen[0]]
    assert len(first) == 2 and alive(stack, first) == {d.id for d in first}
    assert all(not store_exists(stack.store, derivative_key(d.id, "text.json")) for d in first)

    result = run_purge(stack.engine, stack.store, AS_OF, chunk=2)
    assert result.state == RunState.finished
    assert alive(stack, old + kept) == {d.id for d in kept}
    for doc in old:
        assert_gone(stack, doc, original_too=doc.sha256 != hashlib.sha256(shared).hexdigest())
    for doc in kept:
        assert_kept(stack, doc)
    with Session(stack.engine) as s:
        states = [r.state for r in s.exec(select(PurgeRun).order_by(PurgeRun.started_at.desc())).all()[:2]]  # type: ignore[attr-defined]
        assert states == ["finished", "failed"]
        assert len(s.exec(select(Tombstone).where(Tombstone.document_id.in_([d.id for d in old]))).all()) == len(old)  # type: ignore[attr-defined]


def test_a_second_purge_does_nothing_while_one_runs(stack: Stack,
                                                    account_factory: Callable[..., NewAccount]) -> None:
    where = place(stack, account_factory())
    docs = [add_doc(stack, where, OLD) for _ in range(3)]
    inside, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def slow(_ids: list[str]) -> None:
        inside.set()
        release.wait(30)

    def first() -> None:
        outcome["first"] = run_purge(stack.engine, stack.store, AS_OF, chunk=1, after_objects_deleted=slow)

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert inside.wait(30)
        with pytest.raises(PurgeBusy, match="another purge"):
            run_purge(stack.engine, stack.store, AS_OF)
        cli = _cli(stack, ["--as-of", "2026-06-01"])
        assert cli.exit_code == 3 and "another purge" in cli.output
    finally:
        release.set()
        thread.join(60)
    assert alive(stack, docs) == set()
    with purge_lock(stack.engine):  # released at the end
        pass


def test_future_as_of_is_refused_for_a_real_run(stack: Stack) -> None:
    with pytest.raises(ValueError, match="future"):
        run_purge(stack.engine, stack.store, datetime.now(UTC) + timedelta(days=400))


def _cli(stack: Stack, args: list[str]):  # type: ignore[no-untyped-def]
    from cli.purge import purge_app

    root = typer.Typer()
    root.add_typer(purge_app, name="purge")
    return CliRunner().invoke(root, ["purge", *args], env=stack.env())


def test_dry_run_lists_by_dossier_and_deletes_nothing(stack: Stack, client, account_factory) -> None:  # type: ignore[no-untyped-def]
    acc = account_factory()
    where = place(stack, acc)
    docs = [add_doc(stack, where, OLD), add_doc(stack, where, date(2022, 7, 14)), add_doc(stack, where, KEPT)]
    out = _cli(stack, ["--dry-run", "--as-of", "2026-06-01", "--json"])
    assert out.exit_code == 0, out.output
    body = json.loads(out.stdout)
    mine = [d for d in body["dossiers"] if d["dossier_id"] == where.dossier_id]
    assert mine == [{"dossier_id": where.dossier_id, "account_id": acc.account_id, "name": "SARL Test",
                     "documents": 2, "bytes": docs[0].size + docs[1].size}]
    assert body["documents"] >= 2 and body["bytes"] >= docs[0].size + docs[1].size
    assert body["history_start"] == "2025-01-01"
    assert alive(stack, docs) == {d.id for d in docs}
    # The operators' endpoint says the same; clients are refused.
    from ingest.accounts.lifecycle import create_operator
    with Session(stack.engine) as s:
        operator = create_operator(s, f"op-{uuid.uuid4().hex[:6]}@example.test")
    api = client.get("/v1/purge/preview", params={"as_of": "2026-06-01"}, headers=auth(operator.api_key))
    assert api.status_code == 200, api.text
    assert [d for d in api.json()["dossiers"] if d["dossier_id"] == where.dossier_id] == mine
    assert client.get("/v1/purge/preview", headers=auth(acc.api_key)).status_code == 403
    run = _cli(stack, ["--as-of", "2026-06-01", "--json"])
    assert run.exit_code == 0, run.output
    assert json.loads(run.stdout)["state"] == "finished"
    assert alive(stack, docs) == {docs[2].id}
    runs = client.get("/v1/purge/runs", headers=auth(operator.api_key)).json()
    assert runs["items"][0]["id"] == json.loads(run.stdout)["run_id"]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(refs=st.lists(st.tuples(st.dates(date(2019, 1, 1), date(2027, 12, 31)), st.booleans()), min_size=1,
                     max_size=8),
       as_of=st.datetimes(datetime(2020, 1, 1), datetime(2028, 1, 1), timezones=st.just(UTC)))
def test_selection_is_exactly_the_purgeable_documents(stack: Stack, account_factory, refs, as_of) -> None:  # type: ignore[no-untyped-def]
    """Rows inserted without objects (selection only): the SQL agrees with the pure rule."""
    acc = account_factory()
    places = {hold: place(stack, acc, legal_hold=hold) for hold in (False, True)}
    ids: dict[str, tuple[date, bool]] = {}
    with Session(stack.engine) as s:
        for ref, hold in refs:
            p = places[hold]
            doc = Document(account_id=p.account_id, dossier_id=p.dossier_id, batch_id=p.batch_id, filename="x",
                           kind="pdf", sha256="0" * 64, size=1, object_key=original_key("0" * 64),
                           reference_date=ref)
            s.add(doc)
            ids[doc.id] = (ref, hold)
        s.commit()
    selected: set[str] = set()
    with stack.engine.connect() as conn:
        after = ""
        while rows := select_chunk(conn, as_of, after, 3):
            selected |= {r.id for r in rows if r.id in ids}
            after = rows[-1].id
        conn.execute(sa.delete(Document.__table__).where(Document.__table__.c.id.in_(list(ids))))
        conn.commit()
    assert selected == {i for i, (ref, hold) in ids.items() if not hold and is_purgeable(ref, as_of)}
