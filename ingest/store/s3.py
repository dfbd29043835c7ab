"""Any S3-compatible store: AWS S3, MinIO, SeaweedFS.

botocore's own errors are translated at this edge: a missing object becomes
``FileNotFoundError``; a refused connection, a timeout or a 5xx becomes
:class:`StoreUnavailable`. Everything else (access denied, a missing bucket,
bad parameters) is left as it is: retrying would not help.
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, BinaryIO

from ingest.store.base import COPY_CHUNK, StoreUnavailable

DELETE_CHUNK = 1000  # DeleteObjects takes at most 1,000 keys per call
LIST_PAGE = 1000
# One PUT streams straight from the file with flat memory; S3 allows 5 GiB, but
# past this size a failed attempt costs too much to resend whole.
SINGLE_PUT_MAX = 256 * 1024 * 1024
MULTIPART_CHUNK = 8 * 1024 * 1024
_MISSING_CODES = frozenset({"NoSuchKey", "404", "NotFound"})
_TRANSIENT_CODES = frozenset({"SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout"})


_session_lock = threading.Lock()
_session: tuple[int, Any] | None = None  # (the process id it was made in, the boto3 session)


def _new_client(**kwargs: Any) -> Any:
    """A client from this process's one boto3 session: a client from a fresh session loads botocore's
    service models again (some 0.15 s, against 0.01 s from a session that has them). A session is
    not thread-safe, hence the lock, and is never used across a fork, hence one per process id."""
    import boto3

    global _session
    with _session_lock:
        if _session is None or _session[0] != os.getpid():
            _session = (os.getpid(), boto3.session.Session())
        return _session[1].client("s3", **kwargs)


def _client_config(connect: float, read: float, attempts: int) -> Any:
    from botocore.config import Config

    # Path-style addressing: MinIO and SeaweedFS have no per-bucket host names.
    return Config(s3={"addressing_style": "path"}, signature_version="s3v4", connect_timeout=connect,
                  read_timeout=read, retries={"total_max_attempts": attempts, "mode": "standard"})


def _translate(exc: BaseException, what: str) -> BaseException:
    """The exception our callers should see for a botocore/boto3 failure."""
    from boto3.exceptions import S3UploadFailedError
    from botocore import exceptions as bce

    if isinstance(exc, S3UploadFailedError) and exc.__context__ is not None:
        return _translate(exc.__context__, what)
    if isinstance(exc, bce.ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if code in _MISSING_CODES:
            return FileNotFoundError(what)
        if status >= 500 or code in _TRANSIENT_CODES:
            return StoreUnavailable(f"{what}: {code or status}")
    elif isinstance(exc, (bce.ConnectionError, bce.HTTPClientError, bce.ResponseStreamingError)):
        return StoreUnavailable(f"{what}: {exc}")
    return exc


class _Reader(io.RawIOBase):
    """A streaming GET body as a file object; a connection lost mid-read raises
    StoreUnavailable like any other transient fault."""

    def __init__(self, body: Any, key: str):
        self._body, self._key = body, key

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data = self._body.read(len(buffer))
        except Exception as exc:
            raise _translate(exc, f"read {self._key}") from exc
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._body.close()
        super().close()


def _remaining(fileobj: BinaryIO) -> int | None:
    """Bytes left from the current position, if the file can tell; None for pipes."""
    try:
        if not fileobj.seekable():
            return None
        here = fileobj.tell()
        end = fileobj.seek(0, os.SEEK_END)
        fileobj.seek(here)
    except (AttributeError, OSError, ValueError):
        return None
    return end - here


class S3Store:
    """Objects in one bucket. The boto3 client is built on first use, never at
    construction (no network then), and again after a fork: a client must not
    be shared between processes."""

    def __init__(self, endpoint: str, bucket: str, region: str, access_key: str, secret_key: str):
        self.endpoint, self.bucket, self.region = endpoint, bucket, region
        # Empty keys mean boto3's own chain (environment, instance role).
        self._credentials = (access_key or None, secret_key or None)
        self._clients: dict[str, Any] = {}
        self._pid = 0
        self._lock = threading.Lock()

    def _client(self, kind: str = "main") -> Any:
        with self._lock:
            if self._pid != os.getpid():
                self._clients, self._pid = {}, os.getpid()
            if kind not in self._clients:
                self._clients[kind] = self._build(kind)
            return self._clients[kind]

    def _build(self, kind: str) -> Any:
        # The ping client fails fast for /readyz; the main one rides out a blip.
        config = _client_config(2, 3, 1) if kind == "ping" else _client_config(5, 60, 3)
        return _new_client(endpoint_url=self.endpoint, region_name=self.region, config=config,
                           aws_access_key_id=self._credentials[0], aws_secret_access_key=self._credentials[1])

    def _call(self, method: str, what: str, **kwargs: Any) -> Any:
        try:
            return getattr(self._client(), method)(Bucket=self.bucket, **kwargs)
        except Exception as exc:
            raise _translate(exc, what) from exc

    def ensure_bucket(self) -> None:
        """Create the bucket unless it exists (deployment and tests; not per request)."""
        try:
            self._call("head_bucket", f"bucket {self.bucket}")
        except FileNotFoundError:
            self._call("create_bucket", f"bucket {self.bucket}")

    def put_file(self, key: str, fileobj: BinaryIO, size: int | None = None) -> None:
        length = _remaining(fileobj)
        if size is not None and length is not None and size != length:
            raise ValueError(f"{key}: expected {size} bytes, the file has {length}")
        if length is not None and length <= SINGLE_PUT_MAX:
            # botocore hashes and sends a seekable body in slices, and seeks back
            # to resend it on a retry: nothing is held whole in memory.
            self._call("put_object", key, Key=key, Body=fileobj, ContentLength=length)
            return
        self._put_multipart(key, fileobj)

    def _put_multipart(self, key: str, fileobj: BinaryIO) -> None:
        from boto3.s3.transfer import TransferConfig

        # s3transfer reads each part into memory; one part at a time keeps the
        # peak at MULTIPART_CHUNK instead of chunk x threads x queued parts.
        config = TransferConfig(multipart_threshold=MULTIPART_CHUNK, multipart_chunksize=MULTIPART_CHUNK,
                                use_threads=False)
        try:
            self._client().upload_fileobj(fileobj, self.bucket, key, Config=config)
        except Exception as exc:
            raise _translate(exc, key) from exc

    def put_bytes(self, key: str, data: bytes) -> None:
        self._call("put_object", key, Key=key, Body=data)

    def open(self, key: str) -> BinaryIO:
        body = self._call("get_object", key, Key=key)["Body"]
        return io.BufferedReader(_Reader(body, key), COPY_CHUNK)

    def delete_many(self, keys: Sequence[str]) -> list[str]:
        failed: list[str] = []
        for start in range(0, len(keys), DELETE_CHUNK):
            chunk = list(keys[start:start + DELETE_CHUNK])
            # Quiet: the answer lists only failures, not 1,000 successes.
            answer = self._call("delete_objects", f"delete {len(chunk)} keys",
                                Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True})
            failed.extend(e["Key"] for e in answer.get("Errors", []) if e.get("Code") != "NoSuchKey")
        return failed

    def iter_keys(self, prefix: str = "") -> Iterator[tuple[str, int, datetime]]:
        token: str | None = None
        while True:
            page_args: dict[str, Any] = {"Prefix": prefix, "MaxKeys": LIST_PAGE}
            if token:
                page_args["ContinuationToken"] = token
            page = self._call("list_objects_v2", f"list {prefix!r}", **page_args)
            for obj in page.get("Contents", []):
                yield obj["Key"], int(obj["Size"]), obj["LastModified"].astimezone(UTC)
            if not page.get("IsTruncated"):
                return
            token = page.get("NextContinuationToken")
            if not token:  # stopping here would pass a partial listing off as whole
                raise StoreUnavailable(f"list {prefix!r}: truncated page without a continuation token")

    def ping(self) -> None:
        """One HEAD on the bucket with short timeouts and no retry. Any failure,
        a missing bucket or refused credentials included, means not ready."""
        try:
            self._client("ping").head_bucket(Bucket=self.bucket)
        except Exception as exc:
            translated = _translate(exc, f"bucket {self.bucket}")
            if isinstance(translated, StoreUnavailable):
                raise translated from exc
            raise StoreUnavailable(f"bucket {self.bucket}: {translated!r}") from exc
