"""A small in-process limiter for login attempts per client address (sliding minute)."""

import threading
import time
from collections import defaultdict, deque

from core.errors import RateLimitedError

__all__ = ["LoginLimiter"]


class LoginLimiter:
    def __init__(self, *, per_minute: int) -> None:
        self.per_minute = per_minute
        self._attempts: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def check(self, client: str) -> None:
        """Raises RateLimitedError past ``per_minute`` attempts from one client."""
        now = time.monotonic()
        with self._lock:
            seen = self._attempts[client]
            while seen and now - seen[0] > 60:
                seen.popleft()
            if len(seen) >= self.per_minute:
                wait = int(60 - (now - seen[0])) + 1
                raise RateLimitedError(
                    f"too many login attempts from {client}; wait {wait}s", location="login"
                )
            seen.append(now)
