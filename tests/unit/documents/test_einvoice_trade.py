"""The buyer's side and the lines of an e-invoice: customer, order reference, payment terms, lines, in
CII D16B, ZUGFeRD 1.0 and UBL, written by hand and read from every corpus file."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from ingest.documents.einvoice import parse_einvoice
from tests.support.corpus import corpus_pdfs, require
from tests.unit.documents.test_einvoice import embedded_xml

NEW_KEYS = ("customer_name", "customer_vat", "po_number", "payment_terms", "line_items")

CII = """<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice
 xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
 xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
 xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
 <rsm:ExchangedDocument><ram:ID>F-9</ram:ID><ram:TypeCode>380</ram:TypeCode></rsm:ExchangedDocument>
 <rsm:SupplyChainTradeTransaction>
  <ram:IncludedSupplyChainTradeLineItem>
   <ram:AssociatedDocumentLineDocument><ram:LineID>1</ram:LineID></ram:AssociatedDocumentLineDocument>
   <ram:SpecifiedTradeProduct><ram:Name>Planches de
        chêne</ram:Name></ram:SpecifiedTradeProduct>
   <ram:SpecifiedLineTradeAgreement>
    <ram:BuyerOrderReferencedDocument><ram:IssuerAssignedID>LINE-ORDER</ram:IssuerAssignedID>
    </ram:BuyerOrderReferencedDocument>
    <ram:GrossPriceProductTradePrice><ram:ChargeAmount>13.0000</ram:ChargeAmount></ram:GrossPriceProductTradePrice>
    <ram:NetPriceProductTradePrice><ram:ChargeAmount>12.4550</ram:ChargeAmount></ram:NetPriceProductTradePrice>
   </ram:SpecifiedLineTradeAgreement>
   <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="MTK">20.0000</ram:BilledQuantity>
   </ram:SpecifiedLineTradeDelivery>
   <ram:SpecifiedLineTradeSettlement>
    <ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>S</ram:CategoryCode>
     <ram:RateApplicablePercent>20</ram:RateApplicablePercent></ram:ApplicableTradeTax>
    <ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>249.1</ram:LineTotalAmount>
    </ram:SpecifiedTradeSettlementLineMonetarySummation>
   </ram:SpecifiedLineTradeSettlement>
  </ram:IncludedSupplyChainTradeLineItem>
  <ram:IncludedSupplyChainTradeLineItem>
   <ram:AssociatedDocumentLineDocument><ram:LineID>2</ram:LineID></ram:AssociatedDocumentLineDocument>
   <ram:SpecifiedTradeProduct><ram:Description>Livraison</ram:Description></ram:SpecifiedTradeProduct>
   <ram:SpecifiedLineTradeAgreement>
    <ram:NetPriceProductTradePrice><ram:ChargeAmount>30</ram:ChargeAmount></ram:NetPriceProductTradePrice>
   </ram:SpecifiedLineTradeAgreement>
   <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity>1</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>
   <ram:SpecifiedLineTradeSettlement>
    <ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>30</ram:LineTotalAmount>
    </ram:SpecifiedTradeSettlementLineMonetarySummation>
   </ram:SpecifiedLineTradeSettlement>
  </ram:IncludedSupplyChainTradeLineItem>
  <ram:ApplicableHeaderTradeAgreement>
   <ram:SellerTradeParty><ram:Name>Scierie Dupont SAS</ram:Name>
    <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">FR44732829320</ram:ID></ram:SpecifiedTaxRegistration>
   </ram:SellerTradeParty>
   <ram:BuyerTradeParty><ram:Name>Menuiserie Martin</ram:Name>
    <ram:SpecifiedTaxRegistration><ram:ID schemeID="FC">12/345/67890</ram:ID></ram:SpecifiedTaxRegistration>
    <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">FR 19 787878784</ram:ID></ram:SpecifiedTaxRegistration>
   </ram:BuyerTradeParty>
   <ram:BuyerOrderReferencedDocument><ram:IssuerAssignedID>BC-2026-118</ram:IssuerAssignedID>
   </ram:BuyerOrderReferencedDocument>
  </ram:ApplicableHeaderTradeAgreement>
  <ram:ApplicableHeaderTradeSettlement><ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
   <ram:SpecifiedTradePaymentTerms><ram:Description>Escompte 2 % à 10 jours</ram:Description>
   </ram:SpecifiedTradePaymentTerms>
   <ram:SpecifiedTradePaymentTerms><ram:Description>Paiement à 30 jours
     fin de mois</ram:Description></ram:SpecifiedTradePaymentTerms>
  </ram:ApplicableHeaderTradeSettlement>
 </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>"""

CII_LINES = [
    {"description": "Planches de chêne", "quantity": "20", "unit": "MTK", "unit_price": "12.455",
     "vat_rate": "20.00", "net_amount": "249.10", "confidence": "1.0"},
    {"description": "Livraison", "quantity": "1", "unit_price": "30.00", "net_amount": "30.00", "confidence": "1.0"},
]


def new_fields(xml: str | bytes, filename: str | None = None) -> dict[str, object]:
    raw = xml.encode() if isinstance(xml, str) else xml
    fields = parse_einvoice(raw, filename=filename).fields
    for key in NEW_KEYS:
        if key in fields:
            assert (fields[key].source, fields[key].confidence) == ("einvoice", 1.0)
    return {key: fields[key].value for key in NEW_KEYS if key in fields}


def without(xml: str, *elements: str) -> str:
    """The XML less every element named (prefixed), with what it holds."""
    root = etree.fromstring(xml.encode())
    for name in elements:
        prefix, local = name.split(":")
        for element in root.iter(f"{{{root.nsmap[prefix]}}}{local}"):
            element.getparent().remove(element)
    return etree.tostring(root).decode()


def test_cii_d16b_buyer_order_terms_and_lines() -> None:
    assert new_fields(CII) == {
        "customer_name": "Menuiserie Martin", "customer_vat": "FR19787878784", "po_number": "BC-2026-118",
        "payment_terms": "Escompte 2 % à 10 jours; Paiement à 30 jours fin de mois", "line_items": CII_LINES,
    }  # fmt: skip


def test_cii_absent_elements_leave_their_fields_out() -> None:
    bare = without(CII, "ram:BuyerTradeParty", "ram:BuyerOrderReferencedDocument", "ram:SpecifiedTradePaymentTerms",
                   "ram:IncludedSupplyChainTradeLineItem")
    assert new_fields(bare) == {}
    # A buyer without a VAT number, a line order reference without the header's: no empty values.
    partial = without(CII, "ram:SpecifiedTaxRegistration")
    partial = partial.replace("<ram:IssuerAssignedID>BC-2026-118</ram:IssuerAssignedID>", "")
    got = new_fields(partial)
    assert "customer_vat" not in got and "po_number" not in got
    assert got["customer_name"] == "Menuiserie Martin"


ZUGFERD1 = """<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryDocument xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0"
 xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12"
 xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:15">
 <rsm:SpecifiedExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter>
  <ram:ID>urn:ferd:CrossIndustryDocument:invoice:1p0:comfort</ram:ID>
 </ram:GuidelineSpecifiedDocumentContextParameter></rsm:SpecifiedExchangedDocumentContext>
 <rsm:HeaderExchangedDocument><ram:ID>RE-2015-117</ram:ID><ram:TypeCode>380</ram:TypeCode>
 </rsm:HeaderExchangedDocument>
 <rsm:SpecifiedSupplyChainTradeTransaction>
  <ram:ApplicableSupplyChainTradeAgreement>
   <ram:SellerTradeParty><ram:Name>Holzbau Keller GmbH</ram:Name></ram:SellerTradeParty>
   <ram:BuyerTradeParty><ram:Name>Kunden AG Mitte</ram:Name>
    <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">DE234567890</ram:ID></ram:SpecifiedTaxRegistration>
   </ram:BuyerTradeParty>
   <ram:BuyerOrderReferencedDocument><ram:IssueDateTime>2015-06-01T00:00:00</ram:IssueDateTime>
    <ram:ID>2015-4711</ram:ID></ram:BuyerOrderReferencedDocument>
  </ram:ApplicableSupplyChainTradeAgreement>
  <ram:ApplicableSupplyChainTradeSettlement>
   <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
   <ram:SpecifiedTradePaymentTerms><ram:Description>Zahlbar innerhalb 30 Tagen netto</ram:Description>
   </ram:SpecifiedTradePaymentTerms>
  </ram:ApplicableSupplyChainTradeSettlement>
  <ram:IncludedSupplyChainTradeLineItem>
   <ram:AssociatedDocumentLineDocument><ram:LineID>1</ram:LineID></ram:AssociatedDocumentLineDocument>
   <ram:SpecifiedSupplyChainTradeAgreement>
    <ram:NetPriceProductTradePrice><ram:ChargeAmount currencyID="EUR">9.9000</ram:ChargeAmount>
    </ram:NetPriceProductTradePrice>
   </ram:SpecifiedSupplyChainTradeAgreement>
   <ram:SpecifiedSupplyChainTradeDelivery><ram:BilledQuantity unitCode="C62">20.0000</ram:BilledQuantity>
   </ram:SpecifiedSupplyChainTradeDelivery>
   <ram:SpecifiedSupplyChainTradeSettlement>
    <ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:ApplicablePercent>19.00</ram:ApplicablePercent>
    </ram:ApplicableTradeTax>
    <ram:SpecifiedTradeSettlementMonetarySummation>
     <ram:LineTotalAmount currencyID="EUR">198.00</ram:LineTotalAmount>
    </ram:SpecifiedTradeSettlementMonetarySummation>
   </ram:SpecifiedSupplyChainTradeSettlement>
   <ram:SpecifiedTradeProduct><ram:Name>Trennblätter A4</ram:Name></ram:SpecifiedTradeProduct>
  </ram:IncludedSupplyChainTradeLineItem>
 </rsm:SpecifiedSupplyChainTradeTransaction>
