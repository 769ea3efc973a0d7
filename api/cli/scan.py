"""`citysoc scan` and `citysoc assets`: nmap scans and the inventory they build.

`scan` is a top-level command: `api/cli/__init__.py` registers it.
"""

from typing import Annotated

import typer

from api.cli.common import Limit, StoreOpt, console, err, open_soc, progress_bar
from api.context import local_operator
from api.terminal import Table
from core.clock import roc_date

__all__ = ["assets_app", "scan"]

assets_app = typer.Typer(help="The asset inventory built by scans.", no_args_is_help=True)


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

    with open_soc(store) as soc:
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
        with progress_bar() as progress:
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
    with open_soc(store) as soc:
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
    with open_soc(store) as soc:
        table = Table(title="Inventory changes, newest first")
        for col in ("time (Taipei)", "agency", "address", "change", "detail"):
            table.add_column(col)
        for c in soc.store.assets.changes(limit=limit):
            table.add_row(roc_date(c.at), c.organization_id, c.address, c.kind.value, c.detail)
        console.print(table)


@assets_app.command("scans")
def assets_scans(store: StoreOpt = None, limit: Limit = 20) -> None:
    """The scan log, failed scans included with their reason."""
    with open_soc(store) as soc:
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
