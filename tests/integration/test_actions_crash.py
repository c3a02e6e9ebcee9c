"""Crash safety of bulk actions: the headless ``approve`` run in a subprocess is killed with SIGKILL
at random points (seeded), then run again. The sandbox's own call log must show no refund acted on
twice, and every action the killed run planned must end done or be reported by the restart."""

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

REPETITIONS = 20
SEED = 20_240_509
ACTIONS = ("open.seller.order.refund.approve", "open.seller.order.refund.returngoods.approve",
           "open.seller.order.refund.confirm.receipt")
ROOT = Path(__file__).resolve().parents[2]


def _env(sb: Sandbox, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KS_")}
    c = sb.credentials
    env.update(KS_APP_KEY=c.app_key, KS_SIGN_SECRET=c.sign_secret, KS_ACCESS_TOKEN=c.access_token,
               AFTERSALE_WATCH_HOME=str(home), PYTHONPATH=str(ROOT))
    return env


def _command(sb: Sandbox, ids: list[int]) -> list[str]:
    return [sys.executable, "-m", "desktop", "approve", *map(str, ids), "--api-base", sb.base_url,
            "--json", "--settle", "0.1", "--qps", "200"]


def _journal(home: Path):
    store = Store(home / "data" / "aftersale-watch.sqlite3")
    try:
        return store.journal_entries()
    finally:
        store.close()


def _wait_for(predicate, proc: subprocess.Popen, timeout: float = 15.0) -> bool:
    """Wait until ``predicate()`` or the process ends; True if the predicate came first."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.002)
    raise AssertionError("the approve run neither progressed nor ended")


@pytest.mark.slow
def test_killed_bulk_runs_never_act_twice_and_lose_nothing(tmp_path):
    rng = random.Random(SEED)
    stats = Counter()
    with Sandbox(demo_data=False, buyer_ships_after_s=None) as sb:
        for rep in range(REPETITIONS):
            home = tmp_path / f"run{rep}"
            batch = [
                sb.add_refund(handlingWay=10, refundFee=rng.randint(100, 99_999))["refundId"],
                sb.add_refund(handlingWay=10, refundFee=rng.randint(100, 99_999))["refundId"],
                sb.add_refund(handlingWay=1, status=11, refundFee=rng.randint(100, 99_999))["refundId"],
                sb.add_refund(handlingWay=1, status=40, negotiateStatus=2,
                              refundFee=rng.randint(100, 99_999))["refundId"],
            ]
            rng.shuffle(batch)
            mine = set(batch)
            # slow answers (after the gateway carried the action out) widen the crash window
            for method in ACTIONS:
                sb.inject_fault(method, "delay", times=None, delay_s=rng.uniform(0.02, 0.12))

            def seen(kind: str) -> bool:
                methods = ACTIONS if kind == "action" else ("open.seller.order.refund.detail",)
                return any(e["method"] in methods and e["params"].get("refundId") in mine
                           for e in list(sb.call_log))

            trigger = rng.choice(["detail", "action", "action", "action"])
            proc = subprocess.Popen(_command(sb, batch), env=_env(sb, home), cwd=tmp_path,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            if _wait_for(lambda: seen(trigger), proc):
                time.sleep(rng.uniform(0.0, 0.35))
            alive = proc.poll() is None
            if alive:
                proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=10)
            stats["killed mid-run" if alive else "finished before the kill"] += 1
            sb.clear_faults()

            before = {e.id: e for e in _journal(home)} if (home / "data").exists() else {}
            open_ids = {i for i, e in before.items() if e.state in ("planned", "sent", "unknown")}
            stats["open entries after kills"] += len(open_ids)

            restart = subprocess.run(_command(sb, batch), env=_env(sb, home), cwd=tmp_path,
                                     capture_output=True, text=True, timeout=30)
            assert restart.returncode in (0, 5), restart.stderr
            lines = [json.loads(line) for line in restart.stdout.splitlines()]
            reconciled = {int(x["journalId"]) for x in lines if x.get("reconciled")}
            final = [x for x in lines if not x.get("reconciled")]

            # no refund acted on twice (the sandbox's own log), and each one exactly once in the end
            done = Counter(e["params"]["refundId"] for e in list(sb.call_log)
                           if e["method"] in ACTIONS and e["result"] == 1
                           and e["params"].get("refundId") in mine)
            assert done == Counter(batch), (rep, done)
            # the restart reported every entry the kill left open, and settled all of them
            assert open_ids <= reconciled, (rep, open_ids, reconciled)
            after = _journal(home)
            assert [e for e in after if e.state in ("planned", "sent", "unknown")] == []
            for entry in after:
                if entry.id in before:
                    assert entry.state in ("done", "failed")
                    assert entry.state == "done" or entry.id in reconciled or before[entry.id].state == "failed"
            # one final line per refund; each is done now or was done by the killed run
            assert sorted(int(x["refundId"]) for x in final) == sorted(batch)
            for x in final:
                assert x["outcome"] in ("done", "skipped"), x
    print(dict(stats))
    assert stats["killed mid-run"] >= REPETITIONS // 2
    assert stats["open entries after kills"] > 0
