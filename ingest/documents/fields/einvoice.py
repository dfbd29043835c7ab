"""Invoice fields from already parsed CII and UBL e-invoice trees (EN 16931 terms), and from
ZUGFeRD 1.0's earlier CII dialect (2014–2019 German invoices, still received).

Apart from ``ingest.documents.einvoice`` on purpose: that module decides whether
XML may be parsed at all and which flavour and profile it is, and stays small
because it is the security-sensitive part; this one is the mapping of paths,
dates, amounts and ISO 6523 identifiers to the ``Field`` shape the text rules in
this package produce too. Every value has source ``einvoice`` and confidence 1.0:
the XML is the supplier's own statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from ingest.documents.amounts import format_amount, parse_decimal_xml
from ingest.documents.fields.model import Field

# CII (rsm, ram, udt) and UBL (cbc, cac) prefixes for the paths below.
NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}


# ZUGFeRD 1.0: the same tree under older names (UN/CEFACT CII draft 12, its own root namespace).
NS_ZUGFERD1 = {
    "rsm": "urn:ferd:CrossIndustryDocument:invoice:1p0",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:15",
}


@dataclass(frozen=True)
class CiiDialect:
    """Where each part of a CII invoice lives, by the dialect's names."""

    ns: dict[str, str]
    document: str
    trade: str
    agreement: str
    settlement: str
    summation: str
    rate: str
    order_id: str  # the buyer's order number inside BuyerOrderReferencedDocument
    line_agreement: str
    line_delivery: str
    line_settlement: str
    line_summation: str


D16B = CiiDialect(NS, "rsm:ExchangedDocument", "rsm:SupplyChainTradeTransaction",
                  "ram:ApplicableHeaderTradeAgreement", "ram:ApplicableHeaderTradeSettlement",
                  "ram:SpecifiedTradeSettlementHeaderMonetarySummation", "ram:RateApplicablePercent",
                  "ram:IssuerAssignedID", "ram:SpecifiedLineTradeAgreement", "ram:SpecifiedLineTradeDelivery",
                  "ram:SpecifiedLineTradeSettlement", "ram:SpecifiedTradeSettlementLineMonetarySummation")
ZUGFERD1 = CiiDialect(NS_ZUGFERD1, "rsm:HeaderExchangedDocument", "rsm:SpecifiedSupplyChainTradeTransaction",
                      "ram:ApplicableSupplyChainTradeAgreement", "ram:ApplicableSupplyChainTradeSettlement",
                      "ram:SpecifiedTradeSettlementMonetarySummation", "ram:ApplicablePercent",
                      "ram:ID", "ram:SpecifiedSupplyChainTradeAgreement", "ram:SpecifiedSupplyChainTradeDelivery",
                      "ram:SpecifiedSupplyChainTradeSettlement", "ram:SpecifiedTradeSettlementMonetarySummation")


def first_text(root: etree._Element, path: str, ns: dict[str, str] = NS) -> str | None:
    found = root.find(path, ns)
    if found is None or found.text is None or not found.text.strip():
        return None
    return found.text.strip()


# UNTDID 1001 document types that reduce what the buyer owes: credit notes proper
# (381, 396, 532), credit notes for goods/services or financial adjustments (261,
# 262, 296, 308, 420, 458). Everything else (380, 384 corrective, 386 prepayment,
# 389 self-billed, ...) is an invoice.
CREDIT_NOTE_CODES = frozenset({"261", "262", "296", "308", "381", "396", "420", "458", "532"})


def _document_type(code: str | None) -> str:
    return "credit_note" if code in CREDIT_NOTE_CODES else "invoice"


def _put(fields: dict[str, Field], key: str, value: str | list[dict[str, str]] | None) -> None:
    if value not in (None, "", []):
        fields[key] = Field(value, 1.0, "einvoice")


def _xml_date(text: str | None) -> str | None:
    """Format 102 (``YYYYMMDD``) to ISO; also accepts an ISO date as UBL writes it."""
    if text is None:
        return None
    digits = re.sub(r"\D", "", text.strip())[:8]
    if len(digits) != 8:
        return None
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"


def _amount(element: etree._Element | None) -> str | None:
    value = parse_decimal_xml(element.text if element is not None else None)
    return None if value is None else format_amount(value)


