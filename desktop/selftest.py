"""``aftersale-watch --self-test``: prove that this build can start, without opening a window.

Run from a checkout or from the frozen bundle (CI runs the bundle's copy headless). Each check prints
one line with ``ok`` or ``FAILED``, its duration and what it found::

    ok      qt            41 ms  Qt 6.8.1 (PySide6 6.8.1), platform offscreen; native plugin qcocoa bundled
    ok      keyring        3 ms  macOS Keychain (persistent)
    FAILED  sandbox      120 ms  TransportError: …

Exit code 0 when every check passed, :data:`EXIT_FAILED` otherwise (the failures are listed last,
tracebacks go to stderr). Everything the checks write (store, cache, logs) goes to a temporary
folder that is removed afterwards; the keychain is only read.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from desktop import __version__
from desktop.core import paths

if TYPE_CHECKING:  # each check imports what it tests, when it runs
    from PySide6.QtCore import QCoreApplication, QTranslator

EXIT_FAILED = 1

#: the Qt platform plugin each OS's window needs (the check proves the bundle ships it)
NATIVE_PLATFORM_PLUGINS = {"win32": "qwindows", "darwin": "qcocoa", "linux": "qxcb"}
#: the keyring backend module each OS's keychain is reached through
NATIVE_KEYRING_BACKENDS = {
    "win32": "keyring.backends.Windows",
    "darwin": "keyring.backends.macOS",
    "linux": "keyring.backends.SecretService",
}


@dataclass
class CheckResult:
    name: str
    ok: bool
    detail: str
    seconds: float


class _Context:
    """What the checks share: the Qt application and the temporary folder."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.app: QCoreApplication | None = None  # the QApplication, created by the "qt" check
        self.translators: list[QTranslator] = []  # keeps the installed QTranslator objects alive

    def qt_app(self) -> QCoreApplication:
        """The application the "qt" check created (the checks after it need one)."""
        if self.app is None:
            raise RuntimeError("no Qt application: the Qt check did not pass")
        return self.app


def _check_qt(ctx: _Context) -> str:
    import PySide6
    from PySide6.QtCore import QLibraryInfo, qVersion
    from PySide6.QtWidgets import QApplication

    ctx.app = QApplication.instance() or QApplication(["aftersale-watch", "--self-test"])
    detail = f"Qt {qVersion()} (PySide6 {PySide6.__version__}), platform {QApplication.platformName()}"
    native = NATIVE_PLATFORM_PLUGINS.get(sys.platform)
    if native:
        folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
        if not any(p.name.split(".")[0].removeprefix("lib") == native for p in folder.glob("*")):
            raise RuntimeError(f"{detail}; Qt's {native} platform plugin is missing from {folder}")
        detail += f"; native plugin {native} present"
    return detail


def _check_app_code(ctx: _Context) -> str:
    import importlib
    import pkgutil

    import desktop

    # every module, not just the composition root (which imports the window's parts lazily): a
    # module or dependency the bundle lacks fails here instead of when a seller opens that screen
    names = [m.name for m in pkgutil.walk_packages(desktop.__path__, "desktop.")]
    for name in names:
        if not name.endswith(".__main__"):
            importlib.import_module(name)
    loaded = sorted(n.removeprefix("PySide6.") for n in sys.modules if n.startswith("PySide6.Qt"))
    return f"{len(names)} modules of desktop import; Qt modules: {', '.join(loaded)}"


def _check_translations(ctx: _Context) -> str:
    from desktop.core import i18n as core_i18n
    from desktop.ui import i18n

    parts = []
    for lang in i18n.TRANSLATED:
        qm = i18n.ensure_compiled(lang)
        if qm is None:
            raise RuntimeError(f"no compiled {lang} catalog in {paths.resource('translations')}")
        installed = i18n.install_translators(ctx.qt_app(), lang, qm)
        ctx.translators.extend(installed)
        app_catalog = [t for t in installed if Path(t.filePath()) == qm]
        if not app_catalog or app_catalog[0].isEmpty():
            raise RuntimeError(f"{qm.name} did not load (or is empty)")
        qt_own = "with" if len(installed) > 1 else "WITHOUT"
        parts.append(f"{qm.name} ({app_catalog[0].language()}) {qt_own} Qt's own catalog")
    core = core_i18n.catalog(core_i18n.DEFAULT_LANGUAGE)
    has_core_sources = any(paths.resource("translations").glob("core-*.json"))
    if has_core_sources and not core:
        raise RuntimeError("the core text catalogs (core-*.json) did not load")
    parts.append(f"{len(core)} core texts ({core_i18n.DEFAULT_LANGUAGE})")
    return "; ".join(parts)


