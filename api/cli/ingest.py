"""`citysoc ingest`, `detect` and `rules check`: log files in, Sigma rules over them.

`ingest` and `detect` are top-level commands: `api/cli/__init__.py` registers them.
"""

import shlex
from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import StoreOpt, console, err, open_soc, progress_bar
from api.context import CitySoc
from api.terminal import Table, safe
from collectors.files import default_workers, expand_paths, ingest_paths, total_bytes
from collectors.ingest import IngestReport
from core.storage import pending_events

__all__ = ["detect", "ingest", "ingest_files", "print_ingest", "rules_app", "run_detections"]

rules_app = typer.Typer(help="Sigma rule packs.", no_args_is_help=True)


def print_ingest(report: IngestReport, pending: int = 0, store: str | None = None) -> None:
    """The summary; ``pending``: events accepted into the spool, not yet in the store;
    ``store``: the --store its hint names."""
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
        where = f" --store {shlex.quote(store)}" if store else ""
        console.print(
            f"[yellow]See the rejected records with: citysoc deadletter list{safe(where)}[/]",
            soft_wrap=True,
        )


def ingest_files(soc: CitySoc, paths: list[Path]) -> IngestReport:
    """Ingest files and folders with a progress bar (by bytes) on stderr."""
    files = expand_paths(paths)
    with progress_bar() as progress:
        task = progress.add_task(f"ingesting {len(files)} file(s)", total=total_bytes(files))
        return ingest_paths(
            files, soc.ingestor(), lambda n: progress.advance(task, n), workers=default_workers()
        )


def run_detections(soc: CitySoc) -> None:
    """Compile the rules, run them over new events and triage; print what happened."""
    with progress_bar() as progress:
        task = progress.add_task("compiling rules", total=None)
        rules = soc.rules(lambda n: progress.advance(task, n))
        progress.update(task, description="running rules", total=len(rules.compiled), completed=0)
        report = soc.process(progress=lambda n: progress.advance(task, n))
    console.print(
        f"rules: {len(rules.compiled)} compiled, {len(rules.issues)} not usable "
        f"({rules.from_cache} files from cache); {report.detection.alerts_new} new "
        f"alerts; {report.triage.incidents_opened} suspected cases opened "
        "(a person confirms each to start its clocks), "
        f"{report.triage.incidents_updated} updated"
    )
    for rule_id, reason in report.detection.failed.items():
        err.print(f"[red]rule {safe(rule_id)} failed and was skipped:[/] {safe(reason)}")


def ingest(
    paths: Annotated[
        list[Path],
        typer.Argument(help="files or folders (.evtx .jsonl .json .ndjson .csv .log .syslog .txt)"),
    ],
    store: StoreOpt = None,
    detect: Annotated[bool, typer.Option(help="run detections afterwards")] = True,
) -> None:
    """Ingest log files and folders; bad records go to the dead-letter store."""
    with open_soc(store) as soc:
        report = ingest_files(soc, paths)
        print_ingest(report, pending_events(soc.store), store)
        if detect:
            run_detections(soc)


def detect(
    rules: Annotated[
        list[Path] | None, typer.Option("--rules", help="rule folder (repeatable)")
    ] = None,
    store: StoreOpt = None,
) -> None:
    """Run Sigma rules over events not yet seen, then group alerts into incidents."""
    with open_soc(store, rules) as soc:
        run_detections(soc)


@rules_app.command("check")
def rules_check(dirs: Annotated[list[Path], typer.Argument()]) -> None:
    """Load and compile rules; list each one that cannot be used, with the reason."""
    from detections.compile import compile_rule_dirs

    with progress_bar() as progress:
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
