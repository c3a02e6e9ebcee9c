"""The action engine against the sandbox over real HTTP: the right method and parameters per kind
(asserted on the sandbox's own call log), rejections with and without required fields, a refund
that changes mid-batch, QPS-limit answers, lost answers, cancellation."""

from __future__ import annotations

import threading
from collections import Counter

import pytest

from desktop.core.actions import ActionEngine, ActionKind, Approve, Outcome, Reject, WarningCode
from desktop.core.kuaishou.client import Credentials, KuaishouClient
from desktop.core.store import open_store
from desktop.sandbox import Sandbox

ACTION_METHODS = {
    "open.seller.order.refund.approve",
    "open.seller.order.refund.returngoods.approve",
    "open.seller.order.refund.confirm.receipt",
    "open.refund.reject",
}
DEFAULT_ADDRESS = 51_000_001


@pytest.fixture
def sb():
    with Sandbox(demo_data=False, buyer_ships_after_s=None) as sandbox:
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
def engine(sb, client, store):
    shop = store.shops.add(base_url=sb.base_url, seller_id=sb.credentials.seller_id, name="山河优选")
    return ActionEngine(client, store, shop_id=shop.id, qps=200, settle_s=0, patience_s=0.3)


def actions_in(sb, refund_id=None):
    return [
        e
        for e in sb.call_log
        if e["method"] in ACTION_METHODS and (refund_id is None or e["params"].get("refundId") == refund_id)
    ]


def successes(sb):
    return Counter(e["params"]["refundId"] for e in actions_in(sb) if e["result"] == 1)


def test_each_kind_is_approved_with_the_right_method_and_parameters(sb, engine):
    only = sb.add_refund(handlingWay=10, refundFee=1990)["refundId"]
    shipped = sb.add_refund(handlingWay=10, refundFee=2500, receiptStatus=2)["refundId"]
    ret = sb.add_refund(handlingWay=1, status=11, refundFee=4590)["refundId"]
    exchange = sb.add_refund(handlingWay=3)["refundId"]
    receipt = sb.add_refund(handlingWay=1, status=40, negotiateStatus=2, refundFee=3000)["refundId"]
    freight = sb.add_refund(
        handlingWay=1,
        status=40,
        negotiateStatus=2,
        refundFee=5000,
        returnFreightInfo={"returnFreightAmount": 1200, "returnFreightStatus": 10},
    )["refundId"]
    done = sb.add_refund(handlingWay=10, status=60, negotiateStatus=2)["refundId"]
    ids = [only, shipped, ret, exchange, receipt, freight, done]

    plan = engine.prepare(ids, Approve())
    assert plan.counts == {
        ActionKind.APPROVE_REFUND: 2,
        ActionKind.APPROVE_RETURN: 2,
        ActionKind.CONFIRM_RECEIPT: 2,
    }
    assert plan.total_amount == 1990 + 2500 + 3000 + 5000 + 1200
    assert [a.refund_id for a in plan.actions if WarningCode.SHIPPED_REFUND_ONLY in a.warnings] == [shipped]
    assert [s.refund_id for s in plan.skipped] == [done]
    assert plan.address_id == DEFAULT_ADDRESS

    sb.clear_call_log()
    report = engine.execute(plan)
    assert [r.outcome for r in report.results] == [Outcome.DONE] * 6
    sent = {e["params"]["refundId"]: (e["method"], e["params"], e["verb"]) for e in actions_in(sb)}
    assert sent[only] == (
        "open.seller.order.refund.approve",
        {"refundId": only, "refundAmount": 1990, "status": 10, "negotiateStatus": 1, "refundHandingWay": 10},
        "POST",
    )
    assert sent[ret] == (
        "open.seller.order.refund.returngoods.approve",
        {"refundId": ret, "refundAmount": 4590, "addressId": DEFAULT_ADDRESS},
        "POST",
    )
    assert sent[exchange][1] == {"refundId": exchange, "refundAmount": 0, "addressId": DEFAULT_ADDRESS}
    assert sent[receipt] == (
        "open.seller.order.refund.confirm.receipt",
        {"refundId": receipt, "status": 40},
        "POST",
    )
    assert sent[freight][1] == {
        "refundId": freight,
        "status": 40,
        "returnFreightHandlingAdvice": 1,
        "returnFreightAmount": 1200,
    }
    assert done not in sent
    assert all(e["result"] == 1 for e in actions_in(sb))
    assert sb.refunds[only]["status"] == 60 and sb.refunds[ret]["status"] == 30
    assert sb.refunds[ret]["address"]["addressId"] == DEFAULT_ADDRESS
    assert sb.refunds[freight]["returnFreightInfo"]["returnFreightStatus"] == 20


def test_a_chosen_return_address_is_used(sb, engine):
    ret = sb.add_refund(handlingWay=1, status=11, refundFee=100)["refundId"]
    engine.execute(engine.prepare([ret], Approve(address_id=51_000_002)))
    assert actions_in(sb)[0]["params"]["addressId"] == 51_000_002


