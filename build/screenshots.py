"""Regenerate the README screenshots from the running demo app.

    python build/screenshots.py [--out resources/screenshots] [--lang zh_CN|en] [--size 1280x720]
                                [--only main-window,detail,sign-in,bulk-preview]
    python build/screenshots.py --all     # every shot in Chinese and English, 1280×720 and 1920×1080

Starts the app exactly as ``aftersale-watch --demo`` does (the composition root, the embedded sandbox,
the sign-in flow, the first sync) in a throw-away data folder, on Qt's offscreen platform unless
``QT_QPA_PLATFORM`` says otherwise, with an in-memory keychain (nothing is written to the real one).
It then saves, as optimised PNGs (indexed colours when ImageMagick's ``convert`` is on the ``PATH``):

* ``main-window``  — the queue with the risk panel, nothing selected
* ``detail``       — the same window with a request selected (the detail pane's tab in front)
* ``sign-in``      — the sign-in dialog, filled with the demo app's (masked) credentials
* ``bulk-preview`` — the preview of approving the selected urgent requests (nothing is sent)

Each file is named ``<shot>-<lang>-<W>x<H>.png`` (e.g. ``main-window-zh_CN-1280x720.png``); ``--all``
runs the four variants one after another, each in its own process. Run it after a change to the
window's look, look at every picture, and commit the PNGs. Chinese text needs a CJK font
(e.g. Noto Sans CJK) known to fontconfig. Not a test: pytest does not collect this folder.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import keyring

from desktop.core.secrets import MemoryKeyring

if TYPE_CHECKING:  # Qt is imported once the offscreen platform is chosen (main)
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QWidget

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ("main-window", "detail", "sign-in", "bulk-preview")
TIMEOUT_S = 60.0
#: keep each picture well under this (README images load on slow links)
MAX_BYTES = 500_000
#: the languages and window sizes of ``--all``: a laptop and a full-HD screen, Chinese and English
VARIANTS = (("zh_CN", "1280x720"), ("zh_CN", "1920x1080"), ("en", "1280x720"), ("en", "1920x1080"))


class DemoKeyring(MemoryKeyring):
    """Keeps the demo's secrets in a dict; the sign-in dialog names it as the secrets' store."""

    name = "demo keychain (in memory)"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "resources" / "screenshots")
    parser.add_argument("--lang", choices=("zh_CN", "en"), default="zh_CN")
    parser.add_argument("--size", default="1280x720", help="window size WxH (default fits a 1366×768 laptop)")
    parser.add_argument(
        "--only", default=",".join(SHOTS), help="comma-separated subset of " + ", ".join(SHOTS)
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="every variant: " + ", ".join(f"{lang} {size}" for lang, size in VARIANTS),
    )
    args = parser.parse_args(argv)
    try:
        w, h = (int(v) for v in args.size.lower().split("x"))
    except ValueError:
        parser.error(f"--size must look like 1280x720, not {args.size!r}")
    args.width, args.height = w, h
    args.only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = sorted(set(args.only) - set(SHOTS))
    if unknown:
        parser.error(f"unknown screenshot(s): {', '.join(unknown)} (choose from {', '.join(SHOTS)})")
    return args


def wait_until(
    app: QCoreApplication, condition: Callable[[], object], what: str, timeout_s: float = TIMEOUT_S
) -> None:
    """Process events until ``condition()`` holds; exit with a message naming ``what`` otherwise."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"screenshots: timed out waiting for {what}")
        app.processEvents()
        time.sleep(0.01)


