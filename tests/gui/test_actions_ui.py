"""The action dialogs (pytest-qt, against the sandbox over HTTP): preview numbers and options,
progress with per-item results, cancel, "retry the failed", reject reasons, the action log, and the
wiring into a window."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtWidgets import QMainWindow, QMessageBox, QTableView, QToolBar, QWidget

from desktop.core.actions import ActionEngine, ActionKind, Approve, Outcome
from desktop.core.kuaishou.client import Credentials, KuaishouClient
from desktop.core.kuaishou.models import Refund, parse
from desktop.sandbox import Sandbox
from desktop.ui.actions import (
    AuditLogDialog,
    BulkActionFlow,
    PreviewDialog,
    ProgressDialog,
    RejectReasonDialog,
    install_actions,
)


@pytest.fixture
def sb():
    with Sandbox(demo_data=False, buyer_ships_after_s=None) as sandbox:
        yield sandbox


@pytest.fixture
def client(sb):
    c = sb.credentials
    creds = Credentials(app_key=c.app_key, sign_secret=c.sign_secret, access_token=c.access_token)
    with KuaishouClient(creds, base_url=sb.base_url, qps=1000) as kc:
        yield kc


@pytest.fixture
def shop(store, sb):
    return store.shops.add(base_url=sb.base_url, seller_id=sb.credentials.seller_id, name="山河优选")


@pytest.fixture
def engine(client, store, shop):
    return ActionEngine(client, store, shop_id=shop.id, qps=500, settle_s=0, patience_s=0.3)


def listed(sb, rid) -> Refund:
    return parse(Refund, sb.refunds[rid])


def test_preview_numbers_warnings_and_options(qtbot, sb, engine):
    a = sb.add_refund(handlingWay=10, refundFee=1990)["refundId"]
    shipped = sb.add_refund(handlingWay=10, refundFee=1010, receiptStatus=2)["refundId"]
    ret = sb.add_refund(handlingWay=1, status=11, refundFee=5000)["refundId"]
    receipt = sb.add_refund(handlingWay=1, status=40, negotiateStatus=2, refundFee=3000)["refundId"]
    unreturned = sb.add_refund(handlingWay=1, status=30, negotiateStatus=2, refundFee=700)["refundId"]
    rows = [listed(sb, r) for r in (a, shipped, ret, receipt, unreturned)]
    sb.update_refund(a, updateTime=sb.refunds[a]["updateTime"] + 5)  # the buyer changed it since
    plan = engine.prepare(rows, Approve())

    dialog = PreviewDialog(plan)
    qtbot.addWidget(dialog)
    assert dialog.count_labels[ActionKind.APPROVE_REFUND].text() == "2 (¥30.00)"
    assert dialog.count_labels[ActionKind.APPROVE_RETURN].text() == "1"
    assert dialog.count_labels[ActionKind.CONFIRM_RECEIPT].text() == "1 (¥30.00)"
    assert dialog.total_label.text() == "¥60.00"
    assert not dialog.warning_label.isHidden()
    warning = dialog.warning_label.text()
    assert "keeps the goods" in warning and "changed by the buyer" in warning
    assert dialog.ok_button.text() == "Approve 4" and dialog.ok_button.isEnabled()
    assert dialog.skipped.rowCount() == 1  # the goods have not come back yet

    # options re-plan without reading again
    index = dialog.address_combo.findData(51_000_002)
    dialog.address_combo.setCurrentIndex(index)
    assert dict(dialog.plan().actions[2].params)["addressId"] == 51_000_002
    dialog.unreturned_check.setChecked(True)
    assert dialog.count_labels[ActionKind.CONFIRM_RECEIPT].text() == "2 (¥37.00)"
    assert "before the goods came back" in dialog.warning_label.text()
    # unticking a request takes it out of the plan and the numbers
    first = dialog.items.item(0, 0)
    assert int(first.text()) == a
    first.setCheckState(Qt.CheckState.Unchecked)
    assert [x.refund_id for x in dialog.plan().actions] == [shipped, ret, receipt, unreturned]
    assert dialog.total_label.text() == "¥47.10"
    assert dialog.ok_button.text() == "Approve 4"
    assert "changed by the buyer" not in dialog.warning_label.text()


def test_preview_rows_say_product_reason_and_an_exchange_is_not_a_return(qtbot, sb, engine):
    exchange = sb.add_refund(handlingWay=3, status=11, refundFee=5000)["refundId"]
    ret = sb.add_refund(handlingWay=1, status=11, refundFee=4000)["refundId"]
    refund = sb.add_refund(handlingWay=10, refundFee=1990)["refundId"]
    rows = [listed(sb, r) for r in (exchange, ret, refund)]
    plan = engine.prepare(rows, Approve())
    dialog = PreviewDialog(plan)
    qtbot.addWidget(dialog)
    from desktop.ui.actions.preview import EXCHANGE

    assert dialog.count_labels[EXCHANGE].text() == "1"
    assert dialog.count_labels[ActionKind.APPROVE_RETURN].text() == "1"
    assert dialog._summary.labelForField(dialog.count_labels[EXCHANGE]).text() == "Agree exchange:"
    by_id = {int(dialog.items.item(i, 0).text()): i for i in range(dialog.items.rowCount())}
    assert dialog.items.item(by_id[exchange], 3).text() == "Agree exchange"
    assert dialog.items.item(by_id[ret], 3).text() == "Agree return"
    for rid, row in zip((exchange, ret, refund), rows, strict=False):
        assert row.sku_nick and row.refund_reason_desc  # the sandbox names them
        assert dialog.items.item(by_id[rid], 1).text() == row.sku_nick
        assert dialog.items.item(by_id[rid], 2).text() == row.refund_reason_desc
    assert dialog.items.item(by_id[refund], 4).text() == "¥19.90"
    assert not dialog.reject_reason_label.isVisibleTo(dialog)


def test_the_reject_preview_repeats_the_reason_and_description(qtbot, sb, engine):
    from desktop.core.actions import Reject

    ids = [sb.add_refund(handlingWay=10)["refundId"] for _ in range(2)]
    summary = engine.reject_reasons(ids)
    reason = summary.shared[0]
    plan = engine.prepare(ids, Reject(reason.code, desc="买家已签收，商品完好"), reasons=summary.per_refund)
    dialog = PreviewDialog(plan)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.reject_reason_label.isVisible() and dialog.reject_reason_label.text() == reason.desc
    assert dialog.reject_desc_label.text() == "买家已签收，商品完好"
    assert dialog.ok_button.text() == "Reject 2"


def test_progress_results_cancel_and_retry(qtbot, sb, engine):
    ids = [sb.add_refund(handlingWay=10, refundFee=100 + i)["refundId"] for i in range(5)]
    done_row = sb.add_refund(handlingWay=10, status=60, negotiateStatus=2)["refundId"]
    plan = engine.prepare([*ids, done_row], Approve())
    sb.inject_fault(
        "open.seller.order.refund.approve", "result", result=21, error_msg="order operation reject"
    )
    dialog = ProgressDialog(engine, plan)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.model.rowCount() == 6
    assert dialog.model.outcome_of(done_row) is Outcome.SKIPPED
    with qtbot.waitSignal(dialog.run_finished, timeout=10_000) as finished:
        dialog.start()
    report = finished.args[0]
    assert [dialog.model.outcome_of(i) for i in ids] == [Outcome.FAILED] + [Outcome.DONE] * 4
    assert dialog.bar.value() == dialog.bar.maximum() == 5
    assert dialog.windowTitle() == "Requests processed"  # no longer "processing" at 100 %
    assert "4" in dialog.summary.text() and "1" in dialog.summary.text()
    assert report.retryable_ids == [ids[0]]
    assert dialog.retry_button.isEnabled() and not dialog.cancel_button.isEnabled()
    with qtbot.waitSignal(dialog.retry_requested) as retry:
        dialog.retry_button.click()
    assert retry.args[0] == [ids[0]]


def test_cancel_stops_the_run(qtbot, sb, engine):
    ids = [sb.add_refund(handlingWay=10)["refundId"] for _ in range(8)]
    plan = engine.prepare(ids, Approve())
    sb.inject_fault("open.seller.order.refund.approve", "delay", times=None, delay_s=0.05)
    dialog = ProgressDialog(engine, plan)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.start()
    qtbot.waitUntil(lambda: dialog.model.outcome_of(ids[0]) is Outcome.DONE, timeout=5000)
    dialog.cancel_button.click()
    assert dialog.cancel_button.text() != "Cancel"
    with qtbot.waitSignal(dialog.run_finished, timeout=10_000):
        pass
    outcomes = [dialog.model.outcome_of(i) for i in ids]
    assert Outcome.CANCELLED in outcomes and outcomes[0] is Outcome.DONE
    sent = [e for e in sb.call_log if e["method"] == "open.seller.order.refund.approve"]
    assert len(sent) == outcomes.count(Outcome.DONE) < len(ids)
    assert dialog.retry_button.isEnabled()


def test_flow_preview_then_progress_then_act_again_goes_through_a_new_preview(qtbot, sb, engine, monkeypatch):
    ids = [sb.add_refund(handlingWay=10, refundFee=200)["refundId"] for _ in range(3)]
    flow = BulkActionFlow(QMainWindow(), lambda: engine)
    qtbot.addWidget(flow.parent())
    sb.inject_fault("open.seller.order.refund.approve", "http500", times=1)  # not carried out
    flow.approve([listed(sb, i) for i in ids])
    assert flow.busy
    qtbot.waitUntil(lambda: isinstance(flow.dialog, PreviewDialog), timeout=10_000)
    preview = flow.dialog
    assert preview.ok_button.text() == "Approve 3"
    preview.accept()
    qtbot.waitUntil(lambda: isinstance(flow.dialog, ProgressDialog), timeout=5000)
    progress = flow.dialog
    qtbot.waitUntil(lambda: not progress.running and progress.report is not None, timeout=10_000)
    # an HTTP 500 may come after the gateway carried the call out: undecided, never retried as such
    assert progress.model.outcome_of(ids[0]) is Outcome.UNKNOWN
    assert "seller backend" in progress.model.message_of(ids[0])
    assert [progress.model.outcome_of(i) for i in ids[1:]] == [Outcome.DONE] * 2
    assert not progress.retry_button.isEnabled()
    assert progress.act_again_button.isVisible()
    assert progress.act_again_button.text() == "Act again on the undecided (1)…"

    asked: list[str] = []

    def answer(choice):
        def exec_(box):
            asked.append(box.text())
            for button in box.buttons():
                if box.buttonRole(button) == choice:
                    button.click()
                    break
            return 0

        return exec_

    # the seller is warned and cancels: nothing happens
    monkeypatch.setattr(QMessageBox, "exec", answer(QMessageBox.ButtonRole.RejectRole))
    progress.act_again_button.click()
    assert asked and "seller backend" in asked[0] and progress.isVisible()
    # the seller checked the seller backend: not applied there, act again
    monkeypatch.setattr(QMessageBox, "exec", answer(QMessageBox.ButtonRole.AcceptRole))
    progress.act_again_button.click()
    qtbot.waitUntil(
        lambda: isinstance(flow.dialog, PreviewDialog) and flow.dialog is not preview, timeout=10_000
    )
    again = flow.dialog
    assert [a.refund_id for a in again.plan().actions] == [ids[0]]
    again.accept()
    qtbot.waitUntil(
        lambda: isinstance(flow.dialog, ProgressDialog) and flow.dialog is not progress, timeout=5000
    )
    final = flow.dialog
    qtbot.waitUntil(lambda: final.report is not None, timeout=10_000)
    assert final.model.outcome_of(ids[0]) is Outcome.DONE
    final.accept()
    qtbot.waitUntil(lambda: not flow.busy, timeout=5000)
    approvals = [
        e for e in sb.call_log if e["method"] == "open.seller.order.refund.approve" and e["result"] == 1
    ]
    assert sorted(e["params"]["refundId"] for e in approvals) == sorted(ids)


def test_reject_reason_dialog_offers_shared_reasons_and_lists_picture_cases(qtbot, sb, engine):
    a = sb.add_refund(handlingWay=10)["refundId"]
    b = sb.add_refund(handlingWay=10)["refundId"]
    finished = sb.add_refund(handlingWay=10, status=60, negotiateStatus=2)["refundId"]
    dialog = RejectReasonDialog(engine, [a, b, finished])
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.start()
    qtbot.waitUntil(lambda: dialog.summary is not None, timeout=10_000)
    assert dialog.reasons.count() == 5
    assert str(finished) in dialog.unavailable.text()
    # the first reason needs a description: not before one is typed
    assert "description required" in dialog.reasons.item(0).text()
    assert not dialog.ok_button.isEnabled()
    dialog.desc.setPlainText("已发货，单号 SF1")
    assert dialog.ok_button.isEnabled()
    assert dialog.intent().reason_code == 1001 and dialog.intent().desc == "已发货，单号 SF1"
    # a reason that needs pictures lists the requests for the seller backend
    dialog.reasons.setCurrentRow(1)
    assert "pictures required for 2" in dialog.reasons.item(1).text()
    assert not dialog.manual.isHidden()
    assert str(a) in dialog.manual.text() and "href" in dialog.manual.text()
    assert not dialog.ok_button.isEnabled()  # nothing could be sent with it


def test_action_log_lists_and_exports(qtbot, sb, engine, store, shop, tmp_path):
    ids = [sb.add_refund(handlingWay=10)["refundId"] for _ in range(2)]
    engine.execute(engine.prepare(ids, Approve()))
    dialog = AuditLogDialog(store, shop.id)
    qtbot.addWidget(dialog)
    dialog.refresh()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2, timeout=5000)
    assert dialog.model.data(dialog.model.index(0, 3)) == str(ids[1])  # newest first
    # in the seller's words: no API method, no raw parameters, no journal state; whole ids
    headers = [
        dialog.model.headerData(c, Qt.Orientation.Horizontal) for c in range(dialog.model.columnCount())
    ]
    assert headers == ["Time", "Last change", "Shop", "Refund", "Action", "Details", "Result", "Message"]
    cells = [dialog.model.data(dialog.model.index(0, c)) for c in range(dialog.model.columnCount())]
    assert cells[4] == "Agree refund" and cells[6] == "Done" and cells[5].startswith("refund ¥")
    assert not any("open." in c or "{" in c for c in cells)
    metrics = dialog.table.fontMetrics()
    assert dialog.table.columnWidth(3) >= metrics.horizontalAdvance(str(ids[1]))
    out = tmp_path / "log.csv"
    dialog.export_to(str(out))
    qtbot.waitUntil(lambda: out.exists() and "exported" in dialog.status.text(), timeout=5000)
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")


class _Queue(QObject):
    selectedRowsChanged = Signal(list)

    def __init__(self):
        super().__init__()
        self.rows = []
        self.merchant_view = type("V", (), {})()
        self.merchant_view.table = QTableView()

    def selected_rows(self):
        return list(self.rows)


class _Window(QMainWindow):
    shop_changed = Signal(object)

    def __init__(self, store, shop, client):
        super().__init__()
        self.services = type("S", (), {"store": store})()
        self.shop, self.client = shop, client
        self.synced = 0
        self.sync_action = self.menuBar().addMenu("&Requests").addAction("Sync now")
        self.addToolBar(QToolBar("main"))

    def sync_now(self):
        self.synced += 1


def test_install_actions_wires_menu_toolbar_context_menu_and_reconciles(
    qtbot, sb, store, shop, client, engine
):
    rid = sb.add_refund(handlingWay=10)["refundId"]
    # an interrupted run left a "sent" approval that did land
    plan = engine.prepare([rid], Approve())
    with store.transaction():
        (entry,) = engine._journal_plan(plan.actions, "crashed")
    store.journal.mark(entry, "sent")
    client.call(plan.actions[0].method, dict(plan.actions[0].params))

    window = _Window(store, shop, client)
    qtbot.addWidget(window)
    queue = _Queue()
    qtbot.addWidget(queue.merchant_view.table)
    detail = QWidget()
    qtbot.addWidget(detail)
    detail.row = None
    ui = install_actions(
        window,
        queue,
        detail=detail,
        engine_factory=lambda: (
            ActionEngine(window.client, store, shop_id=shop.id, settle_s=0, patience_s=0.3)
            if window.client
            else None
        ),
    )
    menu = window.menuBar().actions()[0].menu()
    assert ui.approve_action in menu.actions() and ui.log_action in menu.actions()
    assert ui.approve_action in window.findChild(QToolBar).actions()
    assert ui.reject_action in queue.merchant_view.table.actions()
    assert ui.approve_action.shortcut().toString() == "Ctrl+Shift+A"
    assert ui.approve_one_action in detail.actions()
    assert not ui.approve_action.isEnabled() and not ui.approve_one_action.isEnabled()
    queue.rows = [listed(sb, rid)]
    detail.row = queue.rows[0]
    queue.selectedRowsChanged.emit(queue.rows)
    assert ui.approve_action.isEnabled() and ui.approve_one_action.isEnabled()

    window.shop_changed.emit(shop)  # the shop became active: the interrupted run is settled
    qtbot.waitUntil(lambda: ui.reconcile_dialog is not None, timeout=10_000)
    assert ui.reconcile_dialog.model.outcome_of(rid) is Outcome.DONE
    assert store.journal.open_entries() == []
    ui.reconcile_dialog.accept()

    window.client = None
    queue.selectedRowsChanged.emit(queue.rows)
    assert not ui.approve_action.isEnabled()  # signed out


def test_preview_offers_refusing_the_freight_only_with_a_description_and_pictures(qtbot, sb, engine):
    claim = sb.add_refund(
        handlingWay=1,
        status=40,
        negotiateStatus=2,
        refundFee=5000,
        returnFreightInfo={"returnFreightAmount": 1200, "returnFreightStatus": 10},
    )["refundId"]
    plan = engine.prepare([listed(sb, claim)], Approve())
    dialog = PreviewDialog(plan)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.freight_box.isVisible() and dialog.freight_pay.isChecked()
    assert dialog.total_label.text() == "¥62.00"  # the claim is paid by default
    assert not dialog.freight_desc.isEnabled()

    # (on the button's indicator: a radio button takes clicks on its indicator and text only)
    qtbot.mouseClick(
        dialog.freight_refuse, Qt.MouseButton.LeftButton, pos=QPoint(6, dialog.freight_refuse.height() // 2)
    )
    assert dialog.freight_refuse.isChecked() and dialog.freight_desc.isEnabled()
    assert dialog.freight_hint.isVisible() and "1" in dialog.freight_hint.text()
    assert not dialog.ok_button.isEnabled()  # not offered without a description and pictures
    qtbot.keyClicks(dialog.freight_desc, "Free shipping item")  # (key clicks of ASCII only)
    assert "pictures" in dialog.freight_hint.text() and not dialog.ok_button.isEnabled()
    assert dict(dialog.plan().actions[0].params)["returnFreightHandlingAdvice"] == 1
    qtbot.keyClicks(dialog.freight_images, "https://img.example/1.jpg")
    qtbot.keyClick(dialog.freight_images, Qt.Key.Key_Return)
    qtbot.keyClicks(dialog.freight_images, "https://img.example/2.jpg")
    assert not dialog.freight_hint.isVisible() and dialog.ok_button.isEnabled()
    params = dict(dialog.plan().actions[0].params)
    assert params["returnFreightHandlingAdvice"] == 2
    assert params["returnFreightRejectDesc"] == "Free shipping item"
    assert params["returnFreightRejectImages"] == ["https://img.example/1.jpg", "https://img.example/2.jpg"]
    assert dialog.total_label.text() == "¥50.00"
    with qtbot.waitSignal(dialog.accepted):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    report = engine.execute(dialog.plan())
    assert report.results[0].outcome is Outcome.DONE
    assert sb.refunds[claim]["returnFreightInfo"]["returnFreightStatus"] == 50


def test_preview_hides_the_freight_choice_without_claims(qtbot, sb, engine):
    receipt = sb.add_refund(handlingWay=1, status=40, negotiateStatus=2, refundFee=3000)["refundId"]
    dialog = PreviewDialog(engine.prepare([listed(sb, receipt)], Approve()))
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.freight_box.isVisible() and dialog.ok_button.isEnabled()
