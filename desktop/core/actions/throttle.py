"""Pacing of the engine's calls: a steady rate below the platform's limit, and patient back-off.

The platform allows 100 calls per second per API and app by default and may throttle below that
when its pool is loaded (spec §3), so the engine paces itself (``qps``, default
:data:`DEFAULT_QPS`) and, when the gateway still answers "Exceed qps limit", backs off and slows
down for a while instead of failing the item. Every wait can be cut short by cancellation.
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable

#: default pace of the engine's calls: half the platform's default limit
DEFAULT_QPS = 50.0
#: how much of the pace is kept after a rate-limit answer (it recovers gradually)
SLOWDOWN = 0.8
#: the longest single back-off pause (seconds)
MAX_BACKOFF_S = 4.0
#: slack added to the one-second window, for the jitter between a slot and the request's arrival
WINDOW_SLACK_S = 0.01

Cancelled = Callable[[], bool]


def never() -> bool:
    return False


def as_predicate(cancelled: Cancelled | threading.Event | None) -> Cancelled:
    """A ``() -> bool`` from a predicate, an :class:`threading.Event` or ``None``."""
    if cancelled is None:
        return never
    if isinstance(cancelled, threading.Event):
        return cancelled.is_set
    return cancelled


class Throttle:
    """Spaces calls ``1/qps`` apart (no bursts) and never lets more than ``qps`` slots fall in any
    one-second window (gateways count calls in a sliding window, and a late call followed by an
    on-time one would otherwise put ``qps + 1`` in it). Thread-safe; waits are cancellable."""

    def __init__(
        self,
        qps: float = DEFAULT_QPS,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        if isinstance(qps, bool) or not isinstance(qps, (int, float)) or not qps > 0:
            raise ValueError(f"the pace (qps) must be a positive number, got {qps!r}")
        self.qps = float(qps)
        self._rate = self.qps
        self._clock = clock
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._lock = threading.Lock()
        self._next = clock()
        self._recent: deque[float] = deque(maxlen=max(1, math.floor(self.qps)))

    @property
    def rate(self) -> float:
        """The current pace (calls/s): ``qps``, or less for a while after rate-limit answers."""
        return self._rate

    def pause(self, seconds: float, cancelled: Cancelled = never) -> bool:
        """Sleep ``seconds`` in short slices; ``False`` when cancelled meanwhile."""
        end = self._clock() + seconds
        while True:
            if cancelled():
                return False
            left = end - self._clock()
            if left <= 0:
                return True
            self._sleep(min(left, 0.05))

    def wait(self, cancelled: Cancelled = never) -> bool:
        """Wait for the next slot; ``False`` when cancelled before it came."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            recent = self._recent
            if len(recent) == recent.maxlen:
                slot = max(slot, recent[0] + 1.0 + WINDOW_SLACK_S)
            recent.append(slot)
            self._next = slot + 1.0 / self._rate
            # recover the configured pace gradually after a slowdown
            if self._rate < self.qps:
                self._rate = min(self.qps, self._rate * 1.02 + 0.1)
        return self.pause(slot - now, cancelled) if slot > now else not cancelled()

    def backoff(self, attempt: int, cancelled: Cancelled = never) -> bool:
        """After a rate-limit answer: slow down, pause (exponential, jittered); ``False`` if cancelled."""
        with self._lock:
            self._rate = max(self.qps * 0.2, self._rate * SLOWDOWN)
        delay = min(MAX_BACKOFF_S, (1.0 / self.qps) * (2**attempt) * 5)
        delay *= 0.5 + self._rng.random()
        return self.pause(delay, cancelled)
