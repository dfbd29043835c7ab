"""Billing rules (docs/contract.md §3 credits, §4 subscription, packs, billing)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.contract.billing import (
    Credit,
    Line,
    LineKind,
    PeriodUsage,
    Plan,
    UsageSummary,
    billed_keys,
    document_overage_cents,
    overage,
    statement_lines,
    statement_total,
    surcharged,
    thresholds_crossed,
    usage_summary,
)
from ingest.contract.money import format_euros, round_half_up_cents


def plan(
    packs: int = 2,
    pack_size: int = 500,
    pack_price_cents: int = 15_000,
    named_users: int = 3,
    extra_document_price_cents: int = 40,
    extra_user_price_cents: int = 2_000,
) -> Plan:
    return Plan(
        packs, pack_size, pack_price_cents, named_users, extra_document_price_cents, extra_user_price_cents
    )


def of_kind(lines: list[Line], kind: str) -> list[Line]:
    return [line for line in lines if line.kind == kind]


# --- money --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("euros", "cents"),
    [
        (Decimal("0.005"), 1),
        (Decimal("0.0049999"), 0),
        (Decimal("0.015"), 2),
        (Decimal("0.025"), 3),
        (Decimal("20.64"), 2064),
        (Decimal("20.645"), 2065),
        (Decimal("-0.005"), -1),  # symmetric: a credit mirrors a charge
        (Decimal("-0.004"), 0),
        (Decimal("0"), 0),
        (3, 300),
    ],
)
def test_round_half_up_cents(euros: Decimal, cents: int) -> None:
    assert round_half_up_cents(euros) == cents


def test_round_half_up_cents_refuses_floats_and_non_finite() -> None:
    with pytest.raises(TypeError):
        round_half_up_cents(0.005)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        round_half_up_cents(Decimal("NaN"))


@pytest.mark.parametrize(
    ("cents", "text"),
    [(2064, "20.64 €"), (40, "0.40 €"), (Decimal("39.6"), "0.396 €"), (30_000, "300.00 €"), (-101, "-1.01 €")],
)
def test_format_euros(cents: Decimal | int, text: str) -> None:
    assert format_euros(cents) == text


# --- plans and overage --------------------------------------------------------------------


def test_plan_allowance_and_fee() -> None:
    p = plan(packs=2, pack_size=500, pack_price_cents=15_000)
    assert p.allowance == 1_000
    assert p.fee_cents == 30_000


@pytest.mark.parametrize(
    "fields",
    [
        {"packs": -1},
        {"pack_size": 0},
        {"pack_price_cents": -1},
        {"named_users": -1},
        {"extra_document_price_cents": -40},
        {"extra_user_price_cents": -1},
    ],
)
def test_plan_refuses_negative_terms(fields: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        plan(**fields)


def test_plan_refuses_non_integer_prices() -> None:
    with pytest.raises(TypeError):
        plan(extra_document_price_cents=Decimal("0.40"))  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        plan(packs=True)


@pytest.mark.parametrize(
    ("documents", "users", "expected"),
    [(0, 0, (0, 0)), (1_000, 3, (0, 0)), (1_001, 3, (1, 0)), (1_043, 5, (43, 2)), (999, 4, (0, 1))],
)
def test_overage(documents: int, users: int, expected: tuple[int, int]) -> None:
    assert overage(PeriodUsage(1, documents, users, plan())) == expected


# --- statements ---------------------------------------------------------------------------


def test_worked_example_43_documents_over_at_40_cents() -> None:
    p = plan(packs=2, pack_size=500, extra_document_price_cents=40)
    lines = statement_lines(2, p, [PeriodUsage(1, 1_043, 3, p)], set(), [])
    [line] = of_kind(lines, "document_overage")
    assert (line.period_index, line.quantity, line.unit_price_cents) == (1, 43, Decimal("48"))
    assert line.amount_cents == 2_064  # 43 × 0.40 € × 1.20 = 20.64 €


@pytest.mark.parametrize(
    ("over", "price_cents", "amount_cents"),
    [
        (43, 40, 2_064),
        (1, 40, 48),
        (3, 33, 119),  # 1.188 € once on the line; 3 × round(0.396 €) would be 1.20 €
        (1, 33, 40),  # 0.396 € → 0.40 €
        (7, 1, 8),  # 8.4 cents → 8
        (9, 1, 11),  # 10.8 cents → 11
        (1_000_000, 45, 54_000_000),
    ],
)
def test_overage_line_rounds_once_on_the_total(over: int, price_cents: int, amount_cents: int) -> None:
    p = plan(packs=1, pack_size=100, extra_document_price_cents=price_cents)
    lines = statement_lines(1, p, [PeriodUsage(0, 100 + over, 0, p)], set(), [])
    [line] = of_kind(lines, "document_overage")
    assert line.amount_cents == amount_cents


@pytest.mark.parametrize(
    ("documents", "price_cents", "amount_cents"),
    [(999, 40, 0), (1_000, 40, 0), (1_043, 40, 2_064), (1_003, 33, 119)],
)
def test_document_overage_so_far_is_what_the_line_will_bill(documents: int, price_cents: int,
                                                            amount_cents: int) -> None:
    p = plan(packs=2, pack_size=500, extra_document_price_cents=price_cents)
    assert document_overage_cents(p, documents) == amount_cents
    assert surcharged(33) == Decimal("39.6")  # exact: rounded on the line, never per unit


def test_regularisation_lists_each_earlier_period_once() -> None:
    p = plan(packs=2, pack_size=500, extra_document_price_cents=50)
    # Over by 150, 50, 0 and 200 in periods 1 to 4.
    usage = [PeriodUsage(i, docs, 3, p) for i, docs in [(1, 1_150), (2, 1_050), (3, 900), (4, 1_200)]]
    lines = statement_lines(5, p, usage, set(), [])
    overage_lines = of_kind(lines, "document_overage")
    assert [(line.period_index, line.quantity, line.amount_cents) for line in overage_lines] == [
        (1, 150, 9_000),
        (2, 50, 3_000),
        (4, 200, 12_000),
    ]
    assert statement_total(overage_lines) == 24_000  # 400 × 0.60 €
    # Period 6's statement, with period 5's billed: no overage again.
    billed = billed_keys(lines)
    later = statement_lines(6, p, [*usage, PeriodUsage(5, 1_000, 3, p)], billed, [])
    assert [line.kind for line in later] == ["subscription"]


def test_no_rollover_and_no_offsetting_between_periods() -> None:
    p = plan(packs=2, pack_size=500)
    usage = [PeriodUsage(0, 600, 0, p), PeriodUsage(1, 1_300, 0, p)]
    lines = of_kind(statement_lines(2, p, usage, set(), []), "document_overage")
    # The 400 left in period 0 are lost; period 1 is 300 over its own allowance.
    assert [(line.period_index, line.quantity) for line in lines] == [(1, 300)]


def test_each_period_is_billed_on_its_own_plan() -> None:
    small = plan(packs=1, pack_size=500, extra_document_price_cents=40)
    large = plan(packs=4, pack_size=500, pack_price_cents=12_000, extra_document_price_cents=30)
    usage = [PeriodUsage(0, 700, 0, small), PeriodUsage(1, 2_100, 0, large)]
    lines = statement_lines(2, large, usage, set(), [])
    [subscription] = of_kind(lines, "subscription")
    assert (subscription.period_index, subscription.quantity, subscription.amount_cents) == (2, 4, 48_000)
    assert [(line.quantity, line.amount_cents) for line in of_kind(lines, "document_overage")] == [
        (200, 9_600),  # 200 × 0.40 € × 1.20
        (100, 3_600),  # 100 × 0.30 € × 1.20
    ]


def test_first_statement_at_activation_is_the_fee_alone() -> None:
    p = plan(packs=3, pack_price_cents=10_050)
    [line] = statement_lines(0, p, [], set(), [])
    assert (line.kind, line.period_index, line.quantity, line.amount_cents) == ("subscription", 0, 3, 30_150)
    assert line.key == (0, "subscription")


def test_extra_named_users_are_billed_with_surcharge() -> None:
    p = plan(named_users=3, extra_user_price_cents=2_000)
    lines = statement_lines(3, p, [PeriodUsage(1, 0, 5, p), PeriodUsage(2, 0, 3, p)], set(), [])
    [line] = of_kind(lines, "user_overage")
    assert (line.period_index, line.quantity, line.amount_cents) == (1, 2, 4_800)


def test_already_billed_keys_are_per_kind() -> None:
    p = plan()
    usage = [PeriodUsage(1, 1_043, 5, p)]
    lines = statement_lines(2, p, usage, {(1, "document_overage"), (2, "subscription")}, [])
    assert [line.key for line in lines] == [(1, "user_overage")]


@pytest.mark.parametrize(
    ("fee_cents", "percent", "amount_cents"),
    [(30_000, 10, -3_000), (1_005, 10, -101), (1_004, 10, -100), (30_000, 25, -7_500), (0, 10, 0)],
)
def test_availability_credit_is_a_negative_line(fee_cents: int, percent: int, amount_cents: int) -> None:
    lines = statement_lines(4, plan(), [], set(), [Credit(2, fee_cents, percent)])
    [line] = of_kind(lines, "availability_credit")
    assert (line.period_index, line.amount_cents) == (2, amount_cents)


def test_credit_defaults_to_ten_percent_and_is_granted_once() -> None:
    p = plan(packs=2, pack_price_cents=15_000)
    credits = [Credit(1, p.fee_cents)]
    lines = statement_lines(2, p, [], set(), credits)
    assert statement_total(lines) == 30_000 - 3_000
    again = statement_lines(3, p, [], billed_keys(lines), credits)
    assert of_kind(again, "availability_credit") == []


@pytest.mark.parametrize(
    ("usage", "credits"),
    [
        ([PeriodUsage(3, 0, 0, plan())], []),  # the current period has not closed
        ([PeriodUsage(4, 0, 0, plan())], []),
        ([PeriodUsage(1, 0, 0, plan()), PeriodUsage(1, 5, 0, plan())], []),
        ([], [Credit(3, 100)]),
        ([], [Credit(1, 100), Credit(1, 100)]),
    ],
)
def test_statement_refuses_open_or_repeated_periods(usage: list[PeriodUsage], credits: list[Credit]) -> None:
    with pytest.raises(ValueError):
        statement_lines(3, plan(), usage, set(), credits)


def test_credit_refuses_percent_over_100() -> None:
    with pytest.raises(ValueError):
        Credit(1, 100, 101)


def test_lines_are_ordered_subscription_overage_credits() -> None:
    p = plan()
    usage = [PeriodUsage(2, 1_001, 4, p), PeriodUsage(1, 1_001, 3, p)]
    lines = statement_lines(3, p, usage, set(), [Credit(2, 100), Credit(1, 100)])
    assert [line.key for line in lines] == [
        (3, "subscription"),
        (1, "document_overage"),
        (2, "document_overage"),
        (2, "user_overage"),
        (1, "availability_credit"),
        (2, "availability_credit"),
    ]
    assert all(isinstance(line.kind, LineKind) for line in lines)


# --- usage summary and warnings -----------------------------------------------------------


@pytest.mark.parametrize(
    ("consumed", "remaining", "over", "warnings"),
    [
        (0, 1_000, 0, ()),
        (799, 201, 0, ()),
        (800, 200, 0, (80,)),
        (999, 1, 0, (80,)),
        (1_000, 0, 0, (80, 100)),
        (1_043, 0, 43, (80, 100)),
    ],
)
def test_usage_summary(consumed: int, remaining: int, over: int, warnings: tuple[int, ...]) -> None:
    summary = usage_summary(plan(packs=2, pack_size=500), consumed)
    assert summary == UsageSummary(1_000, consumed, remaining, over, warnings)


def test_usage_summary_with_no_allowance() -> None:
    assert usage_summary(plan(packs=0), 0).warnings == ()
    assert usage_summary(plan(packs=0), 1) == UsageSummary(0, 1, 0, 1, (80, 100))


@pytest.mark.parametrize(
    ("allowance", "before", "after", "crossed"),
    [
        (1_000, 0, 799, []),
        (1_000, 799, 800, [80]),
        (1_000, 799, 1_000, [80, 100]),
        (1_000, 800, 1_200, [100]),
        (1_000, 1_000, 1_001, []),
        (1_000, 500, 500, []),
        (3, 2, 3, [80, 100]),  # 2/3 is under 80 %
        (0, 0, 1, [80, 100]),
    ],
)
def test_thresholds_crossed(allowance: int, before: int, after: int, crossed: list[int]) -> None:
    assert thresholds_crossed(allowance, before, after) == crossed


def test_thresholds_crossed_refuses_a_falling_count() -> None:
    with pytest.raises(ValueError):
        thresholds_crossed(1_000, 900, 800)


# --- properties ---------------------------------------------------------------------------

plans = st.builds(
    Plan,
    packs=st.integers(0, 5),
    pack_size=st.integers(1, 1_000),
    pack_price_cents=st.integers(0, 100_000),
    named_users=st.integers(0, 10),
    extra_document_price_cents=st.integers(0, 500),
    extra_user_price_cents=st.integers(0, 5_000),
)


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[PeriodUsage], list[int]]:
    """Usage of periods 0..n-1, and the periods whose statements get issued (some skipped)."""
    count = draw(st.integers(1, 12))
    usage = [
        PeriodUsage(i, draw(st.integers(0, 5_000)), draw(st.integers(0, 15)), draw(plans))
        for i in range(count)
    ]
    issued = draw(st.lists(st.integers(1, count), unique=True))
    return usage, sorted({*issued, count})


@given(histories())
def test_every_overage_is_billed_exactly_once(history: tuple[list[PeriodUsage], list[int]]) -> None:
    usage, issued = history
    billed: set[tuple[int, str]] = set()
    quantities: dict[tuple[int, str], int] = {}
    for k in issued:
        lines = statement_lines(k, usage[-1].plan, [u for u in usage if u.period_index < k], billed, [])
        for line in lines:
            assert line.key not in quantities  # never twice
            quantities[line.key] = line.quantity
        billed |= billed_keys(lines)
    for u in usage:  # never lost, and each against its own period only
        documents_over, users_over = overage(u)
        assert quantities.get((u.period_index, "document_overage"), 0) == documents_over
        assert quantities.get((u.period_index, "user_overage"), 0) == users_over


@given(plans, st.integers(1, 10**6))
def test_overage_line_is_the_exact_amount_rounded_once(p: Plan, over: int) -> None:
    lines = statement_lines(1, p, [PeriodUsage(0, p.allowance + over, 0, p)], set(), [])
    exact_cents = Decimal(over) * p.extra_document_price_cents * Decimal("1.2")
    [line] = of_kind(lines, "document_overage")
    assert line.quantity == over
    assert abs(line.amount_cents - exact_cents) <= Decimal("0.5")
    assert line.amount_cents == round_half_up_cents(exact_cents / 100)
    assert document_overage_cents(p, p.allowance + over) == line.amount_cents


@given(plans, st.lists(st.integers(0, 300), max_size=30))
def test_each_warning_is_given_once_and_all_are_given(p: Plan, steps: list[int]) -> None:
    count, given_warnings = 0, []
    for step in steps:
        given_warnings += thresholds_crossed(p.allowance, count, count + step)
        count += step
    assert given_warnings == list(usage_summary(p, count).warnings)


@given(plans, st.integers(0, 10**7))
def test_summary_balances(p: Plan, consumed: int) -> None:
    summary = usage_summary(p, consumed)
    assert summary.remaining >= 0 and summary.overage >= 0
    assert summary.consumed + summary.remaining - summary.overage == summary.allowance
