"""Alembic environment: runs the migrations on the URL given by ``ingest.platform.db``.

The target metadata is the whole schema (``ingest.schema``), for ``alembic revision --autogenerate``."""

from __future__ import annotations

from alembic import context

from ingest.platform.db import make_engine
from ingest.schema import metadata

config = context.config
target_metadata = metadata


def run_migrations_offline() -> None:
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata,
                      literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        # Batch mode lets later migrations alter tables on SQLite too. Each revision commits on its
        # own: an upgrade over several releases does not hold the first one's locks until the last
        # one ends (docs/operations.md, "Upgrades").
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True,
                          transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
