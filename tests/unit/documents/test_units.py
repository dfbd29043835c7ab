"""A line's unit normalised to one UN/ECE rec. 20 code, from the page's words or the XML's code."""

from __future__ import annotations

import pytest

from ingest.documents.reading.units import unit_after_quantity, unit_of_code, unit_of_text


@pytest.mark.parametrize(("printed", "code"), [
    ("Stück", "C62"), ("Stk.", "C62"), ("pièce(s)", "C62"), ("pcs", "C62"), ("uds", "C62"), ("pz", "C62"),
    ("stuks", "C62"), ("Std.", "HUR"), ("heures", "HUR"), ("uur", "HUR"), ("ore", "HUR"), ("jours", "DAY"),
    ("Tage", "DAY"), ("días", "DAY"), ("mois", "MON"), ("kg", "KGM"), ("m²", "MTK"), ("m3", "MTQ"),
    ("Liter", "LTR"), ("Forfait", "LS"), ("Pauschal", "LS"), ("paquet", "XPK"), ("HUR", "HUR"), ("C62", "C62"),
])
def test_printed_units_of_six_languages_and_printed_codes(printed: str, code: str) -> None:
    assert unit_of_text(printed) == code


def test_a_text_that_is_no_listed_unit_gives_none() -> None:
    assert unit_of_text("Plateau") is None and unit_of_text("") is None and unit_of_text("20") is None


def test_the_unit_printed_after_a_quantity_and_not_a_description() -> None:
    assert unit_after_quantity("20 Stk") == "C62"
    assert unit_after_quantity("2,5 h") == "HUR"
    assert unit_after_quantity("3jours") == "DAY"
    assert unit_after_quantity("1 lump sum") == "LS"
    assert unit_after_quantity("20") is None
    assert unit_after_quantity("2 Plateaux chêne massif") is None  # more words than a unit: a description
    assert unit_after_quantity("Stk") is None  # no quantity before it


def test_xml_codes_of_one_unit_are_merged_and_others_kept() -> None:
    assert unit_of_code("H87") == unit_of_code("EA") == unit_of_code("C62") == "C62"
    assert unit_of_code("HUR") == "HUR" and unit_of_code(" kgm ") == "KGM"
    assert unit_of_code("XBC") == "XBC"  # a code not listed: kept as given
    assert unit_of_code("") is None and unit_of_code(None) is None
