"""Layout-aware reading: words and their places from a real PDF, lines and cells, labels in several
languages, values where labels point, whose VAT number is whose, and what it adds to the text rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF

from ingest.documents.fields import extract_fields
from ingest.documents.layout import PageWords, Word
from ingest.documents.pdf_words import GENERATED_GAP, WORD_GAP, _breaks, _join_letter_spaced, pdf_words
from ingest.documents.reading.candidates import candidates
from ingest.documents.reading.labels import fold, match
from ingest.documents.reading.lines import page_lines
from ingest.documents.reading.parties import buyer_vats, seller_vat
from tests.support.invoices import FONT


def placed_pdf(tmp_path: Path, texts: list[tuple[float, float, str]], size: int = 10) -> Path:
    """A one-page PDF with each text at (x, y) millimetres from the top left."""
    pdf = FPDF()
    pdf.add_font("dejavu", fname=str(FONT))
    pdf.set_font("dejavu", size=size)
    pdf.add_page()
    for x, y, text in texts:
        pdf.text(x, y, text)
    path = tmp_path / "placed.pdf"
    path.write_bytes(bytes(pdf.output()))
    return path


def cells_of(path: Path) -> list[list[str]]:
    return [[cell.text for cell in line.cells] for line in page_lines(pdf_words(path)[0])]


def test_words_keep_their_places_and_lines_split_into_cells_at_wide_gaps(tmp_path: Path) -> None:
    path = placed_pdf(tmp_path, [(20, 30, "Date de facture"), (90, 30, "13/11/2017"), (20, 40, "Total HT"),
                                 (150, 40, "624,90 €")])
    page = pdf_words(path)[0]
    assert [w.text for w in page.words][:4] == ["Date", "de", "facture", "13/11/2017"]
    date = next(w for w in page.words if w.text == "13/11/2017")
    assert date.x0 == pytest.approx(90 * 72 / 25.4, abs=2)  # millimetres to points; the glyph's own margin
    assert date.y1 == pytest.approx(30 * 72 / 25.4, abs=3)  # top-left origin: the baseline's height
    assert cells_of(path) == [["Date de facture", "13/11/2017"], ["Total HT", "624,90 €"]]


def test_letter_spaced_words_are_joined_where_the_gaps_are_letter_gaps() -> None:
    # Letters 2 points apart, words 6 points apart, type 10 points tall.
    letters = [Word(c, 10 + 6 * i, 0, 14 + 6 * i, 10) for i, c in enumerate("Beleg")]
    letters += [Word(c, 44 + 6 * i, 0, 48 + 6 * i, 10) for i, c in enumerate("Nr")]
    assert [w.text for w in _join_letter_spaced(letters)] == ["Beleg", "Nr"]
    assert [w.text for w in _join_letter_spaced([Word("A", 0, 0, 4, 8), Word("4", 6, 0, 10, 8)])] == ["A", "4"]


@pytest.mark.parametrize(("printed", "field", "rest"), [
    ("N° Facture : FA-12", "invoice_number", "FA-12"),
    ("Rechnungs-Nr.: 4711", "invoice_number", "4711"),
    ("Total HT", "total_excl_tax", ""),
    ("TOTAL TTC 1 234,56 €", "total_incl_tax", "1 234,56 €"),
    ("Fecha de emisión", "issue_date", ""),
    ("Factuurdatum", "issue_date", ""),
    ("Data scadenza: 12/04/2026", "due_date", "12/04/2026"),
    ("Gesamtbetrag der Zuschläge", "ignore", ""),
])  # fmt: skip
def test_labels_of_six_languages_are_found_at_a_cells_start(printed: str, field: str, rest: str) -> None:
    found = match(printed)
    assert found is not None and (found.label.field, found.rest) == (field, rest)


def test_a_label_inside_a_longer_word_is_no_label() -> None:
    assert match("Totaux par famille") is None
    assert match("Dates of delivery") is None
    assert fold("  N°  Facture ") == fold("nº facture") == "n° facture"


def lines_of(words: list[tuple[float, float, str]]) -> list[object]:
    """A page of one-word-per-entry text at (x, y) points, 10 points tall."""
    placed = tuple(Word(text, x, y, x + 6 * len(text), y + 10) for x, y, text in words)
    return page_lines(PageWords(1, 595, 842, placed))


def test_values_are_taken_right_of_their_label_or_below_a_column_heading() -> None:
    lines = lines_of([(40, 100, "Rechnungsnummer"), (200, 100, "Datum"), (40, 114, "R-2026-117"),
                      (200, 114, "05.03.2026"), (40, 300, "Zwischensumme"), (400, 300, "200,00"),
                      (40, 314, "USt"), (150, 314, "19%"), (400, 314, "38,00"), (40, 328, "Gesamtbetrag"),
                      (400, 328, "238,00")])
    found = candidates(lines)  # type: ignore[arg-type]
    assert str(found["invoice_number"][0].value) == "R-2026-117"
    assert str(found["issue_date"][0].value) == "2026-03-05"
    assert [str(found[key][0].value) for key in ("total_excl_tax", "total_tax", "total_incl_tax")] == \
        ["200.00", "38.00", "238.00"]


def test_a_title_gives_the_number_and_the_date_after_it_whatever_its_words_between() -> None:
    lines = lines_of([(40, 60, "Rechnung"), (94, 60, "des"), (116, 60, "Versicherers"), (192, 60, "(575)"),
                      (226, 60, "Nr."), (248, 60, "01.234.567.8-2018-1"), (368, 60, "vom"), (392, 60, "06.12.2018"),
                      (40, 90, "Rechnung"), (94, 90, "gemäß"), (130, 90, "Bestellung"), (196, 90, "Nr."),
                      (218, 90, "B-77")])
    found = candidates(lines)  # type: ignore[arg-type]
    assert [str(f.value) for f in found["invoice_number"]] == ["01.234.567.8-2018-1"]
    assert str(found["issue_date"][0].value) == "2018-12-06" and found["issue_date"][0].score == 1.0


def _words_at(y: float, text: str) -> list[tuple[float, float, str]]:
    """The words of `text` on one line at height `y`, spaced as printed."""
    out, x = [], 40.0
    for word in text.split():
        out.append((x, y, word))
        x += 6 * len(word) + 6
    return out


def test_the_number_of_the_invoice_a_credit_note_cancels_is_not_its_own() -> None:
    lines = lines_of([*_words_at(60, "Numéro d'avoir"), (40, 74, "AV-2026-12"),
                      *_words_at(300, "Avoir sur facture n° FA-2026-0153 du 02/03/2026"),
                      *_words_at(320, "Gutschrift zu Rechnung Nr. R-88")])
    found = candidates(lines)  # type: ignore[arg-type]
    assert [str(f.value) for f in found["invoice_number"]] == ["AV-2026-12"]


def test_a_versions_date_is_not_the_invoices_and_a_title_date_may_stand_below() -> None:
    lines = lines_of([*_words_at(40, "ZUGFeRD-Version : 2.1 vom 24.03.2020"),
                      *_words_at(60, "Rechnung des Versicherers Nr. 01.234.567.8-2018-1 vom"), (40, 74, "06.12.2018")])
    found = candidates(lines)  # type: ignore[arg-type]
    assert [str(f.value) for f in found["issue_date"]] == ["2018-12-06"]


def test_n_dot_is_a_number_mark() -> None:
    assert fold("Fattura n. 12") == "fattura n° 12"
    found = candidates(lines_of(_words_at(60, "N. documento 202398111")))  # type: ignore[arg-type]
    assert [str(f.value) for f in found["invoice_number"]] == ["202398111"]


def test_the_sellers_vat_number_is_never_one_from_the_buyers_block_or_an_address() -> None:
    lines = lines_of([(40, 40, "Lieferant"), (40, 54, "Musterstr."), (106, 54, "12"), (40, 68, "USt-IdNr.:"),
                      (110, 68, "DE123456789"), (300, 40, "Kunde"), (300, 54, "FR44732829320"),
                      (40, 200, "N°"), (58, 200, "TVA"), (84, 200, "client"), (180, 200, "FR40303265045")])
    found = seller_vat(lines)  # type: ignore[arg-type]
    # DE123456789 fails its check digit but is printed after its label, in the seller's block;
    # the buyer's numbers, valid as they are, are left out.
    assert [c.value for c in found] == ["DE123456789"]


def test_layout_reading_adds_a_number_printed_under_its_column_heading(tmp_path: Path) -> None:
    path = placed_pdf(tmp_path, [
        (20, 20, "Scierie Dupont SAS"), (20, 40, "Rechnungsnummer"), (80, 40, "Rechnungsdatum"),
        (20, 46, "RE-88123"), (80, 46, "12.03.2026"), (20, 80, "Summe netto"), (150, 80, "1.234,56 EUR"),
        (20, 88, "Umsatzsteuer 20 %"), (150, 88, "246,91 EUR"), (20, 96, "Gesamtbetrag"), (150, 96, "1.481,47 EUR"),
    ])
    pages = pdf_words(path)
    text = ["\n".join(line.text for line in page_lines(pages[0]))]
    with_layout = extract_fields(text, pages=pages)
    assert {key: with_layout[key].value for key in ("invoice_number", "issue_date", "total_incl_tax")} == {
        "invoice_number": "RE-88123", "issue_date": "2026-03-12", "total_incl_tax": "1481.47"}


def test_a_scans_words_from_ocr_are_read_by_their_places_too(tmp_path: Path) -> None:
    from dataclasses import replace
    from datetime import date

    from PIL import Image, ImageDraw, ImageFont

    from ingest.documents.analyse import analyse
    from ingest.documents.limits import Limits
    from ingest.documents.ocr import OcrConfig, ocr_document, ocr_status
    from ingest.documents.sniff import Kind
    from ingest.documents.understand import understand

    if ocr_status(OcrConfig()) != "ok":
        pytest.fail("OCR is not installed here (infra/setup installs it)")
    image = Image.new("L", (2480, 1200), 255)  # an A4 width at 300 dpi
    draw, font = ImageDraw.Draw(image), ImageFont.truetype(str(FONT), 44)
    for x, y, text in [(200, 150, "Scierie Dupont SAS"), (200, 400, "Rechnungsnummer"), (1100, 400, "Rechnungsdatum"),
                       (200, 480, "RE-88123"), (1100, 480, "12.03.2026"), (200, 800, "Gesamtbetrag"),
                       (1700, 800, "1.481,47 EUR")]:
        draw.text((x, y), text, fill=0, font=font)
    path = tmp_path / "scan.png"
    image.save(path, dpi=(300, 300))
    facts = analyse(path, Kind.png, Limits())
    recognised = ocr_document(facts, None, OcrConfig())
    assert recognised.words[1].words, "the in-process engine gives word boxes"
    with_places = understand(facts, today=date(2026, 12, 1), ocr=recognised).fields
    without = understand(facts, today=date(2026, 12, 1), ocr=replace(recognised, words={})).fields
    assert with_places["invoice_number"].value == "RE-88123" and with_places["invoice_number"].source == "ocr"
    assert "invoice_number" not in without  # the number under its heading: only its place tells


def test_a_common_date_word_after_other_words_is_another_things_date() -> None:
    lines = lines_of([*_words_at(60, "Service date 24/11/2026"), *_words_at(80, "Bestellung vom 01.11.2026"),
                      *_words_at(100, "Date: 26/11/2026")])
    found = candidates(lines)  # type: ignore[arg-type]
    assert [str(f.value) for f in found["issue_date"]] == ["2026-11-26"]


def test_a_common_word_followed_by_other_words_starts_a_longer_label_not_this_fields() -> None:
    # "Data dell'ordine:" is no issue date's label: the value below it is the order's.
    lines = lines_of([*_words_at(60, "Data dell'ordine:"), (40, 74, "31-12-2025"), *_words_at(100, "Del"),
                      (40, 114, "21-01-2026")])
    found = candidates(lines)  # type: ignore[arg-type]
    assert [str(f.value) for f in found["issue_date"]] == ["2026-01-21"]


def test_a_label_does_not_start_inside_another_and_a_dates_day_is_no_number() -> None:
    # "Datum factuur" is a date's label; "factuur" inside it names no number, and the day of the date right
    # of it ("10 maart 2022") would not be one.
    lines = lines_of([*_words_at(60, "Datum factuur"), (300, 60, "10"), (316, 60, "maart"), (352, 60, "2022")])
    found = candidates(lines)  # type: ignore[arg-type]
    assert "invoice_number" not in found
    assert [str(f.value) for f in found["issue_date"]] == ["2022-03-10"]


def test_a_title_in_large_type_is_no_heading_of_the_fields_below_it() -> None:
    title = Word("FACTURE", 420, 40, 540, 64)  # type twice as large as the fields', over the right column
    fields = [Word("Compte", 300, 70, 336, 80), Word("client", 342, 70, 378, 80), Word("57145", 440, 70, 470, 80)]
    found = candidates(page_lines(PageWords(1, 595, 842, (title, *fields))))
    assert "invoice_number" not in found


def test_a_scanned_headings_box_may_read_larger_than_its_value_below(tmp_path: Path) -> None:
    # OCR's word boxes are no exact measure of type: a heading may read 1.3 times taller than its value.
    heading = Word("Re.-Nr.", 113, 284, 138, 294)
    value = Word("RE23-76128", 101, 300, 151, 307)
    found = candidates(page_lines(PageWords(1, 595, 842, (heading, value))))
    assert [f.value for f in found["invoice_number"]] == ["RE23-76128"]


def test_an_articles_reference_under_the_lines_heading_is_not_the_invoices_number() -> None:
    lines = lines_of([(40, 200, "Référence"), (120, 200, "Désignation"), (400, 200, "Montant"),
                      (40, 214, "A1000"), (120, 214, "Câble"), (400, 214, "148,40")])
    assert "invoice_number" not in candidates(lines)  # type: ignore[arg-type]
    lines = lines_of([(40, 60, "Référence"), (200, 60, "Date"), (40, 74, "FA-2026-12"), (200, 74, "05.03.2026")])
    assert [str(f.value) for f in candidates(lines)["invoice_number"]] == ["FA-2026-12"]  # type: ignore[arg-type]


@pytest.mark.parametrize("reference", ["Credit for invoice RE9116 of 11/08/2026", "Storno fattura n. F4407",
                                       "Rectifica la factura F-12 de 11/08/2026", "Creditering van factuur F-12"])
def test_a_reference_to_the_invoice_a_credit_note_corrects_is_not_its_number(reference: str) -> None:
    lines = lines_of([*_words_at(60, "Credit note number CN-77"), *_words_at(300, reference)])
    found = candidates(lines)  # type: ignore[arg-type]
    assert [str(f.value) for f in found["invoice_number"]] == ["CN-77"]


def test_a_row_of_headings_set_too_close_to_split_gives_each_the_value_under_it() -> None:
    # One cell of headings and one of values (the gaps are narrower than a cell's): each value is read
    # under its own heading, the customer's number and the page's left aside.
    row = [(40, 100, "Kundennummer"), (118, 100, "Rechnungsnr."), (196, 100, "Datum"), (232, 100, "Seite")]
    values = [(40, 114, "K-4711"), (118, 114, "RE-2024/0815"), (196, 114, "12.03.2024"), (232, 114, "1/2")]
    lines = lines_of(row + values)
    assert len(lines[0].cells) == 1  # type: ignore[attr-defined]
    found = candidates(lines)  # type: ignore[arg-type]
    assert [str(f.value) for f in found["invoice_number"]] == ["RE-2024/0815"]
    assert [str(f.value) for f in found["issue_date"]] == ["2024-03-12"]


def test_other_numbers_and_dates_headings_bound_their_columns_and_give_nothing() -> None:
    # A delivery note's number and a period beside the date, in one row of headings set close.
    row = [(40, 100, "Lieferschein-Nr."), (148, 100, "Datum"), (184, 100, "Leistungszeitraum")]
    values = [(40, 114, "LS-2024-77"), (148, 114, "12.03.2024"), (250, 114, "01.02.2024")]
    lines = lines_of(row + values)
    assert len(lines[0].cells) == 1  # type: ignore[attr-defined]
    found = candidates(lines)  # type: ignore[arg-type]
    assert "invoice_number" not in found
    assert [str(f.value) for f in found["issue_date"]] == ["2024-03-12"]
    assert match("Kundennummer") is not None and match("Kundennummer").label.field == "ignore"  # type: ignore[union-attr]


def test_a_value_in_a_box_of_its_own_a_little_off_its_labels_line_is_read_beside_it() -> None:
    # Labels left, values far right in larger type and 6 points lower: each value a line of its own.
    words = [Word("Référence", 40, 100, 94, 108), Word("37658/2026", 480, 106, 540, 116),
             Word("Échéance", 40, 124, 88, 132), Word("22.08.2026", 480, 130, 540, 140)]
    lines = page_lines(PageWords(1, 595, 842, tuple(words)))
    assert len(lines) == 4
    found = candidates(lines)
    assert [str(f.value) for f in found["invoice_number"]] == ["37658/2026"]
    assert [str(f.value) for f in found["due_date"]] == ["2026-08-22"]
def _form(rows: list[tuple[float, str, str]]) -> PageWords:
    """A form of two columns: per row its height, the label's words at the left, the value at x=300."""
    words: list[Word] = []
    for y, label, value in rows:
        words += [Word(text, x, y, x + 6 * len(text), y + 10) for x, y, text in _words_at(y, label)]
        if value:
            words.append(Word(value, 300, y, 300 + 6 * len(value), y + 10))
    return PageWords(1, 595, 842, tuple(words))


