"""One invoice's purchase entry, balanced to the cent, or the reasons it waits for a person.

Pure: an invoice's fields and flags, its supplier's account and the expense account in; an `Entry`
(its lines in cents) and the `Hold`s out. The rules (docs/contract.md §9):

- the supplier's auxiliary account is credited with the total incl. tax, the expense account debited
  with the total excl. tax, the deductible VAT account (445660, or 445620 when the expense account is
  a fixed asset's, class 2) with each VAT rate's tax, one line per rate;
- a credit note (`document_type` credit_note, UNTDID 381 and its kin) is the same entry reversed; an
  invoice with negative totals (a correction) reverses itself by its signs;
- reverse charge (autoliquidation): when the invoice charges no VAT and either says so (an e-invoice
  VAT row of category AE, reverse charge, or K, intra-community) or, when its rows carry no
  category, comes from a supplier identified by another EU member state's VAT number, the buyer
  owes the VAT itself: 445660 debited and 445200 credited with the same amount, at the French normal
  rate (the foreign invoice does not say which French rate applies to the goods; the entry is marked
  `reverse_charge` for the accountant to check);
- what the totals leave after the expense and VAT lines (excl. + VAT ≠ incl. by a cent or two from
  rounding per line) goes on a rounding line, 658000 when it is a charge and 758000 when it is a
  gain; a difference larger than one cent per VAT line is not rounding, and holds the entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from ingest.contract.money import round_half_up_cents
from ingest.journal import chart

# Below this, a value read from text or OCR is not booked without a person's look (the same
# threshold that makes a text-read date the reference date, docs/contract.md §5).
MIN_CONFIDENCE = 0.8
FRENCH_NORMAL_RATE = Decimal("20")
REVERSE_CHARGE_CATEGORIES = frozenset({"AE", "K"})
AMOUNTS = {"total_excl_tax": "total excl. tax", "total_tax": "VAT total", "total_incl_tax": "total incl. tax"}


class HoldCode(StrEnum):
    """Why an entry waits in the review list instead of the export (stable codes)."""

    open_flag = "open_flag"
    amount_missing = "amount_missing"
    low_confidence = "low_confidence"
    no_date = "no_date"
    supplier_unknown = "supplier_unknown"
    foreign_currency = "foreign_currency"
    amounts_disagree = "amounts_disagree"
    zero_total = "zero_total"


@dataclass(frozen=True)
class Hold:
    code: HoldCode
    message: str


@dataclass(frozen=True)
class Line:
    account: str
    account_label: str
    label: str
    debit: int  # cents, never negative
    credit: int
    aux: str = ""
    aux_label: str = ""


@dataclass(frozen=True)
class Entry:
    document_id: str
    day: date
    piece: str
    label: str
    lines: tuple[Line, ...]
    default_expense: bool
    reverse_charge: bool
    credit_note: bool

    @property
    def balanced(self) -> bool:
        return sum(line.debit for line in self.lines) == sum(line.credit for line in self.lines)


@dataclass(frozen=True)
class Supplier:
    """The supplier's auxiliary account as the dossier knows it (renamable), and its own expense
    account when one was learned (None: the dossier's default)."""

    number: str
    name: str
    expense_account: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class Invoice:
    """What the journal reads of a processed document."""

    document_id: str
    fields: dict[str, Any]
    flags: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Booking:
    """An invoice's entry (None when its amounts cannot make one) and why it is held, if it is."""

    invoice: Invoice
    entry: Entry | None
    holds: tuple[Hold, ...]

    @property
    def exported(self) -> bool:
        return self.entry is not None and not self.holds


def cents(value: Any) -> int | None:
    """A decimal string in cents (half up past the cent), or None when it is not a number."""
    if not isinstance(value, str):
        return None
    try:
        amount = Decimal(value.strip())
    except InvalidOperation:
        return None
    if not amount.is_finite():
        return None
    return round_half_up_cents(amount)


def euros(amount: int) -> str:
    """Cents as people read them here: ``1 234,56 €``."""
    sign = "-" if amount < 0 else ""
    whole, part = divmod(abs(amount), 100)
    return f"{sign}{whole:,}".replace(",", "\u202f") + f",{part:02d} €"


def _field(invoice: Invoice, key: str) -> dict[str, Any] | None:
    found = invoice.fields.get(key)
    return found if isinstance(found, dict) else None


def _confidence(found: dict[str, Any]) -> float:
    value = found.get("confidence", 0.0)
    return float(value) if isinstance(value, int | float) else 0.0


def _read_amounts(invoice: Invoice, holds: list[Hold]) -> dict[str, int] | None:
    """The three totals in cents (None when one is missing). One total read with low confidence is
    trusted when the other two are sure and the three add up to the cent: it is then what the other
    two imply, whatever its label looked like (a VAT line's label is often the least clear)."""
    amounts: dict[str, int] = {}
    unsure: list[Hold] = []
    for key, label in AMOUNTS.items():
        found = _field(invoice, key)
        value = cents(found.get("value")) if found else None
        if found is None or value is None:
            holds.append(Hold(HoldCode.amount_missing, f"The {label} was not read: enter it."))
            continue
        if _confidence(found) < MIN_CONFIDENCE:
            unsure.append(Hold(HoldCode.low_confidence, f"The {label} {euros(value)} was read with confidence "
                               f"{_confidence(found):.2f} (below {MIN_CONFIDENCE}): check it."))
        amounts[key] = value
    if len(amounts) < len(AMOUNTS):
        holds += unsure
        return None
    implied = amounts["total_excl_tax"] + amounts["total_tax"] == amounts["total_incl_tax"]
    if len(unsure) > 1 or not implied:
        holds += unsure
    return amounts


@dataclass(frozen=True)
class VatRow:
    rate: Decimal | None  # None: a VAT total without its breakdown
    base: int
    tax: int
    category: str | None


def _vat_rows(invoice: Invoice, total_tax: int, holds: list[Hold]) -> list[VatRow]:
    """The invoice's VAT rows; its VAT total as one row of unknown rate when it has no breakdown."""
    found = _field(invoice, "vat_breakdown")
    raw = found.get("value") if found else None
    rows: list[VatRow] = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict):
            continue
        base, tax = cents(item.get("base")), cents(item.get("tax"))
        try:
            rate = Decimal(str(item.get("rate")))
        except InvalidOperation:
            continue
        if base is None or tax is None or not rate.is_finite():
            continue
        category = item.get("category")
        rows.append(VatRow(rate, base, tax, category if isinstance(category, str) else None))
    if rows and found is not None and _confidence(found) < MIN_CONFIDENCE:
        holds.append(Hold(HoldCode.low_confidence, f"The VAT breakdown was read with confidence "
                          f"{_confidence(found):.2f} (below {MIN_CONFIDENCE}): check each rate."))
    return rows or [VatRow(None, 0, total_tax, None)]


