"""one head for the feature branches

Each feature added its tables on a branch from 0001; this joins them, so the
next revision has a single parent.

Revision ID: 0008
Revises: 0002, 0003, 0004, 0005, 0006, 0007
Create Date: 2026-11-27
"""

from __future__ import annotations

revision = '0008'
down_revision = ('0002', '0003', '0004', '0005', '0006', '0007')
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
