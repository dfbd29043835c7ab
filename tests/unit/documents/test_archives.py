import gzip
import io
import zipfile
from pathlib import Path

import pytest

from ingest.documents.archives import (
    _BoundedEntryStream,
    _Expanded,
    iter_archive,
    unsafe_name,
)
from ingest.documents.limits import MIB, Limits
from ingest.documents.reasons import DocumentRejected, Reason

from .builders import patch_central, zip_bytes

DEFAULT = Limits()
PDF = b"%PDF-1.4\n" + b"invoice body " * 50


def entries(path: Path, limits: Limits = DEFAULT) -> dict[str, bytes | Reason]:
    """Each yielded entry's content, or its rejection reason."""
    found: dict[str, bytes | Reason] = {}
    for entry, stream in iter_archive(path, limits):
        found[entry.name] = stream.reason if isinstance(stream, DocumentRejected) else stream.read()
    return found


def whole_archive_refusal(path: Path, limits: Limits = DEFAULT) -> str:
    iterator = iter_archive(path, limits)
    with pytest.raises(DocumentRejected) as caught:
        next(iterator)
    assert caught.value.reason is Reason.archive_rejected
    return caught.value.message


def test_documents_are_yielded_and_junk_skipped(write_file) -> None:
    path = write_file("batch.zip", zip_bytes({
        "march/a.pdf": PDF,
        "march/": b"",
        "b.png": b"\x89PNG\r\n\x1a\nrest",
        "__MACOSX/march/._a.pdf": b"\x00\x05\x16\x07",
        "march/.DS_Store": b"Bud1",
        "._b.png": b"\x00\x05\x16\x07",
    }))
    assert entries(path) == {"march/a.pdf": PDF, "b.png": b"\x89PNG\r\n\x1a\nrest"}


def test_entry_reports_sizes_and_reopens(write_file) -> None:
    path = write_file("one.zip", zip_bytes({"a.pdf": PDF}))
    for entry, stream in iter_archive(path, Limits()):
        assert (entry.name, entry.size) == ("a.pdf", len(PDF))
        assert 0 < entry.compressed_size < len(PDF)
        assert stream.read(5) == b"%PDF-"
        assert entry.open().read() == PDF


@pytest.mark.parametrize("data", [b"", b"not a zip at all", zip_bytes({"a.pdf": PDF})[:60]])
def test_unreadable_archive(write_file, data: bytes) -> None:
    assert "not a readable ZIP" in whole_archive_refusal(write_file("bad.zip", data))


def test_encrypted_archive(write_file) -> None:
    data = patch_central(zip_bytes({"a.pdf": PDF}), "a.pdf", 8, "<H", 0x1)
    assert "encrypted" in whole_archive_refusal(write_file("locked.zip", data))


def test_too_many_entries_counts_files_not_folders(write_file) -> None:
    files = {f"d/{n}.pdf": PDF for n in range(4)} | {"d/": b"", "e/": b""}
    path = write_file("many.zip", zip_bytes(files))
    assert whole_archive_refusal(path, Limits(max_archive_entries=3)) == (
        "The archive holds 4 files; the limit is 3."
    )
    assert len(entries(path, Limits(max_archive_entries=4))) == 4


def test_declared_expanded_total_over_the_limit(write_file) -> None:
    path = write_file("big.zip", zip_bytes({"a.pdf": PDF, "b.pdf": PDF}, zipfile.ZIP_STORED))
    message = whole_archive_refusal(path, Limits(max_archive_expanded_bytes=len(PDF) + 1))
    assert message.startswith("The archive expands to 1.3 KB; the limit is")


def test_a_bomb_of_zeros(write_file) -> None:
    path = write_file("bomb.zip", zip_bytes({"a.pdf": PDF, "zeros.pdf": bytes(4 * MIB)}))
    assert "the limit is 100" in whole_archive_refusal(path)