def settle(app: QCoreApplication, seconds: float = 0.3) -> None:
    """Let layouts, deferred repaints and queued signals run."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def save(widget: QWidget, path: Path) -> int:
    """Grab ``widget`` (its window contents, without the OS frame) into an optimised PNG; its size."""
    image = widget.grab().toImage()
    path.parent.mkdir(parents=True, exist_ok=True)
    # quality 0 = the strongest zlib compression; PySide6's stub types the format as bytes, at run
    # time it takes only str
    if not image.save(str(path), "PNG", 0):  # type: ignore[call-overload]
        raise SystemExit(f"screenshots: cannot write {path}")
    convert = shutil.which("convert")
    if convert is not None:
        # indexed colours (the UI has few), no metadata: a fraction of the size, no visible change
        reduced = path.with_suffix(".tmp.png")
        subprocess.run(
            [
                convert,
                str(path),
                "-strip",
                "-colors",
                "256",
                "-define",
                "png:compression-level=9",
                f"PNG8:{reduced}",
            ],
            check=True,
        )
        if reduced.stat().st_size < path.stat().st_size:
            reduced.replace(path)
        else:
            reduced.unlink()
    size = path.stat().st_size
    if size > MAX_BYTES:
        print(
            f"warning: {path.name} is {size // 1024} KB (keep README pictures under {MAX_BYTES // 1000} KB)"
        )
    return size


def file_name(shot: str, args: argparse.Namespace) -> str:
    return f"{shot}-{args.lang}-{args.width}x{args.height}.png"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.all:
        # one app per process (a single instance, one language per start)
        for lang, size in VARIANTS:
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--out",
                    str(args.out),
                    "--lang",
                    lang,
                    "--size",
                    size,
                    "--only",
                    ",".join(args.only),
                ],
                check=True,
            )
        return 0
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    home = Path(tempfile.mkdtemp(prefix="aftersale-screenshots-"))
    os.environ["AFTERSALE_WATCH_HOME"] = str(home)
    sys.path.insert(0, str(ROOT))

    from desktop.core import paths

    paths.set_home(home)
    backend = DemoKeyring()
    keyring.get_keyring = lambda: backend  # the demo's tokens never reach the real keychain
    from PySide6.QtCore import QItemSelection, QItemSelectionModel

    from desktop import app as app_module

    shell_args = argparse.Namespace(
        demo=True, no_error_dialogs=True, lang=args.lang, data_dir=str(home), command=None, hidden=False
    )
    shell = app_module.build(shell_args)
    if shell is None:
        raise SystemExit("screenshots: another instance of the app is running")
    app = shell.app
    written: list[tuple[str, int]] = []
    try:
        wait_until(app, lambda: shell.window is not None or shell.failed is not None, "the window")
        if shell.failed is not None:
            raise SystemExit(f"screenshots: the app failed to start: {shell.failed}")
        window = shell.window
        if window is None:
            raise SystemExit("screenshots: the app has no window")
        window.resize(args.width, args.height)
        wait_until(app, lambda: window.shop is not None and window.client is not None, "the demo sign-in")
        wait_until(app, lambda: window._last_fresh_ms is not None and not window.syncing, "the first sync")
        from desktop.ui.queue.detail import DetailPane
        from desktop.ui.queue.view import QueueWidget

        queue = window.queue_widget
        if not isinstance(queue, QueueWidget):
            raise SystemExit("screenshots: the window shows no queue")
        wait_until(app, lambda: queue.merchant_view.model.rowCount() > 0, "the queue")
        risk = getattr(window, "risk_widget", None)
        if risk is not None:
            wait_until(app, lambda: risk.estimate is not None, "the risk estimate")
        settle(app, 0.5)
        table = queue.merchant_view.table

        if "main-window" in args.only:
            written.append(
                (file_name("main-window", args), save(window, args.out / file_name("main-window", args)))
            )

        if "detail" in args.only:
            table.selectRow(1)
            detail = window.detail_dock.widget()
            if not isinstance(detail, DetailPane):
                raise SystemExit("screenshots: the window shows no detail pane")
            wanted = queue.selected_rows()[0].refund_id
            wait_until(
                app,
                lambda: (
                    detail.row is not None
                    and detail.row.refund_id == wanted
                    and detail.refund_detail is not None
                ),
                "the detail pane",
            )
            settle(app)
            written.append((file_name("detail", args), save(window, args.out / file_name("detail", args))))
            table.clearSelection()

        if "sign-in" in args.only:
            from desktop.ui.login_dialog import LoginDialog

            shops = window.services.shops
            if shops is None:
                raise SystemExit("screenshots: the demo app has no shops yet")
            dialog = LoginDialog(shops, window, open_url=lambda _url: True)
            demo_backend = shell.backend
            if demo_backend is None or demo_backend.sandbox is None:
                raise SystemExit("screenshots: the demo app runs no sandbox")
            dialog.fill_from_sandbox(demo_backend.sandbox)
            dialog.show()
            settle(app)
            written.append((file_name("sign-in", args), save(dialog, args.out / file_name("sign-in", args))))
            dialog.done(0)
            dialog.deleteLater()

        if "bulk-preview" in args.only:
            actions = window.actions_ui
            if actions is None:
                raise SystemExit("screenshots: the window has no approve/reject actions")
            view = queue.merchant_view
            # the most urgent requests (the queue is sorted by time left): what a seller clears first
            first = view.proxy.index(0, 0)
            last = view.proxy.index(min(6, view.proxy.rowCount()) - 1, view.proxy.columnCount() - 1)
            table.selectionModel().select(
                QItemSelection(first, last), QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
            actions.approve_action.trigger()
            from desktop.ui.actions.preview import PreviewDialog

            wait_until(app, lambda: isinstance(actions.flow.dialog, PreviewDialog), "the bulk preview")
            preview = actions.flow.dialog
            if not isinstance(preview, PreviewDialog):
                raise SystemExit("screenshots: the bulk preview did not open")
            settle(app)
            written.append(
                (file_name("bulk-preview", args), save(preview, args.out / file_name("bulk-preview", args)))
            )
            preview.reject()  # nothing is sent
            settle(app)
    finally:
        shell.shutdown()
        shutil.rmtree(home, ignore_errors=True)
    for name, nbytes in written:
        print(f"{args.out / name}  {nbytes // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
