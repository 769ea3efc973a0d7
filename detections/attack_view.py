"""The ATT&CK view (issue 16 item 4): a period's alerts, and the incidents they belong to, by
tactic and technique from the rules' tags (detections.attack), for what an actor may see.

Alerts are read a page at a time (at most ``MAX_ALERTS``; ``capped`` says when more were
left out) and counted per (tactic, technique) cell: a technique counts under the rule's
tactics that it belongs to, under all of its own when the rule names none, and under the
rule's when the shipped data does not know it. An incident counts in a cell when one of its
alerts does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from core.access import Action, Actor, require_right
from core.alerts import Alert, AlertQuery
from core.clock import TAIPEI
from core.storage.base import Store
from detections.attack import TACTICS, Technique, tactics_of_tags, technique, techniques_of_tags

__all__ = [
    "DEFAULT_DAYS",
    "MAX_ALERTS",
    "NO_TACTIC",
    "AttackCell",
    "AttackView",
    "attack_view",
    "taipei_period",
]

MAX_ALERTS = 50_000  # a period's alerts counted at most (a page of the heat map, not an export)
NO_TACTIC = "none"  # a technique neither the rule nor the data places under a tactic
_PAGE = 1000
DEFAULT_DAYS = 30  # the period shown when none is asked: the last 30 days to today


def taipei_period(
    start: date | None, end: date | None, now: datetime
) -> tuple[date, date, datetime, datetime]:
    """The asked days (Taipei; defaults: the last DEFAULT_DAYS to today, ends swapped when
    reversed) and their bounds ``[start 00:00, end+1 00:00)`` Taipei time."""
    end = end or now.astimezone(TAIPEI).date()
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if end < start:
        start, end = end, start
    since = datetime.combine(start, time(0), tzinfo=TAIPEI)
    until = datetime.combine(end + timedelta(days=1), time(0), tzinfo=TAIPEI)
    return start, end, since, until


@dataclass
class AttackCell:
    tactic: str
    technique: Technique
    alerts: int = 0
    incidents: set[str] = field(default_factory=set)


@dataclass
class AttackView:
    since: datetime
    until: datetime
    organization_id: str | None
    alerts: int = 0  # every alert of the period read
    untagged: int = 0  # of them, those without a technique
    capped: bool = False
    cells: dict[tuple[str, str], AttackCell] = field(default_factory=dict)

    @property
    def tactics(self) -> list[str]:
        """Tactics with at least one cell, in matrix order (NO_TACTIC last)."""
        used = {tactic for tactic, _ in self.cells}
        return [t for t in [*TACTICS, NO_TACTIC] if t in used]

    def column(self, tactic: str) -> list[AttackCell]:
        """One tactic's cells, most alerts first."""
        found = [c for (t, _), c in self.cells.items() if t == tactic]
        return sorted(found, key=lambda c: (-c.alerts, c.technique.id))

    @property
    def peak(self) -> int:
        return max((c.alerts for c in self.cells.values()), default=0)

    def rows(self) -> list[dict[str, object]]:
        """Per technique (over its tactics): id, name, link, tactics, alerts, incidents;
        most alerts first."""
        by_id: dict[str, dict[str, object]] = {}
        incidents: dict[str, set[str]] = {}
        alerts: dict[str, int] = {}
        for (tactic, technique_id), cell in self.cells.items():
            row = by_id.setdefault(
                technique_id,
                {
                    "technique": technique_id,
                    "name": cell.technique.name,
                    "url": cell.technique.url,
                    "tactics": [],
                },
            )
            row["tactics"].append(tactic)  # type: ignore[attr-defined]
            # a technique under two tactics is one alert, not two
            alerts[technique_id] = max(alerts.get(technique_id, 0), cell.alerts)
            incidents.setdefault(technique_id, set()).update(cell.incidents)
        for technique_id, row in by_id.items():
            row["alerts"] = alerts[technique_id]
            row["incidents"] = len(incidents[technique_id])
        return sorted(by_id.values(), key=lambda r: (-int(str(r["alerts"])), str(r["technique"])))

    def as_dict(self) -> dict[str, object]:
        return {
            "since": self.since.isoformat(),
            "until": self.until.isoformat(),
            "agency": self.organization_id,
            "alerts": self.alerts,
            "untagged": self.untagged,
            "capped": self.capped,
            "incidents": len({i for c in self.cells.values() for i in c.incidents}),
            "cells": [
                {
                    "tactic": c.tactic,
                    "technique": c.technique.id,
                    "alerts": c.alerts,
                    "incidents": len(c.incidents),
                }
                for c in sorted(self.cells.values(), key=lambda c: (c.tactic, c.technique.id))
            ],
            "techniques": self.rows(),
        }


def attack_view(
    store: Store,
    *,
    actor: Actor,
    since: datetime,
    until: datetime,
    organization_id: str | None = None,
) -> AttackView:
    """The period's alerts (matched event time in ``[since, until)``) the actor may see (a
    reporter: their agency's, whatever is asked), by tactic and technique."""
    require_right(actor, Action.VIEW, "the ATT&CK view takes an account that views records")
    view = AttackView(since=since, until=until, organization_id=organization_id)
    agencies = actor.scope.agencies([organization_id] if organization_id else None)
    if agencies == []:
        return view
    query = AlertQuery(organization_id=agencies[0] if agencies else None, since=since, until=until)
    for alert in _alerts(store, query, view):
        _count(view, alert)
    return view


def _alerts(store: Store, query: AlertQuery, view: AttackView) -> Iterator[Alert]:
    offset = 0
    while offset < MAX_ALERTS:
        page = store.alerts.list(query, limit=min(_PAGE, MAX_ALERTS - offset), offset=offset)
        yield from page
        offset += len(page)
        if len(page) < _PAGE:
            return
    view.capped = store.alerts.count(query) > MAX_ALERTS


def _count(view: AttackView, alert: Alert) -> None:
    view.alerts += 1
    ids = list(alert.attack) or techniques_of_tags(alert.tags)
    if not ids:
        view.untagged += 1
        return
    named = tactics_of_tags(alert.tags)
    for technique_id in dict.fromkeys(ids):
        known = technique(technique_id)
        if named and known.tactics:
            tactics = [t for t in named if t in known.tactics] or named
        else:
            tactics = named or list(known.tactics) or [NO_TACTIC]
        for tactic in tactics:
            cell = view.cells.setdefault(
                (tactic, technique_id), AttackCell(tactic=tactic, technique=known)
            )
            cell.alerts += 1
            if alert.incident_id:
                cell.incidents.add(alert.incident_id)
