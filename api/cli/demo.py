"""`citysoc demo`: the whole path on data it makes itself, no ../shared needed.

Several agencies send benign noise and a few attacks (`api/cli/demo_inputs.py`); CitySOC
ingests, detects and opens suspected cases; then the story of `api/cli/demo_story.py`
takes one from confirmation to closure and dismisses another, as the people who would,
and the period's compliance summary shows every clock met. The store is the one
`citysoc serve` uses (`api/cli/demo_store.py` says when it may be replaced), so the server
shows the demo; `--serve` starts it. A top-level command: `api/cli/__init__.py` registers it.
"""

import shlex
import shutil
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import StoreOpt, console, err, open_soc, write_file
from api.cli.demo_inputs import DemoFiles, write_demo_inputs
from api.cli.demo_store import DemoStore, demo_store
from api.cli.demo_story import (
    CAST_NAMES,
    STORY_SPAN,
    DemoAccount,
    StoryResult,
    demo_cast,
    tell_story,
)
from api.cli.incidents import incidents_list
from api.cli.ingest import ingest_files, print_ingest, run_detections
from api.context import CitySoc, local_operator
from api.terminal import Table, safe
from core.clock import UTC, FixedClock, taipei_datetime
from core.errors import CitySocError
from reports import compliance
from reports.documents import DocumentKind, build_document, render_html

__all__ = ["DemoFiles", "demo", "write_demo_inputs"]


