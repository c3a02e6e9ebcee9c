"""The shell: single instance, error hooks, translations, background work, settings, icons."""

from __future__ import annotations

import logging
import sys
import threading
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import QCoreApplication, QSettings, QThread
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from desktop.core import i18n as core_i18n
from desktop.core import logsetup, paths
from desktop.ui import i18n
from desktop.ui import settings as keys
from desktop.ui.errors import ErrorDialog, ErrorReporter
from desktop.ui.icons import app_icon
from desktop.ui.settings import Settings
from desktop.ui.single_instance import SingleInstance, server_name
from desktop.ui.workers import run_in_background


# ---------------------------------------------------------------------------- single instance
def test_a_second_instance_asks_the_first_to_come_forward(qtbot):
    first = SingleInstance(name=f"{server_name()}-t")
    assert first.claim()
    try:
        second = SingleInstance(name=first.name)
        with qtbot.waitSignal(first.activation_requested, timeout=3000):
            assert second.claim() is False
    finally:
        first.release()
    # once the first is gone, a new launch becomes the instance
    third = SingleInstance(name=first.name)
    assert third.claim()
    third.release()


def test_the_socket_name_follows_the_data_home(tmp_path):
    name_here = server_name()
    paths.set_home(tmp_path / "other-home")
    assert server_name() != name_here
    assert len(server_name()) < 64  # Unix socket paths are short


# ---------------------------------------------------------------------------- error hooks
@pytest.fixture
def reporter():
    rep = ErrorReporter(show_dialogs=False)
    rep.install()
    yield rep
    rep.uninstall()
    if rep.dialog is not None:
        rep.dialog.close()


def _raise(message: str) -> BaseException:
    try:
        raise RuntimeError(message)
    except RuntimeError as exc:
        return exc


def test_uncaught_errors_are_logged_without_a_dialog_when_suppressed(reporter, qtbot, caplog):
    assert sys.excepthook == reporter.excepthook
    assert threading.excepthook == reporter.thread_excepthook
    exc = _raise("boom in the UI thread")
    with caplog.at_level(logging.CRITICAL), qtbot.waitSignal(reporter.reported) as blocker:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    assert "boom in the UI thread" in caplog.text
    assert "Traceback" in blocker.args[0]
    qtbot.wait(10)
    assert reporter.dialog is None


def test_errors_in_other_threads_reach_the_hook(reporter, qtbot, caplog):
    def fail() -> None:
        raise ValueError("boom in a worker thread")

    with caplog.at_level(logging.CRITICAL), qtbot.waitSignal(reporter.reported, timeout=3000) as blocker:
        worker = threading.Thread(target=fail, name="worker-x")
        worker.start()
        worker.join()
    assert "boom in a worker thread" in blocker.args[0]
    assert "worker-x" in caplog.text


def test_a_thread_error_without_an_instance_is_logged_by_name_and_shows_nothing(reporter, qtbot, caplog):
    reported: list = []
    reporter.reported.connect(reported.append)
    thread = threading.Thread(name="worker-y")
    args = threading.ExceptHookArgs((KeyError, None, None, thread))
    with caplog.at_level(logging.CRITICAL):
        threading.excepthook(args)
    qtbot.wait(10)
    assert "worker-y: KeyError" in caplog.text
    assert reported == [] and reporter.dialog is None


def test_one_dialog_collects_errors_with_copyable_redacted_details(qtbot, monkeypatch):
    monkeypatch.setattr(ErrorReporter, "force_no_dialogs", False)
    rep = ErrorReporter(show_dialogs=True)
    logsetup.register_secret("tok-SECRET-123456")
    try:
        for message in ("first failure with tok-SECRET-123456", "second failure"):
            exc = _raise(message)
            rep.excepthook(type(exc), exc, exc.__traceback__)
        qtbot.waitUntil(lambda: rep.dialog is not None and rep.dialog.isVisible())
        dialog = rep.dialog
        assert isinstance(dialog, ErrorDialog)
        details = dialog.details.toPlainText()
        assert "first failure" in details and "second failure" in details
        assert "tok-SECRET-123456" not in details
        assert str(paths.log_file()) in dialog.log_label.text()
        dialog.copy_button.click()
        assert "second failure" in QGuiApplication.clipboard().text()
        assert [
            w for w in QApplication.topLevelWidgets() if isinstance(w, ErrorDialog) and w.isVisible()
        ] == [dialog]
    finally:
        if rep.dialog is not None:
            rep.dialog.close()