def _check_resources(ctx: _Context) -> str:
    from desktop.ui import icons

    folder = paths.resources_dir()
    if not folder.is_dir():
        raise RuntimeError(f"the resources folder is missing: {folder}")
    count = sum(1 for p in folder.rglob("*") if p.is_file())
    pixmap = icons.app_icon().pixmap(64, 64)
    if pixmap.isNull():
        raise RuntimeError(f"the app icon resources/{'/'.join(icons.APP_ICON)} did not render")
    return f"{count} files in {folder}; app icon renders"


def _check_rules(ctx: _Context) -> str:
    from desktop.core import rulesfile

    path = rulesfile.default_rules_path()
    rulesfile.load_default_rules()
    return f"{path.name} loaded and valid"


def _check_keyring(ctx: _Context) -> str:
    import importlib

    from desktop.core.secrets import SecretStore

    native = NATIVE_KEYRING_BACKENDS.get(sys.platform)
    if native:
        importlib.import_module(native)  # the build must ship the backend even where it is unused
    store = SecretStore()
    if store.persistent:
        return f"{store.backend_name} (persistent)"
    return f"{store.backend_name} (session only: {store.problem})"


def _check_store(ctx: _Context) -> str:
    from desktop.core.store import SCHEMA_VERSION, open_store

    path = ctx.scratch / "selftest.sqlite3"
    with open_store(path) as store:
        store.settings.set("selftest.marker", "ok")
        if store.settings.get("selftest.marker") != "ok":
            raise RuntimeError("a setting written to the store did not read back")
    return f"opened, migrated to schema {SCHEMA_VERSION}, wrote and read back a setting"


def _check_sandbox(ctx: _Context) -> str:
    from desktop.core.kuaishou.client import Credentials, KuaishouClient
    from desktop.sandbox import Sandbox

    with Sandbox(demo_data=False) as sandbox:  # the seller, without the demo shop's refunds
        demo = sandbox.credentials
        credentials = Credentials(
            app_key=demo.app_key,
            sign_secret=demo.sign_secret,
            access_token=demo.access_token,
            sign_method=demo.sign_method,
        )
        client = KuaishouClient(credentials, base_url=sandbox.base_url, max_retries=0)
        started = time.perf_counter()
        info = client.seller_info()
        elapsed_ms = (time.perf_counter() - started) * 1000
    if info.seller_id is None:
        raise RuntimeError("the sandbox answered seller_info without a seller id")
    return f"signed {credentials.sign_method} round trip: seller {info.seller_id} in {elapsed_ms:.0f} ms"


CHECKS: tuple[tuple[str, Callable[[_Context], str]], ...] = (
    ("qt", _check_qt),
    ("app code", _check_app_code),
    ("translations", _check_translations),
    ("resources", _check_resources),
    ("rules", _check_rules),
    ("keyring", _check_keyring),
    ("store", _check_store),
    ("sandbox", _check_sandbox),
)


def run_checks(ctx: _Context) -> list[CheckResult]:
    """Run every check in order (a failure does not stop the others), printing one line each."""
    results = []
    width = max(len(name) for name, _ in CHECKS)
    for name, check in CHECKS:
        started = time.perf_counter()
        try:
            detail, ok = check(ctx), True
        except Exception as exc:  # every failure is reported, and the remaining checks still run
            detail, ok = f"{type(exc).__name__}: {exc}", False
            print(f"--- {name} failed:", file=sys.stderr)
            traceback.print_exc(file=sys.stderr)
        result = CheckResult(name, ok, detail, time.perf_counter() - started)
        results.append(result)
        status = "ok" if ok else "FAILED"
        print(f"{status:<7} {name:<{width}} {result.seconds * 1000:6.0f} ms  {detail}", flush=True)
    return results


def run(args: argparse.Namespace | None = None) -> int:
    """The ``--self-test`` entry (dispatched from :mod:`desktop.__main__`); returns the exit code."""
    started = time.perf_counter()
    # never a window, and no display needed
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    frozen = "bundle" if getattr(sys, "frozen", False) else "source checkout"
    print(f"AfterSale Watch {__version__} self-test ({frozen}, {sys.platform})", flush=True)
    previous_home = paths.home_override()
    with tempfile.TemporaryDirectory(prefix="aftersale-watch-selftest-") as scratch:
        paths.set_home(Path(scratch) / "home")
        try:
            results = run_checks(_Context(Path(scratch)))
        finally:
            paths.set_home(previous_home)
    total = time.perf_counter() - started
    failed = [r.name for r in results if not r.ok]
    if failed:
        print(f"self-test FAILED in {total:.2f} s: {', '.join(failed)}", flush=True)
        return EXIT_FAILED
    print(f"self-test passed: {len(results)} checks in {total:.2f} s", flush=True)
    return 0
