"""The desktop app started on a broken world: a damaged database is offered a rebuild (the damaged
file kept), a refused rebuild touches nothing, a bad rules file is named with its key, and an
unwritable log folder does not stop it. Dialogs are answered at their boundary."""

from __future__ import annotations

import argparse
import logging

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop import app as app_module
from desktop.core import i18n, logsetup, paths, rulesfile
from desktop.core.store import StoreDamaged, open_store

START_TIMEOUT_MS = 30_000
GARBAGE = b"this is not an SQLite database, it is a damaged file " * 200


def _args(**kw) -> argparse.Namespace:
    defaults = {
        "demo": False,
        "no_error_dialogs": True,
        "lang": None,
        "data_dir": None,
        "command": None,
        "hidden": False,
    }
    defaults.update(kw)
    return argparse.Namespace(**defaults)


@pytest.fixture
def start(qtbot, memory_keyring):
    shells = []

    def run(args: argparse.Namespace):
        i18n.set_language(i18n.DEFAULT_LANGUAGE)  # as at a process's start (an earlier app set it)
        shell = app_module.build(args)
        assert shell is not None
        shells.append(shell)
        qtbot.waitUntil(
            lambda: shell.window is not None or shell.failed is not None, timeout=START_TIMEOUT_MS
        )
        return shell

    yield run
    app = QApplication.instance()
    for shell in shells:
        shell.shutdown()
        if shell.failed is not None:
            # a failed start asked the application to exit, which only an event loop's start
            # clears: run one that quits at once, so that the next test's waits work again
            QTimer.singleShot(0, app.quit)
            app.exec()
    QApplication.processEvents()
    root = logging.getLogger()
    if logsetup._configured is not None:  # the next test sets up its own log file
        root.removeHandler(logsetup._configured)
        logsetup._configured.close()
        logsetup._configured = None
        logsetup._fallback_target = None


class Asked(list):
    answer: dict


@pytest.fixture
def questions(monkeypatch):
    asked = Asked()
    answer = {"value": QMessageBox.StandardButton.Yes}

    def question(parent, title, text, *args, **kwargs):
        asked.append((title, text))
        return answer["value"]

    monkeypatch.setattr(QMessageBox, "question", staticmethod(question))
    asked.answer = answer
    return asked


def test_a_damaged_database_is_offered_a_rebuild_and_kept(qtbot, start, questions):
    db = paths.database_path()
    db.write_bytes(GARBAGE)
    shell = start(_args())
    assert shell.failed is None and shell.window is not None
    ((title, text),) = questions
    assert title == "本地数据库已损坏"
    assert str(db) in text and "重建" in text
    kept = list(db.parent.glob(db.name + ".damaged-*"))
    assert len(kept) == 1 and kept[0].read_bytes() == GARBAGE  # the damaged file is kept as it was
    assert "已保留为" in shell.window.statusBar().currentMessage()
    assert str(kept[0]) in shell.window.statusBar().currentMessage()
    # the app runs on a fresh, working database
    assert shell.backend.store.shops.all() == []


def test_a_refused_rebuild_stops_the_app_and_touches_nothing(qtbot, start, questions):
    db = paths.database_path()
    db.write_bytes(GARBAGE)
    questions.answer["value"] = QMessageBox.StandardButton.No
    shell = start(_args())
    assert isinstance(shell.failed, StoreDamaged) and shell.window is None
    assert len(questions) == 1
    assert db.read_bytes() == GARBAGE
    assert list(db.parent.glob(db.name + ".damaged-*")) == []


def test_a_healthy_database_is_not_questioned(qtbot, start, questions):
    store = open_store()
    store.shops.add(base_url="http://127.0.0.1:1", seller_id=1)
    store.close()
    shell = start(_args())
    assert shell.failed is None and questions == []
    assert [s.seller_id for s in shell.backend.store.shops.all()] == [1]


def test_a_bad_rules_file_is_named_with_its_key_by_the_window(qtbot, start, monkeypatch, tmp_path):
    bad = tmp_path / "kuaishou.toml"
    bad.write_bytes(
        rulesfile.default_rules_path().read_bytes().replace(b"limit_hours = 48", b"limit_hours = 1e12", 1)
    )
    monkeypatch.setattr(rulesfile, "default_rules_path", lambda: bad)
    from desktop.ui.errors import ErrorReporter

    monkeypatch.setattr(ErrorReporter, "force_no_dialogs", False)
    shown: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "critical", staticmethod(lambda parent, title, text, *a, **k: shown.append(text))
    )
    shell = start(_args(no_error_dialogs=False))
    assert shell.failed is not None and shell.window is None
    (text,) = shown
    assert str(bad) in text and "stages.review_refund_only.limit_hours" in text and "720" in text


def test_an_unwritable_log_folder_does_not_stop_the_app(qtbot, start, capfd):
    logs = paths.home_override() / "logs"
    logs.parent.mkdir(parents=True, exist_ok=True)
    logs.write_text("a file where the log folder should be")
    shell = start(_args())
    assert shell.failed is None and shell.window is not None
    err = capfd.readouterr().err
    assert "无法写入日志文件" in err and "Traceback" not in err


def test_an_unwritable_home_is_named_by_the_window_not_a_crash(qtbot, start, monkeypatch, tmp_path, capfd):
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    home = blocker / "home"  # nothing can be created below a file
    paths.set_home(home)
    from desktop.core.store import StoreUnavailable
    from desktop.ui.errors import ErrorReporter

    monkeypatch.setattr(ErrorReporter, "force_no_dialogs", False)
    shown: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "critical", staticmethod(lambda parent, title, text, *a, **k: shown.append(text))
    )
    shell = start(_args(no_error_dialogs=False))
    assert isinstance(shell.failed, StoreUnavailable)
    (text,) = shown
    assert str(home / "data") in text
    assert "无法写入日志文件" in capfd.readouterr().err
