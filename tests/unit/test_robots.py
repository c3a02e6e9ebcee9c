"""Phone alerts through group robots, against fake WeCom / DingTalk / Feishu robots over real HTTP on
loopback (tests/robot_fakes.py checks what the real services check, signatures computed from the spec)."""

from __future__ import annotations

import datetime as dt

import pytest
from robot_fakes import WECOM_MARKDOWN_BYTES, FakeRobot

from desktop.core import i18n
from desktop.core.alerts import HOUR_MS, MINUTE_MS, QuietHours
from desktop.core.robots.channels import (
    Channel,
    ChannelBook,
    ChannelError,
    ResolvedChannel,
    check_secret,
    check_url,
    env_channels,
    mask_url,
)
from desktop.core.robots.dispatch import RobotDispatcher
from desktop.core.robots.messages import TIER, Notice
from desktop.core.robots.planning import RobotPolicy, Waiting, plan_channel
from desktop.core.secrets import MemoryKeyring, SecretStore
from desktop.core.store import open_store


class Clock:
    def __init__(self, t: float = 1_790_000_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture
def store(app_home):
    st = open_store()
    yield st
    st.close()


@pytest.fixture
def clock():
    return Clock()


SIGNED = {
    "wecom": None,
    "dingtalk": "SEC0123456789abcdef0123456789abcdef",
    "feishu": "feishu-sign-secret-xyz",
}


def channel(robot: FakeRobot, secret: str | None = None, cid: str | None = None) -> ResolvedChannel:
    return ResolvedChannel(Channel(cid or f"c-{robot.kind}", robot.kind, robot.kind), robot.url, secret)


def tier_notices(n: int, now_ms: int, *, start: int = 0, shop: str = "山河优选生活馆") -> list[Notice]:
    return [
        Notice(
            TIER,
            f"t7200:1:{i}",
            1,
            shop,
            1000 + i,
            "return_refund" if i % 2 else "refund_only",
            1290 + i,
            now_ms + (10 + i) * MINUTE_MS,
            f"保暖羊毛袜 {i} 号",
            2 * HOUR_MS,
        )
        for i in range(start, start + n)
    ]


# ---------------------------------------------------------------------------------- channel URLs
@pytest.mark.parametrize(
    ("kind", "url"),
    [
        (
            "wecom",
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa",
        ),
        ("dingtalk", "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef"),
        ("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/0123abcd-4567"),
        ("feishu", " https://open.larksuite.com/open-apis/bot/v2/hook/0123abcd-4567 "),
        ("wecom", "http://127.0.0.1:8080/cgi-bin/webhook/send?key=abc"),
    ],
)
def test_documented_hosts_and_loopback_are_accepted(kind, url):
    assert check_url(kind, url) == url.strip()


@pytest.mark.parametrize(
    ("kind", "url", "words"),
    [
        ("wecom", "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc", "https://"),
        ("wecom", "https://evil.example.com/cgi-bin/webhook/send?key=abc", "evil.example.com"),
        ("dingtalk", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc", "qyapi.weixin.qq.com"),
        ("dingtalk", "https://oapi.dingtalk.com/robot/send", "access_token="),
        ("feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/", "hook/"),
        ("wecom", "https://user:pw@qyapi.weixin.qq.com/cgi-bin/webhook/send?key=a", "password"),
        ("wecom", "not a url", "web address"),
    ],
)
def test_bad_robot_urls_are_refused_with_a_reason(kind, url, words):
    i18n.set_language("en")
    try:
        with pytest.raises(ChannelError) as err:
            check_url(kind, url)
        assert words in str(err.value)
    finally:
        i18n.set_language("zh_CN")


def test_secrets_are_checked_per_kind_and_urls_masked():
    assert check_secret("dingtalk", " SECabc ") == "SECabc"
    with pytest.raises(ChannelError):
        check_secret("dingtalk", "abc")
    with pytest.raises(ChannelError):
        check_secret("wecom", "anything")
    assert check_secret("feishu", "") is None
    url = "https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef"
    masked = mask_url(url)
    assert "0123456789ab" not in masked and masked.endswith("cdef") and "oapi.dingtalk.com" in masked


def test_channel_book_keeps_url_and_secret_only_in_the_keychain(store):
    keyring = MemoryKeyring()
    book = ChannelBook(store, SecretStore(backend=keyring))
    url = "https://oapi.dingtalk.com/robot/send?access_token=feedfacecafebeef0001"
    ch = book.add("dingtalk", "售后群", url, "SECsecretsecretsecret")
    assert [c.id for c in book.channels()] == [ch.id] and ch.signed
    assert book.credentials(ch.id) == (url, "SECsecretsecretsecret")
    settings = repr(store.settings.get("robots.channels"))
    assert "feedfacecafebeef0001" not in settings and "SECsecret" not in settings
    assert any("feedfacecafebeef0001" in v for v in keyring.entries.values())
    assert "feedface" not in repr(book.resolved()[0])
    book.update(ch.id, enabled=False)
    assert book.resolved() == []
    book.remove(ch.id)
    assert book.channels() == [] and keyring.entries == {}


def test_environment_channels_name_the_bad_variable():
    env = {
        "AW_WECOM_URL": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k1",
        "AW_DINGTALK_URL": "https://oapi.dingtalk.com/robot/send?access_token=t1",
        "AW_DINGTALK_SECRET": "SECxyz",
    }
    chans = env_channels(env)
    assert [(c.kind, c.secret) for c in chans] == [("wecom", None), ("dingtalk", "SECxyz")]
    with pytest.raises(ChannelError, match="AW_FEISHU_URL"):
        env_channels({"AW_FEISHU_URL": "https://example.com/open-apis/bot/v2/hook/x"})
    with pytest.raises(ChannelError, match="AW_DINGTALK_SECRET"):
        env_channels(
            {
                "AW_DINGTALK_URL": "https://oapi.dingtalk.com/robot/send?access_token=t",
                "AW_DINGTALK_SECRET": "nope",
            }
        )
    with pytest.raises(ChannelError, match="AW_FEISHU_URL"):
        env_channels({"AW_FEISHU_SECRET": "s3cret"})


# ---------------------------------------------------------------------------------- over HTTP
@pytest.mark.parametrize(
    ("kind", "signed"),
    [("wecom", False), ("dingtalk", False), ("dingtalk", True), ("feishu", False), ("feishu", True)],
)
def test_a_digest_reaches_each_robot_signed_as_the_spec_says(store, kind, signed):
    secret = SIGNED[kind] if signed else None
    with FakeRobot(kind, secret=secret) as robot:
        ch = channel(robot, secret)
        dispatcher = RobotDispatcher(store, lambda: [ch], retry_pauses_s=())
        try:
            now_ms = dispatcher.now_ms()
            deliveries = dispatcher.notify(tier_notices(3, now_ms))
        finally:
            dispatcher.close()
    assert deliveries[0].result.ok, deliveries[0].result
    assert robot.refused == [] and len(robot.accepted) == 1
    text = robot.texts()[0]
    assert "山河优选生活馆" in text and "3 个售后单" in text and "¥38.73" in text  # shop, count, money
    assert "保暖羊毛袜 0 号" in text and "仅退款" in text and "退货退款" in text and "剩 10 分钟" in text
    body = robot.accepted[0]["body"]
    if kind == "feishu":
        assert body["msg_type"] == "text" and ("sign" in body) == signed
    else:
        assert body["msgtype"] == "markdown"


@pytest.mark.parametrize("kind", ["dingtalk", "feishu"])
def test_a_wrong_signing_secret_is_refused_and_said_in_plain_words(store, kind):
    with FakeRobot(kind, secret=SIGNED[kind]) as robot:
        wrong = "SECwrongwrongwrong" if kind == "dingtalk" else "wrong-secret"
        ch = channel(robot, wrong)
        dispatcher = RobotDispatcher(store, lambda: [ch], retry_pauses_s=())
        try:
            result = dispatcher.notify(tier_notices(1, dispatcher.now_ms()))[0].result
            record = dispatcher.sends(ch.id)[0]
        finally:
            dispatcher.close()
    assert result.outcome == "rejected" and robot.accepted == []
    assert record.outcome == "rejected" and record.code == ("310000" if kind == "dingtalk" else "19021")
    assert ("加签" in record.error) if kind == "dingtalk" else ("签名" in record.error)
    assert robot.token not in record.error
    assert len(dispatcher.waiting(ch.id)) == 1  # kept, not lost


def test_a_feishu_signature_an_hour_off_is_refused(store, clock):
    with FakeRobot("feishu", secret=SIGNED["feishu"]) as robot:  # the fake runs on real time
        clock.t = robot.clock() - 3700
        ch = channel(robot, SIGNED["feishu"])
        dispatcher = RobotDispatcher(store, lambda: [ch], clock=clock, retry_pauses_s=())
        try:
            result = dispatcher.notify(tier_notices(1, dispatcher.now_ms()))[0].result
        finally:
            dispatcher.close()
    assert result.code == "19021"


@pytest.mark.parametrize("kind", ["wecom", "dingtalk", "feishu"])
def test_a_huge_digest_fits_the_byte_limit_and_still_counts_everything(store, kind):
    with FakeRobot(kind, secret=SIGNED[kind]) as robot:
        ch = channel(robot, SIGNED[kind])
        dispatcher = RobotDispatcher(store, lambda: [ch], retry_pauses_s=())
        try:
            notices = tier_notices(400, dispatcher.now_ms())
            result = dispatcher.notify(notices)[0].result
        finally:
            dispatcher.close()
    assert result.ok and robot.refused == []
    text = robot.texts()[0]
    assert len(text.encode()) <= (WECOM_MARKDOWN_BYTES if kind == "wecom" else 4000)
    assert "400 个售后单" in text and "未列出" in text
    assert "¥" + f"{sum(n.amount_fen for n in notices) / 100:,.2f}" in text
    assert "剩 10 分钟" in text  # the most urgent lines are the ones kept
    assert dispatcher.waiting(ch.id) == []


@pytest.mark.parametrize("kind", ["wecom", "dingtalk", "feishu"])
def test_a_rate_limit_answer_leads_to_a_later_digest_not_a_lost_alert(store, clock, kind):
    with FakeRobot(kind, secret=SIGNED[kind], clock=clock) as robot:
        ch = channel(robot, SIGNED[kind])
        dispatcher = RobotDispatcher(store, lambda: [ch], clock=clock, retry_pauses_s=())
        try:
            robot.script("rate_limit")
            first = dispatcher.notify(tier_notices(2, dispatcher.now_ms()))[0]
            assert first.result.outcome == "rate_limited" and robot.accepted == []
            clock.advance(30)
            second = dispatcher.notify(tier_notices(1, dispatcher.now_ms(), start=2))[0]
            assert second.result is None and second.held_until_ms is not None  # it waits, it does not hammer
            clock.advance(600)
            third = dispatcher.notify([])[0]
            record = dispatcher.sends(ch.id)
        finally:
            dispatcher.close()
    assert third.result.ok and len(robot.accepted) == 1
    text = robot.texts()[0]
    assert "3 个售后单" in text and all(f"保暖羊毛袜 {i} 号" in text for i in range(3))
    assert [r.outcome for r in record] == ["ok", "rate_limited"]
    assert "合并" in record[1].error


def test_the_robots_own_rate_limit_is_kept_by_coalescing(store, clock):
    with FakeRobot("wecom", clock=clock) as robot:
        ch = channel(robot)
        dispatcher = RobotDispatcher(store, lambda: [ch], clock=clock, retry_pauses_s=())
        try:
            for n in range(30):  # 30 evaluations within one minute, each with a new alert
                dispatcher.notify(tier_notices(1, dispatcher.now_ms(), start=n))
                clock.advance(1)
            assert len(robot.accepted) == 20 and robot.refused == []
            clock.advance(60)
            dispatcher.deliver()
        finally:
            dispatcher.close()
    assert len(robot.accepted) == 21 and robot.refused == []
    assert "10 个售后单" in robot.texts()[-1]  # the ten held back went out as one digest
    keys = [k for m in robot.texts() for k in range(30) if f"保暖羊毛袜 {k} 号" in m]
    assert sorted(keys) == list(range(30))  # each once


def test_transient_failures_are_retried_then_backed_off(store, clock):
    pauses = []
    with FakeRobot("dingtalk", clock=clock) as robot:
        ch = channel(robot)
        dispatcher = RobotDispatcher(
            store, lambda: [ch], clock=clock, sleep=pauses.append, retry_pauses_s=(1, 3)
        )
        try:
            robot.script("http500", "drop")
            assert dispatcher.notify(tier_notices(1, dispatcher.now_ms()))[0].result.ok
            assert pauses == [1, 3] and len(robot.accepted) == 1
            robot.script("http500", "busy", "html")
            failed = dispatcher.notify(tier_notices(1, dispatcher.now_ms(), start=1))[0]
            assert failed.result.outcome == "transient"
            clock.advance(10)
            assert dispatcher.deliver()[0].held_until_ms is not None  # backing off: 30 s
            clock.advance(25)
            assert dispatcher.deliver()[0].result.ok
        finally:
            dispatcher.close()
    assert len(robot.accepted) == 2 and "保暖羊毛袜 1 号" in robot.texts()[1]


def test_a_key_is_sent_once_per_channel_ever(store, clock):
    with FakeRobot("wecom", clock=clock) as a, FakeRobot("feishu", clock=clock) as b:
        chans = [channel(a), channel(b)]
        dispatcher = RobotDispatcher(store, lambda: chans, clock=clock, retry_pauses_s=())
        try:
            notices = tier_notices(2, dispatcher.now_ms())
            dispatcher.notify(notices)
            clock.advance(120)
            dispatcher.notify(notices)
        finally:
            dispatcher.close()
        assert len(a.accepted) == 1 and len(b.accepted) == 1


def test_a_test_message_is_sent_and_recorded(store):
    with FakeRobot("feishu", secret=SIGNED["feishu"]) as robot:
        ch = channel(robot, SIGNED["feishu"])
        dispatcher = RobotDispatcher(store, lambda: [ch], retry_pauses_s=())
        try:
            assert dispatcher.send_test(ch).ok
            robot.script("bad_key")
            bad = dispatcher.send_test(ch)
        finally:
            dispatcher.close()
    assert "测试消息" in robot.texts()[0]
    assert bad.outcome == "rejected" and "地址无效" in bad.message
    assert [r.test for r in dispatcher.sends(ch.id)] == [True, True]


# ---------------------------------------------------------------------------------- planning
def at(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 11, 26, hour, minute).astimezone()


def waiting(refund_id: int, now: dt.datetime, minutes_left: int) -> Waiting:
    return Waiting(
        1, "店", refund_id, int(now.timestamp() * 1000) + minutes_left * MINUTE_MS, "refund_only", 100
    )


def test_tiers_tightest_first_and_looser_ones_remembered():
    now = at(12)
    plan = plan_channel(
        [waiting(1, now, 90), waiting(2, now, 600), waiting(3, now, 3000)], [], set(), now, RobotPolicy()
    )
    assert [(n.refund_id, n.tier_ms) for n in plan.notices] == [(1, 2 * HOUR_MS), (2, 24 * HOUR_MS)]
    deadline = int(now.timestamp() * 1000) + 90 * MINUTE_MS
    assert sorted(k for _, k in plan.skipped) == [f"t21600:1:1:{deadline}", f"t86400:1:1:{deadline}"]
    sent = {n.key for n in plan.notices} | {k for _, k in plan.skipped}
    assert plan_channel([waiting(1, now, 90)], [], sent, now, RobotPolicy()).notices == []


def test_robot_quiet_hours_ring_only_for_the_last_half_hour():
    now = at(23)
    policy = RobotPolicy(quiet=QuietHours(dt.time(22), dt.time(8)))
    plan = plan_channel(
        [waiting(1, now, 25), waiting(2, now, 100)], [Notice("auto_approved", "auto:1")], set(), now, policy
    )
    assert [n.refund_id for n in plan.notices] == [1] and plan.held == 2
    morning = at(8, 1)
    later = plan_channel(
        [waiting(2, morning, 60)],
        [Notice("auto_approved", "auto:1")],
        {n.key for n in plan.notices},
        morning,
        policy,
    )
    assert [n.key for n in later.notices] == [f"t7200:1:2:{later.notices[0].deadline_ms}", "auto:1"]


def test_a_new_deadline_of_the_same_request_is_announced_again():
    now = at(12)
    first = plan_channel([waiting(1, now, 20)], [], set(), now, RobotPolicy())
    sent = {n.key for n in first.notices} | {k for _, k in first.skipped}
    assert plan_channel([waiting(1, now, 20)], [], sent, now, RobotPolicy()).notices == []
    next_stage = plan_channel([waiting(1, now, 100)], [], sent, now, RobotPolicy())  # e.g. confirm receipt
    assert [n.tier_ms for n in next_stage.notices] == [2 * HOUR_MS]


def test_a_sync_failing_for_more_than_an_hour_is_announced_once_per_outage(store):
    from desktop.core.robots.planning import sync_failures_from_store

    shop = store.shops.add(base_url="https://openapi.kwaixiaodian.com", seller_id=1, name="山河")
    t0 = 1_790_000_000_000
    store.shops.update(shop.id, last_success_at=t0 - 5 * HOUR_MS)  # the computer was off overnight
    store.shops.update(shop.id, last_error="NetworkError: down", last_error_at=t0)
    policy = RobotPolicy()
    assert sync_failures_from_store(store, t0 + 30 * MINUTE_MS, policy) == []  # failing since t0, not before
    (notice,) = sync_failures_from_store(store, t0 + 61 * MINUTE_MS, policy)
    store.shops.update(shop.id, last_error_at=t0 + 90 * MINUTE_MS)  # still failing: the same outage
    assert [n.key for n in sync_failures_from_store(store, t0 + 2 * HOUR_MS, policy)] == [notice.key]
    assert "山河" in notice.text
    store.shops.update(shop.id, last_success_at=t0 + 3 * HOUR_MS)  # recovered
    assert sync_failures_from_store(store, t0 + 3 * HOUR_MS, policy) == []
    store.shops.update(shop.id, last_error_at=t0 + 4 * HOUR_MS)  # a new outage: a new key
    (again,) = sync_failures_from_store(store, t0 + 6 * HOUR_MS, policy)
    assert again.key != notice.key


def test_a_failed_test_message_does_not_hold_back_the_alerts(store, clock):
    with FakeRobot("wecom", clock=clock) as robot:
        ch = channel(robot)
        dispatcher = RobotDispatcher(store, lambda: [ch], clock=clock, retry_pauses_s=())
        try:
            robot.script("bad_key")
            assert not dispatcher.send_test(ch).ok
            assert dispatcher.notify(tier_notices(1, dispatcher.now_ms()))[0].result.ok
        finally:
            dispatcher.close()


def test_the_guards_notices_reach_every_channel_once_through_its_bus(store, clock):
    from dataclasses import dataclass

    from desktop.core.robots.service import RobotAlerts

    @dataclass(frozen=True)
    class GuardNotice:  # the shape of desktop.core.guard.GuardNotice
        kind: str
        shop_id: int
        title: str
        text: str
        refund_ids: tuple = ()
        money_fen: int = 0
        urgent: bool = False

    shop = store.shops.add(base_url="https://openapi.kwaixiaodian.com", seller_id=9, name="山河优选")
    with (
        FakeRobot("wecom", clock=clock) as a,
        FakeRobot("dingtalk", secret=SIGNED["dingtalk"], clock=clock) as b,
    ):
        chans = [channel(a), channel(b, SIGNED["dingtalk"])]
        robots = RobotAlerts(store, None, lambda: chans, clock=clock, retry_pauses_s=())
        try:
            send = robots.guard_channel()
            pre = GuardNotice(
                "pre_notice",
                shop.id,
                "售后兜底即将处理",
                "10 分钟后将自动同意 2 个售后单（¥59.80）",
                (11, 12),
                5980,
            )
            send(pre)
            clock.advance(5)
            send(pre)  # the same notice again: not sent twice
            send(
                GuardNotice(
                    "result",
                    shop.id,
                    "售后兜底已处理",
                    "已在时限前同意 2 个售后单（¥59.80）。",
                    (11, 12),
                    5980,
                )
            )
        finally:
            robots.close()
    for robot in (a, b):
        assert len(robot.accepted) == 2 and robot.refused == []
        assert "山河优选" in robot.texts()[0] and "10 分钟后将自动同意" in robot.texts()[0]
        assert "已在时限前同意" in robot.texts()[1]
