import logging
import multiprocessing
import os
import threading
import time

import pytest
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, NameObject

from ingest.documents import pdf as pdf_module
from ingest.documents.analyse import analyse, precheck
from ingest.documents.limits import Limits
from ingest.documents.reasons import DocumentRejected, Reason
from ingest.documents.sniff import Kind

DEFAULT = Limits()
INVOICE_XML = b'<?xml version="1.0" encoding="UTF-8"?>\n<rsm:CrossIndustryInvoice/>'


def rejected(path, limits: Limits = DEFAULT) -> DocumentRejected:
    with pytest.raises(DocumentRejected) as caught:
        analyse(path, Kind.pdf, limits)
    return caught.value


def test_one_page_with_text(make_pdf) -> None:
    facts = analyse(make_pdf(["Facture F-2024-001 total 120,00 EUR"]), Kind.pdf, Limits())
    assert (facts.kind, facts.pages, facts.encrypted) == (Kind.pdf, 1, False)
    assert "F-2024-001" in facts.page_texts[0]
    assert facts.text_chars == len("FactureF-2024-001total120,00EUR")
    assert facts.einvoice_xml is None and facts.einvoice_filename is None
    assert facts.derivatives == {} and facts.width is None


def test_blank_pages_have_empty_text(make_pdf) -> None:
    pages = [f"Page {n}" if n % 3 else None for n in range(12)]
    facts = analyse(make_pdf(pages), Kind.pdf, Limits())
    assert facts.pages == 12
    assert [text == "" for text in facts.page_texts] == [n % 3 == 0 for n in range(12)]
    assert "Page 4" in facts.page_texts[4]


def test_too_many_pages_at_upload_and_in_processing(make_pdf) -> None:
    path = make_pdf([None] * 6)
    limits = Limits(max_pages=5)
    with pytest.raises(DocumentRejected) as caught:
        precheck(path, Kind.pdf, path.stat().st_size, limits)
    assert caught.value.reason is Reason.too_many_pages
    assert caught.value.message == "The PDF has 6 pages; the limit is 5."
    assert rejected(path, limits).reason is Reason.too_many_pages
    assert analyse(path, Kind.pdf, Limits(max_pages=6)).pages == 6


def test_user_password_is_refused_in_processing_only(make_pdf) -> None:
    path = make_pdf(["Confidentiel"], user_password="secret")
    precheck(path, Kind.pdf, path.stat().st_size, Limits())  # left to processing
    problem = rejected(path)
    assert problem.reason is Reason.encrypted
    assert "password" in problem.message


def test_owner_password_only_is_readable(make_pdf) -> None:
    facts = analyse(make_pdf(["Facture protegee"], user_password=""), Kind.pdf, Limits())
    assert facts.encrypted is True
    assert "Facture protegee" in facts.page_texts[0]


@pytest.mark.parametrize("keep", [0.3, 0.6, 0.9])
def test_truncated_pdf_is_damaged_but_passes_precheck(make_pdf, write_file, keep: float) -> None:
    whole = make_pdf(["Facture"] * 3).read_bytes()
    path = write_file("cut.pdf", whole[: int(len(whole) * keep)])
    precheck(path, Kind.pdf, path.stat().st_size, Limits())
    problem = rejected(path)
    assert problem.reason is Reason.damaged
    assert problem.message.startswith("The PDF is damaged")


