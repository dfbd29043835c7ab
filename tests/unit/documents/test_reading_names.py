"""The parties' names read from the page: under a party's heading (after a name's label, over two lines),
by the seller's identifiers (their block, their line, the block facing the buyer's), in the letterhead,
and never from a sentence of the small print."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from ingest.documents.fields import Field, extract_fields
from ingest.documents.fields.parties import supplier_name
from ingest.documents.pdf_words import pdf_words
from ingest.documents.reading.lines import page_lines
from ingest.documents.reading.names import legal_form_span, reads_as_name
from tests.support.invoices import FONT

TOTALS = [(20, 250, "Total HT"), (150, 250, "1 234,56 €"), (20, 256, "TVA 20 %"), (150, 256, "246,91 €"),
          (20, 262, "Total TTC"), (150, 262, "1 481,47 €")]


def sized_pdf(tmp_path: Path, texts: list[tuple[float, float, str, int]]) -> Path:
    """A one-page PDF with each text at (x, y) millimetres from the top left, in its type size."""
    pdf = FPDF()
    pdf.add_font("dejavu", fname=str(FONT))
    pdf.add_page()
    for x, y, text, size in texts:
        pdf.set_font("dejavu", size=size)
        pdf.text(x, y, text)
    path = tmp_path / "names.pdf"
    path.write_bytes(bytes(pdf.output()))
    return path


def read(tmp_path: Path, texts: list[tuple[float, float, str] | tuple[float, float, str, int]]) -> dict[str, Field]:
    """What the whole reading finds on a one-page PDF holding `texts` (x, y in millimetres; 9 points unless
    a size is given), with totals at the bottom."""
    placed = [(*text, 9) if len(text) == 3 else text for text in [*texts, *TOTALS]]
    pages = pdf_words(sized_pdf(tmp_path, placed))  # type: ignore[arg-type]
    return extract_fields(["\n".join(line.text for line in page_lines(pages[0]))], pages=pages)


def names(fields: dict[str, Field]) -> tuple[str | None, str | None]:
    return tuple(str(fields[key].value) if key in fields else None  # type: ignore[return-value]
                 for key in ("supplier_name", "customer_name"))


def test_the_name_after_its_label_in_each_partys_block(tmp_path: Path) -> None:
    fields = read(tmp_path, [
        (20, 20, "Rechnung Nr. 4711 vom 05.03.2026"),
        (20, 40, "Verkäufer"), (20, 46, "Nummer:"), (80, 46, "549910"), (20, 52, "Name:"),
        (80, 52, "Holzbau Keller GmbH"), (20, 58, "Anschrift:"), (80, 58, "Lindenweg 4"),
        (20, 64, "USt-IdNr.:"), (80, 64, "DE136695976"),
        (20, 80, "Käufer"), (20, 86, "Name:"), (80, 86, "Kunden AG Mitte"), (20, 92, "Anschrift:"),
        (80, 92, "Kundenstraße 15"),
    ])
    assert names(fields) == ("Holzbau Keller GmbH", "Kunden AG Mitte")
    assert fields["supplier_name"].confidence >= 0.8


def test_a_value_set_on_two_lines_beside_its_label_is_one_name(tmp_path: Path) -> None:
    # The label stands level with the value's second line; the first is closer to it than to the row above.
    fields = read(tmp_path, [
        (20, 20, "Rechnung Nr. 4711"),
        (20, 40, "Verkäufer"), (20, 47, "Nummer:"), (80, 47, "549910"), (80, 54, "MVM Musterhafter"),
        (20, 58, "Name:"), (80, 58, "Versicherungsverein Musterstadt a.G."), (20, 66, "Anschrift:"),
        (80, 66, "Musterstr. 12"),
        (20, 90, "Käufer"), (80, 97, "Herrn"), (20, 101, "Name:"), (80, 101, "Max Mustermann"),
        (20, 109, "Anschrift:"), (80, 109, "Musterstr. 11"),
    ])
    assert names(fields) == ("MVM Musterhafter Versicherungsverein Musterstadt a.G.", "Herrn Max Mustermann")


def test_a_name_printed_a_little_lower_than_its_label_is_still_its_value(tmp_path: Path) -> None:
    fields = read(tmp_path, [(20, 20, "Rechnung Nr. 4711"), (20, 40, "Verkäufer"), (20, 47, "Name:"),
                             (80, 48.5, "Musterlieferant GmbH"), (20, 56, "Anschrift:"), (80, 56, "Bahnhofstraße 99")])
    assert names(fields)[0] == "Musterlieferant GmbH"


def test_a_company_name_on_two_lines_ends_with_its_legal_form(tmp_path: Path) -> None:
    fields = read(tmp_path, [(20, 20, "Rechnung Nr. 4711"), (20, 40, "Verkäufer:"), (20, 46, "MVM Musterhafter"),
                             (20, 50.5, "Versicherungsverein Musterstadt a.G."), (20, 56, "Musterstr. 12"),
                             (20, 61, "12345 Musterstadt")])
    assert names(fields)[0] == "MVM Musterhafter Versicherungsverein Musterstadt a.G."


def test_a_heading_may_stand_a_blank_line_above_its_block(tmp_path: Path) -> None:
    fields = read(tmp_path, [(20, 20, "Rechnung Nr. 4711"), (20, 40, "Käufer:"), (20, 48, "Kunden AG Mitte"),
                             (20, 52, "Hans Muster"), (20, 56, "Kundenstraße 15")])
    assert names(fields)[1] == "Kunden AG Mitte"


def test_without_a_heading_the_seller_is_named_at_the_top_of_the_block_holding_its_identifiers(
        tmp_path: Path) -> None:
    fields = read(tmp_path, [
        (120, 20, "Facture n° FA-2026-12"),
        (20, 40, "Scierie Dupont"), (20, 45, "12 rue du Port"), (20, 50, "69001 Lyon"),
        (20, 55, "SIREN : 732 829 320"), (20, 60, "TVA : FR44732829320"),
        (120, 40, "Client :"), (120, 45, "Menuiserie Martin"), (120, 50, "TVA : FR19787878784"),
    ])
    assert names(fields) == ("Scierie Dupont", "Menuiserie Martin")
    assert fields["supplier_vat"].value == "FR44732829320"


def test_the_name_that_begins_the_line_of_the_identifiers_in_the_footer(tmp_path: Path) -> None:
    fields = read(tmp_path, [
        (20, 20, "Facture n° FA-2026-12"), (20, 30, "Date : 05/03/2026"),
        (20, 280, "Scierie Dupont SAS - capital 10 000 € - SIRET 732 829 320 00074 - TVA FR44732829320"),
    ])
    assert names(fields)[0] == "Scierie Dupont SAS"


def test_the_block_facing_the_buyers_heading_is_the_sellers_blank_lines_and_all(tmp_path: Path) -> None:
    # A heading word begins the seller's first line ("Seller trade name"): it is no name; a line for a
    # contact left empty puts a blank line inside the block.
    fields = read(tmp_path, [
        (120, 15, "FACTURE N° : F2026-27"),
        (20, 40, "SELLER TRADE NAME"), (120, 40, "Adresse du client"),
        (20, 45, "LE FOURNISSEUR"), (120, 45, "Contact acheteur"),
        (20, 50, "35 rue d'ici"), (120, 50, "LE CLIENT"),
        (20, 55, "75018 PARIS, FR"), (120, 55, "58 rue de la mer"),
        (20, 66, "SIREN : 123 456 782"), (20, 71, "N° TVA : FR 11 123 456 782"),
    ])
    assert names(fields) == ("LE FOURNISSEUR", "LE CLIENT")


def test_the_letterhead_in_the_largest_type_names_the_seller(tmp_path: Path) -> None:
    fields = read(tmp_path, [(20, 20, "Atelier Lumière", 20), (20, 30, "8 place Bellecour, 69002 Lyon"),
                             (120, 50, "Facture n° 2026-118"), (120, 56, "Date : 05/03/2026")])
    assert names(fields)[0] == "Atelier Lumière"
    titled = read(tmp_path, [(20, 20, "FACTURE", 20), (20, 30, "Facture n° 2026-118"),
                             (20, 36, "Date : 05/03/2026")])
    assert names(titled)[0] is None  # a document's title is no name


def test_a_sentence_or_a_copyright_notice_of_the_small_print_is_no_name() -> None:
    lines = ["Invoice 4711",
             "This invoice is issued on behalf of the seller by Example Web Services EMEA SARL",
             "(c) AWV e.V. 2020", "Total 120.00"]
    assert supplier_name(lines) is None
    labelled = supplier_name(["Verkäufer", "Name: Lieferant GmbH", "DE 80333 München"])
    assert labelled is not None and labelled.value == "Lieferant GmbH"
    assert supplier_name(["Verkäufer", "Anschrift: Lieferantenstraße 20", "DE 10369 Berlin"]) is None


def test_legal_forms_are_words_printed_with_a_capital_after_the_name() -> None:
    # The span holds the comma after the form: the name is cut there.
    assert legal_form_span("Holzbau Keller GmbH & Co. KG, Lindenweg 4") == (15, 29)
    assert legal_form_span("Au bon moulin SARL - 1242 chemin") == (14, 18)
    assert legal_form_span("elle envoie sa facture") is None  # "sa" in a sentence
    assert legal_form_span("SARL au capital de 120 000 €") is None  # the form alone names no one
    assert reads_as_name("Lieferant GmbH") and not reads_as_name("Seller trade name")
    assert not reads_as_name("Vos identifiants") and not reads_as_name("Contact acheteur")
    assert not reads_as_name("DE 10369 Berlin") and not reads_as_name("Telefon: 0123")


def test_a_heading_and_the_name_in_one_cell(tmp_path: Path) -> None:
    fields = read(tmp_path, [(20, 20, "Servicios del Sur S.L.", 16), (20, 30, "NIF ESB12345678"),
                             (20, 50, "Facturar a Suministros García S.L.U."), (20, 55, "Calle Mayor 4"),
                             (120, 70, "Factura nº 2025-118")])
    assert names(fields) == ("Servicios del Sur S.L.", "Suministros García S.L.U.")
    # A heading of several words is no heading followed by a name; a label is neither.
    headed = read(tmp_path, [(20, 20, "Factura nº 2025-118"), (20, 40, "Seller trade name"),
                             (120, 40, "Cliente nº"), (120, 46, "CL68729")])
    assert names(headed) == (None, None)


def test_a_name_printed_as_the_buyers_is_not_the_sellers(tmp_path: Path) -> None:
    # The seller's letterhead has no legal form; the buyer's name, under its heading, has one.
    fields = read(tmp_path, [(60, 20, "Plomberie Dupont & Fils", 16), (60, 30, "SIRET : 732 829 320 00074"),
                             (120, 50, "Client"), (120, 55, "Informatique Martin SARL"),
                             (120, 60, "177 place de la République"), (120, 80, "Facture n° FC2608516")])
    assert names(fields) == ("Plomberie Dupont & Fils", "Informatique Martin SARL")


def test_the_letterhead_with_its_legal_form_outranks_the_street_at_the_top_of_the_identifiers_block(
        tmp_path: Path) -> None:
    # A blank line in the letterhead's large type parts the name from the block of address and identifiers.
    fields = read(tmp_path, [(16, 16, "Menuiserie Bernard SA", 14), (16, 26, "ZI des Perrières, 36 allée B"),
                             (16, 31, "38000 Grenoble"), (16, 36, "N° TVA : FR01618650444"),
                             (120, 60, "Facture n° 23871/2025")])
    assert names(fields)[0] == "Menuiserie Bernard SA"


def test_identifiers_of_another_company_do_not_lead_to_its_block(tmp_path: Path) -> None:
    # The VAT number printed is the buyer's (its SIREN is not the seller's): its block names the buyer.
    fields = read(tmp_path, [(120, 20, "Facture n° FC-118"), (120, 26, "SIRET : 732 829 320 00074"),
                             (20, 50, "Menuiserie Martin"), (20, 55, "40 place de la République"),
                             (20, 60, "N° TVA : FR19787878784")])
    assert names(fields)[0] is None


def test_without_a_heading_the_buyer_is_named_in_the_address_window_under_the_return_address(
        tmp_path: Path) -> None:
    # A German letter: the seller's letterhead, its return address on one small line above the window, the
    # buyer's address in the window.
    fields = read(tmp_path, [
        (20, 15, "Holzbau Keller GmbH", 16), (20, 22, "Lindenweg 4, 80331 München"),
        (20, 28, "USt-IdNr.: DE136695976"),
        (20, 50, "Holzbau Keller GmbH · Lindenweg 4 · 80331 München", 6),
        (20, 56, "Kunden AG Mitte"), (20, 61, "Kundenstraße 15"), (20, 66, "69876 Frankfurt"),
        (120, 90, "Rechnung Nr. 4711"), (120, 96, "Datum: 05.03.2026"),
    ])
    assert names(fields) == ("Holzbau Keller GmbH", "Kunden AG Mitte")
    assert fields["customer_name"].confidence < 0.75  # surer under a heading


def test_the_address_window_gives_no_name_when_its_first_line_is_a_street_or_the_block_the_sellers(
        tmp_path: Path) -> None:
    street = read(tmp_path, [(20, 15, "Holzbau Keller GmbH", 16), (20, 22, "USt-IdNr.: DE136695976"),
                             (20, 56, "Musterstr. 12"), (20, 61, "69876 Frankfurt"),
                             (120, 90, "Rechnung Nr. 4711")])
    assert names(street) == ("Holzbau Keller GmbH", None)
    sellers = read(tmp_path, [(20, 15, "Holzbau Keller GmbH", 16), (20, 21, "Lindenweg 4"),
                              (20, 26, "80331 München"), (120, 90, "Rechnung Nr. 4711")])
    assert names(sellers) == ("Holzbau Keller GmbH", None)


def test_a_street_is_no_name() -> None:
    assert not reads_as_name("Musterstr. 12") and not reads_as_name("152 chemin du Moulin")
    assert reads_as_name("Route 66 Diner GmbH") and reads_as_name("Kunden AG Mitte")


def test_a_return_address_set_in_the_letterheads_column_starts_the_window_block(tmp_path: Path) -> None:
    # Letterhead, return address and window address in one column, close enough to read as one block.
    fields = read(tmp_path, [
        (20, 15, "Imprimerie des Alpes EURL", 16), (20, 22, "24 place de la République"),
        (20, 27, "49100 Angers"), (20, 32, "SIRET : 732 829 320 00074"),
        (20, 38, "Imprimerie des Alpes, 24 place de la République, 49100 Angers", 6),
        (20, 43, "Fournitures du Rhône SASU"), (20, 48, "31 boulevard Voltaire"), (20, 53, "33000 Bordeaux"),
        (120, 90, "Facture n° F71078"), (120, 96, "Date : 05/03/2026"),
    ])
    assert names(fields) == ("Imprimerie des Alpes EURL", "Fournitures du Rhône SASU")


def test_the_vat_number_of_the_addressees_block_is_never_the_sellers(tmp_path: Path) -> None:
    # A seller that prints no VAT number of its own; the window block without a heading holds the buyer's.
    fields = read(tmp_path, [
        (120, 15, "Informatique Garnier SAS", 16), (140, 22, "12 rue de la Paix"), (140, 27, "75002 Paris"),
        (20, 50, "Fournitures Martin SAS"), (20, 55, "34 avenue Jean Jaurès"), (20, 60, "69007 Lyon"),
        (20, 65, "N° TVA : FR19787878784"),
        (120, 90, "Facture n° FC-118"), (120, 96, "Date : 05/03/2026"),
    ])
    assert "supplier_vat" not in fields
    assert fields["customer_vat"].value == "FR19787878784"
    assert names(fields) == ("Informatique Garnier SAS", "Fournitures Martin SAS")


def test_headings_of_the_buyers_block_in_each_language_are_not_its_name(tmp_path: Path) -> None:
    for heading in ("Gefactureerd aan", "Spett.le", "Rechnungsadresse", "Datos del cliente"):
        fields = read(tmp_path, [(20, 15, "Holzbau Keller GmbH", 16), (20, 22, "USt-IdNr.: DE136695976"),
                                 (20, 50, heading), (20, 55, "Kunden AG Mitte"), (20, 60, "Kundenstraße 15"),
                                 (120, 90, "Rechnung Nr. 4711")])
        assert names(fields)[1] == "Kunden AG Mitte", heading
