"""Suite-wide test set-up.

* Qt runs on the offscreen platform.
* Every test gets its own app home (``AFTERSALE_WATCH_HOME`` and :func:`paths.set_home`), so nothing
  is written to the real home directory, settings or logs.
* No test reaches the network: the sandbox runs on loopback.
* No test leaves anything behind (autouse :func:`no_leaks`): threads, background work on the Qt
  thread pool, open stores (SQLite connections), open files or sockets, top-level widgets. A test
  that leaves one fails, naming it.
"""

from __future__ import annotations

import gc
import os
import sys
import tempfile
import threading
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# a suite-wide fallback home, before anything imports the app's paths module
os.environ["AFTERSALE_WATCH_HOME"] = tempfile.mkdtemp(prefix="aftersale-watch-tests-")

import pytest

from desktop.core import paths
from desktop.core.kuaishou import transport

# A session's deadline thread outlives its last call by a couple of seconds in the app (so a burst of
# calls starts one thread, not one each); under test it ends with the call, so the leak check below
# does not wait out that grace after every test that made a call.
transport._Watchdog.IDLE_S = 0.0


#: how long a test's threads, pool work and files may take to wind down after it
LEAK_GRACE_S = 5.0
# file descriptors that are not the test's: shared libraries, fonts and their caches, the Qt
# platform's pipes and event fds (opened once, by the first test that starts Qt), terminals
_SHARED_FD_PREFIXES = (
    "/dev/",
    "/usr/",
    "/etc/",
    "/proc/",
    "/sys/",
    "/var/cache/",
    sys.prefix,
    sys.base_prefix,
    "pipe:",
    "anon_inode:",
)


def _open_fds() -> dict[int, str]:
    fds: dict[int, str] = {}
    try:
        names = os.listdir("/proc/self/fd")
    except OSError:  # not Linux: the file check is skipped
        return fds
    for name in names:
        try:
            fds[int(name)] = os.readlink(f"/proc/self/fd/{name}")
        except OSError:
            continue  # closed meanwhile (or the listing's own descriptor)
    return fds


def _socket_names() -> dict[str, str]:
    """``socket:[inode]`` -> "local -> remote (state)" of this process's TCP sockets (Linux)."""
    names: dict[str, str] = {}

    def addr(hexed: str) -> str:
        host, port = hexed.split(":")
        if len(host) == 8:
            host = ".".join(str(int(host[i : i + 2], 16)) for i in (6, 4, 2, 0))
        return f"{host}:{int(port, 16)}"

    for table in ("/proc/self/net/tcp", "/proc/self/net/tcp6"):
        try:
            with open(table, encoding="ascii") as rows:
                next(rows)
                for row in rows:
                    f = row.split()
                    names[f"socket:[{f[9]}]"] = (
                        f"{addr(f[1])} -> {addr(f[2])} ({'LISTEN' if f[3] == '0A' else f[3]})"
                    )
        except (OSError, ValueError, IndexError, StopIteration):
            continue
    return names


def _shared_fd(target: str) -> bool:
    return target.startswith(_SHARED_FD_PREFIXES) or ".cache/fontconfig" in target


def _threads() -> set[threading.Thread]:
    # Qt's pool threads appear as dummy threads once they run Python: they are the pool's, checked
    # through the pool itself
    return {t for t in threading.enumerate() if not isinstance(t, threading._DummyThread)}


def _top_level_widgets() -> dict[int, str] | None:
    try:
        from PySide6.QtCore import QCoreApplication, QEvent
        from PySide6.QtWidgets import QApplication
    except ImportError:  # pragma: no cover - PySide6 is a dependency
        return None
    app = QApplication.instance()
    if app is None:
        return None
    from shiboken6 import Shiboken

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    # keyed by the C++ object (a Python wrapper's id changes from one call to the next)
    return {
        Shiboken.getCppPointer(w)[0]: f"{w.metaObject().className()} {w.objectName() or w.windowTitle()!r}"
        for w in QApplication.topLevelWidgets()
        if w.metaObject().className() != "QTipLabel"
    }


def _pool_idle(timeout_ms: int) -> bool:
    if "PySide6.QtCore" not in sys.modules:
        return True
    from PySide6.QtCore import QCoreApplication, QThreadPool

    pool = QThreadPool.globalInstance()
    ok = pool.waitForDone(timeout_ms)
    if QCoreApplication.instance() is not None:
        QCoreApplication.processEvents()  # deliver what the finished work sent back
    return ok


@pytest.fixture(autouse=True)
def no_leaks(request):
    """Fail a test that leaves threads, background work, open stores, open files or sockets, or
    top-level widgets behind (checked after every other fixture of the test was torn down)."""
    from desktop.core.store.database import open_stores

    threads = _threads()
    stores = {id(s) for s in open_stores()}
    fds = _open_fds()
    widgets = _top_level_widgets()
    yield
    # a known, explained exception (the marker says why): sockets the test's own HTTP calls leave
    sockets_allowed = request.node.get_closest_marker("sockets_left_known") is not None
    problems: list[str] = []
    if not _pool_idle(int(LEAK_GRACE_S * 1000)):
        problems.append("background work still running on the Qt thread pool")
    gc.collect()  # objects nothing refers to any more close their files and sockets
    deadline = time.monotonic() + LEAK_GRACE_S
    while True:
        extra_threads = _threads() - threads
        extra_stores = [s for s in open_stores() if id(s) not in stores]
        now_fds = _open_fds()
        extra_fds = sorted(
            (fd, target)
            for fd, target in now_fds.items()
            if fds.get(fd) != target
            and not _shared_fd(target)
            and not (sockets_allowed and target.startswith("socket:"))
        )
        if not (extra_threads or extra_stores or extra_fds) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    if extra_threads:
        problems.append("threads still running: " + ", ".join(sorted(t.name for t in extra_threads)))
    if extra_stores:
        problems.append("stores not closed: " + ", ".join(str(s.path) for s in extra_stores))
    if extra_fds:
        sockets = _socket_names()
        problems.append(
            "files or sockets still open: "
            + ", ".join(f"{fd} -> {t}" + (f" {sockets[t]}" if t in sockets else "") for fd, t in extra_fds)
        )
    after = _top_level_widgets()
    if widgets is not None and after is not None and set(after) - set(widgets):
        problems.append("top-level widgets left: " + ", ".join(after[k] for k in set(after) - set(widgets)))
    if problems:
        report = os.environ.get("AFTERSALE_LEAK_REPORT")
        if report:  # survey mode: collect, do not fail
            with open(report, "a", encoding="utf-8") as out:
                out.write(f"{request.node.nodeid}: {'; '.join(problems)}\n")
            return
        pytest.fail("left behind: " + "; ".join(problems), pytrace=False)


@pytest.fixture(autouse=True)
def app_home(tmp_path, monkeypatch):
    """A fresh app home for every test."""
    home = tmp_path / "home"
    monkeypatch.setenv(paths.ENV_HOME, str(home))
    paths.set_home(home)
    yield home
    paths.set_home(None)
