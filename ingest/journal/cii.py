"""An invoice's fields as an EN 16931 invoice in UN/CEFACT CII (the XML of Factur-X), written and
checked against the schema by the `factur-x` library.

Pure: fields in, XML bytes out (no database, no store, no clock). What the fields do not hold is
not invented: the invoice has one line per VAT rate (its base, "1" unit), no addresses beyond the
countries (the seller's from its VAT number, France for a SIREN; the buyer, the dossier, in
France), and the amount due is the total incl. tax (prepayments are not read). A VAT row without
its category is standard (S) when it has a rate, exempt (E) when it has none. An invoice without a
VAT breakdown gets one only when a single French rate gives its VAT total to the cent; otherwise it
is incomplete, as are invoices without a number, a date, a supplier name or their totals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import facturx
from iso4217 import Currency
from lxml import etree

from ingest.documents.checks import FRENCH_VAT_RATES

LEVEL = "en16931"
# The French rates (ingest.documents.checks), highest first, zero apart (a zero VAT is `E`).
FRENCH_RATES = tuple(sorted((rate for rate in FRENCH_VAT_RATES if rate), reverse=True))
REQUIRED = ("invoice_number", "issue_date", "supplier_name", "total_excl_tax", "total_tax", "total_incl_tax")
_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
CENT = Decimal("0.01")


class Incomplete(ValueError):
    """The fields lack what an EN 16931 invoice must say: `missing` names them."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(", ".join(missing))
        self.missing = missing


@dataclass(frozen=True)
class Buyer:
    """The dossier: the company the invoice was addressed to."""

    name: str
    siren: str | None


def _value(fields: dict[str, Any], key: str) -> Any:
    found = fields.get(key)
    return found.get("value") if isinstance(found, dict) else None


def _money(value: Any) -> Decimal | None:
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return amount.quantize(CENT) if amount.is_finite() else None


def _rows(fields: dict[str, Any], excl: Decimal, tax: Decimal) -> list[dict[str, str]]:
    """BG-23 rows: the invoice's own breakdown, else one a single French rate explains."""
    rows = []
    for row in _value(fields, "vat_breakdown") or []:
        rate, base, amount = (_money(row.get(key)) for key in ("rate", "base", "tax"))
        if rate is None or base is None or amount is None:
            raise Incomplete(["vat_breakdown"])
        category = str(row.get("category") or ("S" if rate else "E"))
        rows.append({"BT-116": f"{base}", "BT-117": f"{amount}", "BT-118": category, "BT-119": f"{rate}"})
    if rows:
        return rows
    if tax == 0:
        return [{"BT-116": f"{excl}", "BT-117": "0.00", "BT-118": "E", "BT-119": "0.00"}]
    for rate in FRENCH_RATES:
        if (excl * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP) == tax:
            return [{"BT-116": f"{excl}", "BT-117": f"{tax}", "BT-118": "S", "BT-119": f"{rate.quantize(CENT)}"}]
    raise Incomplete(["vat_breakdown"])


def _lines(rows: list[dict[str, str]], number: str) -> list[dict[str, str]]:
    """One line per VAT row: a price is never negative, so a negative base is one unit taken back."""
    lines = []
    for index, row in enumerate(rows, start=1):
        base = Decimal(row["BT-116"])
        lines.append({"BT-126": str(index), "BT-129": "-1" if base < 0 else "1", "BT-130": "C62",
                      "BT-131": f"{base}", "BT-146": f"{abs(base)}", "BT-151": row["BT-118"], "BT-152": row["BT-119"],
                      "BT-153": f"Facture {number}, TVA {row['BT-119']} %"[:200]})
    return lines


def _seller(fields: dict[str, Any]) -> dict[str, str]:
    vat = _value(fields, "supplier_vat")
    siren = _value(fields, "supplier_siren")
    seller = {"name": str(_value(fields, "supplier_name")), "country_code": str(vat)[:2].upper() if vat else "FR"}
    if vat:
        seller["vat_identifier"] = str(vat)
    if siren:
        seller.update({"legal_identifier": str(siren), "legal_identifier_schemeid": "0002"})
    return seller


def _buyer(buyer: Buyer) -> dict[str, str]:
    party = {"name": buyer.name, "country_code": "FR"}
    if buyer.siren:
        party.update({"legal_identifier": buyer.siren, "legal_identifier_schemeid": "0002"})
    return party


def _known_currency(code: str) -> bool:
    """An ISO 4217 code (the library needs its decimals; a misread code names no currency)."""
    try:
        Currency(code)
    except ValueError:
        return False
    return True


def cii_data(fields: dict[str, Any], buyer: Buyer) -> dict[str, Any]:
    """The factur-x library's description of the invoice (its keys are EN 16931 business terms)."""
    missing = [key for key in REQUIRED if _value(fields, key) in (None, "")]
    amounts = {key: _money(_value(fields, key)) for key in REQUIRED[3:]}
    missing += [key for key, amount in amounts.items() if amount is None and key not in missing]
    currency = str(_value(fields, "currency") or "EUR")
    if not _known_currency(currency):
        missing.append("currency")
    if missing:
        raise Incomplete(missing)
    excl, tax, incl = (amounts[key] or Decimal(0) for key in REQUIRED[3:])
    rows = _rows(fields, excl, tax)
    number = str(_value(fields, "invoice_number"))
    data: dict[str, Any] = {
        "BT-1": number, "BT-2": date.fromisoformat(str(_value(fields, "issue_date"))),
        "BT-3": "381" if _value(fields, "document_type") == "credit_note" else "380",
        "BT-5": currency, "BG-4": _seller(fields), "BG-7": _buyer(buyer),
        "BG-23": rows, "BG-25": _lines(rows, number),
        "BT-106": f"{sum((Decimal(r['BT-116']) for r in rows), Decimal(0))}", "BT-109": f"{excl}",
        "BT-110": f"{tax}", "BT-112": f"{incl}", "BT-115": f"{incl}",
    }
    due = _value(fields, "due_date")
    if due:
        data["BT-9"] = date.fromisoformat(str(due))
    iban = _value(fields, "iban")
    if iban:
        data.update({"BT-81": "58", "BT-84": str(iban)})  # 58: SEPA credit transfer
    return data


def cii_xml(fields: dict[str, Any], buyer: Buyer) -> bytes:
    """The invoice as EN 16931 CII, valid against the Factur-X EN 16931 schema (checked: the library
    raises when it is not)."""
    written = facturx.generate_cii_xml(cii_data(fields, buyer), level=LEVEL, check_xsd=False, check_schematron=False)
    root = etree.fromstring(written)
    # The library marks an element it leaves empty (the delivery, which nothing read fills) as nil,
    # which the schema refuses there; empty, it is valid.
    for element in root.iter():
        element.attrib.pop(_NIL, "")
    etree.cleanup_namespaces(root)
    facturx.xml_check_xsd(root, flavor="factur-x", level=LEVEL)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