def test_reject_with_and_without_the_required_fields(sb, engine):
    a = sb.add_refund(handlingWay=10)["refundId"]
    b = sb.add_refund(handlingWay=10)["refundId"]
    summary = engine.reject_reasons([a, b])
    assert {r.code for r in summary.shared} == {1001, 1002, 1003, 1004, 1099}
    assert summary.reason(1002).image_refunds == (a, b)
    assert summary.reason(1001).needs_desc

    # without the description it requires: skipped, never sent
    plan = engine.prepare([a, b], Reject(1001), reasons=summary.per_refund)
    assert plan.actions == () and len(plan.skipped) == 2
    # a reason needing pictures: listed for the seller backend, never sent
    plan = engine.prepare([a, b], Reject(1002, desc="已签收"), reasons=summary.per_refund)
    assert plan.actions == () and [s.refund_id for s in plan.manual] == [a, b]
    assert actions_in(sb) == []

    version = sb.refunds[a]["updateTime"]
    report = engine.execute(engine.prepare([a, b], Reject(1001, desc="已发货，单号 SF123")))
    assert [r.outcome for r in report.results] == [Outcome.DONE, Outcome.DONE]
    first = actions_in(sb, a)[0]
    assert first["method"] == "open.refund.reject"
    assert first["params"] == {
        "refundId": a,
        "reasonCode": 1001,
        "refundVersion": version,
        "rejectDesc": "已发货，单号 SF123",
    }
    assert sb.refunds[a]["status"] == 12 and sb.refunds[a]["negotiateStatus"] == 3


def test_a_reason_that_is_not_allowed_for_a_refund_is_not_sent(sb, engine):
    only = sb.add_refund(handlingWay=10)["refundId"]
    ret = sb.add_refund(handlingWay=1, status=11)["refundId"]
    summary = engine.reject_reasons([only, ret])
    assert summary.shared == ()  # refund-only and return reasons have nothing in common
    plan = engine.prepare([only, ret], Reject(2001))
    assert [a.refund_id for a in plan.actions] == [ret]
    assert "2001" in plan.skipped[0].reason


def test_refund_changed_mid_batch_is_reported_with_its_new_state(sb, engine):
    ids = [sb.add_refund(handlingWay=10, refundFee=100 + i)["refundId"] for i in range(4)]
    plan = engine.prepare(ids, Approve())
    # after the second item, the buyer cancels the third request: its approval meets a 300014
    changed = ids[2]
    sb.clear_call_log()

    def on_item(result, finished, total):
        if finished == 2:
            sb.update_refund(changed, status=70, updateTime=sb.refunds[changed]["updateTime"] + 1)
            sb.inject_fault(
                "open.seller.order.refund.approve",
                "result",
                result=300014,
                error_msg="退款单状态已更新，请刷新重试",
            )

    report = engine.execute(plan, progress=on_item)
    outcomes = [r.outcome for r in report.results]
    assert outcomes == [Outcome.DONE, Outcome.DONE, Outcome.CHANGED, Outcome.DONE]
    third = report.results[2]
    assert third.after is not None and third.after.status == 70
    assert "关闭" in third.message or "closed" in third.message
    assert len(actions_in(sb, changed)) == 1  # read again, never re-sent
    reads = [e for e in sb.call_log if e["method"] == "open.seller.order.refund.detail"]
    assert [e["params"]["refundId"] for e in reads] == [changed]


def test_a_stale_version_on_reject_is_read_again_and_sent_once_with_the_fresh_one(sb, engine):
    rid = sb.add_refund(handlingWay=10)["refundId"]
    plan = engine.prepare([rid], Reject(1003, desc="已协商"))
    stale = plan.actions[0].params["refundVersion"]
    sb.update_refund(rid, updateTime=sb.refunds[rid]["updateTime"] + 10, refundDesc="买家修改了申请")
    fresh = sb.refunds[rid]["updateTime"]
    report = engine.execute(plan)
    assert report.results[0].outcome is Outcome.DONE
    sent = actions_in(sb, rid)
    assert [(e["result"], e["params"]["refundVersion"]) for e in sent] == [(300014, stale), (1, fresh)]


def test_a_moved_on_refund_whose_action_is_no_longer_valid_is_only_reported(sb, engine):
    rid = sb.add_refund(handlingWay=10)["refundId"]
    plan = engine.prepare([rid], Reject(1003, desc="已协商"))
    # the buyer escalated to the platform meanwhile: rejecting is no longer the merchant's to do
    sb.update_refund(rid, status=20, updateTime=sb.refunds[rid]["updateTime"] + 10)
    report = engine.execute(plan)
    assert report.results[0].outcome is Outcome.CHANGED
    assert report.results[0].after is not None and report.results[0].after.status == 20
    assert len(actions_in(sb, rid)) == 1


