"""The benchmark's sets: a source added for development never moves a file out of the held-out set, a
file that is not an invoice is left out, and a source not laid out is named."""

from __future__ import annotations

import io
from pathlib import Path

from fpdf import FPDF
from pypdf import PdfWriter

from tests.bench.corpora import DEVELOPMENT_SOURCES, SOURCES, missing_sources, samples
from tests.unit.documents.test_einvoice import cii


def einvoice_pdf(path: Path, text: str, attachment: str = "factur-x.xml", xml: bytes | None = None) -> Path:
    page = FPDF()
    page.set_font("Helvetica", size=12)
    page.add_page()
    page.cell(text=text)
    writer = PdfWriter(clone_from=io.BytesIO(bytes(page.output())))
    writer.add_attachment(attachment, xml if xml is not None else cii())
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as out:
        writer.write(out)
    return path


def test_a_development_source_keeps_held_out_files_where_they_were(tmp_path: Path) -> None:
    shared, corpora = tmp_path / "shared", tmp_path / "corpora"
    shared.mkdir()
    held = einvoice_pdf(corpora / "zugferd" / "some-vendor" / "invoice.pdf", "Rechnung 1")
    source = DEVELOPMENT_SOURCES[0]
    (corpora / source / "tests").mkdir(parents=True)
    (corpora / source / "tests" / "same.pdf").write_bytes(held.read_bytes())
    own = einvoice_pdf(corpora / source / "tests" / "own.pdf", "Rechnung 2")
    einvoice_pdf(corpora / source / "tests" / "order.pdf", "Bestellung", attachment="order-x.xml")
    found = {sample.path: sample for sample in samples(shared, corpora)}
    assert set(found) == {held, own}
    assert found[held].heldout and found[held].origin == "zugferd"
    assert not found[own].heldout and found[own].origin == source and found[own].truth is not None


def test_every_source_not_laid_out_is_named(tmp_path: Path) -> None:
    (tmp_path / "zugferd").mkdir()
    assert missing_sources(tmp_path) == sorted(set(SOURCES) - {"zugferd"})
    assert set(DEVELOPMENT_SOURCES) <= set(missing_sources(tmp_path))
