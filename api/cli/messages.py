"""`citysoc messages`: the outbox of messages to people (list, retry, send now)."""

import json
from typing import Annotated

import typer

from api.cli.common import Limit, Offset, StoreOpt, console, open_soc
from api.context import local_operator
from api.terminal import Table, safe
from core.messages import MessageStatus

__all__ = ["messages_app"]

messages_app = typer.Typer(
    help="Messages to people (e-mail, webhook): the outbox.", no_args_is_help=True
)


@messages_app.command("list")
def messages_list(
    status: Annotated[MessageStatus | None, typer.Option(help="pending, sent or failed")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
    output: Annotated[str, typer.Option("--format", help="table or json")] = "table",
    store: StoreOpt = None,
) -> None:
    """Messages, newest first, with status, attempts and the last error."""
    from incidents.messages.outbox import list_messages

    with open_soc(store) as soc:
        total, page = list_messages(
            soc.store, actor=local_operator(), status=status, limit=limit, offset=offset
        )
    if output == "json":
        console.print_json(json.dumps([m.model_dump(mode="json") for m in page]))
        return
    table = Table(title=f"Messages ({offset + 1}-{offset + len(page)} of {total})")
    for col in ("id", "created", "kind", "to", "channel", "status", "attempts", "last error"):
        table.add_column(col)
    for m in page:
        table.add_row(
            m.id,
            m.created_at.isoformat(timespec="seconds"),
            m.kind.value,
            safe(m.recipient),
            m.channel.value,
            m.status.value,
            str(m.attempts),
            safe(m.last_error or ""),
        )
    console.print(table)


@messages_app.command("retry")
def messages_retry(message_id: str, store: StoreOpt = None) -> None:
    """Queue a pending or failed message again now; `serve` (or `messages send`) sends it."""
    from incidents.messages.outbox import retry_message

    with open_soc(store) as soc:
        message = retry_message(
            soc.store, actor=local_operator(), message_id=message_id, clock=soc.clock
        )
    console.print(f"queued {message.id} again ({message.kind.value} to {safe(message.recipient)})")


@messages_app.command("send")
def messages_send(store: StoreOpt = None) -> None:
    """One pass now, as `serve` does every CITYSOC_MESSAGE_SCAN_SECONDS: queue what the
    clocks, reviews and suspected cases deserve, then send what is due."""
    from incidents.messages.run import run_messages

    with open_soc(store) as soc:
        done = run_messages(
            soc.store, registry=soc.registry, settings=soc.settings, clock=soc.clock
        )
    d = done.delivery
    console.print(
        f"queued {done.found.queued}; sent {d.sent}, retrying {d.retrying}, failed {d.failed}"
    )
    for error in d.errors:
        console.print(f"  {safe(error)}")
