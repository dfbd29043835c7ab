"""Invoice facts from structured e-invoice XML: CII (Factur-X, ZUGFeRD 2 and 1.0) and UBL 2.1.

The XML comes from outside (a PDF attachment or an upload), so it is parsed
defensively: a size limit before any parsing, no DTD at all (which rules out the
billion-laughs expansion and external entities reading local files), no network,
no huge-tree mode. The fields themselves are read from the parsed tree by
``ingest.documents.fields.einvoice``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from facturx import get_level
from lxml import etree

from ingest.documents.fields import Field
from ingest.documents.fields.einvoice import NS, NS_ZUGFERD1, ZUGFERD1, cii_fields, first_text, ubl_fields
from ingest.documents.fields.einvoice_trade import cii_trade_fields, ubl_trade_fields

DEFAULT_MAX_XML_BYTES = 5 * 1024 * 1024

CII_NS = NS["rsm"]
UBL_INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
_ROOTS = {
    f"{{{CII_NS}}}CrossIndustryInvoice": "cii",
    f"{{{NS_ZUGFERD1['rsm']}}}CrossIndustryDocument": "zugferd1",
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
# The fields a profile cannot carry at all, whatever its producer: MINIMUM has neither lines (BG-25), nor the
# VAT breakdown (BG-23), the due date (BT-9), the payee's account (BT-84) or the payment terms (BT-20);
# BASIC WL ("without lines") has all of those but the lines. The visible page may give them
# (`understand.understand`).
PROFILE_LACKS: dict[str, frozenset[str]] = {
    "MINIMUM": frozenset({"line_items", "vat_breakdown", "due_date", "iban", "payment_terms"}),
    "BASIC WL": frozenset({"line_items"}),
}
# ZUGFeRD 1.0's profiles, the last part of its guideline URN (COMFORT is its EN 16931-like level).
_ZUGFERD1_PROFILES = {"basic": "BASIC", "comfort": "COMFORT", "extended": "EXTENDED"}


class EInvoiceErrorCode(StrEnum):
    XML_TOO_LARGE = "xml_too_large"
    XML_FORBIDDEN = "xml_forbidden"
    XML_MALFORMED = "xml_malformed"
    NOT_AN_EINVOICE = "not_an_einvoice"

    @property
    def summary(self) -> str:
        """A generic sentence for documentation and listings of codes."""
        return _SUMMARIES[self]


_SUMMARIES: dict[EInvoiceErrorCode, str] = {
    EInvoiceErrorCode.XML_TOO_LARGE: "The XML document is larger than an e-invoice can be.",
    EInvoiceErrorCode.XML_FORBIDDEN: "The XML declares entities or a document type, which are refused (XML bombs).",
    EInvoiceErrorCode.XML_MALFORMED: "The XML is not well formed.",
    EInvoiceErrorCode.NOT_AN_EINVOICE: "The XML is neither a CII (Factur-X, ZUGFeRD) nor a UBL invoice.",
}


class EInvoiceError(ValueError):
    """A refused XML document: a stable ``code`` and a sentence for people."""

    def __init__(self, code: EInvoiceErrorCode, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass(frozen=True)
class EInvoice:
    flavour: str  # 'factur-x' | 'zugferd' | 'cii' | 'ubl'
    profile: str | None  # 'MINIMUM', 'BASIC WL', 'BASIC', 'COMFORT' (ZUGFeRD 1.0), 'EN 16931', 'EXTENDED', 'XRECHNUNG'
    fields: dict[str, Field] = field(default_factory=dict)
    guideline: str | None = None  # the raw guideline / customization id


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
    if kind == "zugferd1":
        guideline = first_text(root, "rsm:SpecifiedExchangedDocumentContext/"
                               "ram:GuidelineSpecifiedDocumentContextParameter/ram:ID", NS_ZUGFERD1)
        profile = _ZUGFERD1_PROFILES.get((guideline or "").rsplit(":", 1)[-1].lower())
        fields = cii_fields(root, ZUGFERD1) | cii_trade_fields(root, ZUGFERD1)
        return EInvoice("zugferd", profile, fields, guideline)
    if kind == "cii":
        guideline = first_text(root, "rsm:ExchangedDocumentContext/"
                               "ram:GuidelineSpecifiedDocumentContextParameter/ram:ID")
        fields = cii_fields(root) | cii_trade_fields(root)
        flavour = _cii_flavour(guideline, filename)
    else:
        guideline = first_text(root, "cbc:CustomizationID")
        fields = ubl_fields(root) | ubl_trade_fields(root)
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
