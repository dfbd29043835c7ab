"""Every table module of the service, by name: importing this module registers the whole schema.

SQLAlchemy resolves a foreign key by table name when it first needs it, so a process must have
imported the table a key points to before it writes rows that refer to it. The composition root
(`ingest.resources`) and the migrations' environment import this module, so that every process
and every migration sees the same, complete schema. A new table module is added here.
"""

from __future__ import annotations

from sqlmodel import SQLModel

import ingest.accounts.tables
import ingest.availability.tables
import ingest.billing.tables
import ingest.flow.tables
import ingest.history.tables
import ingest.intake.tables
import ingest.journal.tables
import ingest.platform.models
import ingest.platform.outbox
import ingest.processing.tables
import ingest.support.tables

TABLE_MODULES = (
    ingest.platform.models, ingest.platform.outbox, ingest.accounts.tables, ingest.intake.tables,
    ingest.processing.tables, ingest.flow.tables, ingest.billing.tables, ingest.history.tables,
    ingest.support.tables, ingest.availability.tables, ingest.journal.tables,
)
metadata = SQLModel.metadata
