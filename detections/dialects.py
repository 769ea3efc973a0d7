"""What differs between engines when rules are compiled: the pySigma backend, how its output
becomes a condition the store's ``scan`` evaluates, and the few conditions we write by hand.

Both engines use the one CitySOC pipeline (detections.pipeline), so a rule reads the same
fields everywhere; only the query language differs.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sigma.rule import SigmaRule

from core.storage.sqlite.columns import field_sql
from detections.lucene_backend import CitySocLuceneBackend
from detections.pipeline import citysoc_pipeline
from detections.sqlite_backend import CitySocSqliteBackend, since_condition

__all__ = ["Dialect", "dialect_for"]

_SELECT_PREFIX = "SELECT * FROM events WHERE "


@dataclass(frozen=True)
class Dialect:
    engine: str

    def backend(self) -> Any:
        if self.engine == "sqlite":
            return CitySocSqliteBackend(citysoc_pipeline(), collect_errors=True)
        return CitySocLuceneBackend(citysoc_pipeline(), collect_errors=True)

    def condition(self, queries: Sequence[str]) -> str:
        """One condition from a rule's queries (a rule may compile to several)."""
        parts = [q.removeprefix(_SELECT_PREFIX) for q in queries]
        return parts[0] if len(parts) == 1 else " OR ".join(f"({p})" for p in parts)

    def both(self, first: str, second: str) -> str:
        return f"({first}) AND {second}" if self.engine == "sqlite" else f"({first}) AND ({second})"

    def since(self, at: datetime) -> str:
        """Events at or after ``at``."""
        if self.engine == "sqlite":
            return since_condition(at)
        return f'@timestamp:["{at.astimezone(UTC).isoformat()}" TO *]'

    def prefilter(self, backend: Any, rule: SigmaRule) -> str | None:
        """A cheap condition every match satisfies (SQLite groups scans by it). Elasticsearch
        filters inside each query already, so it gets none."""
        if self.engine != "sqlite":
            return None
        channels = backend._extract_field_values_from_rule(rule, "winlog.channel")
        codes = backend._extract_field_values_from_rule(rule, "winlog.event_id")
        parts = []
        if channels:
            quoted = ", ".join("'" + str(c).replace("'", "''") + "'" for c in channels)
            parts.append(f"{field_sql('winlog.channel')} IN ({quoted})")
        if codes and all(str(c).isdigit() for c in codes):
            parts.append(f"{field_sql('winlog.event_id')} IN ({', '.join(str(c) for c in codes)})")
        return " AND ".join(parts) or None


_DIALECTS = {name: Dialect(name) for name in ("sqlite", "elasticsearch")}


def dialect_for(engine: str) -> Dialect:
    return _DIALECTS[engine]
