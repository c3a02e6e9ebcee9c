"""The whole app's warnings (issue 6 wiring): in-app alerts without a tray, a click on an alert
selecting its requests, and — with a tray — closing the window keeps the app running (said once)."""

from __future__ import annotations

import pytest

from desktop.ui import tray as tray_module
from tests.gui.test_shell_demo import START_TIMEOUT_MS, _args, shell_factory  # noqa: F401


def _started_demo(qtbot, shell_factory):
    shell = shell_factory(_args(demo=True))
    window = shell.window
    qtbot.waitUntil(
        lambda: (
            window.shop is not None
            and not window.syncing
            and window.queue_widget.merchant_view.model.rowCount() > 0
        ),
        timeout=START_TIMEOUT_MS,
    )
    return shell, window


def test_without_a_tray_alerts_show_in_the_window_and_a_click_selects_those_requests(
    qtbot,
    shell_factory,
    memory_keyring,
):
    shell, window = _started_demo(qtbot, shell_factory)
    watch = shell.watch
    assert not watch.tray.available and not window.hide_to_tray  # offscreen: no system tray
    banner = watch.notifier.banner
    # the demo shop has requests minutes from their deadline: the first evaluation warns of them
    qtbot.waitUntil(lambda: not banner.isHidden(), timeout=START_TIMEOUT_MS)
    assert "售后单" in banner.text.text()
    keys = banner._keys
    assert keys and all(shop_id == window.shop.id for shop_id, _ in keys)
    queue = window.queue_widget
    queue.merchant_view.table.clearSelection()
    banner.show_button.click()
    assert sorted(r.refund_id for r in queue.selected_rows()) == sorted(rid for _, rid in keys)
    # the tray summary was computed: critical requests exist in the demo shop
    assert watch.tray.state == "critical" and watch.tray.critical_count > 0


@pytest.mark.qt_log_ignore("systemTrayWindowChanged")
def test_with_a_tray_closing_the_window_keeps_the_app_running_and_says_so_once(
    qtbot,
    shell_factory,
    memory_keyring,
    monkeypatch,
):
    monkeypatch.setattr(tray_module.QSystemTrayIcon, "isSystemTrayAvailable", staticmethod(lambda: True))
    told = []
    monkeypatch.setattr(tray_module.QSystemTrayIcon, "showMessage", lambda self, *a: told.append(a[0]))
    shell, window = _started_demo(qtbot, shell_factory)
    assert shell.watch.tray.available and window.hide_to_tray
    assert not shell.app.quitOnLastWindowClosed()
    window.close()
    assert not window.isVisible() and shell.stopped is False
    assert "售后守望仍在运行" in told
    window.show()
    window.close()
    assert told.count("售后守望仍在运行") == 1  # said once, the first time
    # the tray's Quit ends the app for real
    quits = []
    monkeypatch.setattr(shell.app, "quit", lambda: quits.append(1))
    shell.watch.tray.quit_action.trigger()
    assert quits == [1] and window.hide_to_tray is False
