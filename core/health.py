"""Health of background workers (syslog ingest, detection, schedulers, the spool drainer).

A worker registers under a name and reports as it goes; readiness asks the registry, so a
worker that is down makes ``GET /api/v1/ready`` answer 503 naming it, whoever created it.
"""

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

__all__ = ["Gauge", "HealthRegistry", "WorkerHealth", "WorkerSnapshot", "WorkerState"]


class WorkerState(StrEnum):
    STARTING = "starting"
    RUNNING = "running"
    RESTARTING = "restarting"  # it failed; it is waiting out its back-off before trying again


@dataclass(frozen=True, slots=True)
class WorkerSnapshot:
    name: str
    state: WorkerState
    restarts: int
    last_error: str | None
    last_error_at: datetime | None
    last_success_at: datetime | None
    backlog: int | None = None  # work waiting for this worker (events, batches), if it knows

    @property
    def ok(self) -> bool:
        return self.state is not WorkerState.RESTARTING

    def describe(self) -> str:
        """One line for people: the state, and why when it is not running."""
        waiting = f" (backlog {self.backlog})" if self.backlog else ""
        if self.ok:
            return self.state.value + waiting
        since = f" since {self.last_error_at.isoformat()}" if self.last_error_at else ""
        success = self.last_success_at.isoformat() if self.last_success_at else "never"
        return (
            f"{self.state.value}{since} after {self.last_error} "
            f"({self.restarts} restarts; last success {success}){waiting}"
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "state": self.state.value,
            "restarts": self.restarts,
            "last_error": self.last_error,
            "last_error_at": self.last_error_at.isoformat() if self.last_error_at else None,
            "last_success_at": self.last_success_at.isoformat() if self.last_success_at else None,
            "backlog": self.backlog,
        }


class WorkerHealth:
    """What one worker says about itself; safe to update from the worker's thread."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._lock = threading.Lock()
        self._state = WorkerState.STARTING
        self._restarts = 0
        self._last_error: str | None = None
        self._last_error_at: datetime | None = None
        self._last_success_at: datetime | None = None
        self._backlog: int | None = None

    def running(self) -> None:
        with self._lock:
            self._state = WorkerState.RUNNING

    def succeeded(self, at: datetime) -> None:
        with self._lock:
            self._state = WorkerState.RUNNING
            self._last_success_at = at

    def failed(self, error: BaseException, at: datetime) -> None:
        """The worker died of ``error`` and will restart (the message names no secret: it
        is an exception's text, which our storage errors keep free of credentials)."""
        with self._lock:
            self._state = WorkerState.RESTARTING
            self._restarts += 1
            self._last_error = f"{type(error).__name__}: {error}"[:500]
            self._last_error_at = at

    def waiting(self, backlog: int | None) -> None:
        """How much work waits for the worker (None: it cannot tell)."""
        with self._lock:
            self._backlog = backlog

    def snapshot(self) -> WorkerSnapshot:
        with self._lock:
            return WorkerSnapshot(
                self.name,
                self._state,
                self._restarts,
                self._last_error,
                self._last_error_at,
                self._last_success_at,
                self._backlog,
            )


@dataclass(frozen=True, slots=True)
class Gauge:
    """One metric sample a component reports (``/metrics`` renders it)."""

    name: str
    help: str
    value: float
    labels: tuple[tuple[str, str], ...] = ()
    kind: str = "gauge"  # or "counter"


class HealthRegistry:
    """The workers of one CitySOC process, by name, and the metrics they report."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._workers: dict[str, WorkerHealth] = {}
        self._metrics: dict[str, Callable[[], list[Gauge]]] = {}

    def add_metrics(self, name: str, source: Callable[[], list[Gauge]]) -> None:
        with self._lock:
            self._metrics[name] = source

    def remove_metrics(self, name: str) -> None:
        with self._lock:
            self._metrics.pop(name, None)

    def metrics(self) -> list[Gauge]:
        with self._lock:
            sources = list(self._metrics.values())
        return [gauge for source in sources for gauge in source()]

    def register(self, name: str) -> WorkerHealth:
        """A fresh record for ``name`` (a restarted component replaces its old one)."""
        health = WorkerHealth(name)
        with self._lock:
            self._workers[name] = health
        return health

    def unregister(self, health: WorkerHealth) -> None:
        """A worker stopped on purpose is no longer a readiness check."""
        with self._lock:
            if self._workers.get(health.name) is health:
                del self._workers[health.name]

    def snapshot(self) -> list[WorkerSnapshot]:
        with self._lock:
            workers = list(self._workers.values())
        return [w.snapshot() for w in workers]
