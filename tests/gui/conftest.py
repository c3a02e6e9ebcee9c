"""Fixtures for the GUI tests (pytest-qt, offscreen).

* ``QSettings`` — every scope and format points into the test's app home (autouse), so no test
  touches the real settings.
* Error dialogs are suppressed (autouse): unexpected errors are logged, never shown modally.
* ``memory_keyring`` — an in-memory keychain that ``keyring`` returns to everyone for this test;
  ``secret_store`` — a :class:`SecretStore` on it.
* ``sandbox`` — the embedded Kuaishou sandbox, started on loopback and stopped afterwards.
* ``store`` — a fresh SQLite store in the test home.
* ``wait_background`` — wait until the background work started by the UI has finished.
"""

from __future__ import annotations

import keyring
import pytest
from PySide6.QtCore import QSettings, QThreadPool

from desktop.core import paths
from desktop.core.secrets import MemoryKeyring, SecretStore
from desktop.ui import errors as ui_errors


@pytest.fixture(autouse=True)
def qsettings_in_test_home(app_home):
    """Point every QSettings (any format, any scope) into the test home."""
    config = str(paths.config_dir())
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(fmt, scope, config)
    previous = QSettings.defaultFormat()
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    yield config
    QSettings.setDefaultFormat(previous)


@pytest.fixture(autouse=True)
def source_language():
    """Widgets show their source (English) texts unless a test installs a translator: the Qt-free
    core's texts (shared labels, risk reasons) follow the same language, as the shell makes them."""
    from desktop.core import i18n as core_i18n

    core_i18n.set_language("en")
    yield
    core_i18n.set_language(core_i18n.DEFAULT_LANGUAGE)


@pytest.fixture(autouse=True)
def no_error_dialogs(monkeypatch):
    """Unexpected errors are logged, never shown in a (modal) dialog, during GUI tests."""
    monkeypatch.setattr(ui_errors.ErrorReporter, "force_no_dialogs", True)


@pytest.fixture
def memory_keyring(monkeypatch) -> MemoryKeyring:
    backend = MemoryKeyring()
    monkeypatch.setattr(keyring, "get_keyring", lambda: backend)
    return backend


@pytest.fixture
def secret_store(memory_keyring) -> SecretStore:
    return SecretStore(backend=memory_keyring)


@pytest.fixture
def sandbox():
    from desktop.sandbox import Sandbox

    sb = Sandbox(seed=7)
    sb.start()
    try:
        yield sb
    finally:
        sb.stop()


@pytest.fixture
def store(app_home):
    from desktop.core.store import open_store

    st = open_store()
    try:
        yield st
    finally:
        st.close()


@pytest.fixture
def wait_background(qtbot):
    """``wait_background()``: block (processing events) until the thread pool is idle and the
    results were delivered to the UI thread."""

    def wait(timeout_ms: int = 10_000) -> None:
        pool = QThreadPool.globalInstance()
        qtbot.waitUntil(lambda: pool.activeThreadCount() == 0, timeout=timeout_ms)
        qtbot.wait(10)  # deliver the queued results

    yield wait
    QThreadPool.globalInstance().waitForDone(10_000)
