"""Operators' view: Prometheus metrics and structured JSON logs (never with secrets)."""

import json
import logging
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TextIO

from core.access import Action, Actor, require_citywide
from core.alerts import AlertQuery, AlertStatus
from core.clock import Clock
from core.health import Gauge, WorkerSnapshot
from core.settings import Settings
from core.source_health import source_gauges
from core.storage.base import Store
from incidents import service
from incidents.deadlines import DeadlineStatus
from incidents.models import Incident, IncidentState

__all__ = ["JsonFormatter", "configure_logging", "detection_lag", "metrics_text"]

_PAGE = 1000


class JsonFormatter(logging.Formatter):
    """One JSON object per line; the message is what the code logged, nothing more."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class _StderrHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record is emitted, not to the stream it
    was made with: a replaced stderr (a test's capture, a daemon's redirect) that was closed
    since would otherwise turn every later record into a logging error."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        pass  # always the current sys.stderr


def configure_logging(fmt: str) -> None:
    handler = _StderrHandler()
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)


def _line(name: str, value: float, labels: dict[str, str] | None = None) -> str:
    if labels:
        inner = ",".join(f'{k}="{_escaped(v)}"' for k, v in sorted(labels.items()))
        return f"{name}{{{inner}}} {value}"
    return f"{name} {value}"


def _escaped(value: str) -> str:
    """A label value as the exposition format spells it (file paths hold backslashes)."""
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def metrics_text(
    store: Store,
    clock: Clock,
    workers: Sequence[WorkerSnapshot] = (),
    gauges: Sequence[Gauge] = (),
    *,
    actor: Actor,
    settings: Settings | None = None,
) -> str:
    """Prometheus text exposition (version 0.0.4) computed from the store, the workers'
    health, and the ``gauges`` running components report (syslog intake: journal, drops,
    lines).

    The gauges count every agency's records, so only roles with READ_METRICS (the city
    SOC: analysts, leads, admins) may read them. Raises ForbiddenError. With ``settings``,
    each source's health too (core.source_health: last event age, events per hour, silent).
    """
    require_citywide(actor, Action.READ_METRICS, "metrics")
    if settings is not None:
        gauges = [*gauges, *source_gauges(store, settings=settings, clock=clock)]
    now = clock.now()
    lines = [
        "# HELP citysoc_events_total Events stored.",
        "# TYPE citysoc_events_total gauge",
        _line("citysoc_events_total", store.events.count()),
        "# HELP citysoc_dead_letters_total Records that could not be parsed.",
        "# TYPE citysoc_dead_letters_total gauge",
        _line("citysoc_dead_letters_total", store.dead_letters.count()),
        "# HELP citysoc_alerts Alerts by status.",
        "# TYPE citysoc_alerts gauge",
    ]
    lines += [
        _line("citysoc_alerts", store.alerts.count(AlertQuery(status=s)), {"status": s.value})
        for s in AlertStatus
    ]
    open_by_level: dict[str, int] = {}
    overdue: dict[str, int] = {}
    offset = 0
    while page := store.incidents.list(limit=_PAGE, offset=offset):
        offset += _PAGE
        for document, version in page:
            incident = Incident.model_validate_json(document)
            incident.version = version
            if incident.state in (IncidentState.CLOSED, IncidentState.FALSE_POSITIVE):
                continue
            level = str(incident.level or "unassessed")
            open_by_level[level] = open_by_level.get(level, 0) + 1
            for d in service.deadlines(incident, now=now):
                if d.status is DeadlineStatus.OVERDUE:
                    overdue[d.kind.value] = overdue.get(d.kind.value, 0) + 1
    lines += [
        "# HELP citysoc_open_incidents Open incidents by level.",
        "# TYPE citysoc_open_incidents gauge",
    ]
    lines += [
        _line("citysoc_open_incidents", n, {"level": lvl})
        for lvl, n in sorted(open_by_level.items())
    ]
    lines += [
        "# HELP citysoc_overdue_deadlines Statutory deadlines past due and not met.",
        "# TYPE citysoc_overdue_deadlines gauge",
    ]
    lines += [
        _line("citysoc_overdue_deadlines", n, {"clock": k}) for k, n in sorted(overdue.items())
    ]
    lines += [
        "# HELP citysoc_detection_lag_events Events not yet seen by the slowest rule.",
        "# TYPE citysoc_detection_lag_events gauge",
        _line("citysoc_detection_lag_events", detection_lag(store)),
    ]
    lines += _worker_lines(workers)
    described: set[str] = set()
    for gauge in gauges:
        if gauge.name not in described:
            described.add(gauge.name)
            lines += [f"# HELP {gauge.name} {gauge.help}", f"# TYPE {gauge.name} {gauge.kind}"]
        lines.append(_line(gauge.name, gauge.value, dict(gauge.labels)))
    return "\n".join(lines) + "\n"


def detection_lag(store: Store) -> int:
    """Events the slowest rule has not seen yet (the detection loop's backlog)."""
    last = store.events.last_position()
    slowest = store.checkpoints.lowest("rule:")
    return last - (slowest if slowest is not None else last)


def _worker_lines(workers: Sequence[WorkerSnapshot]) -> list[str]:
    """Each background worker: up or restarting, restarts, last success, backlog."""
    lines = [
        "# HELP citysoc_worker_up 1 while the worker runs, 0 while it restarts after a failure.",
        "# TYPE citysoc_worker_up gauge",
        *(_line("citysoc_worker_up", int(w.ok), {"worker": w.name}) for w in workers),
        "# HELP citysoc_worker_restarts Times the worker failed and was restarted.",
        "# TYPE citysoc_worker_restarts counter",
        *(_line("citysoc_worker_restarts", w.restarts, {"worker": w.name}) for w in workers),
        "# HELP citysoc_worker_last_success_seconds Unix time of the worker's last success.",
        "# TYPE citysoc_worker_last_success_seconds gauge",
        *(
            _line(
                "citysoc_worker_last_success_seconds",
                w.last_success_at.timestamp(),
                {"worker": w.name},
            )
            for w in workers
            if w.last_success_at is not None
        ),
        "# HELP citysoc_worker_backlog Work waiting for the worker (events or batches).",
        "# TYPE citysoc_worker_backlog gauge",
        *(
            _line("citysoc_worker_backlog", w.backlog, {"worker": w.name})
            for w in workers
            if w.backlog is not None
        ),
    ]
    return lines
