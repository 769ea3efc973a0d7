"""`citysoc audit verify`: the hash chain checked against its signed anchors."""

import typer

from api.cli.common import StoreOpt, console, open_soc
from api.context import local_operator
from api.terminal import safe
from core.clock import taipei_datetime

__all__ = ["audit_app"]

audit_app = typer.Typer(help="The tamper-evident audit trail.", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify(store: StoreOpt = None) -> None:
    """Check the hash chain and compare it with the signed anchors (then anchor its head);
    exit 1 if any entry was altered, removed or reordered."""
    with open_soc(store) as soc:
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
