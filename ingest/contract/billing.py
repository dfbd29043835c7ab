"""Billing rules (docs/contract.md §4): plans, overage, statements, usage warnings.

Everything here is pure: the caller reads usage, credits and what was already billed from the
database and passes them in as plain values.

- A **plan** is the subscription in force for one period: packs of documents, named users and
  list prices, all in integer cents (see ``money``). A plan change takes effect at the next
  period, so each period's usage carries its own plan.
- The **statement** of period k is issued at its start (billed in advance). It holds that
  period's subscription fee, one overage line per earlier period and kind that has not been
  billed yet (the regularisation), and the availability credits granted since, as negative lines.
- **No rollover, no offsetting**: each period's overage is measured against that period's
  allowance only; an under-used period reduces nothing.
- Lines are keyed by ``(period_index, kind)``; a key the caller reports as already billed never
  appears again, so issuing a statement twice, or late, bills nothing twice.

Named users are included in the pack price (the booklet prices only *extra* named users), so
the subscription line is packs × pack price.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from ingest.contract.money import format_euros, round_half_up_cents

OVERAGE_SURCHARGE = Decimal("1.20")  # list price + 20 % (docs/contract.md §4)
AVAILABILITY_CREDIT_PERCENT = 10  # of the month's subscription fee (docs/contract.md §3)
WARNING_THRESHOLDS = (80, 100)  # percent of the allowance that triggers a usage warning


class LineKind(StrEnum):
    SUBSCRIPTION = "subscription"
    DOCUMENT_OVERAGE = "document_overage"
    USER_OVERAGE = "user_overage"
    AVAILABILITY_CREDIT = "availability_credit"


BilledKey = tuple[int, str]


def _require_count(value: int, name: str, *, minimum: int = 0, maximum: int | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be <= {maximum:,}, got {value:,}")


# The largest plan the service takes (choice): far beyond any real one, and small enough that a
# period's fee and its overage lines stay within the 32-bit integers amounts are stored in.
PLAN_LIMITS = {"packs": 1_000, "pack_size": 1_000_000, "pack_price_cents": 1_000_000, "named_users": 10_000,
               "extra_document_price_cents": 100_000, "extra_user_price_cents": 1_000_000}


@dataclass(frozen=True, slots=True)
class Plan:
    """The subscription terms in force for one period. Prices are integer cents."""

    packs: int
    pack_size: int
    pack_price_cents: int
    named_users: int
    extra_document_price_cents: int
    extra_user_price_cents: int

    def __post_init__(self) -> None:
        for name, maximum in PLAN_LIMITS.items():
            _require_count(getattr(self, name), name, minimum=1 if name == "pack_size" else 0, maximum=maximum)

    @property
    def allowance(self) -> int:
        """Documents included per period."""
        return self.packs * self.pack_size

    @property
    def fee_cents(self) -> int:
        """Subscription fee of one period."""
        return self.packs * self.pack_price_cents


@dataclass(frozen=True, slots=True)
class PeriodUsage:
    """What one period consumed, with the plan that was in force during it."""

    period_index: int
    documents: int
    named_users: int
    plan: Plan

    def __post_init__(self) -> None:
        _require_count(self.period_index, "period_index")
        _require_count(self.documents, "documents")
        _require_count(self.named_users, "named_users")


@dataclass(frozen=True, slots=True)
class Credit:
    """An availability credit granted for a month (period) that closed below 98 %."""

    period_index: int
    fee_cents: int
    percent: int = AVAILABILITY_CREDIT_PERCENT

    def __post_init__(self) -> None:
        _require_count(self.period_index, "period_index")
        _require_count(self.fee_cents, "fee_cents")
        _require_count(self.percent, "percent")
        if self.percent > 100:
            raise ValueError(f"percent must be <= 100, got {self.percent}")


@dataclass(frozen=True, slots=True)
class Line:
    """One statement line. ``unit_price_cents`` is exact (it may hold a fraction of a cent
    after the surcharge); ``amount_cents`` is the line total rounded half up, once."""

    kind: LineKind
    period_index: int
    quantity: int
    unit_price_cents: Decimal
    amount_cents: int
    label: str

    @property
    def key(self) -> BilledKey:
        """What the caller records as billed once the statement is issued."""
        return (self.period_index, str(self.kind))


def overage(usage: PeriodUsage) -> tuple[int, int]:
    """(documents over the allowance, named users over the subscribed number) of a period."""
    plan = usage.plan
    return (
        max(0, usage.documents - plan.allowance),
        max(0, usage.named_users - plan.named_users),
    )


def surcharged(list_price_cents: int) -> Decimal:
    """The exact unit price of a document or user over the plan: list price + 20 % (it may hold a
    fraction of a cent, rounded only on a line's total)."""
    return list_price_cents * OVERAGE_SURCHARGE


def document_overage_cents(plan: Plan, documents: int) -> int:
    """What `documents` counted in a period come to over its allowance, rounded once as the
    statement line that bills them will be: the usage page quotes it before the statement exists."""
    _require_count(documents, "documents")
    over = max(0, documents - plan.allowance)
    return round_half_up_cents(over * surcharged(plan.extra_document_price_cents) / 100)


def _line(kind: LineKind, period_index: int, quantity: int, unit_cents: Decimal, label: str) -> Line:
    # The one rounding of the line: the exact total in euros, half up to the cent.
    amount = round_half_up_cents(quantity * unit_cents / 100)
    return Line(kind, period_index, quantity, unit_cents, amount, label)


def _subscription_line(period_index: int, plan: Plan) -> Line:
    unit = Decimal(plan.pack_price_cents)
    label = (
        f"Subscription, period {period_index}: {plan.packs} pack(s) of "
        f"{plan.pack_size} documents × {format_euros(unit)}"
    )
    return _line(LineKind.SUBSCRIPTION, period_index, plan.packs, unit, label)


def _overage_lines(usage: PeriodUsage) -> list[Line]:
    documents_over, users_over = overage(usage)
    index, plan = usage.period_index, usage.plan
    lines = []
    if documents_over:
        unit = surcharged(plan.extra_document_price_cents)
        label = (
            f"Document overage, period {index}: {documents_over} over {plan.allowance} "
            f"× {format_euros(plan.extra_document_price_cents)} + 20 %"
        )
        lines.append(_line(LineKind.DOCUMENT_OVERAGE, index, documents_over, unit, label))
    if users_over:
        unit = surcharged(plan.extra_user_price_cents)
        label = (
            f"Named-user overage, period {index}: {users_over} over {plan.named_users} "
            f"× {format_euros(plan.extra_user_price_cents)} + 20 %"
        )
        lines.append(_line(LineKind.USER_OVERAGE, index, users_over, unit, label))
    return lines


def _credit_line(credit: Credit) -> Line:
    unit = -Decimal(credit.fee_cents) * credit.percent / 100
    label = (
        f"Availability credit, period {credit.period_index}: {credit.percent} % "
        f"of {format_euros(credit.fee_cents)}"
    )
    return _line(LineKind.AVAILABILITY_CREDIT, credit.period_index, 1, unit, label)


def _require_earlier(period_index: int, indexes: Iterable[int], what: str) -> None:
    seen: set[int] = set()
    for index in indexes:
        if index >= period_index:
            # Overage and availability are only known once a period has closed.
            raise ValueError(f"{what} of period {index} cannot be on the statement of {period_index}")
        if index in seen:
            raise ValueError(f"{what} of period {index} given twice")
        seen.add(index)


def statement_lines(
    period_index: int,
    plan: Plan,
    earlier: Sequence[PeriodUsage],
    already_billed: set[BilledKey],
    credits: Sequence[Credit] = (),
) -> list[Line]:
    """Lines of the statement issued at the start of period ``period_index``.

    ``plan`` is the plan in force for that period (its fee is billed in advance); ``earlier``
    the usage of closed periods, each with its own plan; ``already_billed`` the keys of lines
    on earlier statements. Lines come in order: subscription, then overage by period, then
    credits by period.
    """
    _require_count(period_index, "period_index")
    _require_earlier(period_index, (u.period_index for u in earlier), "usage")
    _require_earlier(period_index, (c.period_index for c in credits), "credit")
    candidates = [_subscription_line(period_index, plan)]
    for usage in sorted(earlier, key=lambda u: u.period_index):
        candidates.extend(_overage_lines(usage))
    candidates.extend(_credit_line(c) for c in sorted(credits, key=lambda c: c.period_index))
    return [line for line in candidates if line.key not in already_billed]


def statement_total(lines: Iterable[Line]) -> int:
    """Total of a statement in cents (credits are negative lines)."""
    return sum(line.amount_cents for line in lines)


def billed_keys(lines: Iterable[Line]) -> set[BilledKey]:
    """Keys to record as billed once the statement holding ``lines`` is issued."""
    return {line.key for line in lines}


@dataclass(frozen=True, slots=True)
class UsageSummary:
    """A period's consumption against its allowance, as shown to the client."""

    allowance: int
    consumed: int
    remaining: int
    overage: int
    warnings: tuple[int, ...] = field(default=())



def _thresholds_reached(allowance: int, consumed: int) -> list[int]:
    # Integer comparison, no division: consumed / allowance >= t / 100. With no allowance
    # at all, the first document already reaches every threshold.
    return [t for t in WARNING_THRESHOLDS if consumed > 0 and consumed * 100 >= t * allowance]


def usage_summary(plan: Plan, consumed: int) -> UsageSummary:
    """Allowance, consumption, what is left (never negative), overage, thresholds reached."""
    _require_count(consumed, "consumed")
    allowance = plan.allowance
    return UsageSummary(
        allowance=allowance,
        consumed=consumed,
        remaining=max(0, allowance - consumed),
        overage=max(0, consumed - allowance),
        warnings=tuple(_thresholds_reached(allowance, consumed)),
    )


def thresholds_crossed(allowance: int, before: int, after: int) -> list[int]:
    """Warning thresholds (percent) reached by going from ``before`` to ``after`` documents.

    The service calls this when the count moves and records one warning per threshold
    returned, so each warning is given once per period.
    """
    _require_count(allowance, "allowance")
    _require_count(before, "before")
    _require_count(after, "after")
    if after < before:
        raise ValueError(f"a count never goes down: {before} → {after}")
    already = set(_thresholds_reached(allowance, before))
    return [t for t in _thresholds_reached(allowance, after) if t not in already]
