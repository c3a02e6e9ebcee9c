"""What a seller presses in the demo app, the way they press it: shortcuts on the window, the toolbar
buttons, the menu entries — each with what the seller then sees. File and message dialogs are
answered at their boundary (patched ``QFileDialog`` / ``QMessageBox``), never by calling the slot
behind a button."""

from __future__ import annotations

import argparse
import csv
import io

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QToolBar, QToolButton

from desktop import app as app_module
from desktop.core import paths
from desktop.ui.queue.model import COL_TIME_LEFT

START_TIMEOUT_MS = 30_000


def _args(**kw) -> argparse.Namespace:
    defaults = {"demo": True, "no_error_dialogs": True, "lang": None, "data_dir": None, "command": None}
    defaults.update(kw)
    return argparse.Namespace(**defaults)


@pytest.fixture
def demo(qtbot, memory_keyring):
    """The demo app, signed in and synced, its window shown and active."""
    shell = app_module.build(_args())
    assert shell is not None
    try:
        qtbot.waitUntil(
            lambda: shell.window is not None or shell.failed is not None, timeout=START_TIMEOUT_MS
        )
        assert shell.failed is None, shell.failed
        window = shell.window
        qtbot.waitUntil(
            lambda: window.client is not None and window._last_fresh_ms is not None and not window.syncing,
            timeout=START_TIMEOUT_MS,
        )
        qtbot.waitUntil(
            lambda: window.queue_widget.merchant_view.model.rowCount() > 2, timeout=START_TIMEOUT_MS
        )
        if shell.login is not None:
            qtbot.waitUntil(lambda: shell.login is None, timeout=START_TIMEOUT_MS)
        window.resize(1280, 720)
        window.activateWindow()
        window.raise_()
        qtbot.waitUntil(window.isActiveWindow, timeout=5000)
        yield shell
    finally:
        shell.shutdown()
        QApplication.processEvents()


def _press(qtbot, window, key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    """A key press on the focused widget of the active window (how a shortcut reaches the app)."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    target = QApplication.focusWidget() or window
    qtbot.keyClick(target, key, modifiers)


def _click_row(qtbot, view, proxy_row: int, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    rect = view.table.visualRect(view.proxy.index(proxy_row, COL_TIME_LEFT))
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, modifiers, rect.center())


def _toolbar_button(window, action) -> QToolButton:
    toolbar = window.findChild(QToolBar, "main_toolbar")
    button = toolbar.widgetForAction(action)
    assert isinstance(button, QToolButton) and button.isVisible()
    return button


def _menu_action(window, menu_title: str, text: str):
    """The entry ``text`` of the menu bar's ``menu_title`` menu, as the user finds it."""
    for top in window.menuBar().actions():
        if top.text().replace("&", "").startswith(menu_title):
            for action in top.menu().actions():
                if action.text() == text:
                    return action
    raise AssertionError(f"no {text!r} in menu {menu_title!r}")


def _read_csv(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline="")))


@pytest.mark.slow
def test_export_by_ctrl_e_toolbar_and_menu_writes_every_shown_request(qtbot, demo, monkeypatch):
    window = demo.window
    view = window.queue_widget.merchant_view
    asked = []

    def save_dialog(parent, title, suggested, filters):
        asked.append((title, suggested))
        return str(paths.export_dir() / f"导出{len(asked)}.csv"), filters

    monkeypatch.setattr("desktop.ui.main_window.QFileDialog.getSaveFileName", save_dialog)
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warnings.append(a[2]))
    shown = [r.refund_id for r in view.proxy.visible_rows()]

    with qtbot.waitSignal(window.exported, timeout=10_000) as first:
        _press(qtbot, window, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda: bool(asked or warnings), timeout=10_000)
        assert warnings == []
    assert asked and asked[0][0] == "导出 CSV"  # the save dialog came, in Chinese
    body = _read_csv(paths.export_dir() / "导出1.csv")
    assert first.args[0].endswith("导出1.csv")
    assert [row[0] for row in body[1:]] == [f'="{rid}"' for rid in shown]  # ids whole for Excel
    assert all(len(row[0]) >= 16 + 3 for row in body[1:])
    assert body[0][0] == "售后单号"
    assert "条申请导出到" in window.statusBar().currentMessage()

    with qtbot.waitSignal(window.exported, timeout=START_TIMEOUT_MS):
        qtbot.mouseClick(_toolbar_button(window, window.menus.export_action), Qt.MouseButton.LeftButton)
    assert len(_read_csv(paths.export_dir() / "导出2.csv")) == len(shown) + 1

    with qtbot.waitSignal(window.exported, timeout=START_TIMEOUT_MS):
        _menu_action(window, "申请", "导出 CSV…").trigger()
    assert (paths.export_dir() / "导出3.csv").exists()

    # the user cancels the file dialog: nothing is written, nothing complains
    monkeypatch.setattr("desktop.ui.main_window.QFileDialog.getSaveFileName", lambda *a: ("", ""))
    window.menus.export_action.trigger()
    qtbot.wait(50)
    assert warnings == [] and len(list(paths.export_dir().glob("*.csv"))) == 3


