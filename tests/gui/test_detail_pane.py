"""The detail pane shows a stored refund: reason, pictures, amounts, timeline, history, the link."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QDesktopServices

from desktop.core.kuaishou.models import NegotiationComment, parse, Refund
from desktop.core.queue_rows import build_queue_rows, load_detail
from desktop.core.rulesfile import load_default_rules
from desktop.core.store import open_store
from desktop.ui.queue import labels
from desktop.ui.queue.detail import DEFAULT_BACKEND_URL, DetailPane

NOW = 1_790_000_000_000
H = 3_600_000


@pytest.fixture
def seeded(tmp_path):
    store = open_store(tmp_path / "detail.sqlite3")
    shop = store.add_shop(base_url="http://127.0.0.1:1", seller_id=5, name="晨光小铺")
    item = {
        "refundId": 2100000012345678, "oid": 2200000098765432, "handlingWay": 10, "negotiateStatus": 1,
        "status": 10, "refundFee": 12990, "refundReasonDesc": "商品破损", "refundDesc": "杯盖裂了",
        "skuNick": "不锈钢保温杯 500ml", "submitTime": NOW - 20 * H, "updateTime": NOW - 20 * H,
        "expireTime": NOW + 28 * H, "urgeTimes": 2,
        "pictures": ["https://img.example/1.jpg", "https://img.example/2.jpg"], "productNum": 1,
    }
    store.upsert_refunds(shop.id, [parse(Refund, item)], seen_at=NOW - 19 * H, source="detail")
    item2 = dict(item, expireTime=NOW + 30 * H, updateTime=NOW - 2 * H)
    store.upsert_refunds(shop.id, [parse(Refund, item2)], seen_at=NOW - H, source="detail")
    store.save_comments(shop.id, item["refundId"], [
        NegotiationComment("买家发起仅退款申请", 1, NOW - 20 * H, None, None),
        NegotiationComment("买家修改申请", 1, NOW - 2 * H, None, None),
    ], at=NOW)
    yield store, shop
    store.close()


def test_the_pane_shows_the_whole_refund(qtbot, seeded, monkeypatch):
    store, shop = seeded
    rules = load_default_rules()
    (row,) = build_queue_rows(store.refunds(open_only=True), rules, shop_names={shop.id: shop.label})
    pane = DetailPane()
    qtbot.addWidget(pane)
    assert pane.empty.isVisibleTo(pane)
    pane.show_row(row)
    assert "¥129.90" in pane.title.text() and "保温杯" in pane.title.text()
    assert not pane.timeline_box.isVisibleTo(pane)  # until the detail has loaded
    detail = load_detail(store, row, rules)
    pane.set_detail(detail)
    assert "商品破损" in pane.buyer.text() and "杯盖裂了" in pane.buyer.text()
    assert 'href="https://img.example/1.jpg"' in pane.buyer.text()
    assert pane.buyer.text().count("<a ") == 2
    assert pane.timeline.text().count("<tr>") == 2  # two observations: the deadline moved
    assert "买家修改申请" in pane.history.text()
    assert pane.consequence.text() != "" and "[" in pane.consequence.text()  # with the rule's basis
    facts = [pane.facts.itemAt(i).widget().text() for i in range(pane.facts.count()) if pane.facts.itemAt(i).widget()]
    assert "2100000012345678" in facts and "2200000098765432" in facts and "2" in facts

    pane.update_time(NOW)
    assert labels.DurationFormat()(30 * 3600) in pane.countdown.text()  # the live time left

    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toString()) or True))
    with qtbot.waitSignal(pane.openRequested) as sig:
        pane.open_button.click()
    assert opened == [DEFAULT_BACKEND_URL.format(refund_id=2100000012345678)] == sig.args
    pane.set_backend_url("https://example.test/r/{refund_id}?o={order_id}")
    assert pane.current_backend_url() == "https://example.test/r/2100000012345678?o=2200000098765432"


def test_a_late_detail_for_another_row_is_ignored(qtbot, seeded):
    store, shop = seeded
    rules = load_default_rules()
    (row,) = build_queue_rows(store.refunds(open_only=True), rules)
    detail = load_detail(store, row, rules)
    pane = DetailPane()
    qtbot.addWidget(pane)
    pane.show_row(None)
    pane.set_detail(detail)  # nothing selected: accepted
    assert pane.row == row
    from queue_helpers import make_row
    pane.show_row(make_row(1, expire_at_ms=NOW))
    pane.set_detail(detail)  # belongs to the previous selection
    assert pane.row.refund_id == 1


@pytest.mark.parametrize("pictures", [
    '["https://img.example/1.jpg","https://img.example/2.jpg"]',  # declared: text (spec §8)
    "https://img.example/1.jpg,https://img.example/2.jpg",
    ["https://img.example/1.jpg", "https://img.example/2.jpg"],
])
def test_the_pane_opens_a_refund_in_every_wire_shape(qtbot, tmp_path, pictures):
    with open_store(tmp_path / "shapes.sqlite3") as store:
        shop = store.add_shop(base_url="http://127.0.0.1:1", seller_id=5, name="晨光小铺")
        detail = {
            "refundId": "2100000012345679", "handlingWay": "1", "negotiateStatus": 2, "status": "40",
            "refundFee": "5000", "refundReasonDesc": "尺码不合适", "updateTime": NOW - H,
            "expireTime": NOW + 60 * H, "submitTime": NOW - 90 * H, "pictures": pictures,
            "address": "浙江省杭州市余杭区文一西路1288号 王仓管 138****0000",
            "returnFreightInfo": {"returnFreightAmount": "1200", "returnFreightStatus": 10},
            "sellerDisagreeImages": "", "brandNewField": {"x": [1]},
        }
        store.upsert_refunds(shop.id, [parse(Refund, detail)], seen_at=NOW - H, source="detail")
        rules = load_default_rules()
        (row,) = build_queue_rows(store.refunds(open_only=True), rules)
        pane = DetailPane()
        qtbot.addWidget(pane)
        pane.show_row(row)
        pane.set_detail(load_detail(store, row, rules))
        links = pane.buyer.text()
        assert links.count("<a ") == 2 and 'href="https://img.example/2.jpg"' in links
        facts = [pane.facts.itemAt(i).widget().text() for i in range(pane.facts.count())
                 if pane.facts.itemAt(i).widget()]
        assert "¥12.00" in facts  # the return-freight claim
