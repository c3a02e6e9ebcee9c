"""A short soak: the whole app for four simulated hours against two sandbox gateways — polls,
alerts, syncs of both shops, a shop switch, a sleep and wake, a gateway outage, a bulk approval —
and nothing grows: open files, threads, store connections, resident memory
(``tests/benchmarks/bench_soak.py`` runs the same for 72 hours and prints the numbers)."""

from __future__ import annotations

import pytest

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
    first = samples[1]
    for s in samples[2:]:
        # counts: the hour-one value, give or take a worker thread finishing its idle time
        assert s.open_files <= max(first.open_files * 1.05, first.open_files + 2), samples
        assert s.threads <= max(first.threads * 1.05, first.threads + 2), samples
        assert s.store_connections <= first.store_connections, samples
        assert s.rss_kb <= first.rss_kb * 1.10, samples
    assert max(s.store_connections for s in samples) <= 2 + 4  # writer, checkpointer, MAX_READERS