@pytest.mark.slow
def test_approve_by_shortcut_removes_the_request_and_the_pane_empties(qtbot, demo):
    window = demo.window
    ui = window.actions_ui
    view = window.queue_widget.merchant_view
    detail = window.detail_dock.widget()
    # a refund-only request under review: approving it needs no address
    target = next(
        i
        for i, r in enumerate(view.proxy.visible_rows())
        if r.kind == "refund_only" and r.stage == "review_refund_only"
    )
    _click_row(qtbot, view, target)
    row = view.selected_rows()[0]
    qtbot.waitUntil(lambda: detail.row is not None and detail.row.refund_id == row.refund_id)
    assert window.status_bar.selection_label.text() == "已选择 1 条"

    _press(
        qtbot, window, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    qtbot.waitUntil(lambda: type(ui.flow.dialog).__name__ == "PreviewDialog", timeout=START_TIMEOUT_MS)
    preview = ui.flow.dialog
    assert preview.isVisible()
    qtbot.mouseClick(preview.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: type(ui.flow.dialog).__name__ == "ProgressDialog", timeout=START_TIMEOUT_MS)
    progress = ui.flow.dialog
    qtbot.waitUntil(progress.close_button.isEnabled, timeout=START_TIMEOUT_MS)
    with qtbot.waitSignal(window.rows_loaded, timeout=START_TIMEOUT_MS):
        qtbot.mouseClick(progress.close_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: all(r.refund_id != row.refund_id for r in view.model.rows()), timeout=START_TIMEOUT_MS
    )
    assert detail.row is None  # the approved request is no longer shown as waiting
    assert view.selected_rows() == [] and window.status_bar.selection_label.text() == ""


@pytest.mark.slow
def test_help_about_add_shop_open_in_backend_and_sync_shortcut(qtbot, demo, monkeypatch):
    window = demo.window

    # Help → 使用指南 (F1 as well): the guide names the folders really used
    _menu_action(window, "帮助", "使用指南").trigger()
    guide = window.help.guide
    assert guide is not None and guide.isVisible()
    text = guide.browser.toPlainText()
    assert str(paths.data_dir()) in text and str(paths.log_dir()) in text
    assert "颜色代表什么" in text and "风险等级是什么" in text
    guide.close()
    qtbot.waitUntil(lambda: window.help.guide is None)
    _press(qtbot, window, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: window.help.guide is not None and window.help.guide.isVisible())
    window.help.guide.reject()

    # About names the data and log folders
    seen = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: seen.append(box.informativeText()) or 0)
    _menu_action(window, "帮助", "关于售后守望").trigger()
    assert seen and str(paths.data_dir()) in seen[0] and str(paths.log_dir()) in seen[0]

    # the demo says it is one and starts afresh
    assert (
        window.status_bar.demo_label.isVisible() and "每次启动都会重置" in window.status_bar.demo_label.text()
    )
    assert "演示" in window.windowTitle()

    # Shop → 添加店铺… in the demo explains instead of signing in again
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: told.append(a[2]))
    _menu_action(window, "店铺", "添加店铺…").trigger()
    assert told and "演示模式只有一个示例店铺" in told[0]
    assert demo.login is None

    # no browser opens: the seller is told and the address is on the clipboard
    view = window.queue_widget.merchant_view
    _click_row(qtbot, view, 0)
    detail = window.detail_dock.widget()
    qtbot.waitUntil(lambda: detail.row is not None)
    monkeypatch.setattr("desktop.ui.queue.detail.QDesktopServices.openUrl", lambda url: False)
    warned = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: warned.append(a[1]))
    qtbot.mouseClick(detail.open_button, Qt.MouseButton.LeftButton)
    assert warned == ["没有打开浏览器"]
    assert str(detail.row.refund_id) in QGuiApplication.clipboard().text()

    # F5 syncs now
    with qtbot.waitSignal(window.sync_finished, timeout=START_TIMEOUT_MS):
        _press(qtbot, window, Qt.Key.Key_F5)


