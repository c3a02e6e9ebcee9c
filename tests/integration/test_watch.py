"""The always-on watcher against the sandbox and fake robots of every platform, over real HTTP.

* A simulated day: every request that expired was announced on every channel before it expired (the
  last time within its final half hour), no request announced twice for the same warning time, and
  every auto-approval reported once per channel.
* The guard's seam: what a guard returns reaches every channel through the same dispatcher.
* The real command in its own process: SIGTERM in the middle of a sync leaves the store intact (the
  next run continues), a second watcher on the same data folder is refused, and afterwards no file the
  app wrote contains a robot URL, key or secret.
"""

from __future__ import annotations

import collections
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from robot_fakes import FakeRobot

from desktop.cli.common import Target, resolve_shop
from desktop.core.kuaishou.client import Credentials, KuaishouClient
from desktop.core.polling import PollPolicy
from desktop.core.robots.channels import Channel, ResolvedChannel
from desktop.core.robots.messages import GUARD_PRE_NOTICE, Notice
from desktop.core.robots.service import RobotAlerts
from desktop.core.rulesfile import load_default_rules
from desktop.core.store import open_store
from desktop.core.watcher import FolderLock, LockedError, Watcher
from desktop.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]
STEP_S = 300
THRESHOLDS_MIN = (24 * 60, 6 * 60, 2 * 60, 30)
DING_SECRET = "SECwatch0123456789abcdef"
FEISHU_SECRET = "feishu-watch-secret-42"
LINE = re.compile(r"售后单号 (\d+)")
LEFT = re.compile(r"剩 (?:(\d+) 小时 )?(\d+) 分钟")


@pytest.fixture
def store(app_home):
    st = open_store()
    yield st
    st.close()


def _setup(sb: Sandbox, store, robots_list, *, guard=None):
    clock = lambda: sb.now_ms() / 1000  # noqa: E731 - the sandbox's clock is everyone's clock
    c = sb.credentials
    creds = Credentials(c.app_key, c.sign_secret, c.access_token, c.sign_method)
    chans = [ResolvedChannel(Channel(f"c-{r.kind}", r.kind, r.kind), r.url, s) for r, s in robots_list]
    rules = load_default_rules()
    robots = RobotAlerts(store, rules, lambda: chans, clock=clock, sleep=lambda s: None, retry_pauses_s=())
    watcher = Watcher(
        store,
        [Target(creds, sb.base_url)],
        rules,
        make_client=lambda t: KuaishouClient(t.credentials, base_url=t.base_url, qps=1000, clock=clock),
        resolve_shop=lambda client, t: resolve_shop(store, client, t),
        robots=robots,
        guard=guard,
        clock=clock,
        wait=sb.advance,
        tick_s=STEP_S,
        poll=PollPolicy(interval_s=900, near_interval_s=STEP_S, max_backoff_s=1800),
    )
    return watcher, robots


def _tier_of(left_ms: int) -> int:
    inside = [m for m in THRESHOLDS_MIN if left_ms <= m * 60_000]
    return inside[-1]