# ---------------------------------------------------------------------------- translations
@pytest.fixture
def installed():
    app = QCoreApplication.instance()
    translators: list = []

    def install(lang: str) -> None:
        translators.extend(i18n.install_translators(app, lang, i18n.ensure_compiled(lang)))

    yield install
    for translator in translators:
        app.removeTranslator(translator)
    core_i18n.set_language(core_i18n.DEFAULT_LANGUAGE)


def test_chinese_is_compiled_on_first_start_and_shown(installed, qtbot):
    from desktop.ui.banner import Banner

    cached = paths.cache_dir() / "translations" / i18n.qm_name("zh_CN")
    if i18n.qm_file("zh_CN") is None:  # nothing compiled beside the sources: the cache gets one
        assert i18n.ensure_compiled("zh_CN") == cached
    assert i18n.qm_file("zh_CN") is not None
    installed("zh_CN")
    assert QCoreApplication.translate("WindowMenus", "Sync now") == "立即同步"
    banner = Banner()
    qtbot.addWidget(banner)
    assert banner.findChild(type(banner.button)) is not None
    assert core_i18n.language() == "zh_CN"


def test_english_shows_the_source_texts(installed):
    installed("en")
    assert QCoreApplication.translate("WindowMenus", "Sync now") == "Sync now"
    assert core_i18n.language() == "en"


def test_an_outdated_compiled_catalog_is_rebuilt(app_home, tmp_path, monkeypatch):
    # the sources alone (a checkout where a bundle build compiled catalogs beside them is not this case)
    import os
    import shutil

    sources = tmp_path / "translations"
    sources.mkdir()
    shutil.copy2(i18n.ts_file("zh_CN"), sources)
    monkeypatch.setattr(i18n, "ts_dir", lambda: sources)
    first = i18n.ensure_compiled("zh_CN")
    assert first is not None and first.parent == paths.cache_dir() / "translations"
    source = i18n.ts_file("zh_CN")

    old = source.stat().st_mtime - 100
    os.utime(first, (old, old))
    assert i18n.qm_file("zh_CN") is None  # older than its source: not used
    assert i18n.ensure_compiled("zh_CN") == first
    assert first.stat().st_mtime >= source.stat().st_mtime


def test_the_compile_command_writes_qm_files(tmp_path):
    assert i18n.main(["compile", str(tmp_path)]) == 0
    qm = tmp_path / i18n.qm_name("zh_CN")
    assert qm.is_file() and qm.stat().st_size > 100


def _ts_messages(path) -> list[tuple[str, str, ET.Element]]:
    root = ET.parse(path).getroot()
    return [
        (ctx.findtext("name") or "", msg.findtext("source") or "", msg.find("translation"))
        for ctx in root.iter("context")
        for msg in ctx.iter("message")
    ]


def _translated(tr: ET.Element | None) -> bool:
    if tr is None or tr.get("type") in ("unfinished", "vanished", "obsolete"):
        return False
    forms = tr.findall("numerusform")
    texts = [f.text for f in forms] if forms else [tr.text]
    return all((t or "").strip() for t in texts)


def test_every_widget_text_has_a_chinese_translation():
    unfinished = [
        f"{ctx}: {src!r}" for ctx, src, tr in _ts_messages(i18n.ts_file("zh_CN")) if not _translated(tr)
    ]
    assert not unfinished, (
        "untranslated (run `python -m desktop.ui.i18n update` and translate):\n" + "\n".join(unfinished)
    )


def test_the_ts_source_holds_every_tr_text_of_the_ui(tmp_path, monkeypatch):
    """Somebody added a tr() text without running the update command: the .ts would miss it."""
    copy = tmp_path / "translations"
    copy.mkdir()
    (copy / i18n.ts_file("zh_CN").name).write_bytes(i18n.ts_file("zh_CN").read_bytes())
    monkeypatch.setattr(i18n, "ts_dir", lambda: copy)
    before = {(c, s) for c, s, _ in _ts_messages(copy / i18n.ts_file("zh_CN").name)}
    i18n.update_sources()
    after = {(c, s) for c, s, _ in _ts_messages(copy / i18n.ts_file("zh_CN").name)}
    assert after - before == set(), "texts missing from the .ts: run `python -m desktop.ui.i18n update`"


