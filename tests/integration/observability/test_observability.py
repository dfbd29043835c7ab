"""Observability on both stacks: the worker's log lines carry the request and document ids the API
gave, /metrics exposes every metric the alert rules and the dashboard name (with labelled series,
from documents really processed), and a broker that cannot be reached does not fail a scrape."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import promql_parser
import pytest
import yaml
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlmodel import Session

from api.metrics import render_metrics
from ingest.accounts.lifecycle import create_account, create_operator
from ingest.availability.probes import latest_measurements, store_measurements
from ingest.contract.availability import Measurement
from ingest.platform.columns import utcnow
from ingest.platform.outbox import PROCESS_DOCUMENT, OutboxMessage
from tests.integration.api.test_api import post_batch
from tests.integration.conftest import REPO, Firm, Stack, WorkerProcess, auth, wait_for
from tests.support.files import scan, text_pdf
from tests.support.logs import json_lines

RULES = REPO / "infra" / "prometheus" / "alerts.yaml"
DASHBOARD = REPO / "infra" / "grafana" / "bordereau.json"
REQUEST_ID = "obs-test-0123456789"


@dataclass
class Processed:
    stack: Stack
    client: TestClient
    operator: dict[str, str]
    document_ids: dict[str, str]  # filename -> id
    worker_log: Path
    echoed_request_id: str


@pytest.fixture(scope="module")
def processed(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Processed]:
    """A text PDF and a scan (OCR) uploaded with our X-Request-ID and processed by a real worker."""
    from api.app import create_app

    log = tmp_path_factory.mktemp("obs") / "worker.log"
    worker = WorkerProcess(stack, log).start()
    try:
        with TestClient(create_app(stack.settings)) as client, Session(stack.engine) as session:
            account = create_account(session, "Cabinet Obs", "firm", f"{uuid.uuid4().hex[:8]}@example.test")
            operator = auth(create_operator(session, f"op-{uuid.uuid4().hex[:8]}@provider.test").api_key)
            dossier = client.post("/v1/dossiers", json={"name": "SARL Obs"}, headers=auth(account.api_key)).json()
            firm = Firm(account, dossier["id"], {**auth(account.api_key), "X-Request-ID": REQUEST_ID})
            sent = post_batch(client, firm, [("f.pdf", text_pdf("Facture F-9\nTotal TTC 12,00 EUR")),
                                             ("s.png", scan("PNG"))])
            assert sent.status_code == 202, sent.text
            batch_id = sent.json()["id"]
            wait_for(lambda: client.get(f"/v1/batches/{batch_id}", headers=firm.headers).json()["state"] == "done",
                     120, what=lambda: f"the batch processed; worker log:\n{worker.log()}")
            docs = client.get(f"/v1/batches/{batch_id}", headers=firm.headers).json()["documents"]
            yield Processed(stack, client, operator, {d["filename"]: d["id"] for d in docs}, log,
                            sent.headers["X-Request-ID"])
    finally:
        worker.stop()


def test_the_worker_logs_each_document_with_the_request_that_sent_it(processed: Processed) -> None:
    assert processed.echoed_request_id == REQUEST_ID
    lines = json_lines(processed.worker_log)
    for doc_id in processed.document_ids.values():
        mine = [line for line in lines if line.get("document_id") == doc_id]
        assert mine, f"no log line for {doc_id}:\n{processed.worker_log.read_text()[-3000:]}"
        assert all(line.get("request_id") == REQUEST_ID and line.get("task_id") for line in mine), mine


def test_an_unsafe_request_id_is_replaced_by_one_of_ours(client: TestClient) -> None:
    for unsafe in ("two words", "x" * 65, "<script>"):
        answered = client.get("/v1/echo", headers={"X-Request-ID": unsafe}).headers["X-Request-ID"]
        assert answered != unsafe and len(answered) == 32 and int(answered, 16) >= 0
    assert client.get("/v1/echo", headers={"X-Request-ID": "abc-1.2:3_4"}).headers["X-Request-ID"] == "abc-1.2:3_4"


def _samples(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    found: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found.setdefault(sample.name, []).append((sample.labels, sample.value))
    return found


def _scrape(processed: Processed) -> dict[str, list[tuple[dict[str, str], float]]]:
    resp = processed.client.get("/metrics", headers=processed.operator)
    assert resp.status_code == 200, resp.text
    return _samples(resp.text)


def _names(expr: str) -> set[str]:
    """The metric names an expression selects (parsing it is the first check: a syntax error raises)."""
    names: set[str] = set()

    def visit(node: object) -> None:
        if isinstance(node, promql_parser.VectorSelector):
            assert node.name, f"a selector without a metric name in {expr!r}"
            names.add(node.name)

    promql_parser.walk(promql_parser.parse(expr), visit)
    return names


def _rule_expressions() -> list[str]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    assert groups and all(g["name"] and g["rules"] for g in groups)
    exprs = []
    for group in groups:
        for rule in group["rules"]:
            assert set(rule) <= {"alert", "expr", "for", "labels", "annotations"} and rule["alert"], rule
            if "for" in rule:
                promql_parser.parse_duration(rule["for"])
            exprs.append(rule["expr"])
    return exprs


def _dashboard_expressions() -> list[str]:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    return [target["expr"] for panel in panels for target in panel["targets"]]


def test_the_alert_rules_cover_what_the_issue_asks() -> None:
    named = set().union(*(_names(e) for e in _rule_expressions()))
    assert {"bordereau_daily_batches", "bordereau_outbox_lag_seconds", "bordereau_worker_concurrency",
            "bordereau_purge_last_run_state", "bordereau_availability_month_ratio"} <= named


def test_every_metric_the_rules_and_dashboard_name_is_exposed(processed: Processed) -> None:
    with Session(processed.stack.engine) as session:  # a probe round, so that the probes' series exist
        now = utcnow()
        store_measurements(session, [Measurement("ui", now, 200, 12.0), Measurement("api", now, None, None)],
                           f"obs-{uuid.uuid4().hex[:6]}")
        session.commit()
    exposed = _scrape(processed)
    for expr in _rule_expressions() + _dashboard_expressions():
        missing = {name for name in _names(expr) if not exposed.get(name)}
        assert not missing, f"{expr!r} names metrics /metrics does not expose: {missing}"
    # The latest measurement of each probe, whoever took it (other tests of the session take some):
    # the gauge says its result; when it is the one just stored, a failure.
    with Session(processed.stack.engine) as session:
        latest = latest_measurements(session)["api"]
    assert latest.ok is (latest.at != now)
    assert ({"probe": "api"}, 1.0 if latest.ok else 0.0) in exposed["bordereau_probe_ok"]


def test_latency_and_ocr_histograms_count_the_documents_just_processed(processed: Processed) -> None:
    exposed = _scrape(processed)
    counts = {(labels["flow"], labels["kind"]): value
              for labels, value in exposed["bordereau_processing_latency_seconds_count"]}
    assert counts[("daily", "pdf")] >= 1 and counts[("daily", "png")] >= 1
    ocr = {(labels["flow"], labels["kind"]): value for labels, value in exposed["bordereau_ocr_seconds_per_page_count"]}
    assert ocr[("daily", "png")] >= 1 and ("daily", "pdf") not in ocr  # a text PDF needs no OCR
    infinite = [v for labels, v in exposed["bordereau_processing_latency_seconds_bucket"]
                if labels["le"] == "+Inf" and labels["kind"] == "png" and labels["flow"] == "daily"]
    assert infinite == [counts[("daily", "png")]]
    assert exposed["bordereau_broker_up"] == [({}, 1.0)]
    assert {labels["queue"] for labels, _ in exposed["bordereau_queue_depth"]} == {"daily", "bulk", "ops", "dead"}


def test_outbox_lag_is_the_age_of_the_oldest_unpublished_message(processed: Processed) -> None:
    engine = processed.stack.engine
    with Session(engine) as session:  # held by a relay for an hour: nobody publishes it meanwhile
        row = OutboxMessage(task=PROCESS_DOCUMENT, queue="daily", document_id=None,
                            created_at=utcnow() - timedelta(days=10), claimed_until=utcnow() + timedelta(hours=1))
        session.add(row)
        session.commit()
        row_id = row.id
    try:
        # Ten days: older than anything another test of the session could leave unpublished.
        lag = _scrape(processed)["bordereau_outbox_lag_seconds"][0][1]
        assert 10 * 86400 <= lag < 10 * 86400 + 300
    finally:
        with Session(engine) as session:
            session.delete(session.get(OutboxMessage, row_id))
            session.commit()


def test_a_broker_out_of_reach_does_not_fail_the_scrape(processed: Processed) -> None:
    unreachable = processed.stack.settings.model_copy(update={"broker_url": "amqp://guest:guest@127.0.0.1:1//"})
    exposed = _samples(render_metrics(processed.stack.engine, unreachable).decode())
    assert exposed["bordereau_broker_up"] == [({}, 0.0)]
    assert "bordereau_queue_depth" not in exposed and exposed["bordereau_documents"]

