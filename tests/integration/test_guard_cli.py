"""``aftersale-watch guard`` against the sandbox: credentials as ``check`` (``KS_*`` + ``--api-base``),
one JSON object per request considered, flags overriding the saved policy, exit codes 0 / 5 / 2."""

from __future__ import annotations

import json

import pytest

from desktop.__main__ import main
from desktop.core.guard import GuardPolicy, save_policy
from desktop.core.store import open_store
from desktop.sandbox import Sandbox

MIN = 60_000
ACTIONS = (
    "open.seller.order.refund.approve",
    "open.seller.order.refund.returngoods.approve",
    "open.seller.order.refund.confirm.receipt",
    "open.refund.reject",
)


@pytest.fixture
def sb(monkeypatch, app_home):
    with Sandbox(demo_data=False, buyer_ships_after_s=None) as sandbox:
        c = sandbox.credentials
        monkeypatch.setenv("KS_APP_KEY", c.app_key)
        monkeypatch.setenv("KS_SIGN_SECRET", c.sign_secret)
        monkeypatch.setenv("KS_ACCESS_TOKEN", c.access_token)
        yield sandbox


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def sent(sb):
    return [e for e in sb.call_log if e["method"] in ACTIONS]


def test_no_saved_policy_and_no_flags_does_nothing_and_says_so(sb, capsys):
    sb.add_refund(handlingWay=10, refundFee=990, expireTime=sb.now_ms() + 10 * MIN)
    code, out, err = run(capsys, "guard", "--once", "--api-base", sb.base_url, "--json")
    assert code == 2
    assert out == "" and "售后兜底" in err
    assert sent(sb) == []


def test_flags_override_the_policy_json_lines_and_dry_run(sb, capsys):
    small = sb.add_refund(handlingWay=10, refundFee=990, expireTime=sb.now_ms() + 10 * MIN)["refundId"]
    ret = sb.add_refund(handlingWay=1, status=11, refundFee=2000, expireTime=sb.now_ms() + 20 * MIN)[
        "refundId"
    ]
    big = sb.add_refund(handlingWay=10, refundFee=50_000, expireTime=sb.now_ms() + 30 * MIN)["refundId"]
    later = sb.add_refund(handlingWay=10, refundFee=100, expireTime=sb.now_ms() + 90 * MIN)["refundId"]
    code, out, _err = run(
        capsys,
        "guard",
        "--once",
        "--dry-run",
        "--json",
        "--api-base",
        sb.base_url,
        "--stages",
        "review_refund_only,review_return",
        "--max-fee-fen",
        "30000",
    )
    assert code == 0
    lines = [json.loads(x) for x in out.splitlines()]
    assert [x["refund_id"] for x in lines] == [str(small), str(ret), str(big)]  # not `later`
    assert set(lines[0]) == {"refund_id", "stage", "refund_fee_fen", "seconds_left", "outcome", "reason"}
    assert [x["outcome"] for x in lines] == ["would_approve", "would_approve", "skipped"]
    assert lines[1]["stage"] == "review_return" and lines[2]["refund_fee_fen"] == 50_000
    assert 500 < lines[0]["seconds_left"] <= 600
    assert sent(sb) == []  # a dry run sends nothing

    code, out, _err = run(
        capsys, "guard", "--once", "--json", "--api-base", sb.base_url, "--stages", "review_refund_only"
    )
    assert code == 0
    outcomes = {int(x["refund_id"]): x["outcome"] for x in map(json.loads, out.splitlines())}
    assert outcomes == {small: "approved", ret: "skipped", big: "skipped"}
    assert [e["params"]["refundId"] for e in sent(sb) if e["result"] == 1] == [small]
    assert later in sb.refunds and sb.refunds[later]["negotiateStatus"] == 1


def test_saved_policy_runs_and_a_failure_exits_5(sb, capsys):
    rid = sb.add_refund(handlingWay=10, refundFee=990, expireTime=sb.now_ms() + 10 * MIN)["refundId"]
    code, _out, _err = run(
        capsys, "guard", "--once", "--dry-run", "--api-base", sb.base_url, "--lead-minutes", "45"
    )  # creates the shop in the store
    assert code == 0
    store = open_store()
    try:
        (shop,) = store.shops.all()
        save_policy(store, shop.id, GuardPolicy(enabled=True))
    finally:
        store.close()
    sb.inject_fault("open.seller.order.refund.approve", "result", result=22, error_msg="系统异常", times=None)
    code, out, _err = run(capsys, "guard", "--once", "--json", "--api-base", sb.base_url)
    assert code == 5
    (line,) = [json.loads(x) for x in out.splitlines()]
    assert (line["refund_id"], line["outcome"]) == (str(rid), "failed") and line["reason"]


def test_backtest_json_adds_up(capsys):
    code, out, err = run(capsys, "guard", "--backtest", "--demo", "--json")
    assert code == 0, err
    (bt,) = [json.loads(x) for x in out.splitlines()]
    missed = sum(m["count"] for m in bt["missed"].values())
    assert bt["caught"]["count"] + missed == bt["auto_approvals"]["count"] > 0
    assert bt["caught"]["count"] > 0 and bt["missed"]["stage"]["count"] > 0
    assert [f["horizon_hours"] for f in bt["forecast_with_guard"]] == [6, 24, 48]
    levels = ("low", "watch", "elevated", "high")
    assert levels.index(bt["level_with_guard"]) <= levels.index(bt["level"])


def test_bad_flags_are_usage_errors(sb, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["guard", "--once", "--stages", "review_resend"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit):
        main(["guard", "--once", "--lead-minutes", "0"])
    with pytest.raises(SystemExit):
        main(["guard"])  # --once or --backtest
