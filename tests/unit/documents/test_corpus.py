"""Every real Factur-X / ZUGFeRD invoice of the shared corpus, read in place."""

import os
from pathlib import Path

import pytest

from ingest.documents.analyse import analyse, precheck
from ingest.documents.limits import Limits
from ingest.documents.sniff import SNIFF_BYTES, Kind, sniff
from tests.support.corpus import corpus_dir

CORPUS = corpus_dir()
FILES = sorted(CORPUS.glob("*.pdf")) if CORPUS.is_dir() else []


def expected_attachment(path: Path) -> str:
    # The German intarsys samples are ZUGFeRD 2.0; the French ones are Factur-X.
    return "zugferd-invoice.xml" if "__intarsys__" in path.name else "factur-x.xml"


@pytest.mark.corpus
@pytest.mark.parametrize("path", FILES or [None], ids=lambda path: path.stem if path else "absent")
def test_corpus_invoice(path: Path | None) -> None:
    if path is None:
        _corpus_absent()
    kind = sniff(path.read_bytes()[:SNIFF_BYTES])
    assert kind is Kind.pdf
    precheck(path, kind, path.stat().st_size, Limits())
    facts = analyse(path, kind, Limits())
    assert facts.pages >= 1
    assert facts.text_chars > 0 and any(text.strip() for text in facts.page_texts)
    assert facts.einvoice_filename == expected_attachment(path)
    xml = facts.einvoice_xml
    assert xml is not None and (xml.lstrip().startswith(b"<?xml") or b"CrossIndustryInvoice" in xml)
    assert facts.derivatives["einvoice.xml"] == xml


@pytest.mark.corpus
def test_the_corpus_is_complete_when_present() -> None:
    if not FILES:
        _corpus_absent()
    assert len(FILES) == 49  # a partial copy would silently test less


def _corpus_absent() -> None:
    reason = f"the e-invoice corpus is not at {CORPUS} (a fresh clone has no ../shared)"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)