# A self-billed invoice's form: each party's block a heading, its labels below it, their values far right.
FORM = [(40, "Verkäufer", ""), (54, "Name:", "Lieferant GmbH"), (68, "USt.-Id.-Nr.:", "DE123456789"),
        (90, "Käufer/Leistungsempfänger", ""), (104, "Name:", "Kunden AG"), (118, "USt.-Id.-Nr.:", "DE136695976")]


def test_a_value_right_of_a_vat_label_in_a_block_is_that_blocks_party() -> None:
    lines = page_lines(_form(FORM))
    # The buyer's number, valid, is right of a label in the buyer's block: it is the buyer's, though far
    # from the heading's column; the seller's (a sample's, with a wrong check digit) is the only candidate.
    assert [c.value for c in seller_vat(lines)] == ["DE123456789"]
    assert buyer_vats(lines) == {"DE136695976"}


def test_a_number_the_layout_shows_as_the_buyers_is_not_the_sellers_for_the_text_rules_either() -> None:
    page = _form(FORM)
    text = "\n".join(line.text for line in page_lines(page))
    assert "DE136695976" in text  # the text rules alone see a valid number under a VAT label
    assert extract_fields([text], pages=[page])["supplier_vat"].value == "DE123456789"


def test_a_vat_number_labelled_as_the_readers_is_the_buyers() -> None:
    lines = lines_of([*_words_at(40, "Ihr Zeichen: AB-312"), *_words_at(54, "Ihre USt.-IdentNr.: DE234567890"),
                      *_words_at(400, "BLZ: 700 901 00"), (200, 400, "USt.-Identnr.:"), (300, 400, "DE123456789")])
    assert [c.value for c in seller_vat(lines)] == ["DE123456789"]  # type: ignore[arg-type]
    assert buyer_vats(lines) == {"DE234567890"}  # type: ignore[arg-type]


