"""The negotiation-roles diagnostics view: opened from the Help menu of the running app, it lists the
role values the platform sent (read in the background), marks one the rules file names, and copies
them for a report."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.core.kuaishou.models import NegotiationComment, Refund
from tests.gui.test_shell_demo import START_TIMEOUT_MS, _args, shell_factory  # noqa: F401


def test_help_menu_lists_the_role_values_seen(qtbot, shell_factory, memory_keyring):
    shell = shell_factory(_args(demo=True))
    window = shell.window
    qtbot.waitUntil(lambda: window.shop is not None and not window.syncing, timeout=START_TIMEOUT_MS)
    store, shop = window.services.store, window.shop
    store.refunds.upsert(shop.id, [Refund(refund_id=9_100_000_001)], seen_at=1)
    store.history.save_comments(
        shop.id,
        9_100_000_001,
        [
            NegotiationComment("买家发起仅退款申请", 1, 1_700_000_000_000),
            NegotiationComment("商家超时未处理，系统自动同意仅退款申请", 3, 1_700_000_100_000),
        ],
        at=1,
    )

    help_menu = next(
        a.menu()
        for a in window.menuBar().actions()
        if a.menu() and window.menus.roles_action in a.menu().actions()
    )
    assert help_menu.title() == "帮助(&H)"
    window.menus.roles_action.trigger()
    dialog = window.help.roles_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.windowTitle() == "协商角色"
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=START_TIMEOUT_MS)
    values = {dialog.table.item(r, 0).text() for r in range(2)}
    assert values == {"1", "3"}
    row = next(r for r in range(2) if dialog.table.item(r, 0).text() == "3")
    assert "系统自动同意" in dialog.table.item(row, 4).text()
    assert dialog.copy_button.isEnabled()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    copied = QApplication.clipboard().text()
    assert "role=3" in copied and "role=1" in copied
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Close), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.isVisible())


def test_a_value_the_rules_file_names_is_marked(qtbot, tmp_path):
    import dataclasses

    from desktop.core.rulesfile import load_default_rules
    from desktop.core.store import open_store
    from desktop.ui.diagnostics import RolesDialog

    rules = load_default_rules()
    roles = dataclasses.replace(rules.classify.system_roles, value=("3", "system"))
    rules = dataclasses.replace(rules, classify=dataclasses.replace(rules.classify, system_roles=roles))
    with open_store(tmp_path / "s.sqlite3") as store:
        shop = store.shops.add(base_url="http://127.0.0.1:1", seller_id=5)
        dialog = RolesDialog(store, rules, shop.id)
        qtbot.addWidget(dialog)
        qtbot.waitUntil(lambda: "尚未" in dialog.status.text() or "No" in dialog.status.text())
        assert dialog.table.rowCount() == 0 and not dialog.copy_button.isEnabled()
        store.refunds.upsert(shop.id, [Refund(refund_id=1)], seen_at=1)
        store.history.save_comments(shop.id, 1, [NegotiationComment("系统同意", 3, 1_700_000_000_000)], at=1)
        dialog.load()
        qtbot.waitUntil(lambda: dialog.table.rowCount() == 1)
        named = dialog.table.item(0, 0).text()
        assert named.startswith("3") and ("rules file" in named or "规则" in named)


def test_a_request_the_platform_sent_unreadably_is_named_after_the_sync(
    qtbot,
    shell_factory,
    memory_keyring,
):
    shell = shell_factory(_args(demo=True))
    window = shell.window
    qtbot.waitUntil(lambda: window.shop is not None and not window.syncing, timeout=START_TIMEOUT_MS)
    sandbox = shell.backend.sandbox
    bad = sandbox.add_refund(handlingWay=10, expireTime=10**18, createTime=sandbox.now_ms() - 60_000)[
        "refundId"
    ]
    with qtbot.waitSignal(window.sync_finished, timeout=START_TIMEOUT_MS) as done:
        window.menus.sync_action.trigger()
    assert [(rid, name.rsplit(".", 1)[-1]) for rid, name in done.args[0].unreadable] == [(bad, "expireTime")]
    message = window.statusBar().currentMessage()
    assert str(bad) in message and "商家后台" in message
