"""`citysoc incidents merge`: merge a duplicate case into the one that survives.

Registered in the incidents group by api/cli/__init__.py; the same service as
POST /api/v1/incidents/{id}/merge (``incidents.merging``, audited on both cases)."""

from typing import Annotated

import typer

from api.cli.common import StoreOpt, console, open_soc
from api.context import local_operator
from api.terminal import safe
from core.clock import roc_date
from incidents import merging

__all__ = ["merge"]


def merge(
    incident_id: str,
    into: Annotated[str, typer.Option(help="the surviving incident's id")],
    reason: Annotated[str, typer.Option(help="why the two cases are duplicates")],
    store: StoreOpt = None,
) -> None:
    """Merge INCIDENT_ID (a duplicate) into --into: the survivor keeps the earliest
    awareness, every notification, evidence, comment and alert; the duplicate is closed."""
    with open_soc(store) as soc:
        survivor = merging.merge(
            store=soc.store,
            actor=local_operator(),
            incident_id=incident_id,
            into=into,
            reason=reason,
            clock=soc.clock,
            evidence_root=soc.settings.evidence_path,
        )
        aware = roc_date(survivor.aware_at) if survivor.aware_at else "-"
        console.print(
            f"merged {safe(incident_id)} into {safe(survivor.id)}: "
            f"{len(survivor.alert_ids)} alerts, {len(survivor.notifications)} notifications, "
            f"aware at {aware}"
        )
