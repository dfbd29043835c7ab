"""The object store: one interface, two backends (a local folder, S3).

Callers depend on :class:`ObjectStore` only and get a backend from
:func:`open_store`; see :mod:`ingest.store.base` for the contract.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ingest.store.base import (
    ObjectStore,
    StoreUnavailable,
    derivative_key,
    original_key,
)
from ingest.store.local import LocalStore
from ingest.store.s3 import S3Store

if TYPE_CHECKING:
    from ingest.platform.settings import Settings

__all__ = ["LocalStore", "ObjectStore", "S3Store", "StoreUnavailable", "derivative_key", "open_store",
           "original_key"]


def open_store(settings: Settings) -> ObjectStore:
    """S3 when an endpoint is configured, else the folder of the embedded defaults.
    Nothing is contacted here: the first call does that."""
    if settings.s3_endpoint:
        return S3Store(settings.s3_endpoint, settings.s3_bucket, settings.s3_region,
                       settings.s3_access_key, settings.s3_secret_key)
    return LocalStore(settings.objects_dir())
