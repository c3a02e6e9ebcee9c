"""A thread-safe token bucket: the client-side QPS limit shared by every call of one client."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimiter:
    """At most ``qps`` acquisitions per second on average, bursts of up to ``burst``.

    Each :meth:`acquire` reserves its slot under a lock (the token count may go negative: that is
    the queue of callers already waiting), then sleeps outside the lock until the slot comes, so
    concurrent callers are served in arrival order and never exceed the rate together.
    ``clock`` must be monotonic; both ``clock`` and ``sleep`` are injectable for tests.
    """

    def __init__(
        self,
        qps: float,
        *,
        burst: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not isinstance(qps, (int, float)) or isinstance(qps, bool) or not qps > 0:
            raise ValueError(f"qps must be a positive number, got {qps!r}")
        if not burst >= 1:
            raise ValueError(f"burst must be at least 1, got {burst!r}")
        self.qps = float(qps)
        self.burst = float(burst)
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._tokens = self.burst
        self._stamp = clock()

    def reserve(self) -> float:
        """Take one token; return how many seconds the caller must wait before using it."""
        with self._lock:
            now = self._clock()
            elapsed = max(0.0, now - self._stamp)
            self._stamp = now
            self._tokens = min(self.burst, self._tokens + elapsed * self.qps) - 1.0
            return 0.0 if self._tokens >= 0 else -self._tokens / self.qps

    def acquire(self) -> float:
        """Block until a call may go out; return the seconds waited."""
        wait = self.reserve()
        if wait > 0:
            self._sleep(wait)
        return wait
