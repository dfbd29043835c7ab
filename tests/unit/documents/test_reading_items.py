"""The lines table read from the page: its heading's columns, its rows (wrapped descriptions, a second
page), values in the e-invoice XML's strings, and a confidence from the invoice checking itself."""

from __future__ import annotations

from decimal import Decimal

from ingest.documents.fields import extract_fields
from ingest.documents.layout import PageWords, Word
from ingest.documents.reading.candidates import READ_CEILING
from ingest.documents.reading.item_values import TABLE_NOT_ADDING_UP
from ingest.documents.reading.items import line_items
from ingest.documents.reading.lines import Line, page_lines

# Where each column of the test tables starts, in points.
DESCRIPTION, QUANTITY, PRICE, RATE, AMOUNT = 40, 250, 320, 420, 480
FRENCH_HEADING = [(DESCRIPTION, "Désignation"), (QUANTITY, "Qté"), (PRICE, "Prix unitaire HT"), (RATE, "TVA"),
                  (AMOUNT, "Montant HT")]


def page(number: int, rows: list[tuple[float, list[tuple[float, str]]]]) -> PageWords:
    """A page of 10-point words: each row at its height, each text from its x, words one space apart."""
    words = []
    for y, texts in rows:
        for x, text in texts:
            for word in text.split():
                words.append(Word(word, x, y, x + 5 * len(word), y + 10))
                x += 5 * len(word) + 4
    return PageWords(number, 595, 842, tuple(words))


def lines_of(*pages: PageWords) -> list[Line]:
    return [line for one in pages for line in page_lines(one)]


def read_values(items: list[dict[str, str]]) -> list[dict[str, str]]:
    """The items' values without each row's own confidence."""
    return [{key: value for key, value in row.items() if key != "confidence"} for row in items]


def item(description: str, quantity: str, price: str, rate: str, amount: str) -> list[tuple[float, str]]:
    return [(DESCRIPTION, description), (QUANTITY, quantity), (PRICE, price), (RATE, rate), (AMOUNT, amount)]


def test_a_french_table_gives_its_items_in_the_xml_strings_and_adds_up() -> None:
    lines = lines_of(page(1, [
        (100, FRENCH_HEADING),
        (120, item("Plateau chêne massif", "2", "617,25 €", "20 %", "1 234,50 €")),
        (135, item("Livraison", "1", "50,00 €", "20 %", "50,00 €")),
        (170, [(PRICE, "Total HT"), (AMOUNT, "1 284,50 €")]),
    ]))
    found = line_items(lines, "text", Decimal("1284.50"))
    assert found is not None
    assert read_values(found.value) == [
        {"description": "Plateau chêne massif", "quantity": "2", "unit_price": "617.25", "vat_rate": "20.00",
         "net_amount": "1234.50"},
        {"description": "Livraison", "quantity": "1", "unit_price": "50.00", "vat_rate": "20.00",
         "net_amount": "50.00"},
    ]
    assert found.confidence == READ_CEILING["text"]  # every row checks itself and they make the total
    assert [row["confidence"] for row in found.value] == [str(READ_CEILING["text"])] * 2


def test_a_description_wrapped_below_its_row_is_joined_and_details_are_left_out() -> None:
    lines = lines_of(page(1, [
        (100, FRENCH_HEADING),
        (120, item("Poutre chêne", "3", "40,00", "20 %", "120,00")),
        (132, [(DESCRIPTION, "section 20 x 20, longueur 4 m")]),
        (144, [(DESCRIPTION, "Lot : 2026-118")]),
        (160, item("Pose", "2", "45,00", "20 %", "90,00")),
    ]))
    found = line_items(lines, "text", None)
    assert found is not None
    assert [i["description"] for i in found.value] == ["Poutre chêne section 20 x 20, longueur 4 m", "Pose"]


