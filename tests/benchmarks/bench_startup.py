"""Benchmark: start-up to the first painted main window with 10,000 cached requests, against a bare
PySide6 window's start-up.

    python tests/benchmarks/bench_startup.py [--requests N] [--runs N]

Each run is a fresh process (the wall time includes the interpreter, imports, Qt, the store, the
translations and the queue of N cached requests). The app run counts until the main window has been
painted with the cached requests in its queue; the bare run until a plain ``QMainWindow`` has been
painted. The shop has no secrets here, so the app shows the cached list without syncing (no network).
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
    import sys
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setCentralWidget(QLabel("hello"))
    window.resize(1280, 720)
    class Painted(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint:
                print("painted", flush=True)
                QTimer.singleShot(0, app.quit)
            return False
    watcher = Painted()
    window.installEventFilter(watcher)
    window.show()
    app.exec()
""")

APP = textwrap.dedent("""
    import argparse, sys
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication
    from desktop import app as app_module
    args = argparse.Namespace(demo=False, no_error_dialogs=True, lang=None, data_dir=None, command=None)
    expected = int(sys.argv[1])
    shell = app_module.build(args)
    class Painted(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and obj is shell.window:
                queue = shell.window.queue_widget
                shown = queue.merchant_view.model.rowCount() + queue.others_view.model.rowCount()
                if shown >= expected:
                    print("painted", shown, flush=True)
                    QTimer.singleShot(0, shell.app.quit)
            return False
    watcher = Painted()
    def hook():
        if shell.window is None:
            QTimer.singleShot(1, hook)
            return
        shell.window.installEventFilter(watcher)
        shell.window.rows_loaded.connect(lambda rows: shell.window.update())
    hook()
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
    shop = store.add_shop(base_url="http://127.0.0.1:9", seller_id=1, name="基准测试店铺")
    refunds = [
        parse(Refund, {
            "refundId": 2_100_000_000_000_000 + i, "oid": 9_000_000 + i, "handlingWay": 10 if i % 3 else 1,
            "negotiateStatus": 1, "status": 10, "refundFee": 1000 + i % 5000,
            "refundReasonDesc": "不想要了", "skuNick": "加绒卫衣 黑色 XL", "submitTime": now - HOUR,
            "createTime": now - HOUR, "updateTime": now - HOUR, "expireTime": now + (i % 72) * HOUR,
        })
        for i in range(count)
    ]
    for i in range(0, count, 500):
        store.upsert_refunds(shop.id, refunds[i:i + 500], seen_at=now, merchant_turn=lambda r: True)
    store.close()


def timed(script: str, env: dict[str, str], *argv: str) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", script, *argv], env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    elapsed = time.perf_counter() - started
    if "painted" not in done.stdout:
        raise SystemExit(f"the window never painted:\n{done.stdout}\n{done.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        seed(home, args.requests)
        env = dict(os.environ, AFTERSALE_WATCH_HOME=str(home), QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
        timed(APP, env, str(args.requests))  # warm the OS file cache and compile the translations once
        bare = [timed(BARE, env) for _ in range(args.runs)]
        app = [timed(APP, env, str(args.requests)) for _ in range(args.runs)]
    b, a = statistics.median(bare), statistics.median(app)
    print(f"bare PySide6 window, first paint: median {b * 1000:.0f} ms over {args.runs} runs")
    print(f"AfterSale Watch with {args.requests:,} cached requests, first paint with the queue filled: "
          f"median {a * 1000:.0f} ms (target ≤ 1500 ms) — {a / b:.1f}× the bare window")


if __name__ == "__main__":
    main()
