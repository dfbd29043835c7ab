"""Every route of the OpenAPI document, walked with values in and out of its ranges: no input may
get a 5xx. Values come from the document itself (schemathesis), both as it allows them and as it
does not (negative mode: out of range, wrong type, missing); each request goes with a client's
key, then with an operator's, on both stacks."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from sqlmodel import Session

from ingest.accounts.lifecycle import create_operator
from tests.integration.conftest import Firm, Stack, auth

EXAMPLES = 8  # per route, mode and key: enough to reach every parameter's edges, short enough for CI


@pytest.fixture
def keys(stack: Stack, firm: Firm) -> dict[str, dict[str, str]]:
    with Session(stack.engine) as session:
        operator = create_operator(session, f"op-{uuid.uuid4().hex[:8]}@provider.test")
    return {"client": firm.headers, "operator": auth(operator.api_key)}


@pytest.fixture
def app(client: TestClient) -> Iterator[FastAPI]:
    yield client.app  # type: ignore[misc]  # started, with its resources, by the client fixture


def _operations(app: FastAPI) -> list[Any]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["in", "out"])
def test_no_input_gets_a_server_error(app: FastAPI, keys: dict[str, dict[str, str]], mode: GenerationMode) -> None:
    failures: list[str] = []
    for operation in _operations(app):
        if operation.path == "/metrics":
            continue  # read from the database at every scrape; covered by its own tests
        for who, headers in keys.items():
            failures += _walk(operation, mode, headers, who)
    assert not failures, "\n".join(failures[:20])


def _walk(operation: Any, mode: GenerationMode, headers: dict[str, str], who: str) -> list[str]:
    found: list[str] = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(operation.as_strategy(generation_mode=mode))
    def walk(case: Any) -> None:
        response = case.call(headers={**(case.headers or {}), **headers})
        if response.status_code >= 500:
            found.append(f"{who}: {case.method} {case.formatted_path} query={case.query!r} body={case.body!r:.200}"
                         f" -> {response.status_code} {response.text[:200]}")

    try:
        walk()
    except Exception as exc:  # an input the generator cannot build for this operation
        if "Unsatisfiable" not in type(exc).__name__:
            raise
    return found
