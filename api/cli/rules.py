"""`citysoc rules list|show|enable|disable|exceptions|upload|preview|stats|noisy`: the rule
catalogue and its tuning, the same services as the pages and the API (detections.rule_*).
The group itself (with `rules check`) is `api.cli.ingest.rules_app`; this module adds to it.
"""

import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from api.cli.common import Limit, Offset, StoreOpt, console, open_soc
from api.context import local_operator
from api.rule_json import exception_json, noisy_json, row_json, stats_json
from api.terminal import Table, json_text, safe
from detections.rule_catalogue import (
    RuleQuery,
    check_days,
    find_entry,
    noisy_rules,
    rule_row,
    rule_rows,
)
from detections.rule_runs import profiles, runs
from detections.rule_settings import (
    ExceptionCreate,
    add_exception,
    list_exceptions,
    remove_exception,
    set_enabled,
)
from detections.rule_uploads import preview_rule, save_upload

__all__ = ["add_rule_commands"]

RuleArg = Annotated[str, typer.Argument(help="the rule's id (see citysoc rules list)")]
Format = Annotated[str, typer.Option("--format", help="table or json")]


def _json(data: object) -> None:
    sys.stdout.write(json_text(data) + "\n")


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.1f} ms"


def _when(at: datetime | None) -> str:
    return at.isoformat(timespec="seconds") if at else "-"