def test_a_table_runs_on_at_the_next_pages_top_until_its_totals() -> None:
    first = page(1, [
        (600, FRENCH_HEADING),
        (620, item("Vis inox 4 x 40", "1 000", "0,05", "20 %", "50,00")),
        (640, item("Chevilles", "200", "0,10", "20 %", "20,00")),
        (800, [(DESCRIPTION, "Page 1 / 2")]),
    ])
    second = page(2, [
        (60, item("Équerres", "10", "1,50", "20 %", "15,00")),
        (100, [(PRICE, "Total HT"), (AMOUNT, "85,00")]),
        (200, item("Ne pas lire", "1", "9,00", "20 %", "9,00")),
    ])
    found = line_items(lines_of(first, second), "text", Decimal("85.00"))
    assert found is not None
    assert [(i["description"], i["quantity"], i["net_amount"]) for i in found.value] == [
        ("Vis inox 4 x 40", "1000", "50.00"), ("Chevilles", "200", "20.00"), ("Équerres", "10", "15.00")]
    assert found.confidence >= 0.9


def test_a_table_that_does_not_add_up_is_trusted_little() -> None:
    rows = [(100, FRENCH_HEADING), (120, item("Article A", "2", "10,00", "20 %", "20,00")),
            (135, item("Article B", "3", "10,00", "20 %", "25,00"))]  # 3 × 10 is not 25
    lines = lines_of(page(1, rows))
    wrong_total = line_items(lines, "text", Decimal("60.00"))
    no_total = line_items(lines, "text", None)
    assert wrong_total is not None and no_total is not None
    assert wrong_total.confidence < no_total.confidence < READ_CEILING["text"]
    assert no_total.confidence - wrong_total.confidence >= TABLE_NOT_ADDING_UP  # its rows lower, and itself
    fitting = line_items(lines_of(page(1, rows[:2])), "text", Decimal("20.00"))
    assert fitting is not None and fitting.confidence > no_total.confidence


def test_headings_of_other_languages_set_close_and_over_two_lines_give_their_columns() -> None:
    german = lines_of(page(1, [
        (94, [(PRICE, "Einzel-"), (AMOUNT, "Gesamt-")]),
        (100, [(DESCRIPTION, "Pos Art-Nr. Bezeichnung"), (QUANTITY, "Menge"), (RATE, "USt."), ]),
        (106, [(PRICE, "preis"), (AMOUNT, "preis")]),
        (130, [(DESCRIPTION, "1"), (DESCRIPTION + 30, "TB-100"), (DESCRIPTION + 90, "Trennblätter A4"),
               (QUANTITY, "20 Stk"), (PRICE, "9,90"), (RATE, "19 %"), (AMOUNT, "198,00")]),
    ]))
    found = line_items(german, "text", None)
    assert found is not None and read_values(found.value) == [{"description": "Trennblätter A4", "quantity": "20",
                                                               "unit": "C62",
                                                  "unit_price": "9.90", "vat_rate": "19.00", "net_amount": "198.00"}]


def test_a_price_column_is_the_amount_when_no_heading_says_amount() -> None:
    lines = lines_of(page(1, [
        (100, [(DESCRIPTION, "Description"), (QUANTITY, "Qty"), (AMOUNT, "Price")]),
        (120, [(DESCRIPTION, "Consulting, March"), (QUANTITY, "12"), (AMOUNT, "1,440.00")]),
        (140, [(DESCRIPTION, "Subtotal"), (AMOUNT, "1,440.00")]),
    ]))
    found = line_items(lines, "ocr", Decimal("1440.00"))
    assert found is not None and found.confidence <= READ_CEILING["ocr"]
    assert read_values(found.value) == [{"description": "Consulting, March", "quantity": "12",
                                         "net_amount": "1440.00"}]


def test_a_page_without_a_lines_table_gives_no_items() -> None:
    lines = lines_of(page(1, [(100, [(DESCRIPTION, "Total HT"), (AMOUNT, "120,00")]),
                              (120, [(DESCRIPTION, "Montant"), (AMOUNT, "Description")])]))
    assert line_items(lines, "text", None) is None


def test_the_reading_gives_line_items_beside_the_totals() -> None:
    pages = [page(1, [
        (40, [(DESCRIPTION, "Facture n° FA-2026-7")]),
        (100, FRENCH_HEADING),
        (120, item("Plateau chêne massif", "2", "617,25", "20 %", "1 234,50")),
        (170, [(PRICE, "Total HT"), (AMOUNT, "1 234,50")]),
        (185, [(PRICE, "TVA 20 %"), (AMOUNT, "246,90")]),
        (200, [(PRICE, "Total TTC"), (AMOUNT, "1 481,40")]),
    ])]
    text = "\n".join(line.text for line in page_lines(pages[0]))
    fields = extract_fields([text], pages=pages)
    assert fields["total_excl_tax"].value == "1234.50"
    assert read_values(fields["line_items"].value) == [{"description": "Plateau chêne massif", "quantity": "2",
                                           "unit_price": "617.25", "vat_rate": "20.00", "net_amount": "1234.50"}]
    assert fields["line_items"].confidence == READ_CEILING["text"] and fields["line_items"].source == "text"
    assert "line_items" not in extract_fields([text])  # the text alone has no places: no table