def _program() -> str:
    """How to run `citysoc` again in the hints: as it was run here (``.venv/bin/citysoc``
    when it is not on PATH), else plain ``citysoc``."""
    ran = Path(sys.argv[0])
    if ran.name != "citysoc" or shutil.which("citysoc") == str(ran):
        return "citysoc"
    try:
        return str(ran.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(ran)


def _replaceable(target: DemoStore, reset: bool) -> bool:
    """Clear the way for the demo's store, or refuse (exit 2) to replace an operator's.
    True when the store holds only accounts and the demo loads beside them (not wiped)."""
    if target.exists() and not reset:
        with open_soc(target.url) as soc:
            held = soc.store
            records = held.events.count() + held.dead_letters.count()
            if held.audit.count() and target.accounts_only(
                actions=(row.action for row in held.audit.rows()), records=records
            ):
                _beside_accounts(soc)
                return True
            refusal = target.refusal(audit_entries=held.audit.count(), records=records)
        if refusal:
            other = target.db.with_name("demo.db")
            err.print(
                f"[red]refused:[/] {safe(refusal)}.\nRun [bold]{safe(_program())} demo "
                f"--store {safe(shlex.quote(target.url))} --reset[/] to replace it, or "
                f"[bold]--store sqlite:///{safe(other)}[/] for a store of its own.",
                soft_wrap=True,
            )
            raise typer.Exit(2)
        console.print(
            f"replacing {safe(target.db)} (empty, or the earlier demo's)", highlight=False
        )
    elif target.exists():
        console.print(f"[yellow]--reset: deleting the store {safe(target.db)}[/]")
    target.wipe()
    return False


def _beside_accounts(soc: CitySoc) -> None:
    """A first run's store (accounts only): the demo adds its data and its four people
    beside the accounts there, unless one of its usernames is taken (exit 2)."""
    taken = [name for name in CAST_NAMES if soc.store.accounts.get_user(name) is not None]
    if taken:
        err.print(
            f"[red]refused:[/] the demo's accounts {safe(', '.join(taken))} exist already; "
            "give the demo a store of its own with --store",
            soft_wrap=True,
        )
        raise typer.Exit(2)
    console.print(
        "this store holds only accounts: loading the demo beside them (nothing is replaced)",
        highlight=False,
    )


def _documents(soc: CitySoc, result: StoryResult, folder: Path) -> list[Path]:
    """The incident's notification form and investigation report, the compliance report."""
    written = []
    for kind in (DocumentKind.NOTIFICATION, DocumentKind.INVESTIGATION):
        out = folder / f"{kind.value}-{result.closed.id}.html"
        doc = build_document(kind, result.closed, registry=soc.registry, now=soc.clock.now())
        out.write_text(render_html(doc), encoding="utf-8")
        written.append(out)
    report = result.report
    out = folder / f"compliance-{report.period_from}-{report.period_to}.html"
    write_file(out, compliance.export(report, "html", registry=soc.registry))
    return [*written, out]


def _print_compliance(result: StoryResult) -> None:
    report = result.report
    table = Table(title=f"Compliance {report.period_from} – {report.period_to} (Taipei)")
    for col in ("incident", "clock", "due", "done", "status"):
        table.add_column(col)
    for row in report.rows:
        table.add_row(
            row.incident_id,
            row.clock.value,
            taipei_datetime(row.due_at) if row.due_at else "-",
            taipei_datetime(row.done_at) if row.done_at else "-",
            row.status.value,
        )
    console.print(table)
    console.print(f"{report.incidents} incidents: {report.clock_summary()}", highlight=False)


def _print_hints(
    target: DemoStore, result: StoryResult, cast: list[DemoAccount], documents: list[Path]
) -> None:
    run, store = _program(), f"--store {shlex.quote(target.url)}"
    settings, report = target.settings, result.report
    console.rule("where to look")
    console.print(f"store: {safe(target.url)}", highlight=False)
    for path in documents:
        console.print(f"document: {safe(path)}", highlight=False)
    web = f"http://{settings.api_host}:{settings.api_port}/"
    console.print(
        f"web pages: {safe(run)} serve {safe(store)}  →  {web}", highlight=False, soft_wrap=True
    )
    accounts = Table(title="Demo accounts: sign in with these (passwords shown only now)")
    for col in ("username", "role", "agency", "password"):
        accounts.add_column(col)
    for a in cast:
        accounts.add_row(a.username, a.role.value, a.agency or "-", a.password)
    console.print(accounts)
    for what, command in (
        ("the incident", f"incidents show {result.closed.id}"),
        ("alerts", "alerts list"),
        ("dead letters", "deadletter list"),
        ("audit trail", "audit verify"),
        (
            "compliance",
            f"report compliance --from {report.period_from} --to {report.period_to} "
            "--out compliance.xlsx",
        ),
    ):
        console.print(
            f"{what}: {safe(run)} {safe(command)} {safe(store)}", highlight=False, soft_wrap=True
        )


def demo(
    folder: Annotated[
        Path, typer.Option(help="where the demo writes its input logs and documents")
    ] = Path("var/demo"),
    store: StoreOpt = None,
    reset: Annotated[
        bool,
        typer.Option("--reset", help="replace a store the demo did not write (deletes its data)"),
    ] = False,
    serve: Annotated[
        bool, typer.Option("--serve", help="start the server on the store afterwards")
    ] = False,
) -> None:
    """Sample agency logs through the whole path: ingest → alerts → suspected cases → one
    incident from confirmation to closure, another dismissed → compliance; into the store
    `citysoc serve` uses (default: CITYSOC_STORE)."""
    try:
        target = demo_store(store)
        beside = _replaceable(target, reset)
    except CitySocError as exc:
        err.print(f"[red]refused:[/] {safe(exc.message)}")
        raise typer.Exit(2) from None
    # The story spans two days that end before now (demo_story), on a clock it advances.
    clock = FixedClock(datetime.now(UTC) - STORY_SPAN)
    target.db.parent.mkdir(parents=True, exist_ok=True)
    with CitySoc(target.settings, clock=clock) as soc:
        files = write_demo_inputs(folder / "input", now=clock.now())
        console.rule("1. ingest agency logs")
        print_ingest(ingest_files(soc, files.all()), store=target.url)
        console.rule("2. detect and triage: suspected cases, no clock yet")
        run_detections(soc)
        console.rule("3. the demo's people")
        cast = demo_cast(soc)
        console.print(", ".join(f"{a.username} ({a.role.value})" for a in cast))
        console.rule("4. an incident's whole life, and a case dismissed")
        result = tell_story(soc, clock, cast)
        console.rule("5. compliance for the period")
        _print_compliance(result)
        documents = _documents(soc, result, folder)
        verified = soc.verify_audit(actor=local_operator())
        console.print(
            f"audit trail: {verified.entries} entries, {'intact' if verified.ok else 'BROKEN'}"
        )
        if not beside:  # a later demo must never wipe the operator's own accounts
            target.mark(audit_entries=soc.store.audit.count())
    incidents_list(store=target.url)
    _print_hints(target, result, cast, documents)
    if serve:
        from api.cli.serve import serve as run_server

        run_server(store=target.url)
