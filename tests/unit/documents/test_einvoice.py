"""E-invoice XML: safe parsing, CII and UBL mappings, and every corpus file's XML."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from ingest.documents.einvoice import (
    EInvoiceError,
    EInvoiceErrorCode,
    parse_einvoice,
)
from tests.support.corpus import corpus_pdfs, require


def embedded_xml(path: Path) -> tuple[str, bytes]:
    attachments = PdfReader(path).attachments
    name = next(n for n in attachments if n.lower().endswith(".xml"))
    return name, attachments[name][0]


CII = b"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice
 xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
 xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
 xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
 <rsm:ExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter>
  <ram:ID>urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic</ram:ID>
 </ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>
 <rsm:ExchangedDocument><ram:ID>AV-42</ram:ID><ram:TypeCode>%(type)s</ram:TypeCode>
  <ram:IssueDateTime><udt:DateTimeString format="102">20260312</udt:DateTimeString></ram:IssueDateTime>
 </rsm:ExchangedDocument>
 <rsm:SupplyChainTradeTransaction>
  <ram:ApplicableHeaderTradeAgreement><ram:SellerTradeParty><ram:Name>Scierie Dupont SAS</ram:Name>
   <ram:SpecifiedLegalOrganization><ram:ID schemeID="0009">73282932000074</ram:ID></ram:SpecifiedLegalOrganization>
   <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">FR44732829320</ram:ID></ram:SpecifiedTaxRegistration>
  </ram:SellerTradeParty></ram:ApplicableHeaderTradeAgreement>
  <ram:ApplicableHeaderTradeSettlement><ram:TaxCurrencyCode>EUR</ram:TaxCurrencyCode>
   <ram:InvoiceCurrencyCode>GBP</ram:InvoiceCurrencyCode>
   <ram:SpecifiedTradeSettlementPaymentMeans><ram:PayeePartyCreditorFinancialAccount>
    <ram:IBANID>FR76 3000 6000 0112 3456 7890 189</ram:IBANID>
   </ram:PayeePartyCreditorFinancialAccount></ram:SpecifiedTradeSettlementPaymentMeans>
   <ram:ApplicableTradeTax><ram:CalculatedAmount>20</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode>
    <ram:BasisAmount>100</ram:BasisAmount><ram:RateApplicablePercent>20</ram:RateApplicablePercent></ram:ApplicableTradeTax>
   <ram:SpecifiedTradePaymentTerms><ram:DueDateDateTime>
    <udt:DateTimeString format="102">20260411</udt:DateTimeString></ram:DueDateDateTime>
   </ram:SpecifiedTradePaymentTerms>
   <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    <ram:TaxBasisTotalAmount>100</ram:TaxBasisTotalAmount>
    <ram:TaxTotalAmount currencyID="EUR">23.10</ram:TaxTotalAmount>
    <ram:TaxTotalAmount currencyID="GBP">20.00</ram:TaxTotalAmount>
    <ram:GrandTotalAmount>120.0</ram:GrandTotalAmount>
   </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
  </ram:ApplicableHeaderTradeSettlement>
 </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>"""


def cii(type_code: str = "380") -> bytes:
    return CII % {b"type": type_code.encode()}


UBL_CREDIT = b"""<?xml version="1.0" encoding="UTF-8"?>
<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
 <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0</cbc:CustomizationID>
 <cbc:ID>CN-7</cbc:ID><cbc:IssueDate>2026-02-01</cbc:IssueDate>
 <cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode><cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
 <cac:AccountingSupplierParty><cac:Party>
  <cac:PartyTaxScheme><cbc:CompanyID>FR44732829320</cbc:CompanyID></cac:PartyTaxScheme>
  <cac:PartyLegalEntity><cbc:RegistrationName>Scierie Dupont SAS</cbc:RegistrationName>
   <cbc:CompanyID schemeID="0002">732829320</cbc:CompanyID></cac:PartyLegalEntity>
 </cac:Party></cac:AccountingSupplierParty>
 <cac:TaxTotal><cbc:TaxAmount currencyID="EUR">5.50</cbc:TaxAmount>
  <cac:TaxSubtotal><cbc:TaxableAmount currencyID="EUR">100</cbc:TaxableAmount>
   <cbc:TaxAmount currencyID="EUR">5.5</cbc:TaxAmount><cac:TaxCategory><cbc:Percent>5.5</cbc:Percent></cac:TaxCategory>
  </cac:TaxSubtotal></cac:TaxTotal>
 <cac:LegalMonetaryTotal><cbc:TaxExclusiveAmount currencyID="EUR">100.00</cbc:TaxExclusiveAmount>
  <cbc:TaxInclusiveAmount currencyID="EUR">105.50</cbc:TaxInclusiveAmount></cac:LegalMonetaryTotal>
</CreditNote>"""