def is_reverse_charge(rows: Iterable[VatRow], supplier: Supplier) -> bool:
    """The detection rule of the module's docstring: no VAT charged, and the invoice's categories
    say so, or it has none and the supplier has another EU member state's VAT number."""
    rows = list(rows)
    if any(row.tax != 0 for row in rows):
        return False
    categories = {row.category for row in rows if row.category}
    if categories:
        return bool(categories & REVERSE_CHARGE_CATEGORIES)
    return chart.in_eu(supplier.country)


def _rate_text(rate: Decimal | None) -> str:
    if rate is None:
        return "TVA"
    return f"TVA {rate.normalize():f} %".replace(".", ",")


def _value(invoice: Invoice, key: str) -> str | None:
    found = _field(invoice, key)
    value = found.get("value") if found else None
    return value if isinstance(value, str) and value.strip() else None


def _issue_date(invoice: Invoice, holds: list[Hold]) -> date | None:
    found = _field(invoice, "issue_date")
    try:
        day = date.fromisoformat(str(found.get("value"))) if found else None
    except ValueError:
        day = None
    if found is None or day is None:
        holds.append(Hold(HoldCode.no_date, "The invoice date was not read: enter it."))
    elif found.get("source") != "einvoice" and _confidence(found) < MIN_CONFIDENCE:
        holds.append(Hold(HoldCode.low_confidence, f"The invoice date {day:%d/%m/%Y} was read with confidence "
                          f"{_confidence(found):.2f} (below {MIN_CONFIDENCE}): check it."))
    return day


def _policy_holds(invoice: Invoice, supplier: Supplier | None) -> list[Hold]:
    holds = [Hold(HoldCode.open_flag, f"{flag.get('code', '')}: {flag.get('message', '')}")
             for flag in invoice.flags]
    if supplier is None:
        holds.append(Hold(HoldCode.supplier_unknown, "No valid SIREN, SIRET or VAT number names the supplier: "
                          "enter one so that its account can be opened."))
    currency = _value(invoice, "currency")
    if currency is not None and currency.upper() != "EUR":
        holds.append(Hold(HoldCode.foreign_currency, f"The amounts are in {currency}: the journal is kept in "
                          "euros, enter them converted at the day's rate."))
    return holds


