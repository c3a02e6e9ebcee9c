"""The composition root of the desktop app: builds the objects and wires them together.

Start-up order: logging → ``QApplication`` → single-instance guard → error hooks → settings; then,
off the UI thread, the slow parts (compile the translations when needed, open the store, load the
rules, read the remembered shop's cached requests, find the keychain, start the demo sandbox); back
on the UI thread: translators, the main window, the queue widgets, the warnings (tray, alerts,
poller, the other shops' watch, phone robots, guard: :class:`desktop.ui.watch.Watch`), then the
active shop (or the sign-in dialog).

With a remembered shop, the window shows its cached requests first and the keychain (``keyring``'s
import and backend detection, a tenth of a second) is found in the background after that; the
shop's credentials, the sync and the shop commands follow once it is known.
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, QTranslator
from PySide6.QtWidgets import QApplication, QWidget

from desktop import __version__
from desktop.core import logsetup, paths
from desktop.ui import i18n
from desktop.ui.application import create_application
from desktop.ui.errors import ErrorReporter
from desktop.ui.i18n import fill
from desktop.ui.settings import Settings
from desktop.ui.single_instance import SingleInstance
from desktop.ui.workers import run_in_background, wait_for_background_work

if TYPE_CHECKING:
    from desktop.core.domain.rules import Rules
    from desktop.core.kuaishou.client import Credentials, KuaishouClient
    from desktop.core.queue_rows import QueueRow, RefundDetail
    from desktop.core.risk_answer import RiskAnswer
    from desktop.core.secrets import SecretStore
    from desktop.core.store import Shop, Store, StoreDamaged
    from desktop.core.sync import SyncResult
    from desktop.sandbox import Sandbox
    from desktop.ui.login_dialog import LoginDialog
    from desktop.ui.main_window import MainWindow
    from desktop.ui.queue.view import QueueWidget
    from desktop.ui.services import Services, SyncRun
    from desktop.ui.watch import Watch as WatchType

log = logging.getLogger(__name__)

#: the demo sandbox prefers this port, so a reused demo data folder keeps its shop (any free one else)
DEMO_PORT = 47_823
#: calls per second the app's client allows itself: the bulk actions' pace, half the platform's
#: documented per-API cap of 100
CLIENT_QPS = 50.0


def secret_service_name() -> str:
    """The keychain service: one per data home, so the demo or ``--data-dir`` never mix shops."""
    from desktop.core.secrets import SERVICE

    home = paths.home_override()
    if home is None:
        return SERVICE
    return f"{SERVICE}-{hashlib.sha256(str(home).encode()).hexdigest()[:10]}"


@dataclass
class Backend:
    """What the background start-up prepared."""

    qm: Path | None  # the compiled translation (None: English, or none could be compiled)
    store: Store | None  # None only when damaged
    secrets: SecretStore | None  # None until found (see open_secret_store)
    rules: Rules
    sandbox: Sandbox | None = None
    # the remembered shop and its cached queue rows, read before the window exists
    initial: tuple[Shop, list[QueueRow]] | None = None
    # the local database is damaged: nothing else was prepared; the user is offered to rebuild it
    # (see Shell._offer_rebuild)
    damaged: StoreDamaged | None = None
    # where a damaged database was moved when it was rebuilt
    rebuilt_from: Path | None = None


def load_queue_rows(store: Store, rules: Rules, shop: Shop) -> list[QueueRow]:
    """(Worker thread) the queue rows of ``shop``'s open requests, from the store."""
    from desktop.core.queue_rows import build_queue_rows

    return build_queue_rows(
        store.refunds.all(shop.id, open_only=True), rules, shop_names={shop.id: shop.label}
    )


def load_detail(store: Store, row: QueueRow, rules: Rules) -> RefundDetail:
    """(Worker thread) the full detail of a queue row, from the store."""
    from desktop.core.queue_rows import load_detail as build

    return build(store, row, rules)


def estimate_risk(store: Store, rules: Rules, shop_id: int) -> RiskAnswer:
    """(Worker thread) the shop's risk answer, by the function ``check`` uses, on the same clock,
    with the forecast under the shop's guard (from the same inputs) while the guard is on."""
    from desktop.core.risk_answer import risk_answer

    return risk_answer(store, shop_id, rules)