</rsm:CrossIndustryDocument>"""


def test_zugferd_1_reads_the_same_facts_under_its_own_names() -> None:
    assert new_fields(ZUGFERD1, "ZUGFeRD-invoice.xml") == {
        "customer_name": "Kunden AG Mitte", "customer_vat": "DE234567890", "po_number": "2015-4711",
        "payment_terms": "Zahlbar innerhalb 30 Tagen netto",
        "line_items": [{"description": "Trennblätter A4", "quantity": "20", "unit": "C62", "unit_price": "9.90",
                        "vat_rate": "19.00", "net_amount": "198.00", "confidence": "1.0"}],
    }  # fmt: skip


def test_zugferd_1_absent_elements_leave_their_fields_out() -> None:
    bare = without(ZUGFERD1, "ram:BuyerTradeParty", "ram:BuyerOrderReferencedDocument",
                   "ram:SpecifiedTradePaymentTerms", "ram:NetPriceProductTradePrice", "ram:ApplicableTradeTax")
    assert new_fields(bare) == {"line_items": [{"description": "Trennblätter A4", "quantity": "20", "unit": "C62",
                                                "net_amount": "198.00", "confidence": "1.0"}]}


UBL = """<?xml version="1.0" encoding="UTF-8"?>
<%(root)s xmlns="urn:oasis:names:specification:ubl:schema:xsd:%(root)s-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
 <cbc:ID>U-1</cbc:ID><cbc:IssueDate>2026-02-01</cbc:IssueDate><cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
 <cac:OrderReference><cbc:ID>PO-77</cbc:ID></cac:OrderReference>
 <cac:AccountingSupplierParty><cac:Party><cac:PartyName><cbc:Name>Scierie</cbc:Name></cac:PartyName>
 </cac:Party></cac:AccountingSupplierParty>
 <cac:AccountingCustomerParty><cac:Party>
  <cac:PartyName><cbc:Name>Martin</cbc:Name></cac:PartyName>
  <cac:PartyTaxScheme><cbc:CompanyID>NL123456789B01</cbc:CompanyID>
   <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>
  <cac:PartyLegalEntity><cbc:RegistrationName>Menuiserie Martin BV</cbc:RegistrationName></cac:PartyLegalEntity>
 </cac:Party></cac:AccountingCustomerParty>
 <cac:PaymentTerms><cbc:Note>Net 30 days</cbc:Note></cac:PaymentTerms>
 <cac:%(line)s><cbc:ID>1</cbc:ID>
  <cbc:%(quantity)s unitCode="HUR">2.5</cbc:%(quantity)s>
  <cbc:LineExtensionAmount currencyID="EUR">150.00</cbc:LineExtensionAmount>
  <cac:Item><cbc:Description>Pose sur site</cbc:Description><cbc:Name>Pose</cbc:Name>
   <cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>21</cbc:Percent></cac:ClassifiedTaxCategory>
  </cac:Item>
  <cac:Price><cbc:PriceAmount currencyID="EUR">60</cbc:PriceAmount></cac:Price>
 </cac:%(line)s>
