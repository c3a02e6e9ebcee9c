"""Benchmark: start-up to the first painted main window with 10,000 cached requests, against a bare
PySide6 window's start-up.

    python tests/benchmarks/bench_startup.py [--requests N] [--runs N]

Each run is a fresh process (the wall time includes the interpreter, imports, Qt, the store, the
translations and the queue of N cached requests). The app run counts until the main window has been
painted with the cached requests in its queue; the bare run until a plain ``QMainWindow`` has been
painted. The shop is the remembered one but has no secrets here, so the app shows the cached list
without syncing (no network).

The modules' bytecode is cached (in a temporary ``PYTHONPYCACHEPREFIX``, even when
``PYTHONDONTWRITEBYTECODE`` is set) as in an installed app: pip and the bundle ship compiled
bytecode, so compiling the sources on every start would measure something no seller waits for.
Each process also reports its CPU time at the paint (the machine may be shared: CPU time shows the
work itself, wall time what a user would wait).
Target: app ≤ 1.5 s. Not part of the test run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

HOUR = 3_600_000

BARE = textwrap.dedent("""
    import sys, time
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setCentralWidget(QLabel("hello"))
    window.resize(1280, 720)
    class Painted(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint:
                print("painted", time.process_time(), flush=True)
                QTimer.singleShot(0, app.quit)
            return False
    watcher = Painted()
    window.installEventFilter(watcher)
    window.show()
    app.exec()
""")

APP = textwrap.dedent("""
    import argparse, sys, time
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QWidget
    from desktop import app as app_module
    args = argparse.Namespace(demo=False, no_error_dialogs=True, lang=None, data_dir=None, command=None)
    expected = int(sys.argv[1])
    shell = None
    class Painted(QObject):
        done = False
        def eventFilter(self, obj, event):
            if (not self.done and event.type() == QEvent.Type.Paint and shell is not None
                    and shell.window is not None and isinstance(obj, QWidget) and obj.window() is shell.window):
                queue = shell.window.queue_widget
                shown = queue.merchant_view.model.rowCount() + queue.others_view.model.rowCount()
                if shown >= expected:
                    self.done = True
                    print("painted", time.process_time(), shown, flush=True)
                    QTimer.singleShot(0, shell.quit)
            return False
    watcher = Painted()
    shell = app_module.build(args)
    shell.app.installEventFilter(watcher)
    shell.app.exec()
    shell.shutdown()
""")


def seed(home: Path, count: int) -> None:
    """A shop with ``count`` open requests in the store of ``home`` (deadlines spread over 3 days)."""
    os.environ["AFTERSALE_WATCH_HOME"] = str(home)
    from desktop.core import paths
    from desktop.core.kuaishou.models import Refund, parse
    from desktop.core.store import open_store

    paths.set_home(home)
    now = int(time.time() * 1000)
    store = open_store()
    shop = store.shops.add(base_url="http://127.0.0.1:9", seller_id=1, name="基准测试店铺")
    refunds = [
        parse(
            Refund,
            {
                "refundId": 2_100_000_000_000_000 + i,
                "oid": 9_000_000 + i,
                "handlingWay": 10 if i % 3 else 1,
                "negotiateStatus": 1,
                "status": 10,
                "refundFee": 1000 + i % 5000,
                "refundReasonDesc": "不想要了",
                "skuNick": "加绒卫衣 黑色 XL",
                "submitTime": now - HOUR,
                "createTime": now - HOUR,
                "updateTime": now - HOUR,
                "expireTime": now + (i % 72) * HOUR,
            },
        )
        for i in range(count)
    ]
    for i in range(0, count, 500):
        store.refunds.upsert(shop.id, refunds[i : i + 500], seen_at=now, merchant_turn=lambda r: True)
    store.close()
    from desktop.ui.settings import Settings

    settings = Settings()  # the shop the app comes back to (as after any earlier session)
    settings.set_active_shop(shop.id)
    settings.sync()


def timed(script: str, env: dict[str, str], *argv: str) -> tuple[float, float]:
    """Seconds from launching the process to its "painted" line (its shutdown is not counted), and
    the process's CPU seconds up to then."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", script, *argv],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("painted"):
            elapsed = time.perf_counter() - started
            cpu = float(line.split()[1])
            break
    else:
        raise SystemExit(f"the window never painted:\n{proc.stderr.read() if proc.stderr else ''}")
    proc.communicate(timeout=60)
    return elapsed, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        seed(home, args.requests)
        env = dict(
            os.environ,
            AFTERSALE_WATCH_HOME=str(home),
            PYTHONPYCACHEPREFIX=str(Path(tmp) / "pycache"),
            QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
        )
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        # warm the OS file cache, compile the translations and the bytecode once
        timed(APP, env, str(args.requests))
        timed(BARE, env)
        bare = [timed(BARE, env) for _ in range(args.runs)]
        app = [timed(APP, env, str(args.requests)) for _ in range(args.runs)]
    med = statistics.median
    b, a = med(t for t, _ in bare), med(t for t, _ in app)
    b_cpu, a_cpu = med(c for _, c in bare), med(c for _, c in app)
    load = (
        f"; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        if hasattr(os, "getloadavg")
        else ""
    )
    print(f"start-up to the first painted window, median of {args.runs} runs{load}")
    print(f"  bare PySide6 window: {b * 1000:.0f} ms (CPU {b_cpu * 1000:.0f} ms)")
    print(
        f"  AfterSale Watch with {args.requests:,} cached requests, queue filled: {a * 1000:.0f} ms "
        f"(CPU {a_cpu * 1000:.0f} ms; target ≤ 1500 ms) — {a / b:.1f}× the bare window"
        f" (min {min(t for t, _ in app) * 1000:.0f}, max {max(t for t, _ in app) * 1000:.0f} ms)"
    )


if __name__ == "__main__":
    main()