def _rate(text: str | None) -> str | None:
    value = parse_decimal_xml(text)
    return None if value is None else format_amount(value)


def _ids(party: etree._Element | None, path: str, ns: dict[str, str] = NS) -> list[tuple[str, str]]:
    """(schemeID, value) pairs of the identifiers found at ``path`` under ``party``."""
    if party is None:
        return []
    return [
        (el.get("schemeID", ""), re.sub(r"\s", "", el.text or ""))
        for el in party.iterfind(path, ns)
        if (el.text or "").strip()
    ]


def _company_ids(fields: dict[str, Field], ids: list[tuple[str, str]]) -> None:
    """SIREN/SIRET from ISO 6523 identifiers: 0002 is SIREN, 0009 is SIRET.

    Real files put a 14-digit SIRET under 0002 too (the FNFE samples do), so the
    length decides: 14 digits is a SIRET whose first nine digits are the SIREN.
    """
    for scheme, value in ids:
        if scheme not in ("0002", "0009") or not value.isdigit():
            continue
        if len(value) == 14:
            fields.setdefault("supplier_siret", Field(value, 1.0, "einvoice"))
            fields.setdefault("supplier_siren", Field(value[:9], 1.0, "einvoice"))
        elif len(value) == 9:
            fields.setdefault("supplier_siren", Field(value, 1.0, "einvoice"))


def cii_fields(root: etree._Element, dialect: CiiDialect = D16B) -> dict[str, Field]:
    """Map a CII invoice (EN 16931 business terms) to our fields; ``dialect`` names its parts."""
    ns = dialect.ns
    out: dict[str, Field] = {}
    doc = root.find(dialect.document, ns)
    trade = root.find(dialect.trade, ns)
    _put(out, "document_type", _document_type(first_text(doc, "ram:TypeCode", ns) if doc is not None else None))
    if doc is not None:
        _put(out, "invoice_number", first_text(doc, "ram:ID", ns))
        _put(out, "issue_date", _xml_date(first_text(doc, "ram:IssueDateTime/udt:DateTimeString", ns)))
    if trade is None:
        return out
    seller = trade.find(f"{dialect.agreement}/ram:SellerTradeParty", ns)
    if seller is not None:
        _put(out, "supplier_name", first_text(seller, "ram:Name", ns))
        _company_ids(out, _ids(seller, "ram:SpecifiedLegalOrganization/ram:ID", ns))
        _company_ids(out, _ids(seller, "ram:ID", ns))
        vat = [v for s, v in _ids(seller, "ram:SpecifiedTaxRegistration/ram:ID", ns) if s == "VA"]
        _put(out, "supplier_vat", vat[0] if vat else None)
    settlement = trade.find(dialect.settlement, ns)
    if settlement is not None:
        _cii_settlement(out, settlement, dialect)
    return out


def _cii_settlement(out: dict[str, Field], settlement: etree._Element, dialect: CiiDialect) -> None:
    ns = dialect.ns
    currency = first_text(settlement, "ram:InvoiceCurrencyCode", ns)
    _put(out, "currency", currency)
    _put(out, "due_date", _xml_date(first_text(
        settlement, "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString", ns)))
    iban = first_text(settlement, "ram:SpecifiedTradeSettlementPaymentMeans/"
                      "ram:PayeePartyCreditorFinancialAccount/ram:IBANID", ns)
    _put(out, "iban", re.sub(r"\s", "", iban).upper() if iban else None)
    totals = settlement.find(dialect.summation, ns)
    if totals is not None:
        _put(out, "total_excl_tax", _amount(totals.find("ram:TaxBasisTotalAmount", ns)))
        _put(out, "total_tax", _amount(_in_currency(totals.findall("ram:TaxTotalAmount", ns), currency)))
        _put(out, "total_incl_tax", _amount(totals.find("ram:GrandTotalAmount", ns)))
        _implied_basis(out)
    breakdown = [
        _row(_rate(first_text(tax, dialect.rate, ns)), _amount(tax.find("ram:BasisAmount", ns)),
             _amount(tax.find("ram:CalculatedAmount", ns)), first_text(tax, "ram:CategoryCode", ns))
        for tax in settlement.iterfind("ram:ApplicableTradeTax", ns)
    ]
    _put(out, "vat_breakdown", breakdown)


