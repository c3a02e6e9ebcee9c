"""``aftersale-watch check --notify`` against the sandbox and fake robots: one digest per channel of
what is within the alert times, the same once-per-tier memory across runs, a failing channel's alerts
kept for the next run, and a bad ``AW_*`` variable named."""

from __future__ import annotations

import pytest
from robot_fakes import FakeRobot

from desktop.__main__ import main
from desktop.sandbox import Sandbox

FEISHU_SECRET = "feishu-check-secret-7"


@pytest.fixture
def sandbox():
    with Sandbox(seed=7) as sb:
        yield sb


@pytest.fixture
def env(monkeypatch, sandbox):
    c = sandbox.credentials
    for name, value in (
        ("KS_APP_KEY", c.app_key),
        ("KS_SIGN_SECRET", c.sign_secret),
        ("KS_ACCESS_TOKEN", c.access_token),
        ("KS_SIGN_METHOD", c.sign_method),
    ):
        monkeypatch.setenv(name, value)
    for name in (
        "KS_APP_SECRET",
        "KS_REFRESH_TOKEN",
        "AW_WECOM_URL",
        "AW_DINGTALK_URL",
        "AW_DINGTALK_SECRET",
        "AW_FEISHU_URL",
        "AW_FEISHU_SECRET",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def notify(capsys, sandbox) -> tuple[int, str]:
    code = main(["check", "--notify", "--api-base", sandbox.base_url, "--days", "3"])
    _out, err = capsys.readouterr()
    return code, err


def test_check_notify_sends_one_digest_per_channel_and_remembers(capsys, sandbox, env):
    with FakeRobot("wecom") as wecom, FakeRobot("feishu", secret=FEISHU_SECRET) as feishu:
        env.setenv("AW_WECOM_URL", wecom.url)
        env.setenv("AW_FEISHU_URL", feishu.url)
        env.setenv("AW_FEISHU_SECRET", FEISHU_SECRET)
        code, err = notify(capsys, sandbox)
        assert code == 0, err
        assert len(wecom.accepted) == 1 and len(feishu.accepted) == 1
        pending = [
            r
            for r in sandbox.refunds.values()
            if r["status"] == 10
            and r.get("expireTime")
            and r["expireTime"] - sandbox.now_ms() <= 24 * 3_600_000
            and r["expireTime"] > sandbox.now_ms()
        ]
        text = wecom.texts()[0]
        for refund in pending:
            assert str(refund["refundId"]) in text
        assert "已将" in err
        code, err = notify(capsys, sandbox)  # nothing crossed a new tier since
        assert code == 0 and len(wecom.accepted) == 1 and len(feishu.accepted) == 1
        assert "没有需要发送的新提醒" in err


def test_a_failing_channel_keeps_its_alerts_for_the_next_run(capsys, sandbox, env):
    with FakeRobot("wecom") as wecom:
        env.setenv("AW_WECOM_URL", wecom.url)
        wecom.script("bad_key")
        code, err = notify(capsys, sandbox)
        assert code == 4 and "密钥无效" in err and wecom.accepted == []
        code, err = notify(capsys, sandbox)  # the failure backoff (30 s) holds it back
        assert wecom.accepted == []
        assert code == 0 and "暂缓" in err


def test_a_bad_robot_variable_is_named(capsys, sandbox, env):
    env.setenv("AW_DINGTALK_URL", "http://oapi.dingtalk.com/robot/send?access_token=abc")
    code, err = notify(capsys, sandbox)
    assert code == 2 and "AW_DINGTALK_URL" in err and "https://" in err
