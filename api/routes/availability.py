"""``GET /v1/availability``: the service's monthly availability (docs/contract.md §3).

Any authenticated account may read it: it is the service's availability, the same for all.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from api.deps import PrincipalDep, SessionDep
from api.problems import ApiCode, Problem
from ingest.availability.report import current_month, month_ended, month_report
from ingest.contract.availability import AvailabilityReport
from ingest.platform.columns import utcnow

router = APIRouter(prefix="/v1/availability", tags=["availability"])


def current_instant() -> datetime:
    """The request's clock; tests replace it through ``app.dependency_overrides``."""
    return utcnow()


NowDep = Annotated[datetime, Depends(current_instant)]


class AvailabilityPublic(BaseModel):
    month: str = Field(description="YYYY-MM")
    complete: bool = Field(description="false while the month is not over: only its ended hours count")
    counted_hours: int
    ko_hours: int
    availability_percent: float = Field(description="rounded half up to two decimals")
    credit_percent: int = Field(description="10 when the month is below 98 % (compared exactly), else 0")
    ko_hours_list: list[str] = Field(description="start of each KO hour, ISO 8601 with the Paris offset")


def availability_public(report: AvailabilityReport, complete: bool) -> AvailabilityPublic:
    return AvailabilityPublic(
        month=report.month, complete=complete, counted_hours=report.counted_hours,
        ko_hours=report.ko_hours, availability_percent=float(report.availability_percent),
        credit_percent=report.credit_percent,
        ko_hours_list=[start.isoformat() for start in report.ko_hours_list])


@router.get("", response_model=AvailabilityPublic)
def get_availability(principal: PrincipalDep, session: SessionDep, now: NowDep,
                           month: str | None = Query(None, description="YYYY-MM; the current month by default"),
                           ) -> AvailabilityPublic:
    month = month or current_month(now)
    try:
        report = month_report(session, month, now)
    except ValueError as error:
        raise Problem(ApiCode.invalid_month, f"{error}.") from None
    return availability_public(report, month_ended(report.month, now))
