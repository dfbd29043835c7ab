"""ETA and 48-hour rules of `ingest.flow.sla` and the reason encoding of `ingest.flow.classification`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ingest.flow.classification import SlaState
from ingest.flow.eta import HALF_LIFE_S, PRIOR_SECONDS, EtaBasis, Throughput, Work
from ingest.flow.sla import (
    MIN_CAPACITY_SAMPLES,
    MIN_OWN_SAMPLES,
    Measured,
    OpenBatch,
    Sample,
    bulk_etas,
    cost_kinds,
    daily_etas,
    eta_kind,
    measure,
    measured_capacity,
    pending_work,
    sla_state,
)
from ingest.platform.models import Batch

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DUE = NOW + timedelta(hours=20)
MARGIN = timedelta(hours=6)


@pytest.mark.parametrize(("expected", "finished", "now", "state"), [
    (NOW + timedelta(hours=1), None, NOW, SlaState.on_track),
    (DUE + timedelta(minutes=1), None, NOW, SlaState.at_risk),  # expected after due
    (NOW + timedelta(hours=1), None, DUE - timedelta(hours=5), SlaState.at_risk),  # inside the margin
    (None, None, DUE - timedelta(hours=7), SlaState.on_track),
    (None, None, DUE + timedelta(seconds=1), SlaState.breached),
    (None, DUE, DUE + timedelta(days=3), SlaState.met),  # finished exactly at due time
    (None, DUE + timedelta(seconds=1), DUE + timedelta(days=3), SlaState.breached),
])
def test_sla_state(expected, finished, now, state) -> None:
    assert sla_state(now, DUE, expected, finished, MARGIN) is state


@pytest.mark.parametrize(("kind", "chars", "flavour", "want"), [
    ("xml", None, None, "einvoice"), ("pdf", 900, "factur-x", "einvoice"), ("pdf", 900, None, "text_pdf"),
    ("pdf", 0, None, "scan"), ("pdf", None, None, "scan"), ("jpeg", None, None, "scan"),
    ("tiff", 12, None, "scan"),
])
def test_eta_kind(kind, chars, flavour, want) -> None:
    assert eta_kind(kind, chars, flavour) == want


def _samples(n: int, concurrency: int, seconds: float, flow: str = "bulk", kind: str = "text_pdf",
             since: datetime = NOW, history: bool = False) -> list[Sample]:
    """`concurrency` documents at a time, back to back, each `seconds` long, from `since`."""
    out = []
    for i in range(n):
        start = since + timedelta(seconds=(i // concurrency) * seconds)
        out.append(Sample(kind, flow, start, start + timedelta(seconds=seconds), history))
    return out


def test_measured_capacity_is_the_concurrency_when_busy_and_less_with_gaps() -> None:
    assert measured_capacity(_samples(MIN_CAPACITY_SAMPLES - 1, 2, 1.0)) is None
    assert measured_capacity(_samples(40, 2, 1.0)) == pytest.approx(2.0)
    gappy = [Sample(s.kind, s.flow, s.started_at + (s.started_at - NOW), s.finished_at + (s.started_at - NOW))
             for s in _samples(40, 1, 1.0)]  # one second of work, one second idle
    assert measured_capacity(gappy) == pytest.approx(40 / 79)


def test_each_flow_is_measured_on_its_own_samples() -> None:
    bulk = _samples(40, 4, 0.5, "bulk")
    daily = _samples(40, 1, 0.2, "daily")
    m = measure({"bulk": bulk, "daily": daily}, fallback_concurrency=3)
    assert m.capacity["bulk"] == pytest.approx(4.0, rel=0.05)
    assert m.capacity["daily"] == pytest.approx(1.0, rel=0.05)
    assert m.throughput["bulk"].seconds_per_document["text_pdf"] == pytest.approx(0.5)
    assert m.throughput["daily"].seconds_per_document["text_pdf"] == pytest.approx(0.2)


def test_a_flow_without_samples_borrows_the_others() -> None:
    # The first archive: only daily work measured so far.
    m = measure({"daily": _samples(40, 1, 0.2, "daily"), "bulk": []}, fallback_concurrency=3)
    assert m.throughput["bulk"].seconds_per_document["text_pdf"] == pytest.approx(0.2)
    assert m.capacity["bulk"] == pytest.approx(m.capacity["daily"])
    # A handful of its own is not enough yet.
    few = _samples(MIN_OWN_SAMPLES - 1, 1, 5.0, "bulk")
    m = measure({"daily": _samples(40, 1, 0.2, "daily"), "bulk": few}, fallback_concurrency=3)
    assert m.throughput["bulk"].seconds_per_document["text_pdf"] < 5.0


def test_a_borrowed_capacity_is_scaled_to_the_live_pool_of_the_flow() -> None:
    # Four daily processes measured fully busy; the bulk pool that will take the archive has two.
    daily = _samples(40, 4, 0.2, "daily")
    m = measure({"daily": daily, "bulk": []}, fallback_concurrency=3, concurrency={"daily": 4, "ops": 4, "bulk": 2})
    assert m.capacity["daily"] == pytest.approx(4.0, rel=0.05)
    assert m.capacity["bulk"] == pytest.approx(2.0, rel=0.05)
    # The flow's own measurements are not rescaled: they were taken on its pool.
    bulk = _samples(40, 3, 0.5, "bulk")
    m = measure({"daily": daily, "bulk": bulk}, fallback_concurrency=3, concurrency={"daily": 4, "bulk": 2})
    assert m.capacity["bulk"] == pytest.approx(3.0, rel=0.05)
    # A pool not known (no worker heard from) leaves the borrowed capacity as measured.
    m = measure({"daily": daily, "bulk": []}, fallback_concurrency=3, concurrency={"bulk": 2})
    assert m.capacity["bulk"] == pytest.approx(4.0, rel=0.05)


def test_without_any_sample_the_live_pool_or_the_configured_workers_are_used() -> None:
    m = measure({"daily": [], "bulk": []}, fallback_concurrency=3)
    assert m.capacity == {"daily": 3.0, "bulk": 3.0}
    assert m.throughput["bulk"].seconds_per_document == PRIOR_SECONDS
    m = measure({"daily": [], "bulk": []}, fallback_concurrency=3, concurrency={"daily": 4, "bulk": 1})
    assert m.capacity == {"daily": 4.0, "bulk": 1.0}


def test_the_share_of_scans_is_each_flows_own() -> None:
    archives = _samples(30, 4, 0.5, "bulk", "scan") + _samples(10, 4, 0.5, "bulk")
    m = measure({"bulk": archives, "daily": _samples(40, 1, 0.5, "daily")}, 3)
    assert m.scan_share_of_pdfs == {"bulk": pytest.approx(0.75), "daily": 0.0}
    # Too few of its own: both flows' documents.
    m = measure({"bulk": archives, "daily": _samples(5, 1, 0.5, "daily", "scan")}, 3)
    assert m.scan_share_of_pdfs["daily"] == pytest.approx(35 / 45)


def test_each_cost_and_the_pace_say_what_they_stand_on() -> None:
    # A deployment's first archive: daily work only, text PDFs and a few e-invoices.
    daily = _samples(40, 1, 0.2, "daily") + _samples(3, 1, 0.1, "daily", "einvoice")
    m = measure({"daily": daily, "bulk": []}, fallback_concurrency=3)
    assert m.cost_basis["daily"] == {"text_pdf": EtaBasis.measured, "einvoice": EtaBasis.borrowed,
                                     "scan": EtaBasis.none}
    assert m.cost_basis["bulk"] == {"text_pdf": EtaBasis.borrowed, "einvoice": EtaBasis.borrowed,
                                    "scan": EtaBasis.none}
    assert m.capacity_basis == {"daily": EtaBasis.measured, "bulk": EtaBasis.borrowed}
    assert m.basis("bulk", ["text_pdf"]) is EtaBasis.borrowed
    assert m.basis("daily", ["text_pdf"]) is EtaBasis.measured
    assert m.basis("daily", ["text_pdf", "scan"]) is EtaBasis.none
    # Once the archive ran: bulk text PDFs are measured, at bulk's own pace.
    m = measure({"daily": daily, "bulk": _samples(40, 2, 0.5)}, fallback_concurrency=3)
    assert m.basis("bulk", ["text_pdf"]) is EtaBasis.measured
    assert m.throughput["bulk"].seconds_per_document["text_pdf"] == pytest.approx(0.5)
    # Nothing at all: priors at the configured pool.
    m = measure({"daily": [], "bulk": []}, fallback_concurrency=3)
    assert m.capacity_basis == {"daily": EtaBasis.none, "bulk": EtaBasis.none}


def test_an_older_archive_costs_a_kind_the_recent_window_lacks() -> None:
    # Last week's archive of scans (read apart: older than the window), then text PDFs since.
    scans = _samples(30, 2, 6.0, "bulk", "scan", since=NOW - timedelta(days=7), history=True)
    recent = _samples(40, 2, 0.5)
    m = measure({"daily": [], "bulk": scans + recent}, fallback_concurrency=3, now=NOW + timedelta(minutes=5))
    assert m.throughput["bulk"].seconds_per_document["scan"] == pytest.approx(6.0)
    assert m.cost_basis["bulk"]["scan"] is EtaBasis.measured
    # Old scans say nothing of today's mix or pace: no scans among today's PDFs, a pool of 2.
    assert m.scan_share_of_pdfs["bulk"] == 0.0
    assert m.capacity["bulk"] == pytest.approx(2.0, rel=0.05)


def test_recent_measurements_of_a_kind_outweigh_older_ones() -> None:
    old = _samples(30, 1, 4.0, "bulk", "scan", since=NOW - timedelta(seconds=2 * HALF_LIFE_S))
    new = _samples(30, 1, 1.0, "bulk", "scan")
    m = measure({"daily": [], "bulk": old + new}, fallback_concurrency=1, now=NOW)
    assert m.throughput["bulk"].seconds_per_document["scan"] == pytest.approx((4 + 4 * 1) / 5, rel=0.01)


def test_pending_pdfs_are_costed_as_the_kinds_of_the_flows_mix() -> None:
    assert cost_kinds(_measured(0.0), "bulk", "pdf") == ("text_pdf",)
    assert cost_kinds(_measured(0.25), "bulk", "pdf") == ("text_pdf", "scan")
    assert cost_kinds(_measured(1.0), "bulk", "pdf") == ("scan",)
    assert cost_kinds(_measured(0.25), "bulk", "xml") == ("einvoice",)
    assert cost_kinds(_measured(0.25), "bulk", "tiff") == ("scan",)


def _measured(scan_share: float = 0.0) -> Measured:
    costs = Throughput({"einvoice": 0.5, "text_pdf": 1.0, "scan": 10.0})
    return Measured({"daily": costs, "bulk": costs}, {"daily": 1.0, "bulk": 1.0},
                    {"daily": scan_share, "bulk": scan_share})


def test_pending_pdfs_are_costed_by_the_measured_share_of_scans() -> None:
    assert pending_work(_measured(0.25), "bulk", "pdf", 4) == Work(4, 4 * (0.25 * 10 + 0.75 * 1))
    assert pending_work(_measured(0.25), "bulk", "png", 2) == Work(2, 20.0)
    assert pending_work(_measured(), "daily", "xml", 2) == Work(2, 1.0)


def _open(id_: str, account: str, dossier: str, flow: str, docs: int, minute: int) -> OpenBatch:
    batch = Batch(id=id_, account_id=account, dossier_id=dossier, flow=flow,
                  received_at=NOW + timedelta(minutes=minute))
    return OpenBatch(batch, Work(docs, float(docs)))


def test_bulk_etas_follow_the_round_robin_schedule() -> None:
    open_ = [_open("a1", "A", "a", "bulk", 1000, 0), _open("a2", "A", "a", "bulk", 100, 1),
             _open("d1", "D", "d", "bulk", 100, 2), _open("x", "B", "b", "daily", 50, 3)]
    etas = bulk_etas(NOW, open_, capacity=2.0)
    assert set(etas) == {"a1", "a2", "d1"}
    # D's 100 alternate with A's: 200 worker-seconds at 2 workers.
    assert etas["d1"] == NOW + timedelta(seconds=100)
    # A's second batch waits behind its first: all of A's 1,100 plus D's 100.
    assert etas["a2"] == NOW + timedelta(seconds=600)
    assert etas["a1"] < etas["a2"]


def test_daily_etas_are_first_come_first_served() -> None:
    open_ = [_open("x", "B", "b", "daily", 50, 0), _open("big", "A", "a", "bulk", 10_000, 1),
             _open("y", "C", "c", "daily", 10, 2)]
    expected = daily_etas(NOW, open_, capacity=1.0)
    assert expected == {"x": NOW + timedelta(seconds=50), "y": NOW + timedelta(seconds=60)}




def test_measured_capacity_leaves_long_idle_periods_out() -> None:
    morning = _samples(30, 2, 1.0)
    evening = [Sample(s.kind, s.flow, s.started_at + timedelta(hours=8), s.finished_at + timedelta(hours=8))
               for s in morning]
    assert measured_capacity(morning + evening) == pytest.approx(2.0)



def test_older_documents_are_read_only_for_the_kinds_waiting_work_is_costed_as() -> None:
    from collections import Counter

    from ingest.flow.sla import _needed_kinds

    assert _needed_kinds({"png"}, Counter()) == {"scan"}
    assert _needed_kinds({"xml"}, Counter({"text_pdf": 2000})) == {"einvoice"}
    # A PDF is costed as a scan in the window's share of scans: none there, no scan cost needed.
    assert _needed_kinds({"pdf"}, Counter({"text_pdf": 2000})) == {"text_pdf"}
    assert _needed_kinds({"pdf"}, Counter({"text_pdf": 1990, "scan": 10})) == {"text_pdf", "scan"}
    assert _needed_kinds(set(), Counter()) == set()
