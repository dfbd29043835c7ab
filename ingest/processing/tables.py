"""Tables of processing: the workers that are up (the documents' lease lives on their rows)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from ingest.platform.columns import instant


class WorkerPresence(SQLModel, table=True):
    """A worker process that is up: which logical queues it consumes, with how many pool processes.

    Written by the worker itself when it starts and every `ingest.processing.presence.HEARTBEAT_S` after,
    deleted when it stops; a killed worker's row goes stale and is ignored, then pruned.
    """

    __tablename__ = "worker_presence"
    node: str = Field(primary_key=True, max_length=200)
    queues: str = Field(max_length=100)  # logical names, comma-separated: "daily,ops", "bulk"
    concurrency: int
    started_at: datetime = instant()
    seen_at: datetime = instant(index=True)
