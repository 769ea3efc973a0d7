"""Read models shared by the JSON routes, the pages and the CLI, so each question about an
incident or event is answered in one place: the incident as the API returns it, its
statutory clocks (the next one due), and one stored event as people see it."""

from dataclasses import dataclass

from api.context import CitySoc
from api.schemas import DeadlineRead, IncidentRead
from core.alerts import Alert
from core.events import Event, FieldValue
from core.source_health import RULE_ID as SOURCE_SILENT
from incidents import service
from incidents.board import IncidentClocks, incident_clocks
from incidents.models import Incident

__all__ = ["EventView", "IncidentClocks", "event_href", "incident_clocks", "incident_read"]


def incident_read(soc: CitySoc, incident: Incident) -> IncidentRead:
    """The incident as the API answers it: with its clocks as of now and the system class
    the scan inventory suggests for the level form."""
    clocks = incident_clocks(incident, now=soc.clock.now())
    return IncidentRead(
        incident=incident,
        version=incident.version,
        deadlines=[DeadlineRead.model_validate(d) for d in clocks.rows],
        overdue=clocks.overdue,
        suggested_system_class=service.suggest_system_class(store=soc.store, incident=incident),
    )


@dataclass(frozen=True, slots=True)
class EventView:
    """One stored event: the original record, verbatim, and its normalized ECS fields."""

    event: Event

    @property
    def sorted_fields(self) -> list[tuple[str, FieldValue]]:
        """The fields by name, as the event page lists them."""
        return sorted(self.event.fields.items())

    def as_json(self) -> dict[str, object]:
        """The body of ``GET /api/v1/events/{id}``."""
        found = self.event
        return {
            "id": found.event_id,
            "timestamp": found.timestamp,
            "dataset": found.dataset,
            "organization_id": found.organization_id,
            "original": found.original,
            "fields": found.fields,
        }


def event_href(alert: Alert) -> str:
    """Where an alert's event is shown: its event page; a silent source's alert has no event
    (nothing arrived), so the source health page of its agency."""
    if alert.rule_id == SOURCE_SILENT:
        return f"/sources?agency={alert.organization_id}"
    return f"/events/{alert.event.event_id}"
