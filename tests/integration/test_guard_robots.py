"""The guard's notices reach the phone robots: in the always-on watcher (``watch``, through
:func:`desktop.core.guard.watch_guard`) and in ``guard --once`` (robot channels from ``AW_*``),
against the sandbox and fake robots over real HTTP."""

from __future__ import annotations

import json

import pytest
from robot_fakes import FakeRobot

from desktop.__main__ import main
from desktop.cli.common import Target, resolve_shop
from desktop.core.guard import GuardPolicy, save_policy, watch_guard
from desktop.core.kuaishou.client import Credentials, KuaishouClient
from desktop.core.polling import PollPolicy
from desktop.core.robots.channels import Channel, ResolvedChannel
from desktop.core.robots.service import RobotAlerts
from desktop.core.rulesfile import load_default_rules
from desktop.core.store import open_store
from desktop.core.watcher import Watcher, find_guard
from desktop.sandbox import Sandbox

MIN = 60_000
APPROVE = "open.seller.order.refund.approve"


@pytest.fixture
def store(app_home):
    st = open_store()
    yield st
    st.close()


@pytest.mark.slow
def test_the_watcher_runs_the_real_guard_and_its_result_reaches_every_robot(store):
    rules = load_default_rules()
    with Sandbox(demo_data=False, buyer_ships_after_s=None) as sb:
        clock = lambda: sb.now_ms() / 1000  # noqa: E731 - the sandbox's clock is everyone's clock
        c = sb.credentials
        target = Target(Credentials(c.app_key, c.sign_secret, c.access_token, c.sign_method), sb.base_url)
        due = sb.add_refund(
            handlingWay=10,
            refundFee=4_500,
            createTime=sb.now_ms() - 5 * MIN,
            expireTime=sb.now_ms() + 20 * MIN,
        )["refundId"]
        with KuaishouClient(target.credentials, base_url=sb.base_url, qps=1000, clock=clock) as client:
            shop_id = resolve_shop(store, client, target)
        assert watch_guard(store) is None  # off until a shop enables it
        save_policy(store, shop_id, GuardPolicy(enabled=True))
        guard = find_guard(store)
        assert guard is not None
        with FakeRobot("wecom", clock=clock) as a, FakeRobot("feishu", clock=clock) as b:
            chans = [ResolvedChannel(Channel(f"c-{r.kind}", r.kind, r.kind), r.url, None) for r in (a, b)]
            robots = RobotAlerts(
                store, rules, lambda: chans, clock=clock, sleep=lambda s: None, retry_pauses_s=()
            )
            watcher = Watcher(
                store,
                [target],
                rules,
                make_client=lambda t: KuaishouClient(
                    t.credentials, base_url=t.base_url, qps=1000, clock=clock
                ),
                resolve_shop=lambda client, t: resolve_shop(store, client, t),
                robots=robots,
                guard=guard,
                clock=clock,
                wait=sb.advance,
                tick_s=300,
                poll=PollPolicy(interval_s=900, near_interval_s=300, max_backoff_s=1800),
            )
            try:
                watcher.run(max_cycles=1)
            finally:
                robots.close()
            assert [
                e["params"]["refundId"] for e in sb.call_log if e["method"] == APPROVE and e["result"] == 1
            ] == [due]
            for robot in (a, b):
                assert any("售后兜底已在截止前同意 1 个售后申请（¥45）" in t for t in robot.texts())


def test_guard_once_sends_its_result_to_the_robot_channels_of_the_environment(app_home, monkeypatch, capsys):
    with Sandbox(demo_data=False, buyer_ships_after_s=None) as sb, FakeRobot("wecom") as robot:
        c = sb.credentials
        for name, value in (
            ("KS_APP_KEY", c.app_key),
            ("KS_SIGN_SECRET", c.sign_secret),
            ("KS_ACCESS_TOKEN", c.access_token),
            ("AW_WECOM_URL", robot.url),
        ):
            monkeypatch.setenv(name, value)
        sb.add_refund(
            handlingWay=10, refundFee=990, createTime=sb.now_ms() - 5 * MIN, expireTime=sb.now_ms() + 10 * MIN
        )
        code = main(["guard", "--once", "--json", "--api-base", sb.base_url, "--lead-minutes", "45"])
        out = capsys.readouterr().out
        assert code == 0
        assert [json.loads(x)["outcome"] for x in out.splitlines()] == ["approved"]
        assert any("售后兜底已在截止前同意 1 个售后申请（¥9.90）" in t for t in robot.texts())
        robot.accepted.clear()
        # a dry run sends nothing, to the platform or to the robots
        sb.add_refund(handlingWay=10, refundFee=500, expireTime=sb.now_ms() + 10 * MIN)
        assert main(["guard", "--once", "--dry-run", "--api-base", sb.base_url, "--lead-minutes", "45"]) == 0
        assert robot.accepted == []