def _implied_basis(out: dict[str, Field]) -> None:
    """ZUGFeRD 1.0's BASIC profile may leave out the total excluding tax: it is then the grand total
    less the tax total, both the supplier's own figures."""
    if "total_excl_tax" in out or "total_incl_tax" not in out or "total_tax" not in out:
        return
    grand, tax = (Decimal(str(out[key].value)) for key in ("total_incl_tax", "total_tax"))
    _put(out, "total_excl_tax", format_amount(grand - tax))


def _row(rate: str | None, base: str | None, tax: str | None, category: str | None) -> dict[str, str]:
    """A VAT breakdown row; with its category (UNCL 5305: S standard, AE reverse charge, K
    intra-community, E exempt, G export, Z zero, O outside scope) when the XML gives one, which
    the journal needs to tell a reverse charge from an exemption (both charge no VAT)."""
    row = {"rate": rate or "0.00", "base": base or "0.00", "tax": tax or "0.00"}
    if category:
        row["category"] = category.upper()
    return row


def _in_currency(elements: list[etree._Element], currency: str | None) -> etree._Element | None:
    """The amount in the invoice currency when the tax total is given in two currencies."""
    for element in elements:
        if currency is None or element.get("currencyID") in (None, currency):
            return element
    return elements[0] if elements else None


def ubl_fields(root: etree._Element) -> dict[str, Field]:
    """Map a UBL 2.1 ``Invoice`` or ``CreditNote`` to our fields."""
    out: dict[str, Field] = {}
    is_credit = etree.QName(root).localname == "CreditNote"
    code = first_text(root, "cbc:CreditNoteTypeCode" if is_credit else "cbc:InvoiceTypeCode")
    _put(out, "document_type", _document_type(code or ("381" if is_credit else "380")))
    _put(out, "invoice_number", first_text(root, "cbc:ID"))
    _put(out, "issue_date", _xml_date(first_text(root, "cbc:IssueDate")))
    _put(out, "due_date", _xml_date(first_text(root, "cbc:DueDate")
                                    or first_text(root, "cac:PaymentMeans/cbc:PaymentDueDate")))
    currency = first_text(root, "cbc:DocumentCurrencyCode")
    _put(out, "currency", currency)
    seller = root.find("cac:AccountingSupplierParty/cac:Party", NS)
    if seller is not None:
        _put(out, "supplier_name", first_text(seller, "cac:PartyLegalEntity/cbc:RegistrationName")
             or first_text(seller, "cac:PartyName/cbc:Name"))
        _company_ids(out, _ids(seller, "cac:PartyLegalEntity/cbc:CompanyID"))
        _company_ids(out, _ids(seller, "cac:PartyIdentification/cbc:ID"))
        vat = [v for s, v in _ids(seller, "cac:PartyTaxScheme/cbc:CompanyID") if v[:2].isalpha()]
        _put(out, "supplier_vat", vat[0] if vat else None)
    iban = first_text(root, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID")
    _put(out, "iban", re.sub(r"\s", "", iban).upper() if iban else None)
    totals = root.find("cac:LegalMonetaryTotal", NS)
    if totals is not None:
        _put(out, "total_excl_tax", _amount(totals.find("cbc:TaxExclusiveAmount", NS)))
        _put(out, "total_incl_tax", _amount(totals.find("cbc:TaxInclusiveAmount", NS)))
    tax_totals = root.findall("cac:TaxTotal", NS)
    amounts = [t.find("cbc:TaxAmount", NS) for t in tax_totals]
    _put(out, "total_tax", _amount(_in_currency([a for a in amounts if a is not None], currency)))
    breakdown = [
        _row(_rate(first_text(sub, "cac:TaxCategory/cbc:Percent")), _amount(sub.find("cbc:TaxableAmount", NS)),
             _amount(sub.find("cbc:TaxAmount", NS)), first_text(sub, "cac:TaxCategory/cbc:ID"))
        for total in tax_totals
        for sub in total.iterfind("cac:TaxSubtotal", NS)
    ]
    _put(out, "vat_breakdown", breakdown)
    return out