def test_garbage_after_a_pdf_header_is_damaged(write_file) -> None:
    path = write_file("junk.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 40)
    assert rejected(path).reason is Reason.damaged


def test_too_large_and_empty(make_pdf, write_file) -> None:
    path = make_pdf()
    size = path.stat().st_size
    with pytest.raises(DocumentRejected) as caught:
        precheck(path, Kind.pdf, size, Limits(max_file_bytes=100))
    assert caught.value.reason is Reason.too_large
    assert caught.value.message.endswith("the limit is 100 bytes.")
    assert rejected(path, Limits(max_file_bytes=100)).reason is Reason.too_large
    empty = write_file("empty.pdf", b"")
    with pytest.raises(DocumentRejected) as caught:
        precheck(empty, Kind.pdf, 0, Limits())
    assert caught.value.reason is Reason.empty_file
    assert rejected(empty).reason is Reason.empty_file


def test_embedded_factur_x_is_found(make_pdf, attach) -> None:
    path = attach(make_pdf(), {"notes.txt": b"hello", "factur-x.xml": INVOICE_XML})
    facts = analyse(path, Kind.pdf, Limits())
    assert facts.einvoice_filename == "factur-x.xml"
    assert facts.einvoice_xml == INVOICE_XML
    assert facts.derivatives == {"einvoice.xml": INVOICE_XML}


def test_attachment_names_compare_case_insensitively_in_preference_order(make_pdf, attach) -> None:
    path = attach(make_pdf(), {"order-x.xml": b"<order/>", "ZUGFeRD-invoice.xml": INVOICE_XML})
    facts = analyse(path, Kind.pdf, Limits())
    assert (facts.einvoice_filename, facts.einvoice_xml) == ("ZUGFeRD-invoice.xml", INVOICE_XML)


def test_other_xml_attachments_are_not_e_invoices(make_pdf, attach) -> None:
    path = attach(make_pdf(), {"invoice.xml": INVOICE_XML, "factur-x.xml.bak": INVOICE_XML})
    assert analyse(path, Kind.pdf, Limits()).einvoice_xml is None


def test_associated_files_alone_are_searched(make_pdf, attach, tmp_path) -> None:
    attached = attach(make_pdf(), {"xrechnung.xml": INVOICE_XML})
    writer = PdfWriter(clone_from=attached)
    root = writer.root_object
    names = root["/Names"]["/EmbeddedFiles"]["/Names"]
    root[NameObject("/AF")] = ArrayObject([names[1]])
    del root["/Names"]
    path = tmp_path / "af-only.pdf"
    with path.open("wb") as out:
        writer.write(out)
    facts = analyse(path, Kind.pdf, Limits())
    assert (facts.einvoice_filename, facts.einvoice_xml) == ("xrechnung.xml", INVOICE_XML)


def test_pypdf_repairs_are_not_logged(make_pdf, write_file, caplog) -> None:
    data = make_pdf(["Facture"]).read_bytes()
    offset = data.rindex(b"startxref\n") + len(b"startxref\n")
    end = data.index(b"\n", offset)
    broken = write_file("bad-xref.pdf", data[:offset] + b"99" + data[end:])
    caplog.set_level(logging.DEBUG)
    facts = analyse(broken, Kind.pdf, Limits())  # pypdf recovers the xref by scanning
    assert "Facture" in facts.page_texts[0]
    assert [record for record in caplog.records if record.name.startswith("pypdf")] == []


def test_a_runaway_read_is_stopped(make_pdf, monkeypatch) -> None:
    def spin(path, limits):
        while True:
            pass

    monkeypatch.setattr(pdf_module, "_read", spin)
    started = time.monotonic()
    problem = rejected(make_pdf(), Limits(max_parse_seconds=0.2))
    assert problem.reason is Reason.too_complex
    assert problem.message == "The PDF could not be read within 0.2 seconds."
    assert time.monotonic() - started < 5


def test_time_budget_works_off_the_main_thread_and_leaves_nothing_behind() -> None:
    outcome: list[str] = []

    def worker() -> None:
        try:
            with pdf_module._time_budget(0.1):
                while True:
                    pass
        except pdf_module._OutOfTime:
            outcome.append("stopped")
        with pdf_module._time_budget(0.1):
            outcome.append("quick")
        time.sleep(0.3)  # a late interruption would surface here
        outcome.append("no stray interruption")

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(timeout=10)
    assert outcome == ["stopped", "quick", "no stray interruption"]


def _spin_until_stopped() -> None:
    try:
        with pdf_module._time_budget(0.1):
            while True:
                pass
    except pdf_module._OutOfTime:
        os._exit(0)


def test_time_budget_still_fires_in_a_forked_child() -> None:
    # Celery's pool processes are forked from a parent that may have read PDFs already:
    # the parent's watchdog thread is not in the child, which must start its own.
    with pdf_module._time_budget(1):
        pass  # the parent's watchdog is running
    child = multiprocessing.get_context("fork").Process(target=_spin_until_stopped)
    child.start()
    child.join(timeout=10)
    if child.is_alive():
        child.kill()
    assert child.exitcode == 0
