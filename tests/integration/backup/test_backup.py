"""Backups and restores through the real command, on both stacks: what comes back, what is
refused, and how a restore honours the purge."""

from __future__ import annotations

import hashlib
import threading
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import SQLModel

from ingest.backup.run import create_backup
from ingest.history.purge import run_purge
from ingest.platform.models import Document
from tests.integration.api.test_api import post_batch
from tests.integration.backup.conftest import MakeStack, bordereau
from tests.integration.backup.helpers import last_json, object_digests, open_firm, rows, store_keys
from tests.integration.conftest import Firm, Stack, wait_for
from tests.support.files import scan, text_pdf
from tests.support.store import exists

DOCS = SQLModel.metadata.tables[Document.__tablename__]
REQUEUED = ("queued_at",)
DOSSIERS = SQLModel.metadata.tables["dossiers"]
DOSSIER_COLUMNS = [c.name for c in DOSSIERS.columns]


def _source_with(fresh: MakeStack, files: list[tuple[str, bytes]]) -> tuple[Stack, TestClient, Firm, list[str]]:
    from api.app import create_app

    source = fresh("source")
    client = TestClient(create_app(source.settings))
    client.__enter__()
    firm = open_firm(source, client)
    batch = post_batch(client, firm, files)
    assert batch.status_code in (201, 202), batch.text
    return source, client, firm, [d["id"] for d in batch.json()["documents"]]


def test_a_backup_restores_rows_and_bytes_and_the_next_one_copies_only_what_is_new(
        fresh: MakeStack, tmp_path: Path) -> None:
    source, client, firm, _ = _source_with(fresh, [("a.pdf", text_pdf("Facture A")), ("s.png", scan("PNG"))])
    first = bordereau(source, "backup", "create", "--to", str(tmp_path / "bk"), "--json")
    assert first.exit_code == 0, first.output
    made = last_json(first.output)
    assert made["documents"] == 2 and made["objects"] == made["objects_new"] == 2

    post_batch(client, firm, [("b.pdf", text_pdf("Facture B"))])
    second = last_json(bordereau(source, "backup", "create", "--to", str(tmp_path / "bk"), "--json").output)
    client.__exit__(None, None, None)
    assert second["documents"] == 3 and second["objects"] == 3
    assert second["objects_new"] == 1 and second["object_bytes_new"] == len(text_pdf("Facture B"))
    checked = bordereau(source, "backup", "verify", str(tmp_path / "bk"), "--json")
    assert checked.exit_code == 0 and last_json(checked.output)["ok"] is True, checked.output

    target = fresh("target", migrated=False)
    done = bordereau(target, "backup", "restore", "--from", str(tmp_path / "bk"), "--json")
    assert done.exit_code == 0, done.output
    assert last_json(done.output)["documents"] == 3
    # Unfinished in the backup (no worker ran): handed out again, so only their queueing time moved.
    assert last_json(done.output)["requeued"] == 3
    assert rows(target, "documents", skip=REQUEUED) == rows(source, "documents", skip=REQUEUED)
    assert object_digests(target) == object_digests(source)
    assert store_keys(target) == store_keys(source)


def test_a_backup_taken_while_uploads_go_on_restores_a_consistent_service(fresh: MakeStack, tmp_path: Path) -> None:
    """Uploads keep arriving during the backup: the restore holds exactly the snapshot's documents,
    each with its bytes, and no object without its row."""
    source, client, firm, _ = _source_with(fresh, [("a.pdf", text_pdf("Facture A"))])
    stop, sent = threading.Event(), [0]

    def upload() -> None:
        while not stop.is_set():
            sent[0] += 1
            post_batch(client, firm, [(f"u{sent[0]}.pdf", text_pdf(f"Facture U-{sent[0]}"))])

    uploader = threading.Thread(target=upload)
    uploader.start()
    try:
        wait_for(lambda: sent[0] >= 3, 30, what="uploads under way")
        made = create_backup(source.engine, source.store, source.settings.effective_database_url(), tmp_path / "bk")
        wait_for(lambda: sent[0] >= made.manifest.tables["documents"] + 2, 30, what="uploads after the backup")
    finally:
        stop.set()
        uploader.join()
        client.__exit__(None, None, None)
    assert made.manifest.tables["documents"] >= 3

    target = fresh("target", migrated=False)
    done = bordereau(target, "backup", "restore", "--from", str(tmp_path / "bk"), "--json")
    assert done.exit_code == 0, done.output
    restored = _docs(target)
    assert len(restored) == made.manifest.tables["documents"] < len(_docs(source))
    digests = object_digests(target)
    assert all(digests[r.id] == r.object_key.rsplit("/", 1)[-1] for r in restored)
    assert store_keys(target) == {r.object_key for r in restored}


