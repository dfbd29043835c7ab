"""A PDF made PDF/A-3B by Ghostscript: its structure shows it, its text stays, damage is refused."""

from __future__ import annotations

import io
import os
import shutil

import pytest
from fpdf import FPDF
from pypdf import PdfReader

from ingest.journal.pdfa import PdfaFailed, as_pdfa3, declares_pdfa
from tests.support.invoices import text_invoice_pdf
from tests.support.pdfa import pdfa3_problems

# Without Ghostscript (a fresh machine before infra/setup), skipped; under CI, these must run.
pytestmark = pytest.mark.skipif(shutil.which("gs") is None and not os.environ.get("CI"),
                                reason="Ghostscript is not installed (infra/setup installs it)")


def test_an_ordinary_pdf_is_rewritten_as_pdfa3_with_its_text() -> None:
    original = text_invoice_pdf()
    assert pdfa3_problems(original)  # an fpdf2 file declares no PDF/A: the check can fail
    rewritten = as_pdfa3(original)
    assert pdfa3_problems(rewritten) == []
    assert declares_pdfa(rewritten) and not declares_pdfa(original)
    assert "F2026-0042" in PdfReader(io.BytesIO(rewritten)).pages[0].extract_text()


def test_a_pdf_with_a_font_it_does_not_embed_gets_it_embedded() -> None:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)  # one of the 14 standard fonts: never embedded by fpdf2
    pdf.cell(0, 10, "Facture F-77 Total TTC 120,00 EUR")
    original = bytes(pdf.output())
    assert any("not embedded" in p for p in pdfa3_problems(original))
    assert pdfa3_problems(as_pdfa3(original)) == []


@pytest.mark.parametrize("damaged", [b"%PDF-1.7\nnot really a pdf\n%%EOF", text_invoice_pdf()[:900]])
def test_a_damaged_pdf_is_refused_with_a_reason(damaged: bytes) -> None:
    # Ghostscript would make a blank page of it: the page count tells.
    with pytest.raises(PdfaFailed, match="could not rewrite"):
        as_pdfa3(damaged)
