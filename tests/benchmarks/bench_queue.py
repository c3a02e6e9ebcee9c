"""Benchmark of the pending-request queue with 100,000 rows (prints numbers; not part of the suite).

    QT_QPA_PLATFORM=offscreen python tests/benchmarks/bench_queue.py [--rows N]

Measures, on the UI thread, with the queue widget shown at a laptop-sized window:
  * model load: ``QueueWidget.set_rows`` (model + proxy filter/sort + combos) — target ≤ 300 ms
  * sort by time left (from another column's order) — target ≤ 150 ms
  * one countdown tick: ``QueueModel.tick`` plus the repaint it causes — target ≤ 5 ms (median)
  * resident memory with the rows loaded — target ≤ 300 MB
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gui"))

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from queue_helpers import random_rows  # noqa: E402

TARGETS = {"load_ms": 300.0, "sort_ms": 150.0, "tick_ms": 5.0, "rss_mb": 300.0}


def rss_mb() -> float:
    """Current resident set size (Linux /proc), else the peak (getrusage)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def settle(app: QApplication) -> None:
    for _ in range(3):
        app.processEvents()


def ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5, help="repetitions of each timing (median)")
    args = parser.parse_args()

    app = QApplication.instance() or QApplication(sys.argv)
    from desktop.ui.queue.model import COL_AMOUNT, COL_TIME_LEFT
    from desktop.ui.queue.view import QueueWidget

    now_ms = int(time.time() * 1000)
    rows = random_rows(args.rows, now_ms)
    base_rss = rss_mb()

    widget = QueueWidget()
    widget.resize(1366, 768)
    widget.show()
    settle(app)
    view = widget.merchant_view
    view.model.timer.stop()  # ticks are driven by hand below

    loads = []
    for _ in range(args.repeat):
        widget.set_rows([])
        settle(app)
        gc.collect()
        t0 = time.perf_counter()
        widget.set_rows(rows)
        loads.append(ms(t0))
        settle(app)

    sorts = []
    header = view.table.horizontalHeader()
    for _ in range(args.repeat):
        header.setSortIndicator(COL_AMOUNT, Qt.SortOrder.DescendingOrder)
        settle(app)
        t0 = time.perf_counter()
        header.setSortIndicator(COL_TIME_LEFT, Qt.SortOrder.AscendingOrder)
        sorts.append(ms(t0))
        settle(app)

    ticks = []
    for _ in range(max(args.repeat, 20)):
        settle(app)
        t0 = time.perf_counter()
        view.model.tick()
        app.processEvents()  # the repaint of the visible time-left cells
        ticks.append(ms(t0))

    gc.collect()
    rss = rss_mb()
    results = {
        "load_ms": statistics.median(loads),
        "sort_ms": statistics.median(sorts),
        "tick_ms": statistics.median(ticks),
        "rss_mb": rss,
    }
    print(f"queue benchmark: {args.rows:,} rows, Qt platform {app.platformName()}")
    print(f"  model load (set_rows)      median {results['load_ms']:7.1f} ms   (max {max(loads):.1f})   target ≤ 300")
    print(f"  sort by time left          median {results['sort_ms']:7.1f} ms   (max {max(sorts):.1f})   target ≤ 150")
    print(f"  one countdown tick + paint median {results['tick_ms']:7.2f} ms   (max {max(ticks):.2f})   target ≤ 5")
    print(f"  resident memory            {rss:7.1f} MB   (before the rows: {base_rss:.1f} MB)   target ≤ 300")
    failed = [k for k, limit in TARGETS.items() if results[k] > limit]
    print("  all targets met" if not failed else f"  over target: {', '.join(failed)}")
    widget.close()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