def test_an_amount_at_the_foot_of_its_row_and_a_description_set_above_its_numbers_are_the_rows() -> None:
    lines = lines_of(page(1, [
        (100, FRENCH_HEADING),
        (120, [(DESCRIPTION, "Plinthes sapin"), (QUANTITY, "12"), (PRICE, "3,50"), (RATE, "20 %")]),
        (131, [(AMOUNT, "42,00")]),  # a row two lines tall, its amount at the foot
        (160, [(DESCRIPTION, "Forfait déplacement")]),  # a description centred on its row, above the numbers
        (166, [(QUANTITY, "1"), (PRICE, "35,00"), (RATE, "20 %"), (AMOUNT, "35,00")]),
    ]))
    found = line_items(lines, "text", Decimal("77.00"))
    assert found is not None
    assert [(i["description"], i["quantity"], i["net_amount"]) for i in found.value] == [
        ("Plinthes sapin", "12", "42.00"), ("Forfait déplacement", "1", "35.00")]


def test_a_credit_notes_lines_printed_with_minus_signs_are_given_positive() -> None:
    lines = lines_of(page(1, [(100, FRENCH_HEADING), (120, item("Retour palette", "-2", "15,00", "20 %", "-30,00"))]))
    found = line_items(lines, "text", Decimal("30.00"), credit_note=True)
    assert found is not None and read_values(found.value) == [{"description": "Retour palette", "quantity": "2",
                                                  "unit_price": "15.00", "vat_rate": "20.00", "net_amount": "30.00"}]


def test_totals_end_the_table_with_their_amounts_or_as_headings_but_a_word_such_as_ht_does_not() -> None:
    lines = lines_of(page(1, [
        (100, FRENCH_HEADING),
        (120, item("Poutre", "2", "10,00", "20 %", "20,00")),
        (131, [(DESCRIPTION, "WA997 HT")]),
        (150, item("Lambourde", "1", "5,00", "20 %", "5,00")),
        (180, [(QUANTITY, "Montant HT"), (AMOUNT, "Montant TTC")]),
        (192, [(QUANTITY, "25,00"), (AMOUNT, "30,00")]),
    ]))
    found = line_items(lines, "text", Decimal("25.00"))
    assert found is not None
    assert [i["description"] for i in found.value] == ["Poutre WA997 HT", "Lambourde"]


def test_a_unit_column_or_a_unit_beside_the_quantity_gives_the_lines_unit_as_its_code() -> None:
    unit_column = lines_of(page(1, [
        (100, [(DESCRIPTION, "Description"), (QUANTITY, "Qty"), (QUANTITY + 35, "Unit"), (PRICE, "Unit price"),
               (AMOUNT, "Amount")]),
        (120, [(DESCRIPTION, "Site survey"), (QUANTITY, "2,5"), (QUANTITY + 35, "hrs"), (PRICE, "80.00"),
               (AMOUNT, "200.00")]),
        (135, [(DESCRIPTION, "Cable"), (QUANTITY, "12"), (QUANTITY + 35, "m"), (PRICE, "2.00"), (AMOUNT, "24.00")]),
        (150, [(DESCRIPTION, "Travel"), (QUANTITY, "1"), (QUANTITY + 35, "flat"), (PRICE, "30.00"),
               (AMOUNT, "30.00")]),
        (165, [(DESCRIPTION, "Sand"), (QUANTITY, "200"), (QUANTITY + 35, "100 kg"), (PRICE, "0.05"),
               (AMOUNT, "10.00")]),  # the price's base quantity before its unit
    ]))
    found = line_items(unit_column, "text", None)
    assert found is not None
    assert [(row["quantity"], row.get("unit")) for row in found.value] == [("2.5", "HUR"), ("12", "MTR"), ("1", None),
                                                                          ("200", "KGM")]
    beside = lines_of(page(1, [
        (100, FRENCH_HEADING),
        (120, item("Pose", "3 jours", "400,00", "20 %", "1 200,00")),
        (135, item("Parquet", "12,5 m²", "40,00", "20 %", "500,00")),
        (150, item("Plinthes", "2 Modèle A", "10,00", "20 %", "20,00")),  # words of a description, no unit
    ]))
    found = line_items(beside, "text", None)
    assert found is not None
    assert [item.get("unit") for item in found.value] == ["DAY", "MTK", None]


