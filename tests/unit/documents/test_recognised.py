"""Recognised text mended for the reading: a label word the engine misspelt, a decimal comma it lost."""

from __future__ import annotations

from decimal import Decimal

from ingest.documents.candidate import Candidate
from ingest.documents.fields import extract_fields
from ingest.documents.layout import PageWords, Word
from ingest.documents.reading.recognised import (
    levelled,
    mend,
    mend_vat_number,
    mend_word,
    tilt,
    unglue,
    with_lost_cents,
    with_lost_signs,
)


def ocr_page(rows: list[list[tuple[float, str, float]]]) -> tuple[PageWords, str]:
    """A recognised page: rows of (x, text, confidence), 14 points apart, and its text."""
    words = []
    for number, row in enumerate(rows):
        y = 100.0 + 14 * number
        for x, text, confidence in row:
            words.append(Word(text, x, y, x + 6 * len(text), y + 9, confidence))
    text = "\n".join(" ".join(word for _, word, _ in row) for row in rows)
    return PageWords(1, 595.0, 842.0, tuple(words)), text


def test_a_misspelt_label_word_is_spelt_as_the_label() -> None:
    assert mend_word("Reehnungsdatum") == "Rechnungsdatum"
    assert mend_word("Bruttosumne:") == "Bruttosumme:"
    assert mend_word("Rschnungssumme") == "Rechnungssumme"


def test_a_long_words_first_letter_may_be_the_misread_one() -> None:
    assert mend_word("Oruttosumme") == "Bruttosumme"
    assert mend_word("Lteuerbetrag") == "Steuerbetrag"
    assert mend_word("Hettowert") == "Nettowert"
    assert mend_word("Oatum") == "Oatum"                 # a short word keeps its first letter


def test_a_compounds_parts_are_mended_together_a_letter_misread_before_one_added() -> None:
    assert mend_word("MuSt-Betrag") == "Mwst-betrag"     # not "ust-betrag", one letter shorter
    assert mend_word("Leistungs-Datum:") == "Leistungsdatum:"
    assert mend_word("USt-Betrag") == "USt-Betrag"       # a label's compound itself
    assert mend_word("Bestell-D.") == "Bestell-D."       # an abbreviation's letter is no misreading


def test_short_known_extended_or_far_words_stay_as_recognised() -> None:
    assert mend_word("Rechnungsdatum") == "Rechnungsdatum"   # already a label word
    assert mend_word("Datun") == "Datun"                     # too short to tell
    assert mend_word("Abschlag") == "Abschlag"               # a label word shortened is another word
    assert mend_word("livraisons") == "livraisons"           # a label word lengthened too
    assert mend_word("Belegsummen") == "Belegsummen"         # two edits in eleven letters: too far
    assert mend_word("12.03.2026") == "12.03.2026"


def test_only_words_the_engine_was_unsure_of_are_mended_in_words_and_text() -> None:
    page, text = ocr_page([[(40, "Reehnungsdatum", 0.4), (200, "05.03.2026", 0.95)],
                           [(40, "Bruttosumne", 0.97), (200, "238,00", 0.95)]])
    [mended], [mended_text] = mend([page], [text])
    assert [w.text for w in mended.words] == ["Rechnungsdatum", "05.03.2026", "Bruttosumne", "238,00"]
    assert mended_text == "Rechnungsdatum 05.03.2026\nBruttosumne 238,00"


def test_a_whole_total_also_stands_as_its_hundredth_a_little_less_trusted() -> None:
    pools = with_lost_cents({"total_excl_tax": [Candidate(Decimal("17749"), 0.9, 3), Candidate(Decimal("12"), 0.5, 4)],
                             "total_tax": [Candidate(Decimal("20.16"), 0.9, 5)]})
    assert [(str(c.value), c.score) for c in pools["total_excl_tax"]] == \
        [("17749", 0.9), ("12", 0.5), ("177.49", 0.81)]
    assert [str(c.value) for c in pools["total_tax"]] == ["20.16"]


