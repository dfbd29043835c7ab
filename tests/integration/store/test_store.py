"""One contract, every backend: the same tests run on LocalStore and on S3Store
against a real SeaweedFS (one fresh bucket per session). Each test writes under
its own key prefix, so tests sharing the bucket never see each other's keys."""

from __future__ import annotations

import hashlib
import io
import os
import socket
import time
import tracemalloc
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ingest.platform.settings import Settings
from ingest.store import (
    LocalStore,
    ObjectStore,
    S3Store,
    StoreUnavailable,
    derivative_key,
    open_store,
    original_key,
)
from tests.support import services
from tests.support.store import exists as store_exists
from tests.support.store import read as store_read
from tests.support.store import size as store_size

pytestmark = pytest.mark.integration

MiB = 1024 * 1024
BIG = 30 * MiB


@pytest.fixture(scope="module")
def s3_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Store]:
    server = services.seaweedfs_endpoint(tmp_path_factory.mktemp("seaweedfs"))
    store = S3Store(server.endpoint, f"store-{uuid.uuid4().hex[:12]}", "us-east-1", server.access_key,
                    server.secret_key)
    store.ensure_bucket()
    yield store
    store.delete_many([key for key, _, _ in store.iter_keys()])


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    if request.param == "local":
        return LocalStore(tmp_path / "objects")
    return request.getfixturevalue("s3_store")  # type: ignore[no-any-return]


@pytest.fixture
def ns() -> str:
    """This test's own corner of the (possibly shared) store."""
    return f"t-{uuid.uuid4().hex[:10]}/"


