"""``aftersale-watch approve`` / ``reject`` against the sandbox: same credentials as ``check``
(``KS_*`` + ``--api-base``), one line or JSON object per refund, exit codes 0 / 5 / 2."""

from __future__ import annotations

import json

import pytest

from desktop.__main__ import main
from desktop.sandbox import Sandbox


@pytest.fixture
def sb(monkeypatch):
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


def approvals(sb):
    return [
        e
        for e in sb.call_log
        if e["method"].startswith("open.seller.order.refund.")
        and e["method"] != "open.seller.order.refund.detail"
    ]


def test_approve_prints_one_json_object_per_refund_and_exits_0(sb, capsys):
    a = sb.add_refund(handlingWay=10, refundFee=990)["refundId"]
    r = sb.add_refund(handlingWay=1, status=11, refundFee=2000)["refundId"]
    code, out, err = run(
        capsys, "approve", str(a), str(r), "--api-base", sb.base_url, "--address-id", "51000002", "--json"
    )
    assert code == 0, err
    lines = [json.loads(x) for x in out.splitlines()]
    assert [(x["refundId"], x["outcome"], x["action"]) for x in lines] == [
        (str(a), "done", "approve_refund"),
        (str(r), "done", "approve_return"),
    ]
    assert approvals(sb)[1]["params"]["addressId"] == 51_000_002


def test_some_not_done_exits_5_with_a_line_each(sb, capsys):
    a = sb.add_refund(handlingWay=10)["refundId"]
    finished = sb.add_refund(handlingWay=10, status=60, negotiateStatus=2)["refundId"]
    code, out, _ = run(capsys, "approve", str(a), str(finished), "--api-base", sb.base_url)
    assert code == 5
    lines = [x.split("\t") for x in out.splitlines()]
    assert [(x[0], x[1]) for x in lines] == [(str(a), "done"), (str(finished), "skipped")]


def test_dry_run_sends_nothing(sb, capsys):
    a = sb.add_refund(handlingWay=10, refundFee=1234)["refundId"]
    code, out, _ = run(capsys, "approve", str(a), "--api-base", sb.base_url, "--dry-run", "--json")
    assert code == 0
    (line,) = [json.loads(x) for x in out.splitlines()]
    assert line["outcome"] == "planned" and line["method"] == "open.seller.order.refund.approve"
    assert line["params"]["refundAmount"] == 1234
    assert approvals(sb) == [] and not any(e["method"] == "open.refund.reject" for e in sb.call_log)


def test_reject_needs_the_required_description(sb, capsys):
    a = sb.add_refund(handlingWay=10)["refundId"]
    code, out, _ = run(capsys, "reject", str(a), "--reason-code", "1003", "--api-base", sb.base_url, "--json")
    assert code == 5
    assert json.loads(out)["outcome"] == "skipped"
    assert not [e for e in sb.call_log if e["method"] == "open.refund.reject"]
    code, out, _ = run(
        capsys,
        "reject",
        str(a),
        "--reason-code",
        "1003",
        "--desc",
        "已协商",
        "--api-base",
        sb.base_url,
        "--json",
    )
    assert code == 0 and json.loads(out)["outcome"] == "done"
    (sent,) = [e for e in sb.call_log if e["method"] == "open.refund.reject"]
    assert sent["params"]["rejectDesc"] == "已协商" and sent["params"]["reasonCode"] == 1003


def test_bad_usage_exits_2(sb, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["reject", "123"])  # --reason-code missing
    assert exc.value.code == 2
    with pytest.raises(SystemExit) as exc:
        main(["approve", "abc"])
    assert exc.value.code == 2


def _freight_claim(sb):
    return sb.add_refund(
        handlingWay=1,
        status=40,
        negotiateStatus=2,
        refundFee=5000,
        returnFreightInfo={"returnFreightAmount": 1200, "returnFreightStatus": 10},
    )["refundId"]


@pytest.mark.parametrize(
    ("argv", "why"),
    [
        (["--refuse-freight", "包邮商品，运费不予承担"], "1"),
        (["--refuse-freight", "  ", "--freight-image", "https://img.example/1.jpg"], "说明"),
        (["--refuse-freight", "x" * 300, "--freight-image", "https://img.example/1.jpg"], "300"),
        (["--refuse-freight", "包邮", *["--freight-image", "https://img.example/1.jpg"] * 7], "6"),
        (["--freight-image", "https://img.example/1.jpg"], "--refuse-freight"),
    ],
)
def test_refusing_the_freight_is_offered_only_with_a_description_and_pictures(sb, capsys, argv, why):
    rid = _freight_claim(sb)
    code, out, err = run(capsys, "approve", str(rid), "--api-base", sb.base_url, *argv)
    assert code == 2 and why in err and out == ""
    assert approvals(sb) == []  # nothing sent


def test_the_freight_is_refused_with_both(sb, capsys):
    rid = _freight_claim(sb)
    code, _out, err = run(
        capsys,
        "approve",
        str(rid),
        "--api-base",
        sb.base_url,
        "--json",
        "--refuse-freight",
        "包邮商品，运费不予承担",
        "--freight-image",
        "https://img.example/1.jpg",
        "--freight-image",
        "https://img.example/2.jpg",
    )
    assert code == 0, err
    (sent,) = approvals(sb)
    assert sent["params"] == {
        "refundId": rid,
        "status": 40,
        "returnFreightHandlingAdvice": 2,
        "returnFreightRejectDesc": "包邮商品，运费不予承担",
        "returnFreightRejectImages": ["https://img.example/1.jpg", "https://img.example/2.jpg"],
    }
    assert sb.refunds[rid]["returnFreightInfo"]["returnFreightStatus"] == 50
