"""Migration 0019 adds nullable columns only: a message the previous release wrote is published as
before (without a request id), and the migration goes down and up again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import command

from ingest.platform.db import alembic_config, make_engine
from ingest.platform.outbox import claim


def test_a_message_written_before_is_claimed_without_a_request_id(empty_database: str) -> None:
    config = alembic_config(empty_database)
    command.upgrade(config, "0018")
    engine = make_engine(empty_database)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO outbox (task, queue, document_id, created_at) "
                             "VALUES ('bordereau.process_document', 'daily', 'd1', :at)"),
                     {"at": datetime(2026, 11, 30, tzinfo=UTC)})
    command.upgrade(config, "heads")
    [message] = claim(engine, 10, timedelta(seconds=60))
    assert (message.document_id, message.request_id) == ("d1", None)
    command.downgrade(config, "0018")
    with engine.connect() as conn:
        assert "request_id" not in {c["name"] for c in sa.inspect(conn).get_columns("outbox")}
        assert "ocr_seconds" not in {c["name"] for c in sa.inspect(conn).get_columns("documents")}
    command.upgrade(config, "heads")
    with engine.connect() as conn:
        assert {"ocr_seconds", "ocr_pages"} <= {c["name"] for c in sa.inspect(conn).get_columns("documents")}
    engine.dispose()
