"""The statement's PDF layout: texts in, a filed-ready A4 PDF out, one page or more, and a missing
font said plainly."""

from __future__ import annotations

import io
import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from ingest.billing.statement_pdf import FONT_FOLDER, SheetLine, StatementFontMissing, StatementSheet, statement_pdf

# Where CI is set, a missing font fails the tests (infra/setup installs it) rather than skipping them.
pytestmark = pytest.mark.skipif(not (FONT_FOLDER / "DejaVuSans.ttf").is_file() and not os.environ.get("CI"),
                                reason="fonts-dejavu-core is not installed (infra/setup installs it)")

A4 = (595.28, 841.89)  # points


def sheet(lines: int = 2) -> StatementSheet:
    rows = [SheetLine(f"Abonnement (packs de documents), période du 31/01/2026 au 28/02/2026 — ligne {n}", "2",
                      "150,00\xa0€", "300,00\xa0€") for n in range(1, lines + 1)]
    return StatementSheet(
        lang="fr", title="Relevé n° 7", provider=("bordereau", "Traitement des factures fournisseurs"),
        client_label="Client", client=("Société Générale d'Études", "Référence du compte : abc"),
        facts=(("Période", "du 31/01/2026 au 28/02/2026"), ("Émis le", "31/01/2026")),
        headings=("Désignation", "Quantité", "Prix unitaire", "Montant"), lines=rows,
        totals=(("Total du relevé", "1\u202f234,56\xa0€"),), footer="Relevé n° 7 · page {page} sur {pages}",
        issued_at=datetime(2026, 1, 31, 9, tzinfo=UTC), notes=("Montants en euros.",))


def pages(body: bytes) -> list[str]:
    return [" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(body)).pages]


def test_one_a4_page_with_accents_and_the_euro_sign() -> None:
    body = statement_pdf(sheet())
    assert body.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(body))
    assert len(reader.pages) == 1
    assert tuple(round(float(v), 2) for v in reader.pages[0].mediabox.upper_right) == A4
    [text] = pages(body)
    for said in ("Relevé n° 7", "Société Générale d'Études", "Désignation", "300,00 €", "1 234,56 €",
                 "page 1 sur 1"):
        assert said in text, said
    assert reader.metadata is not None and reader.metadata.title == "Relevé n° 7"


def test_many_lines_run_onto_more_pages_with_their_headings() -> None:
    texts = pages(statement_pdf(sheet(lines=60)))
    assert len(texts) >= 2
    assert all("Désignation" in t for t in texts)  # the table's headings on every page
    assert f"page {len(texts)} sur {len(texts)}" in texts[-1] and "Total du relevé" in texts[-1]
    assert "ligne 60" in texts[-1] and "ligne 1 " in texts[0]


def test_the_same_statement_gives_the_same_bytes() -> None:
    assert statement_pdf(sheet()) == statement_pdf(sheet())


def test_a_missing_font_is_said_plainly(tmp_path: Path) -> None:
    with pytest.raises(StatementFontMissing, match="fonts-dejavu-core"):
        statement_pdf(sheet(), fonts=tmp_path)
