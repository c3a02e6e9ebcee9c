"""Benchmark: 500 approvals against the sandbox with its QPS limit at 50, engine off the UI thread.

    python tests/benchmarks/bench_actions.py [--refunds N] [--limit Q] [--qps P]

Seeds ``N`` refund-only requests in a fresh sandbox (in its own process, as a real gateway would
be) whose gateway refuses more than ``--limit`` calls per second per method, then — with a Qt application running (offscreen) — prepares the plan
(reads every request afresh) and sends it through :func:`run_in_background`, exactly as the
progress dialog does, with a progress callback per item delivered to the UI thread. Meanwhile a
10 ms ``QTimer`` on the UI thread records the largest gap between its ticks.

Prints the wall time of the sends against the floor (``N / limit`` seconds; target ≤ 1.15 × the
floor), the gateway's QPS refusals, and the UI's largest stall while sending (target ≤ 50 ms); the
preparation (reads before the preview) is measured too, for information. The journal is the real store, each entry committed durably (fsync) before its send.
Exit status 1 when a target is missed. Not part of the test run.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, QEventLoop, QThreadPool, QTimer
from PySide6.QtWidgets import QApplication

from desktop.core import paths
from desktop.core.actions import ActionEngine, Approve, Outcome
from desktop.core.kuaishou.client import Credentials, KuaishouClient
from desktop.core.store import open_store
from desktop.sandbox import Sandbox
from desktop.ui.workers import run_in_background

APPROVE = "open.seller.order.refund.approve"


def gateway(conn, refunds: int, limit: int) -> None:
    """The sandbox in its own process (a real gateway does not share the app's interpreter)."""
    with Sandbox(demo_data=False, buyer_ships_after_s=None) as sb:
        ids = [sb.add_refund(handlingWay=10, refundFee=100 + i)["refundId"] for i in range(refunds)]
        c = sb.credentials
        conn.send((sb.base_url, c.app_key, c.sign_secret, c.access_token, c.seller_id, ids))
        while True:
            command = conn.recv()
            if command == "limit":
                sb.set_qps_limit(limit)
                sb.clear_call_log()
                conn.send(True)
            elif command == "stats":
                calls = [e for e in sb.call_log if e["method"] == APPROVE]
                conn.send(
                    (
                        sum(1 for e in calls if e["result"] != 1),
                        len({e["params"]["refundId"] for e in calls if e["result"] == 1}),
                    )
                )
            else:
                return


class StallMeter:
    """The largest gap between the ticks of a 10 ms timer on the UI thread."""

    def __init__(self) -> None:
        self.gaps: list[float] = []
        self._clock = QElapsedTimer()
        self._timer = QTimer()
        self._timer.setInterval(10)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.gaps.clear()
        self._clock.start()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        self.gaps.append(self._clock.restart())

    @property
    def worst_ms(self) -> float:
        return max(self.gaps, default=0.0)

    @property
    def p99_ms(self) -> float:
        if len(self.gaps) < 2:
            return self.worst_ms
        return statistics.quantiles(self.gaps, n=100)[98]


def in_background(fn, *, on_progress=None):
    """Run ``fn`` with run_in_background while the UI event loop runs; return its result."""
    box: dict[str, object] = {}
    loop = QEventLoop()

    def done(result: object) -> None:
        box["result"] = result
        loop.quit()

    def failed(exc: BaseException) -> None:
        box["error"] = exc
        loop.quit()

    run_in_background(fn, done, failed, on_progress=on_progress)
    loop.exec()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["result"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--refunds", type=int, default=500)
    parser.add_argument("--limit", type=int, default=50, help="the sandbox's QPS limit per method")
    parser.add_argument("--qps", type=float, default=None, help="the engine's pace (default: the limit)")
    args = parser.parse_args()
    pace = args.qps or float(args.limit)

    QApplication.instance() or QApplication(sys.argv)
    home = tempfile.TemporaryDirectory(prefix="bench-actions-")
    paths.set_home(home.name)
    store = open_store()
    here, there = multiprocessing.get_context("spawn").Pipe()
    process = multiprocessing.get_context("spawn").Process(
        target=gateway, args=(there, args.refunds, args.limit), daemon=True
    )
    process.start()
    base_url, app_key, sign_secret, access_token, seller_id, ids = here.recv()
    creds = Credentials(app_key=app_key, sign_secret=sign_secret, access_token=access_token)
    client = KuaishouClient(creds, base_url=base_url, qps=10_000)  # the engine paces
    shop = store.shops.add(base_url=base_url, seller_id=seller_id, name="bench")
    engine = ActionEngine(client, store, shop_id=shop.id, qps=pace)
    here.send("limit")
    here.recv()
    meter = StallMeter()

    meter.start()
    started = time.perf_counter()
    plan = in_background(
        lambda progress: engine.prepare(ids, Approve(), progress=progress),
        on_progress=lambda done, total: None,
    )
    prepare_s = time.perf_counter() - started
    prepare_stall = meter.worst_ms
    meter.stop()
    assert len(plan.actions) == args.refunds, plan.skipped[:3]

    here.send("limit")  # restart the gateway's count for the sends
    here.recv()
    seen: list[int] = []
    meter.start()
    started = time.perf_counter()
    report = in_background(
        lambda progress: engine.execute(plan, progress=progress),
        on_progress=lambda r, n, t: seen.append(n),
    )
    send_s = time.perf_counter() - started
    meter.stop()

    done = sum(1 for r in report.results if r.outcome is Outcome.DONE)
    here.send("stats")
    refused, distinct = here.recv()
    here.send("stop")
    process.join(10)
    client.close()
    store.close()
    home.cleanup()

    floor = args.refunds / args.limit
    ratio = send_s / floor
    print(f"approvals              {args.refunds} (engine pace {pace:g}/s, gateway limit {args.limit}/s)")
    print(
        f"prepare (fresh reads)  {prepare_s:6.2f} s   UI worst stall {prepare_stall:5.1f} ms "
        "(information: before the preview)"
    )
    print(
        f"send                   {send_s:6.2f} s   floor {floor:.2f} s   ratio {ratio:.3f} (target <= 1.15)"
    )
    print(f"done / distinct acted  {done} / {distinct}   gateway QPS refusals {refused}")
    print(f"progress callbacks     {len(seen)}")
    print(
        f"UI timer gap           worst {meter.worst_ms:5.1f} ms   p99 {meter.p99_ms:5.1f} ms "
        f"(target worst <= 50 ms, {len(meter.gaps)} ticks)"
    )
    ok = ratio <= 1.15 and meter.worst_ms <= 50 and done == args.refunds == distinct
    print("PASS" if ok else "FAIL")
    QThreadPool.globalInstance().waitForDone()
    return 0 if ok else 1


if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    # PySide6 6.12 can abort in interpreter finalization after many queued cross-thread signals
    # ("bool_dealloc"), even in a bare QObject/threading script: skip finalization, keep the status
    os._exit(code)
