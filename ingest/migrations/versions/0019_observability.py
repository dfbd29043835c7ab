"""observability: the request id an outbox message carries, and the time OCR took on a document

`outbox.request_id`: the id of the API request that wrote the message, sent as a header of the task
message so the worker's log lines for that document carry it (null for messages written outside a
request, and for rows written before). `documents.ocr_seconds` and `documents.ocr_pages`: how long
Tesseract ran on the document and on how many pages, for `bordereau_ocr_seconds_per_page` (null
when no page needed OCR, and for documents processed before). Nullable columns only: the previous
release keeps writing and reading these tables during a rolling upgrade.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as outbox:
        outbox.add_column(sa.Column("request_id", sa.String(length=64), nullable=True))
    with op.batch_alter_table("documents") as documents:
        documents.add_column(sa.Column("ocr_seconds", sa.Float(), nullable=True))
        documents.add_column(sa.Column("ocr_pages", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("documents") as documents:
        documents.drop_column("ocr_pages")
        documents.drop_column("ocr_seconds")
    with op.batch_alter_table("outbox") as outbox:
        outbox.drop_column("request_id")
