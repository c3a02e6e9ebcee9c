"""How long to wait before the next background sync (Qt-free; the UI's poller asks it).

* the configured interval (default 5 minutes);
* faster (``near_interval_s``) while any request waiting on the merchant is within ``near_window_ms``
  of its deadline — the last hours are when a handled request must be seen to leave the queue;
* after failures, exponential backoff (doubling, capped), back to normal after the first success;
* a gap much longer than expected between two ticks (the computer slept) means "sync now".
"""

from __future__ import annotations

from dataclasses import dataclass

HOUR_MS = 3_600_000


@dataclass(frozen=True, slots=True)
class PollPolicy:
    interval_s: int = 300
    near_interval_s: int = 60
    near_window_ms: int = 2 * HOUR_MS
    max_backoff_s: int = 1800
    #: a wall-clock gap this many times the expected delay means the machine slept
    sleep_gap_factor: float = 2.0

    def __post_init__(self) -> None:
        if not (0 < self.near_interval_s <= self.interval_s <= self.max_backoff_s):
            raise ValueError("poll intervals must satisfy 0 < near ≤ interval ≤ max backoff")


def next_delay_s(
    policy: PollPolicy,
    *,
    now_ms: int,
    nearest_deadline_ms: int | None,
    consecutive_failures: int = 0,
) -> int:
    """Seconds until the next sync."""
    base = policy.interval_s
    if nearest_deadline_ms is not None and nearest_deadline_ms - now_ms <= policy.near_window_ms:
        base = policy.near_interval_s
    if consecutive_failures > 0:
        backoff = policy.interval_s * (1 << min(consecutive_failures - 1, 16))
        return min(max(base, backoff), policy.max_backoff_s)
    return base


def slept_through(policy: PollPolicy, *, expected_delay_s: float, elapsed_wall_s: float) -> bool:
    """True when far more wall time passed than the timer should have taken (sleep/resume)."""
    return elapsed_wall_s > max(expected_delay_s * policy.sleep_gap_factor, expected_delay_s + 60)
