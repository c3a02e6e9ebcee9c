"""Benchmark: the whole app for 72 simulated hours — does anything grow?

    python tests/benchmarks/bench_soak.py [--hours 72]

Runs :mod:`tests.benchmarks.soak` (two shops on two sandbox gateways, a poll every five simulated
minutes, alerts, shop switches, a sleep and wake, a one-hour gateway outage, a bulk approval) on the
offscreen platform and prints, each simulated hour, the process's open files, threads, the store's
SQLite connections and its resident memory. Target: flat — within 5 % of the first hour's value
(the first hour warms caches and starts the worker threads). Not part of the test run; a
three-hour version is (``tests/gui/test_soak.py``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from tests.benchmarks.soak import Soak, growth, new_home  # noqa: E402

TARGET = 1.05


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=int, default=72)
    args = parser.parse_args()
    home = new_home()
    soak = Soak(home)
    started = time.monotonic()
    print(f"{'hour':>4}  {'files':>5}  {'threads':>7}  {'db conns':>8}  {'RSS MB':>7}  events", flush=True)

    def show(s):
        print(f"{s.hour:>4}  {s.open_files:>5}  {s.threads:>7}  {s.store_connections:>8}  "
              f"{s.rss_kb / 1024:>7.1f}  {s.events}", flush=True)

    try:
        soak.start()
        samples = soak.run(args.hours, show)
    finally:
        soak.close()
        shutil.rmtree(home, ignore_errors=True)
    wall = time.monotonic() - started
    print(f"\n{args.hours} simulated hours in {wall:.0f} s wall time")
    ok = True
    for field, label in (("open_files", "open files"), ("threads", "threads"),
                         ("store_connections", "store connections"), ("rss_kb", "resident memory")):
        g = growth(samples, field)
        first = next(getattr(s, field) for s in samples if s.hour == 1)
        last = samples[-1]
        verdict = "flat" if g <= TARGET else "GROWS"
        ok &= g <= TARGET
        print(f"{label:>18}: hour 1 {first}, last {getattr(last, field)}, max after hour 1 = "
              f"{(g - 1) * 100:+.1f} % of hour 1 -> {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