def rules_list(
    pack: Annotated[str | None, typer.Option(help="pack (folder) name")] = None,
    level: Annotated[str | None, typer.Option(help="informational … critical")] = None,
    status: Annotated[str | None, typer.Option(help="Sigma status, e.g. stable")] = None,
    state: Annotated[str | None, typer.Option(help="enabled, disabled or broken")] = None,
    technique: Annotated[str | None, typer.Option(help="ATT&CK id, e.g. T1059")] = None,
    text: Annotated[str | None, typer.Option("--text", "-q", help="in id, title, text")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
    fmt: Format = "table",
    store: StoreOpt = None,
) -> None:
    """The rule catalogue: pack, level, state, techniques, alerts 24 h / 7 d, time per run
    (--format json: every field, as GET /api/v1/rules)."""
    query = RuleQuery(
        pack=pack, level=level, status=status, state=state, technique=technique, text=text
    )
    with open_soc(store) as soc:
        found = rule_rows(
            soc.store,
            local_operator(),
            soc.rule_pack(),
            query,
            now=soc.clock.now(),
            limit=limit,
            offset=offset,
        )
    if fmt == "json":
        _json({"total": found.total, "items": [row_json(r) for r in found.rows]})
        return
    table = Table(title=f"{found.total} rules")
    for column in ("id", "title", "pack", "level", "state", "ATT&CK", "24 h", "7 d", "per run"):
        table.add_column(column)
    for r in found.rows:
        e = r.entry
        state_ = "broken" if e.error else ("enabled" if r.enabled else "disabled")
        table.add_row(
            e.rule_id,
            e.title,
            e.pack,
            e.level,
            state_,
            " ".join(e.techniques),
            str(r.hits_24h),
            str(r.hits_7d),
            _ms(r.mean_seconds),
        )
    console.print(table)


def rules_show(rule_id: RuleArg, store: StoreOpt = None) -> None:
    """One rule: its facts, numbers, exceptions and YAML."""
    with open_soc(store) as soc:
        actor = local_operator()
        row = rule_row(soc.store, actor, soc.rule_pack(), rule_id, now=soc.clock.now())
        found = list_exceptions(soc.store, actor, rule_id=rule_id)
    e = row.entry
    table = Table(show_header=False)
    facts = {
        "id": e.rule_id,
        "title": e.title,
        "pack": e.pack,
        "source": e.source,
        "level": e.level,
        "status": e.status,
        "state": "enabled" if row.enabled else "disabled",
        "techniques": " ".join(e.techniques),
        "compiled": "yes" if e.error is None else f"no: {e.error}",
        "alerts 24 h / 7 d": f"{row.hits_24h} / {row.hits_7d}",
        "last alert": _when(row.last_hit),
        "time per run": _ms(row.mean_seconds),
        "exceptions": str(len(found)),
    }
    for key, value in facts.items():
        table.add_row(key, value)
    console.print(table)
    for x in found:
        scope = ", ".join(
            f"{k}={v}" for k, v in (("agency", x.agency), ("host", x.host)) if v is not None
        )
        if x.field:
            scope = ", ".join(filter(None, (scope, f"{x.field}={x.value}")))
        console.print(
            f"exception {safe(x.id)}: {safe(scope)}; owner {safe(x.owner)}; until "
            f"{_when(x.expires_at)}; {safe(x.reason)}",
            soft_wrap=True,
        )
    console.print(safe(e.text), soft_wrap=True, highlight=False)


def _switch(rule_id: str, store: str | None, enabled: bool) -> None:
    with open_soc(store) as soc:
        set_enabled(
            store=soc.store,
            actor=local_operator(),
            rule_id=rule_id,
            enabled=enabled,
            clock=soc.clock,
            known=find_entry(soc.store, soc.rule_pack(), rule_id) is not None,
        )
    console.print(f"rule {safe(rule_id)} {'enabled' if enabled else 'disabled'}")


def rules_enable(rule_id: RuleArg, store: StoreOpt = None) -> None:
    """Run the rule again (audited)."""
    _switch(rule_id, store, True)


def rules_disable(rule_id: RuleArg, store: StoreOpt = None) -> None:
    """Stop running the rule; events that arrive while it is off never alert (audited)."""
    _switch(rule_id, store, False)


exceptions_app = typer.Typer(help="Exceptions: events that must not alert.", no_args_is_help=True)


@exceptions_app.command("add")
def exceptions_add(
    rule_id: RuleArg,
    reason: Annotated[str, typer.Option(help="why these events are expected")],
    expires: Annotated[str, typer.Option(help="ISO 8601; without a zone: Taipei time")],
    agency: Annotated[str | None, typer.Option(help="agency code")] = None,
    host: Annotated[str | None, typer.Option(help="host name (any case)")] = None,
    field: Annotated[str | None, typer.Option(help="ECS field, e.g. user.name")] = None,
    value: Annotated[str | None, typer.Option(help="the field's value (any case)")] = None,
    owner: Annotated[str | None, typer.Option(help="who answers for it (default: you)")] = None,
    store: StoreOpt = None,
) -> None:
    """Keep events of an agency, a host and/or with field = value from alerting for the rule
    until the expiry (every part given must hold)."""
    try:
        form = ExceptionCreate(
            agency=agency,
            host=host,
            field=field,
            value=value,
            reason=reason,
            owner=owner,
            expires_at=expires,  # type: ignore[arg-type]  # pydantic parses the text
        )
    except ValidationError as exc:
        raise typer.BadParameter(exc.errors()[0]["msg"]) from None
    with open_soc(store) as soc:
        made = add_exception(
            store=soc.store,
            actor=local_operator(),
            registry=soc.registry,
            rule_id=rule_id,
            form=form,
            clock=soc.clock,
            known=find_entry(soc.store, soc.rule_pack(), rule_id) is not None,
        )
    console.print(f"exception {made.id} added to rule {safe(rule_id)}")


@exceptions_app.command("list")
def exceptions_list(
    rule_id: Annotated[str | None, typer.Argument(help="one rule's only")] = None,
    fmt: Format = "table",
    store: StoreOpt = None,
) -> None:
    """Every exception (expired ones too), by rule."""
    with open_soc(store) as soc:
        found = list_exceptions(soc.store, local_operator(), rule_id=rule_id)
        now = soc.clock.now()
    if fmt == "json":
        _json([exception_json(x) for x in found])
        return
    table = Table(title=f"{len(found)} exceptions")
    for column in ("rule", "id", "agency", "host", "field = value", "owner", "expires", "reason"):
        table.add_column(column)
    for x in found:
        table.add_row(
            x.rule_id,
            x.id,
            x.agency or "",
            x.host or "",
            f"{x.field} = {x.value}" if x.field else "",
            x.owner,
            _when(x.expires_at) + ("" if x.active(now) else " (expired)"),
            x.reason,
        )
    console.print(table)


@exceptions_app.command("remove")
def exceptions_remove(
    rule_id: RuleArg,
    exception_id: Annotated[str, typer.Argument()],
    store: StoreOpt = None,
) -> None:
    with open_soc(store) as soc:
        remove_exception(
            store=soc.store,
            actor=local_operator(),
            rule_id=rule_id,
            exception_id=exception_id,
            clock=soc.clock,
        )
    console.print(f"exception {safe(exception_id)} removed")


RuleFileArg = Annotated[Path, typer.Argument(help="a Sigma rule (.yml)", exists=True)]


def rules_upload(path: RuleFileArg, store: StoreOpt = None) -> None:
    """Keep a rule in the store, disabled until `citysoc rules enable` (validated by pySigma)."""
    with open_soc(store) as soc:
        taken = {e.rule_id for e in soc.rule_pack().entries}
        entry = save_upload(
            store=soc.store,
            actor=local_operator(),
            text=path.read_text(encoding="utf-8"),
            clock=soc.clock,
            taken=taken,
        )
    console.print(
        f"rule {safe(entry.rule_id)} uploaded, disabled; preview it with "
        f"citysoc rules preview, then: citysoc rules enable {safe(entry.rule_id)}"
    )


def rules_preview(
    path: RuleFileArg,
    days: Annotated[int, typer.Option(min=1, max=90, help="how far back")] = 7,
    store: StoreOpt = None,
) -> None:
    """A retro-hunt: the events of the last days the rule matches; no alert is created."""
    with open_soc(store) as soc:
        found = preview_rule(
            store=soc.store,
            actor=local_operator(),
            text=path.read_text(encoding="utf-8"),
            days=days,
            now=soc.clock.now(),
        )
    more = "+" if found.capped else ""
    console.print(f"{found.total}{more} events of the last {days} days match (no alert created)")
    table = Table()
    for column in ("time", "agency", "host", "event"):
        table.add_column(column)
    for e in found.events:
        table.add_row(_when(e.timestamp), e.organization_id, e.host_name or "", e.event_id)
    console.print(table)


def rules_stats(
    runs_: Annotated[int, typer.Option("--runs", min=1, max=200, help="newest runs")] = 20,
    top: Annotated[int, typer.Option(min=1, max=10_000, help="rules to show")] = 30,
    fmt: Format = "table",
    store: StoreOpt = None,
) -> None:
    """Time and hits per rule over the newest runs, slowest first (as Zircolite's
    --profile-rules); the API's /api/v1/rules/stats gives every run."""
    with open_soc(store) as soc:
        found = runs(soc.store, local_operator(), limit=runs_)
    if fmt == "json":
        _json(stats_json(found))
        return
    summed = sorted(profiles(found).values(), key=lambda p: (-p.seconds, p.rule_id))
    table = Table(title=f"{len(found)} runs")
    for column in ("rule", "runs", "total", "per run", "hits"):
        table.add_column(column)
    for p in summed[:top]:
        table.add_row(p.rule_id, str(p.runs), _ms(p.seconds), _ms(p.mean_seconds), str(p.hits))
    console.print(table)


def rules_noisy(
    days: Annotated[int, typer.Option(help="the period, in days (1-366)")] = 7,
    top: Annotated[int, typer.Option(min=1, max=10_000, help="rules to show")] = 20,
    fmt: Format = "table",
    store: StoreOpt = None,
) -> None:
    """Rules by alerts per day, with the share dismissed as false positives."""
    check_days(days, "--days")
    with open_soc(store) as soc:
        found = noisy_rules(
            soc.store, local_operator(), soc.rule_pack(), days=days, now=soc.clock.now()
        )
    if fmt == "json":
        _json(noisy_json(found[:top], days))
        return
    table = Table(title=f"alerts per rule, last {days} days")
    for column in ("rule", "title", "alerts", "per day", "dismissed"):
        table.add_column(column)
    for r in found[:top]:
        table.add_row(
            r.rule_id,
            r.title,
            str(r.alerts),
            f"{r.per_day:.1f}",
            f"{r.dismissed_share:.0%}",
        )
    console.print(table)


def add_rule_commands(app: typer.Typer) -> None:
    """Register the commands on the `rules` group (after `check`)."""
    app.command("list")(rules_list)
    app.command("show")(rules_show)
    app.command("enable")(rules_enable)
    app.command("disable")(rules_disable)
    app.add_typer(exceptions_app, name="exceptions")
    app.command("upload")(rules_upload)
    app.command("preview")(rules_preview)
    app.command("stats")(rules_stats)
    app.command("noisy")(rules_noisy)
