"""ZIP archives whose entries are taken as documents, opened without trusting them.

An archive is checked as a whole from its central directory before any entry is handed out
(readable, not encrypted, not too many entries, not a declared bomb). Entries are then
yielded one by one with a stream that counts what it really expands, because the sizes a
ZIP declares can lie. Nothing is ever written to disk under an entry's name.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO

from ingest.documents.limits import Limits, human_size
from ingest.documents.reasons import DocumentRejected, Reason
from ingest.documents.sniff import SNIFF_BYTES, sniff_archive

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

_JUNK_FOLDERS = frozenset({"__MACOSX"})
_JUNK_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})
_DRIVE_LETTER = re.compile(r"^[A-Za-z]:")
# Errors zipfile and zlib raise on a corrupt or lying member while it is read.
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError)


@dataclass(frozen=True)
class ArchiveEntry:
    """One file of an archive: its name as stored, its declared sizes, a way to read it."""

    name: str
    size: int  # declared expanded size; the stream enforces it
    compressed_size: int
    _opener: Callable[[], BinaryIO] = field(repr=False, compare=False)

    def open(self) -> BinaryIO:
        """A fresh bounded stream over the entry's content (valid while the archive is iterated)."""
        return self._opener()


class _Expanded:
    """Bytes expanded so far from one archive, across all its entries."""

    def __init__(self) -> None:
        self.total = 0


class _BoundedEntryStream(io.RawIOBase):
    """Reads an entry, refusing to expand past its declared size or the archive's limits."""

    def __init__(
        self, raw: IO[bytes], info: zipfile.ZipInfo, expanded: _Expanded, limits: Limits
    ) -> None:
        super().__init__()
        self._raw = raw
        self._info = info
        self._expanded = expanded
        self._limits = limits
        self._read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        try:
            data = self._raw.read(len(view))
        except _READ_ERRORS as exc:
            raise _rejected(f'The entry "{self._info.filename}" cannot be expanded ({exc}).') from exc
        self._count(len(data))
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()

    def _count(self, n: int) -> None:
        self._read += n
        self._expanded.total += n
        name, limits = self._info.filename, self._limits
        if self._read > self._info.file_size:
            raise _rejected(
                f'The entry "{name}" expands beyond its declared {human_size(self._info.file_size)}.'
            )
        if self._expanded.total > limits.max_archive_expanded_bytes:
            raise _rejected(
                f"The archive expands beyond {human_size(limits.max_archive_expanded_bytes)}, the limit."
            )
        if _ratio_exceeded(self._read, self._info.compress_size, limits):
            raise _rejected(
                f'The entry "{name}" expands more than {limits.max_archive_ratio} times its compressed size.'
            )


def iter_archive(
    path: Path, limits: Limits
) -> Iterator[tuple[ArchiveEntry, BinaryIO | DocumentRejected]]:
    """Yield each document of a ZIP archive with a bounded stream, or the reason it is refused.

    Raises DocumentRejected(archive_rejected) before yielding anything when the archive as a
    whole is unacceptable. Directories and operating-system junk are skipped silently. A
    stream is only valid until the iteration moves on or ends.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _rejected(f"The archive is not a readable ZIP file ({exc}).") from exc
    with archive:
        infos = _document_infos(archive)
        _check_whole_archive(infos, path.stat().st_size, limits)
        expanded = _Expanded()
        for info in infos:
            opener = _opener(archive, info, expanded, limits)
            entry = ArchiveEntry(
                name=info.orig_filename.replace("\x00", "\\x00"),
                size=info.file_size,
                compressed_size=info.compress_size,
                _opener=opener,
            )
            refusal = unsafe_name(info.orig_filename) or _nested_archive(archive, info)
            yield entry, (refusal if refusal is not None else opener())


def unsafe_name(name: str) -> DocumentRejected | None:
    """Refuse names that could escape a folder if anyone ever used them as paths."""
    shown = name.replace("\x00", "\\x00")
    problem = _name_problem(name)
    if problem is None:
        return None
    return DocumentRejected(Reason.unsafe_name, f'The entry name "{shown}" {problem}.')


def _name_problem(name: str) -> str | None:
    if "\x00" in name:
        return "contains a NUL character"
    if any(ord(char) < 32 for char in name):
        return "contains control characters"
    # Windows tools (and attackers) use backslashes as separators: judge both alike.
    parts = name.replace("\\", "/").split("/")
    if parts[0] == "":
        return "is an absolute path"
    if _DRIVE_LETTER.match(parts[0]):
        return "starts with a drive letter"
    if ".." in parts:
        return 'climbs out of its folder with ".."'
    return None


def _document_infos(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The entries that are files, without folders and junk such as __MACOSX/ or .DS_Store."""
    return [info for info in archive.infolist() if not _is_folder_or_junk(info)]


