"""``understand``: which reader wins, OCR standing in for missing text, refusals, flags,
the invoice date; duplicate keys; and the corpus through the whole pipeline."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader

from ingest.documents.analyse import DocumentFacts, analyse
from ingest.documents.einvoice import PROFILE_LACKS, parse_einvoice
from ingest.documents.fields import Field, extract_fields
from ingest.documents.limits import Limits
from ingest.documents.ocr import OcrOutcome
from ingest.documents.pdf_words import pdf_words
from ingest.documents.sniff import Kind
from ingest.documents.understand import understand
from ingest.processing.duplicates import invoice_key, supplier_key
from tests.support.invoices import EXPECTED, invoice_lines, text_invoice_pdf
from tests.unit.documents.test_einvoice import BILLION_LAUGHS, cii

TODAY = date(2026, 11, 27)


def facts_of(tmp_path: Path, data: bytes, kind: Kind = Kind.pdf, name: str = "doc") -> DocumentFacts:
    path = tmp_path / name
    path.write_bytes(data)
    return analyse(path, kind, Limits())


def values(fields: dict[str, Field]) -> dict[str, object]:
    return {key: f.value for key, f in fields.items()}


@pytest.mark.parametrize("day", ["12/03/2026", "12 mars 2026", "12.03.2026"])
@pytest.mark.parametrize("money", ["fr", "de"])
def test_text_pdf_fields_in_several_formats(tmp_path: Path, day: str, money: str) -> None:
    got = understand(facts_of(tmp_path, text_invoice_pdf(invoice_lines(day, money))), today=TODAY)
    assert values(got.fields).items() >= EXPECTED.items()
    assert {f.source for f in got.fields.values()} == {"text"}
    assert (got.invoice_date, got.invoice_date_validated, got.einvoice) == (date(2026, 3, 12), True, None)
    assert got.flags == []


def test_ocr_text_stands_in_for_a_page_without_text(tmp_path: Path) -> None:
    facts = facts_of(tmp_path, text_invoice_pdf(["Page de garde", ""]))
    facts.page_texts = ["", facts.page_texts[0]]
    facts.pages = 2
    got = understand(facts, today=TODAY, ocr=OcrOutcome({1: "\n".join(invoice_lines())}))
    assert values(got.fields).items() >= EXPECTED.items()
    assert {f.source for f in got.fields.values()} == {"ocr"}


def test_an_image_is_read_from_its_ocr_text_only() -> None:
    facts = DocumentFacts(kind=Kind.png, pages=1, encrypted=False)
    got = understand(facts, today=TODAY, ocr=OcrOutcome({1: "\n".join(invoice_lines())}))
    assert got.fields["total_incl_tax"] == Field("1481.47", got.fields["total_incl_tax"].confidence, "ocr")


def test_an_ocr_timeout_is_a_flag_not_a_failure() -> None:
    facts = DocumentFacts(kind=Kind.png, pages=1, encrypted=False)
    got = understand(facts, today=TODAY, ocr=OcrOutcome({1: ""}, timed_out=[1]))
    codes = [f["code"] for f in got.flags]
    assert "ocr_timeout" in codes and "mention_missing" in codes and got.refusal is None


def test_embedded_xml_wins_over_the_text(tmp_path: Path, attach) -> None:  # type: ignore[no-untyped-def]
    pdf = tmp_path / "t.pdf"
    pdf.write_bytes(text_invoice_pdf())
    facts = analyse(attach(pdf, {"factur-x.xml": cii()}), Kind.pdf, Limits())
    got = understand(facts, today=TODAY)
    assert got.fields["invoice_number"] == Field("AV-42", 1.0, "einvoice")
    assert got.einvoice_json() == {"flavour": "factur-x", "profile": got.einvoice.profile}  # type: ignore[union-attr]
    visible = understand(facts, today=TODAY, use_einvoice=False)
    assert visible.einvoice is None and visible.fields["invoice_number"].value == "F2026-0042"


def test_hostile_xml_in_a_pdf_is_a_flag_and_the_text_is_read(tmp_path: Path, attach) -> None:  # type: ignore[no-untyped-def]
    pdf = tmp_path / "t.pdf"
    pdf.write_bytes(text_invoice_pdf())
    facts = analyse(attach(pdf, {"factur-x.xml": BILLION_LAUGHS}), Kind.pdf, Limits())
    got = understand(facts, today=TODAY)
    assert got.refusal is None and got.einvoice is None
    assert got.fields["invoice_number"].source == "text"
    assert [f["code"] for f in got.flags] == ["einvoice_unreadable"]


@pytest.mark.parametrize(("xml", "code"), [
    (b"<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'><ID>1", "xml_malformed"),
    (BILLION_LAUGHS, "xml_forbidden"),
    (b"<?xml version='1.0'?><order/>", "not_an_einvoice"),
])
def test_a_standalone_xml_that_cannot_be_read_is_refused(tmp_path: Path, xml: bytes, code: str) -> None:
    got = understand(facts_of(tmp_path, xml, Kind.xml), today=TODAY)
    assert got.refusal is not None and got.refusal.code == code and got.refusal.message


def test_a_standalone_xml_invoice_is_read(tmp_path: Path) -> None:
    got = understand(facts_of(tmp_path, cii(), Kind.xml), today=TODAY)
    assert got.einvoice is not None and got.fields["invoice_number"].source == "einvoice"
    assert got.invoice_date_validated


@pytest.mark.parametrize(("day", "confidence", "validated"), [
    ("2026-03-12", 0.9, True), ("2026-03-12", 0.79, False), ("2027-06-01", 0.95, False),
])
def test_only_a_trusted_plausible_date_is_validated(day: str, confidence: float, validated: bool) -> None:
    from ingest.documents.understand import _invoice_date

    fields = {"issue_date": Field(day, confidence, "text")}
    implausible = date.fromisoformat(day) > TODAY
    assert _invoice_date(fields, implausible=implausible) == (date.fromisoformat(day), validated)


def test_supplier_keys_agree_across_siren_and_french_vat() -> None:
    by_siren = {"supplier_siren": Field("732829320", 1.0, "text")}
    by_vat = {"supplier_vat": Field("FR44732829320", 1.0, "ocr")}
    by_name = {"supplier_name": Field("Scierie  Dupont S.A.S.", 0.7, "text")}
    assert supplier_key(by_siren) == supplier_key(by_vat) == "siren:732829320"
    assert supplier_key(by_name) == "name:scieriedupontsas"
    assert supplier_key({"supplier_vat": Field("DE123456789", 1.0, "text")}) == "vat:DE123456789"


def test_a_pdf_and_its_scan_match_by_the_identifier_whatever_names_they_read() -> None:
    # The text layer read the name from the letterhead, OCR a line of the address: the identifier decides.
    pdf = {"supplier_name": Field("Scierie Dupont SAS", 0.72, "text"),
           "supplier_siren": Field("732829320", 0.9, "text"),
           "invoice_number": Field("F-42", 0.9, "text"), "total_incl_tax": Field("120.00", 0.9, "text")}
    scan = {"supplier_name": Field("12 rue du Port", 0.6, "ocr"), "supplier_vat": Field("FR44732829320", 0.9, "ocr"),
            "invoice_number": Field("F-42", 0.8, "ocr"), "total_incl_tax": Field("120.00", 0.8, "ocr")}
    assert invoice_key(pdf) == invoice_key(scan) == "siren:732829320|F-42|120.00"


def test_the_invoice_key_needs_supplier_number_and_total() -> None:
    fields = {"supplier_siren": Field("732829320", 1.0, "text"), "invoice_number": Field("F 42", 0.9, "text"),
              "total_incl_tax": Field("120.00", 0.9, "text")}
    assert invoice_key(fields) == "siren:732829320|F42|120.00"
    del fields["total_incl_tax"]
    assert invoice_key(fields) is None


# --- the corpus through analyse + understand (the XML-vs-text scoring is in test_fields) ---


def corpus_files(corpus: Path) -> list[Path]:
    files = sorted(corpus.glob("*.pdf"))
    assert files, f"no PDF in {corpus}"
    return files


@pytest.mark.corpus
def test_every_corpus_file_is_understood_from_its_xml_and_from_its_text(corpus: Path) -> None:
    for path in corpus_files(corpus):
        facts = analyse(path, Kind.pdf, Limits())
        got = understand(facts, today=TODAY)
        truth = parse_einvoice(facts.einvoice_xml or b"", filename=facts.einvoice_filename)
        assert got.einvoice == truth and got.einvoice.profile, path.name
        assert {key: got.fields[key] for key in truth.fields} == truth.fields and got.refusal is None, path.name
        lacking = ({"line_items"} | PROFILE_LACKS.get(truth.profile or "", frozenset())) - truth.fields.keys()
        added = got.fields.keys() - truth.fields.keys()
        assert added <= lacking and {got.fields[key].source for key in added} <= {"text"}, path.name
        if "line_items" in truth.fields:  # an e-invoice with lines: the XML's fields alone, the page unread
            assert got.fields == truth.fields, path.name
        visible = understand(facts, today=TODAY, use_einvoice=False)
        assert visible.einvoice is None, path.name
        texts = [page.extract_text() for page in PdfReader(path).pages]
        assert visible.fields == extract_fields(texts, source="text", pages=pdf_words(path)), path.name
        assert {f.source for f in visible.fields.values()} <= {"text"}, path.name


def corpus_file(corpus: Path, name: str) -> Path:
    path = corpus / name
    assert path.is_file(), f"no {name} in {corpus}"
    return path


@pytest.mark.corpus
def test_an_einvoice_without_lines_takes_them_and_what_its_profile_lacks_from_the_page(corpus: Path) -> None:
    # One invoice in three profiles: MINIMUM (no lines, no breakdown, due date or IBAN), BASIC WL (no lines)
    # and EN 16931 (everything): the page fills what the first two cannot carry, as the third states it.
    minimum, basic_wl, full = (understand(analyse(corpus_file(corpus, name), Kind.pdf, Limits()), today=TODAY)
                               for name in ("correct__FNFE-factur-x-examples__Facture_FR_MINIMUM.pdf",
                                            "correct__FNFE-factur-x-examples__Facture_FR_BASICWL.pdf",
                                            "fail__FNFE-factur-x-examples__Facture_FR_EN16931.pdf"))
    assert minimum.einvoice is not None and minimum.einvoice.profile == "MINIMUM"
    assert basic_wl.einvoice is not None and basic_wl.einvoice.profile == "BASIC WL"
    stated = full.fields["line_items"].value
    assert isinstance(stated, list) and full.fields["line_items"].source == "einvoice"
    for got in (minimum, basic_wl):
        lines = got.fields["line_items"]
        assert lines.source == "text" and isinstance(lines.value, list)  # the page's, and said so
        assert [(line["description"], line["quantity"], line.get("unit"), line["net_amount"])
                for line in lines.value] == [(line["description"], line["quantity"], line["unit"],
                                              line["net_amount"]) for line in stated]
        assert all(0 < float(line["confidence"]) < 1 for line in lines.value) and lines.confidence < 1
        assert got.fields["total_excl_tax"].source == "einvoice"  # the XML's own fields win where present
    for key in ("due_date", "iban"):  # MINIMUM cannot carry them; BASIC WL states them
        assert minimum.fields[key].source == "text" and basic_wl.fields[key].source == "einvoice"
        assert minimum.fields[key].value == basic_wl.fields[key].value
    assert "payment_terms" not in basic_wl.fields  # BASIC WL could state its terms and does not: left out