def values(xml: bytes, **kwargs: str) -> dict[str, object]:
    return {key: field.value for key, field in parse_einvoice(xml, **kwargs).fields.items()}


def test_cii_mapping_reads_every_field() -> None:
    parsed = parse_einvoice(cii())
    assert (parsed.flavour, parsed.profile) == ("factur-x", "BASIC")
    assert all(f.source == "einvoice" and f.confidence == 1.0 for f in parsed.fields.values())
    assert values(cii()) == {
        "document_type": "invoice", "invoice_number": "AV-42", "issue_date": "2026-03-12",
        "supplier_name": "Scierie Dupont SAS", "supplier_siret": "73282932000074",
        "supplier_siren": "732829320", "supplier_vat": "FR44732829320", "currency": "GBP",
        "due_date": "2026-04-11", "iban": "FR7630006000011234567890189",
        "total_excl_tax": "100.00", "total_tax": "20.00", "total_incl_tax": "120.00",
        "vat_breakdown": [{"rate": "20.00", "base": "100.00", "tax": "20.00"}],
    }  # fmt: skip


@pytest.mark.parametrize(
    ("code", "expected"),
    [("380", "invoice"), ("384", "invoice"), ("389", "invoice"), ("381", "credit_note"),
     ("261", "credit_note"), ("262", "credit_note"), ("396", "credit_note"), ("532", "credit_note")],
)  # fmt: skip
def test_type_codes_map_to_invoice_or_credit_note(code: str, expected: str) -> None:
    assert values(cii(code))["document_type"] == expected


def test_ubl_credit_note_mapping_and_xrechnung_profile() -> None:
    parsed = parse_einvoice(UBL_CREDIT)
    assert (parsed.flavour, parsed.profile) == ("ubl", "XRECHNUNG")
    got = values(UBL_CREDIT)
    assert got["document_type"] == "credit_note"
    assert got["supplier_siren"] == "732829320" and "supplier_siret" not in got
    assert (got["total_excl_tax"], got["total_tax"], got["total_incl_tax"]) == ("100.00", "5.50", "105.50")
    assert got["vat_breakdown"] == [{"rate": "5.50", "base": "100.00", "tax": "5.50"}]
    assert got["issue_date"] == "2026-02-01" and got["supplier_vat"] == "FR44732829320"


def test_plain_en16931_guideline_takes_the_flavour_from_the_attachment_name() -> None:
    plain = cii().replace(b"urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic",
                          b"urn:cen.eu:en16931:2017")
    assert parse_einvoice(plain).flavour == "cii"
    assert parse_einvoice(plain, filename="zugferd-invoice.xml").flavour == "zugferd"
    assert parse_einvoice(plain).profile == "EN 16931"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">&lol3;
