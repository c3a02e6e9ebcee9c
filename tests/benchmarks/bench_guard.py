"""Benchmark: the guard's backtest (recomputed live in the settings page on every edit) and the
forecast with the guard, over a large store. Target: backtest ≤ 300 ms, guarded forecast ≤ 300 ms.

    python tests/benchmarks/bench_guard.py [--refunds N] [--observations N] [--pending N] [--runs N]

The store is built as in bench_risk.py (3 % of the closed requests auto-approved overdue, pending
requests due over the next 3 days); the guard's policy guards refund-only and returns with the
default limits. Not part of the test run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
for p in (str(ROOT), str(HERE)):
    if p not in sys.path:
        sys.path.insert(0, p)

from bench_risk import NOW, build  # noqa: E402

from desktop.core.domain.risk import guarded_forecast  # noqa: E402
from desktop.core.guard import GuardPolicy, backtest, guarded_ids, save_policy  # noqa: E402
from desktop.core.rulesfile import load_default_rules  # noqa: E402
from desktop.core.store import open_store  # noqa: E402
from desktop.core.store.risk_queries import risk_inputs  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--refunds", type=int, default=200_000)
    ap.add_argument("--observations", type=int, default=200_000)
    ap.add_argument("--pending", type=int, default=300)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    rules = load_default_rules()
    policy = GuardPolicy(enabled=True, stages=("review_refund_only", "review_return"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        shop_id = build(path, args.refunds, args.observations, args.pending)
        store = open_store(path)
        try:
            save_policy(store, shop_id, policy)
            times: dict[str, list[float]] = {"backtest": [], "guarded forecast": []}
            for _ in range(args.runs):
                t = time.perf_counter()
                bt = backtest(store, shop_id, rules, policy, now_ms=NOW)
                times["backtest"].append(time.perf_counter() - t)
                t = time.perf_counter()
                # what the risk answer does for a shop with the guard on (the clocks agree here)
                inputs = risk_inputs(store, shop_id, rules, now_ms=NOW)
                guarded_forecast(inputs, rules, guarded_ids(store, shop_id, rules, policy, now_ms=NOW))
                times["guarded forecast"].append(time.perf_counter() - t)
            print(
                f"auto-approvals replayed: {bt.total}, caught {bt.caught}, "
                f"level {bt.level} -> {bt.level_with_guard}"
            )
            for name, values in times.items():
                print(
                    f"{name}: median {statistics.median(values) * 1000:.0f} ms, "
                    f"best {min(values) * 1000:.0f} ms over {args.runs} runs"
                )
        finally:
            store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
