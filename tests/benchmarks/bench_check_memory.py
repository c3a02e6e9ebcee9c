"""Benchmark: resident memory of ``aftersale-watch check`` with 100,000 refunds cached.

    python tests/benchmarks/bench_check_memory.py [--refunds N] [--waiting-share F]

Builds a data dir whose store holds one shop with N refunds over 89 days (a share of them waiting on
the merchant, the rest closed and classified, a few auto-approved), as if synced before; then runs
``aftersale-watch check --json`` in a child process against the embedded sandbox (an incremental
sync, the pending sweep, the report with the risk estimate) and prints the child's peak resident
memory (target ≤ 200 MB), its wall time and the size of its report. Not part of the test run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from desktop.core.kuaishou.models import Refund, parse
from desktop.core.store import Decision, open_store
from desktop.sandbox import Sandbox

DAY = 86_400_000
HOUR = 3_600_000


def build_store(path: Path, sb: Sandbox, n: int, waiting_share: float) -> int:
    now = sb.now_ms()
    waiting_every = max(1, round(1 / waiting_share)) if waiting_share > 0 else 0
    store = open_store(path)
    shop = store.shops.add(
        base_url=sb.base_url, seller_id=sb.credentials.seller_id, name="bench", app_key=sb.credentials.app_key
    )
    waiting = 0
    batch = []
    for i in range(n):
        created = now - 89 * DAY + (i * 89 * DAY) // n
        is_waiting = waiting_every and i % waiting_every == 0 and now - created < 2 * DAY
        waiting += bool(is_waiting)
        data = {
            "refundId": 3_100_000_000_000_000 + i,
            "oid": 2_400_000_000_000_000 + i,
            "handlingWay": 10 if i % 3 else 1,
            "refundFee": 990 + i % 30_000,
            "refundType": 1,
            "refundReason": 3,
            "refundReasonDesc": "与商品描述不符",
            "skuNick": "加绒连帽卫衣 雾霾灰 L",
            "itemId": 6_200_000_000 + i % 500,
            "skuId": 62_000_000_000 + i % 500,
            "sellerId": sb.credentials.seller_id,
            "submitTime": created,
            "createTime": created,
            "expireTime": created + 48 * HOUR,
            "urgeTimes": i % 3,
        }
        if is_waiting:
            data.update(status=10, negotiateStatus=1, updateTime=created, negotiateUpdateTime=created)
        else:
            done = created + (50 * HOUR if i % 97 == 0 else 6 * HOUR)
            data.update(status=60, negotiateStatus=2, updateTime=done, negotiateUpdateTime=done, endTime=done)
        batch.append(parse(Refund, data))
        if len(batch) == 1000:
            _write(store, shop.id, batch, now)
            batch = []
    if batch:
        _write(store, shop.id, batch, now)
    store.shops.update(
        shop.id,
        first_sweep_done=1,
        sweep_begin_ms=now - 89 * DAY,
        sweep_end_ms=now,
        sweep_next_ms=now,
        incremental_from_ms=now - 600_000,
        last_sync_at=now,
        last_success_at=now,
        server_clock_offset_ms=0,
    )
    store.close()
    return waiting


def _write(store, shop_id: int, batch: list[Refund], now: int) -> None:
    def decide(r: Refund, seen_at: int) -> Decision | None:
        if r.status != 60:
            return None
        late = r.end_time >= r.expire_time
        return Decision(
            r.refund_id,
            "auto_approved_overdue" if late else "handled_in_time",
            "heuristic_times",
            "likely" if late else None,
            deadline_at=r.expire_time,
            overdue_at=r.expire_time if late else None,
            decided_at=r.end_time,
            first_action_at=None if late else r.end_time,
        )

    store.refunds.upsert(
        shop_id, batch, seen_at=now, merchant_turn=lambda r: r.status == 10, decide_new=decide
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refunds", type=int, default=100_000)
    parser.add_argument(
        "--waiting-share",
        type=float,
        default=0.05,
        help="share of the last two days' refunds that wait on the merchant",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as home, Sandbox(seed=7) as sb:
        db = Path(home) / "data" / "aftersale-watch.sqlite3"
        db.parent.mkdir(parents=True)
        started = time.perf_counter()
        waiting = build_store(db, sb, args.refunds, args.waiting_share)
        print(
            f"store built: {args.refunds:,} refunds ({waiting:,} waiting) in {time.perf_counter() - started:.1f} s, "
            f"{db.stat().st_size / 1e6:.0f} MB"
        )
        c = sb.credentials
        env = dict(
            os.environ,
            KS_APP_KEY=c.app_key,
            KS_SIGN_SECRET=c.sign_secret,
            KS_ACCESS_TOKEN=c.access_token,
            KS_SIGN_METHOD=c.sign_method,
        )
        for name in ("KS_APP_SECRET", "KS_REFRESH_TOKEN"):
            env.pop(name, None)
        started = time.perf_counter()
        child = subprocess.run(
            [
                sys.executable,
                "-m",
                "desktop",
                "check",
                "--json",
                "--data-dir",
                home,
                "--api-base",
                sb.base_url,
            ],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        elapsed = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KB on Linux, bytes on macOS
    peak_mb = peak_kb / 1024 if sys.platform != "darwin" else peak_kb / 1024 / 1024
    if child.returncode != 0:
        print(child.stderr[-2000:])
    report = json.loads(child.stdout) if child.stdout.strip() else {"shops": []}
    pending = sum(len(s["pending"]) for s in report["shops"])
    level = report["shops"][0]["risk"]["level"] if report["shops"] else "—"
    print(
        f"check: exit {child.returncode} in {elapsed:.1f} s; {pending:,} pending listed, risk level {level}"
    )
    print(f"peak resident memory of check: {peak_mb:.0f} MB (target <= 200 MB)")


if __name__ == "__main__":
    main()
