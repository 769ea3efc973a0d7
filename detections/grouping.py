"""Which alerts form one candidate case: those of the same agency, and (as configured) the
same rule and/or host, whose matched events fall in the same window.

Windows are fixed, back to back, and aligned to Taipei midnight, so a one-day window is a
Taipei day and an hour window a clock hour; an event exactly at a window's start opens the
next group. The window's start is part of the key (and so of the case's id, see
``incidents.triage.group_incident_id``): a repeated run meets the same group. Configured by
``CITYSOC_ALERT_GROUP_BY`` and ``CITYSOC_ALERT_GROUP_WINDOW_MINUTES`` (checked in
``core.settings``: agency always, at most 7 days)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from core.settings import ALERT_GROUP_FIELDS, Settings

__all__ = ["AlertGrouping", "TAIPEI_OFFSET_SECONDS"]

TAIPEI_OFFSET_SECONDS = 8 * 3600  # UTC+8 all year (no daylight saving)
_ANY = "*"  # in a key, a field the alerts need not share


@dataclass(frozen=True, slots=True)
class AlertGrouping:
    by: frozenset[str] = field(default_factory=lambda: frozenset(ALERT_GROUP_FIELDS))
    window: timedelta = timedelta(hours=1)

    @classmethod
    def from_settings(cls, settings: Settings) -> AlertGrouping:
        return cls(
            by=frozenset(settings.alert_group_by),
            window=timedelta(minutes=settings.alert_group_window_minutes),
        )

    def window_start(self, at: datetime) -> int:
        """The start (UTC epoch seconds) of the window ``at`` falls in."""
        seconds = int(self.window.total_seconds())
        local = int(at.timestamp()) + TAIPEI_OFFSET_SECONDS
        return local // seconds * seconds - TAIPEI_OFFSET_SECONDS

    def key(self, rule_id: str, organization_id: str, host: str | None, at: datetime) -> str:
        """rule|agency|host|window start; a field not grouped on is ``*``."""
        rule = rule_id if "rule" in self.by else _ANY
        where = (host or "-").lower() if "host" in self.by else _ANY
        return f"{rule}|{organization_id}|{where}|{self.window_start(at)}"
