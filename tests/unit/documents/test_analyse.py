import pytest

from ingest.documents.analyse import analyse, normalised_name, precheck
from ingest.documents.limits import Limits, human_size
from ingest.documents.reasons import DocumentRejected, Reason
from ingest.documents.sniff import Kind

from .builders import zip_bytes

CII = b'<?xml version="1.0"?>\n<rsm:CrossIndustryInvoice xmlns:rsm="urn:x"/>'


def test_xml_is_handed_over_as_the_e_invoice(write_file) -> None:
    path = write_file("invoice.xml", CII)
    precheck(path, Kind.xml, len(CII), Limits())
    facts = analyse(path, Kind.xml, Limits())
    assert (facts.kind, facts.pages, facts.page_texts, facts.text_chars) == (Kind.xml, 0, [], 0)
    assert facts.einvoice_xml == CII and facts.derivatives == {}


def test_xml_over_the_size_limit(write_file) -> None:
    path = write_file("invoice.xml", CII)
    for check in (
        lambda: precheck(path, Kind.xml, len(CII), Limits(max_file_bytes=20)),
        lambda: analyse(path, Kind.xml, Limits(max_file_bytes=20)),
    ):
        with pytest.raises(DocumentRejected) as caught:
            check()
        assert caught.value.reason is Reason.too_large
        assert caught.value.message == f"The file is {len(CII)} bytes; the limit is 20 bytes."


def test_an_archive_is_not_a_document(write_file) -> None:
    path = write_file("batch.zip", zip_bytes({"a.pdf": b"%PDF-1.4"}))
    with pytest.raises(DocumentRejected) as caught:
        analyse(path, Kind.zip, Limits())
    assert caught.value.reason is Reason.unsupported_type


def test_size_message_names_the_figures() -> None:
    with pytest.raises(DocumentRejected) as caught:
        precheck(None, Kind.pdf, 64_172_851, Limits())  # type: ignore[arg-type] - size alone decides
    assert caught.value.message == "The file is 61.2 MB; the limit is 50 MB."
    assert str(caught.value) == "too_large: The file is 61.2 MB; the limit is 50 MB."


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0 bytes"), (1, "1 byte"), (1023, "1023 bytes"), (1024, "1 KB"), (1536, "1.5 KB"),
     (50 * 1024 * 1024, "50 MB"), (3 * 1024**3, "3 GB")],
)
def test_human_size(size: int, text: str) -> None:
    assert human_size(size) == text


def test_every_reason_has_a_sentence_and_a_stable_value() -> None:
    for reason in Reason:
        assert reason.value == reason.name
        assert reason.summary.endswith(".") and reason.summary[0].isupper()


def test_normalised_names() -> None:
    assert [normalised_name(page) for page in (1, 2, 10)] == [
        "normalised.png", "normalised-2.png", "normalised-10.png"
    ]