def test_digits_come_apart_one_by_one_are_no_amount() -> None:
    # A text layer whose characters lost their words: "321,40" read as "3 2 1 , 4 0" would give "0".
    lines = lines_of([(40, 100, "Nettobetrag"), (40, 114, "3"), (46, 114, "2"), (52, 114, "1"), (58, 114, ","),
                      (64, 114, "4"), (70, 114, "0"), (40, 200, "Endbetrag"), (200, 200, "382,47")])
    found = candidates(lines)  # type: ignore[arg-type]
    assert "total_excl_tax" not in found
    assert [str(f.value) for f in found["total_incl_tax"]] == ["382.47"]


def test_a_credit_notes_title_at_the_pages_top_is_read_in_the_order_the_page_shows() -> None:
    # The text layer gives the title last, after a logo's word; the page shows it first.
    page = PageWords(1, 595, 842, tuple(Word(text, x, y, x + 6 * len(text), y + 10) for x, y, text in [
        *_words_at(40, "AVOIR N° : F20220028"), *_words_at(60, "LE FOURNISSEUR SARL"),
        *_words_at(300, "TOTAL HT 100,00"), *_words_at(314, "TVA 20 % 20,00"), *_words_at(328, "TOTAL TTC 120,00")]))
    text = "LE FOURNISSEUR SARL\nTOTAL HT 100,00\nTVA 20 % 20,00\nTOTAL TTC 120,00\nLOGO AVOIR N° : F20220028"
    assert extract_fields([text])["document_type"].value == "invoice"  # the text alone: no title at its top
    assert extract_fields([text], pages=[page])["document_type"].value == "credit_note"


