"""Benchmark: the full risk estimate (metrics, levels, forecast, 90-day series) over a store holding
1,000,000 observations. Target: ≤ 200 ms.

    python tests/benchmarks/bench_risk.py [--refunds N] [--observations N] [--pending N] [--runs N]

Builds a shop with ``--refunds`` classified requests spread over 100 days (outcome mix of a shop in
trouble: 3 % auto-approved overdue), ``--pending`` requests waiting on the merchant with deadlines over
the next 3 days, and ``--observations`` observation rows, then times ``estimate_shop`` (the SQL inputs
and the pure estimate separately too). Not part of the test run.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from desktop.core.domain.risk import estimate  # noqa: E402
from desktop.core.kuaishou.models import Refund  # noqa: E402
from desktop.core.rulesfile import load_default_rules  # noqa: E402
from desktop.core.store import Decision, open_store  # noqa: E402
from desktop.core.store.risk_queries import estimate_shop, risk_inputs  # noqa: E402

H = 3_600_000
D = 24 * H
NOW = 1_764_000_000_000
OUTCOMES = (
    ("handled_in_time", 78),
    ("auto_approved_overdue", 3),
    ("buyer_cancelled", 10),
    ("fast_refund", 5),
    ("rejected_closed", 3),
    ("dispute", 1),
)


def build(path: Path, n_refunds: int, n_observations: int, n_pending: int) -> int:
    rnd = random.Random(7)
    store = open_store(path)
    shop = store.shops.add(base_url="http://127.0.0.1:1", seller_id=1, name="bench")
    names, weights = zip(*OUTCOMES, strict=False)
    started = time.perf_counter()
    batch: list[Refund] = []
    decisions: list[Decision] = []

    def flush() -> None:
        store.refunds.upsert(shop.id, batch, seen_at=NOW - H)
        store.classification.save(shop.id, decisions, at=NOW)
        batch.clear()
        decisions.clear()

    for i in range(n_refunds):
        rid = 2_100_000_000_000_000 + i
        submit = NOW - rnd.randint(2 * D, 100 * D)
        deadline = submit + 48 * H
        outcome = rnd.choices(names, weights)[0]
        end = (
            deadline + rnd.randint(0, H)
            if outcome == "auto_approved_overdue"
            else submit + rnd.randint(60_000, 40 * H)
        )
        first = (
            None
            if outcome in ("auto_approved_overdue", "buyer_cancelled", "fast_refund")
            else submit + rnd.randint(60_000, 40 * H)
        )
        batch.append(
            Refund(
                rid,
                order_id=9_000_000 + i,
                handling_way=rnd.choice((10, 10, 1, 3)),
                status=60,
                negotiate_status=2,
                refund_fee=rnd.randint(100, 50_000),
                submit_time=submit,
                create_time=submit,
                update_time=end,
                end_time=end,
                expire_time=deadline,
            )
        )
        decisions.append(
            Decision(
                rid,
                outcome,
                "observed",
                "certain" if outcome == "auto_approved_overdue" else None,
                deadline_at=deadline,
                overdue_at=deadline if outcome == "auto_approved_overdue" else None,
                decided_at=end,
                first_action_at=first,
            )
        )
        if len(batch) == 2000:
            flush()
    for i in range(n_pending):
        expire = NOW + rnd.randint(-2 * H, 72 * H)
        batch.append(
            Refund(
                2_200_000_000_000_000 + i,
                handling_way=10,
                status=10,
                negotiate_status=1,
                refund_fee=rnd.randint(100, 50_000),
                submit_time=expire - 48 * H,
                update_time=expire - 48 * H,
                expire_time=expire,
            )
        )
    flush()
    # the observations (upserts wrote one per refund)
    written = store.history.observation_count(shop.id)
    while written < n_observations:
        n = min(50_000, n_observations - written)
        store.history.add_observations(
            (
                shop.id,
                2_100_000_000_000_000 + (written + k) % n_refunds,
                10,
                1,
                10,
                NOW,
                NOW - 50 * D,
                NOW - 50 * D + k,
            )
            for k in range(n)
        )
        written += n
    print(
        f"built: {n_refunds:,} closed + {n_pending:,} pending refunds, "
        f"{store.history.observation_count(shop.id):,} observations in {time.perf_counter() - started:.1f} s"
    )
    store.close()
    return shop.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refunds", type=int, default=200_000)
    parser.add_argument("--observations", type=int, default=1_000_000)
    parser.add_argument("--pending", type=int, default=300)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    rules = load_default_rules()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.sqlite3"
        shop_id = build(path, args.refunds, args.observations, args.pending)
        store = open_store(path)
        try:
            full, sql, pure = [], [], []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                est = estimate_shop(store, shop_id, rules, now_ms=NOW, server_offset_ms=0)
                full.append((time.perf_counter() - t0) * 1000)
                t0 = time.perf_counter()
                inputs = risk_inputs(store, shop_id, rules, now_ms=NOW, server_offset_ms=0)
                t1 = time.perf_counter()
                estimate(inputs, rules)
                t2 = time.perf_counter()
                sql.append((t1 - t0) * 1000)
                pure.append((t2 - t1) * 1000)
        finally:
            store.close()
    m = est.metrics
    print(
        f"estimate: level {est.level}; M1 7d/30d {m.m1_short}/{m.m1_long}; M2 {m.m2_auto}/{m.m2_actionable}; "
        f"pending {len(inputs.pending)}; forecast {[(f.horizon_hours, f.level, len(f.would_auto_approve), len(f.rescue)) for f in est.forecast]}"
    )
    print(
        f"full estimate (SQL inputs + metrics, levels, forecast, 90-day series): "
        f"median {statistics.median(full):.1f} ms, best {min(full):.1f} ms, worst {max(full):.1f} ms "
        f"over {args.runs} runs (target ≤ 200 ms)"
    )
    print(
        f"  of which SQL inputs: median {statistics.median(sql):.1f} ms; pure estimate: median {statistics.median(pure):.1f} ms"
    )


if __name__ == "__main__":
    main()