def test_restore_refuses_a_target_with_data_unless_forced(fresh: MakeStack, tmp_path: Path) -> None:
    source, client, _, _ = _source_with(fresh, [("a.pdf", text_pdf("Facture A"))])
    client.__exit__(None, None, None)
    assert bordereau(source, "backup", "create", "--to", str(tmp_path / "bk")).exit_code == 0
    target = fresh("target")  # migrated: it has tables
    refused = bordereau(target, "backup", "restore", "--from", str(tmp_path / "bk"))
    assert refused.exit_code == 1
    assert "target_not_empty" in refused.output and "Traceback" not in refused.output
    forced = bordereau(target, "backup", "restore", "--from", str(tmp_path / "bk"), "--force", "--json")
    assert forced.exit_code == 0, forced.output
    assert rows(target, "documents", skip=REQUEUED) == rows(source, "documents", skip=REQUEUED)


def test_a_damaged_or_unfinished_backup_is_refused(fresh: MakeStack, tmp_path: Path) -> None:
    source, client, _, _ = _source_with(fresh, [("a.pdf", text_pdf("Facture A"))])
    client.__exit__(None, None, None)
    root = tmp_path / "bk"
    assert bordereau(source, "backup", "create", "--to", str(root)).exit_code == 0
    blob = next(p for p in (root / "objects").rglob("*") if p.is_file())
    blob.write_bytes(blob.read_bytes()[:-1] + b"!")  # same size, one byte changed

    checked = bordereau(source, "backup", "verify", str(root), "--json")
    assert checked.exit_code == 1
    assert "sha256" in last_json(checked.output)["problems"][0]
    target = fresh("target", migrated=False)
    refused = bordereau(target, "backup", "restore", "--from", str(root))
    assert refused.exit_code == 1 and "not_verified" in refused.output

    (root / "empty").mkdir(parents=True)
    (root / ".20260101T000000Z.partial").mkdir()  # what a backup killed half-way leaves
    none = bordereau(source, "backup", "verify", str(root / "empty"))
    assert none.exit_code == 1 and "no_backup" in none.output and "Traceback" not in none.output


def test_a_restore_never_brings_back_a_document_purged_after_the_backup(fresh: MakeStack, tmp_path: Path) -> None:
    """The decision (docs/operations.md): a restore runs the purge as of now before it puts any
    object back. A document purged since the backup goes again, its tombstone is written again,
    and its bytes never reach the restored store."""
    source, client, _, (old, kept) = _source_with(fresh, [("old.pdf", text_pdf("Facture 2020")),
                                                          ("new.pdf", text_pdf("Facture 2026"))])
    client.__exit__(None, None, None)
    with source.engine.begin() as conn:  # received long ago: outside the two-year history now
        conn.execute(DOCS.update().where(DOCS.c.id == old).values(reference_date=date(2020, 1, 15)))
    assert bordereau(source, "backup", "create", "--to", str(tmp_path / "bk")).exit_code == 0
    old_key = next(r.object_key for r in _docs(source) if r.id == old)
    assert run_purge(source.engine, source.store).documents == 1  # the nightly purge, after the backup

    target = fresh("target", migrated=False)
    done = bordereau(target, "backup", "restore", "--from", str(tmp_path / "bk"), "--json")
    assert done.exit_code == 0, done.output
    assert last_json(done.output)["purged"] == 1
    assert [r.id for r in _docs(target)] == [kept]
    assert not exists(target.store, old_key)
    assert [t[0] for t in rows(target, "tombstones")] == [old]
    assert store_keys(target) == store_keys(source)


