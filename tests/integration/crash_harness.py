"""Kill the headless ``approve`` at seeded random points — during the run and during its restarts —
against a sandbox that holds each action before carrying it out (a slow platform), and count what the
gateway *received*.

One round: a fresh batch of refunds; every action call of the round is held (or answered late) for a
seeded time; ``approve`` is started and killed (SIGKILL) at a seeded moment after it read or sent
something; restarts are killed too, at seeded moments, until one runs to its end. Then:

* **sent twice**: action calls the gateway received for a refund beyond the first (must be 0);
* **lost**: refunds neither acted on nor reported to the seller as undecided (must be 0);
* every journal entry is closed (``done``/``failed``) or ``unknown`` — and ``unknown`` only for a refund
  whose request never reached the gateway (the run was killed between the write-ahead mark and the
  send), which the restart reported with its evidence;
* the seller then checks those in the seller backend (nothing arrived there) and acts again with
  ``--act-again-on-undecided``: every refund of the round ends acted on exactly once.

A mutant launcher (``crash_mutant.py``) runs the same CLI with the write-ahead ``sent`` mark removed:
the harness must then see requests sent twice.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from desktop.core.store import Store
from desktop.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]
MUTANT = Path(__file__).resolve().parent / "crash_mutant.py"
ACTIONS = (
    "open.seller.order.refund.approve",
    "open.seller.order.refund.returngoods.approve",
    "open.seller.order.refund.confirm.receipt",
)
DETAIL = "open.seller.order.refund.detail"
#: what the first run of a round is killed after: its first write-ahead mark (before the request
#: left), an action call the gateway received (maybe held), a detail read
TRIGGERS = ("marked", "action", "detail", "action", "action")


@dataclass
class Tally:
    rounds: int = 0
    kill_points: int = 0  # processes killed while alive (first runs and restarts)
    restart_kills: int = 0
    finished_before_kill: int = 0
    sent_twice: int = 0
    lost: int = 0
    undecided: int = 0  # reported to the seller (never reached the gateway)
    received: int = 0
    held_when_killed: int = 0
    problems: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        out = dict(self.__dict__)
        out["problems"] = len(self.problems)
        return out


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


def _command(
    sb: Sandbox, ids: list[int], patience: float, *, mutant: bool, act_again: bool = False, qps: float = 200
) -> list[str]:
    entry = [str(MUTANT)] if mutant else ["-m", "desktop"]
    cmd = [
        sys.executable,
        *entry,
        "approve",
        *map(str, ids),
        "--api-base",
        sb.base_url,
        "--json",
        "--settle",
        "0.05",
        "--patience",
        f"{patience:g}",
        "--qps",
        f"{qps:g}",
    ]
    return cmd + (["--act-again-on-undecided"] if act_again else [])


def _journal(home: Path) -> list:
    path = home / "data" / "aftersale-watch.sqlite3"
    if not path.exists():
        return []
    store = Store(path)
    try:
        return store.journal.entries()
    finally:
        store.close()


def _marked(home: Path) -> bool:
    """True once the running ``approve`` committed a ``sent`` mark (read-only peek at its journal)."""
    path = home / "data" / "aftersale-watch.sqlite3"
    if not path.exists():
        return False
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.05)
        try:
            return conn.execute("SELECT 1 FROM actions WHERE state = 'sent' LIMIT 1").fetchone() is not None
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def _received(sb: Sandbox, mine: set[int], methods: tuple[str, ...] = ACTIONS) -> Counter:
    return Counter(
        e["params"].get("refundId")
        for e in list(sb.received_log)
        if e["method"] in methods and e["params"].get("refundId") in mine
    )


def _run_and_kill(
    cmd: list[str],
    env: dict[str, str],
    cwd: Path,
    rng: random.Random,
    started: Callable[[], bool],
    late_s: float,
) -> bool:
    """Start ``cmd``; once ``started()`` (or at once when it never comes) wait a seeded moment and
    SIGKILL it. True when it was killed while alive."""
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        end = time.monotonic() + 20
        while time.monotonic() < end and proc.poll() is None and not started():
            time.sleep(0.002)
        time.sleep(rng.uniform(0.0, late_s))
        alive = proc.poll() is None
        if alive:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=20)
        return alive
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=20)


def _wait_not_held(sb: Sandbox, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while sb.held and time.monotonic() < end:
        time.sleep(0.01)
    if sb.held:
        raise AssertionError("the sandbox still holds requests")


def run(
    sb: Sandbox,
    workdir: Path,
    *,
    kill_points: int,
    seed: int,
    max_hold_s: float = 1.5,
    mutant: bool = False,
    log: Callable[[str], None] | None = None,
) -> Tally:
    """Run rounds until at least ``kill_points`` processes were killed while alive."""
    rng = random.Random(seed)
    tally = Tally()
    patience = max_hold_s + 2.0
    while tally.kill_points < kill_points:
        tally.rounds += 1
        home = workdir / f"round{tally.rounds}"
        batch = [
            sb.add_refund(handlingWay=10, refundFee=rng.randint(100, 99_999))["refundId"],
            sb.add_refund(handlingWay=1, status=11, refundFee=rng.randint(100, 99_999))["refundId"],
            sb.add_refund(handlingWay=1, status=40, negotiateStatus=2, refundFee=rng.randint(100, 99_999))[
                "refundId"
            ],
        ]
        rng.shuffle(batch)
        mine = set(batch)
        env = _env(sb, home)
        # every kind of kill point within five rounds, the moment itself seeded
        trigger = TRIGGERS[(tally.rounds - 1) % len(TRIGGERS)]
        # a slow platform: each action held before it is carried out (when the kill follows an
        # action's arrival, always; otherwise sometimes answered late after it instead)
        for method in ACTIONS:
            kind = "hold" if trigger == "action" or rng.random() < 0.75 else "delay"
            sb.inject_fault(method, kind, times=None, delay_s=rng.uniform(min(0.5, max_hold_s), max_hold_s))

        methods = ACTIONS if trigger == "action" else (DETAIL,)
        qps = 200.0
        if trigger == "marked":
            # right after the first write-ahead mark, before its request left: at 2 calls/s the
            # engine keeps the pace after the last read, so the request leaves ~0.5 s after its mark
            started, late, qps = (lambda: _marked(home)), 0.2, 2.0  # noqa: B023 - used in this round
        else:
            started, late = (lambda: bool(_received(sb, mine, methods))), 0.4  # noqa: B023 - this round
        if _run_and_kill(
            _command(sb, batch, patience, mutant=mutant, qps=qps), env, workdir, rng, started, late
        ):
            tally.kill_points += 1
            tally.held_when_killed += sb.held
        else:
            tally.finished_before_kill += 1
        # restarts, killed too at seeded moments, until one is left to finish
        while rng.random() < 0.5 and tally.kill_points < kill_points:
            seen = sum(_received(sb, mine, (*ACTIONS, DETAIL)).values())
            if _run_and_kill(
                _command(sb, batch, patience, mutant=mutant),
                env,
                workdir,
                rng,
                lambda: sum(_received(sb, mine, (*ACTIONS, DETAIL)).values()) > seen,  # noqa: B023
                0.6,
            ):
                tally.kill_points += 1
                tally.restart_kills += 1
        final = subprocess.run(
            _command(sb, batch, patience, mutant=mutant),
            env=env,
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=120,
        )
        _wait_not_held(sb)
        sb.clear_faults()
        _check_round(sb, home, batch, final, tally, mutant=mutant)
        if log:
            log(f"round {tally.rounds}: {tally.as_dict()}")
    return tally


def _check_round(
    sb: Sandbox,
    home: Path,
    batch: list[int],
    final: subprocess.CompletedProcess,
    tally: Tally,
    *,
    mutant: bool,
) -> None:
    mine = set(batch)
    if final.returncode not in (0, 5):
        tally.problems.append(f"restart exited {final.returncode}: {final.stderr[-500:]}")
    lines = [json.loads(line) for line in final.stdout.splitlines() if line.startswith("{")]
    entries = _journal(home)
    open_states = Counter(e.state for e in entries if e.state in ("planned", "sent"))
    if open_states:
        tally.problems.append(f"journal entries left open: {dict(open_states)}")
    undecided = {e.refund_id for e in entries if e.state == "unknown"}
    reported = {int(x["refundId"]) for x in lines if x["outcome"] in ("unknown", "skipped")}
    received = _received(sb, mine)
    for rid in batch:
        if rid in undecided:
            tally.undecided += 1
            if received[rid] != 0 or _applied(sb, rid):
                tally.problems.append(f"refund {rid} left undecided although the gateway got it")
            if rid not in reported:
                tally.problems.append(f"refund {rid} undecided but not reported to the seller")
    if undecided:
        # the seller checks the seller backend (nothing arrived for these) and acts again
        again = subprocess.run(
            _command(sb, sorted(undecided), 1.0, mutant=mutant, act_again=True),
            env=_env(sb, home),
            cwd=home.parent,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if again.returncode != 0:
            tally.problems.append(f"acting again exited {again.returncode}: {again.stdout[-500:]}")
    received = _received(sb, mine)
    tally.received += sum(received.values())
    tally.sent_twice += sum(n - 1 for n in received.values() if n > 1)
    tally.lost += sum(1 for rid in batch if not _applied(sb, rid))


def _applied(sb: Sandbox, rid: int) -> bool:
    """The gateway shows the approval of ``rid`` carried out (its step agreed or refunded)."""
    r = sb.refunds[rid]
    return (r.get("negotiateStatus") == 2 and r.get("status") != 40) or r.get("status") in (50, 60)
