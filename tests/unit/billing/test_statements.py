"""The pure assembly of a statement: credits mapped to periods, plans per period, billed keys."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest

from ingest.billing.statements import assemble, credit_period_index, credits_due
from ingest.contract.billing import LineKind, PeriodUsage, Plan, statement_total
from ingest.contract.periods import PARIS, period_start

ACTIVATION = datetime(2026, 1, 31, 10, 0, tzinfo=PARIS)
PLAN = Plan(2, 500, 15_000, 3, 40, 2_000)
BIGGER = Plan(3, 500, 15_000, 3, 40, 2_000)


@dataclass(frozen=True)
class FakeCredit:
    """Stands in for ingest.availability.credit_claims.GrantedCredit (same fields), in this unit test only."""

    month: str
    percent: int
    claim_id: str


def plan_for(index: int) -> Plan:
    return BIGGER if index >= 2 else PLAN


@pytest.mark.parametrize(("month", "index"), [
    ("2025-12", None), ("2026-01", 0), ("2026-02", 1), ("2026-03", 2), ("2027-01", 12),
])
def test_a_month_maps_to_the_period_starting_in_it(month: str, index: int | None) -> None:
    assert credit_period_index(ACTIVATION, month) == index
    if index is not None:
        start = period_start(ACTIVATION, index)
        assert f"{start.year:04d}-{start.month:02d}" == month


def test_credits_wait_until_their_period_has_closed_and_count_once() -> None:
    granted = [FakeCredit("2026-02", 10, "a"), FakeCredit("2026-02", 10, "b"), FakeCredit("2026-03", 10, "c")]
    credits = credits_due(ACTIVATION, 3, granted, plan_for)
    assert [(c.period_index, c.fee_cents, c.percent) for c in credits] == [(1, 30_000, 10), (2, 45_000, 10)]
    assert [c.period_index for c in credits_due(ACTIVATION, 2, granted, plan_for)] == [1]


def test_worked_example_with_a_credit_of_the_month_concerned() -> None:
    earlier = [PeriodUsage(1, 1_043, 3, PLAN)]
    lines = assemble(2, ACTIVATION, plan_for, earlier, set(), [FakeCredit("2026-02", 10, "x")])
    by_kind = {line.kind: line for line in lines}
    assert by_kind[LineKind.SUBSCRIPTION].amount_cents == 45_000  # the new plan, billed in advance
    assert by_kind[LineKind.DOCUMENT_OVERAGE].amount_cents == 2_064  # 43 × 0.40 € × 1.20
    assert by_kind[LineKind.AVAILABILITY_CREDIT].amount_cents == -3_000  # 10 % of period 1's 300 €
    assert statement_total(lines) == 45_000 + 2_064 - 3_000


def test_billed_keys_are_never_billed_again() -> None:
    earlier = [PeriodUsage(1, 1_043, 5, PLAN)]
    billed = {(1, "document_overage"), (1, "availability_credit")}
    lines = assemble(2, ACTIVATION, plan_for, earlier, billed, [FakeCredit("2026-02", 10, "x")])
    assert [line.kind for line in lines] == [LineKind.SUBSCRIPTION, LineKind.USER_OVERAGE]
    assert lines[1].amount_cents == 2 * 2_400