def dead_endpoint() -> str:
    """An address where nothing listens: a port just released by the kernel."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def big_file(path: Path, size: int = BIG) -> str:
    """Write ``size`` random bytes to ``path``; return their SHA-256."""
    digest = hashlib.sha256()
    with path.open("wb") as out:
        for _ in range(size // MiB):
            chunk = os.urandom(MiB)
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()


def peak_memory(action: Callable[[], Any]) -> tuple[Any, int]:
    """What ``action`` returned and the peak of Python allocations while it ran."""
    tracemalloc.start()
    try:
        result = action()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def put_many(store: ObjectStore, keys: list[str]) -> None:
    # Parallel only to keep the setup short; the store is what is under test.
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(lambda k: store.put_bytes(k, k.encode()), keys))


class Unseekable(io.RawIOBase):
    """A pipe-like source: readable once, no seek, no tell."""

    def __init__(self, data: bytes, fail_after: int | None = None):
        self._data, self._pos, self._fail_after = data, 0, fail_after

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._fail_after is not None and self._pos >= self._fail_after:
            raise OSError("source broke off")
        chunk = self._data[self._pos:self._pos + len(buffer)]
        buffer[: len(chunk)] = chunk
        self._pos += len(chunk)
        return len(chunk)


# -- the contract, on every backend ---------------------------------------------------------------

def test_bytes_round_trip_and_overwrite(store: ObjectStore, ns: str) -> None:
    key = f"{ns}derived/doc-é 1/page 1.png"  # spaces and accents survive both backends
    assert not store_exists(store, key)
    store.put_bytes(key, b"first")
    store.put_bytes(key, b"second body")
    assert store_exists(store, key)
    assert store_read(store, key) == b"second body"
    assert store_size(store, key) == len(b"second body")
    store.put_bytes(f"{ns}empty", b"")
    assert store_read(store, f"{ns}empty") == b"" and store_size(store, f"{ns}empty") == 0


def test_put_file_stores_the_rest_from_the_current_position(store: ObjectStore, ns: str) -> None:
    source = io.BytesIO(b"HDRpayload")
    source.seek(3)
    store.put_file(f"{ns}a", source, 7)
    assert store_read(store, f"{ns}a") == b"payload"


def test_put_file_refuses_a_size_that_does_not_match(store: ObjectStore, ns: str) -> None:
    with pytest.raises(ValueError, match="expected 99 bytes"):
        store.put_file(f"{ns}a", io.BytesIO(b"short"), 99)
    assert not store_exists(store, f"{ns}a")


def test_put_file_takes_an_unseekable_stream(store: ObjectStore, ns: str) -> None:
    data = os.urandom(20 * MiB + 123)  # past one multipart part on S3
    store.put_file(f"{ns}piped", Unseekable(data))  # type: ignore[arg-type]
    assert store_size(store, f"{ns}piped") == len(data)
    assert hashlib.sha256(store_read(store, f"{ns}piped")).digest() == hashlib.sha256(data).digest()


def test_a_failed_put_leaves_the_previous_object_whole(store: ObjectStore, ns: str) -> None:
    store.put_bytes(f"{ns}a", b"old")
    with pytest.raises(OSError, match="source broke off"):
        store.put_file(f"{ns}a", Unseekable(os.urandom(4 * MiB), fail_after=MiB))  # type: ignore[arg-type]
    assert store_read(store, f"{ns}a") == b"old"
    assert [k for k, _, _ in store.iter_keys(ns)] == [f"{ns}a"]  # no temporary file shows


def test_streaming_30_mb_in_and_out_keeps_memory_flat(store: ObjectStore, ns: str, tmp_path: Path) -> None:
    sha = big_file(tmp_path / "body")
    with (tmp_path / "body").open("rb") as body:
        _, peak_in = peak_memory(lambda: store.put_file(f"{ns}big", body, BIG))
    assert store_size(store, f"{ns}big") == BIG

    def read_back() -> str:
        digest = hashlib.sha256()
        with store.open(f"{ns}big") as stream:
            while chunk := stream.read(MiB):
                digest.update(chunk)
        return digest.hexdigest()

    read_sha, peak_out = peak_memory(read_back)
    assert read_sha == sha
    # Whole-body buffering would show as >= 30 MiB; a streaming copy needs a few slices.
    assert peak_in < BIG / 4, f"put peaked at {peak_in / MiB:.1f} MiB"
    assert peak_out < BIG / 4, f"read peaked at {peak_out / MiB:.1f} MiB"


def test_open_is_a_readable_file_object(store: ObjectStore, ns: str) -> None:
    store.put_bytes(f"{ns}a", b"line one\nline two\n")
    with store.open(f"{ns}a") as stream:
        assert stream.readable()
        assert stream.read(5) == b"line "
        assert stream.readline() == b"one\n"
        assert stream.read() == b"line two\n"
        assert stream.read() == b""
    assert stream.closed


def test_missing_keys_raise_file_not_found(store: ObjectStore, ns: str) -> None:
    store.put_bytes(f"{ns}folder/inside", b"x")
    for key in (f"{ns}nothing", f"{ns}folder"):  # a "folder" of keys is no object either
        with pytest.raises(FileNotFoundError):
            store.open(key)
    assert store.delete_many([f"{ns}nothing"]) == []


def test_iter_keys_by_prefix_across_pages(store: ObjectStore, ns: str) -> None:
    inside = [f"{ns}list/{i % 7}/{i:05d}" for i in range(1234)]  # > one S3 page, over many folders
    near = [f"{ns}listing-not-in-the-folder", f"{ns}other/1"]
    before = datetime.now(UTC) - timedelta(minutes=1)  # allows for some clock skew with the server
    put_many(store, inside + near)

    listed = list(store.iter_keys(f"{ns}list/"))
    assert len(listed) == len(inside)  # no page listed twice
    assert {k for k, _, _ in listed} == set(inside)
    for key, size, modified in listed:
        assert size == len(key.encode())
        assert modified.utcoffset() == timedelta(0)
        assert before <= modified <= datetime.now(UTC) + timedelta(minutes=1)
    assert {k for k, _, _ in store.iter_keys(f"{ns}list/3/")} == {k for k in inside if k.startswith(f"{ns}list/3/")}
    assert {k for k, _, _ in store.iter_keys(f"{ns}list")} == set(inside) | {near[0]}
    assert {k for k, _, _ in store.iter_keys()} >= set(inside + near)
    assert list(store.iter_keys(f"{ns}absent/")) == []


def test_delete_many_in_chunks_with_missing_keys(store: ObjectStore, ns: str) -> None:
    present = [f"{ns}purge/{i // 100:02d}/{i:05d}" for i in range(2400)]
    missing = [f"{ns}purge/never/{i}" for i in range(100)]
    keep = f"{ns}keep"
    put_many(store, [*present, keep])
    batch = present[:1200] + missing + present[1200:]  # missing keys in the middle of a chunk

    assert store.delete_many(batch) == []
    assert list(store.iter_keys(f"{ns}purge/")) == []
    assert store_exists(store, keep)
    assert store.delete_many(batch) == []  # a purge that runs twice is not an error


def test_ping_a_live_store(store: ObjectStore) -> None:
    store.ping()


# -- backend specifics -----------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["../escape", "a/../../escape", "/etc/passwd", "a//b", "a/./b", "", "a\\..\\b",
                                 "a/.partial-x", "nul\x00"])
def test_local_refuses_keys_that_could_escape_the_root(tmp_path: Path, key: str) -> None:
    store = LocalStore(tmp_path / "objects")
    with pytest.raises(ValueError, match="invalid object key"):
        store.put_bytes(key, b"x")
    with pytest.raises(ValueError):
        store.open(key)
    assert store.delete_many([key]) == [key]
    assert list(tmp_path.iterdir()) == []  # nothing written anywhere, not even the root


def test_local_listing_refuses_a_traversing_prefix(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        list(LocalStore(tmp_path / "objects").iter_keys("../"))


def test_local_listing_skips_temporary_files_and_delete_prunes_folders(tmp_path: Path) -> None:
    store = LocalStore(tmp_path / "objects")
    store.put_bytes("derived/doc1/page.png", b"png")
    (tmp_path / "objects" / "derived" / "doc1" / ".partial-abc123").write_bytes(b"half")
    assert [k for k, _, _ in store.iter_keys()] == ["derived/doc1/page.png"]
    (tmp_path / "objects" / "derived" / "doc1" / ".partial-abc123").unlink()
    assert store.delete_many(["derived/doc1/page.png"]) == []
    assert not (tmp_path / "objects" / "derived").exists()
    assert (tmp_path / "objects").is_dir()


def test_local_ping_fails_when_the_root_cannot_exist(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_bytes(b"")
    with pytest.raises(StoreUnavailable):
        LocalStore(tmp_path / "a-file" / "objects").ping()


def test_s3_ping_against_a_dead_endpoint_fails_fast() -> None:
    store = S3Store(dead_endpoint(), "bucket", "us-east-1", "key", "secret")
    started = time.monotonic()
    with pytest.raises(StoreUnavailable):
        store.ping()
    assert time.monotonic() - started < 3


def test_s3_operations_against_a_dead_endpoint_are_transient_faults() -> None:
    store = S3Store(dead_endpoint(), "bucket", "us-east-1", "key", "secret")
    for action in (lambda: store_read(store, "k"), lambda: store.put_bytes("k", b"x"),
                   lambda: list(store.iter_keys()), lambda: store.delete_many(["k"])):
        with pytest.raises(StoreUnavailable):
            action()


def test_s3_ping_fails_when_the_bucket_is_missing(s3_store: S3Store) -> None:
    missing = S3Store(s3_store.endpoint, f"absent-{uuid.uuid4().hex[:12]}", "us-east-1",
                      *s3_store._credentials)  # type: ignore[arg-type]
    with pytest.raises(StoreUnavailable, match="absent-"):
        missing.ping()


def test_s3_delete_many_sends_at_most_1000_keys_a_call(s3_store: S3Store, ns: str) -> None:
    sizes: list[int] = []

    def count(params: dict[str, Any], **_: Any) -> None:
        sizes.append(len(params["Delete"]["Objects"]))

    client = s3_store._client()
    client.meta.events.register("provide-client-params.s3.DeleteObjects", count)
    try:
        assert s3_store.delete_many([f"{ns}{i}" for i in range(2500)]) == []
    finally:
        client.meta.events.unregister("provide-client-params.s3.DeleteObjects", count)
    assert sizes == [1000, 1000, 500]


# -- choosing a backend and naming keys ------------------------------------------------------------

def test_open_store_follows_the_settings(tmp_path: Path) -> None:
    local = open_store(Settings(data_dir=tmp_path))
    assert isinstance(local, LocalStore) and local.root == tmp_path.resolve() / "objects"
    s3 = open_store(Settings(data_dir=tmp_path, s3_endpoint=dead_endpoint(), s3_bucket="b"))
    assert isinstance(s3, S3Store) and s3.bucket == "b"  # built without touching the network


def test_key_names() -> None:
    digest = hashlib.sha256(b"x").hexdigest()
    assert original_key(digest) == f"originals/{digest[:2]}/{digest[2:4]}/{digest}"
    assert original_key(digest.upper()) == original_key(digest)
    assert derivative_key("doc1", "text.json") == "derived/doc1/text.json"
    for bad in ("abc", "../" + digest[3:], "g" * 64):
        with pytest.raises(ValueError):
            original_key(bad)
    for document_id, name in (("doc1", "../x"), ("..", "x"), ("", "x"), ("doc1", "")):
        with pytest.raises(ValueError):
            derivative_key(document_id, name)
