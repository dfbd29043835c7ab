"""The manifest's checks, on backup folders written by hand: no database or store needed."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest

from ingest.backup.errors import BackupError
from ingest.backup.manifest import (
    Entry,
    Manifest,
    blob_path,
    file_sha256,
    find_backup,
    verify,
    write_entries,
    write_ids,
    write_manifest,
)


def _backup(root: Path, stamp: str, objects: dict[str, bytes]) -> Path:
    folder = root / stamp
    folder.mkdir(parents=True)
    (folder / "database.sqlite3").write_bytes(b"db bytes")
    entries = []
    for key, body in objects.items():
        sha = hashlib.sha256(body).hexdigest()
        blob_path(root, sha).parent.mkdir(parents=True, exist_ok=True)
        blob_path(root, sha).write_bytes(body)
        entries.append(Entry(key, len(body), sha))
    db_sha, db_size = file_sha256(folder / "database.sqlite3")
    write_manifest(folder, Manifest(
        created_at="", finished_at="", database_kind="sqlite", database_file="database.sqlite3",
        database_size=db_size, database_sha256=db_sha, schema_revision="0017", tables={"documents": 2},
        objects=len(entries), object_bytes=sum(e.size for e in entries), objects_new=len(entries),
        object_bytes_new=sum(e.size for e in entries),
        object_list_sha256=write_entries(folder / "objects.tsv", entries)))
    return folder


def test_a_whole_backup_verifies_and_each_kind_of_damage_is_named(tmp_path: Path) -> None:
    folder = _backup(tmp_path, "20261201T100000Z", {"originals/a": b"alpha", "derived/d/x": b"beta"})
    assert verify(folder) == []

    blob_path(tmp_path, hashlib.sha256(b"beta").hexdigest()).unlink()
    assert verify(folder) == [f"derived/d/x: {hashlib.sha256(b'beta').hexdigest()} is missing"]

    (folder / "database.sqlite3").write_bytes(b"db bytez")
    assert any("database.sqlite3's sha256" in p for p in verify(folder))

    (folder / "objects.tsv").write_text("originals/a\t5\t" + hashlib.sha256(b"alpha").hexdigest() + "\n")
    assert verify(folder)[-1] == "objects.tsv does not match the manifest's checksum"


def test_the_list_of_purged_documents_is_checked_too(tmp_path: Path) -> None:
    folder = _backup(tmp_path, "20261201T100000Z", {})
    data = json.loads((folder / "manifest.json").read_text())
    write_manifest(folder, replace(Manifest(**data), purged=1,
                                   purged_list_sha256=write_ids(folder / "purged.txt", ["doc-1"])))
    assert verify(folder) == []
    (folder / "purged.txt").write_text("doc-2\n")
    assert verify(folder) == ["purged.txt does not match the manifest's checksum"]
    (folder / "purged.txt").unlink()
    assert verify(folder) == ["purged.txt does not match the manifest's checksum"]


def test_the_newest_finished_backup_is_chosen_and_a_partial_one_never(tmp_path: Path) -> None:
    _backup(tmp_path, "20261130T100000Z", {})
    newest = _backup(tmp_path, "20261201T100000Z", {})
    (tmp_path / ".20261202T100000Z.partial").mkdir()
    (tmp_path / "20261203T100000Z").mkdir()  # no manifest: killed before its end
    assert find_backup(tmp_path) == newest
    assert find_backup(newest) == newest
    assert find_backup(tmp_path, "20261130T100000Z").name == "20261130T100000Z"
    with pytest.raises(BackupError) as missing:
        find_backup(tmp_path, "20261203T100000Z")
    assert missing.value.code == "no_backup"


def test_a_manifest_of_another_format_or_unreadable_is_refused(tmp_path: Path) -> None:
    folder = _backup(tmp_path, "20261201T100000Z", {})
    (folder / "manifest.json").write_text("{not json")
    with pytest.raises(BackupError) as unreadable:
        verify(folder)
    assert unreadable.value.code == "not_verified"
    other = _backup(tmp_path, "20261202T100000Z", {})
    data = json.loads((other / "manifest.json").read_text())
    write_manifest(other, replace(Manifest(**data), format=2))
    assert verify(other) == ["manifest format 2 is not 1: written by another release"]
