"""The detail pane shows a stored refund: reason, pictures, amounts, timeline, history, the link."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QLabel

from desktop.core.kuaishou.models import NegotiationComment, Refund, parse
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
    shop = store.shops.add(base_url="http://127.0.0.1:1", seller_id=5, name="晨光小铺")
    item = {
        "refundId": 2100000012345678,
        "oid": 2200000098765432,
        "handlingWay": 10,
        "negotiateStatus": 1,
        "status": 10,
        "refundFee": 12990,
        "refundReasonDesc": "商品破损",
        "refundDesc": "杯盖裂了",
        "skuNick": "不锈钢保温杯 500ml",
        "submitTime": NOW - 20 * H,
        "updateTime": NOW - 20 * H,
        "expireTime": NOW + 28 * H,
        "urgeTimes": 2,
        "pictures": ["https://img.example/1.jpg", "https://img.example/2.jpg"],
        "productNum": 1,
    }
    store.refunds.upsert(shop.id, [parse(Refund, item)], seen_at=NOW - 19 * H, source="detail")
    item2 = dict(item, expireTime=NOW + 30 * H, updateTime=NOW - 2 * H)
    store.refunds.upsert(shop.id, [parse(Refund, item2)], seen_at=NOW - H, source="detail")
    store.history.save_comments(
        shop.id,
        item["refundId"],
        [
            NegotiationComment("买家发起仅退款申请", 1, NOW - 20 * H, None, None),
            NegotiationComment("买家修改申请", 1, NOW - 2 * H, None, None),
        ],
        at=NOW,
    )
    yield store, shop
    store.close()


def test_the_pane_shows_the_whole_refund(qtbot, seeded, monkeypatch):
    store, shop = seeded
    rules = load_default_rules()
    (row,) = build_queue_rows(store.refunds.all(open_only=True), rules, shop_names={shop.id: shop.label})
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
    facts = [
        pane.facts.itemAt(i).widget().text()
        for i in range(pane.facts.count())
        if pane.facts.itemAt(i).widget()
    ]
    assert "2100000012345678" in facts and "2200000098765432" in facts and "2" in facts

    pane.update_time(NOW)
    assert labels.DurationFormat()(30 * 3600) in pane.countdown.text()  # the live time left

    opened = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toString()) or True)
    )
    with qtbot.waitSignal(pane.openRequested) as sig:
        pane.open_button.click()
    assert opened == [DEFAULT_BACKEND_URL.format(refund_id=2100000012345678)] == sig.args
    other = DetailPane(backend_url="https://example.test/r/{refund_id}?o={order_id}")
    qtbot.addWidget(other)
    other.show_row(row)
    assert other.current_backend_url() == "https://example.test/r/2100000012345678?o=2200000098765432"


def test_a_late_detail_for_another_row_is_ignored(qtbot, seeded):
    store, _shop = seeded
    rules = load_default_rules()
    (row,) = build_queue_rows(store.refunds.all(open_only=True), rules)
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


@pytest.mark.parametrize(
    "pictures",
    [
        '["https://img.example/1.jpg","https://img.example/2.jpg"]',  # declared: text (spec §8)
        "https://img.example/1.jpg,https://img.example/2.jpg",
        ["https://img.example/1.jpg", "https://img.example/2.jpg"],
    ],
)
def test_the_pane_opens_a_refund_in_every_wire_shape(qtbot, tmp_path, pictures):
    with open_store(tmp_path / "shapes.sqlite3") as store:
        shop = store.shops.add(base_url="http://127.0.0.1:1", seller_id=5, name="晨光小铺")
        detail = {
            "refundId": "2100000012345679",
            "handlingWay": "1",
            "negotiateStatus": 2,
            "status": "40",
            "refundFee": "5000",
            "refundReasonDesc": "尺码不合适",
            "updateTime": NOW - H,
            "expireTime": NOW + 60 * H,
            "submitTime": NOW - 90 * H,
            "pictures": pictures,
            "address": "浙江省杭州市余杭区文一西路1288号 王仓管 138****0000",
            "returnFreightInfo": {"returnFreightAmount": "1200", "returnFreightStatus": 10},
            "sellerDisagreeImages": "",
            "brandNewField": {"x": [1]},
        }
        store.refunds.upsert(shop.id, [parse(Refund, detail)], seen_at=NOW - H, source="detail")
        rules = load_default_rules()
        (row,) = build_queue_rows(store.refunds.all(open_only=True), rules)
        pane = DetailPane()
        qtbot.addWidget(pane)
        pane.show_row(row)
        pane.set_detail(load_detail(store, row, rules))
        links = pane.buyer.text()
        assert links.count("<a ") == 2 and 'href="https://img.example/2.jpg"' in links
        facts = [
            pane.facts.itemAt(i).widget().text()
            for i in range(pane.facts.count())
            if pane.facts.itemAt(i).widget()
        ]
        assert "¥12.00" in facts  # the return-freight claim


# ----------------------------------------------------------------- hostile platform and user texts
MARKUP = '<b><font color="red" size="7">大促清仓</font></b>'
RLO = "\u202e"


@pytest.fixture
def hostile(tmp_path):
    from PySide6.QtGui import QColor, QImage

    picture = tmp_path / "local.png"
    image = QImage(300, 300, QImage.Format.Format_RGB32)
    image.fill(QColor("red"))
    image.save(str(picture))
    store = open_store(tmp_path / "hostile.sqlite3")
    shop = store.shops.add(base_url="http://127.0.0.1:1", seller_id=6, name=f"{MARKUP}小铺")
    item = {
        "refundId": 2100000012345679,
        "oid": 2200000098765433,
        "handlingWay": 10,
        "negotiateStatus": 1,
        "status": 10,
        "refundFee": 990,
        "refundReasonDesc": f"看图{RLO}gnp.exe",
        "refundDesc": f'<img src="{picture.as_uri()}">',
        "skuNick": f'{MARKUP}<img src="{picture.as_uri()}">',
        "submitTime": NOW - H,
        "updateTime": NOW - H,
        "expireTime": NOW + 20 * H,
        "pictures": [
            "https://img.example/ok.jpg",
            picture.as_uri(),
            "javascript:alert(1)",
            "smb://fileserver/share/x.jpg",
            "http://img.example/plain.jpg",
        ],
    }
    store.refunds.upsert(shop.id, [parse(Refund, item)], seen_at=NOW - H, source="detail")
    store.history.save_comments(
        shop.id,
        item["refundId"],
        [
            NegotiationComment(f"{RLO}exe.txt 买家留言", 1, NOW - H, None, f"<i>{MARKUP}</i>"),
        ],
        at=NOW,
    )
    yield store, shop, picture
    store.close()


def _red_pixels(widget) -> int:
    image = widget.grab().toImage()
    return sum(
        1
        for x in range(0, image.width(), 2)
        for y in range(0, image.height(), 2)
        if (c := image.pixelColor(x, y)).red() > 200 and c.green() < 90 and c.blue() < 90
    )


def test_markup_from_the_platform_or_the_user_is_shown_as_plain_text(qtbot, hostile):
    store, shop, _picture = hostile
    rules = load_default_rules()
    (row,) = build_queue_rows(store.refunds.all(open_only=True), rules, shop_names={shop.id: shop.label})
    pane = DetailPane()
    qtbot.addWidget(pane)
    pane.resize(480, 800)
    pane.show()
    pane.show_row(row)
    pane.set_detail(load_detail(store, row, rules))
    qtbot.waitExposed(pane)

    # the product name: its markup shown as the characters it is, not drawn large and red, no image
    assert pane.title.textFormat() == Qt.TextFormat.PlainText
    assert MARKUP in pane.title.text() and "<img" in pane.title.text()
    assert _red_pixels(pane.title) == 0
    assert pane.title.sizeHint().height() < 150  # a loaded 300 px picture would make it tall
    # the shop row and every other fact: plain text too
    facts = [
        pane.facts.itemAt(i).widget() for i in range(pane.facts.count()) if pane.facts.itemAt(i).widget()
    ]
    values = [w for w in facts if isinstance(w, QLabel) and w.buddy() is None and MARKUP in w.text()]
    assert values and all(w.textFormat() == Qt.TextFormat.PlainText for w in values)
    assert all(_red_pixels(w) == 0 for w in values)
    # the composed sections escape what they show: no image loaded, no red, the text readable
    for section in (pane.buyer, pane.history):
        assert "<img" not in section.text() and "<font" not in section.text()
        assert _red_pixels(section) == 0
    assert "&lt;img" in pane.buyer.text() and "&lt;font" in pane.history.text()
    assert pane.buyer.sizeHint().height() < 250


def test_bidirectional_overrides_are_neutralised(qtbot, hostile):
    store, shop, _ = hostile
    rules = load_default_rules()
    (row,) = build_queue_rows(store.refunds.all(open_only=True), rules, shop_names={shop.id: shop.label})
    pane = DetailPane()
    qtbot.addWidget(pane)
    pane.show_row(row)
    pane.set_detail(load_detail(store, row, rules))
    shown = pane.title.text() + pane.buyer.text() + pane.history.text()
    assert RLO not in shown and RLO not in row.reason
    assert "看图gnp.exe" in pane.buyer.text()  # in reading order: it is not a .png
    assert "exe.txt 买家留言" in pane.history.text()


def test_only_https_picture_links_are_made_and_opened(qtbot, hostile, monkeypatch):
    store, shop, picture = hostile
    rules = load_default_rules()
    (row,) = build_queue_rows(store.refunds.all(open_only=True), rules, shop_names={shop.id: shop.label})
    pane = DetailPane()
    qtbot.addWidget(pane)
    pane.show_row(row)
    pane.set_detail(load_detail(store, row, rules))
    opened: list[str] = []
    monkeypatch.setattr(
        QDesktopServices, "openUrl", staticmethod(lambda url: opened.append(url.toString()) or True)
    )

    assert not pane.buyer.openExternalLinks()  # Qt would open any scheme by itself
    assert pane.buyer.text().count("<a ") == 1
    assert 'href="https://img.example/ok.jpg"' in pane.buyer.text()
    for refused in (picture.as_uri(), "javascript:", "smb:", "http://img.example"):
        assert f'href="{refused}' not in pane.buyer.text()
    assert "javascript:" not in pane.buyer.text() and "smb:" not in pane.buyer.text()
    # the seller sees that four were not opened
    assert pane.buyer.text().count("(not opened: not an https address)") == 4

    # a click on the link (Qt emits linkActivated with its href) opens the browser
    pane.buyer.linkActivated.emit("https://img.example/ok.jpg")
    assert opened == ["https://img.example/ok.jpg"]
    # whatever else reaches the label's click signal is never handed to the system
    for bad in (
        picture.as_uri(),
        "javascript:alert(1)",
        "smb://fileserver/share/x.jpg",
        "http://img.example/plain.jpg",
        "https://user:pw@img.example/x.jpg",
        "https:///nohost",
    ):
        pane.buyer.linkActivated.emit(bad)
    assert opened == ["https://img.example/ok.jpg"]


def test_the_sync_banner_shows_a_platform_error_text_as_plain_text(qtbot):
    from desktop.ui.banner import Banner

    banner = Banner()
    qtbot.addWidget(banner)
    banner.show_message(f"同步失败：{MARKUP}<img src=file:///etc/hosts>", "重试")
    assert banner.label.textFormat() == Qt.TextFormat.PlainText
    assert MARKUP in banner.label.text()
    assert _red_pixels(banner.label) == 0
