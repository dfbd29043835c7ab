"""Migration 0011 renames concepts in place: rows written before it read the same after it."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from ingest.platform.db import alembic_config, make_engine


def test_flow_decisions_leases_and_probes_survive_the_rename(empty_database: str) -> None:
    command.upgrade(alembic_config(empty_database), "0010")
    engine = make_engine(empty_database)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO accounts (id, name, kind, active, created_at) "
                             "VALUES ('a', 'A', 'firm', true, CURRENT_TIMESTAMP)"))
        conn.execute(sa.text("INSERT INTO dossiers (id, account_id, name, legal_hold, created_at) "
                             "VALUES ('d', 'a', 'D', false, CURRENT_TIMESTAMP)"))
        for batch_id, stored in (("coded", "above_daily_volume: 1,800 documents: 24× the usual 75"),
                                 ("old", "a sentence: with a colon"), ("empty", "")):
            conn.execute(sa.text("INSERT INTO batches (id, account_id, dossier_id, flow, flow_reason, received_at) "
                                 "VALUES (:id, 'a', 'd', 'bulk', :reason, CURRENT_TIMESTAMP)"),
                         {"id": batch_id, "reason": stored})
        conn.execute(sa.text(
            "INSERT INTO flow_changes (id, batch_id, changed_at, from_flow, to_flow, from_reason, to_reason) "
            "VALUES ('c', 'coded', CURRENT_TIMESTAMP, 'daily', 'bulk', 'new_dossier_floor: 5 documents', "
            "'spans_months: invoices dated from January to June')"))
        conn.execute(sa.text(
            "INSERT INTO documents (id, account_id, dossier_id, batch_id, filename, kind, sha256, size, object_key, "
            "state, attempts, claim_token, claimed_by, received_at) VALUES ('doc', 'a', 'd', 'coded', 'f.pdf', "
            "'pdf', 'x', 1, 'k', 'processing', 1, 'token', 'host:1', CURRENT_TIMESTAMP)"))
        conn.execute(sa.text("INSERT INTO probe_measurements (probe, at, status, latency_ms, source, recorded_at) "
                             "VALUES ('ui', CURRENT_TIMESTAMP, 200, 12.5, 'prober', CURRENT_TIMESTAMP)"))
    command.upgrade(alembic_config(empty_database), "heads")
    with engine.connect() as conn:
        batches = dict(conn.execute(sa.text("SELECT id, flow_reason || '|' || flow_message FROM batches")).all())
        change = conn.execute(sa.text("SELECT from_reason, from_message, to_reason, to_message "
                                      "FROM flow_changes")).one()
        lease = conn.execute(sa.text("SELECT lease_token, leased_by FROM documents")).one()
        probe = conn.execute(sa.text("SELECT probe FROM probe_measurements")).scalar_one()
    engine.dispose()
    assert batches == {"coded": "above_daily_volume|1,800 documents: 24× the usual 75",
                       "old": "|a sentence: with a colon", "empty": "|"}
    assert tuple(change) == ("new_dossier_floor", "5 documents", "spans_months", "invoices dated from January to June")
    assert tuple(lease) == ("token", "host:1")
    assert probe == "ui"
