"""`citysoc events ...`: event search (hunting) from the command line: search with a table,
CSV or JSON lines, top values of a field, the Sigma draft of a query, saved searches."""

import re
import sys
from datetime import datetime, timedelta
from typing import Annotated, Literal

import typer

from api.cli.common import StoreOpt, console, open_soc
from api.context import local_operator
from api.terminal import Table, safe
from core.clock import TAIPEI, taipei_datetime, utc_clamped
from core.errors import InputError
from core.event_query import saved, search
from core.event_query.sigma import sigma_draft

__all__ = ["events_app"]

events_app = typer.Typer(help="Search stored events (hunting).", no_args_is_help=True)

_SPAN = re.compile(r"([1-9][0-9]{0,5})([mhd])")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
Since = Annotated[
    str | None,
    typer.Option("--since", help="the last span: 30m, 24h, 7d (default: 24h unless --from)"),
]
From = Annotated[
    str | None, typer.Option("--from", help="ISO 8601 start; without a zone, Taipei time")
]
To = Annotated[str | None, typer.Option("--to", help="ISO 8601 end (default: now)")]


def _time(text: str | None, where: str) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(
            f"--{where} {text!r} is not a time: write 2026-03-02T09:00", location=where
        ) from None
    return utc_clamped(value.replace(tzinfo=TAIPEI) if value.tzinfo is None else value)


def _window(
    since: str | None, start: str | None, end: str | None, now: datetime
) -> tuple[datetime | None, datetime | None]:
    upto = _time(end, "to")
    begin = _time(start, "from")
    if since is not None:
        found = _SPAN.fullmatch(since.strip())
        if found is None or begin is not None:
            raise InputError(
                "--since takes a span such as 30m, 24h or 7d (and no --from with it)",
                location="since",
            )
        span = timedelta(**{_UNITS[found.group(2)]: int(found.group(1))})
        begin = (upto or now) - span
    return begin, upto


@events_app.command("search")
def events_search(
    query: Annotated[
        str, typer.Argument(help="e.g. 'winlog.event_id:4625 host.name:\"ws-01\"'")
    ] = "",
    since: Since = None,
    start: From = None,
    end: To = None,
    fmt: Annotated[
        Literal["table", "csv", "jsonl"], typer.Option("--format", help="table, csv or jsonl")
    ] = "table",
    limit: Annotated[int, typer.Option(min=1, max=1000, help="table rows (1-1000)")] = 50,
    store: StoreOpt = None,
) -> None:
    """Events matching QUERY, newest first (README, "Searching events"): a table of the first
    rows with the total, or every match as CSV or JSON lines on stdout."""
    with open_soc(store) as soc:
        now = soc.clock.now()
        begin, upto = _window(since, start, end, now)
        who = local_operator()
        if fmt != "table":
            for chunk in search.export(soc.store, who, query, fmt, start=begin, end=upto, now=now):
                sys.stdout.buffer.write(chunk)
            sys.stdout.flush()
            return
        found = search.search(soc.store, who, query, start=begin, end=upto, per_page=limit, now=now)
        table = Table(
            title=f"{found.total:,} events from {taipei_datetime(found.start)} "
            f"to {taipei_datetime(found.end)} (Taipei)"
        )
        for col in ("time (Taipei)", "agency", "host", "event id", "original"):
            table.add_column(col, overflow="fold")
        for e in found.events:
            table.add_row(
                taipei_datetime(e.timestamp),
                e.organization_id,
                e.host_name or "-",
                e.event_id,
                e.original[:200],
            )
        console.print(table)


@events_app.command("top")
def events_top(
    field: Annotated[str, typer.Argument(help="e.g. host.name")],
    query: Annotated[str, typer.Argument(help="the query (default: every event)")] = "",
    since: Since = None,
    start: From = None,
    end: To = None,
    store: StoreOpt = None,
) -> None:
    """The most frequent values of FIELD among the events matching QUERY."""
    with open_soc(store) as soc:
        now = soc.clock.now()
        begin, upto = _window(since, start, end, now)
        top = search.top_values(
            soc.store, local_operator(), query, field, start=begin, end=upto, now=now
        )
        table = Table(title=f"Top values of {top.field} among {top.total:,} events")
        table.add_column("value", overflow="fold")
        table.add_column("events", justify="right")
        for value, n in top.values:
            table.add_row(value, f"{n:,}")
        console.print(table)


@events_app.command("sigma")
def events_sigma(
    query: Annotated[str, typer.Argument(help="the query to turn into a rule")],
    store: StoreOpt = None,
) -> None:
    """The Sigma YAML draft of QUERY on stdout (validated by pySigma), to review and save
    into a rule folder."""
    with open_soc(store) as soc:
        who = local_operator()
        sys.stdout.write(sigma_draft(query, author=who.name, today=soc.clock.now().date()))


@events_app.command("saved")
def events_saved(store: StoreOpt = None) -> None:
    """Your saved searches and every shared one."""
    with open_soc(store) as soc:
        table = Table(title="Saved searches")
        for col in ("id", "name", "query", "owner", "shared"):
            table.add_column(col, overflow="fold")
        for s in saved.listing(soc.store, local_operator()):
            table.add_row(s.id, s.name, s.query, s.owner, "yes" if s.shared else "no")
        console.print(table)


@events_app.command("save")
def events_save(
    name: Annotated[str, typer.Argument(help="a name for the search")],
    query: Annotated[str, typer.Argument(help="the query")],
    shared: Annotated[bool, typer.Option("--shared", help="every colleague sees it")] = False,
    store: StoreOpt = None,
) -> None:
    """Save QUERY under NAME (audited)."""
    with open_soc(store) as soc:
        found = saved.save(
            soc.store, local_operator(), name=name, query=query, shared=shared, now=soc.clock.now()
        )
    console.print(f"saved search [bold]{safe(found.id)}[/]: {safe(found.name)}")


@events_app.command("unsave")
def events_unsave(
    search_id: Annotated[str, typer.Argument(help="the saved search's id (see `saved`)")],
    store: StoreOpt = None,
) -> None:
    """Delete a saved search (audited)."""
    with open_soc(store) as soc:
        saved.delete(soc.store, local_operator(), search_id, now=soc.clock.now())
    console.print(f"deleted saved search {safe(search_id)}")