@pytest.mark.slow
def test_closing_without_a_tray_says_the_warnings_stop_and_can_be_cancelled(qtbot, demo, monkeypatch):
    window = demo.window
    if demo.watch.tray.available:
        pytest.skip("this desktop has a tray: closing keeps the app running")
    asked = []
    answer = {"button": QMessageBox.StandardButton.Cancel}

    def question(parent, title, text, *rest):
        asked.append(text)
        return answer["button"]

    monkeypatch.setattr(QMessageBox, "question", question)
    window.close()  # the window's close button
    assert asked and "不会再有任何提醒" in asked[0]
    assert window.isVisible()  # cancelled: still watching
    answer["button"] = QMessageBox.StandardButton.Yes
    window.close()
    assert not window.isVisible()


@pytest.mark.slow
@pytest.mark.parametrize("how", ["menu", "shortcut"])
def test_quit_from_the_menu_or_ctrl_q_does_not_ask_again(qtbot, demo, monkeypatch, how):
    window = demo.window
    asked = []
    monkeypatch.setattr(
        QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.Cancel
    )
    quit_action = _menu_action(window, "店铺", "退出")
    assert quit_action.shortcut().toString() == "Ctrl+Q"

    def press() -> None:
        if how == "menu":
            quit_action.trigger()
        else:
            _press(qtbot, window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)

    if demo.watch.tray.available:
        with qtbot.waitSignal(window.quit_requested):
            press()
    else:
        press()
        assert not window.isVisible()
    assert asked == []


@pytest.mark.slow
def test_sign_in_again_reject_and_action_log_from_the_menu(qtbot, demo):
    window = demo.window
    ui = window.actions_ui
    view = window.queue_widget.merchant_view
    # 申请 → 拒绝… asks for the reason of the selected request
    _click_row(qtbot, view, _first_review_row(view))
    _menu_action(window, "申请", "拒绝…").trigger()
    qtbot.waitUntil(lambda: type(ui.flow.dialog).__name__ == "RejectReasonDialog", timeout=START_TIMEOUT_MS)
    ui.flow.dialog.reject()
    qtbot.waitUntil(lambda: not ui.flow.busy, timeout=5000)
    # 申请 → 操作日志…
    _menu_action(window, "申请", "操作日志…").trigger()
    qtbot.waitUntil(lambda: ui.log_dialog is not None and ui.log_dialog.isVisible(), timeout=5000)
    ui.log_dialog.close()
    # 店铺 → 重新登录…: the sign-in opens (the demo's signs in by itself again)
    authorisations = len(demo.backend.sandbox.oauth_log)
    _menu_action(window, "店铺", "重新登录…").trigger()
    qtbot.waitUntil(lambda: len(demo.backend.sandbox.oauth_log) > authorisations, timeout=START_TIMEOUT_MS)
    qtbot.waitUntil(lambda: demo.login is None, timeout=START_TIMEOUT_MS)


def _first_review_row(view, kind: str = "refund_only") -> int:
    return next(
        i for i, r in enumerate(view.proxy.visible_rows()) if r.kind == kind and r.stage.startswith("review")
    )


