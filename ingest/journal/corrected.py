"""A person's corrections of invoice fields: what a value may be, and the fields as corrected.

Pure. A correction is given in the fields' own shapes (amounts as decimal strings, dates ISO), is
checked here field by field, and lies over what processing read, with source ``correction`` and
full confidence; a correction to null removes a field that was misread. A person who corrects an
invoice has looked at it: what they left is confirmed as read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret

SOURCE = "correction"
MAX_DIGITS = 9  # amounts below a billion
MAX_ROWS = 20
TERMS_LONGEST = 1000


class BadValue(ValueError):
    """A corrected value refused: its message says what the field takes."""


def _amount(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise BadValue("an amount such as 1234.56")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise BadValue("an amount such as 1234.56") from None
    if not amount.is_finite() or amount.adjusted() >= MAX_DIGITS or _beyond_cents(amount):
        raise BadValue("an amount with at most two decimals, below a billion")
    return f"{amount:.2f}"


def _beyond_cents(amount: Decimal) -> bool:
    """Whether a digit other than 0 lies past the cents (read from the digits, not computed: an
    exponent of a billion would overflow any arithmetic)."""
    _, digits, exponent = amount.as_tuple()
    extra = -int(exponent) - 2
    return extra > 0 and any(digits[-extra:])


def _day(value: Any) -> str:
    try:
        day = date.fromisoformat(value if isinstance(value, str) else "")
    except ValueError:
        raise BadValue("a date as YYYY-MM-DD") from None
    if not 2000 <= day.year <= 2999:
        raise BadValue("a date from 2000 to 2999")
    return day.isoformat()


def _text(value: Any, longest: int = 200) -> str:
    text = " ".join(value.split()) if isinstance(value, str) else ""
    if not 1 <= len(text) <= longest or not text.isprintable():
        raise BadValue(f"a text of 1 to {longest} characters")
    return text


def _terms(value: Any) -> str:
    """Payment terms are a sentence or a paragraph (a discount, then the net term), not a name."""
    return _text(value, TERMS_LONGEST)


def _choice(*allowed: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in allowed:
            raise BadValue(" or ".join(allowed))
        return str(value)
    return check


def _checked(module: Any, what: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str) or not module.is_valid(value):
            raise BadValue(f"a valid {what} (its check digit included)")
        return str(module.compact(value))
    return check


def _vat_number(value: Any) -> str:
    compact = "".join(ch for ch in value if ch.isascii() and ch.isalnum()).upper() if isinstance(value, str) else ""
    if not (4 <= len(compact) <= 20 and compact[:2].isalpha()):
        raise BadValue("a VAT number starting with its country code, such as FR44732829320")
    return compact


def _currency(value: Any) -> str:
    code = value.strip().upper() if isinstance(value, str) else ""
    if len(code) != 3 or not (code.isascii() and code.isalpha()):
        raise BadValue("a three-letter ISO 4217 currency code, such as EUR")
    return code


def _breakdown(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_ROWS:
        raise BadValue(f"a list of 1 to {MAX_ROWS} rows {{rate, base, tax}}")
    rows = []
    for row in value:
        if not isinstance(row, dict) or not {"rate", "base", "tax"} <= row.keys():
            raise BadValue("rows {rate, base, tax}, each a decimal string (and a category code if known)")
        cleaned = {key: _amount(row[key]) for key in ("rate", "base", "tax")}
        if row.get("category"):
            cleaned["category"] = _choice("S", "AE", "K", "E", "G", "Z", "O", "L", "M")(str(row["category"]).upper())
        rows.append(cleaned)
    return rows


CHECKS: dict[str, Callable[[Any], Any]] = {
    "document_type": _choice("invoice", "credit_note"), "supplier_name": _text,
    "supplier_siren": _checked(fr_siren, "SIREN"), "supplier_siret": _checked(fr_siret, "SIRET"),
    "supplier_vat": _vat_number, "invoice_number": _text, "issue_date": _day, "due_date": _day,
    "currency": _currency, "total_excl_tax": _amount, "total_tax": _amount, "total_incl_tax": _amount,
    "vat_breakdown": _breakdown, "customer_name": _text, "customer_vat": _vat_number, "po_number": _text,
    "payment_terms": _terms,
}  # fmt: skip


def clean(key: str, value: Any) -> Any:
    """The value as stored, or None to remove the field; BadValue says what the field takes."""
    if key not in CHECKS:
        raise BadValue(f"one of the invoice fields ({', '.join(CHECKS)})")
    return None if value is None else CHECKS[key](value)


def overlay(fields: dict[str, Any], corrections: dict[str, Any]) -> dict[str, Any]:
    """The fields as a person left them: each correction over what was read, and what they did not
    correct confirmed as read (full confidence, its source kept): they looked at the invoice."""
    merged = {key: {**found, "confidence": 1.0} if isinstance(found, dict) else found
              for key, found in fields.items()}
    for key, value in corrections.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = {"value": value, "confidence": 1.0, "source": SOURCE}
    return merged
