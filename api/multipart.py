"""A streaming reader for ``multipart/form-data`` uploads.

Each file part goes straight to its own temporary file as the bytes arrive, so
a batch of hundreds of files never sits in memory (Starlette's form parser keeps
every part under 1 MiB in memory until the whole form is read). It is hashed and
its first bytes kept on the way (`ingest.platform.spool.Spooler`): intake checks and
stores that file as it is, where it used to copy it once more to hash it. Text
fields are small and capped.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.datastructures import Headers

from api.problems import ApiCode, Problem
from api.uploads import Pace, paced
from ingest.intake.names import display_name
from ingest.platform.spool import Spooled, Spooler

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

MAX_FIELD_BYTES = 64 * 1024


@dataclass
class Form:
    fields: dict[str, str] = field(default_factory=dict)
    files: list[tuple[str, Spooled]] = field(default_factory=list)

    def close(self) -> None:
        """Delete the files' temporary copies."""
        for _, spooled in self.files:
            spooled.discard()


class _Collector:
    def __init__(self, file_field: str, max_files: int, max_file_bytes: int | None, tmp_dir: Path | None):
        self.form = Form()
        self.file_field, self.max_files, self.tmp_dir = file_field, max_files, tmp_dir
        self.max_file_bytes = max_file_bytes
        self._header_field = b""
        self._headers: dict[bytes, bytes] = {}
        self._name = self._filename = ""
        self._file: Spooler | None = None
        self._value = bytearray()

    def on_part_begin(self) -> None:
        self._headers, self._file, self._value = {}, None, bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        key = self._header_field.lower()
        self._headers[key] = self._headers.get(key, b"") + data[start:end]

    def on_header_end(self) -> None:
        self._header_field = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        filename = options.get(b"filename")
        if filename is None:
            return
        if self._name != self.file_field:
            raise Problem(ApiCode.unexpected_file, f"File parts go in the '{self.file_field}' field.")
        if len(self.form.files) >= self.max_files:
            raise Problem(ApiCode.too_many_files, f"A batch holds at most {self.max_files} files.")
        self._filename = display_name(filename.decode("utf-8", "replace"))
        self._file = Spooler(self.max_file_bytes, self.tmp_dir)

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._file is not None:
            self._file.write(data[start:end])
            return
        self._value += data[start:end]
        if len(self._value) > MAX_FIELD_BYTES:
            raise Problem(ApiCode.field_too_large, f"The form field '{self._name}' is too large.")

    def on_part_end(self) -> None:
        if self._file is not None:
            self.form.files.append((self._filename, self._file.finish()))
            self._file = None
        else:
            self.form.fields[self._name] = self._value.decode("utf-8", "replace")

    @property
    def unfinished_file(self) -> bool:
        return self._file is not None

    def abort(self) -> None:
        if self._file is not None:
            self._file.abort()
        self.form.close()


class Body(Protocol):
    """What `read_form` reads of a request: its headers and its body as a stream (a Starlette
    ``Request`` has both, as has a wrapper that caps the body)."""

    @property
    def headers(self) -> Headers: ...

    def stream(self) -> AsyncIterator[bytes]: ...


async def read_form(request: Body, *, file_field: str, max_files: int, max_file_bytes: int | None = None,
                    tmp_dir: Path | None = None, pace: Pace | None = None) -> Form:
    """The form's text fields and its files, each spooled to disk; past `max_file_bytes` a file
    is only counted (`Spooled.truncated`). With `pace`, a body that arrives too slowly is cut
    (`api.uploads.paced`). Whatever fails, the files spooled so far are deleted; the caller closes
    the form it gets."""
    content_type, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise Problem(ApiCode.not_multipart, "Send the batch as multipart/form-data.")
    collector = _Collector(file_field, max_files, max_file_bytes, tmp_dir)
    callbacks: MultipartCallbacks = {
        "on_part_begin": collector.on_part_begin, "on_part_data": collector.on_part_data,
        "on_part_end": collector.on_part_end, "on_header_field": collector.on_header_field,
        "on_header_value": collector.on_header_value, "on_header_end": collector.on_header_end,
        "on_headers_finished": collector.on_headers_finished}
    parser = MultipartParser(boundary, callbacks)
    try:
        chunks = request.stream()
        async for chunk in (paced(chunks, pace) if pace is not None else chunks):
            parser.write(chunk)
        parser.finalize()
        if collector.unfinished_file:
            raise Problem(ApiCode.malformed_multipart, "The multipart body ended inside a file.")
    except BaseException:
        collector.abort()
        raise
    return collector.form