@pytest.mark.slow
def test_a_simulated_day_announces_every_expiring_request_on_every_channel_once(store):
    sb = Sandbox(seed=11, buyer_ships_after_s=None)
    sb.start()
    robots_list = []
    try:
        clock = lambda: sb.now_ms() / 1000  # noqa: E731
        start_ms = sb.now_ms()
        for n, minutes in enumerate((8, 26, 47, 95, 130, 250, 400, 700, 1000, 1300)):
            sb.add_refund(
                handlingWay=10 if n % 2 else 1,
                status=10,
                negotiateStatus=1,
                refundFee=990 + n,
                expireTime=start_ms + minutes * 60_000,
                skuNick=f"测试商品{n}",
            )
        robots_list = [
            (FakeRobot("wecom", clock=clock).start(), None),
            (FakeRobot("dingtalk", secret=DING_SECRET, clock=clock).start(), DING_SECRET),
            (FakeRobot("feishu", secret=FEISHU_SECRET, clock=clock).start(), FEISHU_SECRET),
        ]
        watcher, robots = _setup(sb, store, robots_list)
        try:
            watcher.run(max_cycles=24 * 3600 // STEP_S)
        finally:
            robots.close()
        end_ms = sb.now_ms()
    finally:
        for robot, _ in robots_list:
            robot.stop()
        sb.stop()

    shop = store.shops.all()[0]
    steps = store.classification.auto_approvals(
        shop.id, since=start_ms, until=end_ms
    )  # each expired deadline
    assert len({s.refund_id for s in steps}) >= 10, "the added deadlines (and the demo's own) expired"
    for robot, _ in robots_list:
        assert robot.refused == [], robot.refused
        # refund -> [(received at, the deadline the line stands for: received + time left, to the minute,
        # the tier the time left shown is in)]
        tier_lines: dict[int, list[tuple[int, int, int]]] = collections.defaultdict(list)
        auto_lines = collections.Counter()
        for message in robot.accepted:
            at_ms = int(message["at"] * 1000)
            for line in message["text"].splitlines():
                found = LINE.search(line)
                if not found:
                    continue
                rid = int(found.group(1))
                if "时限为" in line:
                    auto_lines[rid] += 1
                    continue
                left = LEFT.search(line)
                assert left, line
                minutes = int(left.group(1) or 0) * 60 + int(left.group(2))
                tier_lines[rid].append((at_ms, at_ms + minutes * 60_000, _tier_of(minutes * 60_000 + 30_000)))
        for step in steps:
            deadline = step.at
            lines = [
                (at, tier) for at, d, tier in tier_lines[step.refund_id] if d - 5_000 <= deadline < d + 65_000
            ]
            mine = [at for at, _ in lines]
            assert mine, (
                f"{robot.kind}: refund {step.refund_id} expired at {deadline} without an announcement"
            )
            assert all(at < deadline for at in mine)
            assert deadline - max(mine) <= 30 * 60_000 + STEP_S * 1000, (
                f"{robot.kind}: no last-half-hour alert"
            )
            tiers = [tier for _, tier in lines]
            assert len(tiers) == len(set(tiers)), (
                f"{robot.kind}: refund {step.refund_id} announced twice for a tier"
            )
        expected_auto = collections.Counter(s.refund_id for s in steps)
        assert {r: auto_lines[r] for r in expected_auto} == dict(expected_auto), (
            f"{robot.kind}: auto-approvals"
        )
        # one message per evaluation at most, far below every robot's limit
        assert len(robot.accepted) <= 24 * 3600 // STEP_S


def test_what_the_guard_returns_reaches_every_channel(store):
    sent = []

    class FakeGuard:
        def run(self, *, store, shop_id, client, rules, now_ms):
            sent.append(shop_id)
            return [
                Notice(
                    GUARD_PRE_NOTICE,
                    f"guard:{shop_id}:{len(sent)}",
                    shop_id,
                    "山河",
                    text="将在 10 分钟后同意 2 个仅退款",
                )
            ]

    with Sandbox(seed=3) as sb:
        clock = lambda: sb.now_ms() / 1000  # noqa: E731
        with FakeRobot("wecom", clock=clock) as a, FakeRobot("feishu", clock=clock) as b:
            watcher, robots = _setup(sb, store, [(a, None), (b, None)], guard=FakeGuard())
            try:
                watcher.run(max_cycles=1)
            finally:
                robots.close()
            assert sent == [store.shops.all()[0].id]
            for robot in (a, b):
                assert len(robot.accepted) == 1
                assert (
                    "售后兜底：即将自动处理" in robot.texts()[0] and "将在 10 分钟后同意" in robot.texts()[0]
                )


def test_one_watcher_per_data_folder(tmp_path):
    with FolderLock(tmp_path), pytest.raises(LockedError):
        FolderLock(tmp_path).acquire()
    with FolderLock(tmp_path):  # released on exit
        pass


# ---------------------------------------------------------------------------------- the command
def _watch(data_dir: Path, sb: Sandbox, env_extra: dict[str, str]) -> subprocess.Popen:
    c = sb.credentials
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KS_", "AW_"))}
    env.update(
        PYTHONPATH=str(ROOT),
        AFTERSALE_WATCH_HOME=str(data_dir),
        PYTHONUNBUFFERED="1",
        KS_APP_KEY=c.app_key,
        KS_SIGN_SECRET=c.sign_secret,
        KS_ACCESS_TOKEN=c.access_token,
        **env_extra,
    )
    return subprocess.Popen(
        [sys.executable, "-m", "desktop", "watch", "--api-base", sb.base_url, "--data-dir", str(data_dir)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(predicate, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.1)


def _stop(proc: subprocess.Popen) -> tuple[int, str]:
    proc.send_signal(signal.SIGTERM)
    try:
        _out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise AssertionError("the watcher did not stop on SIGTERM") from None
    return proc.returncode, err


@pytest.mark.slow
@pytest.mark.skipif(os.name == "nt", reason="SIGTERM is a POSIX signal")
def test_the_watch_command_stops_cleanly_mid_sync_and_leaves_no_robot_secret_behind(tmp_path):
    data = tmp_path / "aw"
    with Sandbox(seed=5) as sb, FakeRobot("dingtalk", secret=DING_SECRET) as robot:
        env = {"AW_DINGTALK_URL": robot.url, "AW_DINGTALK_SECRET": DING_SECRET}
        sb.inject_fault("open.seller.order.refund.pcursor.list", "delay", times=None, delay_s=0.25)
        proc = _watch(data, sb, env)
        db = data / "data" / "aftersale-watch.sqlite3"

        def refunds_stored() -> int:
            if not db.exists():
                return 0
            try:
                with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
                    return conn.execute("SELECT COUNT(*) FROM refunds").fetchone()[0]
            except sqlite3.Error:
                return 0

        try:
            _wait_for(lambda: refunds_stored() > 0)
            second = _watch(data, sb, env)  # one watcher per data folder
            _out, second_err = second.communicate(timeout=60)
            assert second.returncode == 2 and str(data / "data") in second_err
        finally:
            code, err = _stop(proc)
        assert code == 0, err
        with sqlite3.connect(db) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            done, next_ms = conn.execute("SELECT first_sweep_done, sweep_next_ms FROM shops").fetchone()
        assert not done and next_ms is not None, "stopped mid-sweep, with its position committed"
        assert robot.accepted == []

        sb.clear_faults()
        proc = _watch(data, sb, env)
        try:
            _wait_for(lambda: len(robot.accepted) >= 1)
        finally:
            code, err = _stop(proc)
        assert code == 0, err
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT first_sweep_done FROM shops").fetchone()[0] == 1
        assert "售后单" in robot.texts()[0]

    written = [p for p in data.rglob("*") if p.is_file()]
    assert any(p.suffix == ".log" for p in written) and db in written
    for secret in (robot.token, DING_SECRET, robot.url):
        for path in written:
            assert secret.encode() not in path.read_bytes(), f"{path.name} contains a robot credential"


def test_an_unusable_data_folder_is_a_usage_error(tmp_path, capsys):
    from desktop.__main__ import main

    home = tmp_path / "ro"
    (home / "data").mkdir(parents=True)
    (home / "data" / "watch.lock").mkdir()  # in the way of the lock file
    assert main(["watch", "--demo", "--data-dir", str(home)]) == 2
    assert str(home / "data") in capsys.readouterr().err
