"""Benchmark: what the transport's guards cost and what they save.

    python tests/benchmarks/bench_transport.py [--calls N]

* the whole-answer deadline's cost per call (arming and disarming it with the session's watchdog),
  and calls per second against a local gateway answering at once, with the guards as shipped;
* the peak Python memory and the time until a gzip bomb (200 MB of zeros in ~200 kB) and an
  endless chunked answer are refused (cap: 16 MB decoded);
* how long a gateway trickling its answer (one byte every 0.2 s) holds a call with a 2 s deadline.

Prints the numbers; not part of the test run (targets: arming < 50 µs a call, refusals within the
cap's memory, the trickle ended within the deadline plus a second).
"""

from __future__ import annotations

import argparse
import gzip
import json
import pathlib
import sys
import time
import tracemalloc

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "integration"))

from rawgateway import RawGateway, head, trickle

from desktop.core.kuaishou import errors
from desktop.core.kuaishou.client import Credentials, KuaishouClient
from desktop.core.kuaishou.transport import _Deadline, _Watchdog

CREDS = Credentials("ks_bench", "sign-secret-bench", "access-token-bench")
ENVELOPE = json.dumps({"result": 1, "data": {"refundId": 5}}).encode()


def client(gw: RawGateway, **kw) -> KuaishouClient:
    return KuaishouClient(CREDS, base_url=gw.base_url, qps=100_000, timeout=(2, 5), max_retries=0, **kw)


def arming(calls: int) -> float:
    watchdog = _Watchdog()
    started = time.perf_counter()
    for _ in range(calls):
        with _Deadline(60, watchdog):
            pass
    took = time.perf_counter() - started
    watchdog.close()
    return took / calls


def calls_per_second(calls: int) -> float:
    def answer(conn, request):
        conn.sendall(head(Content_Length=str(len(ENVELOPE)), Connection="close") + ENVELOPE)

    gw = RawGateway(answer)
    try:
        with client(gw) as c:
            started = time.perf_counter()
            for _ in range(calls):
                c.refund_detail(5)
            return calls / (time.perf_counter() - started)
    finally:
        gw.close()


def refused(answer) -> tuple[float, float]:
    gw = RawGateway(answer)
    try:
        tracemalloc.start()
        started = time.perf_counter()
        with client(gw) as c:
            try:
                c.refund_detail(5)
            except errors.MalformedResponse:
                pass
        took = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return took, peak / 2**20
    finally:
        gw.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=500)
    args = parser.parse_args()

    print(f"deadline arm + disarm: {arming(20_000) * 1e6:.1f} µs per call")
    print(
        f"calls per second (new connection per call, local raw gateway): {calls_per_second(args.calls):.0f}"
    )

    bomb = gzip.compress(b"\0" * (200 * 2**20), compresslevel=9)

    def bomb_answer(conn, request):
        conn.sendall(head(Content_Encoding="gzip", Content_Length=str(len(bomb))) + bomb)

    took, peak = refused(bomb_answer)
    print(f"gzip bomb ({len(bomb) / 1024:.0f} kB → 200 MB): refused in {took:.2f} s, peak {peak:.1f} MB")

    def endless(conn, request):
        conn.sendall(head(Transfer_Encoding="chunked"))
        chunk = b"a" * 65536
        try:
            while True:
                conn.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
        except OSError:
            pass

    took, peak = refused(endless)
    print(f"endless chunked answer: refused in {took:.2f} s, peak {peak:.1f} MB")

    def trickling(conn, request):
        conn.sendall(head(Content_Length=str(len(ENVELOPE))))
        trickle(conn, ENVELOPE, 0.2, lambda: False)

    gw = RawGateway(trickling)
    try:
        with client(gw, deadline_s=2.0) as c:
            started = time.perf_counter()
            try:
                c.refund_detail(5)
            except errors.TransportError:
                pass
            print(
                f"trickled answer, 2 s deadline: the call ended after {time.perf_counter() - started:.2f} s"
            )
    finally:
        gw.close()


if __name__ == "__main__":
    main()
