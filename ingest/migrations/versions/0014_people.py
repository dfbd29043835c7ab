"""people: passwords, sessions, dossier rights, named keys, the audit log, who uploaded a batch

Users get a password (Argon2id), an initial-password flag, dossier rights, a lockout and the instants
they stopped counting as named users or were deleted; API keys a name and a last use; batches the
user who sent them. New tables: sessions, user_dossiers, login_failures, audit_log.

Users recorded before have no password (an operator gives them an initial one with
`bordereau operator reset-password`); those already inactive stopped counting as named users when
they were created, as the rule before this one counted them.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import ingest.platform.columns

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

_ID = sqlmodel.sql.sqltypes.AutoString(length=36)
_INSTANT = ingest.platform.columns.UTCDateTime(timezone=True)


# Columns are added and dropped in place (ALTER TABLE on both PostgreSQL and SQLite 3.35+): batch mode
# would copy `users` and `batches` on SQLite, which their foreign keys forbid once rows refer to them.
# For the same reason `batches.uploaded_by` has no foreign key: users are never deleted (a deleted
# user's row stays), so the id always names a row.
def _user_columns() -> tuple[sa.Column[object], ...]:
    """New each time: a column joins the table of the first migration run that uses it."""
    return (
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
        sa.Column("password_initial", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("all_dossiers", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("locked_at", _INSTANT, nullable=True),
        sa.Column("last_login_at", _INSTANT, nullable=True),
        sa.Column("deactivated_at", _INSTANT, nullable=True),
        sa.Column("deleted_at", _INSTANT, nullable=True),
    )


def _key_columns() -> tuple[sa.Column[object], ...]:
    return (
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False, server_default=""),
        sa.Column("last_used_at", _INSTANT, nullable=True),
    )


def upgrade() -> None:
    for column in _user_columns():
        op.add_column("users", column)
    op.execute("UPDATE users SET deactivated_at = created_at WHERE NOT active")
    for column in _key_columns():
        op.add_column("api_keys", column)
    op.add_column("batches", sa.Column("uploaded_by", _ID, nullable=True))
    op.create_table(
        "user_dossiers",
        sa.Column("user_id", _ID, sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("dossier_id", _ID, sa.ForeignKey("dossiers.id"), primary_key=True),
    )
    op.create_index("ix_user_dossiers_dossier_id", "user_dossiers", ["dossier_id"])
    op.create_table(
        "sessions",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("user_id", _ID, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False, unique=True),
        sa.Column("created_at", _INSTANT, nullable=False),
        sa.Column("last_seen_at", _INSTANT, nullable=False),
        sa.Column("expires_at", _INSTANT, nullable=False),
        sa.Column("revoked_at", _INSTANT, nullable=True),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    )
    op.create_index("ix_sessions_user_id", "sessions", ["user_id"])
    op.create_table(
        "login_failures",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=320), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("at", _INSTANT, nullable=False),
    )
    for column in ("email", "address", "at"):
        op.create_index(f"ix_login_failures_{column}", "login_failures", [column])
    op.create_table(
        "audit_log",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("account_id", _ID, sa.ForeignKey("accounts.id"), nullable=True),
        sa.Column("actor_id", _ID, nullable=True),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=48), nullable=False),
        sa.Column("target_id", _ID, nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("at", _INSTANT, nullable=False),
    )
    op.create_index("ix_audit_log_account_id", "audit_log", ["account_id"])
    op.create_index("ix_audit_log_at", "audit_log", ["at"])


def downgrade() -> None:
    for table in ("audit_log", "login_failures", "sessions", "user_dossiers"):
        op.drop_table(table)
    op.drop_column("batches", "uploaded_by")
    for column in reversed(_key_columns()):
        op.drop_column("api_keys", column.name)
    for column in reversed(_user_columns()):
        op.drop_column("users", column.name)