def book(invoice: Invoice, supplier: Supplier | None, default_expense: str) -> Booking:
    """The invoice's entry and its holds. `supplier` None: the invoice names no supplier we can
    trust (the entry is then drafted on the collective account alone, and held)."""
    holds = _policy_holds(invoice, supplier)
    day = _issue_date(invoice, holds)
    amounts = _read_amounts(invoice, holds)
    if amounts is None or day is None:
        return Booking(invoice, None, tuple(holds))
    rows = _vat_rows(invoice, amounts["total_tax"], holds)
    entry = _entry(invoice, day, amounts, rows, supplier or Supplier("", ""), default_expense, holds)
    return Booking(invoice, entry, tuple(holds))


def _entry(invoice: Invoice, day: date, amounts: dict[str, int], rows: list[VatRow], supplier: Supplier,
           default_expense: str, holds: list[Hold]) -> Entry | None:
    credit_note = _value(invoice, "document_type") == "credit_note"
    sign = -1 if credit_note else 1
    number = _value(invoice, "invoice_number") or invoice.document_id[:8]
    label = f"{'Avoir' if credit_note else 'Facture'} {number} {supplier.name}".strip()[:200]
    expense = supplier.expense_account or default_expense
    vat_account = chart.deductible_vat_account(expense)
    reverse = is_reverse_charge(rows, supplier)
    # Signed amounts: positive is a debit, negative a credit.
    signed: list[tuple[str, str, int, bool]] = [(expense, label, sign * amounts["total_excl_tax"], False)]
    for rate, tax in _per_rate(rows).items():
        signed.append((vat_account, f"{_rate_text(rate)} {label}", sign * tax, False))
    if reverse:
        due = _reverse_charge_tax(amounts["total_excl_tax"])
        rate_label = f"{_rate_text(FRENCH_NORMAL_RATE)} autoliquidée {label}"
        signed += [(vat_account, rate_label, sign * due, False),
                   (chart.VAT_DUE_REVERSE, rate_label, -sign * due, False)]
    signed.append((chart.SUPPLIERS, label, -sign * amounts["total_incl_tax"], True))
    rounding = -sum(amount for _, _, amount, _ in signed)
    if abs(rounding) > max(1, len(rows)):
        holds.append(Hold(HoldCode.amounts_disagree, _disagreement(amounts, rows, rounding)))
    if rounding:
        account = chart.ROUNDING_DEBIT if rounding > 0 else chart.ROUNDING_CREDIT
        signed.append((account, f"Écart d'arrondi {label}", rounding, False))
    lines = tuple(_line(account, text, amount, supplier if aux else None)
                  for account, text, amount, aux in signed if amount != 0)
    if not lines:
        holds.append(Hold(HoldCode.zero_total, "The invoice's totals are zero: there is nothing to book."))
        return None
    return Entry(invoice.document_id, day, number[:100], label, lines, supplier.expense_account is None,
                 reverse, credit_note)


def _per_rate(rows: list[VatRow]) -> dict[Decimal | None, int]:
    """Tax per rate (rows of one rate added: a breakdown may list a rate once per category)."""
    taxes: dict[Decimal | None, int] = {}
    for row in rows:
        taxes[row.rate] = taxes.get(row.rate, 0) + row.tax
    return {rate: tax for rate, tax in taxes.items() if tax != 0}


def _reverse_charge_tax(base: int) -> int:
    return int((Decimal(base) * FRENCH_NORMAL_RATE / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _disagreement(amounts: dict[str, int], rows: list[VatRow], rounding: int) -> str:
    vat = sum(row.tax for row in rows)
    return (f"Total excl. tax {euros(amounts['total_excl_tax'])} and VAT {euros(vat)} do not make the total incl. "
            f"tax {euros(amounts['total_incl_tax'])} ({euros(abs(rounding))} apart, more than rounding): correct "
            "the amounts.")


def _line(account: str, label: str, amount: int, supplier: Supplier | None) -> Line:
    debit, credit = (amount, 0) if amount > 0 else (0, -amount)
    if supplier is None or not supplier.number:
        return Line(account, chart.account_label(account), label, debit, credit)
    return Line(account, chart.account_label(account), label, debit, credit, supplier.number, supplier.name)
