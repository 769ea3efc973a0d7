"""How fast shippers may send (HTTP ingest): a token bucket of records per ingest token,
and a few slots for requests being parsed at once. In memory, per process: a restart
forgets the buckets, which only ever lets a shipper send sooner."""

import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from core.settings import Settings

__all__ = ["IngestThrottle", "Throttled"]


class Throttled(Exception):
    """Refused for now; ``retry_after`` whole seconds is when trying again may succeed."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message, self.retry_after = message, retry_after


class IngestThrottle:
    def __init__(
        self,
        *,
        records_per_second: float,
        burst: int,
        concurrency: int,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate, self.burst, self._now = records_per_second, burst, now
        self._buckets: dict[str, tuple[float, float]] = {}  # token id -> (level, at)
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(concurrency)

    @classmethod
    def for_settings(cls, settings: Settings) -> "IngestThrottle":
        return cls(
            records_per_second=settings.ingest_records_per_second,
            burst=settings.ingest_max_records,  # a full request always fits a full bucket
            concurrency=settings.ingest_concurrency,
        )

    def take(self, token_id: str, records: int) -> None:
        """Spend ``records`` from the token's bucket. Raises Throttled when it holds fewer;
        nothing is spent then (the retry pays for the whole request)."""
        with self._lock:
            now = self._now()
            level, at = self._buckets.get(token_id, (float(self.burst), now))
            level = min(float(self.burst), level + (now - at) * self.rate)
            if level < records:
                self._buckets[token_id] = (level, now)
                wait = max(1, math.ceil((records - level) / self.rate))
                raise Throttled(
                    f"this ingest token may send {self.rate:g} records per second "
                    f"(CITYSOC_INGEST_RECORDS_PER_SECOND); retry in {wait}s",
                    wait,
                )
            self._buckets[token_id] = (level - records, now)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """One of the requests parsed at once; Throttled when all are busy (the store or
        the parser is behind: back-pressure rather than a queue of waiting threads)."""
        if not self._slots.acquire(blocking=False):
            raise Throttled("CitySOC is busy storing other shippers' events; retry shortly", 1)
        try:
            yield
        finally:
            self._slots.release()
