"""Benchmark: listing 10,000 refunds from the sandbox with the client vs a bare loop of signed calls.

    python tests/benchmarks/bench_list_refunds.py [--refunds N] [--rounds R] [--qps Q]

Seeds ``N`` refunds over the last 90 days in a fresh sandbox, then lists the whole 90-day range in
1-day windows and pages of 100 twice over, alternating, ``R`` rounds each:

* ``client`` — :meth:`KuaishouClient.iter_window_pages` for each window, as the sync calls it
  (signing, rate limiter, envelope checks, bounded cursor paging, typed ``Refund`` records);
* ``bare`` — a plain loop of signed ``requests`` calls on one session fetching the same pages and
  decoding the JSON (what any client must do at the least).

Prints the best wall time of each and their ratio (target ≤ 1.3). The client's rate limiter is set to
``--qps`` (default 10,000, i.e. out of the way) so that the number measures the client's own cost;
at the production default of 20 QPS the listing takes as long as the limit dictates.
Not part of the test run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import requests

from desktop.core.kuaishou import signing
from desktop.core.kuaishou.client import DAY_MS, Credentials, KuaishouClient
from desktop.sandbox import Sandbox

METHOD = "open.seller.order.refund.pcursor.list"


def windows(begin: int, end: int) -> list[tuple[int, int]]:
    out, start = [], begin
    while True:
        stop = min(start + DAY_MS, end)
        out.append((start, stop))
        if stop >= end:
            return out
        start = stop


def bare_loop(sb: Sandbox, begin: int, end: int) -> tuple[int, int]:
    """Signed GETs on one session, JSON decoded, cursor followed: the floor for any client."""
    c = sb.credentials
    url = f"{sb.base_url}/{METHOD.replace('.', '/')}"
    session = requests.Session()
    seen: set[int] = set()
    pages = 0
    for w_begin, w_end in windows(begin, end):
        cursor = ""
        while True:
            param = json.dumps(
                {
                    "beginTime": w_begin,
                    "endTime": w_end,
                    "type": 9,
                    "pageSize": 100,
                    "currentPage": 1,
                    "pcursor": cursor,
                    "queryType": 1,
                },
                ensure_ascii=False,
                separators=(",", ":"),
            )
            params = {
                "access_token": c.access_token,
                "appkey": c.app_key,
                "method": METHOD,
                "param": param,
                "signMethod": "HMAC_SHA256",
                "timestamp": str(int(time.time() * 1000)),
                "version": "1",
            }
            params["sign"] = signing.sign(params, c.sign_secret)
            body = session.get(url, params=params, timeout=(5, 20)).json()
            assert body["result"] == 1, body
            pages += 1
            data = body["data"]
            seen.update(item["refundId"] for item in data["refundOrderInfoList"])
            cursor = data["pcursor"]
            if cursor == "nomore":
                break
    session.close()
    return len(seen), pages


def client_loop(sb: Sandbox, begin: int, end: int, qps: float) -> tuple[int, int]:
    c = sb.credentials
    creds = Credentials(c.app_key, c.sign_secret, c.access_token, sign_method="HMAC_SHA256")
    seen: set[int] = set()
    pages = 0
    with KuaishouClient(creds, base_url=sb.base_url, qps=qps) as client:
        for w_begin, w_end in windows(begin, end):
            for page in client.iter_window_pages(w_begin, w_end, page_size=100):
                pages += 1
                seen.update(r.refund_id for r in page.items)
    return len(seen), pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--refunds", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--qps", type=float, default=10_000.0)
    args = parser.parse_args()

    with Sandbox(seed=7, demo_data=False) as sb:
        sb.seed_bulk(args.refunds, days=90)
        end = sb.now_ms()
        begin = end - 90 * DAY_MS + 10 * 60_000  # the whole 90 days, minus a safety margin
        expected = sum(1 for r in sb.refunds.values() if begin <= r["createTime"] <= end)
        print(
            f"sandbox: {len(sb.refunds):,} refunds, {expected:,} in the range, "
            f"{len(windows(begin, end))} one-day windows, pages of 100"
        )

        bare_loop(sb, begin, begin + DAY_MS)  # warm up both paths (imports, connections)
        client_loop(sb, begin, begin + DAY_MS, args.qps)
        times: dict[str, list[float]] = {"bare": [], "client": []}
        pages: dict[str, int] = {}
        for _ in range(args.rounds):
            for name in ("bare", "client"):
                started = time.perf_counter()
                if name == "bare":
                    count, pages[name] = bare_loop(sb, begin, end)
                else:
                    count, pages[name] = client_loop(sb, begin, end, args.qps)
                times[name].append(time.perf_counter() - started)
                if count != expected:
                    raise SystemExit(f"{name}: listed {count} refunds, expected {expected}")
        for name, values in times.items():
            print(
                f"{name:>6}: best {min(values):.3f} s, median {statistics.median(values):.3f} s "
                f"over {args.rounds} rounds ({expected:,} refunds, {pages[name]} pages)"
            )
        ratio = min(times["client"]) / min(times["bare"])
        print(f"ratio client/bare: {ratio:.2f} (target <= 1.3) -> {'OK' if ratio <= 1.3 else 'SLOW'}")


if __name__ == "__main__":
    main()
