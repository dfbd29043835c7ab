"""The rows an upgrade must keep: for every revision, what the service wrote into the tables that
revision made, named as they were named then (written through a table of our own, never the models,
which follow the newest schema).

`changed` holds what a later migration rewrote, as the newest schema reads it (a sentence split off
a reason code, a default given to a new column); `RENAMED` maps the columns renamed since. A new
table needs rows here: `test_every_table_has_rows_to_keep` fails until it has some.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

ACCOUNT = "5e0c9a8e-0001-4000-8000-000000000001"
DOSSIER = "5e0c9a8e-0002-4000-8000-000000000002"
ADMIN = "5e0c9a8e-0003-4000-8000-000000000003"
GONE = "5e0c9a8e-0004-4000-8000-000000000004"
KEY = "5e0c9a8e-0005-4000-8000-000000000005"
BATCH = "5e0c9a8e-0006-4000-8000-000000000006"
DOC = "5e0c9a8e-0007-4000-8000-000000000007"
INVOICE = "5e0c9a8e-0008-4000-8000-000000000008"
REQUEST = "5e0c9a8e-0009-4000-8000-000000000009"
STATEMENT = "5e0c9a8e-0010-4000-8000-000000000010"
CORRECTION = "5e0c9a8e-0011-4000-8000-000000000011"
RUN = "5e0c9a8e-0012-4000-8000-000000000012"
PURGED = "5e0c9a8e-0013-4000-8000-000000000013"
BULK = "5e0c9a8e-0014-4000-8000-000000000014"

# The key an API client used before the upgrade: `prefix` and the secret it hashes.
KEY_PREFIX, KEY_SECRET = "up9rade1", "kept-across-every-upgrade"

T0 = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
T1 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
T2 = datetime(2026, 1, 7, 9, 30, tzinfo=UTC)

# (table, column as first named): the name it has now.
RENAMED = {("documents", "claim_token"): "lease_token", ("documents", "claimed_by"): "leased_by"}


@dataclass(frozen=True)
class Row:
    table: str
    values: dict[str, object]
    key: tuple[str, ...] = ("id",)
    changed: dict[str, object] = field(default_factory=dict)

    def expected(self) -> dict[str, object]:
        """The row as the newest schema reads it."""
        kept = {RENAMED.get((self.table, name), name): value for name, value in self.values.items()}
        return kept | self.changed


def _secret_hash() -> str:
    return hashlib.sha256(KEY_SECRET.encode()).hexdigest()  # the hash as 0001 stored it


def _rows_0001() -> list[Row]:
    return [
        Row("accounts", {"id": ACCOUNT, "name": "Cabinet Lefèvre", "kind": "firm", "active": True, "created_at": T0}),
        Row("dossiers", {"id": DOSSIER, "account_id": ACCOUNT, "name": "SARL Dupont", "siren": "552100554",
                         "legal_hold": False, "created_at": T0}),
        Row("users", {"id": ADMIN, "account_id": ACCOUNT, "email": "admin@lefevre.test", "role": "admin",
                      "active": True, "created_at": T0},
            changed={"password_hash": None, "password_initial": False, "all_dossiers": True, "failed_logins": 0,
                     "deactivated_at": None}),
        # An inactive user stops counting from its creation (0014).
        Row("users", {"id": GONE, "account_id": ACCOUNT, "email": "former@lefevre.test", "role": "user",
                      "active": False, "created_at": T0},
            changed={"deactivated_at": T0}),
        Row("api_keys", {"id": KEY, "user_id": ADMIN, "prefix": KEY_PREFIX, "secret_hash": _secret_hash(),
                         "created_at": T0, "revoked_at": None}, changed={"name": ""}),
        Row("batches", {"id": BATCH, "account_id": ACCOUNT, "dossier_id": DOSSIER, "flow": "daily",
                        "flow_reason": "usual_volume: 2 documents, as usual", "idempotency_key": "upload-1",
                        "received_at": T0, "due_at": T2, "finished_at": T1},
            changed={"flow_reason": "usual_volume", "flow_message": "2 documents, as usual",
                     "uploaded_by": None, "request_fingerprint": None}),
        Row("documents", {"id": DOC, "account_id": ACCOUNT, "dossier_id": DOSSIER, "batch_id": BATCH,
                          "filename": "facture-0042.pdf", "kind": "pdf", "sha256": "a" * 64, "size": 48213,
                          "object_key": f"{ACCOUNT}/{DOSSIER}/{DOC}", "state": "processed", "attempts": 1,
                          "claim_token": "5e0c9a8e-aaaa-4000-8000-00000000aaaa", "claimed_by": "worker-1:311",
                          "pages": 2, "text_chars": 1800, "facts": {"producer": "LibreOffice"},
                          "reference_date": date(2026, 1, 2), "received_at": T0, "queued_at": T0,
                          "started_at": T0, "finished_at": T1}),
        Row("rejections", {"id": 1, "batch_id": BATCH, "filename": "notes.txt", "reason": "unsupported_type",
                           "message": "A text file is not an invoice: send a PDF, an image or an e-invoice."}),
        Row("usage_records", {"document_id": DOC, "account_id": ACCOUNT, "dossier_id": DOSSIER, "counted_at": T1},
            key=("document_id",)),
        # Written before an upgrade, published by the relay after it.
        Row("outbox", {"id": 1, "task": "bordereau.process_document", "queue": "daily", "document_id": DOC,
                       "created_at": T0, "published_at": None}, changed={"claimed_until": None}),
    ]


def _rows_0002() -> list[Row]:
    return [
        Row("support_requests", {"id": REQUEST, "account_id": ACCOUNT, "registered_by": ADMIN,
                                 "description": "Les factures de janvier restent en attente.", "context": "API",
                                 "error_messages": "", "steps": "upload, wait", "registered_at": T0,
                                 "qualification": "anomaly", "criticality": 2, "due_at": T2,
                                 "last_event_at": T1, "attachment_count": 1}),
        Row("support_events", {"id": 1, "request_id": REQUEST, "kind": "qualified", "at": T1, "by_user_id": ADMIN,
                               "by_role": "operator", "text": "Anomalie de criticité 2", "criticality": 2,
                               "recorded_at": T1}),
        Row("support_attachments", {"id": "5e0c9a8e-0020-4000-8000-000000000020", "request_id": REQUEST,
                                    "number": 1, "filename": "capture.png", "object_key": "support/capture.png",
                                    "size": 1024, "content_type": "image/png", "uploaded_by": ADMIN,
                                    "uploaded_at": T0}),
        Row("maintenance_windows", {"id": "5e0c9a8e-0021-4000-8000-000000000021", "starts_at": T2,
                                    "ends_at": datetime(2026, 1, 7, 11, 30, tzinfo=UTC),
                                    "description": "PostgreSQL upgrade", "kind": "scheduled", "recorded_at": T0,
                                    "recorded_by": ADMIN}),
    ]


def _rows_0003() -> list[Row]:
    return [
        # The web interface's probe was named "ihm" before 0011.
        Row("probe_measurements", {"id": 1, "probe": "ihm", "at": T0, "status": 200, "latency_ms": 12.5,
                                   "source": "prober", "recorded_at": T0}, changed={"probe": "ui"}),
        Row("credit_claims", {"id": "5e0c9a8e-0022-4000-8000-000000000022", "account_id": ACCOUNT,
                              "filed_by": ADMIN, "month": "2025-12", "filed_at": T0, "outcome": "granted",
                              "decided_at": T1, "counted_hours": 744, "ko_hours": 12,
                              "availability_percent": "98.39", "credit_percent": 5}),
    ]


def _rows_0004() -> list[Row]:
    return [
        Row("subscriptions", {"account_id": ACCOUNT, "activation_at": T0, "created_at": T0}, key=("account_id",)),
        Row("plan_versions", {"id": 1, "account_id": ACCOUNT, "effective_period_index": 0, "packs": 2,
                              "pack_size": 500, "pack_price_cents": 25000, "named_users": 3,
                              "extra_document_price_cents": 60, "extra_user_price_cents": 1500, "created_at": T0,
                              "created_by": None}),
        Row("usage_warnings", {"account_id": ACCOUNT, "period_index": 0, "threshold": 80, "reached_at": T1,
                               "recorded_at": T1}, key=("account_id", "period_index", "threshold")),
        Row("statements", {"id": STATEMENT, "account_id": ACCOUNT, "number": 1, "kind": "regular",
                           "period_index": 0, "regular_period_index": 0, "period_start": T0, "period_end": T2,
                           "corrects_id": None, "total_cents": 50000, "issued_at": T2}),
        Row("statements", {"id": CORRECTION, "account_id": ACCOUNT, "number": 2, "kind": "correction",
                           "period_index": 0, "regular_period_index": None, "period_start": T0, "period_end": T2,
                           "corrects_id": STATEMENT, "total_cents": -50000, "issued_at": T2}),
        Row("statement_lines", {"statement_id": STATEMENT, "position": 0, "kind": "packs", "period_index": 0,
                                "quantity": 2, "unit_price_cents": "25000", "amount_cents": 50000,
                                "label": "2 packs de 500 documents"}, key=("statement_id", "position")),
        Row("billed_lines", {"account_id": ACCOUNT, "period_index": 0, "kind": "packs", "statement_id": STATEMENT},
            key=("account_id", "period_index", "kind")),
    ]


def _rows_0005() -> list[Row]:
    return [
        Row("purge_runs", {"id": RUN, "as_of": T2, "history_start": date(2024, 1, 7), "started_at": T2,
                           "ended_at": T2, "state": "done", "documents": 1, "bytes": 3_000_000_000, "objects": 2,
                           "failures": [], "failure_count": 0, "message": None}),
        Row("purge_run_dossiers", {"run_id": RUN, "dossier_id": DOSSIER, "account_id": ACCOUNT, "documents": 1,
                                   "bytes": 3_000_000_000}, key=("run_id", "dossier_id")),
        Row("tombstones", {"document_id": PURGED, "dossier_id": DOSSIER, "account_id": ACCOUNT, "sha256": "b" * 64,
                           "size": 3_000_000_000, "received_at": datetime(2023, 12, 1, tzinfo=UTC),
                           "reference_date": date(2023, 11, 30), "purge_run_id": RUN, "purged_at": T2},
            key=("document_id",)),
        Row("purge_locks", {"name": "purge", "holder": None, "lease_until": None}, key=("name",)),
        Row("integrity_reports", {"id": "5e0c9a8e-0023-4000-8000-000000000023", "started_at": T2, "ended_at": T2,
                                  "complete": True, "objects_scanned": 4, "orphans_found": 1, "orphans_removed": 1,
                                  "orphans_young": 0, "missing_count": 0, "missing": [],
                                  "failures": [{"key": "x", "error": "timeout"}]}),
    ]


def _rows_0006() -> list[Row]:
    fields = {name: {"value": value, "confidence": 1.0, "source": "einvoice"} for name, value in
              (("supplier_name", "Imprimerie Martin"), ("invoice_number", "F-2026-001"), ("total_incl_tax", "120.00"))}
    return [
        Row("documents", {"id": INVOICE, "account_id": ACCOUNT, "dossier_id": DOSSIER, "batch_id": BATCH,
                          "filename": "martin.xml", "kind": "xml", "sha256": "c" * 64, "size": 5120,
                          "object_key": f"{ACCOUNT}/{DOSSIER}/{INVOICE}", "state": "processed", "attempts": 1,
                          "received_at": T0, "finished_at": T1, "fields": fields, "flags": ["vat_mismatch"],
                          "einvoice_flavour": "cii", "einvoice_profile": "EN16931", "invoice_date": date(2026, 1, 2),
                          "invoice_key": "martin|F-2026-001|120.00", "duplicate_of": None}),
    ]


def _rows_0007() -> list[Row]:
    return [
        Row("batches", {"id": BULK, "account_id": ACCOUNT, "dossier_id": DOSSIER, "flow": "bulk",
                        "flow_reason": "spans_months: invoices dated from January to June", "received_at": T1},
            changed={"flow_reason": "spans_months", "flow_message": "invoices dated from January to June"}),
        Row("dispatch_cursors", {"name": "bulk", "cursor": {"last_dossier": DOSSIER}, "rounds": 7,
                                 "dispatched": 140, "updated_at": T1}, key=("name",),
            changed={"next_round_at": None}),
        # A sentence with no code before 0011 stays whole, as the message.
        Row("flow_changes", {"id": "5e0c9a8e-0024-4000-8000-000000000024", "batch_id": BULK, "changed_at": T1,
                             "from_flow": "daily", "to_flow": "bulk", "from_reason": "a sentence: with a colon",
                             "to_reason": "spans_months: invoices dated from January to June",
                             "previous_due_at": T2},
            changed={"from_reason": "", "from_message": "a sentence: with a colon", "to_reason": "spans_months",
                     "to_message": "invoices dated from January to June"}),
        Row("sla_breaches", {"batch_id": BATCH, "document_id": DOC, "account_id": ACCOUNT, "due_at": T2,
                             "recorded_at": T2}, key=("batch_id", "document_id")),
    ]


def _rows_0010() -> list[Row]:
    return [Row("worker_presence", {"node": "bordereau-311@host", "queues": "daily,ops", "concurrency": 2,
                                    "started_at": T0, "seen_at": T1}, key=("node",))]


def _rows_0014() -> list[Row]:
    return [
        Row("user_dossiers", {"user_id": GONE, "dossier_id": DOSSIER}, key=("user_id", "dossier_id")),
        Row("sessions", {"id": "5e0c9a8e-0025-4000-8000-000000000025", "user_id": ADMIN, "token_hash": "d" * 64,
                         "created_at": T0, "last_seen_at": T1, "expires_at": T2, "revoked_at": None,
                         "address": "192.0.2.7"}),
        Row("login_failures", {"id": "5e0c9a8e-0026-4000-8000-000000000026", "email": "admin@lefevre.test",
                               "address": "192.0.2.8", "at": T0}),
        Row("audit_log", {"id": "5e0c9a8e-0027-4000-8000-000000000027", "account_id": ACCOUNT, "actor_id": ADMIN,
                          "action": "user_created", "target_id": GONE, "detail": {"role": "user"},
                          "address": "192.0.2.7", "at": T0}),
    ]


def _rows_0017() -> list[Row]:
    return [
        Row("supplier_accounts", {"id": "5e0c9a8e-0028-4000-8000-000000000028", "dossier_id": DOSSIER,
                                  "supplier_key": "siren:552100554", "number": "401MARTIN",
                                  "name": "Imprimerie Martin", "expense_account": "606400", "created_at": T1}),
        Row("journal_settings", {"dossier_id": DOSSIER, "expense_account": "607100"}, key=("dossier_id",)),
        Row("field_corrections", {"document_id": INVOICE, "fields": {"invoice_number": "F-2026-001B"},
                                  "corrected_by": ADMIN, "corrected_at": T2}, key=("document_id",)),
    ]


# Revision -> the rows written as soon as the schema is at that revision.
ROWS_AT: dict[str, list[Row]] = {
    "0001": _rows_0001(), "0002": _rows_0002(), "0003": _rows_0003(), "0004": _rows_0004(),
    "0005": _rows_0005(), "0006": _rows_0006(), "0007": _rows_0007(), "0010": _rows_0010(),
    "0014": _rows_0014(), "0017": _rows_0017(),
}
