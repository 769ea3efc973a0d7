"""Read models shared by the JSON routes, the pages and the CLI, so each question about an
incident is answered in one place."""

from dataclasses import dataclass
from datetime import datetime

from incidents import service
from incidents.deadlines import Deadline, DeadlineStatus
from incidents.models import Incident

__all__ = ["IncidentClocks", "incident_clocks"]


@dataclass(frozen=True, slots=True)
class IncidentClocks:
    """An incident's statutory clocks as of ``now``: all of them, the next one still open
    (the earliest due), and whether any is overdue."""

    rows: list[Deadline]
    next: Deadline | None
    overdue: bool


def incident_clocks(incident: Incident, *, now: datetime) -> IncidentClocks:
    rows = service.deadlines(incident, now=now)
    still_open = [d for d in rows if d.due_at is not None and d.done_at is None]
    return IncidentClocks(
        rows=rows,
        next=min(still_open, key=lambda d: d.due_at or now, default=None),
        overdue=any(d.status is DeadlineStatus.OVERDUE for d in rows),
    )