def test_qps_limit_answers_are_absorbed(sb, client, store):
    shop = store.shops.add(base_url=sb.base_url, seller_id=sb.credentials.seller_id)
    ids = [sb.add_refund(handlingWay=10, refundFee=10 + i)["refundId"] for i in range(12)]
    engine = ActionEngine(client, store, shop_id=shop.id, qps=60, settle_s=0, patience_s=0.3)
    plan = engine.prepare(ids, Approve())
    sb.set_qps_limit(5)  # far below the engine's pace: the gateway refuses many calls
    sb.clear_call_log()
    report = engine.execute(plan)
    assert [r.outcome for r in report.results] == [Outcome.DONE] * 12
    refused = [e for e in actions_in(sb) if e["result"] != 1]
    assert refused, "the test must provoke QPS refusals"
    assert successes(sb) == Counter(ids)  # each acted on exactly once


def test_lost_answers_are_reconciled_by_reading_the_refund(sb, engine):
    landed = sb.add_refund(handlingWay=10)["refundId"]
    not_landed = sb.add_refund(handlingWay=10)["refundId"]
    plan = engine.prepare([landed, not_landed], Approve())
    # the first approval goes through but its answer is lost; the second is dropped before the gateway
    sb.inject_fault("open.seller.order.refund.approve", "drop", after_processing=True)
    sb.inject_fault("open.seller.order.refund.approve", "http500")
    report = engine.execute(plan)
    # an HTTP 500 may come after the gateway carried the call out: unchanged is no proof
    assert [r.outcome for r in report.results] == [Outcome.DONE, Outcome.UNKNOWN]
    assert successes(sb) == Counter([landed])
    assert len(actions_in(sb, not_landed)) == 1  # not re-sent: the seller decides
    assert report.retryable_ids == []
    assert engine.prepare([not_landed], Approve()).actions == ()  # still undecided: not planned
    # the seller checked the seller backend: not applied there, so act on it again; once
    report = engine.execute(engine.prepare([not_landed], Approve(), release_uncertain=True))
    assert report.results[0].outcome is Outcome.DONE
    assert successes(sb) == Counter([landed, not_landed])
    assert len(actions_in(sb, not_landed)) == 2


def test_cancel_stops_before_the_next_send(sb, engine, store):
    ids = [sb.add_refund(handlingWay=10)["refundId"] for _ in range(6)]
    plan = engine.prepare(ids, Approve())
    stop = threading.Event()
    sb.clear_call_log()
    report = engine.execute(plan, cancelled=stop, progress=lambda r, n, total: stop.set() if n == 2 else None)
    assert [r.outcome for r in report.results] == [Outcome.DONE] * 2 + [Outcome.CANCELLED] * 4
    assert len(actions_in(sb)) == 2
    assert store.journal.open_entries() == []
    assert all(sb.refunds[i]["status"] == 10 for i in ids[2:])


def test_a_slow_platform_gets_one_approval_even_when_the_client_gives_up(sb, store):
    """The platform takes 1.5 s to carry an approval out; the client gives up after 0.3 s. The
    refund reads unchanged meanwhile — that is no proof: it is read again, never sent again, until
    the approval shows. Over real HTTP; the gateway's own count of received calls."""
    c = sb.credentials
    creds = Credentials(
        app_key=c.app_key, sign_secret=c.sign_secret, access_token=c.access_token, sign_method=c.sign_method
    )
    shop = store.shops.add(base_url=sb.base_url, seller_id=c.seller_id, name="山河优选")
    rid = sb.add_refund(handlingWay=10, refundFee=1290)["refundId"]
    with KuaishouClient(creds, base_url=sb.base_url, qps=1000, timeout=(2, 0.3)) as impatient:
        engine = ActionEngine(impatient, store, shop_id=shop.id, qps=200, settle_s=0.2, patience_s=6)
        plan = engine.prepare([rid], Approve())
        sb.clear_call_log()
        sb.inject_fault("open.seller.order.refund.approve", "hold", delay_s=1.5)
        report = engine.execute(plan)
    assert report.results[0].outcome is Outcome.DONE, report.results[0].message
    received = [e for e in sb.received_log if e["method"] in ACTION_METHODS]
    assert len(received) == 1  # sent once, though its answer never came
    reads = [e for e in sb.received_log if e["method"] == "open.seller.order.refund.detail"]
    assert len(reads) >= 2  # read again while it still looked unchanged
    assert sb.refunds[rid]["status"] == 60
    assert store.journal.entries(shop.id)[0].state == "done"


def test_a_request_that_never_arrives_is_left_to_the_seller_with_the_evidence(sb, engine, store):
    rid = sb.add_refund(handlingWay=10)["refundId"]
    plan = engine.prepare([rid], Approve())
    sb.inject_fault("open.seller.order.refund.approve", "drop")  # lost before the gateway did it
    result = engine.execute(plan).results[0]
    assert result.outcome is Outcome.UNKNOWN
    entry = store.journal.entries()[0]
    assert entry.state == "unknown" and entry.result["evidence"]["reads"] >= 1
    assert engine.prepare([rid], Approve()).actions == ()  # not planned again by itself
    assert len(actions_in(sb, rid)) == 1
