"""The `citysoc` command line: every command calls the same services as the API."""

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from api.context import CitySoc, local_operator
from api.filters import MAX_OFFSET
from api.presenters import incident_clocks
from api.terminal import Table, json_text, plain, safe
from api.terminal import console as make_console
from collectors.files import default_workers, expand_paths, ingest_paths, total_bytes
from collectors.ingest import IngestReport
from core.access import Actor, Role
from core.alerts import AlertQuery, AlertStatus, Severity
from core.clock import roc_date, taipei_datetime, taipei_time
from core.errors import CitySocError, InputError
from core.settings import Settings
from core.storage import pending_events
from core.time_range import check_day, check_time
from incidents import service
from incidents.levels import Availability, Impact, InfoClass, LevelAnswers, SystemClass
from reports.documents import DocumentKind, build_document, missing_items, render_html
from reports.labels import Lang
from reports.render import encode_page

__all__ = ["app", "main"]

app = typer.Typer(
    help="CitySOC: security operations and incident reporting for city agencies.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
alerts_app = typer.Typer(help="Alerts raised by detections.", no_args_is_help=True)
dead_app = typer.Typer(
    help="Records that could not be parsed, kept with the reason.", no_args_is_help=True
)
incidents_app = typer.Typer(help="Incidents and their statutory clocks.", no_args_is_help=True)
audit_app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)
rules_app = typer.Typer(help="Sigma rule packs.", no_args_is_help=True)
app.add_typer(alerts_app, name="alerts")
app.add_typer(dead_app, name="deadletter")
app.add_typer(incidents_app, name="incidents")
app.add_typer(audit_app, name="audit")
app.add_typer(rules_app, name="rules")
assets_app = typer.Typer(help="The asset inventory built by scans.", no_args_is_help=True)
app.add_typer(assets_app, name="assets")
drills_app = typer.Typer(help="Drills and their result reports.", no_args_is_help=True)
app.add_typer(drills_app, name="drills")
users_app = typer.Typer(help="Accounts for people and their API tokens.", no_args_is_help=True)
app.add_typer(users_app, name="users")
report_app = typer.Typer(help="Statutory documents and compliance reports.", no_args_is_help=True)
app.add_typer(report_app, name="report")
share_app = typer.Typer(
    help="Joint defence: share with partner cities over STIX/TAXII, pull theirs.",
    no_args_is_help=True,
)
app.add_typer(share_app, name="share")

# Stored text reaches these only through api.terminal (tables, safe(), json_text()).
console = make_console()
err = make_console(stderr=True)

StoreOpt = Annotated[
    str | None,
    typer.Option("--store", help="e.g. sqlite:///var/citysoc.db (default: CITYSOC_STORE)"),
]

# Bounded like the API's paging (a negative LIMIT means "all" to SQLite).
Limit = Annotated[int, typer.Option(min=1, max=1000, help="rows to show (1-1000)")]
Offset = Annotated[int, typer.Option(min=0, max=MAX_OFFSET, help="rows to skip")]


def _soc(store: str | None, rules: list[Path] | None = None) -> CitySoc:
    overrides: dict[str, object] = {}
    if store:
        overrides["store"] = store
    if rules:
        overrides["rule_dirs"] = rules
    return CitySoc(Settings(**overrides))  # type: ignore[arg-type]


def _page_format(out: Path) -> str:
    """Documents are PDF for a .pdf file and HTML otherwise."""
    return "pdf" if out.suffix.lower() == ".pdf" else "html"


def _write(out: Path, data: bytes) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )


def _print_ingest(report: IngestReport, pending: int = 0) -> None:
    """The summary; ``pending``: events accepted into the spool, not yet in the store."""
    table = Table(title="Ingest summary", show_header=False)
    for key, value in report.as_dict().items():
        table.add_row(key.replace("_", " "), str(value))
    if pending:
        table.add_row("of which pending", str(pending))
    console.print(table)
    if pending:
        console.print(
            f"[yellow]{pending} events wait in the spool: the store could not take them yet. "
            "They are kept on disk and stored when it can (citysoc serve drains the spool; "
            "so does the next ingest).[/]"
        )
    if report.dead_lettered:
        console.print("[yellow]See the rejected records with: citysoc deadletter list[/]")


def _ingest(soc: CitySoc, paths: list[Path]) -> IngestReport:
    files = expand_paths(paths)
    with _progress() as progress:
        task = progress.add_task(f"ingesting {len(files)} file(s)", total=total_bytes(files))
        return ingest_paths(
            files, soc.ingestor(), lambda n: progress.advance(task, n), workers=default_workers()
        )