def test_one_list_of_document_words_serves_the_text_rules_accents_and_all() -> None:
    from ingest.documents.fields import refs

    assert refs.invoice_number(["Note de crédit n° NC-2026-7"]).value == "NC-2026-7"  # type: ignore[union-attr]
    assert refs.invoice_number(["Nota di credito n. 45/2026"]).value == "45/2026"  # type: ignore[union-attr]
    assert refs.invoice_number(["Handelsrechnung Nr. HR-88"]).value == "HR-88"  # type: ignore[union-attr]
    assert [refs.document_type([title]).value for title in ("AVOIR N° 12", "Credit memo", "Factura de abono 7",
                                                            "Avoirs et remises", "Facture n° 3")] == \
        ["credit_note", "credit_note", "credit_note", "invoice", "invoice"]


def test_a_space_pdfium_guessed_in_a_kerned_word_does_not_split_it() -> None:
    # "Ver käufer": PDFium put a space where the generator kerned the word's letters apart (a tenth of the
    # type size); a space of the file, or a gap of a space's width, still ends the word.
    ver, kaeufer, apart = ("r", 10.0, 0.0, 14.0, 7.0), ("k", 15.0, 0.0, 19.0, 7.0), ("k", 16.5, 0.0, 20.5, 7.0)
    assert not _breaks(ver, kaeufer, 9.75, GENERATED_GAP)
    assert _breaks(ver, apart, 9.75, GENERATED_GAP) and not _breaks(ver, apart, 9.75, WORD_GAP)


