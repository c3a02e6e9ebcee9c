"""Crash safety of the guard: ``aftersale-watch guard --once`` in a subprocess is killed with SIGKILL
at random points (seeded) while it agrees due requests, then run again on the same store (as a
scheduler would; a fresh store per repetition). The sandbox's own call log must show no refund
agreed twice, and every due request inside the policy agreed once in the end — or, when the kill
left its delivery undecided (marked sent, the gateway never saw it), reported to the seller as
failed (never sent again by the guard itself, as for every action of the engine)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from desktop.core.store import Store
from desktop.sandbox import Sandbox

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

REPETITIONS = 12
SEED = 20_230_509
ACTIONS = (
    "open.seller.order.refund.approve",
    "open.seller.order.refund.returngoods.approve",
    "open.seller.order.refund.confirm.receipt",
    "open.refund.reject",
)
ROOT = Path(__file__).resolve().parents[2]
MIN = 60_000


def _env(sb: Sandbox, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KS_")}
    c = sb.credentials
    env.update(
        KS_APP_KEY=c.app_key,
        KS_SIGN_SECRET=c.sign_secret,
        KS_ACCESS_TOKEN=c.access_token,
        AFTERSALE_WATCH_HOME=str(home),
        PYTHONPATH=str(ROOT),
    )
    return env


def _command(sb: Sandbox) -> list[str]:
    return [
        sys.executable,
        "-m",
        "desktop",
        "guard",
        "--once",
        "--api-base",
        sb.base_url,
        "--json",
        "--settle",
        "0.1",
        "--patience",
        "1",
        "--lead-minutes",
        "45",
        "--stages",
        "review_refund_only,review_return",
    ]


def _journal(home: Path):
    store = Store(home / "data" / "aftersale-watch.sqlite3")
    try:
        return store.journal.entries()
    finally:
        store.close()


@pytest.mark.slow
def test_killed_guard_runs_never_agree_twice(tmp_path):
    rng = random.Random(SEED)
    stats = Counter()
    with Sandbox(demo_data=False, buyer_ships_after_s=None) as sb:
        for rep in range(REPETITIONS):
            home = tmp_path / f"run{rep}"  # a fresh machine each time: the daily caps start at 0
            batch = [
                sb.add_refund(
                    handlingWay=rng.choice((10, 10, 1)),
                    refundFee=rng.randint(100, 19_999),
                    expireTime=sb.now_ms() + rng.randint(5, 40) * MIN,
                )["refundId"]
                for _ in range(rng.randint(2, 5))
            ]
            for rid in batch:  # version B's return requests wait at 10 as well
                if sb.refunds[rid]["handlingWay"] == 1:
                    sb.update_refund(rid, status=11)
            mine = set(batch)
            for method in ACTIONS:
                sb.inject_fault(method, "delay", times=None, delay_s=rng.uniform(0.02, 0.12))
            proc = subprocess.Popen(
                _command(sb), env=_env(sb, home), cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE
            )
            end = time.monotonic() + 60
            while time.monotonic() < end and proc.poll() is None:
                if any(
                    e["method"] in ACTIONS and e["params"].get("refundId") in mine for e in list(sb.call_log)
                ):
                    break
                time.sleep(0.002)
            time.sleep(rng.uniform(0.0, 0.3))
            alive = proc.poll() is None
            if alive:
                proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=30)
            stats["killed mid-run" if alive else "finished before the kill"] += 1
            sb.clear_faults()
            open_before = [e for e in _journal(home) if e.state in ("planned", "sent", "unknown")]
            stats["open entries after kills"] += len(open_before)

            restart = subprocess.run(
                _command(sb), env=_env(sb, home), cwd=tmp_path, capture_output=True, text=True, timeout=60
            )
            assert restart.returncode in (0, 5), restart.stderr
            lines = [json.loads(line) for line in restart.stdout.splitlines()]
            final = {int(x["refund_id"]): x for x in lines if "refund_id" in x}
            agreed = Counter(
                e["params"]["refundId"]
                for e in list(sb.call_log)
                if e["method"] in ACTIONS and e["result"] == 1
            )
            assert max(agreed.values(), default=0) <= 1, (rep, agreed)  # none twice, ever
            for rid in batch:
                if agreed[rid] == 0:  # never reached the gateway: the seller is told, loudly
                    assert final[rid]["outcome"] == "failed", (rep, final.get(rid))
                    assert restart.returncode == 5
                    stats["left undecided to the seller"] += 1
                elif rid in final:
                    assert final[rid]["outcome"] == "approved", final[rid]
            assert [e for e in _journal(home) if e.state in ("planned", "sent")] == []
    print(dict(stats))
    assert stats["killed mid-run"] >= REPETITIONS // 2
