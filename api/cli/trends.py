"""`citysoc trends`: alerts and events per hour or day over a period, and the top rules
and hosts (the `/trends` page's figures, ``reports.trends``)."""

import sys
from datetime import datetime
from typing import Annotated

import typer

from api.cli.common import StoreOpt, console, open_soc
from api.context import local_operator
from api.terminal import Table, json_text
from core.clock import TAIPEI
from core.time_range import check_time
from core.trends import AlertDimension, Bucket
from reports.trends import Series, TrendView, trends

__all__ = ["trends_command"]


def _time(value: str | None, option: str) -> datetime | None:
    """ISO 8601; without an offset it is Taipei time (as on the pages)."""
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"not an ISO 8601 time: {value}", param_hint=option) from exc
    return check_time(at if at.tzinfo else at.replace(tzinfo=TAIPEI), option)


def _tick(at: datetime, bucket: Bucket) -> str:
    local = at.astimezone(TAIPEI)
    return f"{local:%Y-%m-%d}" if bucket is Bucket.DAY else f"{local:%Y-%m-%d %H}:00"


def _table(title: str, view: TrendView, series: tuple[Series, ...]) -> Table:
    table = Table(title=title)
    table.add_column("bucket (Taipei)")
    for s in series:
        table.add_column(s.key, justify="right")
    for n, at in enumerate(view.starts):
        table.add_row(_tick(at, view.bucket), *(str(s.counts[n]) for s in series))
    table.add_row("total", *(str(s.total) for s in series))
    return table


def _json(view: TrendView) -> str:
    def series(found: tuple[Series, ...]) -> list[dict[str, object]]:
        return [{"key": s.key, "total": s.total, "counts": list(s.counts)} for s in found]

    return json_text(
        {
            "since": view.since.isoformat(),
            "until": view.until.isoformat(),
            "bucket": view.bucket.value,
            "by": view.by.value,
            "agency": view.agency,
            "buckets": [at.isoformat() for at in view.starts],
            "alerts": series(view.alerts),
            "events": series(view.events),
            "top_rules": [
                {"key": c.key, "count": c.count, "title": c.label} for c in view.top_rules
            ],
            "top_hosts": [{"key": c.key, "count": c.count} for c in view.top_hosts],
        }
    )


def trends_command(
    since: Annotated[
        str | None, typer.Option(help="ISO 8601 (no offset: Taipei time); default 7 days ago")
    ] = None,
    until: Annotated[str | None, typer.Option(help="ISO 8601; default now")] = None,
    bucket: Annotated[
        Bucket | None, typer.Option(help="hour or day (default: hours up to 2 days)")
    ] = None,
    by: Annotated[AlertDimension, typer.Option(help="split alerts by")] = AlertDimension.AGENCY,
    agency: Annotated[str | None, typer.Option(help="agency code")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    store: StoreOpt = None,
) -> None:
    """Alerts and events per hour or day over a period; the top rules and hosts."""
    with open_soc(store) as soc:
        view = trends(
            soc.store,
            actor=local_operator(),
            now=soc.clock.now(),
            since=_time(since, "--since"),
            until=_time(until, "--until"),
            bucket=bucket,
            by=by,
            agency=agency,
        )
        if fmt == "json":
            sys.stdout.write(_json(view) + "\n")
            return
        console.print(_table(f"Alerts by {view.by.value}", view, view.alerts))
        console.print(_table("Events by agency", view, view.events))
        for title, found in (("Top rules", view.top_rules), ("Top hosts", view.top_hosts)):
            top = Table(title=title)
            top.add_column("rule" if found is view.top_rules else "host")
            top.add_column("alerts", justify="right")
            for c in found:
                top.add_row(c.label or c.key, str(c.count))
            console.print(top)
