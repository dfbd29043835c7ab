"""The synthetic invoices of `bench_fields --synthetic` (tests/bench/synthetic.py): each page prints its
truth, amounts add up to the cent, identifiers pass their checks, a seed gives the same invoices every
time and another seed others, and the variety asked for is there."""

from __future__ import annotations

import re
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from schwifty import IBAN
from stdnum import get_cc_module
from stdnum.fr import siren, siret

from tests.bench import synthetic_pdf
from tests.bench.synthetic import Synthetic, generate, invoices

SEED = 5
COUNT = 60


@pytest.fixture(scope="module")
def drawn() -> list[Synthetic]:
    return list(invoices(COUNT, SEED))


def page_text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def test_each_truth_value_is_printed_as_recorded(drawn: list[Synthetic]) -> None:
    for invoice in drawn:
        text = page_text(invoice.pdf)
        compact = "".join(text.split())
        for key in ("invoice_number", "issue_date", "total_excl_tax", "total_tax", "total_incl_tax", "currency"):
            if key in invoice.truth:
                assert invoice.printed[key] in text, (invoice.name, key, invoice.printed[key])
        for key in ("supplier_vat", "supplier_siren"):
            if key in invoice.truth:
                assert invoice.truth[key] in compact, (invoice.name, key)
        assert str(invoice.invoice.issued.year % 100) in invoice.printed["issue_date"]


def test_printed_amounts_are_the_truth_in_cents(drawn: list[Synthetic]) -> None:
    for invoice in drawn:
        for key in ("total_excl_tax", "total_tax", "total_incl_tax"):
            if key in invoice.truth:
                assert digits(invoice.printed[key]) == digits(invoice.truth[key]), (invoice.name, key)


def test_amounts_add_up_to_the_cent(drawn: list[Synthetic]) -> None:
    for synthetic in drawn:
        invoice = synthetic.invoice
        assert sum(item.amount for item in invoice.items) == invoice.excl
        assert sum(base for _, base, _ in invoice.breakdown) == invoice.excl
        for rate, base, tax in invoice.breakdown:
            assert tax == (base * rate / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert sum(tax for _, _, tax in invoice.breakdown) == invoice.tax
        assert invoice.incl == invoice.excl + invoice.tax
        assert all(amount.as_tuple().exponent == -2 for amount in (invoice.excl, invoice.tax, invoice.incl))
        sign = -1 if invoice.credit_note else 1
        assert Decimal(synthetic.truth["total_incl_tax"]) == sign * invoice.incl
        assert Decimal(synthetic.truth["total_excl_tax"]) == sign * invoice.excl


def test_identifiers_pass_their_checks(drawn: list[Synthetic]) -> None:
    for synthetic in drawn:
        invoice = synthetic.invoice
        for party in (invoice.seller, invoice.buyer):
            if party.vat:
                assert get_cc_module(party.country.lower(), "vat").is_valid(party.vat), party.vat
            if party.country == "FR" and party.siren and party.siret:
                assert siren.is_valid(party.siren) and siret.is_valid(party.siret)
                assert party.siret.startswith(party.siren)
                assert party.vat is None or party.vat[4:] == party.siren
        if invoice.iban:
            assert IBAN(invoice.iban).country_code == invoice.seller.country


def test_the_same_seed_gives_the_same_bytes_and_another_seed_others() -> None:
    assert generate(SEED, 3).pdf == generate(SEED, 3).pdf
    assert page_text(generate(SEED, 3).pdf) != page_text(generate(SEED + 1, 3).pdf)
    assert generate(SEED, 3).truth != generate(SEED + 1, 3).truth


def test_the_variety_asked_for_is_drawn(drawn: list[Synthetic]) -> None:
    languages = Counter(invoice.language for invoice in drawn)
    assert set(languages) == {"fr", "en", "de", "es", "it", "nl"}
    assert languages.most_common(1)[0][0] == "fr"
    looks = [invoice.look for invoice in drawn]
    assert {look["header"] for look in looks if "header" in look} >= {"grid", "lines", "row", "table", "far", "below"}
    assert {look["letterhead"] for look in looks} == {"L", "R", "C"}
    assert any(look.get("pages") == "2" for look in looks)
    assert any(invoice.invoice.credit_note for invoice in drawn)
    assert len({invoice.invoice.currency for invoice in drawn}) > 1
    assert len({len(invoice.invoice.breakdown) for invoice in drawn}) == 3
    assert any(invoice.look["number_in_title"] == "True" for invoice in drawn)


def test_header_tables_put_each_value_under_its_label_among_other_dates_and_numbers() -> None:
    """A header table: a row of labels above a row of values, the issue date and the number among a
    page number, other numbers and other dates, each value starting under its own label."""
    tables = [i for i in invoices(120, SEED) if i.look.get("header") == "table"]
    assert tables
    crowded = 0
    for invoice in tables:
        document = pdfium.PdfDocument(invoice.pdf)
        try:
            text = document[0].get_textpage().get_text_range()
        finally:
            document.close()
        lines = text.splitlines()
        for key in ("invoice_number", "issue_date"):
            value = invoice.printed[key]
            row = next((n for n, line in enumerate(lines) if value in line), None)
            if row is not None and invoice.look["number_in_title"] == "False":
                assert row > 0 and value not in lines[row - 1]  # the labels' row above, not the value's
        crowded += len(re.findall(r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d{4}-\d{2}-\d{2}", text)) > 2
    assert crowded  # other dates beside the issue date


def test_numbers_with_letters_slashes_and_dashes_and_look_alike_references_are_drawn() -> None:
    drawn = list(invoices(120, SEED))
    numbers = [i.invoice.number for i in drawn]
    assert any("/" in n and any(c.isalpha() for c in n) for n in numbers)
    assert any(re.fullmatch(r"\d{4}-\d{2}-\d{3}", n) for n in numbers)
    texts = [page_text(i.pdf) for i in drawn]
    assert any(re.search(r"LS\d+|BL\d{4}-\d+|DN-\d{6}", t) for t in texts)  # delivery notes' numbers
    assert any(i.look.get("place_date_at") == "corner" for i in drawn)


def test_without_truetype_fonts_the_core_fonts_draw_everything(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(synthetic_pdf, "FONT_DIR", tmp_path)
    synthetic_pdf.installed_fonts.cache_clear()
    try:
        for index in range(8):
            invoice = generate(SEED, index)
            text = page_text(invoice.pdf)
            assert invoice.look["font"] in synthetic_pdf.CORE_FONTS
            assert "€" not in text and invoice.printed["total_incl_tax"] in text
    finally:
        synthetic_pdf.installed_fonts.cache_clear()


def test_the_benchmark_scores_them_apart_and_names_each_miss(tmp_path: Path) -> None:
    from tests.bench.bench_fields import run_synthetic

    block = run_synthetic(4, SEED, keep=tmp_path)
    assert block["files"] == 4 and block["seed"] == SEED
    assert sorted(path.name for path in tmp_path.glob("*.pdf")) == sorted(i.name for i in invoices(4, SEED))
    assert set(block["per_language"]) <= {"fr", "en", "de", "es", "it", "nl"}
    for miss in block["misses"]:
        assert miss["read"] != miss["truth"] and miss["field"] in block["per_field"]
