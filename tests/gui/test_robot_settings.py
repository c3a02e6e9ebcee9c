"""The "Phone alerts" settings page, pressed as a user presses it, against fake robots over loopback:
add a channel through its dialog, see it masked, send a test message, read the send log, switch it
off, remove it; a bad address is refused in the dialog; the app's relay sends the alert tiers."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox
from robot_fakes import FakeRobot

from desktop.core.robots.channels import ChannelBook
from desktop.ui.robots import ChannelDialog, RobotRelay, RobotSettingsPage

SECRET = "SECgui0123456789abcdef0123"


def make_page(qtbot, store, secret_store):
    relay = RobotRelay(store, None, lambda: secret_store, lambda: (1440, 360, 120, 30))
    page = RobotSettingsPage(relay)
    qtbot.addWidget(page)
    return relay, page


def answer_channel_dialog(
    qtbot, *, kind: str, name: str, url: str, secret: str = "", seen: list | None = None
):
    """Fill the channel dialog once it is shown and press Save (as the user does)."""

    def fill() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, ChannelDialog)
        dialog.kind.setCurrentIndex(dialog.kind.findData(kind))
        dialog.name.setText(name)
        dialog.url.setText(url)
        dialog.secret.setText(secret)
        save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
        qtbot.mouseClick(save, Qt.MouseButton.LeftButton)
        if seen is not None:
            seen.append(dialog.error.text() if dialog.isVisible() else "")
            if dialog.isVisible():
                dialog.reject()

    QTimer.singleShot(0, fill)


def test_add_a_signed_dingtalk_robot_test_it_and_remove_it(
    qtbot, store, secret_store, memory_keyring, wait_background, monkeypatch, app_home
):
    relay, page = make_page(qtbot, store, secret_store)
    wait_background()
    assert page.empty.isVisible() or not page.isVisible()
    with FakeRobot("dingtalk", secret=SECRET) as robot:
        answer_channel_dialog(qtbot, kind="dingtalk", name="售后群", url=robot.url, secret=SECRET)
        qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.table.rowCount() == 1, timeout=10_000)
        shown = " ".join(page.table.item(0, c).text() for c in range(page.COLUMNS))
        assert "售后群" in shown and robot.token[-4:] in shown and robot.token not in shown
        assert "Yes" in shown and "Never" in shown
        # credentials only in the keychain
        assert robot.token not in repr(store.settings.get("robots.channels"))
        assert any(robot.token in v for v in memory_keyring.entries.values())

        page.table.selectRow(0)
        qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "Test message sent" in page.status.text(), timeout=10_000)
        assert len(robot.accepted) == 1 and "test message" in robot.texts()[0].lower()
        qtbot.waitUntil(lambda: page.log.rowCount() == 1, timeout=10_000)
        assert page.log.item(0, 1).text() == "Sent"

        robot.script("bad_key")
        qtbot.mouseClick(page.test_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: "not sent" in page.status.text(), timeout=10_000)
        assert "not valid" in page.status.text()
        qtbot.waitUntil(lambda: page.log.rowCount() == 2, timeout=10_000)
        assert page.log.item(0, 1).text() == "Refused"

        page.enabled.click()  # off
        qtbot.waitUntil(lambda: "Off" in page.table.item(0, 4).text(), timeout=10_000)
        assert ChannelBook(store, secret_store).resolved() == []

        (cid,) = [c.id for c in ChannelBook(store, secret_store).channels()]
        monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
        qtbot.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.table.rowCount() == 0, timeout=10_000)
        wait_background()
        assert memory_keyring.entries == {}
        assert relay.robots.dispatcher.sends(cid) == []  # its send log forgotten too
        token = robot.token
    relay.close()
    store.close()
    from desktop.core.logsetup import close_logging, setup_logging

    setup_logging().flush()
    written = [p for p in app_home.rglob("*") if p.is_file()]
    close_logging()  # the log file is not left open behind the test
    assert written
    for path in written:  # the database, its WAL, the settings, the log
        data = path.read_bytes()
        assert token.encode() not in data and SECRET.encode() not in data, path.name


def test_a_bad_address_is_refused_in_the_dialog(qtbot, store, secret_store, wait_background):
    relay, page = make_page(qtbot, store, secret_store)
    wait_background()
    seen: list[str] = []
    answer_channel_dialog(
        qtbot, kind="wecom", name="x", url="http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", seen=seen
    )
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    wait_background()
    assert seen and "https://" in seen[0]
    assert page.table.rowCount() == 0 and ChannelBook(store, secret_store).channels() == []
    relay.close()


def test_robot_quiet_hours_are_saved_for_the_watcher_too(qtbot, store, secret_store, wait_background):
    from desktop.core.robots.planning import PolicySettings

    relay, page = make_page(qtbot, store, secret_store)
    wait_background()
    page.quiet_on.setChecked(True)
    page.night_ring.setValue(20)
    assert page.save()
    wait_background()
    saved = PolicySettings.load(store)
    assert saved.quiet_enabled and saved.night_ring_min == 20
    relay.close()


def test_the_relay_sends_the_alert_tiers_of_the_synced_shop(
    qtbot, store, secret_store, sandbox, wait_background
):
    from desktop.core.kuaishou.client import Credentials, KuaishouClient
    from desktop.core.rulesfile import load_default_rules
    from desktop.core.sync import Syncer

    rules = load_default_rules()
    c = sandbox.credentials
    client = KuaishouClient(
        Credentials(c.app_key, c.sign_secret, c.access_token, c.sign_method),
        base_url=sandbox.base_url,
        qps=1000,
    )
    seller = client.seller_info()
    shop = store.shops.add(base_url=sandbox.base_url, seller_id=seller.seller_id, name=seller.name)
    Syncer(client, store, rules, shop_id=shop.id, days=3).run()
    client.close()
    with FakeRobot("wecom") as robot:
        ChannelBook(store, secret_store).add("wecom", "仓库", robot.url)
        relay = RobotRelay(store, rules, lambda: secret_store, lambda: (1440, 360, 120, 30))
        with qtbot.waitSignal(relay.evaluated, timeout=10_000):
            relay.evaluate()
        relay.evaluate()  # nothing new: no second message
        wait_background()
        relay.close()
    assert len(robot.accepted) == 1
    assert seller.name in robot.texts()[0] and "request(s) near their deadline" in robot.texts()[0]


def test_the_guards_notices_reach_the_robots_through_the_relay(qtbot, store, secret_store, wait_background):
    from collections import namedtuple

    GuardNotice = namedtuple("GuardNotice", "kind shop_id title text refund_ids money_fen urgent")
    shop = store.shops.add(base_url="https://openapi.kwaixiaodian.com", seller_id=5, name="山河优选")
    with FakeRobot("feishu") as robot:
        ChannelBook(store, secret_store).add("feishu", "店长", robot.url)
        relay = RobotRelay(store, None, lambda: secret_store, lambda: (1440, 360, 120, 30))
        relay.guard_notice(
            GuardNotice(
                "result",
                shop.id,
                "The guard acted",
                "Agreed 2 requests before their deadline.",
                (1, 2),
                3980,
                False,
            )
        )
        qtbot.waitUntil(lambda: len(robot.accepted) == 1, timeout=10_000)
        wait_background()
        relay.close()
    assert "Agreed 2 requests before their deadline." in robot.texts()[0] and "山河优选" in robot.texts()[0]
