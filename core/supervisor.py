"""One supervised background worker: a step run on a timer (or when woken), restarted
with back-off when it fails.

A worker that raises does not die: the error is logged with its cause, its health says
"restarting" (so ``GET /api/v1/ready`` answers 503 naming it), and after a back-off that
doubles up to a ceiling the step runs again. The first success clears the back-off and
makes the worker "running" again. After each attempt the worker reports its backlog
(detection lag, spooled events) when it can measure one, after a failure too.
"""

import logging
import threading
from collections.abc import Callable
from typing import Self

from core.clock import Clock, SystemClock
from core.health import HealthRegistry, WorkerHealth

__all__ = ["Supervised"]

log = logging.getLogger("citysoc.workers")


class Supervised(threading.Thread):
    """Runs ``step`` every ``interval`` seconds (sooner when ``wake`` is set) until closed.

    ``backlog`` (optional) measures the work still waiting; it runs after each attempt,
    and a failure to measure is reported as an unknown backlog, not as a failed worker.
    """

    def __init__(
        self,
        name: str,
        step: Callable[[], object],
        *,
        health: HealthRegistry,
        interval: float,
        backoff: tuple[float, float] = (1.0, 60.0),
        backlog: Callable[[], int | None] | None = None,
        clock: Clock | None = None,
    ) -> None:
        super().__init__(name=name, daemon=True)
        self.step, self.interval, self.backoff = step, interval, backoff
        self._measure = backlog
        self._registry = health
        self._clock: Clock = clock or SystemClock()
        self.health: WorkerHealth | None = None
        self.wake = threading.Event()
        self.stop = threading.Event()

    def start(self) -> None:
        """Register in the health registry (readiness judges it from now on), then run."""
        self.health = self._registry.register(self.name)
        super().start()

    def run(self) -> None:
        health = self.health
        assert health is not None  # noqa: S101 - start() registers before the thread runs
        first, longest = self.backoff
        delay = first
        health.running()
        while not self.stop.is_set():
            self.wake.wait(self.interval)
            self.wake.clear()
            while not self.stop.is_set():
                try:
                    self.step()
                except Exception as exc:  # noqa: BLE001 - any failure: report, back off, retry
                    health.failed(exc, self._clock.now())
                    self._report_backlog(health)
                    log.error(
                        "worker %s failed (%s: %s); restarting in %.1f s",
                        self.name,
                        type(exc).__name__,
                        exc,
                        delay,
                        exc_info=exc,
                    )
                    if self.stop.wait(delay):
                        return
                    delay = min(delay * 2, longest)
                    continue
                delay = first
                health.succeeded(self._clock.now())
                self._report_backlog(health)
                break

    def _report_backlog(self, health: WorkerHealth) -> None:
        if self._measure is None:
            return
        try:
            health.waiting(self._measure())
        except Exception:  # noqa: BLE001 - the next step will fail and say why if it matters
            health.waiting(None)

    def close(self, timeout: float = 10.0) -> None:
        """Stop after the current step; a worker stopped on purpose leaves readiness."""
        self.stop.set()
        self.wake.set()
        if self.is_alive():
            self.join(timeout)
        if self.health is not None:
            self._registry.unregister(self.health)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