def _is_folder_or_junk(info: zipfile.ZipInfo) -> bool:
    name = info.filename.replace("\\", "/")
    if name.endswith("/"):
        return True
    *folders, base = name.split("/")
    return (
        any(folder in _JUNK_FOLDERS for folder in folders)
        or base in _JUNK_FILES
        or base.startswith("._")  # AppleDouble resource forks
    )


def _check_whole_archive(infos: list[zipfile.ZipInfo], archive_bytes: int, limits: Limits) -> None:
    """Apply the whole-archive rules to what the central directory declares."""
    if any(info.flag_bits & 0x1 for info in infos):
        raise _rejected("The archive is encrypted; send it without a password.")
    if len(infos) > limits.max_archive_entries:
        raise _rejected(
            f"The archive holds {len(infos)} files; the limit is {limits.max_archive_entries}."
        )
    declared = sum(info.file_size for info in infos)
    if declared > limits.max_archive_expanded_bytes:
        raise _rejected(
            f"The archive expands to {human_size(declared)}; "
            f"the limit is {human_size(limits.max_archive_expanded_bytes)}."
        )
    if _ratio_exceeded(declared, archive_bytes, limits):
        raise _rejected(
            f"The archive expands {declared // max(archive_bytes, 1)} times its size; "
            f"the limit is {limits.max_archive_ratio}."
        )
    for info in infos:
        if _ratio_exceeded(info.file_size, info.compress_size, limits):
            raise _rejected(
                f'The entry "{info.filename}" expands {info.file_size // max(info.compress_size, 1)} '
                f"times its compressed size; the limit is {limits.max_archive_ratio}."
            )


def _ratio_exceeded(expanded: int, compressed: int, limits: Limits) -> bool:
    if expanded <= limits.archive_ratio_floor_bytes:
        return False
    return expanded > limits.max_archive_ratio * max(compressed, 1)


def _opener(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, expanded: _Expanded, limits: Limits
) -> Callable[[], BinaryIO]:
    def open_entry() -> BinaryIO:
        try:
            raw = archive.open(info)
        except _READ_ERRORS as exc:
            raise _rejected(f'The entry "{info.filename}" cannot be opened ({exc}).') from exc
        return io.BufferedReader(_BoundedEntryStream(raw, info, expanded, limits))

    return open_entry


def _nested_archive(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> DocumentRejected | None:
    """Refuse an entry that is itself an archive, judged by its first bytes."""
    try:
        with archive.open(info) as raw:
            head = raw.read(min(SNIFF_BYTES, info.file_size))
    except _READ_ERRORS as exc:
        return _rejected(f'The entry "{info.filename}" cannot be expanded ({exc}).')
    kind = sniff_archive(head)
    if kind is None:
        return None
    return DocumentRejected(
        Reason.nested_archive,
        f'The entry "{info.filename}" is itself a {kind} archive; send its files directly.',
    )


def _rejected(message: str) -> DocumentRejected:
    return DocumentRejected(Reason.archive_rejected, message)
