"""Tables of intake: the files an upload refused.
"""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class Rejection(SQLModel, table=True):
    """A file refused at upload: it never became a document."""

    __tablename__ = "rejections"
    id: int | None = Field(default=None, primary_key=True)
    batch_id: str = Field(foreign_key="batches.id", index=True)
    filename: str = Field(max_length=500)
    reason: str = Field(max_length=64)
    message: str = Field(max_length=1000)