def open_secret_store() -> SecretStore:
    """(Worker thread) the keychain wrapper of this data home (imports keyring, detects its backend)."""
    from desktop.core.secrets import SecretStore

    return SecretStore(service=secret_service_name())


def prepare_backend(lang: str, demo: bool, active_shop_id: int | None = None) -> Backend:
    """(Worker thread) everything slow the window needs: disk, the demo server, the remembered shop's
    cached requests (so the first window already shows them) and — unless there are such requests to
    show first — the keychain."""
    from desktop.core.rulesfile import load_default_rules
    from desktop.core.store import StoreDamaged, open_store

    qm = i18n.ensure_compiled(lang)
    rules = load_default_rules()
    try:
        store = open_store()
    except StoreDamaged as exc:
        return Backend(qm=qm, store=None, secrets=None, rules=rules, damaged=exc)
    initial = None
    shop = store.shops.get(active_shop_id) if active_shop_id is not None and not demo else None
    if shop is not None:
        initial = (shop, load_queue_rows(store, rules, shop))
    secrets = open_secret_store() if initial is None else None
    sandbox = None
    if demo:
        from desktop.sandbox import Sandbox

        try:
            sandbox = Sandbox(port=DEMO_PORT)
            sandbox.start()
        except OSError:
            sandbox = Sandbox(port=0)
            sandbox.start()
        log.info("demo sandbox running at %s", sandbox.base_url)
    return Backend(qm=qm, store=store, secrets=secrets, rules=rules, sandbox=sandbox, initial=initial)


def preload_ui_modules() -> None:
    """Import the modules the first window is built from while the worker prepares the backend
    (start-up time). What only a sign-in, a sync or a shop command needs (the sign-in dialog, the
    syncer, the HTTP client's stack) is imported when first used, after the window is painted."""
    import desktop.ui.actions
    import desktop.ui.alerts
    import desktop.ui.main_window
    import desktop.ui.queue.detail
    import desktop.ui.queue.risk_panel
    import desktop.ui.queue.view
    import desktop.ui.tray
    import desktop.ui.watch  # noqa: F401


class AfterFirstPaint(QObject):
    """Calls ``then()`` once, from the event loop, right after ``window`` (or anything in it) has been
    painted for the first time — work that can wait does not compete with the first frame."""

    def __init__(self, app: QApplication, window: QWidget, then: Callable[[], None]) -> None:
        super().__init__(window)
        self._app, self._window, self._then = app, window, then
        app.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and isinstance(obj, QWidget) and obj.window() is self._window:
            self._app.removeEventFilter(self)
            QTimer.singleShot(0, self._then)
        return False


