"""The client, the sync, the detail pane's data, ``check``, approve and reject against the sandbox
in each wire shape (spec §8), over real HTTP: the declared types (pictures and the address as text,
numeric roles, the string code family), numbers as text, and the older object shapes."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

import pytest

from desktop.core.actions import ActionEngine, ActionKind, Approve, Outcome, Reject
from desktop.core.kuaishou.client import Credentials, KuaishouClient
from desktop.core.queue_rows import load_detail, rows_from_store
from desktop.core.rulesfile import load_default_rules
from desktop.core.store import open_store
from desktop.core.sync import Syncer
from desktop.sandbox import Sandbox
from desktop.sandbox.wire import SHAPES

ACTION_METHODS = {
    "open.seller.order.refund.approve",
    "open.seller.order.refund.returngoods.approve",
    "open.seller.order.refund.confirm.receipt",
    "open.refund.reject",
}
PICTURES = ["https://img.example/evidence-1.jpg", "https://img.example/evidence-2.jpg"]


@pytest.fixture(params=SHAPES)
def sb(request):
    with Sandbox(demo_data=False, buyer_ships_after_s=None, wire_shape=request.param) as sandbox:
        yield sandbox


@pytest.fixture
def client(sb):
    c = sb.credentials
    creds = Credentials(
        app_key=c.app_key, sign_secret=c.sign_secret, access_token=c.access_token, sign_method=c.sign_method
    )
    with KuaishouClient(creds, base_url=sb.base_url, qps=1000) as kc:
        yield kc


@pytest.fixture
def store(app_home):
    s = open_store()
    yield s
    s.close()


@pytest.fixture
def shop(sb, store):
    return store.shops.add(base_url=sb.base_url, seller_id=sb.credentials.seller_id, name="山河优选")


def actions_in(sb, refund_id=None):
    return [
        e
        for e in sb.call_log
        if e["method"] in ACTION_METHODS and (refund_id is None or e["params"].get("refundId") == refund_id)
    ]


def _requests(sb):
    """One request of every kind the bulk actions handle, each with evidence pictures (submitted
    an hour ago: a sync's clock estimate from the Date header is within a second)."""

    def add(**f):
        return sb.add_refund(
            pictures=PICTURES,
            createTime=sb.now_ms() - 3_600_000,
            **f,
        )["refundId"]

    return {
        "refund_only": add(handlingWay=10, refundFee=1990),
        "return_10": add(handlingWay=1, status=10, refundFee=4590),
        "return_11": add(handlingWay=1, status=11, refundFee=3590),
        "receipt": add(handlingWay=1, status=40, negotiateStatus=2, refundFee=3000),
    }


def test_the_client_reads_every_answer(sb, client):
    ids = _requests(sb)
    ret = ids["return_11"]
    client.approve_return(ret, 3590)
    detail = client.refund_detail(ret)
    assert detail.pictures == tuple(PICTURES)
    assert detail.address and "文一西路1288号" in detail.address
    assert detail.refund_fee == 3590 and detail.status == 30
    listed = {r.refund_id: r for r in client.iter_refunds(sb.now_ms() - 86_400_000, sb.now_ms())}
    assert set(listed) == set(ids.values())
    roles = {c.role for c in client.negotiation_history(ret)}
    assert roles and all(r is not None for r in roles)
    assert [r.code for r in client.reject_reasons(ids["refund_only"])][:1] == [1001]
    assert client.list_addresses()[0].address_id
    assert client.seller_info().seller_id == sb.credentials.seller_id


def test_the_sync_and_the_detail_pane_data(sb, client, store, shop):
    ids = _requests(sb)
    rules = load_default_rules()
    result = Syncer(client, store, rules, shop_id=shop.id, days=2).run()
    assert result.completed and result.unreadable == [], result
    rows = {r.refund_id: r for r in rows_from_store(store, rules)}
    assert set(ids.values()) <= set(rows)
    # the detail pane shows the detail as stored: pictures, the address, the freight, in any shape
    rid = ids["receipt"]
    sb.update_refund(rid, returnFreightInfo={"returnFreightAmount": 1200, "returnFreightStatus": 10})
    store.refunds.upsert(shop.id, [client.refund_detail(rid)], seen_at=sb.now_ms(), source="detail")
    shown = load_detail(store, rows[rid], rules)
    assert shown.pictures == tuple(PICTURES)
    assert shown.return_freight_fen == 1200


@pytest.mark.parametrize("intent", ["approve", "reject"])
def test_approve_and_reject_each_kind_with_one_call_per_refund(sb, client, store, shop, intent):
    ids = _requests(sb)
    engine = ActionEngine(client, store, shop_id=shop.id, qps=200, settle_s=0)
    if intent == "approve":
        plan = engine.prepare(list(ids.values()), Approve())
        assert plan.counts == {
            ActionKind.APPROVE_REFUND: 1,
            ActionKind.APPROVE_RETURN: 2,
            ActionKind.CONFIRM_RECEIPT: 1,
        }
    else:
        # a reason every refund-only request allows; the returns and the receipt allow others
        plan = engine.prepare([ids["refund_only"]], Reject(1003, desc="已与买家协商一致"))
        plan_r = engine.prepare([ids["return_10"], ids["return_11"]], Reject(2003, desc="已协商"))
        plan_c = engine.prepare([ids["receipt"]], Reject(3001, desc="物流显示未签收"))
        for extra in (plan_r, plan_c):
            assert not extra.skipped
    assert not plan.skipped
    sb.clear_call_log()
    reports = [engine.execute(plan)]
    if intent == "reject":
        reports += [engine.execute(plan_r), engine.execute(plan_c)]
    outcomes = [r.outcome for rep in reports for r in rep.results]
    assert outcomes and all(o is Outcome.DONE for o in outcomes)
    calls = Counter(e["params"]["refundId"] for e in actions_in(sb))
    assert calls == Counter(ids.values())  # exactly one action call per refund
    assert all(e["result"] == 1 for e in actions_in(sb))


def test_a_300016_and_a_300014_mid_batch_are_read_again_and_reported(sb, client, store, shop):
    ids = [sb.add_refund(handlingWay=10, refundFee=100 + i, pictures=PICTURES)["refundId"] for i in range(4)]
    engine = ActionEngine(client, store, shop_id=shop.id, qps=200, settle_s=0)
    plan = engine.prepare(ids, Approve())
    sb.clear_call_log()

    def on_item(result, finished, total):
        if finished == 1:  # the buyer cancels the second request: 300016
            sb.update_refund(ids[1], status=70, updateTime=sb.refunds[ids[1]]["updateTime"] + 1)
            sb.inject_fault("open.seller.order.refund.approve", "result", result=300016)
        if finished == 2:  # the third is closed by the platform meanwhile: 300014
            sb.update_refund(ids[2], status=70, updateTime=sb.refunds[ids[2]]["updateTime"] + 1)
            sb.inject_fault("open.seller.order.refund.approve", "result", result=300014)

    report = engine.execute(plan, progress=on_item)
    assert [r.outcome for r in report.results] == [
        Outcome.DONE,
        Outcome.CHANGED,
        Outcome.CHANGED,
        Outcome.DONE,
    ]
    for moved in report.results[1:3]:
        assert moved.after is not None and moved.after.status == 70
    calls = Counter(e["params"]["refundId"] for e in actions_in(sb))
    assert calls == Counter(ids)  # exactly one action call per refund: nothing resent blindly
    reads = [e["params"]["refundId"] for e in sb.call_log if e["method"] == "open.seller.order.refund.detail"]
    assert reads == [ids[1], ids[2]]


def test_check_runs_in_each_shape(sb, app_home, tmp_path):
    _requests(sb)
    c = sb.credentials
    env = {
        "KS_APP_KEY": c.app_key,
        "KS_SIGN_SECRET": c.sign_secret,
        "KS_ACCESS_TOKEN": c.access_token,
        "AFTERSALE_WATCH_HOME": str(tmp_path / "home"),
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": ":".join(sys.path),
    }
    out = subprocess.run(
        [sys.executable, "-m", "desktop", "check", "--json", "--days", "2", "--api-base", sb.base_url],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert len(report["shops"][0]["pending"]) == 4


def test_a_system_agreement_is_recognised_from_a_history_with_numeric_roles(sb, client, store, shop, caplog):
    """The role numbers are undocumented (the default rules file names none): the history still
    tells the auto-approval by its title and timing, and the role values seen are logged and
    listed for the diagnostics view."""
    now = sb.now_ms()
    deadline = now - 5 * 3_600_000
    rid = sb.add_refund(
        handlingWay=10,
        status=60,
        negotiateStatus=2,
        refundFee=990,
        createTime=now - 60 * 3_600_000,
        expireTime=deadline,
        negotiateUpdateTime=0,
        endTime=deadline + 1000,
        updateTime=deadline + 1000,
    )["refundId"]
    sb.shop.comment(rid, deadline + 1000, "system", "商家超时未处理，系统自动同意仅退款申请")
    rules = load_default_rules()
    Syncer(client, store, rules, shop_id=shop.id, days=3).run()  # the first sweep: no histories
    caplog.set_level("INFO", logger="desktop.core.sync")
    result = Syncer(client, store, rules, shop_id=shop.id, days=3).run()
    assert result.histories_fetched == 1
    stored = store.refunds.get(shop.id, rid)
    assert (stored.outcome, stored.decided_by) == ("auto_approved_overdue", "history_system")
    roles = [r.role for r in store.history.role_values(shop.id)]
    assert len(roles) == 2  # the buyer's and the system's, as the platform sent them
    assert "negotiation-history role" in caplog.text
