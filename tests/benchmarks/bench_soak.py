"""Benchmark: the whole app for 72 simulated hours — does anything grow?

    python tests/benchmarks/bench_soak.py [--hours 72]

Runs :mod:`tests.benchmarks.soak` (two shops on two sandbox gateways, a poll every five simulated
minutes, alerts, shop switches, a sleep and wake, a one-hour gateway outage, a bulk approval) on the
offscreen platform and prints, each simulated hour, the process's open files, threads, the store's
SQLite connections and its resident memory. Target: flat — within 5 % once warm (the store opens its
readers and its WAL checkpointer when first needed, up to a fixed number: the counts step up once),
and never more store connections than that number. Not part of the test run; a four-hour version is
(``tests/gui/test_soak.py``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desktop.core.store.database import MAX_READERS
from tests.benchmarks.soak import Soak, growth, new_home

TARGET = 1.05
MAX_CONNECTIONS = 2 + MAX_READERS  # the writer, the checkpointer, the readers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=int, default=72)
    args = parser.parse_args()
    home = new_home()
    soak = Soak(home)
    started = time.monotonic()
    print(f"{'hour':>4}  {'files':>5}  {'threads':>7}  {'db conns':>8}  {'RSS MB':>7}  events", flush=True)

    def show(s):
        print(
            f"{s.hour:>4}  {s.open_files:>5}  {s.threads:>7}  {s.store_connections:>8}  "
            f"{s.rss_kb / 1024:>7.1f}  {s.events}",
            flush=True,
        )

    try:
        soak.start()
        samples = soak.run(args.hours, show)
    finally:
        soak.close()
        shutil.rmtree(home, ignore_errors=True)
    wall = time.monotonic() - started
    print(f"\n{args.hours} simulated hours in {wall:.0f} s wall time")
    print(
        "(the store opens its readers and its WAL checkpointer when first needed, up to "
        f"{MAX_CONNECTIONS} connections: the counts step up once, then must stay flat)"
    )
    ok = max(s.store_connections for s in samples) <= MAX_CONNECTIONS
    steady = min(24, max(1, args.hours // 3))
    for field, label in (
        ("open_files", "open files"),
        ("threads", "threads"),
        ("store_connections", "store connections"),
        ("rss_kb", "resident memory"),
    ):
        first = next(getattr(s, field) for s in samples if s.hour == 1)
        last = getattr(samples[-1], field)
        g1 = growth(samples, field)
        gs = growth(samples, field, after_hour=steady)
        verdict = "flat" if gs <= TARGET else "GROWS"
        ok &= gs <= TARGET
        print(
            f"{label:>18}: hour 1 {first}, hour {steady} "
            f"{next(getattr(s, field) for s in samples if s.hour == steady)}, last {last}; "
            f"max after hour 1 {(g1 - 1) * 100:+.1f} %, after hour {steady} {(gs - 1) * 100:+.1f} % -> {verdict}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
