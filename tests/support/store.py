"""Reading a store back in tests, through the calls the service itself uses."""

from __future__ import annotations

from ingest.store import ObjectStore


def read(store: ObjectStore, key: str) -> bytes:
    """The object's bytes; FileNotFoundError when it is missing."""
    with store.open(key) as stream:
        return stream.read()


def exists(store: ObjectStore, key: str) -> bool:
    try:
        store.open(key).close()
    except FileNotFoundError:
        return False
    return True


def size(store: ObjectStore, key: str) -> int:
    return len(read(store, key))
