import codecs
from pathlib import Path

import pytest

from ingest.documents.analyse import analyse
from ingest.documents.limits import Limits
from ingest.documents.sniff import Kind, sniff, sniff_archive

from .builders import zip_bytes


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", Kind.pdf),
        (b"\r\n\x00 \r\n%PDF-1.4\n", Kind.pdf),  # blank lines and NULs a mail gateway prepends
        (b"\xef\xbb\xbf%PDF-1.4\n", Kind.pdf),  # a byte-order mark
        (b"\x00\x0bfacture.pdf" + b"\x00" * 52 + b"PDF CARO" + b"\x00" * 55 + b"%PDF-1.3\n", Kind.pdf),  # MacBinary
        (b"junk from a mail gateway %PDF-1.4\n", None),  # text that mentions a PDF header is no PDF
        (b"Subject: invoice\r\n\r\n%PDF-1.4\n", None),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", Kind.jpeg),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", Kind.png),
        (b"II*\x00\x08\x00\x00\x00", Kind.tiff),
        (b"MM\x00*\x00\x00\x00\x08", Kind.tiff),
        (b"PK\x03\x04\x14\x00", Kind.zip),
        (b"PK\x05\x06" + b"\x00" * 18, Kind.zip),
        (b'<?xml version="1.0"?><rsm:CrossIndustryInvoice/>', Kind.xml),
        (codecs.BOM_UTF8 + b'<?xml version="1.0"?><Invoice/>', Kind.xml),
        ("\ufeff<Invoice/>".encode("utf-16-le"), Kind.xml),
        ("\ufeff<Invoice/>".encode("utf-16-be"), Kind.xml),
        (b"\n\t  <Invoice xmlns='urn:oasis'>", Kind.xml),
        (b"<rsm:CrossIndustryInvoice>", Kind.xml),
        (b"<_x/>", Kind.xml),
        (b"<!DOCTYPE html><html>", None),
        (b"< Invoice>", None),
        (b"<", None),
        (b"Facture 2024-001\n", None),
        (b"", None),
        (b"\x1f\x8b\x08\x00", None),
        (b"GIF89a", None),
        (b"%PD", None),
    ],
)
def test_sniff_table(head: bytes, kind: Kind | None) -> None:
    assert sniff(head) == kind


def test_pdf_header_is_only_looked_for_in_the_first_kib() -> None:
    assert sniff(b" " * 1019 + b"%PDF-1.4") is Kind.pdf
    assert sniff(b"x" * 1024 + b"%PDF-1.4") is None


@pytest.mark.parametrize(
    ("head", "name"),
    [
        (zip_bytes({"a.txt": b"a"}), "zip"),
        (b"\x1f\x8b\x08\x00\x00", "gzip"),
        (b"7z\xbc\xaf\x27\x1c\x00\x04", "7z"),
        (b"Rar!\x1a\x07\x01\x00", "rar"),
        (b"BZh91AY&SY", "bzip2"),
        (b"\xfd7zXZ\x00\x00", "xz"),
        (b"\x28\xb5\x2f\xfd\x04", "zstd"),
        (b"MSCF\x00\x00", "cab"),
        (b"a.txt".ljust(257, b"\x00") + b"ustar\x0000", "tar"),
        (b"%PDF-1.4", None),
        (b"", None),
    ],
)
def test_sniff_archive_names_the_format(head: bytes, name: str | None) -> None:
    assert sniff_archive(head) == name


def test_a_pdf_named_jpg_is_a_pdf(make_pdf) -> None:
    path = make_pdf(name="scan.jpg")
    kind = sniff(path.read_bytes()[:8192])
    assert kind is Kind.pdf
    assert analyse(Path(path), kind, Limits()).pages == 1
