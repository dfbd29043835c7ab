"""Reading a stack's state for comparison: rows of the tables a restore must bring back, and the
sha256 of every object a row names."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, SQLModel

import ingest.schema  # noqa: F401  (every table in the metadata)
from ingest.accounts.lifecycle import create_account
from tests.integration.conftest import Firm, Stack, auth
from tests.support.store import read


def open_firm(stack: Stack, client: TestClient) -> Firm:
    with Session(stack.engine) as session:
        acc = create_account(session, "Cabinet Durand", "firm", f"{uuid.uuid4().hex[:8]}@example.test")
    resp = client.post("/v1/dossiers", json={"name": "SARL Dupont"}, headers=auth(acc.api_key))
    assert resp.status_code == 201, resp.text
    return Firm(acc, resp.json()["id"], auth(acc.api_key))


def rows(stack: Stack, table: str, *, skip: tuple[str, ...] = ()) -> list[tuple[Any, ...]]:
    """Every row of `table` in primary-key order, without the columns in `skip`."""
    t = SQLModel.metadata.tables[table]
    columns = [c for c in t.columns if c.name not in skip]
    with stack.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(*columns).order_by(*t.primary_key.columns))]


def object_digests(stack: Stack) -> dict[str, str]:
    """sha256 of the original of every document, by document id, read back from the store."""
    docs = SQLModel.metadata.tables["documents"]
    with stack.engine.connect() as conn:
        keys = dict(conn.execute(sa.select(docs.c.id, docs.c.object_key)).all())
    return {doc_id: hashlib.sha256(read(stack.store, key)).hexdigest() for doc_id, key in keys.items()}


def store_keys(stack: Stack) -> set[str]:
    return {key for prefix in ("originals/", "derived/", "support/") for key, _, _ in stack.store.iter_keys(prefix)}


def last_json(output: str) -> dict[str, Any]:
    """The command's JSON answer: its last line (progress goes to stderr before it)."""
    return json.loads(output.strip().splitlines()[-1])  # type: ignore[no-any-return]
