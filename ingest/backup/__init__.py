"""Backups and restores of the database and the object store, and their manifest.

A backup directory holds any number of backups, which share one content-addressed folder of
objects so that each backup copies only what is new:

    DIR/objects/<sha256[:2]>/<sha256>        every object's bytes, once, by its checksum
    DIR/<stamp>/database.sqlite3 | .dump     the database (SQLite online backup / pg_dump -Fc)
    DIR/<stamp>/objects.tsv                  store key, size, sha256 of every object backed up
    DIR/<stamp>/purged.txt                   the snapshot's tombstones: ids of documents purged before it
    DIR/<stamp>/manifest.json                counts and checksums; written last: no manifest, no backup

Modules: ``manifest`` (the manifest and its verification), ``sqlite`` and ``postgres`` (one
database each), ``objects`` (the store to the folder and back), ``run`` (the two use cases).
"""
