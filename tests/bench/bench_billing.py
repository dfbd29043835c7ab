"""Billing benchmark on PostgreSQL.

    .venv/bin/python -m tests.bench.bench_billing [--documents 20000] [--accounts 10000]

Prints one JSON object, all figures measured in this run on a fresh database:
- ``counting_records_per_s``: 20,000 pre-inserted documents leased and finished as processed
  (``ingest.processing.lease.take`` + ``finish``, which writes the usage record in the same
  transaction) by two processes at once;
- ``baseline_inserts_per_s``: the same number of plain usage_records inserts, one transaction
  each, in one process; ``ratio_counting_over_baseline`` compares the two (the figure issue 19
  follows); ``..._two_processes``: the plain inserts shared by two processes as the counting is,
  the fairer comparison on a machine with two cores;
- ``statements_seconds``: ``issue_all_due`` for 10,000 subscribed accounts, activated 40 days
  ago (two statements each: periods 0 and 1, with 20 usage records in period 0).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from sqlmodel import Session

from ingest.accounts.tables import Account, Dossier, User
from ingest.billing.statements import issue_all_due
from ingest.billing.tables import PlanVersion, Statement, Subscription, UsageRecord
from ingest.platform.columns import utcnow
from ingest.platform.db import make_engine, migrate
from ingest.platform.models import Batch, Document, DocumentState
from ingest.processing.lease import finish, take
from tests.support import services

LEASE = timedelta(minutes=15)


def _rows(engine: sa.engine.Engine, table: type, rows: list[dict]) -> None:  # type: ignore[type-arg]
    with engine.begin() as conn:
        for i in range(0, len(rows), 5_000):
            conn.execute(sa.insert(table), rows[i:i + 5_000])  # type: ignore[arg-type]


def _documents(engine: sa.engine.Engine, count: int) -> tuple[str, list[str]]:
    account, dossier, batch = (str(uuid.uuid4()) for _ in range(3))
    _rows(engine, Account, [{"id": account, "name": "Bench", "kind": "firm", "active": True, "created_at": utcnow()}])
    _rows(engine, Dossier, [{"id": dossier, "account_id": account, "name": "D", "legal_hold": False,
                             "created_at": utcnow()}])
    _rows(engine, Batch, [{"id": batch, "account_id": account, "dossier_id": dossier, "flow": "daily",
                           "flow_reason": "", "received_at": utcnow()}])
    ids = [str(uuid.uuid4()) for _ in range(count)]
    _rows(engine, Document, [{"id": i, "account_id": account, "dossier_id": dossier, "batch_id": batch,
                              "filename": "f.pdf", "kind": "pdf", "sha256": "0" * 64, "size": 1, "object_key": "k",
                              "state": DocumentState.queued, "attempts": 0, "received_at": utcnow()} for i in ids])
    return account, ids


def _finish_all(url: str, ids: list[str]) -> None:
    engine = make_engine(url)
    for doc_id in ids:
        held = take(engine, doc_id, duration=LEASE)
        assert held is not None
        finish(engine, held, DocumentState.processed, pages=1)
    engine.dispose()


def bench_counting(url: str, count: int) -> dict[str, float]:
    engine = make_engine(url)
    account, ids = _documents(engine, count)
    started = time.perf_counter()
    _in_processes(_finish_all, [(url, ids[n::2]) for n in range(2)])
    counting = time.perf_counter() - started
    with Session(engine) as session:
        counted = session.execute(sa.select(sa.func.count()).select_from(UsageRecord)).scalar_one()
    assert counted == count, counted
    one = _plain_inserts(url, account, count)
    started = time.perf_counter()
    _in_processes(_plain_inserts, [(url, account, count // 2), (url, account, count - count // 2)])
    two = time.perf_counter() - started
    engine.dispose()
    return {"documents": count, "counting_seconds": round(counting, 2),
            "counting_records_per_s": round(count / counting), "baseline_inserts_per_s": round(count / one),
            "ratio_counting_over_baseline": round(one / counting, 3),
            "baseline_two_processes_inserts_per_s": round(count / two),
            "ratio_counting_over_baseline_two_processes": round(two / counting, 3)}


def _plain_inserts(url: str, account: str, count: int) -> float:
    """`count` usage rows inserted one transaction each: the seconds it took."""
    engine = make_engine(url)
    started = time.perf_counter()
    for _ in range(count):
        with Session(engine) as session:
            session.execute(sa.insert(UsageRecord).values(document_id=str(uuid.uuid4()), account_id=account,
                                                          dossier_id=account, counted_at=utcnow()))
            session.commit()
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def _in_processes(target: Callable[..., object], args: list[tuple[object, ...]]) -> None:
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=target, args=a) for a in args]
    for p in procs:
        p.start()
    for p in procs:
        p.join()


def _accounts(engine: sa.engine.Engine, count: int, usage_each: int) -> None:
    now = utcnow()
    activation = now - timedelta(days=40)
    ids = [str(uuid.uuid4()) for _ in range(count)]
    _rows(engine, Account, [{"id": i, "name": "A", "kind": "company", "active": True, "created_at": activation}
                            for i in ids])
    _rows(engine, User, [{"id": str(uuid.uuid4()), "account_id": i, "email": f"{i}@bench.test", "role": "admin",
                          "active": True, "created_at": activation} for i in ids])
    _rows(engine, Subscription, [{"account_id": i, "activation_at": activation, "created_at": activation}
                                 for i in ids])
    _rows(engine, PlanVersion, [{"account_id": i, "effective_period_index": 0, "packs": 1, "pack_size": 10,
                                 "pack_price_cents": 5_000, "named_users": 1, "extra_document_price_cents": 40,
                                 "extra_user_price_cents": 1_000, "created_at": activation} for i in ids])
    _rows(engine, UsageRecord, [{"document_id": str(uuid.uuid4()), "account_id": i, "dossier_id": i,
                                 "counted_at": activation + timedelta(hours=n + 1)}
                                for i in ids for n in range(usage_each)])


def bench_statements(url: str, count: int) -> dict[str, float]:
    engine = make_engine(url)
    _accounts(engine, count, usage_each=20)
    started = time.perf_counter()
    issued = issue_all_due(engine)
    elapsed = time.perf_counter() - started
    again = issue_all_due(engine)
    with Session(engine) as session:
        stored = session.execute(sa.select(sa.func.count()).select_from(Statement)).scalar_one()
    engine.dispose()
    assert issued == stored == 2 * count and again == 0, (issued, stored, again)
    return {"accounts": count, "statements_issued": issued, "statements_seconds": round(elapsed, 2),
            "statements_per_s": round(issued / elapsed)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=20_000)
    parser.add_argument("--accounts", type=int, default=10_000)
    args = parser.parse_args()
    url, drop = services.fresh_postgres_db(services.postgres_url())
    try:
        migrate(url)
        result = {"counting": bench_counting(url, args.documents), "statements": bench_statements(url, args.accounts)}
    finally:
        drop()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