def _detect(soc: CitySoc) -> None:
    with _progress() as progress:
        task = progress.add_task("compiling rules", total=None)
        rules = soc.rules(lambda n: progress.advance(task, n))
        progress.update(task, description="running rules", total=len(rules.compiled), completed=0)
        report = soc.process(progress=lambda n: progress.advance(task, n))
    console.print(
        f"rules: {len(rules.compiled)} compiled, {len(rules.issues)} not usable "
        f"({rules.from_cache} files from cache); {report.detection.alerts_new} new "
        f"alerts; {report.triage.incidents_opened} candidate incidents opened, "
        f"{report.triage.incidents_updated} updated"
    )
    for rule_id, reason in report.detection.failed.items():
        err.print(f"[red]rule {safe(rule_id)} failed and was skipped:[/] {safe(reason)}")


@app.command()
def ingest(
    paths: Annotated[
        list[Path],
        typer.Argument(help="files or folders (.evtx .jsonl .json .ndjson .csv .log .syslog .txt)"),
    ],
    store: StoreOpt = None,
    detect: Annotated[bool, typer.Option(help="run detections afterwards")] = True,
) -> None:
    """Ingest log files and folders; bad records go to the dead-letter store."""
    with _soc(store) as soc:
        report = _ingest(soc, paths)
        _print_ingest(report, pending_events(soc.store))
        if detect:
            _detect(soc)