</rsm:CrossIndustryInvoice>"""


def external_entity(target: Path) -> bytes:
    return (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file://'
        + str(target).encode()
        + b'">]><Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">'
        b'<ID xmlns="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">&xxe;</ID></Invoice>'
    )


def refused(xml: bytes, **kwargs: int) -> EInvoiceErrorCode:
    with pytest.raises(EInvoiceError) as caught:
        parse_einvoice(xml, **kwargs)
    assert caught.value.message  # every refusal carries a sentence
    return caught.value.code


def test_billion_laughs_is_refused() -> None:
    assert refused(BILLION_LAUGHS) == "xml_forbidden"


def test_external_entity_is_refused_and_the_file_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    assert refused(external_entity(secret)) == "xml_forbidden"


def test_utf16_doctype_is_refused() -> None:
    assert refused(BILLION_LAUGHS.replace(b'version="1.0"', b'version="1.0" encoding="UTF-16"')
                   .decode().encode("utf-16")) == "xml_forbidden"


def test_size_limit_is_checked_before_parsing() -> None:
    assert refused(cii(), max_bytes=100) == "xml_too_large"
    assert parse_einvoice(cii(), max_bytes=len(cii())).fields["invoice_number"].value == "AV-42"


@pytest.mark.parametrize("xml", [b"", b"<a>", b"<a></b>", b"not xml at all", b"\x00\xff\x00"])
def test_malformed_xml_is_refused(xml: bytes) -> None:
    assert refused(xml) == "xml_malformed"


@pytest.mark.parametrize("xml", [
    b"<root/>",
    b'<Invoice xmlns="urn:example:not-ubl"/>',
    b'<rsm:CrossIndustryDocument xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:9p9"/>',
])  # fmt: skip
def test_well_formed_but_not_an_invoice(xml: bytes) -> None:
    assert refused(xml) == "not_an_einvoice"



PROFILES = {"MINIMUM", "BASIC WL", "BASIC", "EN 16931", "EXTENDED"}


@pytest.mark.corpus
@pytest.mark.parametrize("path", corpus_pdfs(), ids=lambda p: p.stem if p else "no-corpus")
def test_corpus_xml_fields_are_present_and_well_formed(path: Path | None) -> None:
    name, xml = embedded_xml(require(path))
    parsed = parse_einvoice(xml, filename=name)
    got = {key: field.value for key, field in parsed.fields.items()}
    assert parsed.profile in PROFILES
    assert parsed.flavour == ("zugferd" if "zugferd" in name.lower() else "factur-x")
    assert re.fullmatch(r"\S+", got["invoice_number"])
    assert re.fullmatch(r"20\d\d-\d\d-\d\d", got["issue_date"])
    assert re.fullmatch(r"[A-Z]{3}", got["currency"])
    for key in ("total_excl_tax", "total_tax", "total_incl_tax"):
        assert re.fullmatch(r"-?\d+\.\d\d", got[key]), key
    # The FNFE names say their profile: the parsed one must agree.
    if "FNFE" in path.name:
        token = path.stem.rsplit("_", 1)[-1]
        assert parsed.profile.replace(" ", "") == token


def test_a_vat_row_keeps_its_category_when_the_xml_gives_one() -> None:
    with_category = cii().replace(b"<ram:TypeCode>VAT</ram:TypeCode>",
                                  b"<ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>ae</ram:CategoryCode>")
    assert values(with_category)["vat_breakdown"] == [{"rate": "20.00", "base": "100.00", "tax": "20.00",
                                                       "category": "AE"}]
    credit = UBL_CREDIT.replace(b"<cac:TaxCategory>", b"<cac:TaxCategory><cbc:ID>S</cbc:ID>")
    assert values(credit)["vat_breakdown"] == [{"rate": "5.50", "base": "100.00", "tax": "5.50", "category": "S"}]


ZUGFERD1 = b"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryDocument xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0"
 xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12"
 xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:15">
 <rsm:SpecifiedExchangedDocumentContext><ram:GuidelineSpecifiedDocumentContextParameter>
  <ram:ID>urn:ferd:CrossIndustryDocument:invoice:1p0:%(profile)s</ram:ID>
 </ram:GuidelineSpecifiedDocumentContextParameter></rsm:SpecifiedExchangedDocumentContext>
 <rsm:HeaderExchangedDocument><ram:ID>RE-2015-117</ram:ID><ram:Name>RECHNUNG</ram:Name>
  <ram:TypeCode>380</ram:TypeCode>
  <ram:IssueDateTime><udt:DateTimeString format="102">20150613</udt:DateTimeString></ram:IssueDateTime>
 </rsm:HeaderExchangedDocument>
 <rsm:SpecifiedSupplyChainTradeTransaction>
  <ram:ApplicableSupplyChainTradeAgreement><ram:SellerTradeParty><ram:Name>Holzbau Keller GmbH</ram:Name>
   <ram:SpecifiedTaxRegistration><ram:ID schemeID="FC">201/113/40209</ram:ID></ram:SpecifiedTaxRegistration>
   <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">DE136695976</ram:ID></ram:SpecifiedTaxRegistration>
  </ram:SellerTradeParty></ram:ApplicableSupplyChainTradeAgreement>
  <ram:ApplicableSupplyChainTradeSettlement>
   <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
   <ram:SpecifiedTradeSettlementPaymentMeans><ram:PayeePartyCreditorFinancialAccount>
    <ram:IBANID>DE02 1203 0000 0000 2020 51</ram:IBANID>
   </ram:PayeePartyCreditorFinancialAccount></ram:SpecifiedTradeSettlementPaymentMeans>
   <ram:ApplicableTradeTax><ram:CalculatedAmount currencyID="EUR">38.00</ram:CalculatedAmount>
    <ram:TypeCode>VAT</ram:TypeCode><ram:BasisAmount currencyID="EUR">200.00</ram:BasisAmount>
    <ram:CategoryCode>S</ram:CategoryCode><ram:ApplicablePercent>19.00</ram:ApplicablePercent>
   </ram:ApplicableTradeTax>
   <ram:SpecifiedTradePaymentTerms>
    <ram:DueDateDateTime><udt:DateTimeString format="102">20150713</udt:DateTimeString></ram:DueDateDateTime>
   </ram:SpecifiedTradePaymentTerms>
   <ram:SpecifiedTradeSettlementMonetarySummation>
    <ram:LineTotalAmount currencyID="EUR">200.00</ram:LineTotalAmount>%(basis)s
    <ram:TaxTotalAmount currencyID="EUR">38.00</ram:TaxTotalAmount>
    <ram:GrandTotalAmount currencyID="EUR">238.00</ram:GrandTotalAmount>
   </ram:SpecifiedTradeSettlementMonetarySummation>
  </ram:ApplicableSupplyChainTradeSettlement>
 </rsm:SpecifiedSupplyChainTradeTransaction>
</rsm:CrossIndustryDocument>"""


