"""What the page tests share: an account opened with an initial password for its administrator."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import Session

from ingest.accounts.lifecycle import NewAccount, create_account
from tests.integration.conftest import Stack


@pytest.fixture
def opened(stack: Stack) -> tuple[NewAccount, str]:
    email = f"admin-{uuid.uuid4().hex[:8]}@martin.test"
    with Session(stack.engine) as session:
        return create_account(session, "Cabinet Martin", "firm", email, initial_password=True), email
