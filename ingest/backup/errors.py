"""The refusals of a backup or a restore, each with a stable code and a sentence to act on."""

from __future__ import annotations

from ingest.platform.errors import Code, DomainError


class BackupCode(Code):
    no_backup = "no_backup", "The directory holds no finished backup (no manifest.json)."
    not_verified = "not_verified", "The backup does not match its manifest; it is not restored."
    target_not_empty = "target_not_empty", "The database or the store to restore into already holds data."
    dump_failed = "dump_failed", "pg_dump, pg_restore or the SQLite backup failed."
    objects_missing = "objects_missing", "Rows name objects that the store or the backup does not hold."
    keep_none = "keep_none", "A prune must keep at least one backup."
    counts_differ = "counts_differ", "The restored database's row counts differ from the manifest's."


class BackupError(DomainError):
    pass
