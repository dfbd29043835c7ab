"""Journal export of a large dossier, against writing the same rows with the `csv` module alone.

    .venv/bin/python -m tests.bench.bench_journal                    # 20,000 invoices, embedded SQLite
    .venv/bin/python -m tests.bench.bench_journal --invoices 2000    # a quicker look

Prints one JSON object. One dossier receives `--invoices` processed invoices, written straight into
the documents table as processing leaves them (500 suppliers, one or two VAT rates, 5 % credit
notes, 5 % flagged and so held for review, dated over the year). Measured in this run:

- ``first_export``: the year's FEC, streamed to a file, the first time (it opens the 500 supplier
  accounts); ``export``: the same again (the steady cost), each in rows (lines) per second;
- ``baseline_csv_rows_per_s``: the same rows, already in memory, written with ``csv.writer`` alone
  (tab-separated) to a file: what writing costs with no reading, no rules and no formatting;
  ``ratio_export_over_csv`` compares the two (how many times slower the whole export is);
- ``peak_traced_mb``: the most Python memory the steady export held at once (tracemalloc, in a
  third run, since tracing slows it), against ``file_mb``, the file's size: streamed, the peak
  stays far below the file; ``peak_rss_mb``: the process's resident peak, all runs included;
- ``review``: the review list's first page over the same year (every invoice booked to find the held).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from stdnum import luhn

from ingest.accounts.tables import Account, Dossier
from ingest.journal.export import JournalFormat, journal_file
from ingest.journal.period import Period
from ingest.journal.review import held_bookings
from ingest.platform.columns import utcnow
from ingest.platform.db import make_engine, migrate
from ingest.platform.models import Batch, Document, DocumentState
from ingest.platform.settings import Settings

CHUNK = 5_000
SUPPLIERS = 500
YEAR_START, YEAR_END = date(2026, 1, 1), date(2026, 12, 31)


def _siren(n: int) -> str:
    base = f"{30_000_000 + n:08d}"
    return base + str(luhn.calc_check_digit(base))


def _field(value: Any) -> dict[str, Any]:
    return {"value": value, "confidence": 1.0, "source": "einvoice"}


def _fields(i: int, rng: random.Random) -> dict[str, Any]:
    supplier = i % SUPPLIERS
    bases = [rng.randint(100, 500_000)] + ([rng.randint(100, 50_000)] if i % 3 == 0 else [])
    rows = [(rate, base, round(base * rate / 100)) for rate, base in zip((20, 5.5), bases, strict=False)]
    excl, tax = sum(r[1] for r in rows), sum(r[2] for r in rows)
    money = lambda c: f"{c / 100:.2f}"  # noqa: E731
    return {"document_type": _field("credit_note" if i % 20 == 7 else "invoice"),
            "supplier_name": _field(f"Fournisseur {supplier} SARL"), "supplier_siren": _field(_siren(supplier)),
            "invoice_number": _field(f"F-{i:06d}"), "issue_date": _field((YEAR_START + timedelta(i % 365)).isoformat()),
            "currency": _field("EUR"), "total_excl_tax": _field(money(excl)), "total_tax": _field(money(tax)),
            "total_incl_tax": _field(money(excl + tax)),
            "vat_breakdown": _field([{"rate": f"{r:.2f}", "base": money(b), "tax": money(t), "category": "S"}
                                     for r, b, t in rows])}


def _insert(engine: Engine, table: type, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        for first in range(0, len(rows), CHUNK):
            conn.execute(sa.insert(table), rows[first:first + CHUNK])  # type: ignore[call-overload]


def seed(engine: Engine, count: int) -> str:
    rng = random.Random(18)
    account, dossier, batch = (str(uuid.uuid4()) for _ in range(3))
    _insert(engine, Account, [{"id": account, "name": "Bench", "kind": "firm", "active": True, "created_at": utcnow()}])
    _insert(engine, Dossier, [{"id": dossier, "account_id": account, "name": "Bench SARL", "siren": "552100554",
                               "legal_hold": False, "created_at": utcnow()}])
    _insert(engine, Batch, [{"id": batch, "account_id": account, "dossier_id": dossier, "flow": "bulk",
                             "flow_reason": "", "flow_message": "", "received_at": utcnow()}])
    for first in range(0, count, CHUNK):
        rows = []
        for i in range(first, min(first + CHUNK, count)):
            fields = _fields(i, rng)
            flags = [{"code": "mention_missing", "message": "…"}] if i % 20 == 3 else []
            rows.append({"id": str(uuid.uuid4()), "account_id": account, "dossier_id": dossier, "batch_id": batch,
                         "filename": f"f{i}.pdf", "kind": "pdf", "sha256": f"{i:064x}", "size": 1, "object_key": "k",
                         "state": DocumentState.processed, "attempts": 0, "received_at": utcnow(), "fields": fields,
                         "flags": flags, "invoice_date": date.fromisoformat(fields["issue_date"]["value"])})
        _insert(engine, Document, rows)
    return dossier


def _export(engine: Engine, dossier: str, out: Path) -> tuple[float, int, int]:
    """Seconds, lines (without the header) and bytes of one FEC export streamed to `out`."""
    started = time.perf_counter()
    exported = journal_file(engine, dossier, "552100554", YEAR_START, YEAR_END, JournalFormat.fec, date(2027, 1, 5))
    size = 0
    with out.open("wb") as sink:
        for chunk in exported.chunks:
            sink.write(chunk)
            size += len(chunk)
    seconds = time.perf_counter() - started
    with out.open("rb") as written:
        lines = sum(1 for _ in written) - 1
    return seconds, lines, size


def _rows(path: Path) -> Iterator[list[str]]:
    with path.open(encoding="utf-8", newline="") as text:
        next(text)
        for line in text:
            yield line.rstrip("\r\n").split("\t")


def _baseline(rows: list[list[str]], out: Path) -> float:
    started = time.perf_counter()
    with out.open("w", encoding="utf-8", newline="") as sink:
        csv.writer(sink, delimiter="\t", lineterminator="\r\n").writerows(rows)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--invoices", type=int, default=20_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        url = Settings(data_dir=folder / "data").effective_database_url()
        migrate(url)
        engine = make_engine(url)
        started = time.perf_counter()
        dossier = seed(engine, args.invoices)
        seeded = time.perf_counter() - started
        fec = folder / "journal.txt"
        first = _export(engine, dossier, fec)
        steady = _export(engine, dossier, fec)
        rows = list(_rows(fec))
        entries = len({row[2] for row in rows})
        baseline = min(_baseline(rows, folder / "baseline.txt") for _ in range(3))
        del rows
        tracemalloc.start()
        _export(engine, dossier, fec)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        review_started = time.perf_counter()
        review = held_bookings(engine, dossier, Period(YEAR_START, YEAR_END), limit=50, offset=0)
        review_seconds = time.perf_counter() - review_started
        engine.dispose()
    seconds, lines, size = steady
    print(json.dumps({
        "invoices": args.invoices, "seed_seconds": round(seeded, 1), "rows": lines,
        "entries": entries,
        "first_export": {"seconds": round(first[0], 2), "rows_per_s": round(first[1] / first[0])},
        "export": {"seconds": round(seconds, 2), "rows_per_s": round(lines / seconds),
                   "invoices_per_s": round(args.invoices / seconds)},
        "baseline_csv_rows_per_s": round(lines / baseline),
        "ratio_export_over_csv": round((lines / baseline) / (lines / seconds), 1),
        "file_mb": round(size / 2**20, 1), "peak_traced_mb": round(peak / 2**20, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "review": {"seconds": round(review_seconds, 2), "held": review.total},
    }, indent=2))


if __name__ == "__main__":
    main()
