"""`citysoc incidents correct`: correct an incident's time of awareness or occurrence.

Registered in the incidents group by api/cli/__init__.py; the same service as
POST /api/v1/incidents/{id}/corrections (appended, audited old → new with the reason)."""

from datetime import datetime
from typing import Annotated

import typer

from api.cli.common import StoreOpt, console, open_soc
from api.context import local_operator
from api.terminal import safe
from core.clock import roc_date
from incidents import awareness
from incidents.models import CorrectedField

__all__ = ["correct"]


def correct(
    incident_id: str,
    field: Annotated[CorrectedField, typer.Option(help="the time to correct")],
    value: Annotated[
        str,
        typer.Option(help="the corrected time, ISO 8601 with zone, e.g. 2026-03-02T09:00:00+08:00"),
    ],
    reason: Annotated[
        str, typer.Option(help="why it changes (required once the notification is filed)")
    ] = "",
    store: StoreOpt = None,
) -> None:
    """Correct when the incident occurred or the agency became aware (知悉)."""
    try:
        at = datetime.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"not an ISO 8601 time: {value}", param_hint="--value") from exc
    with open_soc(store) as soc:
        incident = awareness.correct_time(
            store=soc.store,
            actor=local_operator(),
            incident_id=incident_id,
            field=field,
            value=at,
            reason=reason,
            clock=soc.clock,
        )
        console.print(
            f"corrected {safe(incident.id)}: {field.value} is now "
            f"{roc_date(getattr(incident, field.value))}"
        )
