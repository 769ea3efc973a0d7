"""Trends: alerts and events per hour or day over a period, with the top rules and hosts
(``reports.trends``; a reporter gets their own agency's)."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import ActorDep, Soc
from api.filters import Text, When
from core.trends import AlertDimension, Bucket
from reports.trends import trends

__all__ = ["TrendsRead", "router"]

router = APIRouter()


class SeriesRead(BaseModel):
    key: str  # an agency code, a rule id or a severity
    total: int
    counts: list[int]  # one per bucket, in the order of ``TrendsRead.buckets``


class TopRead(BaseModel):
    key: str
    count: int
    title: str | None = None  # a rule's title


class TrendsRead(BaseModel):
    since: datetime
    until: datetime
    bucket: Bucket
    by: AlertDimension
    agency: str | None
    buckets: list[datetime]  # each bucket's start (a Taipei hour or day), UTC
    alerts: list[SeriesRead]
    events: list[SeriesRead]  # per agency
    top_rules: list[TopRead]
    top_hosts: list[TopRead]


@router.get("/api/v1/trends", response_model=TrendsRead)
def trends_read(
    who: ActorDep,
    soc: Soc,
    since: When = None,
    until: When = None,
    bucket: Annotated[Bucket | None, Query(description="hour or day (default: by period)")] = None,
    by: Annotated[AlertDimension, Query(description="split alerts by")] = AlertDimension.AGENCY,
    agency: Text = None,
) -> TrendsRead:
    """Alerts (split by agency, rule or severity) and events (per agency) per Taipei hour
    or day over ``[since, until)``, the last 7 days by default; at most 800 buckets."""
    view = trends(
        soc.store,
        actor=who,
        now=soc.clock.now(),
        since=since,
        until=until,
        bucket=bucket,
        by=by,
        agency=agency,
    )
    return TrendsRead(
        since=view.since,
        until=view.until,
        bucket=view.bucket,
        by=view.by,
        agency=view.agency,
        buckets=list(view.starts),
        alerts=[SeriesRead(key=s.key, total=s.total, counts=list(s.counts)) for s in view.alerts],
        events=[SeriesRead(key=s.key, total=s.total, counts=list(s.counts)) for s in view.events],
        top_rules=[TopRead(key=c.key, count=c.count, title=c.label) for c in view.top_rules],
        top_hosts=[TopRead(key=c.key, count=c.count) for c in view.top_hosts],
    )
