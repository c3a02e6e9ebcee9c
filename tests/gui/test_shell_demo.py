"""The whole app, started as ``aftersale-watch --demo`` would start it: the composition root, the
sandbox, the sign-in flow without typing, the first sync, browsing, a sync failure, and — at the end —
no secret or token in any file the app wrote."""

from __future__ import annotations

import argparse
import json

import pytest
from PySide6.QtWidgets import QApplication

from desktop import app as app_module
from desktop.core import paths
from desktop.core.secrets import MemoryKeyring

START_TIMEOUT_MS = 30_000


def _args(**kw) -> argparse.Namespace:
    defaults = {"demo": False, "no_error_dialogs": True, "lang": None, "data_dir": None, "command": None}
    defaults.update(kw)
    return argparse.Namespace(**defaults)


@pytest.fixture
def shell_factory(qtbot):
    shells = []

    def start(args: argparse.Namespace):
        shell = app_module.build(args)
        assert shell is not None
        shells.append(shell)
        qtbot.waitUntil(
            lambda: shell.window is not None or shell.failed is not None, timeout=START_TIMEOUT_MS
        )
        assert shell.failed is None, shell.failed
        return shell

    yield start
    for shell in shells:
        shell.shutdown()
    QApplication.processEvents()


def _secrets_in(keyring_backend: MemoryKeyring, sandbox) -> set[str]:
    values = {
        sandbox.credentials.app_secret,
        sandbox.credentials.sign_secret,
        sandbox.credentials.access_token,
        sandbox.credentials.refresh_token,
    }
    for raw in keyring_backend.entries.values():
        values.update(v for v in json.loads(raw).values())
    return {v for v in values if v}


def _files_written(home) -> list:
    return sorted(p for p in home.rglob("*") if p.is_file())


@pytest.mark.slow
def test_demo_session_signs_in_syncs_and_leaves_no_secret_in_any_file(
    qtbot, shell_factory, memory_keyring, app_home, tmp_path
):
    shell = shell_factory(_args(demo=True))
    window = shell.window
    sandbox = shell.backend.sandbox
    assert sandbox is not None and sandbox.base_url.startswith("http://127.0.0.1:")

    # signed in through the OAuth loopback flow, by itself, then the first sync filled the queue
    qtbot.waitUntil(lambda: window.shop is not None and window.client is not None, timeout=START_TIMEOUT_MS)
    assert next(e["endpoint"] for e in sandbox.oauth_log) == "oauth.authorize"
    assert window.shop.auth_mode == "oauth"
    assert window.shop.seller_id == sandbox.credentials.seller_id
    qtbot.waitUntil(
        lambda: window._last_fresh_ms is not None and not window.syncing, timeout=START_TIMEOUT_MS
    )
    queue = window.queue_widget
    qtbot.waitUntil(lambda: queue.merchant_view.model.rowCount() > 0, timeout=START_TIMEOUT_MS)
    assert window.windowTitle().startswith(window.shop.label)
    assert "数据更新于" in window.status_bar.freshness.text()  # Chinese by default
    assert window.menus.sync_action.text() == "立即同步"

    # browsing: select a request; its details arrive from the store
    queue.merchant_view.table.selectRow(0)
    assert len(queue.selected_rows()) == 1
    detail = window.detail_dock.widget()
    qtbot.waitUntil(
        lambda: detail.row is not None and detail.row.refund_id == queue.selected_rows()[0].refund_id
    )

    # export the view into the exports folder
    target = paths.export_dir() / "queue.csv"
    with qtbot.waitSignal(window.exported, timeout=START_TIMEOUT_MS):
        window.export_csv(str(target))
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM for Excel

    # the gateway goes away: a banner says so, the cached list stays
    rows_before = queue.merchant_view.model.rowCount()
    sandbox.stop()
    with qtbot.waitSignal(window.sync_failed, timeout=START_TIMEOUT_MS):
        window.sync_now()
    assert window.banner.isVisible()
    assert "同步失败" in window.banner.label.text()
    assert queue.merchant_view.model.rowCount() == rows_before

    # the window remembers its geometry for the next start
    window.resize(1100, 650)
    shell.shutdown()
    shell.window = None
    secrets = _secrets_in(memory_keyring, sandbox)
    assert len(secrets) >= 5  # the demo app's secrets and the tokens the sign-in produced
    files = _files_written(app_home)
    names = {p.name for p in files}
    assert {"aftersale-watch.log", "settings.ini", "queue.csv"} <= names
    saved = (paths.config_dir() / "settings.ini").read_text(encoding="utf-8")
    assert "geometry=" in saved and "active=" in saved  # the window and the shop come back next time
    assert any(p.name.startswith("aftersale-watch.sqlite3") for p in files)
    leaks = [
        (str(p.relative_to(app_home)), s[:6] + "…")
        for p in files
        for s in secrets
        if s.encode() in p.read_bytes()
    ]
    assert leaks == []


def test_english_is_selectable_and_a_first_start_asks_to_sign_in(qtbot, shell_factory, memory_keyring):
    shell = shell_factory(_args(lang="en"))
    window = shell.window
    assert window.menus.sync_action.text() == "Sync now"
    qtbot.waitUntil(lambda: shell.login is not None, timeout=START_TIMEOUT_MS)
    assert shell.login.windowTitle() == "Sign in to a Kuaishou shop"
    assert window.shop is None
    shell.login.reject()
    qtbot.waitUntil(window.banner.isVisible)
    assert "Sign in" in window.banner.button.text()


def test_a_second_launch_brings_the_first_forward(qtbot, shell_factory, memory_keyring):
    shell = shell_factory(_args())
    with qtbot.waitSignal(shell.instance.activation_requested, timeout=5000):
        assert app_module.build(_args()) is None  # exits at once


def test_the_remembered_shop_shows_its_cached_requests_at_once(qtbot, shell_factory, memory_keyring, store):
    """A restart without its secrets (session-only keychain): the cached list shows, a banner offers
    the sign-in, nothing is fetched."""
    import time

    from desktop.core.kuaishou.models import Refund, parse
    from desktop.ui.settings import Settings

    now = int(time.time() * 1000)
    shop = store.shops.add(base_url="http://127.0.0.1:9", seller_id=42, name="晨光小铺")
    refunds = [
        parse(
            Refund,
            {
                "refundId": 2_100_000_000_000_000 + i,
                "oid": 9_000 + i,
                "handlingWay": 10,
                "negotiateStatus": 1,
                "status": 10,
                "refundFee": 990,
                "createTime": now,
                "updateTime": now,
                "expireTime": now + (i + 1) * 3_600_000,
            },
        )
        for i in range(7)
    ]
    store.refunds.upsert(shop.id, refunds, seen_at=now, merchant_turn=lambda r: True)
    settings = Settings()
    settings.set_active_shop(shop.id)
    settings.sync()

    shell = shell_factory(_args())
    window = shell.window
    assert window.shop is not None and window.shop.id == shop.id  # there with the first window
    assert window.queue_widget.merchant_view.model.rowCount() == 7
    qtbot.waitUntil(lambda: window.needs_sign_in, timeout=START_TIMEOUT_MS)
    assert window.banner.isVisible() and "晨光小铺" in window.banner.label.text()
    assert window.client is None and not window.syncing
