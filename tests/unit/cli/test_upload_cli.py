"""What `bordereau upload --wait` prints of each batch."""

from __future__ import annotations

from cli.upload import describe_flow


def test_upload_wait_shows_flow_reason_and_due_or_eta() -> None:
    daily = {"id": "0123456789", "flow": "daily", "flow_decision": {"reason": "within_daily_volume",
             "message": "40 documents, 1.1× this dossier's usual daily volume of 35"},
             "due_at": "2026-03-04T09:00:00+00:00", "eta": "2026-03-02T09:05:00+00:00",
             "sla_state": "on_track"}
    line = describe_flow(daily)
    assert line.startswith("01234567 daily: within_daily_volume: 40 documents")
    assert "due 2026-03-04" in line and "expected 2026-03-02" in line and "(on_track)" in line
    bulk = {"id": "abcdefgh12", "flow": "bulk",
            "flow_decision": {"reason": "spans_months", "message": "invoices dated …"},
            "reclassified_at": "2026-03-02T10:00:00+00:00", "eta": "2026-03-05T12:00:00+00:00",
            "eta_computed_at": "2026-03-02T10:00:00+00:00"}
    line = describe_flow(bulk)
    assert "bulk (reclassified 2026-03-02" in line and "ETA 2026-03-05" in line
    assert describe_flow({**bulk, "eta": None}).endswith("ETA not yet computed")


def test_an_eta_not_yet_measured_is_printed_as_a_range_with_its_basis() -> None:
    first = {"id": "abcdefgh12", "flow": "bulk", "flow_decision": {"reason": "declared_bulk", "message": "…"},
             "eta": "2026-03-05T12:00:00+00:00", "eta_computed_at": "2026-03-02T10:00:00+00:00",
             "eta_basis": "borrowed", "eta_earliest": "2026-03-04T08:00:00+00:00",
             "eta_latest": "2026-03-06T20:00:00+00:00"}
    line = describe_flow(first)
    assert "ETA between 2026-03-04" in line and "and 2026-03-06" in line
    assert "from the daily flow's pace" in line
    measured = {**first, "eta_basis": "measured", "eta_earliest": None, "eta_latest": None}
    assert "ETA 2026-03-05" in describe_flow(measured) and "between" not in describe_flow(measured)
