"""Plausibility checks on extracted invoice fields: arithmetic, VAT rates, dates, mentions.

The checks never reject a document: they raise flags (a stable code and a
sentence) for a person to look at. They work on whatever was found, whether from
e-invoice XML or from text; a check whose inputs are absent stays silent, except
``mention_missing`` whose whole point is absence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from stdnum.eu import vat as eu_vat
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret

from ingest.documents.fields import Field

# French VAT rates (CGI art. 278 to 281 nonies): 20 normal, 10 intermediate,
# 5.5 reduced, 2.1 super-reduced, 0 for exempt or reverse-charged lines; in the
# overseas departments of Guadeloupe, Martinique and La Réunion (CGI art. 296):
# 8.5 normal, 1.75 reduced, 1.05 particular. Guyane and Mayotte levy no VAT (0).
FRENCH_VAT_RATES = frozenset(
    Decimal(rate) for rate in ("20", "10", "5.5", "2.1", "0", "8.5", "1.75", "1.05")
)
EARLIEST_PLAUSIBLE = date(2000, 1, 1)
CENT = Decimal("0.01")


class FlagCode(StrEnum):
    TOTALS_MISMATCH = "totals_mismatch"
    BREAKDOWN_MISMATCH = "breakdown_mismatch"
    VAT_RATE_INVALID = "vat_rate_invalid"
    DATE_IMPLAUSIBLE = "date_implausible"
    MENTION_MISSING = "mention_missing"
    IDENTITY_MISMATCH = "identity_mismatch"


@dataclass(frozen=True)
class Flag:
    code: FlagCode
    message: str


def check_invoice(fields: dict[str, Field], today: date) -> list[Flag]:
    """Every flag raised by the invoice's fields, in a stable order."""
    return [
        *_totals(fields),
        *_breakdown(fields),
        *_vat_rates(fields),
        *_dates(fields, today),
        *_mentions(fields),
        *_identity(fields),
    ]


def _amount(fields: dict[str, Field], key: str) -> Decimal | None:
    field = fields.get(key)
    if field is None or not isinstance(field.value, str):
        return None
    try:
        return Decimal(field.value)
    except InvalidOperation:
        return None


def _totals(fields: dict[str, Field]) -> list[Flag]:
    excl, tax, incl = (_amount(fields, k) for k in ("total_excl_tax", "total_tax", "total_incl_tax"))
    if excl is None or tax is None or incl is None or excl + tax == incl:
        return []
    return [Flag(
        FlagCode.TOTALS_MISMATCH,
        f"Total excl. tax {excl} plus VAT {tax} makes {excl + tax}, "
        f"not the stated total incl. tax {incl}.",
    )]


def _rows(fields: dict[str, Field]) -> list[dict[str, Decimal]]:
    field = fields.get("vat_breakdown")
    if field is None or not isinstance(field.value, list):
        return []
    rows: list[dict[str, Decimal]] = []
    for row in field.value:
        try:
            rows.append({key: Decimal(row[key]) for key in ("rate", "base", "tax")})
        except (KeyError, InvalidOperation, TypeError):
            continue  # an unreadable row is not evidence either way
    return rows


def _breakdown(fields: dict[str, Field]) -> list[Flag]:
    rows = _rows(fields)
    if not rows:
        return []
    flags: list[Flag] = []
    for name, key, total_key in (("bases", "base", "total_excl_tax"), ("taxes", "tax", "total_tax")):
        total = _amount(fields, total_key)
        summed = sum((row[key] for row in rows), Decimal(0))
        if total is not None and summed != total:
            flags.append(Flag(
                FlagCode.BREAKDOWN_MISMATCH,
                f"The VAT breakdown's {name} add up to {summed}, not the stated total {total}.",
            ))
    return flags


def _vat_rates(fields: dict[str, Field]) -> list[Flag]:
    odd = sorted({row["rate"] for row in _rows(fields)} - FRENCH_VAT_RATES)
    if not odd:
        return []
    shown = ", ".join(f"{rate.normalize():f} %" for rate in odd)
    return [Flag(
        FlagCode.VAT_RATE_INVALID,
        f"VAT rate {shown} is not a French rate (20, 10, 5.5, 2.1, 0; overseas 8.5, 1.75, 1.05).",
    )]


def _date(fields: dict[str, Field], key: str) -> date | None:
    field = fields.get(key)
    if field is None or not isinstance(field.value, str):
        return None
    try:
        return date.fromisoformat(field.value)
    except ValueError:
        return None


def _dates(fields: dict[str, Field], today: date) -> list[Flag]:
    issue, due = _date(fields, "issue_date"), _date(fields, "due_date")
    flags: list[Flag] = []
    # One day of slack: an invoice issued "tomorrow" is usually a time-zone artefact.
    if issue is not None and issue > today + timedelta(days=1):
        flags.append(Flag(FlagCode.DATE_IMPLAUSIBLE, f"The issue date {issue} is in the future."))
    if issue is not None and issue < EARLIEST_PLAUSIBLE:
        flags.append(Flag(FlagCode.DATE_IMPLAUSIBLE, f"The issue date {issue} is before 2000."))
    if issue is not None and due is not None and due < issue:
        flags.append(Flag(
            FlagCode.DATE_IMPLAUSIBLE, f"The due date {due} is before the issue date {issue}."
        ))
    return flags


# Mentions a French invoice must carry (CGI art. 242 nonies A): its number, its
# date, who issues it, and the amounts. Identity is the name or an identifier.
_MENTIONS = (
    ("invoice number", ("invoice_number",)),
    ("issue date", ("issue_date",)),
    ("seller identity (name, SIREN or VAT number)", ("supplier_name", "supplier_siren", "supplier_vat")),
    ("amounts (total excl. tax or incl. tax)", ("total_excl_tax", "total_incl_tax")),
)


def _mentions(fields: dict[str, Field]) -> list[Flag]:
    return [
        Flag(FlagCode.MENTION_MISSING, f"The mandatory mention “{name}” was not found.")
        for name, keys in _MENTIONS
        if not any(key in fields for key in keys)
    ]


def _text(fields: dict[str, Field], key: str) -> str | None:
    field = fields.get(key)
    return "".join(field.value.split()).upper() if field is not None and isinstance(field.value, str) else None


def _identity(fields: dict[str, Field]) -> list[Flag]:
    """The seller's identifiers agree: each passes its checksum, a SIRET starts with the SIREN, and a
    French VAT number (FR, two key characters, the SIREN) holds the same SIREN."""
    siren, siret, vat = (_text(fields, k) for k in ("supplier_siren", "supplier_siret", "supplier_vat"))
    flags: list[Flag] = []
    for name, value, valid in (("SIREN", siren, fr_siren.is_valid), ("SIRET", siret, fr_siret.is_valid),
                               ("VAT number", vat, eu_vat.is_valid)):
        if value is not None and not valid(value):
            flags.append(Flag(FlagCode.IDENTITY_MISMATCH, f"The seller's {name} {value} fails its check digits."))
    held = {source: number for source, number in (
        ("SIREN", siren), ("SIRET", siret[:9] if siret else None),
        ("VAT number", vat[4:] if vat and vat.startswith("FR") and len(vat) == 13 else None)) if number}
    if len(set(held.values())) > 1:
        shown = ", ".join(f"{source} {number}" for source, number in held.items())
        flags.append(Flag(FlagCode.IDENTITY_MISMATCH, f"The seller's identifiers name different companies ({shown})."))
    return flags
