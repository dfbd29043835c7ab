"""Invoice facts from structured e-invoice XML: CII (Factur-X, ZUGFeRD 2) and UBL 2.1.

The XML comes from outside (a PDF attachment or an upload), so it is parsed
defensively: a size limit before any parsing, no DTD at all (which rules out the
billion-laughs expansion and external entities reading local files), no network,
no huge-tree mode. What comes out is the shared field shape of ``fields`` with
source ``einvoice`` and confidence 1.0: the XML is the supplier's own statement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from facturx import get_level
from lxml import etree

from ingest.documents.amounts import format_amount, parse_decimal_xml
from ingest.documents.fields import Field

DEFAULT_MAX_XML_BYTES = 5 * 1024 * 1024

CII_NS = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
UBL_INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
_ROOTS = {
    f"{{{CII_NS}}}CrossIndustryInvoice": "cii",
    f"{{{UBL_INVOICE_NS}}}Invoice": "ubl",
    f"{{{UBL_CREDIT_NS}}}CreditNote": "ubl",
}

# factur-x's level names (the last part of the guideline URN) to our profile names.
_LEVELS = {
    "minimum": "MINIMUM",
    "basicwl": "BASIC WL",
    "basic": "BASIC",
    "en16931": "EN 16931",
    "extended": "EXTENDED",
    "extended-ctc-fr": "EXTENDED",
}


class EInvoiceErrorCode(StrEnum):
    XML_TOO_LARGE = "xml_too_large"
    XML_FORBIDDEN = "xml_forbidden"
    XML_MALFORMED = "xml_malformed"
    NOT_AN_EINVOICE = "not_an_einvoice"


class EInvoiceError(ValueError):
    """A refused XML document: a stable ``code`` and a sentence for people."""

    def __init__(self, code: EInvoiceErrorCode, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class EInvoice:
    flavour: str  # 'factur-x' | 'zugferd' | 'cii' | 'ubl'
    profile: str | None  # 'MINIMUM', 'BASIC WL', 'BASIC', 'EN 16931', 'EXTENDED', 'XRECHNUNG'
    fields: dict[str, Field] = field(default_factory=dict)
    guideline: str | None = None  # the raw guideline / customization id


def is_einvoice_xml(xml: bytes) -> bool:
    """Cheap sniff: does the root element name a CII invoice or UBL invoice/credit note?

    Only the first few kilobytes are looked at and nothing is parsed, so this is
    safe to call on any upload; ``parse_einvoice`` does the real validation.
    """
    head = xml[:4096]
    match = re.search(rb"<(?:[A-Za-z_][\w.\-]*:)?(CrossIndustryInvoice|Invoice|CreditNote)[\s>/]", head)
    if match is None or b"<!DOCTYPE" in head.upper():
        return False
    name = match.group(1)
    namespace = {
        b"CrossIndustryInvoice": CII_NS,
        b"Invoice": UBL_INVOICE_NS,
        b"CreditNote": UBL_CREDIT_NS,
    }[name]
    return namespace.encode() in head


def parse_einvoice(
    xml: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_XML_BYTES,
    filename: str | None = None,
) -> EInvoice:
    """Parse CII or UBL invoice XML into an ``EInvoice``; raise ``EInvoiceError`` if refused.

    ``filename`` is the attachment name when known (``factur-x.xml``,
    ``zugferd-invoice.xml``): the plain EN 16931 guideline id is shared by
    Factur-X and ZUGFeRD, and only the attachment name tells them apart.
    """
    root = _safe_root(xml, max_bytes)
    kind = _ROOTS.get(root.tag)
    if kind is None:
        raise EInvoiceError(
            EInvoiceErrorCode.NOT_AN_EINVOICE,
            f"The XML root element {etree.QName(root).localname!r} is neither a CII invoice "
            "nor a UBL invoice or credit note.",
        )
    if kind == "cii":
        guideline = _first_text(root, "rsm:ExchangedDocumentContext/"
                                "ram:GuidelineSpecifiedDocumentContextParameter/ram:ID")
        fields = cii_fields(root)
        flavour = _cii_flavour(guideline, filename)
    else:
        guideline = _first_text(root, "cbc:CustomizationID")
        fields = ubl_fields(root)
        flavour = "ubl"
    return EInvoice(flavour, _profile(root, guideline), fields, guideline)


def _safe_root(xml: bytes, max_bytes: int) -> etree._Element:
    if len(xml) > max_bytes:
        raise EInvoiceError(
            EInvoiceErrorCode.XML_TOO_LARGE,
            f"The XML is {len(xml)} bytes, over the {max_bytes}-byte limit.",
        )
    if _declares_dtd(xml):
        raise EInvoiceError(
            EInvoiceErrorCode.XML_FORBIDDEN,
            "The XML declares a DTD or entities, which e-invoices never need; refused.",
        )
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
        dtd_validation=False, remove_comments=True, remove_pis=True,
    )
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as error:
        raise EInvoiceError(
            EInvoiceErrorCode.XML_MALFORMED, f"The XML is not well-formed: {error}."
        ) from None
    if root is None or root.getroottree().docinfo.internalDTD is not None:
        raise EInvoiceError(EInvoiceErrorCode.XML_FORBIDDEN, "The XML carries a DTD; refused.")
    return root


def _declares_dtd(xml: bytes) -> bool:
    """Look for ``<!DOCTYPE``/``<!ENTITY`` before parsing, in UTF-8 or UTF-16 text."""
    probes = [xml]
    if xml[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00<" in xml[:4] or b"<\x00" in xml[:4]:
        probes.append(xml.decode("utf-16", errors="ignore").encode("utf-8"))
    return any(b"<!DOCTYPE" in p or b"<!ENTITY" in p for p in probes)


_NS = {
    "rsm": CII_NS,
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}


def _first_text(root: etree._Element, path: str) -> str | None:
    found = root.find(path, _NS)
    if found is None or not (found.text or "").strip():
        return None
    return found.text.strip()


def _cii_flavour(guideline: str | None, filename: str | None) -> str:
    hint = f"{guideline or ''} {filename or ''}".lower()
    if "factur-x" in hint or "facturx" in hint:
        return "factur-x"
    if "zugferd" in hint:
        return "zugferd"
    return "cii"


def _profile(root: etree._Element, guideline: str | None) -> str | None:
    if guideline is None:
        return None
    if "xrechnung" in guideline.lower():
        return "XRECHNUNG"
    try:
        # factur-x knows every Factur-X/ZUGFeRD 2 guideline URN, including the
        # odd "...:2017:compliant:factur-x.eu:1p0:basic" spelling of old samples.
        level = get_level(root)
    except ValueError:
        level = None
    if level in _LEVELS:
        return _LEVELS[level]
    if guideline.startswith("urn:cen.eu:en16931:2017"):
        return "EN 16931"
    return None


# UNTDID 1001 document types that reduce what the buyer owes: credit notes proper
# (381, 396, 532), credit notes for goods/services or financial adjustments (261,
# 262, 296, 308, 420, 458). Everything else (380, 384 corrective, 386 prepayment,
# 389 self-billed, ...) is an invoice.
CREDIT_NOTE_CODES = frozenset({"261", "262", "296", "308", "381", "396", "420", "458", "532"})


def _document_type(code: str | None) -> str:
    return "credit_note" if code in CREDIT_NOTE_CODES else "invoice"


def _put(fields: dict[str, Field], key: str, value: str | list | None) -> None:
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


def _ids(party: etree._Element | None, path: str) -> list[tuple[str, str]]:
    """(schemeID, value) pairs of the identifiers found at ``path`` under ``party``."""
    if party is None:
        return []
    return [
        (el.get("schemeID", ""), re.sub(r"\s", "", el.text or ""))
        for el in party.iterfind(path, _NS)
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


def cii_fields(root: etree._Element) -> dict[str, Field]:
    """Map a CII ``CrossIndustryInvoice`` (EN 16931 business terms) to our fields."""
    out: dict[str, Field] = {}
    doc = root.find("rsm:ExchangedDocument", _NS)
    trade = root.find("rsm:SupplyChainTradeTransaction", _NS)
    _put(out, "document_type", _document_type(_first_text(doc, "ram:TypeCode") if doc is not None else None))
    if doc is not None:
        _put(out, "invoice_number", _first_text(doc, "ram:ID"))
        _put(out, "issue_date", _xml_date(_first_text(doc, "ram:IssueDateTime/udt:DateTimeString")))
    if trade is None:
        return out
    seller = trade.find("ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty", _NS)
    if seller is not None:
        _put(out, "supplier_name", _first_text(seller, "ram:Name"))
        _company_ids(out, _ids(seller, "ram:SpecifiedLegalOrganization/ram:ID"))
        _company_ids(out, _ids(seller, "ram:ID"))
        vat = [v for s, v in _ids(seller, "ram:SpecifiedTaxRegistration/ram:ID") if s == "VA"]
        _put(out, "supplier_vat", vat[0] if vat else None)
    settlement = trade.find("ram:ApplicableHeaderTradeSettlement", _NS)
    if settlement is not None:
        _cii_settlement(out, settlement)
    return out


def _cii_settlement(out: dict[str, Field], settlement: etree._Element) -> None:
    currency = _first_text(settlement, "ram:InvoiceCurrencyCode")
    _put(out, "currency", currency)
    _put(out, "due_date", _xml_date(_first_text(
        settlement, "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString")))
    iban = _first_text(settlement, "ram:SpecifiedTradeSettlementPaymentMeans/"
                       "ram:PayeePartyCreditorFinancialAccount/ram:IBANID")
    _put(out, "iban", re.sub(r"\s", "", iban).upper() if iban else None)
    totals = settlement.find("ram:SpecifiedTradeSettlementHeaderMonetarySummation", _NS)
    if totals is not None:
        _put(out, "total_excl_tax", _amount(totals.find("ram:TaxBasisTotalAmount", _NS)))
        _put(out, "total_tax", _amount(_in_currency(totals.findall("ram:TaxTotalAmount", _NS), currency)))
        _put(out, "total_incl_tax", _amount(totals.find("ram:GrandTotalAmount", _NS)))
    breakdown = [
        {
            "rate": _rate(_first_text(tax, "ram:RateApplicablePercent")) or "0.00",
            "base": _amount(tax.find("ram:BasisAmount", _NS)) or "0.00",
            "tax": _amount(tax.find("ram:CalculatedAmount", _NS)) or "0.00",
        }
        for tax in settlement.iterfind("ram:ApplicableTradeTax", _NS)
    ]
    _put(out, "vat_breakdown", breakdown)


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
    code = _first_text(root, "cbc:CreditNoteTypeCode" if is_credit else "cbc:InvoiceTypeCode")
    _put(out, "document_type", _document_type(code or ("381" if is_credit else "380")))
    _put(out, "invoice_number", _first_text(root, "cbc:ID"))
    _put(out, "issue_date", _xml_date(_first_text(root, "cbc:IssueDate")))
    _put(out, "due_date", _xml_date(_first_text(root, "cbc:DueDate")
                                    or _first_text(root, "cac:PaymentMeans/cbc:PaymentDueDate")))
    currency = _first_text(root, "cbc:DocumentCurrencyCode")
    _put(out, "currency", currency)
    seller = root.find("cac:AccountingSupplierParty/cac:Party", _NS)
    if seller is not None:
        _put(out, "supplier_name", _first_text(seller, "cac:PartyLegalEntity/cbc:RegistrationName")
             or _first_text(seller, "cac:PartyName/cbc:Name"))
        _company_ids(out, _ids(seller, "cac:PartyLegalEntity/cbc:CompanyID"))
        _company_ids(out, _ids(seller, "cac:PartyIdentification/cbc:ID"))
        vat = [v for s, v in _ids(seller, "cac:PartyTaxScheme/cbc:CompanyID") if v[:2].isalpha()]
        _put(out, "supplier_vat", vat[0] if vat else None)
    iban = _first_text(root, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID")
    _put(out, "iban", re.sub(r"\s", "", iban).upper() if iban else None)
    totals = root.find("cac:LegalMonetaryTotal", _NS)
    if totals is not None:
        _put(out, "total_excl_tax", _amount(totals.find("cbc:TaxExclusiveAmount", _NS)))
        _put(out, "total_incl_tax", _amount(totals.find("cbc:TaxInclusiveAmount", _NS)))
    tax_totals = root.findall("cac:TaxTotal", _NS)
    amounts = [t.find("cbc:TaxAmount", _NS) for t in tax_totals]
    _put(out, "total_tax", _amount(_in_currency([a for a in amounts if a is not None], currency)))
    breakdown = [
        {
            "rate": _rate(_first_text(sub, "cac:TaxCategory/cbc:Percent")) or "0.00",
            "base": _amount(sub.find("cbc:TaxableAmount", _NS)) or "0.00",
            "tax": _amount(sub.find("cbc:TaxAmount", _NS)) or "0.00",
        }
        for total in tax_totals
        for sub in total.iterfind("cac:TaxSubtotal", _NS)
    ]
    _put(out, "vat_breakdown", breakdown)
    return out
