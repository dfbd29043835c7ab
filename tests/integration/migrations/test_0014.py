"""Migration 0014 gives users passwords, rights and lifetimes: rows written before it keep working
and keep counting as they did."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command
from sqlmodel import Session

from ingest.accounts.identify import by_key
from ingest.accounts.keys import KEY_SCHEME, _hash_secret
from ingest.accounts.users import named_users
from ingest.platform.db import alembic_config, make_engine


def test_users_and_keys_recorded_before_keep_working_and_counting(empty_database: str) -> None:
    command.upgrade(alembic_config(empty_database), "0013")
    engine = make_engine(empty_database)
    created = datetime(2026, 1, 10, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO accounts (id, name, kind, active, created_at) "
                             "VALUES ('a', 'A', 'firm', true, :at)"), {"at": created})
        for user_id, active in (("on", True), ("off", False)):
            conn.execute(sa.text("INSERT INTO users (id, account_id, email, role, active, created_at) "
                                 "VALUES (:id, 'a', :email, 'admin', :active, :at)"),
                         {"id": user_id, "email": f"{user_id}@a.test", "active": active, "at": created})
        conn.execute(sa.text("INSERT INTO api_keys (id, user_id, prefix, secret_hash, created_at) "
                             "VALUES ('k', 'on', 'abc123', :hash, :at)"),
                     {"hash": _hash_secret("s3cret"), "at": created})
        conn.execute(sa.text("INSERT INTO dossiers (id, account_id, name, legal_hold, created_at) "
                             "VALUES ('d', 'a', 'D', false, :at)"), {"at": created})
        conn.execute(sa.text("INSERT INTO batches (id, account_id, dossier_id, flow, flow_reason, flow_message, "
                             "received_at) VALUES ('b', 'a', 'd', 'daily', '', '', :at)"), {"at": created})
    command.upgrade(alembic_config(empty_database), "heads")
    with Session(engine) as session:
        principal = by_key(session, f"{KEY_SCHEME}_abc123_s3cret", datetime(2026, 12, 1, tzinfo=UTC))
        session.commit()
        # The inactive user counted in no period before; it does not now either.
        count = named_users(session, "a", datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
    with engine.connect() as conn:
        user = conn.execute(sa.text("SELECT password_hash, password_initial, all_dossiers, failed_logins "
                                    "FROM users WHERE id = 'on'")).one()
        key = conn.execute(sa.text("SELECT name, last_used_at FROM api_keys")).one()
        uploaded_by = conn.execute(sa.text("SELECT uploaded_by FROM batches")).scalar_one()
    engine.dispose()
    assert principal is not None and principal.dossier_ids is None and not principal.must_change_password
    assert count == 1
    assert tuple(user) == (None, False, True, 0)
    assert key[0] == "" and key[1] is not None
    assert uploaded_by is None
    command.downgrade(alembic_config(empty_database), "0013")