</%(root)s>"""
UBL_INVOICE = UBL % {"root": "Invoice", "line": "InvoiceLine", "quantity": "InvoicedQuantity"}
UBL_CREDIT = UBL % {"root": "CreditNote", "line": "CreditNoteLine", "quantity": "CreditedQuantity"}
UBL_LINE = {"description": "Pose", "quantity": "2.5", "unit": "HUR", "unit_price": "60.00", "vat_rate": "21.00",
            "net_amount": "150.00", "confidence": "1.0"}


@pytest.mark.parametrize("xml", [UBL_INVOICE, UBL_CREDIT], ids=["invoice", "credit-note"])
def test_ubl_invoice_and_credit_note(xml: str) -> None:
    assert new_fields(xml) == {
        "customer_name": "Menuiserie Martin BV", "customer_vat": "NL123456789B01", "po_number": "PO-77",
        "payment_terms": "Net 30 days", "line_items": [UBL_LINE],
    }  # fmt: skip


def test_ubl_absent_elements_leave_their_fields_out_and_fall_back_where_the_standard_allows() -> None:
    bare = without(UBL_INVOICE, "cac:AccountingCustomerParty", "cac:OrderReference", "cac:PaymentTerms",
                   "cac:InvoiceLine")
    assert new_fields(bare) == {}
    # The trading name when there is no legal name; the item's description when it has no name.
    fallback = without(UBL_INVOICE, "cac:PartyLegalEntity", "cac:PartyTaxScheme", "cbc:Name", "cac:Price")
    fallback = fallback.replace("<cac:PartyName/>", "<cac:PartyName><cbc:Name>Martin</cbc:Name></cac:PartyName>")
    got = new_fields(fallback)
    assert got["customer_name"] == "Martin" and "customer_vat" not in got
    assert got["line_items"] == [{"description": "Pose sur site", "quantity": "2.5", "unit": "HUR",
                                  "vat_rate": "21.00", "net_amount": "150.00", "confidence": "1.0"}]


@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_pdfs(), ids=lambda p: p.stem if p else "no-corpus")
def test_corpus_lines_add_up_to_the_invoice_lines_total(path: Path | None) -> None:
    """Every corpus file names its buyer; where its profile carries lines (not MINIMUM, not BASIC WL),
    their net amounts add up to the XML's own sum of lines (BT-106), and each line is complete."""
    name, xml = embedded_xml(require(path))
    parsed = parse_einvoice(xml, filename=name)
    assert parsed.fields["customer_name"].value
    lines = parsed.fields.get("line_items")
    if parsed.profile in ("MINIMUM", "BASIC WL"):
        assert lines is None
        return
    assert lines is not None and isinstance(lines.value, list)
    root = etree.fromstring(xml)
    stated = root.find(".//{*}SpecifiedTradeSettlementHeaderMonetarySummation/{*}LineTotalAmount")
    assert stated is not None and stated.text is not None
    assert sum(Decimal(line["net_amount"]) for line in lines.value) == Decimal(stated.text)
    for line in lines.value:
        assert {"description", "quantity", "unit_price", "vat_rate", "net_amount"} <= line.keys(), line


@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_pdfs("*Facture_FR_EN16931.pdf"), ids=lambda p: p.stem if p else "no-corpus")
def test_a_french_corpus_invoice_names_its_customer_order_and_terms(path: Path | None) -> None:
    name, xml = embedded_xml(require(path))
    got = new_fields(xml, name)
    assert (got["customer_name"], got["customer_vat"], got["po_number"]) == (
        "Ma jolie boutique", "FR19787878784", "PO445")
    assert got["payment_terms"] == "30% d'acompte, solde à 30 j"
    assert isinstance(got["line_items"], list) and len(got["line_items"]) == 3