def test_each_row_is_trusted_on_its_own_and_the_table_as_its_rows_on_average() -> None:
    lines = lines_of(page(1, [
        (100, FRENCH_HEADING),
        (120, item("Article A", "2", "10,00", "20 %", "20,00")),  # fits
        (135, item("Article B", "3", "10,00", "20 %", "25,00")),  # 3 × 10 is not 25
        (150, [(QUANTITY, "1"), (PRICE, "5,00"), (RATE, "20 %"), (AMOUNT, "5,00")]),  # fits, no description
        (165, item("Article D", "1", "4, 00", "20 %", "4, 00")),  # fits once its cents are joined back
        (180, [(DESCRIPTION, "Article E"), (QUANTITY, "2"), (AMOUNT, "6,00")]),  # no price to check it by
    ]))
    found = line_items(lines, "text", None)
    assert found is not None
    rows = [float(row["confidence"]) for row in found.value]
    fitting, misfit, undescribed, mended, unchecked = rows
    assert misfit < mended < fitting and undescribed < fitting and misfit < unchecked < fitting
    assert mended == undescribed and misfit <= 0.3 and fitting <= READ_CEILING["text"]
    assert found.confidence == round(sum(rows) / len(rows), 3)


def test_a_detail_beside_a_rows_description_is_left_out_of_it_unless_the_row_has_only_details() -> None:
    lines = lines_of(page(1, [
        (100, FRENCH_HEADING),
        (120, [(DESCRIPTION, "BC: 3"), (DESCRIPTION + 60, "Fournitures diverses"), (QUANTITY, "3"),
               (PRICE, "10,00"), (RATE, "20 %"), (AMOUNT, "30,00")]),
        (135, [(DESCRIPTION, "Remise : remise commerciale"), (QUANTITY, "1"), (PRICE, "-5,00"), (RATE, "20 %"),
               (AMOUNT, "-5,00")]),
    ]))
    found = line_items(lines, "text", Decimal("25.00"))
    assert found is not None
    assert [row["description"] for row in found.value] == ["Fournitures diverses", "Remise : remise commerciale"]


def test_an_amount_below_its_row_beside_a_detail_is_the_rows() -> None:
    lines = lines_of(page(1, [
        (100, FRENCH_HEADING),
        (120, [(DESCRIPTION, "Stahlcoil"), (QUANTITY, "10 Stk"), (RATE, "0 %")]),
        (131, [(DESCRIPTION, "Basismenge: 1 Stk"), (AMOUNT, "1.000,00")]),
    ]))
    found = line_items(lines, "text", Decimal("1000.00"))
    assert found is not None
    assert read_values(found.value) == [{"description": "Stahlcoil", "quantity": "10", "unit": "C62",
                                         "vat_rate": "0.00", "net_amount": "1000.00"}]


def test_a_number_under_the_description_keeps_the_lines_wrapped_below_it_for_its_row() -> None:
    lines = lines_of(page(1, [
        (100, FRENCH_HEADING),
        (120, [(DESCRIPTION, "10"), (QUANTITY, "2"), (PRICE, "10,00"), (RATE, "20 %"), (AMOUNT, "20,00")]),
        (131, [(DESCRIPTION, "Chaise en chêne")]),
        (150, [(DESCRIPTION, "20"), (QUANTITY, "1"), (PRICE, "50,00"), (RATE, "20 %"), (AMOUNT, "50,00")]),
        (161, [(DESCRIPTION, "Table basse")]),
    ]))
    found = line_items(lines, "text", Decimal("70.00"))
    assert found is not None
    assert [row["description"] for row in found.value] == ["10 Chaise en chêne", "20 Table basse"]
