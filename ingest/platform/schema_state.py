"""Where a database's schema stands against the migrations this release ships: what
``bordereau migrate --check`` answers a deploy pipeline, and what ``migrate`` checks before it runs."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.pool import NullPool

from ingest.platform.db import alembic_config, make_engine


class SchemaState(StrEnum):
    current = "current"  # at this release's newest revision
    behind = "behind"    # older (or empty): `bordereau migrate` brings it up
    ahead = "ahead"      # holds a revision this release does not know: a newer release migrated it


@dataclass(frozen=True)
class SchemaStatus:
    state: SchemaState
    database: tuple[str, ...]  # the revisions the database records (none: no schema yet)
    newest: tuple[str, ...]    # this release's head revisions

    @property
    def sentence(self) -> str:
        newest, at = ", ".join(self.newest), ", ".join(self.database)
        if self.state is SchemaState.current:
            return f"The database schema is at this release's newest revision ({newest})."
        if self.state is SchemaState.ahead:
            return (f"The database is at revision {at}, which this release does not know (its newest is {newest}): "
                    f"a newer release migrated it. Deploy that release or a newer one; this one must not run on it.")
        if not self.database:
            return (f"The database has no schema yet (this release's newest revision is {newest}): "
                    "run `bordereau migrate`.")
        return f"The database is at revision {at}, behind this release's {newest}: run `bordereau migrate`."


def schema_status(url: str) -> SchemaStatus:
    """Reads the database's recorded revisions (one short connection) and compares them with the
    migrations on disk. Several heads are compared as a set (a feature branch not yet merged)."""
    script = ScriptDirectory.from_config(alembic_config(url))
    known = {rev.revision for rev in script.walk_revisions()}
    newest = tuple(sorted(script.get_heads()))
    engine = make_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            database = tuple(sorted(MigrationContext.configure(conn).get_current_heads()))
    finally:
        engine.dispose()
    if set(database) - known:
        state = SchemaState.ahead
    elif database == newest:
        state = SchemaState.current
    else:
        state = SchemaState.behind
    return SchemaStatus(state, database, newest)
