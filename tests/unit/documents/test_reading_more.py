"""The buyer and the terms read from the page: the customer's name and VAT number, the purchase order
number and the payment terms, by their labels and the buyer's block, never above the reading's ceiling."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.documents.fields import Field, extract_fields
from ingest.documents.pdf_words import pdf_words
from ingest.documents.reading.lines import page_lines
from ingest.documents.reading.more import MORE_KEYS, more_fields
from ingest.documents.reading.names import addressee_vats, party_names
from ingest.documents.reading.read import READ_CEILING, layout_lines
from tests.unit.documents.test_reading import placed_pdf

TOTALS = [(20, 200, "Total HT"), (150, 200, "1 234,56 €"), (20, 208, "TVA 20 %"), (150, 208, "246,91 €"),
          (20, 216, "Total TTC"), (150, 216, "1 481,47 €")]


def read(tmp_path: Path, texts: list[tuple[float, float, str]]) -> dict[str, Field]:
    """What the whole reading finds on a one-page PDF holding `texts` (x, y in millimetres)."""
    pages = pdf_words(placed_pdf(tmp_path, texts + TOTALS))
    return extract_fields(["\n".join(line.text for line in page_lines(pages[0]))], pages=pages)


def more(fields: dict[str, Field]) -> dict[str, str]:
    return {key: str(fields[key].value) for key in MORE_KEYS if key in fields}


def test_a_french_invoice_names_its_customer_order_and_terms(tmp_path: Path) -> None:
    fields = read(tmp_path, [
        (20, 20, "Scierie Dupont SAS"), (20, 26, "TVA : FR44732829320"),
        (120, 40, "Client :"), (120, 46, "Menuiserie Martin"), (120, 52, "12 rue des Lilas"),
        (20, 80, "Facture n° FA-2026-12"), (20, 90, "Bon de commande"), (80, 90, "BC-2026-118"),
        (20, 100, "Conditions de paiement : 30 jours fin de mois"),
        (20, 110, "N° TVA client"), (80, 110, "FR19787878784"),
    ])
    assert more(fields) == {"customer_name": "Menuiserie Martin", "customer_vat": "FR19787878784",
                            "po_number": "BC-2026-118", "payment_terms": "30 jours fin de mois"}
    assert fields["supplier_vat"].value == "FR44732829320"  # the buyer's number is not the seller's
    for key in MORE_KEYS:
        assert fields[key].source == "text" and 0.5 <= fields[key].confidence <= READ_CEILING["text"], key


def test_a_german_invoice_gives_the_name_after_its_label_and_terms_over_two_lines(tmp_path: Path) -> None:
    fields = read(tmp_path, [
        (20, 20, "Holzbau Keller GmbH"),
        (20, 40, "Rechnungsempfänger"), (20, 46, "Nummer:"), (60, 46, "GE2020211"),
        (20, 52, "Name:"), (60, 52, "Kunden AG Mitte"), (20, 58, "Anschrift:"), (60, 58, "Kundenstraße 15"),
        (20, 80, "Rechnung gemäß Bestellung Nr. 2026-4711 vom 01.03.2026"),
        (20, 120, "Zahlungsbedingungen:"), (20, 130, "Beschreibung"), (120, 130, "Fälligkeit"),
        (20, 137, "Zahlbar innerhalb 30 Tagen netto, 3% Skonto"), (20, 142, "innerhalb 10 Tagen"),
    ])
    assert more(fields) == {"customer_name": "Kunden AG Mitte", "po_number": "2026-4711",
                            "payment_terms": "Zahlbar innerhalb 30 Tagen netto, 3% Skonto innerhalb 10 Tagen"}


def test_a_name_under_a_delivery_address_is_the_consignees_and_trusted_less(tmp_path: Path) -> None:
    delivery = read(tmp_path, [(20, 20, "Scierie Dupont SAS"), (120, 40, "Adresse de livraison"),
                               (120, 46, "Hôtel Saint Denis"), (20, 80, "Facture n° FA-2026-12")])
    buyer = read(tmp_path, [(20, 20, "Scierie Dupont SAS"), (120, 40, "Facturé à"),
                            (120, 46, "Hôtel Saint Denis"), (20, 80, "Facture n° FA-2026-12")])
    assert delivery["customer_name"].value == buyer["customer_name"].value == "Hôtel Saint Denis"
    assert delivery["customer_name"].confidence < buyer["customer_name"].confidence


def test_a_salutation_on_its_own_line_goes_with_the_name_below(tmp_path: Path) -> None:
    fields = read(tmp_path, [(20, 20, "Assurances Muster AG"), (120, 40, "Kunde"), (120, 46, "Herrn"),
                             (120, 52, "Max Mustermann"), (120, 58, "Hauptstraße 1"), (20, 80, "Rechnung Nr. 4711")])
    assert fields["customer_name"].value == "Herrn Max Mustermann"


def test_without_a_buyers_heading_or_label_nothing_is_guessed(tmp_path: Path) -> None:
    fields = read(tmp_path, [
        (20, 20, "Scierie Dupont SAS"), (20, 26, "TVA : FR44732829320"), (120, 40, "Menuiserie Martin"),
        (120, 46, "FR19787878784"), (20, 80, "Facture n° FA-2026-12"), (20, 90, "Date de commande"),
        (80, 90, "01/03/2026"),
    ])
    assert more(fields) == {}


@pytest.mark.parametrize("source", ["text", "ocr"])
def test_the_ceiling_of_the_source_holds_and_the_sellers_values_are_not_the_customers(
        tmp_path: Path, source: str) -> None:
    pages = pdf_words(placed_pdf(tmp_path, [
        (20, 20, "Purchase order number: PO-4471"), (120, 40, "Bill to"), (120, 46, "Scierie Dupont SAS"),
        (20, 60, "Customer VAT"), (80, 60, "FR44732829320"),
    ]))
    sellers = {"supplier_name": "Scierie Dupont SAS", "supplier_vat": "FR44732829320"}
    lines = layout_lines(pages)
    found = more_fields(lines, source, sellers, party_names(lines, "buyer"), addressee_vats(lines))
    assert {key: chosen.value for key, chosen in found.items()} == {"po_number": "PO-4471"}
    assert found["po_number"].score == READ_CEILING[source]
