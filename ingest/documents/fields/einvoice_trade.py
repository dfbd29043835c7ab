"""The buyer's side of an e-invoice and its lines: the customer's name (EN 16931 BT-44) and VAT number
(BT-48), the buyer's purchase order reference (BT-13), the payment terms (BT-20) and the invoice lines
(BG-25), from CII D16B, ZUGFeRD 1.0's earlier CII dialect and UBL ``Invoice``/``CreditNote``.

Beside ``ingest.documents.fields.einvoice`` (the seller, dates and totals), whose paths and helpers it
shares; values have source ``einvoice`` and confidence 1.0, and an element the XML lacks leaves its
field (or a line's key) out rather than empty.

A line is a dict of strings: ``description`` (the item's name, BT-153, else its description),
``quantity`` (BT-129) and ``unit`` (its UN/ECE rec. 20 code, normalised by ``reading.units``: "H87" and
"EA" are "C62" as a page's "Stk" is) when given, ``unit_price`` (the net price,
BT-146, per the price's base quantity), ``vat_rate`` (BT-152) and ``net_amount`` (BT-131), and its
``confidence`` ("1.0", a decimal string like a page's lines' own: `reading.items.Items`). Amounts have
two decimals like every other amount, except a unit price stated more finely ("0.4550" is kept as
"0.455": rounding it would make quantity × price disagree with the line's amount).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree

from ingest.documents.amounts import format_price, format_quantity, parse_decimal_xml
from ingest.documents.fields.einvoice import D16B, NS, CiiDialect, _amount, _ids, _put, _rate, first_text
from ingest.documents.fields.model import Field
from ingest.documents.reading.units import unit_of_code

# Each line's own confidence, as a page's lines carry theirs (`reading.items`): the XML states it.
STATED = "1.0"
# Several payment terms (a discount for early payment, then the net term) are joined into one text.
TERMS_SEPARATOR = "; "
_SPACES = re.compile(r"\s+")


def cii_trade_fields(root: etree._Element, dialect: CiiDialect = D16B) -> dict[str, Field]:
    """Customer, order reference, payment terms and lines of a CII invoice; ``dialect`` names its parts."""
    ns = dialect.ns
    out: dict[str, Field] = {}
    trade = root.find(dialect.trade, ns)
    if trade is None:
        return out
    agreement = trade.find(dialect.agreement, ns)
    if agreement is not None:
        buyer = agreement.find("ram:BuyerTradeParty", ns)
        if buyer is not None:
            _put(out, "customer_name", _text(first_text(buyer, "ram:Name", ns)))
            vat = [v for s, v in _ids(buyer, "ram:SpecifiedTaxRegistration/ram:ID", ns) if s == "VA"]
            _put(out, "customer_vat", vat[0] if vat else None)
        # The header's order only: EXTENDED lines may each name an order of their own.
        _put(out, "po_number", first_text(agreement, f"ram:BuyerOrderReferencedDocument/{dialect.order_id}", ns))
    settlement = trade.find(dialect.settlement, ns)
    if settlement is not None:
        _put(out, "payment_terms", _joined(
            el.text for el in settlement.iterfind("ram:SpecifiedTradePaymentTerms/ram:Description", ns)))
    _put(out, "line_items", [{**line, "confidence": STATED} for item in
                             trade.iterfind("ram:IncludedSupplyChainTradeLineItem", ns)
                             if (line := _cii_line(item, dialect))])
    return out


def _cii_line(item: etree._Element, dialect: CiiDialect) -> dict[str, str]:
    ns = dialect.ns
    quantity = item.find(f"{dialect.line_delivery}/ram:BilledQuantity", ns)
    settlement = item.find(dialect.line_settlement, ns)
    return _line(
        description=first_text(item, "ram:SpecifiedTradeProduct/ram:Name", ns)
        or first_text(item, "ram:SpecifiedTradeProduct/ram:Description", ns),
        quantity=quantity,
        price=item.find(f"{dialect.line_agreement}/ram:NetPriceProductTradePrice/ram:ChargeAmount", ns),
        rate=first_text(settlement, f"ram:ApplicableTradeTax/{dialect.rate}", ns) if settlement is not None else None,
        amount=settlement.find(f"{dialect.line_summation}/ram:LineTotalAmount", ns) if settlement is not None else None,
    )


def ubl_trade_fields(root: etree._Element) -> dict[str, Field]:
    """Customer, order reference, payment terms and lines of a UBL ``Invoice`` or ``CreditNote``."""
    out: dict[str, Field] = {}
    buyer = root.find("cac:AccountingCustomerParty/cac:Party", NS)
    if buyer is not None:
        _put(out, "customer_name", _text(first_text(buyer, "cac:PartyLegalEntity/cbc:RegistrationName")
                                         or first_text(buyer, "cac:PartyName/cbc:Name")))
        vat = [v for s, v in _ids(buyer, "cac:PartyTaxScheme/cbc:CompanyID") if v[:2].isalpha()]
        _put(out, "customer_vat", vat[0] if vat else None)
    _put(out, "po_number", first_text(root, "cac:OrderReference/cbc:ID"))
    _put(out, "payment_terms", _joined(el.text for el in root.iterfind("cac:PaymentTerms/cbc:Note", NS)))
    credit = etree.QName(root).localname == "CreditNote"
    line_tag, quantity_tag = ("cac:CreditNoteLine", "cbc:CreditedQuantity") if credit else \
        ("cac:InvoiceLine", "cbc:InvoicedQuantity")
    _put(out, "line_items", [{**line, "confidence": STATED} for item in root.iterfind(line_tag, NS)
                             if (line := _ubl_line(item, quantity_tag))])
    return out


def _ubl_line(item: etree._Element, quantity_tag: str) -> dict[str, str]:
    # EN 16931 puts the rate in the item's tax category; some producers give only the line's tax subtotal.
    rate = (first_text(item, "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent")
            or first_text(item, "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent"))
    return _line(
        description=first_text(item, "cac:Item/cbc:Name") or first_text(item, "cac:Item/cbc:Description"),
        quantity=item.find(quantity_tag, NS), price=item.find("cac:Price/cbc:PriceAmount", NS), rate=rate,
        amount=item.find("cbc:LineExtensionAmount", NS),
    )


def _line(*, description: str | None, quantity: etree._Element | None, price: etree._Element | None,
          rate: str | None, amount: etree._Element | None) -> dict[str, str]:
    """A line's dict, with only the keys the XML gives a value for."""
    values = {
        "description": _text(description),
        "quantity": _quantity(quantity.text if quantity is not None else None),
        "unit": unit_of_code(quantity.get("unitCode")) if quantity is not None else None,
        "unit_price": _price(price.text if price is not None else None),
        "vat_rate": _rate(rate),
        "net_amount": _amount(amount),
    }
    return {key: value for key, value in values.items() if value}


def _text(text: str | None) -> str | None:
    """Text on one line: XML descriptions keep the producer's line breaks and indentation."""
    return _SPACES.sub(" ", text).strip() or None if text else None


def _joined(texts: Iterable[str | None]) -> str | None:
    """Each text once, in the XML's order."""
    parts = [part for text in texts if (part := _text(text))]
    return TERMS_SEPARATOR.join(dict.fromkeys(parts)) or None


def _quantity(text: str | None) -> str | None:
    value = parse_decimal_xml(text)
    return None if value is None else format_quantity(value)


def _price(text: str | None) -> str | None:
    value = parse_decimal_xml(text)
    return None if value is None else format_price(value)