@app.command()
def detect(
    rules: Annotated[
        list[Path] | None, typer.Option("--rules", help="rule folder (repeatable)")
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Run Sigma rules over events not yet seen, then group alerts into incidents."""
    with _soc(store, rules) as soc:
        _detect(soc)


@rules_app.command("check")
def rules_check(dirs: Annotated[list[Path], typer.Argument()]) -> None:
    """Load and compile rules; list each one that cannot be used, with the reason."""
    from detections.compile import compile_rule_dirs

    with _progress() as progress:
        task = progress.add_task("compiling", total=None)
        report = compile_rule_dirs(dirs, progress=lambda n: progress.advance(task, n))
    for issue in report.issues:
        console.print(f"[red]{safe(issue.path)}[/] ({issue.stage}): {safe(issue.reason)}")
    share = 100 * len(report.compiled) / max(report.attempted, 1)
    console.print(
        f"{len(report.compiled)} of {report.attempted} rules compiled ({share:.1f}%) "
        f"from {report.files} files"
    )
    if report.issues:
        raise typer.Exit(1)


@alerts_app.command("list")
def alerts_list(
    store: StoreOpt = None,
    agency: Annotated[str | None, typer.Option(help="agency code")] = None,
    status: Annotated[
        AlertStatus | None, typer.Option(help="new, false_positive, escalated")
    ] = None,
    severity: Annotated[Severity | None, typer.Option(help="informational ... critical")] = None,
    rule: Annotated[str | None, typer.Option(help="rule id")] = None,
    host: Annotated[str | None, typer.Option(help="host name, exactly")] = None,
    assignee: Annotated[str | None, typer.Option(help="who works them")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """The alert queue, newest first, with the web queue's filters."""
    query = AlertQuery(
        organization_id=agency,
        status=status,
        severity=severity,
        rule_id=rule,
        host=host,
        assignee=assignee,
        newest_first=True,
    )
    with _soc(store) as soc:
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


@alerts_app.command("groups")
def alerts_groups(store: StoreOpt = None) -> None:
    """New alerts grouped by rule, agency, host and time window."""
    from incidents.triage import list_groups

    with _soc(store) as soc:
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

    with _soc(store) as soc:
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

    with _soc(store) as soc:
        changed = mark_false_positive(
            store=soc.store,
            actor=local_operator(),
            group_key=group_key,
            reason=reason,
            clock=soc.clock,
        )
        console.print(f"{changed} alerts marked false positive")


@dead_app.command("list")
def deadletter_list(store: StoreOpt = None, limit: Limit = 50, offset: Offset = 0) -> None:
    """Rejected records with source, position and reason."""
    with _soc(store) as soc:
        table = Table(title=f"Dead letters ({soc.store.dead_letters.count()} in all)")
        for col in ("id", "source", "position", "reason", "bytes"):
            table.add_column(col)
        for d in soc.store.dead_letters.list(limit=limit, offset=offset):
            table.add_row(str(d.id), d.source, d.position or "-", d.reason, str(len(d.raw)))
        console.print(table)


@dead_app.command("show")
def deadletter_show(letter_id: int, store: StoreOpt = None) -> None:
    """One rejected record, with its raw bytes."""
    with _soc(store) as soc:
        d = soc.store.dead_letters.get(letter_id)
        console.print(
            f"source: {safe(d.source)}\nposition: {safe(d.position)}\nreason: {safe(d.reason)}\n"
            f"received: {d.received_at.isoformat()}\nbytes: {len(d.raw)}"
        )
        sys.stdout.write(repr(d.raw) + "\n")


@incidents_app.command("list")
def incidents_list(store: StoreOpt = None, limit: Limit = 50, offset: Offset = 0) -> None:
    """Incidents with their level, state and the next statutory deadline."""
    with _soc(store) as soc:
        table = Table(title="Incidents")
        table.add_column("id", no_wrap=True)
        for col in ("agency", "level", "state", "next deadline (Taipei)", "title"):
            table.add_column(col)
        now = soc.clock.now()
        for i in service.list_incidents(
            store=soc.store, actor=local_operator(), limit=limit, offset=offset
        ):
            nxt = incident_clocks(i, now=now).next
            label = (
                Text.from_markup(
                    f"{'[red]OVERDUE[/] ' if nxt.due_at and nxt.due_at < now else ''}"
                    f"{nxt.title_zh} {taipei_time(nxt.due_at)}"
                )
                if nxt and nxt.due_at
                else "-"
            )
            table.add_row(
                i.id, i.organization_id, str(i.level or "-"), i.state.value, label, i.title
            )
        console.print(table)


@incidents_app.command("open")
def incidents_open(
    agency: Annotated[str, typer.Option(help="agency code (see: citysoc agencies)")],
    title: Annotated[str, typer.Option()],
    aware_at: Annotated[
        str,
        typer.Option(
            help="when the agency became aware, ISO 8601 with zone, e.g. 2026-03-02T09:00:00+08:00"
        ),
    ],
    description: str = "",
    store: StoreOpt = None,
) -> None:
    """Open an incident by hand (not from alerts)."""
    with _soc(store) as soc:
        soc.registry.get(agency)
        try:
            aware = datetime.fromisoformat(aware_at)
        except ValueError as exc:
            raise typer.BadParameter(f"not an ISO 8601 time: {aware_at}") from exc
        incident = service.open_incident(
            store=soc.store,
            actor=local_operator(),
            organization_id=agency,
            title=title,
            aware_at=aware,
            description=description,
            clock=soc.clock,
        )
        console.print(
            f"opened {incident.id}; notification due "
            f"{roc_date(service.deadlines(incident, now=soc.clock.now())[0].due_at or aware)}"
        )


@incidents_app.command("show")
def incidents_show(incident_id: str, store: StoreOpt = None) -> None:
    """One incident with its statutory clocks."""
    with _soc(store) as soc:
        i = service.get_incident(store=soc.store, actor=local_operator(), incident_id=incident_id)
        console.print(
            f"[bold]{safe(i.id)}[/] {safe(i.title)}\nagency: {safe(i.organization_id)}  level: "
            f"{i.level or '-'}  state: {i.state.value}  alerts: {i.alert_count}"
        )
        for reason in i.level_reasons:
            console.print(f"  {safe(reason)}")
        table = Table(title="Statutory clocks (Taipei time)")
        for col in ("clock", "due", "done", "status", "basis"):
            table.add_column(col)
        for d in service.deadlines(i, now=soc.clock.now()):
            table.add_row(
                d.title_zh,
                roc_date(d.due_at) if d.due_at else "-",
                roc_date(d.done_at) if d.done_at else "-",
                d.status.value,
                d.basis,
            )
        console.print(table)


@report_app.command("document")
def report_document(
    kind: Annotated[DocumentKind, typer.Argument(help="which statutory document")],
    incident_id: str,
    out: Annotated[Path, typer.Option(help="file to write (.html or .pdf)")],
    lang: Annotated[str, typer.Option(help="zh (Traditional Chinese) or en")] = "zh",
    store: StoreOpt = None,
) -> None:
    """Render one incident's notification, recovery notice, investigation report or review."""
    if lang not in ("zh", "en"):
        raise typer.BadParameter("lang must be zh or en")
    with _soc(store) as soc:
        found = service.get_incident(
            store=soc.store, actor=local_operator(), incident_id=incident_id
        )
        doc = build_document(
            kind,
            found,
            registry=soc.registry,
            now=soc.clock.now(),
            lang="zh" if lang == "zh" else "en",
        )
        _write(out, encode_page(render_html(doc), _page_format(out)))
        console.print(
            f"wrote {out}"
            + (f" [red](missing: {safe(', '.join(doc.missing))})[/]" if doc.missing else "")
        )


@report_app.command("check")
def report_check(incident_id: str, store: StoreOpt = None) -> None:
    """List what each statutory document of an incident still lacks; exit 1 if anything."""
    with _soc(store) as soc:
        found = service.get_incident(
            store=soc.store, actor=local_operator(), incident_id=incident_id
        )
        gaps = {k: missing_items(found, k) for k in DocumentKind}
        for kind, items in gaps.items():
            mark = (
                "[green]complete[/]" if not items else "[red]missing:[/] " + safe("、".join(items))
            )
            console.print(f"{kind.value}: {mark}")
        if any(gaps.values()):
            raise typer.Exit(1)


@report_app.command("compliance")
def report_compliance(
    start: Annotated[str, typer.Option("--from", help="first day, YYYY-MM-DD (Taipei)")],
    end: Annotated[str, typer.Option("--to", help="last day, YYYY-MM-DD (Taipei)")],
    out: Annotated[Path, typer.Option(help="file to write: .html .pdf .csv .xlsx or .json")],
    agency: Annotated[str | None, typer.Option(help="one agency; default city-wide")] = None,
    lang: Annotated[str, typer.Option(help="zh or en (HTML and PDF)")] = "zh",
    store: StoreOpt = None,
) -> None:
    """Statutory clocks met or missed, overdue items, time to detect and recover, audit check."""
    from datetime import date

    from reports import compliance

    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
        check_day(first, "--from")
        check_day(last, "--to")
    except ValueError as exc:
        raise typer.BadParameter(f"dates must be YYYY-MM-DD: {exc}") from exc
    except InputError as exc:
        raise typer.BadParameter(exc.message) from None
    if last < first:
        raise typer.BadParameter("--to is before --from")
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in compliance.EXPORT_FORMATS:
        raise typer.BadParameter("--out must end in .html, .pdf, .csv, .xlsx or .json")
    language: Lang = "en" if lang == "en" else "zh"
    with _soc(store) as soc:
        report = compliance.build_compliance(
            store=soc.store,
            anchors=soc.anchors,
            actor=local_operator(),
            registry=soc.registry,
            start=first,
            end=last,
            now=soc.clock.now(),
            agency=agency,
        )
        _write(out, compliance.export(report, fmt, registry=soc.registry, lang=language))
    console.print(
        f"wrote {out}: {report.incidents} incidents, {len(report.open_overdue)} open "
        f"overdue items, audit trail {'intact' if report.audit_ok else 'BROKEN'}"
        + (f" (anchor #{report.audit_anchor.number})" if report.audit_anchor else "")
    )


@drills_app.command("record")
def drills_record(
    agency: Annotated[str, typer.Option()],
    kind: Annotated[str, typer.Option(help="social_engineering or notification_response")],
    held_on: Annotated[str, typer.Option(help="YYYY-MM-DD")],
    completed_at: Annotated[str, typer.Option(help="ISO 8601 with zone")],
    participants: Annotated[int, typer.Option()],
    opened: int | None = None,
    clicked: int | None = None,
    scenario: str = "",
    findings: str = "",
    store: StoreOpt = None,
) -> None:
    """Record a drill an agency held."""
    from datetime import date

    from incidents.drills import DrillKind, record_drill

    try:
        drill_kind = DrillKind(kind)
        held, completed = date.fromisoformat(held_on), datetime.fromisoformat(completed_at)
        check_day(held, "--held-on")
        check_time(completed, "--completed-at")
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    except InputError as exc:
        raise typer.BadParameter(exc.message) from None
    with _soc(store) as soc:
        drill = record_drill(
            store=soc.store,
            actor=local_operator(),
            registry=soc.registry,
            organization_id=agency,
            kind=drill_kind,
            held_on=held,
            completed_at=completed,
            participants=participants,
            opened=opened,
            clicked=clicked,
            scenario=scenario,
            findings=findings,
            clock=soc.clock,
        )
        console.print(f"recorded {drill.id}; result report due {roc_date(drill.report_due_at)}")


@drills_app.command("list")
def drills_list(store: StoreOpt = None, agency: str | None = None) -> None:
    """Drills with their result-report status."""
    from incidents.drills import list_drills

    with _soc(store) as soc:
        table = Table(title="Drills")
        for col in ("id", "agency", "kind", "held on", "participants", "report"):
            table.add_column(col)
        for d in list_drills(store=soc.store, actor=local_operator(), agency=agency):
            table.add_row(
                d.id,
                d.organization_id,
                d.kind.value,
                d.held_on.isoformat(),
                str(d.participants),
                d.report_status.value,
            )
        console.print(table)


@drills_app.command("submit-report")
def drills_submit_report(drill_id: str, store: StoreOpt = None) -> None:
    """Mark a drill's result report as submitted to the competent authority."""
    from incidents.drills import submit_drill_report

    with _soc(store) as soc:
        drill = submit_drill_report(
            store=soc.store, actor=local_operator(), drill_id=drill_id, clock=soc.clock
        )
        console.print(f"{drill.id}: result report {drill.report_status.value}")


@report_app.command("drill")
def report_drill(
    drill_id: str,
    out: Annotated[Path, typer.Option(help=".html or .pdf")],
    lang: Annotated[str, typer.Option(help="zh or en")] = "zh",
    store: StoreOpt = None,
) -> None:
    """The drill implementation and result report (執行情形及成果報告)."""
    from incidents.drills import get_drill
    from reports.documents import render_drill_html

    language: Lang = "en" if lang == "en" else "zh"
    with _soc(store) as soc:
        drill = get_drill(store=soc.store, actor=local_operator(), drill_id=drill_id)
        html = render_drill_html(drill, registry=soc.registry, now=soc.clock.now(), lang=language)
        _write(out, encode_page(html, _page_format(out)))
        console.print(f"wrote {out}")


@users_app.command("create")
def users_create(
    username: str,
    role: Annotated[Role, typer.Option(help="analyst, lead, reporter, auditor or admin")],
    agency: Annotated[str | None, typer.Option(help="required for reporters")] = None,
    display_name: str = "",
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="read the password from standard input (for scripts)"
        ),
    ] = False,
    password: Annotated[
        str | None, typer.Option(hidden=True, help="refused: visible in the process list")
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Create an account (the first administrator is created this way: no defaults exist).

    The password is asked for, hidden; scripts pipe it with --password-stdin.
    """
    from core.accounts import create_user

    if password is not None:  # too late to hide it now, but never accept it this way
        raise typer.BadParameter(
            "a password on the command line is visible to everyone on this machine (ps, "
            "shell history); leave it out to be asked for it, or pipe it with --password-stdin",
            param_hint="--password",
        )
    secret = _read_password(password_stdin)
    with _soc(store) as soc:
        user = create_user(
            store=soc.store,
            actor=local_operator(),
            registry=soc.registry,
            username=username,
            password=secret,
            role=role,
            agency=agency,
            display_name=display_name,
            clock=soc.clock,
        )
        console.print(
            f"created {safe(user.username)} "
            f"({user.role.value}{'@' + safe(user.agency) if user.agency else ''})"
        )


def _read_password(from_stdin: bool) -> str:
    """The first line of standard input, or a hidden prompt asked twice."""
    if not from_stdin:
        return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))
    secret = sys.stdin.readline().removesuffix("\n").removesuffix("\r")
    if not secret:
        raise typer.BadParameter(
            "standard input was empty; pipe the password in", param_hint="--password-stdin"
        )
    return secret


@users_app.command("list")
def users_list(store: StoreOpt = None) -> None:
    """Accounts, with lockout state."""
    from core.accounts import list_users

    with _soc(store) as soc:
        table = Table(title="Accounts")
        for col in ("username", "role", "agency", "disabled", "locked until"):
            table.add_column(col)
        for u in list_users(store=soc.store, actor=local_operator()):
            table.add_row(
                u.username,
                u.role.value,
                u.agency or "-",
                "yes" if u.disabled else "",
                u.locked_until.isoformat() if u.locked_until else "",
            )
        console.print(table)


@users_app.command("token")
def users_token(
    username: str, name: Annotated[str, typer.Option(help="what uses it")], store: StoreOpt = None
) -> None:
    """Issue an API token for a user; it is printed once and kept only as a hash."""
    from core.accounts import User, issue_token

    with _soc(store) as soc:
        doc = soc.store.accounts.get_user(username)
        if doc is None:
            raise typer.BadParameter(f"no user {username!r}")
        user = User.model_validate_json(doc)
        plain, token = issue_token(store=soc.store, actor=user.actor(), name=name, clock=soc.clock)
        console.print(f"token {token.id} for {safe(username)} (shown once):")
        sys.stdout.write(plain + "\n")


@audit_app.command("verify")
def audit_verify(store: StoreOpt = None) -> None:
    """Check the hash chain and compare it with the signed anchors (then anchor its head);
    exit 1 if any entry was altered, removed or reordered."""
    with _soc(store) as soc:
        result = soc.verify_audit(actor=local_operator())
        anchor_file = soc.anchors.anchor_file
    if result.ok:
        console.print(
            f"[green]audit trail intact[/]: {result.entries:,} entries verified, "
            f"checked against {result.anchors:,} anchors in {anchor_file}"
        )
    else:
        console.print(f"[red]audit trail broken[/]: {safe(result.reason or '')}")
        for problem in result.problems[1:]:
            console.print(f"  [red]also:[/] {safe(problem)}")
    latest = result.latest_anchor
    if latest is None:
        console.print(
            "[yellow]no anchor yet[/]: removal of the newest entries cannot be detected "
            "before the first anchor"
        )
    else:
        console.print(
            f"latest anchor #{latest.number} at {taipei_datetime(latest.at)} (Taipei): "
            f"{latest.entries:,} entries, head entry {latest.head_seq:,} {latest.head_hash}"
        )
        if result.unanchored:
            console.print(f"{result.unanchored:,} entries written since are not yet anchored")
    if not result.ok:
        raise typer.Exit(1)


@app.command()
def scan(
    target: Annotated[
        list[str] | None,
        typer.Option("--target", help="scan target name (repeatable); default: every enabled one"),
    ] = None,
    address: Annotated[
        list[str] | None,
        typer.Option("--address", help="only these addresses (must be inside the target)"),
    ] = None,
    ignore_window: Annotated[
        bool, typer.Option(help="scan outside the permitted window (audited)")
    ] = False,
    store: StoreOpt = None,
) -> None:
    """Scan configured targets with nmap; record the inventory, changes and findings."""
    from incidents.scanning import run_scan

    with _soc(store) as soc:
        names = target or sorted(t.name for t in soc.scope.enabled)
        if not names:
            err.print(
                f"[yellow]nothing to scan:[/] no target is enabled in {soc.scope.source}; "
                "name a targets file with CITYSOC_SCAN_TARGETS_FILE (see "
                "core/data/scan_targets.example.yaml) and set `enabled: true` on each target"
            )
            raise typer.Exit(1)
        table = Table(title="Scan summary")
        for col in ("target", "status", "hosts up", "open ports", "changes", "findings", "note"):
            table.add_column(col)
        failed = False
        with _progress() as progress:
            task = progress.add_task("scanning", total=len(names))
            for name in names:
                progress.update(task, description=f"scanning {name}")
                summary = run_scan(
                    store=soc.store,
                    actor=local_operator(),
                    scope=soc.scope,
                    target_name=name,
                    policy=soc.policy,
                    clock=soc.clock,
                    only=address or (),
                    ignore_window=ignore_window,
                )
                r = summary.record
                failed |= r.status.value == "failed"
                table.add_row(
                    name,
                    r.status.value,
                    str(r.hosts_up),
                    str(r.open_ports),
                    str(len(summary.changes)),
                    str(summary.findings),
                    r.error or "",
                )
                progress.advance(task)
        console.print(table)
        if failed:
            raise typer.Exit(1)


@assets_app.command("list")
def assets_list(store: StoreOpt = None, agency: str | None = None) -> None:
    """Known hosts with their open ports and criticality."""
    with _soc(store) as soc:
        table = Table(title="Asset inventory")
        for col in ("address", "host", "agency", "up", "core", "CI", "open ports", "last seen"):
            table.add_column(col)
        for a in soc.store.assets.list(organization_id=agency):
            table.add_row(
                a.address,
                a.hostname or "-",
                a.organization_id,
                "yes" if a.up else "no",
                "yes" if a.core_system else "",
                "yes" if a.critical_infrastructure else "",
                ", ".join(p.label for p in a.ports) or "-",
                roc_date(a.last_seen),
            )
        console.print(table)


@assets_app.command("changes")
def assets_changes(store: StoreOpt = None, limit: Limit = 50) -> None:
    """What changed between scans: new hosts, ports opened or closed, services, hosts gone."""
    with _soc(store) as soc:
        table = Table(title="Inventory changes, newest first")
        for col in ("time (Taipei)", "agency", "address", "change", "detail"):
            table.add_column(col)
        for c in soc.store.assets.changes(limit=limit):
            table.add_row(roc_date(c.at), c.organization_id, c.address, c.kind.value, c.detail)
        console.print(table)


@assets_app.command("scans")
def assets_scans(store: StoreOpt = None, limit: Limit = 20) -> None:
    """The scan log, failed scans included with their reason."""
    with _soc(store) as soc:
        table = Table(title="Scans, newest first")
        for col in ("id", "target", "started (Taipei)", "status", "hosts up", "error"):
            table.add_column(col)
        for r in soc.store.assets.scans(limit=limit):
            table.add_row(
                str(r.id),
                r.target,
                roc_date(r.started_at),
                r.status.value,
                str(r.hosts_up),
                r.error or "",
            )
        console.print(table)


@app.command()
def agencies() -> None:
    """The agency registry in use."""
    settings = Settings()
    from core.agencies import AgencyRegistry

    registry = AgencyRegistry.load(settings.agencies_file)
    table = Table(title=f"{len(registry)} agencies ({settings.agencies_file})")
    for col in ("code", "name", "English", "type", "networks"):
        table.add_column(col)
    for a in registry:
        table.add_row(
            a.code, a.name_zh, a.name_en, a.agency_type.value, ", ".join(str(n) for n in a.networks)
        )
    console.print(table)


@app.command()
def serve(store: StoreOpt = None) -> None:
    """Start syslog listeners (UDP+TCP), the detection loop and the API."""
    from api.server import serve as run_server

    with _soc(store) as soc:
        console.print(f"CitySOC on {safe(soc.settings.store)} with {len(soc.registry)} agencies")
        with _progress() as progress:
            task = progress.add_task("compiling rules", total=None)
            rules = soc.rules(lambda n: progress.advance(task, n))
        console.print(f"{len(rules.compiled)} rules ready ({len(rules.issues)} not usable)")
        run_server(soc, announce=console.print)


@app.command()
def demo(
    folder: Annotated[Path, typer.Option(help="where the demo writes its store and files")] = Path(
        "var/demo"
    ),
) -> None:
    """Generate sample agency logs and run the whole path: ingest → alerts → incidents →
    a notification form."""
    from api.demo import write_demo_inputs

    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "citysoc.db"
    for stale in (db, db.with_suffix(".db-wal"), db.with_suffix(".db-shm")):
        stale.unlink(missing_ok=True)
    with _soc(f"sqlite:///{db}") as soc:
        files = write_demo_inputs(folder / "input", now=soc.clock.now())
        console.rule("1. ingest agency logs")
        _print_ingest(_ingest(soc, files.all()))
        console.rule("2. detect and triage")
        _detect(soc)
        alerts_groups(store=f"sqlite:///{db}")
        console.rule("3. a district office files its notification")
        incidents = service.list_incidents(store=soc.store, actor=local_operator())
        target = next((i for i in incidents if "D-XITUN-FS01" in i.affected_assets), None)
        if target is None:
            err.print("[red]no incident for the Xitun District Office; nothing to notify[/]")
            raise typer.Exit(1)
        reporter = Actor("xitun-contact", Role.REPORTER, agency="district-xitun")
        filed = service.file_notification(
            store=soc.store,
            actor=reporter,
            incident_id=target.id,
            answers=LevelAnswers(
                info_class=InfoClass.CORE_NON_CI,
                tamper=Impact.MINOR,
                system_class=SystemClass.CORE_NON_CI,
                availability=Availability.WITHIN_MTD,
            ),
            description=(
                "檔案伺服器 D-XITUN-FS01 遭執行編碼 PowerShell、新增管理者帳號並清除安全性日誌。"
            ),
            response_measures="已隔離主機網路連線，停用可疑帳號 backup$adm，保全日誌與記憶體映像。",
            outside_support_needed=False,
            clock=soc.clock,
        )
        incidents_list(store=f"sqlite:///{db}")
        out = folder / f"notification-{filed.id}.html"
        form = build_document(
            DocumentKind.NOTIFICATION, filed, registry=soc.registry, now=soc.clock.now()
        )
        out.write_text(render_html(form), encoding="utf-8")
        result = soc.verify_audit(actor=local_operator())
        console.rule("where to look")
        console.print(
            f"notification form: [bold]{safe(out)}[/] (level {filed.level}: "
            f"{safe('; '.join(filed.level_reasons))})"
        )
        console.print(f"store: {db}  →  citysoc alerts list --store sqlite:///{db}")
        console.print(f"dead letters: citysoc deadletter list --store sqlite:///{db}")
        console.print(
            f"audit trail: {result.entries} entries, "
            f"{'intact' if result.ok else 'BROKEN'} (citysoc audit verify)"
        )
        console.print(f"generated at {datetime.now(UTC).isoformat(timespec='seconds')}")


@share_app.command("publish")
def share_publish(
    incident_id: str,
    ioc: Annotated[
        list[str] | None, typer.Option("--ioc", help="an IP, domain, URL, e-mail or hash")
    ] = None,
    incident_iocs: Annotated[
        bool, typer.Option("--incident-iocs", help="also share the IoCs on the incident")
    ] = False,
    summary: Annotated[str, typer.Option(help="incident summary (de-identified)")] = "",
    tlp: Annotated[str, typer.Option(help="clear, green, amber or amber+strict")] = "green",
    out: Annotated[Path | None, typer.Option(help="also write the bundle here")] = None,
    yes: Annotated[
        bool, typer.Option("--yes", help="publish the printed preview without asking")
    ] = False,
    store: StoreOpt = None,
) -> None:
    """Publish IoCs and a summary to the partners' collection, de-identified and TLP-marked:
    prints exactly what will leave, then asks to confirm (or publishes it with --yes)."""
    from incidents.sharing.observables import classify
    from incidents.sharing.outgoing import publish
    from incidents.sharing.preview import preview_share
    from incidents.sharing.tlp import Tlp

    try:
        marking = Tlp(tlp.lower())
    except ValueError:
        choices = ", ".join(t.value for t in Tlp)
        raise typer.BadParameter(f"--tlp must be one of {choices}") from None
    with _soc(store) as soc:
        args: dict[str, Any] = {
            "store": soc.store,
            "actor": local_operator(),
            "registry": soc.registry,
            "partners": soc.partners,
            "incident_id": incident_id,
            "iocs": [classify(v) for v in ioc or []],
            "include_incident_iocs": incident_iocs,
            "summary": summary,
            "tlp": marking,
        }
        preview = preview_share(**args)
        table = Table(title=f"What will be shared ({marking.label}); nothing is published yet")
        for col in ("IoC", "shared?"):
            table.add_column(col)
        for shared in preview.shared:
            table.add_row(f"{shared.type.value}: {shared.value}", Text("shared", style="green"))
        for held in preview.withheld:
            table.add_row(
                f"{held.ioc.type.value}: {held.ioc.value}",
                Text.assemble(("withheld", "yellow"), f": {plain(held.reason)}"),
            )
        console.print(table)
        console.print("summary as it will be sent:")
        console.print(plain(preview.summary or "(none)"), markup=False, highlight=False)
        if preview.redactions:
            removed = ", ".join(f"{n} {kind}" for kind, n in preview.redactions.items())
            console.print(f"removed from the summary: {safe(removed)}")
        if not yes and not typer.confirm(
            "Check it names no person and holds nothing else that must stay in the city. "
            "Publish exactly this to the partners?"
        ):
            console.print("not published")
            raise typer.Exit(1)
        result = publish(**args, confirm=preview.digest, clock=soc.clock)
    console.print(f"published bundle {safe(result.bundle['id'])} ({marking.label})")
    if out is not None:
        _write(out, json.dumps(result.bundle, ensure_ascii=False, indent=2).encode())


@share_app.command("partners")
def share_partners(store: StoreOpt = None) -> None:
    """Partners, their grants, last sync, indicators on the watchlist and the hits."""
    from incidents.sharing.intel import overview

    with _soc(store) as soc:
        rows, _ = overview(
            store=soc.store, partners=soc.partners, actor=local_operator(), now=soc.clock.now()
        )
    table = Table(title="Joint-defence partners")
    for col in ("id", "name", "grants", "max TLP", "last pull", "indicators", "active", "hits"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            r.partner.id,
            r.partner.name_zh,
            ", ".join(f"{c}:{g.value}" for c, g in r.partner.grants.items()),
            r.partner.max_tlp.value,
            taipei_time(r.last_pull) if r.last_pull else ("never" if r.partner.pull else "-"),
            str(r.indicators),
            str(r.active),
            str(r.hits),
        )
    console.print(table)


@share_app.command("pull")
def share_pull(
    partners: Annotated[
        list[str] | None, typer.Argument(help="default: every partner with pull:")
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Pull partners' collections (only what was added since the last pull) and import them."""
    from incidents.sharing.pull import pull_partner

    with _soc(store) as soc:
        names = partners or [p.id for p in soc.partners.partners.values() if p.pull]
        if not names:
            console.print(f"no partner has a pull: section in {soc.partners.path}")
            return
        failed = 0
        for name in names:
            try:
                report = pull_partner(
                    store=soc.store,
                    partners=soc.partners,
                    partner_id=name,
                    actor=local_operator(),
                    clock=soc.clock,
                    limits=soc.pull_limits,
                )
            except CitySocError as exc:
                err.print(f"[red]{safe(name)}[/]: {safe(exc)}")
                failed += 1
                continue
            console.print(
                f"{safe(name)}: {report.received} objects, {report.new} new and {report.updated} "
                f"updated indicators, {len(report.rejected)} rejected"
            )
            for object_id, reason in report.rejected + report.not_swept:
                console.print(f"  {safe(object_id)}: {safe(reason)}")
            if report.stopped:
                console.print(f"  [yellow]{safe(report.stopped)}[/]")
    if failed:
        raise typer.Exit(1)


@share_app.command("indicators")
def share_indicators(
    partner: str | None = None, store: StoreOpt = None, limit: Limit = 100
) -> None:
    """Partners' indicators on the watchlist, with validity and whether they are swept."""
    from incidents.sharing.watchlist import list_indicators

    with _soc(store) as soc:
        now = soc.clock.now()
        found = list_indicators(soc.store, partner=partner)
    table = Table(title=f"Watchlist ({len(found)} indicators)")
    for col in ("partner", "indicator", "TLP", "valid until", "state"):
        table.add_column(col)
    for w in found[:limit]:
        state = "swept" if w.active(now) else (w.not_swept or "expired or not yet valid")
        table.add_row(
            w.partner,
            ", ".join(f"{i.type.value}:{i.value}" for i in w.iocs) or w.pattern[:60],
            w.tlp.value if w.tlp else "-",
            taipei_time(w.valid_until) if w.valid_until else "-",
            state,
        )
    console.print(table)


@share_app.command("token")
def share_token(partner: str, store: StoreOpt = None) -> None:
    """Issue a TAXII token for a partner city (printed once; give it to them securely)."""
    from incidents.sharing.partners import issue_partner_token

    with _soc(store) as soc:
        token, _ = issue_partner_token(
            store=soc.store,
            actor=local_operator(),
            registry=soc.registry,
            partners=soc.partners,
            partner_id=partner,
            clock=soc.clock,
        )
    console.print(f"TAXII token for {safe(partner)} (shown once; HTTP Basic user {safe(partner)}):")
    sys.stdout.write(token + "\n")


def main() -> None:
    try:
        app()
    except CitySocError as exc:
        err.print(f"[red]error:[/] {safe(exc)}")
        sys.exit(2)


if __name__ == "__main__":
    main()
