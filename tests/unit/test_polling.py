import pytest

from desktop.core.polling import HOUR_MS, PollPolicy, next_delay_s, slept_through

P = PollPolicy(interval_s=300, near_interval_s=60, max_backoff_s=1800)


def test_default_interval_when_nothing_is_near():
    assert next_delay_s(P, now_ms=0, nearest_deadline_ms=None) == 300
    assert next_delay_s(P, now_ms=0, nearest_deadline_ms=2 * HOUR_MS + 1) == 300


def test_faster_when_a_deadline_is_within_two_hours():
    assert next_delay_s(P, now_ms=0, nearest_deadline_ms=2 * HOUR_MS) == 60
    assert next_delay_s(P, now_ms=0, nearest_deadline_ms=-5) == 60  # overdue still watched closely


def test_backs_off_on_failures_and_caps():
    delays = [
        next_delay_s(P, now_ms=0, nearest_deadline_ms=None, consecutive_failures=n) for n in range(1, 7)
    ]
    assert delays == [300, 600, 1200, 1800, 1800, 1800]


def test_sleep_resume_detected():
    assert slept_through(P, expected_delay_s=300, elapsed_wall_s=3600)
    assert not slept_through(P, expected_delay_s=300, elapsed_wall_s=330)


def test_inconsistent_policy_refused():
    with pytest.raises(ValueError):
        PollPolicy(interval_s=30, near_interval_s=60)
