"""A short soak: the whole app for four simulated hours against two sandbox gateways — polls,
alerts, syncs of both shops, a shop switch, a sleep and wake, a gateway outage, a bulk approval —
and nothing grows: open files, threads, store connections, resident memory
(``tests/benchmarks/bench_soak.py`` runs the same for 72 hours and prints the numbers)."""

from __future__ import annotations

import pytest

from desktop.core.store.database import MAX_READERS
from tests.benchmarks.soak import Soak


@pytest.mark.slow
def test_four_simulated_hours_leave_files_threads_connections_and_memory_flat(tmp_path, qapp, memory_keyring):
    soak = Soak(tmp_path / "soak-home")
    try:
        soak.start()
        samples = soak.run(4, switch_every_h=2, sleep_at_h=2, outage_at_h=3, bulk_at_h=4)
    finally:
        soak.close()
    events = " | ".join(s.events for s in samples)
    for what in ("switched to", "slept", "gateway outage", "gateway back", "bulk approval of"):
        assert what in events, events
    assert "bulk approval of 0" not in events
    bound = 2 + MAX_READERS  # writer, checkpointer, readers: opened when first needed, never more
    first = samples[1]
    for s in samples[2:]:
        assert s.store_connections <= bound, samples
        # counts: the hour-one value, plus the connections (a database file and its WAL each) the
        # store may still open up to its bound, give or take a worker thread finishing its idle time
        spare = 2 * (bound - first.store_connections)
        assert s.open_files <= first.open_files + spare + 2, samples
        assert s.threads <= first.threads + 3, samples
        assert s.rss_kb <= first.rss_kb * 1.10, samples
    # once every connection is open, nothing more is: the last two hours are alike
    assert samples[-1].open_files <= samples[-2].open_files + 2, samples