@dataclass
class Shell:
    """The running app's objects, kept alive together; :meth:`shutdown` releases them in order."""

    app: QApplication
    args: argparse.Namespace
    settings: Settings
    instance: SingleInstance
    reporter: ErrorReporter
    language: str
    backend: Backend | None = None
    window: MainWindow | None = None
    login: LoginDialog | None = None
    watch: WatchType | None = None  # the tray, alerts and poller
    _sign_in_wanted: bool = False  # the sign-in was asked for before the keychain was known
    translators: list[QTranslator] = field(default_factory=list)
    failed: BaseException | None = None
    stopped: bool = False

    # ------------------------------------------------------------------ start
    def start(self) -> None:
        demo = bool(getattr(self.args, "demo", False))
        active = self.settings.active_shop()
        run_in_background(lambda: prepare_backend(self.language, demo, active), self._ready, self._fatal)

    def _fatal(self, exc: BaseException) -> None:
        from PySide6.QtWidgets import QMessageBox

        self.failed = exc
        log.critical("the app cannot start", exc_info=exc)
        if self.reporter.dialogs_enabled:
            QMessageBox.critical(
                None,
                "AfterSale Watch",
                f"售后守望无法启动 / AfterSale Watch cannot start:\n\n{exc}\n\n{paths.log_file()}",
            )
        self.app.exit(1)

    def _offer_rebuild(self, backend: Backend) -> None:
        """The local database is damaged: offer to move it aside (kept) and start with a fresh one,
        as ``check`` does; refused, the app stops without touching the file."""
        from PySide6.QtWidgets import QMessageBox

        from desktop.core.store import rebuild_store

        damaged = backend.damaged
        assert damaged is not None
        translate = QCoreApplication.translate
        text = fill(
            translate(
                "Shell", "%1\n\nRebuild it now? (No quits AfterSale Watch and leaves the file as it is.)"
            ),
            damaged.message,
        )
        answer = QMessageBox.question(
            None,
            translate("Shell", "Damaged local database"),
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.Yes,
        )
        if answer != QMessageBox.StandardButton.Yes:
            log.error("damaged database not rebuilt (refused): %s", damaged)
            self.failed = damaged
            self.app.exit(1)
            return
        demo = bool(getattr(self.args, "demo", False))
        active = self.settings.active_shop()

        def rebuild() -> Backend:
            store, moved = rebuild_store()
            store.close()
            rebuilt = prepare_backend(self.language, demo, active)
            rebuilt.rebuilt_from = moved
            return rebuilt

        run_in_background(rebuild, self._ready, self._fatal)

    def _ready(self, backend: Backend) -> None:
        from desktop.ui.main_window import MainWindow
        from desktop.ui.services import Services
        from desktop.ui.shop_watch import SyncGate
        from desktop.ui.watch import Watch

        self.backend = backend
        for translator in self.translators:  # a second round after a rebuild
            self.app.removeTranslator(translator)
        self.translators = i18n.install_translators(self.app, self.language, backend.qm)
        if backend.damaged is not None:
            self._offer_rebuild(backend)
            return

        # both run on worker threads (activating a shop, syncing): their modules are imported there
        def make_client(shop: Shop, credentials: Credentials) -> KuaishouClient:
            from desktop.core.kuaishou.client import KuaishouClient

            shops = services.shops
            if shops is None:  # a shop is activated only through the shop manager
                raise RuntimeError("a client was asked for before the keychain was known")
            return KuaishouClient(
                credentials,
                base_url=shop.base_url,
                qps=CLIENT_QPS,
                on_tokens_refreshed=lambda token: shops.save_refreshed_tokens(shop.id, token),
            )

        def make_syncer(client: KuaishouClient, store: Store, rules: Rules, shop_id: int) -> SyncRun:
            from desktop.core.sync import Syncer

            # the window syncs the active shop, the shop watcher the others: never one shop twice at once
            return gate.guard(shop_id, Syncer(client, store, rules, shop_id=shop_id))

        gate = SyncGate()
        store = backend.store
        assert store is not None  # only a damaged database leaves it out (handled above)
        services = Services(
            shops=None,
            store=store,
            rules=backend.rules,
            make_client=make_client,
            make_syncer=make_syncer,
            load_rows=load_queue_rows,
            load_detail=load_detail,
            estimate_risk=estimate_risk,
        )
        window = MainWindow(services, self.settings)
        window.set_demo(backend.sandbox is not None)
        queue = self._compose_queue(window, services)
        self._compose_settings(window, backend.rules)
        self.watch = Watch.compose(
            self.app,
            self.settings.qs,
            window,
            queue,
            services,
            secrets=lambda: backend.secrets,
            quit_app=self.quit,
        )
        window.sign_in_requested.connect(self.open_sign_in)
        self.instance.activation_requested.connect(window.bring_forward)
        self.window = window
        if backend.rebuilt_from is not None:
            window.statusBar().showMessage(
                fill(
                    QCoreApplication.translate(
                        "Shell", "A fresh local database was created; the damaged one was kept as %1."
                    ),
                    backend.rebuilt_from,
                )
            )
        if backend.initial is not None:
            window.show_cached(*backend.initial)
        shown = not (getattr(self.args, "hidden", False) and self.watch.tray.available)
        if shown:
            window.show()
        if backend.secrets is not None:
            self._secrets_found(backend.secrets)
            return
        # the cached requests are on screen: now the keychain, then the shop's credentials and sync

        def find_secrets() -> None:
            run_in_background(open_secret_store, self._secrets_found, self._fatal)

        if shown:
            AfterFirstPaint(self.app, window, find_secrets)
        else:
            find_secrets()

    def _secrets_found(self, secrets: SecretStore) -> None:
        """The keychain is known: the shops can be read, signed in to and synced."""
        from desktop.core.profiles import ShopManager

        assert self.backend is not None and self.backend.store is not None and self.window is not None
        self.backend.secrets = secrets
        self.window.set_shop_manager(ShopManager(self.backend.store, secrets))
        if self.backend.sandbox is not None or self._sign_in_wanted:
            self._sign_in_wanted = False
            self.open_sign_in()  # the demo signs in through the same flow, by itself
        if self.backend.sandbox is None:
            self.window.reload_shops()

    def _compose_queue(self, window: MainWindow, services: Services) -> QueueWidget:
        """The queue (merchant's and others' tabs), the detail pane, the risk panel and the export."""
        from desktop.core.queue_rows import UrgencyScale
        from desktop.ui.actions import install_actions
        from desktop.ui.queue.detail import DetailPane
        from desktop.ui.queue.export import export_view
        from desktop.ui.queue.risk_panel import RiskPanel
        from desktop.ui.queue.view import QueueWidget

        rules = services.rules
        queue = QueueWidget(scale=UrgencyScale.from_rules(rules))
        detail = DetailPane()
        risk = RiskPanel()
        window.set_queue_widget(queue)
        window.set_detail_widget(detail)
        window.set_risk_widget(risk)

        # time left is computed on the platform's clock: the model applies the measured offset
        window.shop_changed.connect(
            lambda shop: queue.set_server_offset_ms(getattr(shop, "server_clock_offset_ms", None))
        )

        def clock_measured(result: SyncResult) -> None:
            if result.server_clock_offset_ms is not None:
                queue.set_server_offset_ms(result.server_clock_offset_ms)

        window.sync_finished.connect(clock_measured)

        def show_detail(row: QueueRow | None) -> None:
            detail.show_row(row)
            window.load_detail(row)  # the active shop's session reads it; the latest row wins

        def detail_loaded(row: QueueRow, result: RefundDetail) -> None:
            if detail.row is row:  # still the request shown
                detail.set_detail(result)

        queue.currentRequestChanged.connect(show_detail)
        window.detail_loaded.connect(detail_loaded)
        for view in (queue.merchant_view, queue.others_view):
            view.model.ticked.connect(detail.update_time)
            window.tick_while_visible(view.model.timer)  # no countdown while hidden in the tray
        # computed after each load of the rows, by the session, as `check` computes it
        window.risk_estimated.connect(risk.set_answer)
        risk.rescueRequested.connect(queue.select_refunds)
        window.exporter = lambda path, done, failed: export_view(
            queue.current_view().proxy, path, on_done=done, on_error=failed
        )
        # approve / reject: selection, context menus, shortcuts, detail pane; the action log
        window.actions_ui = install_actions(window, queue, detail=detail)
        # "hold from the guard" (暂不兜底) beside them
        from desktop.ui.guard import HoldActions

        window.guard_holds = HoldActions(window, queue, services.store, detail)
        return queue

    def _compose_settings(self, window: MainWindow, rules: Rules) -> None:
        """The alerts page (warning times, quiet hours, polling, start at login) in the settings."""
        from desktop.ui.alert_settings import AlertPrefs, AlertSettingsPage

        qs = self.settings.qs
        hours = tuple(rules.warnings.alert_hours.value)
        window.settings_pages.append(
            lambda: (
                AlertSettingsPage(AlertPrefs(qs, hours)),
                QCoreApplication.translate("MainWindow", "Alerts"),
            )
        )

        def guard_page() -> tuple[QWidget, str]:
            from desktop.ui.guard import GuardSettingsPage

            def saved() -> None:  # the new policy applies at once (and its timer is set)
                controller = getattr(window, "guard", None)
                if controller is not None:
                    controller.wake()

            return (
                GuardSettingsPage(window.services.store, rules, window.shop, on_saved=saved),
                QCoreApplication.translate("MainWindow", "Guard"),
            )

        window.settings_pages.append(guard_page)

        def robots_page() -> tuple[QWidget, str]:
            from desktop.ui.robots import RobotSettingsPage

            assert (
                self.watch is not None and self.watch.robots is not None
            )  # composed before the window shows
            return RobotSettingsPage(self.watch.robots), QCoreApplication.translate(
                "MainWindow", "Phone alerts"
            )

        window.settings_pages.append(robots_page)

    # ------------------------------------------------------------------ sign-in
    def open_sign_in(self) -> None:
        from desktop.ui.login_dialog import LoginDialog, fetch_directly, open_in_browser

        if self.login is not None:
            self.login.raise_()
            self.login.activateWindow()
            return
        assert self.backend is not None and self.window is not None
        if self.window.services.shops is None:  # asked for in the moment the keychain is being found
            self._sign_in_wanted = True
            return
        sandbox = self.backend.sandbox
        dialog = LoginDialog(
            self.window.services.shops,
            self.window,
            open_url=fetch_directly if sandbox is not None else open_in_browser,
        )
        dialog.signed_in.connect(self.window.shop_signed_in)
        dialog.finished.connect(self._sign_in_closed)
        self.login = dialog
        dialog.show()
        if sandbox is not None:
            dialog.fill_from_sandbox(sandbox)
            dialog.start_authorization()

    def _sign_in_closed(self, result: int) -> None:
        from PySide6.QtWidgets import QDialog

        dialog, self.login = self.login, None
        if dialog is not None:
            dialog.deleteLater()
        if result != QDialog.DialogCode.Accepted and self.window is not None and self.window.shop is None:
            self.window.show_signed_out()

    # ------------------------------------------------------------------ stop
    def quit(self) -> None:
        """Quit for real (the tray's Quit, or the window's while the app lives in the tray). Qt closes
        the windows first: the window neither hides to the tray nor asks again."""
        if self.window is not None:
            self.window.hide_to_tray = False
            self.window.confirm_close = False
        self.app.quit()

    def shutdown(self) -> None:
        """Release everything (idempotent)."""
        if self.stopped:
            return
        self.stopped = True
        if self.login is not None:
            self.login.done(0)
        if self.watch is not None:
            self.watch.stop()
        if self.window is not None:
            self.window.hide_to_tray = False
            self.window.confirm_close = False
            self.window.close()  # its session cancels what is in flight
            self.window.deleteLater()
        wait_for_background_work(5000)
        if self.watch is not None and self.watch.robots is not None:
            self.watch.robots.close()  # its HTTP session, once no evaluation runs
        if self.backend is not None:
            if self.backend.sandbox is not None:
                self.backend.sandbox.stop()
            if self.backend.store is not None:
                self.backend.store.close()
        for translator in self.translators:
            self.app.removeTranslator(translator)
        self.instance.release()
        self.reporter.uninstall()
        log.info("stopped")
        logsetup.close_logging()


def build(args: argparse.Namespace, argv: list[str] | None = None) -> Shell | None:
    """Set everything up and start the background start-up; ``None`` when another instance runs."""
    if getattr(args, "demo", False) and paths.home_override() is None:
        paths.set_home(paths.cache_dir() / "demo")  # the demo shop never mixes with real ones
    logsetup.setup_logging()
    log.info("AfterSale Watch %s starting (data in %s)", __version__, paths.data_dir())
    app = create_application(argv if argv is not None else sys.argv[:1])
    instance = SingleInstance()
    if not instance.claim():
        return None
    reporter = ErrorReporter(show_dialogs=not getattr(args, "no_error_dialogs", False))
    reporter.install()
    settings = Settings()
    language = getattr(args, "lang", None) or settings.language()
    shell = Shell(
        app=app, args=args, settings=settings, instance=instance, reporter=reporter, language=language
    )
    shell.start()
    preload_ui_modules()
    return shell


def main(args: argparse.Namespace) -> int:
    """``aftersale-watch`` (the desktop app); returns the process exit code."""
    shell = build(args)
    if shell is None:
        return 0  # the running instance was brought forward
    try:
        code = shell.app.exec()
    finally:
        shell.shutdown()
    return 1 if shell.failed is not None else int(code)
