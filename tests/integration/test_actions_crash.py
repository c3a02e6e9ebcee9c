"""Crash safety of bulk actions against a slow platform: the headless ``approve`` is killed with
SIGKILL at seeded points — during the run and during its restarts — while the sandbox holds each
action before carrying it out. Counting every call the gateway *received*: none twice, none lost; what
never reached the gateway is reported to the seller, who acts again. The same run with the write-ahead
``sent`` mark removed (a mutant CLI) must be caught sending twice.

The full run (at least 100 kill points) is ``tests/benchmarks/bench_actions_crash.py``; this is its
seeded small version, bounded in time. See :mod:`crash_harness`.
"""

from __future__ import annotations

import sys

import pytest

from desktop.sandbox import Sandbox

pytestmark = [pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX"), pytest.mark.slow]

SEED = 20_240_509
KILL_POINTS = 6
MUTANT_KILL_POINTS = 8


def test_killed_runs_and_restarts_never_act_twice_and_lose_nothing(tmp_path):
    from crash_harness import run

    with Sandbox(demo_data=False, buyer_ships_after_s=None) as sb:
        tally = run(sb, tmp_path, kill_points=KILL_POINTS, seed=SEED, max_hold_s=1.0)
    print(tally.as_dict())
    assert tally.problems == []
    assert tally.sent_twice == 0 and tally.lost == 0
    assert tally.kill_points >= KILL_POINTS and tally.restart_kills > 0
    assert tally.held_when_killed > 0  # some kills landed while the platform held a request
    assert tally.undecided > 0  # a kill between the mark and the send: reported, then acted again
    assert tally.received == 3 * tally.rounds  # every refund acted on exactly once


def test_the_crash_test_catches_a_journal_without_the_write_ahead_mark(tmp_path):
    """The documented mutation: without the 'sent' mark a killed run's request in flight is
    'planned', and the restart sends it again while the slow platform still holds the first."""
    from crash_harness import run

    with Sandbox(demo_data=False, buyer_ships_after_s=None) as sb:
        tally = run(sb, tmp_path, kill_points=MUTANT_KILL_POINTS, seed=SEED, max_hold_s=2.5, mutant=True)
    print(tally.as_dict())
    assert tally.sent_twice > 0