# ---------------------------------------------------------------------------- background work
def test_results_come_back_on_the_ui_thread(qtbot):
    ui_thread = QThread.currentThread()
    seen: dict = {}

    def work(progress):
        seen["worker"] = QThread.currentThread() is not ui_thread
        progress(1, 2)
        return 42

    def done(value):
        seen["done"] = (value, QThread.currentThread() is ui_thread)

    def on_progress(a, b):
        seen["progress"] = (a, b, QThread.currentThread() is ui_thread)

    run_in_background(work, done, on_progress=on_progress)
    qtbot.waitUntil(lambda: "done" in seen)
    assert seen == {"worker": True, "progress": (1, 2, True), "done": (42, True)}


def test_failures_go_to_on_error_or_to_the_excepthook(qtbot, monkeypatch):
    errors: list = []
    run_in_background(lambda: 1 / 0, lambda _v: errors.append("done?"), errors.append)
    qtbot.waitUntil(lambda: bool(errors))
    assert isinstance(errors[0], ZeroDivisionError)

    hooked: list = []
    monkeypatch.setattr(sys, "excepthook", lambda t, e, tb: hooked.append(e))
    run_in_background(lambda: {}["missing"])
    qtbot.waitUntil(lambda: bool(hooked))
    assert isinstance(hooked[0], KeyError)


def test_a_cancelled_task_delivers_nothing(qtbot):
    gate = threading.Event()
    delivered: list = []
    task = run_in_background(lambda: gate.wait(5), delivered.append)
    task.cancel()
    gate.set()
    qtbot.waitUntil(lambda: task.done)
    assert delivered == []


def test_qt_messages_go_to_the_log(caplog):
    from PySide6.QtCore import QMessageLogContext, QtMsgType

    from desktop.ui.application import qt_message_handler

    with caplog.at_level(logging.DEBUG, logger="qt"):
        qt_message_handler(QtMsgType.QtWarningMsg, QMessageLogContext(), "QPainter::begin: odd")
        qt_message_handler(QtMsgType.QtCriticalMsg, QMessageLogContext(), "something critical")
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (logging.WARNING, "QPainter::begin: odd"),
        (logging.ERROR, "something critical"),
    ]


# ---------------------------------------------------------------------------- settings, icon
def test_settings_live_in_an_ini_file_in_the_config_dir():
    settings = Settings()
    assert settings.language() == "zh_CN"  # Chinese by default
    settings.set_language("en")
    settings.set_active_shop(12)
    settings.sync()
    ini = paths.config_dir() / keys.FILE_NAME
    assert ini.is_file()
    again = Settings(QSettings(str(ini), QSettings.Format.IniFormat))
    assert again.language() == "en" and again.active_shop() == 12
    with pytest.raises(ValueError, match="unsupported language"):
        settings.set_language("fr")


@pytest.mark.parametrize(
    ("stored", "used_s"),
    [("30", 60), ("5", 60), ("-1", 60), ("600", 600), ("99999999", 7200), ("abc", 300), ("", 300)],
)
def test_the_one_sync_interval_setting_reads_any_stored_value_safely(qtbot, stored, used_s):
    """The sync interval has one setting, the alerts page's (1 to 120 minutes). A value an older
    version stored under the same key (its minimum was 30 s, no maximum) or a hand-edited one is
    brought into that range: the poller's timer gets a valid delay and the page shows it."""
    from desktop.ui.alert_settings import AlertPrefs, AlertSettingsPage
    from desktop.ui.alerts import Poller

    settings = Settings()
    settings.qs.setValue("sync/interval_s", stored)
    prefs = AlertPrefs(settings.qs, (1, 2))
    assert prefs.poll_interval_s() == used_s
    poller = Poller(prefs.poll_policy)
    poller.start(sync_now=False)
    assert poller.timer.isActive() and poller.timer.interval() == used_s * 1000
    poller.stop()
    page = AlertSettingsPage(prefs)
    qtbot.addWidget(page)
    assert page.poll.value() == used_s // 60


def test_the_app_icon_is_rendered_sharp_for_high_dpi():
    icon = app_icon()
    assert not icon.isNull()
    sizes = {(s.width(), s.height()) for s in icon.availableSizes()}
    assert {(16, 16), (32, 32), (256, 256), (512, 512)} <= sizes  # 256 @2x = 512 device pixels
    pixmap = icon.pixmap(32, 32)
    image = pixmap.toImage()
    assert image.pixelColor(16, 16).alpha() == 255  # drawn, not blank
    assert image.pixelColor(0, 0).alpha() == 0  # transparent corner