def test_an_amount_columns_sums_row_is_its_total_not_its_first_row() -> None:
    # A VAT summary table: a row per rate, then their sums; the rates' rows first under the headings.
    lines = lines_of([(40, 500, "Nettobetrag"), (160, 500, "MwSt-Betrag"), (280, 500, "Endbetrag"),
                      (40, 514, "321,40"), (160, 514, "61,07"), (280, 514, "382,47"),
                      (40, 528, "127,59"), (160, 528, "8,93"), (280, 528, "136,52"),
                      (40, 542, "448,99"), (160, 542, "70,00"), (280, 542, "518,99")])
    found = candidates(lines)  # type: ignore[arg-type]
    assert [str(found[key][0].value) for key in ("total_excl_tax", "total_tax", "total_incl_tax")] == \
        ["448.99", "70.00", "518.99"]
    lines = lines_of([(40, 500, "Nettobetrag"), (40, 514, "321,40"), (40, 528, "127,59"), (40, 542, "12,00")])
    assert [str(f.value) for f in candidates(lines)["total_excl_tax"]] == ["321.40"]  # type: ignore[arg-type]


def test_a_sentence_after_a_tax_word_gives_no_amount() -> None:
    lines = lines_of([*_words_at(700, "VAT exemption according to articles 262 ter and/or 283-2 of the CGI"),
                      (40, 300, "VAT"), (400, 300, "38,00")])
    assert [str(f.value) for f in candidates(lines)["total_tax"]] == ["38.00"]  # type: ignore[arg-type]