def test_a_scan_whose_decimal_comma_was_lost_still_gives_totals_that_add_up() -> None:
    page, text = ocr_page([[(40, "Reehnungsdatum", 0.3), (300, "05.03.2026", 0.96)],
                           [(40, "Rechnungssumme", 0.9), (110, "ohne", 0.9), (140, "USt.", 0.9), (450, "17749", 0.8)],
                           [(40, "Steuerbetrag", 0.95), (450, "20,16", 0.96)],
                           [(40, "Bruttosumme", 0.95), (450, "197,65", 0.95)]])
    fields = extract_fields([text], source="ocr", pages=[page])
    assert {key: fields[key].value for key in ("total_excl_tax", "total_tax", "total_incl_tax", "issue_date")} == \
        {"total_excl_tax": "177.49", "total_tax": "20.16", "total_incl_tax": "197.65", "issue_date": "2026-03-05"}
    assert fields["total_excl_tax"].source == "ocr"


def test_a_text_layer_is_read_as_printed() -> None:
    page, text = ocr_page([[(40, "Rechnungssumme", 0.9), (110, "ohne", 0.9), (140, "USt.", 0.9), (450, "17749", 0.8)],
                           [(40, "Steuerbetrag", 0.95), (450, "20,16", 0.96)],
                           [(40, "Bruttosumme", 0.95), (450, "197,65", 0.95)]])
    fields = extract_fields([text], source="text", pages=[page])
    assert fields.get("total_excl_tax") is None or fields["total_excl_tax"].value != "177.49"


def test_a_positive_total_also_stands_negated_only_on_a_page_printing_a_negative_one() -> None:
    pools = {"total_excl_tax": [Candidate(Decimal("-218.48"), 0.9, 3)],
             "total_tax": [Candidate(Decimal("14.99"), 0.9, 4)]}
    assert [(str(c.value), c.score) for c in with_lost_signs(pools)["total_tax"]] == \
        [("14.99", 0.9), ("-14.99", 0.765)]
    positive = {"total_tax": [Candidate(Decimal("14.99"), 0.9, 4)]}
    assert with_lost_signs(positive) == positive


def test_a_credit_notes_total_whose_minus_sign_was_lost_is_read_negative() -> None:
    page, text = ocr_page([[(40, "Rechnungssumme", 0.9), (110, "ohne", 0.9), (140, "USt.", 0.9), (450, "7,67", 0.8)],
                           [(40, "Steuerbetrag", 0.95), (450, "1,12", 0.96)],
                           [(40, "Bruttosumme", 0.95), (450, "-8,79", 0.95)]])
    fields = extract_fields([text], source="ocr", pages=[page])
    assert [fields[key].value for key in ("total_excl_tax", "total_tax", "total_incl_tax")] == \
        ["-7.67", "-1.12", "-8.79"]


def test_a_labels_words_glued_together_are_split_apart() -> None:
    assert unglue("TotalHT") == "Total HT"
    assert unglue("TotalTTC:") == "Total TTC:"
    assert unglue("Nettotal.") == "Net total."
    assert unglue("Gesamtbetrag") == "Gesamtbetrag"      # a label word itself
    assert unglue("Totalement") == "Totalement"          # spells no label


def test_a_glued_label_is_split_in_the_words_and_the_text_whatever_the_engines_confidence() -> None:
    page, text = ocr_page([[(40, "TotalHT", 0.96), (300, "624,90", 0.95)]])
    [mended], [mended_text] = mend([page], [text])
    assert [(w.text, w.x0, w.x1) for w in mended.words[:2]] == [("Total", 40.0, 66.25), ("HT", 71.5, 82.0)]
    assert mended_text == "Total HT 624,90"
    fields = extract_fields([text], source="ocr", pages=[page])
    assert fields["total_excl_tax"].value == "624.90"


def test_a_tables_rule_or_a_speck_glued_to_a_word_is_no_part_of_it() -> None:
    page, text = ocr_page([[(40, "Total|", 0.95), (300, "2,076.76", 0.95)], [(40, "|TotalHT", 0.4), (300, "|", 0.5)],
                           [(40, "‚Rechnungsnummer", 0.7), (300, "471102", 0.9)]])
    [mended], [mended_text] = mend([page], [text])
    assert [w.text for w in mended.words] == ["Total", "2,076.76", "Total", "HT", "|", "Rechnungsnummer", "471102"]
    assert mended_text == "Total 2,076.76\nTotal HT |\nRechnungsnummer 471102"