@pytest.mark.parametrize(("profile", "expected"), [("comfort", "COMFORT"), ("basic", "BASIC"),
                                                   ("extended", "EXTENDED")])
def test_a_zugferd_1_invoice_is_read_like_its_successors(profile: str, expected: str) -> None:
    basis = '\n    <ram:TaxBasisTotalAmount currencyID="EUR">200.00</ram:TaxBasisTotalAmount>'
    invoice = parse_einvoice(ZUGFERD1 % {b"profile": profile.encode(), b"basis": basis.encode()},
                             filename="ZUGFeRD-invoice.xml")
    values = {key: field.value for key, field in invoice.fields.items()}
    assert (invoice.flavour, invoice.profile) == ("zugferd", expected)
    assert values == {
        "document_type": "invoice", "invoice_number": "RE-2015-117", "issue_date": "2015-06-13",
        "supplier_name": "Holzbau Keller GmbH", "supplier_vat": "DE136695976", "currency": "EUR",
        "due_date": "2015-07-13", "iban": "DE02120300000000202051", "total_excl_tax": "200.00",
        "total_tax": "38.00", "total_incl_tax": "238.00",
        "vat_breakdown": [{"rate": "19.00", "base": "200.00", "tax": "38.00", "category": "S"}]}
    assert all(field.source == "einvoice" and field.confidence == 1.0 for field in invoice.fields.values())


def test_a_zugferd_1_basic_invoice_without_its_basis_gets_it_from_its_own_totals() -> None:
    invoice = parse_einvoice(ZUGFERD1 % {b"profile": b"basic", b"basis": b""})
    assert invoice.fields["total_excl_tax"].value == "200.00"


def test_an_xml_of_neither_family_is_refused_with_a_sentence_naming_both() -> None:
    with pytest.raises(EInvoiceError) as refused:
        parse_einvoice(b'<Invoice xmlns="urn:un:unece:uncefact:data:standard:CBFBUY:5"><ID>1</ID></Invoice>')
    assert refused.value.code is EInvoiceErrorCode.NOT_AN_EINVOICE
    assert "Invoice" in refused.value.message
