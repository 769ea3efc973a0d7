"""The trends page: alerts and events per hour or day over a period, as line charts with
their figures in a table, and the top rules and hosts (``reports.trends``)."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from api.deps import Soc
from api.filters import Day, Text
from api.pages.deps import Session
from api.pages.rendering import agency_name, labels_for, page
from api.sessions import lang_of
from core.clock import TAIPEI
from core.trends import AlertDimension, Bucket
from reports.charts import line_chart
from reports.trends import DEFAULT_DAYS, OTHER, Series, TrendView, folded, trends

__all__ = ["router"]

router = APIRouter(include_in_schema=False)
CHART_LINES = 8  # lines drawn; the rest are added up as "other"


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), TAIPEI).astimezone(UTC)


def _tick(at: datetime, bucket: Bucket) -> str:
    local = at.astimezone(TAIPEI)
    return f"{local:%m-%d}" if bucket is Bucket.DAY else f"{local:%m-%d %H}:00"


def _alert_names(request: Request, soc: Soc, view: TrendView) -> dict[str, str]:
    """What each alert series is called: an agency by its name, a severity by its term, a
    rule by its title where the top table knows it (else its id)."""
    t, lang = labels_for(request), lang_of(request)
    names = {OTHER: t["trends_other"]}
    for s in view.alerts:
        if view.by is AlertDimension.AGENCY:
            names[s.key] = agency_name(soc, s.key, lang)
        elif view.by is AlertDimension.SEVERITY:
            names[s.key] = t.get(f"sev_{s.key}", s.key)
        else:
            names[s.key] = s.key
    if view.by is AlertDimension.RULE:
        names |= {c.key: c.label or c.key for c in view.top_rules}
    return names


def _chart(series: list[Series], ticks: list[str], names: dict[str, str]) -> str:
    return line_chart(ticks, [(names.get(s.key, s.key), s.counts) for s in series])


@router.get("/trends")
def trends_page(
    request: Request,
    soc: Soc,
    session: Session,
    start: Annotated[Day | None, Query(alias="from")] = None,
    end: Annotated[Day | None, Query(alias="to")] = None,
    bucket: Annotated[Bucket | None, Query()] = None,
    by: Annotated[AlertDimension, Query()] = AlertDimension.AGENCY,
    agency: Text = None,
) -> Response:
    """``from`` and ``to`` are Taipei days, both included (the last week by default)."""
    who = session.who
    today = soc.clock.now().astimezone(TAIPEI).date()
    end = end or today
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if end < start:
        start, end = end, start
    view = trends(
        soc.store,
        actor=who,
        now=soc.clock.now(),
        since=_start_of(start),
        until=_start_of(end + timedelta(days=1)),
        bucket=bucket,
        by=by,
        agency=agency,
    )
    lang = lang_of(request)
    names = _alert_names(request, soc, view)
    places = {OTHER: labels_for(request)["trends_other"]}
    places |= {s.key: agency_name(soc, s.key, lang) for s in view.events}
    ticks = [_tick(at, view.bucket) for at in view.starts]
    alerts, events = folded(view.alerts, CHART_LINES), folded(view.events, CHART_LINES)
    asked = {
        "since": view.since.isoformat(),
        "until": view.until.isoformat(),
        "bucket": view.bucket.value,
        "by": view.by.value,
        **({"agency": agency} if agency else {}),
    }
    return page(
        request,
        "trends.html.j2",
        who=who,
        csrf=session.csrf,
        v=view,
        start=start,
        end=end,
        agency=agency or "",
        agencies=list(soc.registry) if who.scope.citywide else [],
        buckets=list(Bucket),
        dimensions=list(AlertDimension),
        names=names,
        places=places,
        other=OTHER,
        ticks=ticks,
        alerts=alerts,
        events=events,
        alert_chart=_chart(alerts, ticks, names),
        event_chart=_chart(events, ticks, places),
        api=f"/api/v1/trends?{urlencode(asked)}",
    )