def test_a_lone_character_between_a_label_and_its_value_is_passed_over() -> None:
    # A scan's colon read as "2", in a cell of its own.
    lines = lines_of([(40, 100, "Beleg-Nr"), (160, 100, "2"), (220, 100, "RK21012345")])
    assert [str(f.value) for f in candidates(lines)["invoice_number"]] == ["RK21012345"]  # type: ignore[arg-type]


def test_the_date_of_a_related_invoice_or_of_a_service_period_is_not_the_issue_date() -> None:
    lines = lines_of([(300, 40, "FACTURE N° :"), (460, 40, "F20220026"), (300, 54, "Date :"), (460, 54, "31/01/2022"),
                      (40, 200, "DATE DE FACTURE ASSOCIÉE : 01/01/2022"),
                      (40, 214, "DATE DE DEBUT DE PRESTATION : 01/01/2022"),
                      (40, 228, "DATE DE FIN DE PRESTATION : 31/12/2022")])
    found = candidates(lines)  # type: ignore[arg-type]
    assert [str(f.value) for f in found["issue_date"]] == ["2022-01-31"]
    from ingest.documents.fields import refs

    # The related invoice's date first: on a tie of scores the earlier line would win.
    issue, _ = refs.issue_and_due_dates(["Date de facture associée : 01/01/2022", "Date de facture : 31/01/2022"])
    assert issue is not None and issue.value == "2022-01-31"


