"""`citysoc dead-letters` (also `citysoc deadletter`): records that could not be parsed,
with the reason, and reprocessing them with today's parsers (collectors.reprocess)."""

import sys
from datetime import datetime
from typing import Annotated

import typer

from api.cli.common import Limit, Offset, StoreOpt, console, open_soc
from api.context import local_operator
from api.terminal import Table, safe
from collectors.reprocess import REPROCESS_MAX, reprocess_dead_letters
from core.clock import TAIPEI
from core.events import DeadLetterQuery
from core.time_range import check_time

__all__ = ["dead_app"]

dead_app = typer.Typer(
    help="Records that could not be parsed, kept with the reason.", no_args_is_help=True
)
SourceOpt = Annotated[str | None, typer.Option(help="a part of the source (any case)")]
SinceOpt = Annotated[
    datetime | None, typer.Option(help="received at or after (ISO 8601; no zone: Taipei)")
]
UntilOpt = Annotated[datetime | None, typer.Option(help="received before (ISO 8601)")]


def _query(source: str | None, since: datetime | None, until: datetime | None) -> DeadLetterQuery:
    def utc(at: datetime | None, where: str) -> datetime | None:
        if at is None:
            return None
        return check_time(at if at.tzinfo else at.replace(tzinfo=TAIPEI), where)

    return DeadLetterQuery(
        source=source or None, since=utc(since, "--since"), until=utc(until, "--until")
    )


@dead_app.command("list")
def deadletter_list(
    store: StoreOpt = None,
    source: SourceOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> None:
    """Rejected records with source, position and reason, oldest first."""
    query = _query(source, since, until)
    with open_soc(store) as soc:
        table = Table(title=f"Dead letters ({soc.store.dead_letters.count(query)} selected)")
        for col in ("id", "received", "source", "position", "reason", "bytes"):
            table.add_column(col)
        for d in soc.store.dead_letters.list(limit=limit, offset=offset, query=query):
            table.add_row(
                str(d.id),
                d.received_at.astimezone(TAIPEI).strftime("%Y-%m-%d %H:%M:%S"),
                d.source,
                d.position or "-",
                d.reason,
                str(len(d.raw)),
            )
        console.print(table)


@dead_app.command("show")
def deadletter_show(letter_id: int, store: StoreOpt = None) -> None:
    """One rejected record, with its raw bytes."""
    with open_soc(store) as soc:
        d = soc.store.dead_letters.get(letter_id)
        console.print(
            f"source: {safe(d.source)}\nposition: {safe(d.position)}\nreason: {safe(d.reason)}\n"
            f"received: {d.received_at.isoformat()}\nbytes: {len(d.raw)}"
        )
        sys.stdout.write(repr(d.raw) + "\n")


@dead_app.command("reprocess")
def deadletter_reprocess(
    letter_ids: Annotated[
        list[int] | None, typer.Argument(help="dead letter ids; none: every one selected")
    ] = None,
    store: StoreOpt = None,
    source: SourceOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
) -> None:
    """Parse dead letters again with today's parsers (after a parser fix): what parses is
    stored as events, the rest stays with its new reason. Audited."""
    query = _query(source, since, until)
    if letter_ids:
        query = DeadLetterQuery(ids=tuple(letter_ids))
    with open_soc(store) as soc:
        report = reprocess_dead_letters(
            store=soc.store,
            actor=local_operator(),
            ingestor=soc.ingestor(),
            query=query,
            clock=soc.clock,
        )
    console.print(
        f"{report.examined} examined: {report.stored} stored as events, "
        f"{report.duplicates} already stored, {report.directives} W3C header lines, "
        f"{report.still_failing} still not parsed (reasons updated), "
        f"{report.not_reprocessable} cannot be read again"
    )
    if report.left:
        console.print(
            f"[yellow]{report.left} more selected: run again (at most {REPROCESS_MAX} a run)[/]"
        )
