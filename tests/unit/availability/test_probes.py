"""The prober against local sockets (refused, silent, slow, erroring), and the pure
helpers of the availability service. No database."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ingest.availability.probes import PROBE_PATHS, measure_probes
from ingest.availability.report import (
    current_month,
    month_ended,
)
from ingest.platform.settings import Settings
from tests.support.services import free_port
from workers.tasks_probes import beat_entries, probe_base_url

AT = datetime(2025, 3, 4, 8, 0, tzinfo=UTC)


def fixed_clock() -> datetime:
    return AT


class _Handler(BaseHTTPRequestHandler):
    delay_s = 0.0
    status = 200

    def do_GET(self) -> None:  # the standard library's name
        time.sleep(self.delay_s)
        body = b"ok"
        self.send_response(self.status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_server(request: pytest.FixtureRequest) -> Iterator[str]:
    delay, status = request.param
    handler = type("Handler", (_Handler,), {"delay_s": delay, "status": status})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_refused_connection_is_a_measurement_without_status() -> None:
    measurements = measure_probes(f"http://127.0.0.1:{free_port()}", fixed_clock, timeout=2)
    assert [(m.probe, m.at, m.status, m.latency_ms, m.ok) for m in measurements] == [
        ("ui", AT, None, None, False), ("api", AT, None, None, False)]


def test_a_silent_server_times_out_without_status() -> None:
    # The kernel completes the handshake into the backlog; nothing ever answers.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        started = time.monotonic()
        measurements = measure_probes(f"http://127.0.0.1:{listener.getsockname()[1]}", fixed_clock,
                                      timeout=0.3)
        elapsed = time.monotonic() - started
    assert [(m.status, m.latency_ms) for m in measurements] == [(None, None), (None, None)]
    assert elapsed < 2.0  # bounded by the timeout, twice


@pytest.mark.parametrize("http_server", [(1.05, 200)], indirect=True)
def test_a_slow_answer_keeps_its_status_and_latency_and_is_ko_for_the_ui(http_server: str) -> None:
    ui, api = measure_probes(http_server, fixed_clock, timeout=5)
    assert ui.status == 200 and ui.latency_ms is not None and ui.latency_ms >= 1000
    assert not ui.ok  # the web asset must come in under 1 s
    assert api.ok  # the echo API has 5 s


@pytest.mark.parametrize("http_server", [(0.0, 503)], indirect=True)
def test_an_error_status_is_stored_as_such_and_is_ko(http_server: str) -> None:
    measurements = measure_probes(http_server + "/", fixed_clock, timeout=5)
    assert [(m.status, m.ok) for m in measurements] == [(503, False), (503, False)]
    assert all(m.latency_ms is not None and m.latency_ms < 1000 for m in measurements)


def test_probe_targets_and_base_url() -> None:
    assert PROBE_PATHS == {"ui": "/ui/ui.css", "api": "/v1/echo"}
    assert probe_base_url(Settings(api_url="http://a:1")) == "http://a:1"
    assert probe_base_url(Settings(api_url="http://a:1", probe_base_url="https://b")) == "https://b"


def test_beat_runs_the_probes_every_three_minutes_on_the_ops_queue() -> None:
    entries = beat_entries(Settings(queue_prefix="p."))
    probes = entries["run-probes"]
    assert probes["task"] == "bordereau.run_probes" and probes["schedule"] == 180.0
    assert probes["options"]["queue"] == "p.ops"  # type: ignore[index]
    assert entries["decide-credit-claims"]["task"] == "bordereau.decide_credit_claims"



def test_current_month_and_month_end_are_paris_ones() -> None:
    new_year_in_paris = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert current_month(new_year_in_paris) == "2027-01"
    assert month_ended("2026-12", new_year_in_paris)
    assert not month_ended("2026-12", new_year_in_paris - timedelta(minutes=31))
    with pytest.raises(ValueError):
        current_month(datetime(2026, 1, 1))

