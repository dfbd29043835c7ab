"""The maintenance banner every page shows while a window is near or running (docs/contract.md §8:
windows are announced to everyone).

A page that cannot read the windows (the database away) is still shown, without its banner: the
banner is a courtesy, the page is what the person came for.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from fastapi import Request
from sqlmodel import Session

from ingest.platform.columns import utcnow
from ingest.support.maintenance import near_windows

log = logging.getLogger(__name__)

# A window is announced on every page from three days before it starts until it ends.
BANNER_HORIZON = timedelta(days=3)


@dataclass(frozen=True)
class Notice:
    starts_at: datetime
    ends_at: datetime
    description: str
    running: bool


def maintenance_near(request: Request) -> list[Notice]:
    resources = getattr(request.app.state, "resources", None)
    if resources is None:
        return []
    now = utcnow()
    try:
        with Session(resources.engine) as session:
            return [Notice(w.starts_at, w.ends_at, w.description, w.starts_at <= now)
                    for w in near_windows(session, now, BANNER_HORIZON)]
    except sa.exc.SQLAlchemyError:
        log.warning("maintenance windows unreadable: pages are shown without their banner", exc_info=True)
        return []
