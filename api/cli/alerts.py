"""`citysoc alerts`: the queue and triage of alert groups."""

import sys
from typing import Annotated

import typer

from api.cli.common import Limit, Offset, StoreOpt, console, open_soc
from api.context import local_operator
from api.terminal import Table, json_text, safe
from core.alerts import AlertQuery, AlertStatus, Severity
from core.clock import roc_date
from reports import listings

__all__ = ["alerts_app", "alerts_groups"]

alerts_app = typer.Typer(help="Alerts raised by detections.", no_args_is_help=True)


@alerts_app.command("list")
def alerts_list(
    store: StoreOpt = None,
    agency: Annotated[str | None, typer.Option(help="agency code")] = None,
    status: Annotated[
        AlertStatus | None, typer.Option(help="new, false_positive, escalated")
    ] = None,
    severity: Annotated[Severity | None, typer.Option(help="informational ... critical")] = None,
    rule: Annotated[str | None, typer.Option(help="part of a rule's id or title")] = None,
    host: Annotated[str | None, typer.Option(help="part of the host name, any case")] = None,
    assignee: Annotated[str | None, typer.Option(help="who works them")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
    fmt: Annotated[
        str, typer.Option("--format", help="table, json, or csv (every match, streamed)")
    ] = "table",
    lang: Annotated[str, typer.Option(help="csv headers and names: zh or en")] = "zh",
) -> None:
    """The alert queue, newest first, with the web queue's filters."""
    if fmt not in ("table", "json", "csv"):
        raise typer.BadParameter("table, json or csv", param_hint="--format")
    if lang not in ("zh", "en"):
        raise typer.BadParameter("zh or en", param_hint="--lang")
    query = AlertQuery(
        organization_id=agency,
        status=status,
        severity=severity,
        rule_contains=rule,
        host_contains=host,
        assignee=assignee,
        newest_first=True,
    )
    if fmt == "csv":
        with open_soc(store) as soc:
            chunks = listings.stream_alerts_csv(
                soc.store,
                actor=local_operator(),
                query=query,
                registry=soc.registry,
                lang="en" if lang == "en" else "zh",
            )
            for chunk in chunks:
                sys.stdout.buffer.write(chunk)
            sys.stdout.flush()
        return
    with open_soc(store) as soc:
        items = soc.store.alerts.list(query, limit=limit, offset=offset)
        if fmt == "json":
            sys.stdout.write(json_text([a.model_dump(mode="json") for a in items]) + "\n")
            return
        table = Table(
            title=f"Alerts {offset + 1}-{offset + len(items)} of {soc.store.alerts.count(query)}"
        )
        for col in ("time (Taipei)", "severity", "rule", "agency", "host", "status", "assignee"):
            table.add_column(col)
        for a in items:
            table.add_row(
                roc_date(a.event.timestamp),
                a.severity.value,
                a.rule_title,
                a.organization_id,
                a.host_name or "-",
                a.status.value,
                a.assignee or "-",
            )
        console.print(table)


@alerts_app.command("assign")
def alerts_assign(
    alert_ids: Annotated[list[str], typer.Argument(help="alert ids (at most 1,000)")],
    to: Annotated[
        str | None, typer.Option("--to", help="the account to work them; omit to unassign")
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Give alerts to a colleague who may triage (or back to the pool), audited."""
    from incidents.triage import assign_alerts

    with open_soc(store) as soc:
        changed = assign_alerts(
            store=soc.store,
            actor=local_operator(),
            alert_ids=alert_ids,
            assignee=to,
            clock=soc.clock,
        )
        console.print(f"{changed} alerts assigned to {safe(to)}" if to else f"{changed} unassigned")


@alerts_app.command("groups")
def alerts_groups(store: StoreOpt = None) -> None:
    """New alerts grouped by rule, agency, host and time window."""
    from incidents.triage import list_groups

    with open_soc(store) as soc:
        table = Table(title="Alert groups awaiting triage")
        for col in ("count", "severity", "rule", "agency", "host", "key"):
            table.add_column(col)
        for g in list_groups(soc.store, actor=local_operator()):
            table.add_row(
                str(g.count),
                g.severity.value,
                g.rule_title,
                g.organization_id,
                g.host_name or "-",
                g.key,
            )
        console.print(table)


@alerts_app.command("escalate")
def alerts_escalate(group_key: str, store: StoreOpt = None) -> None:
    """Open an incident for an alert group (or add it to the group's incident)."""
    from incidents.triage import escalate_group

    with open_soc(store) as soc:
        incident = escalate_group(
            store=soc.store,
            actor=local_operator(),
            group_key=group_key,
            registry=soc.registry,
            clock=soc.clock,
        )
        console.print(
            f"incident {incident.id}: {safe(incident.title)} ({incident.alert_count} alerts)"
        )


@alerts_app.command("false-positive")
def alerts_false_positive(
    group_key: str,
    reason: Annotated[str, typer.Option(help="why these alerts are not an incident")],
    store: StoreOpt = None,
) -> None:
    """Suppress an alert group as a false positive, with the reason (audited)."""
    from incidents.triage import mark_false_positive

    with open_soc(store) as soc:
        changed = mark_false_positive(
            store=soc.store,
            actor=local_operator(),
            group_key=group_key,
            reason=reason,
            clock=soc.clock,
        )
        console.print(f"{changed} alerts marked false positive")