def test_a_vat_numbers_look_alike_letter_or_extra_character_is_mended_when_one_spelling_passes() -> None:
    assert mend_vat_number("BE0O724395703") == "BE0724395703"      # "O" read for "0"
    assert mend_vat_number("IT7168216O446.") == "IT71682160446."    # punctuation kept
    assert mend_vat_number("FR556459066865") == "FR55645906686"     # a speck read as one more digit
    assert mend_vat_number("NL547039475B02") == "NL547039475B02"    # valid as read: its "B" is its own
    assert mend_vat_number("DE123456789") == "DE123456789"          # a sample's made-up number stays
    assert mend_vat_number("FR3061M64677") == "FR3061M64677"        # "20" read as "M": no spelling tells


def test_a_mended_vat_number_is_the_sellers_in_the_fields() -> None:
    page, text = ocr_page([[(40, "USt-IdNr.:", 0.9), (110, "BE0O724395703", 0.6)],
                           [(40, "Rechnung", 0.95), (110, "Nr.", 0.95), (140, "4711", 0.95)]])
    fields = extract_fields([text], source="ocr", pages=[page])
    assert fields["supplier_vat"].value == "BE0724395703"


def _tilted_rows(slope: float) -> PageWords:
    """Fourteen rows of a label left and its value far right, the page turned by `slope`."""
    words = []
    for row in range(14):
        y = 100.0 + 14 * row
        for x, text in ((40, "Label"), (80, "words"), (450, "12,00")):
            words.append(Word(text, x, y + slope * x, x + 30, y + 9 + slope * x, 0.95))
    return PageWords(1, 595.0, 842.0, tuple(words))


def test_a_tilted_scan_is_levelled_on_its_words_boxes() -> None:
    page = _tilted_rows(0.02)  # about 1.1 degrees: the value far right stands 8 points lower than its label
    assert abs(tilt(page.words) - 0.02) < 1e-9
    level = levelled(page)
    assert max(w.y0 for w in level.words[:3]) - min(w.y0 for w in level.words[:3]) < 0.01
    assert levelled(_tilted_rows(0.0)) == _tilted_rows(0.0)  # a level page is left as it is


def test_a_credit_notes_title_far_right_of_the_letterhead_on_its_row_makes_it_one() -> None:
    # OCR reads the row whole: "Menuiserie du Rhône SARL AVOIR"; its cells tell the title apart.
    page, text = ocr_page([[(40, "Menuiserie", 0.95), (110, "du", 0.95), (130, "Rhône", 0.95), (170, "SARL", 0.95),
                            (450, "AVOIR", 0.95)],
                           [(300, "N°", 0.95), (330, "d'avoir", 0.95), (450, "CN-2023-65730", 0.95)],
                           [(40, "Total", 0.95), (80, "HT", 0.95), (450, "839,54", 0.95)],
                           [(40, "TVA", 0.95), (450, "167,91", 0.95)],
                           [(40, "Total", 0.95), (80, "TTC", 0.95), (450, "1 007,45", 0.95)]])
    fields = extract_fields([text], source="ocr", pages=[page])
    assert fields["document_type"].value == "credit_note"


def test_a_vat_number_recognised_in_groups_is_mended_as_one_word_in_words_and_text() -> None:
    page, text = ocr_page([[(40, "Btw-id", 0.95), (90, "NL", 0.95), (106, "732", 0.9), (128, "711", 0.9),
                            (150, "939", 0.9), (172, "BO3", 0.6)],
                           [(40, "TVA", 0.95), (70, "intracom.:", 0.95), (140, "FR", 0.95), (156, "556459066865", 0.8)],
                           [(40, "Adresse", 0.95), (90, "DE", 0.95), (106, "10369", 0.95), (140, "Berlin", 0.95)]])
    [mended], [mended_text] = mend([page], [text])
    assert [w.text for w in mended.words][:3] == ["Btw-id", "NL732711939B03", "TVA"]
    assert mended_text.splitlines() == ["Btw-id NL732711939B03", "TVA intracom.: FR55645906686",
                                        "Adresse DE 10369 Berlin"]


def test_the_first_of_the_month_read_ler_is_mended() -> None:
    page, text = ocr_page([[(40, "Date", 0.95), (80, "ler", 0.7), (100, "janvier", 0.95), (150, "2022", 0.95)]])
    [mended], [mended_text] = mend([page], [text])
    assert mended_text == "Date 1er janvier 2022"
    assert extract_fields([text], source="ocr", pages=[page])["issue_date"].value == "2022-01-01"
