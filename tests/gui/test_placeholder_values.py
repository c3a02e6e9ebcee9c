"""A shop, a channel, a path or a buyer's text that itself contains "%1" or "%2" is shown as it is in
the views that put it into a translated text (the placeholders are filled in one pass, never again
inside a value already inserted)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox

from desktop.core.actions import ActionEngine, Approve
from desktop.core.kuaishou.client import Credentials, KuaishouClient
from desktop.core.kuaishou.models import NegotiationComment, Refund, parse
from desktop.core.queue_rows import build_queue_rows, load_detail
from desktop.core.robots.channels import ChannelBook
from desktop.core.rulesfile import load_default_rules
from desktop.sandbox import Sandbox
from desktop.ui.actions import AuditLogDialog
from desktop.ui.guard import GuardSettingsPage
from desktop.ui.queue.detail import DetailPane
from desktop.ui.robots import RobotRelay, RobotSettingsPage

SHOP = "双11%2折"
REASON = "满100%1减%2"
NOW = 1_790_000_000_000
H = 3_600_000


def test_no_placeholder_is_filled_by_a_chained_replace_anywhere():
    """No chained ``.replace("%1", …)`` left in the app: each one re-reads what the previous one
    inserted. Texts with values go through ``desktop.ui.i18n.fill`` (the core: ``tr(…, name=…)``)."""
    root = Path(__file__).resolve().parents[2] / "desktop"
    files = sorted(root.rglob("*.py"))
    assert len(files) > 100  # the whole package, not a folder of it
    found = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "replace"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
                and node.args[0].value.startswith("%")
            ):
                found.append(f"{path.relative_to(root)}:{node.lineno}")
    assert found == []


def test_the_guard_page_names_a_shop_with_a_placeholder_in_its_name(qtbot, store, wait_background):
    shop = store.shops.add(base_url="http://127.0.0.1:1", seller_id=7, name=SHOP)
    page = GuardSettingsPage(store, load_default_rules(), shop)
    qtbot.addWidget(page)
    wait_background()
    titles = [w.text() for w in page.findChildren(QLabel) if w.text().startswith("The guard of")]
    assert titles == [f"The guard of {SHOP}"]


def test_removing_a_robot_channel_asks_with_its_name_intact(
    qtbot, store, secret_store, memory_keyring, wait_background, monkeypatch
):
    ChannelBook(store, secret_store).add(
        "wecom", SHOP, "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=0123456789abcdef"
    )
    relay = RobotRelay(store, None, lambda: secret_store, lambda: (1440, 360, 120, 30))
    page = RobotSettingsPage(relay)
    qtbot.addWidget(page)
    qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=10_000)
    assert SHOP in " ".join(page.table.item(0, c).text() for c in range(page.COLUMNS))
    page.table.selectRow(0)
    asked: list[str] = []

    def question(_parent, _title, text, *_a, **_k):
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", question)
    qtbot.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)
    assert len(asked) == 1 and f"Remove “{SHOP}”?" in asked[0]
    assert page.table.rowCount() == 1  # answered No: kept
    wait_background()
    relay.close()


@pytest.fixture
def sandbox_engine(store):
    with Sandbox(demo_data=False, buyer_ships_after_s=None) as sb:
        c = sb.credentials
        creds = Credentials(app_key=c.app_key, sign_secret=c.sign_secret, access_token=c.access_token)
        with KuaishouClient(creds, base_url=sb.base_url, qps=1000) as client:
            shop = store.shops.add(base_url=sb.base_url, seller_id=c.seller_id, name=SHOP)
            yield sb, ActionEngine(client, store, shop_id=shop.id, qps=500, settle_s=0, patience_s=0.3), shop


def test_the_action_log_names_an_export_path_with_placeholders_intact(
    qtbot, store, sandbox_engine, tmp_path, monkeypatch
):
    sb, engine, shop = sandbox_engine
    ids = [sb.add_refund(handlingWay=10)["refundId"] for _ in range(2)]
    engine.execute(engine.prepare(ids, Approve()))
    dialog = AuditLogDialog(store, shop.id)
    qtbot.addWidget(dialog)
    dialog.refresh()
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2, timeout=5000)
    assert SHOP in [dialog.model.data(dialog.model.index(0, c)) for c in range(dialog.model.columnCount())]
    folder = tmp_path / REASON
    folder.mkdir()
    out = folder / f"{SHOP}.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "CSV files (*.csv)"))
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "exported" in dialog.status.text(), timeout=5000)
    assert dialog.status.text() == f"2 action(s) exported to {out}"
    assert out.exists()


def test_the_detail_pane_shows_buyer_and_staff_texts_with_placeholders_intact(qtbot, tmp_path):
    from desktop.core.store import open_store

    store = open_store(tmp_path / "detail.sqlite3")
    try:
        shop = store.shops.add(base_url="http://127.0.0.1:1", seller_id=5, name=SHOP)
        item = {
            "refundId": 2100000012345678,
            "oid": 2200000098765432,
            "handlingWay": 10,
            "negotiateStatus": 1,
            "status": 10,
            "refundFee": 12990,
            "refundReasonDesc": REASON,
            "refundDesc": f"{SHOP} 的活动价",
            "skuNick": "保温杯",
            "submitTime": NOW - 20 * H,
            "updateTime": NOW - 20 * H,
            "expireTime": NOW + 28 * H,
        }
        store.refunds.upsert(shop.id, [parse(Refund, item)], seen_at=NOW - H, source="detail")
        store.history.save_comments(
            shop.id,
            item["refundId"],
            [NegotiationComment(title=REASON, role=1, create_time=NOW - H, staff_account_name=SHOP)],
            at=NOW,
        )
        rules = load_default_rules()
        (row,) = build_queue_rows(store.refunds.all(open_only=True), rules, shop_names={shop.id: shop.label})
        pane = DetailPane()
        qtbot.addWidget(pane)
        pane.show_row(row)
        pane.set_detail(load_detail(store, row, rules))
        assert REASON in pane.buyer.text() and f"{SHOP} 的活动价" in pane.buyer.text()
        assert REASON in pane.history.text() and SHOP in pane.history.text()
    finally:
        store.close()
