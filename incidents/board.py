"""The incident board's query: which incidents a person sees, filtered, searched, sorted and
paged; the board page, ``GET /api/v1/incidents`` and ``citysoc incidents list`` ask it.

Two of the filters and one of the orders are not stored facts but depend on the time of
asking (overdue, the next deadline), so the board reads the visible incidents a batch at a
time and judges each against ``now``; the store is asked for the actor's agencies only. A
city opens incidents by the hundreds a year, so this stays a fraction of a second."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from core.access import Actor
from core.storage.base import Store
from incidents import repository, service
from incidents.deadlines import Deadline, DeadlineStatus
from incidents.models import Incident, IncidentState

__all__ = [
    "BoardQuery",
    "BoardRow",
    "BoardSort",
    "IncidentClocks",
    "MINE",
    "board",
    "incident_clocks",
]

_BATCH = 500  # incidents read from the store at a time
MINE = "mine"  # as the assignee: the person asking


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


class BoardSort(StrEnum):
    NEWEST = "newest"  # the latest opened first (by id): the board's default
    AWARENESS = "awareness"  # the latest awareness (知悉) first; suspected cases last
    LEVEL = "level"  # the highest level first; not yet assessed last
    DEADLINE = "deadline"  # the soonest next clock (or triage target) first; none last


@dataclass(frozen=True, slots=True)
class BoardQuery:
    """Every field narrows (None: any). ``assignee`` is a username, or ``MINE`` for the
    person asking; ``text`` is searched in the id, title and event name, ignoring case;
    ``overdue`` means a statutory clock overdue or a suspected case past its triage target."""

    state: IncidentState | None = None
    level: int | None = None
    agency: str | None = None
    assignee: str | None = None
    overdue: bool | None = None
    text: str | None = None
    sort: BoardSort = BoardSort.NEWEST


@dataclass(frozen=True, slots=True)
class BoardRow:
    incident: Incident
    next: Deadline | None  # the next statutory clock still open
    overdue: bool  # a statutory clock is overdue
    triage_due: datetime | None  # a suspected case's internal target
    triage_late: bool

    @property
    def late(self) -> bool:
        return self.overdue or self.triage_late

    @property
    def next_due(self) -> datetime | None:
        return self.triage_due or (self.next.due_at if self.next else None)


def _row(incident: Incident, now: datetime, targets: Mapping[str, int]) -> BoardRow:
    clocks = incident_clocks(incident, now=now)
    target = service.triage_target(incident, targets=targets)
    return BoardRow(
        incident=incident,
        next=clocks.next,
        overdue=clocks.overdue,
        triage_due=target,
        triage_late=target is not None and target < now,
    )


def _matches(row: BoardRow, q: BoardQuery) -> bool:
    i = row.incident
    if q.state is not None and i.state is not q.state:
        return False
    if q.level is not None and i.level != q.level:
        return False
    if q.assignee is not None and i.assignee != q.assignee:
        return False
    if q.overdue is not None and row.late is not q.overdue:
        return False
    if q.text:
        needle = q.text.casefold()
        return any(needle in hay.casefold() for hay in (i.id, i.title, i.event_name))
    return True


# Each order as a key over rows already in the newest-first order (a stable sort keeps it
# among equals); the first element puts rows without the figure last.
_ORDERS: dict[BoardSort, Callable[[BoardRow], tuple[object, ...]] | None] = {
    BoardSort.NEWEST: None,
    BoardSort.AWARENESS: lambda r: (
        r.incident.aware_at is None,
        -(r.incident.aware_at.timestamp() if r.incident.aware_at else 0),
    ),
    BoardSort.LEVEL: lambda r: (r.incident.level is None, -(r.incident.level or 0)),
    BoardSort.DEADLINE: lambda r: (
        r.next_due is None,
        r.next_due.timestamp() if r.next_due else 0,
    ),
}


def board(
    store: Store,
    *,
    actor: Actor,
    query: BoardQuery,
    now: datetime,
    triage_targets: Mapping[str, int],
    limit: int,
    offset: int,
) -> tuple[int, list[BoardRow]]:
    """(how many match, this page of them). A reporter sees their own agency's only,
    whatever ``query.agency`` asks for."""
    agencies = [query.agency] if query.agency else None
    if query.assignee == MINE:
        query = replace(query, assignee=actor.name)
    found: list[BoardRow] = []
    start = 0
    while True:
        batch = repository.list_visible(
            store, actor=actor, agencies=agencies, limit=_BATCH, offset=start
        )
        found.extend(r for r in (_row(i, now, triage_targets) for i in batch) if _matches(r, query))
        if len(batch) < _BATCH:
            break
        start += _BATCH
    order = _ORDERS[query.sort]
    if order is not None:
        found.sort(key=order)
    return len(found), found[offset : offset + limit]