def test_restoring_an_older_backup_purges_again_what_a_newer_one_had_purged(fresh: MakeStack,
                                                                             tmp_path: Path) -> None:
    """Beyond the purge rule: a dossier on legal hold in the older backup, released and purged
    before the newer one. Restoring the older backup brings the hold back, yet the document stays
    gone: the newer backup's list of purged documents is honoured."""
    source, client, firm, (held, _) = _source_with(fresh, [("held.pdf", text_pdf("Facture 2020")),
                                                          ("new.pdf", text_pdf("Facture 2026"))])
    client.__exit__(None, None, None)
    root = tmp_path / "bk"
    with source.engine.begin() as conn:
        conn.execute(DOCS.update().where(DOCS.c.id == held).values(reference_date=date(2020, 1, 15)))
        conn.execute(DOSSIERS.update().where(DOSSIERS.c.id == firm.dossier_id).values(legal_hold=True))
    older = last_json(bordereau(source, "backup", "create", "--to", str(root), "--json").output)["path"]
    with source.engine.begin() as conn:
        conn.execute(DOSSIERS.update().where(DOSSIERS.c.id == firm.dossier_id).values(legal_hold=False))
    assert run_purge(source.engine, source.store).documents == 1
    assert bordereau(source, "backup", "create", "--to", str(root)).exit_code == 0

    target = fresh("target", migrated=False)
    done = bordereau(target, "backup", "restore", "--from", str(root), "--backup", Path(older).name, "--json")
    assert done.exit_code == 0, done.output
    assert last_json(done.output)["purged"] == 1
    assert held not in {r.id for r in _docs(target)} and held in {t[0] for t in rows(target, "tombstones")}
    assert rows(target, "dossiers")[0][DOSSIER_COLUMNS.index("legal_hold")] is True  # the hold came back
    assert store_keys(target) == store_keys(source)


def test_prune_keeps_the_newest_backups_and_drops_bytes_only_older_ones_held(fresh: MakeStack,
                                                                             tmp_path: Path) -> None:
    source, client, _, (old, _kept) = _source_with(fresh, [("old.pdf", text_pdf("Facture 2020")),
                                                           ("new.pdf", text_pdf("Facture 2026"))])
    client.__exit__(None, None, None)
    root = tmp_path / "bk"
    with source.engine.begin() as conn:
        conn.execute(DOCS.update().where(DOCS.c.id == old).values(reference_date=date(2020, 1, 15)))
    assert bordereau(source, "backup", "create", "--to", str(root)).exit_code == 0
    run_purge(source.engine, source.store)
    assert bordereau(source, "backup", "create", "--to", str(root)).exit_code == 0
    blobs = {p.name for p in (root / "objects").glob("??/*")}
    assert len(blobs) == 2

    refused = bordereau(source, "backup", "prune", str(root), "--keep", "0")
    assert refused.exit_code == 1 and "keep_none" in refused.output
    pruned = bordereau(source, "backup", "prune", str(root), "--keep", "1", "--json")
    assert pruned.exit_code == 0, pruned.output
    assert last_json(pruned.output)["objects"] == 1 and len(last_json(pruned.output)["deleted"]) == 1
    old_sha = text_pdf_sha("Facture 2020")
    assert {p.name for p in (root / "objects").glob("??/*")} == blobs - {old_sha}
    assert bordereau(source, "backup", "verify", str(root)).exit_code == 0


def test_an_unusable_directory_is_one_line_not_a_traceback(fresh: MakeStack, tmp_path: Path) -> None:
    source = fresh("source")
    (tmp_path / "a-file").write_bytes(b"not a folder")
    made = bordereau(source, "backup", "create", "--to", str(tmp_path / "a-file"))
    assert made.exit_code == 1 and "folder_unusable" in made.output
    assert isinstance(made.exception, SystemExit)  # the command said why and exited, nothing raised


def text_pdf_sha(text: str) -> str:
    return hashlib.sha256(text_pdf(text)).hexdigest()


def _docs(stack: Stack) -> list[sa.Row]:  # type: ignore[type-arg]
    with stack.engine.connect() as conn:
        return list(conn.execute(sa.select(DOCS.c.id, DOCS.c.object_key)))