def test_overall_ratio_catches_many_small_bombs(write_file) -> None:
    small = bytes(MIB // 2)  # each entry is under the floor, together they are not
    path = write_file("bombs.zip", zip_bytes({f"{n}.pdf": small for n in range(6)}))
    assert whole_archive_refusal(path).startswith("The archive expands ")


def test_tiny_well_compressed_files_are_fine(write_file) -> None:
    path = write_file("blank.zip", zip_bytes({"blank.xml": b"<a>" + b" " * 200_000 + b"</a>"}))
    assert list(entries(path)) == ["blank.xml"]


def test_nested_archives_are_refused_by_their_bytes(write_file) -> None:
    inner = zip_bytes({"x.pdf": PDF})
    path = write_file("outer.zip", zip_bytes({
        "innocent.pdf": inner,
        "x.gz": gzip.compress(PDF),
        "y.7z": b"7z\xbc\xaf\x27\x1c\x00\x04rest",
        "z.rar": b"Rar!\x1a\x07\x00rest",
        "ok.pdf": PDF,
    }))
    found = entries(path)
    assert found.pop("ok.pdf") == PDF
    assert found == dict.fromkeys(["innocent.pdf", "x.gz", "y.7z", "z.rar"], Reason.nested_archive)


@pytest.mark.parametrize(
    "name",
    ["../evil.pdf", "a/../../evil.pdf", "/etc/evil.pdf", "C:/evil.pdf", "c:evil.pdf",
     "..\\evil.pdf", "\\\\server\\share\\evil.pdf", "a\\..\\..\\evil.pdf", "bell\x07.pdf",
     "ok.pdf\x00.exe"],
)
def test_unsafe_names(name: str) -> None:
    problem = unsafe_name(name)
    assert problem is not None and problem.reason is Reason.unsafe_name


@pytest.mark.parametrize("name", ["a.pdf", "dir/sub/a.pdf", "dir\\a.pdf", "..a.pdf", "a..pdf", "été/ facture.pdf"])
def test_safe_names(name: str) -> None:
    assert unsafe_name(name) is None


def test_unsafe_entries_are_yielded_refused(write_file) -> None:
    data = zip_bytes({"../evil.pdf": PDF, "/abs.pdf": PDF, "okXpdf.exe": PDF, "fine.pdf": PDF})
    data = data.replace(b"okXpdf.exe", b"ok\x00pdf.exe")  # zipfile cannot write a NUL itself
    found = entries(write_file("names.zip", data))
    assert found == {
        "../evil.pdf": Reason.unsafe_name,
        "/abs.pdf": Reason.unsafe_name,
        "ok\\x00pdf.exe": Reason.unsafe_name,
        "fine.pdf": PDF,
    }


def test_a_lying_declared_size_never_delivers_more(write_file) -> None:
    body = b"A" * 5000
    data = patch_central(zip_bytes({"liar.pdf": body}), "liar.pdf", 24, "<I", 10)
    delivered = b""
    with pytest.raises(DocumentRejected) as caught:
        for entry, stream in iter_archive(write_file("liar.zip", data), Limits()):
            assert entry.size == 10
            if isinstance(stream, DocumentRejected):
                raise stream
            delivered = stream.read()
    assert caught.value.reason is Reason.archive_rejected
    assert len(delivered) <= 10


def bounded(raw: bytes, declared: int, compressed: int, limits: Limits, expanded=None):
    info = zipfile.ZipInfo("x.pdf")
    info.file_size, info.compress_size = declared, compressed
    return _BoundedEntryStream(io.BytesIO(raw), info, expanded or _Expanded(), limits)


def test_stream_stops_past_the_declared_size() -> None:
    stream = bounded(b"x" * 100, declared=10, compressed=100, limits=Limits())
    with pytest.raises(DocumentRejected, match="beyond its declared 10 bytes"):
        stream.read()


def test_stream_stops_past_the_archive_budget_across_entries() -> None:
    limits = Limits(max_archive_expanded_bytes=150)
    expanded = _Expanded()
    assert bounded(b"x" * 100, 100, 100, limits, expanded).read() == b"x" * 100
    with pytest.raises(DocumentRejected, match="expands beyond 150 bytes"):
        bounded(b"x" * 100, 100, 100, limits, expanded).read()


def test_stream_stops_past_the_ratio() -> None:
    limits = Limits(archive_ratio_floor_bytes=50, max_archive_ratio=10)
    with pytest.raises(DocumentRejected, match="more than 10 times"):
        bounded(b"x" * 200, declared=200, compressed=5, limits=limits).read()
