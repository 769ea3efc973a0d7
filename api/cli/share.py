"""`citysoc share`: joint defence with partner cities over STIX/TAXII."""

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from api.cli.common import Limit, StoreOpt, console, err, open_soc, write_file
from api.context import local_operator
from api.terminal import Table, plain, safe
from core.clock import taipei_time
from core.errors import CitySocError
from core.i18n.messages import term

if TYPE_CHECKING:  # the sharing modules load on use: the CLI starts fast
    from incidents.sharing.deidentify import Withheld

__all__ = ["share_app"]

share_app = typer.Typer(
    help="Joint defence: share with partner cities over STIX/TAXII, pull theirs.",
    no_args_is_help=True,
)


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
    from incidents.sharing.preview import ShareRequest
    from incidents.sharing.tlp import Tlp

    try:
        marking = Tlp(tlp.lower())
    except ValueError:
        choices = ", ".join(t.value for t in Tlp)
        raise typer.BadParameter(f"--tlp must be one of {choices}") from None
    with open_soc(store) as soc:
        asked = ShareRequest(
            incident_id=incident_id,
            iocs=[classify(v) for v in ioc or []],
            summary=summary,
            tlp=marking,
            include_incident_iocs=incident_iocs,
        )
        preview = soc.preview_share(local_operator(), asked)
        table = Table(title=f"What will be shared ({marking.label}); nothing is published yet")
        for col in ("IoC", "shared?"):
            table.add_column(col)
        for shared in preview.shared:
            table.add_row(f"{shared.type.value}: {shared.value}", Text("shared", style="green"))
        for held in preview.withheld:
            table.add_row(
                f"{held.ioc.type.value}: {held.ioc.value}",
                Text.assemble(("withheld", "yellow"), f": {plain(_why(held))}"),
            )
        console.print(table)
        console.print("summary as it will be sent:")
        console.print(plain(preview.summary or "(none)"), markup=False, highlight=False)
        if preview.redactions:
            counts = preview.redactions.items()
            removed = ", ".join(f"{n} {term('redaction', k.value, 'en')}" for k, n in counts)
            console.print(f"removed from the summary: {safe(removed)}")
        if not yes and not typer.confirm(
            "Check it names no person and holds nothing else that must stay in the city. "
            "Publish exactly this to the partners?"
        ):
            console.print("not published")
            raise typer.Exit(1)
        result = soc.publish_share(local_operator(), asked, confirm=preview.digest)
    console.print(f"published bundle {safe(result.bundle['id'])} ({marking.label})")
    if out is not None:
        write_file(out, json.dumps(result.bundle, ensure_ascii=False, indent=2).encode())


@share_app.command("partners")
def share_partners(store: StoreOpt = None) -> None:
    """Partners, their grants, last sync, indicators on the watchlist and the hits."""
    from incidents.sharing.intel import overview

    with open_soc(store) as soc:
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

    with open_soc(store) as soc:
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

    with open_soc(store) as soc:
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

    with open_soc(store) as soc:
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


def _why(held: "Withheld") -> str:
    """Why an IoC stays in the city, in the catalogue's English (the CLI speaks English)."""
    why = term("withheld", held.reason.value, "en")
    if held.kinds:
        why += " " + term("redaction", [k.value for k in held.kinds], "en")
    return f"{why} ({held.detail})" if held.detail else why
