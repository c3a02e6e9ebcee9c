"""Benchmark: one robot evaluation on a big shop, and a digest through a (loopback fake) robot.

    python tests/benchmarks/bench_robots.py [--waiting N] [--channels N] [--runs N]

The app runs a robot evaluation after each alert evaluation (every 30 s) in the background, and the
watcher every minute: planning ``--waiting`` requests waiting on the merchant for ``--channels``
channels (each with its own memory) must stay far below that. Prints, per phase, the median of
``--runs``: planning (pure), queueing (one transaction per channel), rendering a digest fitted to the
byte limit, and a whole delivery over HTTP to fake WeCom / DingTalk (signed) / Feishu (signed) robots.
Target: an evaluation of 5,000 waiting requests for 3 channels ≤ 200 ms; a delivery ≤ 50 ms on loopback.
Not part of the test run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for extra in (ROOT, ROOT / "tests"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

from robot_fakes import FakeRobot  # noqa: E402

from desktop.core import paths  # noqa: E402
from desktop.core.robots.channels import Channel, ResolvedChannel  # noqa: E402
from desktop.core.robots.dispatch import RobotDispatcher  # noqa: E402
from desktop.core.robots.messages import render_digest  # noqa: E402
from desktop.core.robots.planning import RobotPolicy, Waiting, plan_channel  # noqa: E402
from desktop.core.store import open_store  # noqa: E402

MINUTE = 60_000


def median_ms(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--waiting", type=int, default=5000)
    ap.add_argument("--channels", type=int, default=3)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    paths.set_home(tempfile.mkdtemp(prefix="bench-robots-"))
    now = dt.datetime.now().astimezone()
    now_ms = int(now.timestamp() * 1000)
    waiting = [
        Waiting(
            1,
            "山河优选生活馆",
            2_100_000_000_000_000 + i,
            now_ms + (i % 3000) * MINUTE,
            "refund_only",
            1000 + i,
            f"商品 {i}",
        )
        for i in range(args.waiting)
    ]
    policy = RobotPolicy()
    plan = plan_channel(waiting, [], set(), now, policy)
    print(f"waiting requests: {args.waiting}, due now for a fresh channel: {len(plan.notices)}")
    print(
        f"plan one channel (pure):           {median_ms(lambda: plan_channel(waiting, [], set(), now, policy), args.runs):8.1f} ms"
    )
    for markdown, limit in ((True, 4096), (False, 4000)):
        ms = median_ms(
            lambda markdown=markdown, limit=limit: render_digest(
                plan.notices, now_ms, markdown=markdown, limit_bytes=limit
            ),
            args.runs,
        )
        print(f"render a digest of {len(plan.notices)} ({'markdown' if markdown else 'text'}):  {ms:8.1f} ms")

    store = open_store()
    robots = [
        FakeRobot("wecom").start(),
        FakeRobot("dingtalk", secret="SECbench0123456789").start(),
        FakeRobot("feishu", secret="bench-secret").start(),
    ][: args.channels]
    chans = [ResolvedChannel(Channel(f"c{i}", r.kind, r.kind), r.url, r.secret) for i, r in enumerate(robots)]
    dispatcher = RobotDispatcher(store, lambda: chans, retry_pauses_s=())
    try:

        def evaluation() -> None:
            for ch in chans:
                sent = dispatcher.sent_keys(ch.id)
                p = plan_channel(waiting, [], sent, now, policy)
                for shop_id, keys in {1: [k for _, k in p.skipped]}.items():
                    dispatcher.remember(ch.id, keys, shop_id=shop_id)
                dispatcher.submit(p.notices, channels=[ch])

        t = time.perf_counter()
        evaluation()
        first = (time.perf_counter() - t) * 1000
        print(f"first evaluation, {len(chans)} channels (queues all): {first:8.1f} ms")
        t = time.perf_counter()
        dispatcher.deliver()
        print(
            f"first delivery of {len(plan.notices)} notices to {len(chans)} robots: {(time.perf_counter() - t) * 1000:8.1f} ms"
        )
        print(f"later evaluation (nothing new):    {median_ms(evaluation, args.runs):8.1f} ms")
        print(f"later delivery (nothing waiting):  {median_ms(dispatcher.deliver, args.runs):8.1f} ms")
        print(
            "accepted by the robots:",
            [len(r.accepted) for r in robots],
            "refused:",
            [len(r.refused) for r in robots],
        )
    finally:
        dispatcher.close()
        for r in robots:
            r.stop()
        store.close()


if __name__ == "__main__":
    main()
