"""Benchmark: storing 1,000,000 observations (and upserting refunds) in the local store.

    python tests/benchmarks/bench_store.py [--observations N] [--refunds N]

Prints rows/s for: refund upserts through ``store.refunds.upsert`` (what a sync does, with the
change detection and one observation per new refund), then bulk observations through
``store.history.add_observations`` in batches of 10,000 rows (one transaction each), and the size of the
file. Not part of the test run.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from desktop.core.kuaishou.models import Refund, parse
from desktop.core.store import open_store

T0 = 1_760_000_000_000
HOUR = 3_600_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observations", type=int, default=1_000_000)
    parser.add_argument("--refunds", type=int, default=50_000)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(Path(tmp) / "bench.sqlite3")
        shop = store.shops.add(base_url="http://127.0.0.1:1", seller_id=1, name="bench")
        refunds = [
            parse(
                Refund,
                {
                    "refundId": 2_100_000_000_000_000 + i,
                    "oid": 9_000_000 + i,
                    "handlingWay": 10 if i % 3 else 1,
                    "negotiateStatus": 1,
                    "status": 10,
                    "refundFee": 1000 + i % 5000,
                    "refundReasonDesc": "不想要了",
                    "skuNick": "加绒卫衣 黑色 XL",
                    "submitTime": T0 + i * 1000,
                    "createTime": T0 + i * 1000,
                    "updateTime": T0 + i * 1000,
                    "expireTime": T0 + i * 1000 + 48 * HOUR,
                },
            )
            for i in range(args.refunds)
        ]
        started = time.perf_counter()
        for i in range(0, len(refunds), 100):  # pages of 100, as a sync writes them
            store.refunds.upsert(shop.id, refunds[i : i + 100], seen_at=T0, merchant_turn=lambda r: True)
        upsert_s = time.perf_counter() - started
        print(
            f"refund upserts: {args.refunds:,} in {upsert_s:.2f} s = {args.refunds / upsert_s:,.0f} rows/s "
            f"(pages of 100, each its own transaction)"
        )

        batch = 10_000
        started = time.perf_counter()
        written = 0
        while written < args.observations:
            n = min(batch, args.observations - written)
            rows = []
            for k in range(written, written + n):
                rid = 2_100_000_000_000_000 + k % args.refunds
                rows.append((shop.id, rid, 10 + 10 * (k % 7), 1 + k % 3, 10, T0 + k, T0 + k, T0 + k * 10))
            store.history.add_observations(rows)
            written += n
        obs_s = time.perf_counter() - started
        print(
            f"observations: {written:,} in {obs_s:.2f} s = {written / obs_s:,.0f} rows/s "
            f"(batches of {batch:,}, each its own transaction, with indexes and foreign keys)"
        )

        started = time.perf_counter()
        sample = store.history.observations(shop.id, 2_100_000_000_000_123)
        print(f"one refund's timeline ({len(sample)} rows): {(time.perf_counter() - started) * 1000:.2f} ms")
        store.close()
        size = sum(p.stat().st_size for p in Path(tmp).iterdir())
        print(f"database size: {size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