@pytest.mark.slow
def test_reject_by_shortcut_repeats_the_reason_in_the_preview_then_cancel_sends_nothing(qtbot, demo):
    window = demo.window
    ui = window.actions_ui
    view = window.queue_widget.merchant_view
    sandbox = demo.backend.sandbox
    _click_row(qtbot, view, _first_review_row(view))
    _press(
        qtbot, window, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    qtbot.waitUntil(lambda: type(ui.flow.dialog).__name__ == "RejectReasonDialog", timeout=START_TIMEOUT_MS)
    reasons = ui.flow.dialog
    qtbot.waitUntil(lambda: reasons.reasons.count() > 0, timeout=START_TIMEOUT_MS)
    reasons.reasons.setCurrentRow(0)
    chosen = reasons.reasons.item(0).text()
    reasons.desc.setPlainText("商品完好，已签收")
    qtbot.waitUntil(reasons.ok_button.isEnabled)
    qtbot.mouseClick(reasons.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: type(ui.flow.dialog).__name__ == "PreviewDialog", timeout=START_TIMEOUT_MS)
    preview = ui.flow.dialog
    assert preview.reject_reason_label.isVisible()
    assert preview.reject_reason_label.text() in chosen
    assert preview.reject_desc_label.text() == "商品完好，已签收"
    before = len([e for e in sandbox.call_log if e["method"] == "open.refund.reject"])
    preview.reject()  # 取消
    qtbot.waitUntil(lambda: not ui.flow.busy, timeout=5000)
    assert len([e for e in sandbox.call_log if e["method"] == "open.refund.reject"]) == before


@pytest.mark.slow
def test_toolbar_and_menu_entries_each_show_their_result(qtbot, demo, monkeypatch):
    window = demo.window
    ui = window.actions_ui
    view = window.queue_widget.merchant_view

    # 立即同步: the toolbar button and the menu entry both sync
    with qtbot.waitSignal(window.sync_finished, timeout=START_TIMEOUT_MS):
        qtbot.mouseClick(_toolbar_button(window, window.menus.sync_action), Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(window.sync_finished, timeout=START_TIMEOUT_MS):
        _menu_action(window, "申请", "立即同步").trigger()

    # 同意 on the toolbar and in the menu open the preview of the selection; cancelling sends nothing
    _click_row(qtbot, view, _first_review_row(view))
    for press in (
        lambda: qtbot.mouseClick(_toolbar_button(window, ui.approve_action), Qt.MouseButton.LeftButton),
        lambda: _menu_action(window, "申请", "同意…").trigger(),
    ):
        press()
        qtbot.waitUntil(lambda: type(ui.flow.dialog).__name__ == "PreviewDialog", timeout=START_TIMEOUT_MS)
        assert ui.flow.dialog.isVisible() and ui.flow.dialog.ok_button.text() == "同意 1 个"
        ui.flow.dialog.reject()
        qtbot.waitUntil(lambda: not ui.flow.busy, timeout=5000)
    # 拒绝 on the toolbar asks for the reason first
    qtbot.mouseClick(_toolbar_button(window, ui.reject_action), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: type(ui.flow.dialog).__name__ == "RejectReasonDialog", timeout=START_TIMEOUT_MS)
    ui.flow.dialog.reject()
    qtbot.waitUntil(lambda: not ui.flow.busy, timeout=5000)

    # 操作日志… (Ctrl+Shift+L): the log opens in words a seller reads
    _press(
        qtbot, window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    qtbot.waitUntil(lambda: ui.log_dialog is not None and ui.log_dialog.isVisible(), timeout=5000)
    log = ui.log_dialog
    assert log.model.headerData(5, Qt.Orientation.Horizontal) == "内容"
    log.close()

    # 视图: the two panes can be hidden and shown again
    detail_toggle = _menu_action(window, "视图", window.detail_dock.toggleViewAction().text())
    detail_toggle.trigger()
    assert not window.detail_dock.isVisible()
    detail_toggle.trigger()
    assert window.detail_dock.isVisible()
    risk_toggle = _menu_action(window, "视图", window.risk_dock.toggleViewAction().text())
    risk_toggle.trigger()
    assert not window.risk_dock.isVisible()
    risk_toggle.trigger()
    window.risk_dock.raise_()
    assert window.risk_dock.isVisible()

    # 店铺 → 管理店铺…: the shops dialog lists the demo shop
    _menu_action(window, "店铺", "管理店铺…").trigger()
    qtbot.waitUntil(
        lambda: window.shop_lists.dialog is not None and window.shop_lists.dialog.list.count() == 1,
        timeout=5000,
    )
    assert window.shop.label in window.shop_lists.dialog.list.item(0).text()
    window.shop_lists.dialog.reject()
    # 切换到: the one shop, checked
    switch = (
        next(a for a in window.menuBar().actions() if a.text().startswith("店铺")).menu().actions()[0].menu()
    )
    assert [a.isChecked() for a in switch.actions()] == [True]

    # 设置 → 语言 → English: remembered for the next start, said so
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a, **k: told.append(a[2]))
    window.menus.language_actions["en"].trigger()
    assert window.settings.language() == "en" and told and "下次启动" in told[0]
    window.menus.language_actions["zh_CN"].trigger()
    assert window.settings.language() == "zh_CN"

    # 设置…: the settings dialog with the alerts page, closed unchanged
    from desktop.ui.settings import SettingsDialog

    opened = []
    monkeypatch.setattr(
        SettingsDialog,
        "exec",
        lambda dialog: opened.append([dialog.tabs.tabText(i) for i in range(dialog.tabs.count())]) or 0,
    )
    _menu_action(window, "设置", "设置…").trigger()
    assert opened and "提醒" in opened[0]

    # the detail pane's context menu acts on the request it shows
    _click_row(qtbot, view, _first_review_row(view))
    detail = window.detail_dock.widget()
    qtbot.waitUntil(lambda: detail.row is not None)
    assert ui.approve_one_action in detail.actions() and ui.approve_one_action.isEnabled()
    ui.approve_one_action.trigger()
    qtbot.waitUntil(lambda: type(ui.flow.dialog).__name__ == "PreviewDialog", timeout=START_TIMEOUT_MS)
    assert [a.refund_id for a in ui.flow.dialog.plan().actions] == [detail.row.refund_id]
    ui.flow.dialog.reject()
    qtbot.waitUntil(lambda: not ui.flow.busy, timeout=5000)
