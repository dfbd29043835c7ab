"""A firm's dossier with its SIREN, and invoices uploaded and processed through the real path."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

import ingest.processing.process as processing
from ingest.accounts.lifecycle import NewAccount
from ingest.documents.limits import Limits
from ingest.documents.ocr import OcrConfig
from ingest.platform.models import Document
from ingest.processing.process import Outcome, process_document
from tests.integration.conftest import Stack, auth

DOSSIER_SIREN = "552100554"


@dataclass
class Books:
    """An account, one of its dossiers (with a SIREN) and its key's headers."""

    account: NewAccount
    dossier_id: str
    headers: dict[str, str]

    def upload(self, client: TestClient, files: list[tuple[str, bytes]]) -> list[str]:
        resp = client.post("/v1/batches", data={"dossier_id": self.dossier_id},
                           files=[("files", f) for f in files], headers=self.headers)
        assert resp.status_code == 202, resp.text
        return [doc["id"] for doc in resp.json()["documents"]]


@pytest.fixture
def books_factory(client: TestClient, account_factory: Callable[..., NewAccount]) -> Callable[..., Books]:
    def make(siren: str | None = DOSSIER_SIREN) -> Books:
        account = account_factory(f"Cabinet {uuid.uuid4().hex[:6]}")
        body = {"name": "Menuiserie Martin SARL", **({"siren": siren} if siren else {})}
        resp = client.post("/v1/dossiers", json=body, headers=auth(account.api_key))
        assert resp.status_code == 201, resp.text
        return Books(account, resp.json()["id"], auth(account.api_key))
    return make


@pytest.fixture
def books(books_factory: Callable[..., Books]) -> Books:
    return books_factory()


@pytest.fixture
def process(stack: Stack) -> Callable[..., list[Document]]:
    """Process documents here, through the real processing path (lease, analysis, fields, flags,
    duplicates); `at` is processing's clock, so that the corpus's 2017–2018 invoices fall inside the
    two-year history instead of being rejected as too old."""
    def run(doc_ids: list[str], at: datetime | None = None) -> list[Document]:
        return process_now(stack, doc_ids, at)
    return run


def process_now(stack: Stack, doc_ids: list[str], at: datetime | None = None) -> list[Document]:
    """Process `doc_ids` in this process, processing's clock set to `at` meanwhile; the documents after."""
    with pytest.MonkeyPatch.context() as patch:
        if at is not None:
            patch.setattr(processing, "utcnow", lambda: at)
        for doc_id in doc_ids:
            outcome = process_document(stack.engine, stack.store, Limits(), doc_id, max_attempts=3,
                                       lease_duration=timedelta(minutes=5), ocr=OcrConfig())
            assert outcome in (Outcome.processed, Outcome.rejected), (doc_id, outcome)
    with Session(stack.engine) as session:
        return [doc for doc_id in doc_ids if (doc := session.get(Document, doc_id)) is not None]
