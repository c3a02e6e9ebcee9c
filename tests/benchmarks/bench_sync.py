"""Benchmark: the first full sweep of 10,000 refunds into the store vs. the bare listing.

    python tests/benchmarks/bench_sync.py [--refunds N] [--repeat R]

Against the sandbox over real HTTP on loopback, served from a separate process (as the platform is:
otherwise its response encoding would compete with the sync for this process's GIL), with the
client's rate limiter out of the way (the point is what the store and the sync add). "Bare listing" is the client's own
``iter_refunds`` over the same 90 days (all pages, parsed into records, nothing stored). "First
sweep" is ``Syncer.run()`` on an empty store: shop score, the 90 one-day windows, the incremental
pass after it, classification of every closed request and its bounded negotiation-history lookups.
Prints the median of R alternating pairs' ratios (target ≤ 1.5). ``--latency-ms`` adds a round
trip to every gateway answer, as the real gateway has. Not part of the test run.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from desktop.core.kuaishou.client import DAY_MS, MAX_HISTORY_MS, Credentials, KuaishouClient
from desktop.core.rulesfile import load_default_rules
from desktop.core.store import open_store
from desktop.core.sync import HISTORY_MARGIN_MS, Syncer
from desktop.sandbox import DEMO_CREDENTIALS

SERVER = """
import sys
from desktop.sandbox import METHODS, Sandbox
sb = Sandbox(seed=7, demo_data=False)
sb.seed_bulk(int(sys.argv[1]), days=89)
if float(sys.argv[2]) > 0:  # the gateway's round trip, for every call
    for method in METHODS:
        sb.inject_fault(method, "delay", times=None, delay_s=float(sys.argv[2]))
print(sb.start(), len(sb.refunds), flush=True)
sys.stdin.read()  # serve until the benchmark closes our stdin
sb.stop()
"""


@dataclass
class Remote:
    """The sandbox in a child process (what the benchmark needs of it)."""

    base_url: str
    credentials: object


def client_for(sb: Remote) -> KuaishouClient:
    c = sb.credentials
    creds = Credentials(
        app_key=c.app_key, sign_secret=c.sign_secret, access_token=c.access_token, sign_method=c.sign_method
    )
    return KuaishouClient(creds, base_url=sb.base_url, qps=100_000.0)


def bare_listing(sb: Remote) -> tuple[float, int]:
    with client_for(sb) as client:
        client.shop_score()  # measures the server clock, as the sync does first
        now = client.now_ms()
        started = time.perf_counter()
        n = sum(
            1 for _ in client.iter_refunds(now - MAX_HISTORY_MS + HISTORY_MARGIN_MS, now, window_ms=DAY_MS)
        )
        return time.perf_counter() - started, n


def first_sweep(sb: Remote, rules) -> tuple[float, int, object]:
    with tempfile.TemporaryDirectory() as tmp, client_for(sb) as client:
        store = open_store(Path(tmp) / "bench.sqlite3")
        shop = store.shops.add(base_url=sb.base_url, seller_id=sb.credentials.seller_id)
        started = time.perf_counter()
        result = Syncer(client, store, rules, shop_id=shop.id).run()
        elapsed = time.perf_counter() - started
        count = store.refunds.count(shop.id)
        store.close()
        return elapsed, count, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refunds", type=int, default=10_000)
    parser.add_argument(
        "--repeat", type=int, default=7, help="pairs of runs (a bare listing, then a sweep, alternating)"
    )
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=0.0,
        help="added to every gateway answer (the real gateway is tens of ms away)",
    )
    args = parser.parse_args()

    rules = load_default_rules()
    child = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(args.refunds), str(args.latency_ms / 1000)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        base_url, total = child.stdout.readline().split()
        sb = Remote(base_url, DEMO_CREDENTIALS)
        # alternate the two so that a change of the machine's load hits both alike; judge the
        # median of the pairs' ratios (a best-of-N of each side drifts with the load between them)
        pairs = [(bare_listing(sb), first_sweep(sb, rules)) for _ in range(args.repeat)]
        ratios = sorted(sweep[0] / listing[0] for listing, sweep in pairs)
        bare = statistics.median_low([listing for listing, _ in pairs])
        sweep = statistics.median_low([s for _, s in pairs])
    finally:
        child.stdin.close()
        child.wait(timeout=30)
    total = int(total)
    print(f"sandbox refunds: {total:,}; added gateway latency {args.latency_ms:g} ms")
    print(f"bare listing:  {bare[0]:.2f} s (median) for {bare[1]:,} refunds")
    result = sweep[2]
    print(
        f"first sweep:   {sweep[0]:.2f} s (median) for {sweep[1]:,} refunds stored "
        f"({result.pages} pages, {result.windows} windows, {result.histories_fetched} history lookups, "
        f"{result.classified:,} classified)"
    )
    print(
        f"ratio:         {statistics.median(ratios):.2f} median of {len(ratios)} alternating pairs "
        f"(min {ratios[0]:.2f}, max {ratios[-1]:.2f}; target <= 1.5)"
    )


if __name__ == "__main__":
    main()