def test_a_number_on_its_own_line_under_a_title_standing_alone_is_the_titles() -> None:
    lines = lines_of([(40, 60, "FACTURE"), (40, 84, "N°"), (60, 84, "FA-2026-0001"), (40, 100, "N°"), (60, 100, "TVA"),
                      (90, 100, "FR40303265045"), (40, 300, "N°"), (60, 300, "client"), (110, 300, "C-12")])
    found = candidates(lines)  # type: ignore[arg-type]
    assert {str(f.value) for f in found["invoice_number"]} == {"FA-2026-0001"}  # not "client C-12"
    assert found["invoice_number"][0].score == 1.0  # as sure as a number printed after its title


def test_a_date_alone_between_a_title_and_its_number_is_the_documents() -> None:
    lines = lines_of([(400, 60, "FACTURE"), (420, 80, "20/09/2023"), (410, 100, "nº"), (430, 100, "2023-6013")])
    found = candidates(lines)  # type: ignore[arg-type]
    assert [str(f.value) for f in found["issue_date"]] == ["2023-09-20"]
    assert str(found["invoice_number"][0].value) == "2023-6013" and found["invoice_number"][0].score == 1.0


def test_no_title_no_number_from_a_lone_number_mark_nor_date_from_a_lone_date() -> None:
    lines = lines_of([(40, 60, "Atelier"), (40, 84, "N°"), (60, 84, "FA-2026-0001"), (40, 100, "20/09/2023")])
    found = candidates(lines)  # type: ignore[arg-type]
    assert "invoice_number" not in found and "issue_date" not in found


def test_a_labels_date_may_be_written_in_iso_basic_form() -> None:
    found = candidates(lines_of(_words_at(60, "Date : 20260815 · Échéance : 20260914")))  # type: ignore[arg-type]
    assert [str(f.value) for f in found["issue_date"]] == ["2026-08-15"]
    assert [str(f.value) for f in found["due_date"]] == ["2026-09-14"]
    assert "issue_date" not in candidates(lines_of(_words_at(60, "Date : 20261315")))  # type: ignore[arg-type]
