"""The active shop's background work, owned in one place.

:class:`SessionController` (one per window) makes a shop active: it reads the shop and its
credentials in the background, builds the shop's API client and hands a new :class:`ShopSession` to
the window. A :class:`ShopSession` (a ``QObject``, one per activation) owns what is done for that
shop while it is shown — its client, its sync, its row loads, its detail loads and its risk
estimates — and closes all of it in :meth:`ShopSession.close`.

*Latest request wins.* Every request carries a generation token: the controller's for activations,
the session's own per kind of request (rows, detail, risk, sync) for the rest. Starting a request
supersedes the previous one of its kind (its delivery is cancelled: ``Task.cancel``), and a result
whose token is no longer the current one is dropped, never applied. Switching shops, signing out,
sleep and quitting close the session: its sync is told to stop at its next page, everything in
flight is cancelled, and its client is closed as soon as no worker uses it any more.

Nothing here touches a widget: the main window is a view of these signals.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from desktop.ui.workers import Task, run_in_background

if TYPE_CHECKING:
    from desktop.core.kuaishou.client import KuaishouClient
    from desktop.core.profiles import ShopManager
    from desktop.core.queue_rows import QueueRow
    from desktop.core.store import Shop
    from desktop.core.sync import SyncProgress, SyncResult
    from desktop.ui.services import Services

log = logging.getLogger(__name__)

ROWS, DETAIL, RISK, SYNC, SHOP = "rows", "detail", "risk", "sync", "shop"


class ShopSession(QObject):
    """One shop while it is the active one (see the module docstring).

    ``client`` is ``None`` when the shop is signed out (its cached requests can still be shown).
    The signals fire only for the current request of each kind and never after :meth:`close`.
    """

    rows_loaded = Signal(object)  # the QueueRow list
    sync_started = Signal(bool)  # True: the first sweep (a long download with a progress bar)
    sync_progressed = Signal(int, int)  # windows done, windows in all (first sweep)
    sync_finished = Signal(object)  # the SyncResult
    sync_failed = Signal(object)  # the exception
    sync_ended = Signal()  # after sync_finished / sync_failed, or when a sync was cancelled
    shop_updated = Signal(object)  # the shop's record read again (after a sync)
    detail_loaded = Signal(object, object)  # the row, its RefundDetail
    risk_estimated = Signal(object)  # the risk answer (desktop.core.store.risk_queries.RiskAnswer)
    read_failed = Signal(object)  # a background read failed (the store…)

    def __init__(
        self,
        shop: Shop,
        client: KuaishouClient | None,
        services: Services,
        *,
        generation: int = 0,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.shop = shop
        self.client = client
        self.services = services
        self.generation = generation  # the controller's activation this session belongs to
        #: shown from the cache at start, before the shop's credentials were read (no client yet)
        self.provisional = False
        self._tokens: dict[str, int] = {}
        self._tasks: dict[str, Task] = {}
        self._cancel = threading.Event()  # the sync in flight stops at its next page
        self._lock = threading.Lock()  # guards the client's hand-over between worker and close()
        self._sync_workers = 0  # sync workers still using the client (a cancelled one may still run)
        self._closed = False

    # ------------------------------------------------------------------ state
    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def syncing(self) -> bool:
        return SYNC in self._tasks

    def _start(
        self,
        kind: str,
        fn: Callable[..., Any],
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None = None,
        *,
        on_progress: Callable[..., None] | None = None,
    ) -> int:
        """Run ``fn`` for ``kind``, superseding the request of that kind in flight."""
        token = self._tokens.get(kind, 0) + 1
        self._tokens[kind] = token
        previous = self._tasks.pop(kind, None)
        if previous is not None:
            previous.cancel()

        def current() -> bool:
            return not self._closed and self._tokens.get(kind) == token

        def done(result: Any) -> None:
            if not current():
                return  # superseded or closed: a late result is dropped
            self._tasks.pop(kind, None)
            on_done(result)

        def failed(exc: BaseException) -> None:
            if not current():
                log.info("superseded %s request of shop %s failed: %s", kind, self.shop.id, exc)
                return
            self._tasks.pop(kind, None)
            (on_error or self.read_failed.emit)(exc)

        progress = None
        if on_progress is not None:

            def progress(*values: Any) -> None:
                if current():
                    on_progress(*values)

        self._tasks[kind] = run_in_background(fn, done, failed, on_progress=progress)
        return token

    # ------------------------------------------------------------------ requests
    def load_rows(self) -> None:
        """Build the shop's rows from the store (``rows_loaded``)."""
        loader = self.services.load_rows
        if self._closed or loader is None:
            return
        shop, store, rules = self.shop, self.services.store, self.services.rules
        self._start(ROWS, lambda: loader(store, rules, shop), self.rows_loaded.emit)

    def load_detail(self, row: QueueRow | None) -> None:
        """The full detail of ``row`` (``detail_loaded``); a newer request (another row) wins."""
        loader = getattr(self.services, "load_detail", None)
        if self._closed or loader is None or row is None:
            return
        store, rules = self.services.store, self.services.rules
        self._start(
            DETAIL, lambda: loader(store, row, rules), lambda detail: self.detail_loaded.emit(row, detail)
        )

    def estimate_risk(self) -> None:
        """The shop's risk answer (``risk_estimated``), computed as ``check`` computes it."""
        estimator = getattr(self.services, "estimate_risk", None)
        if self._closed or estimator is None:
            return
        store, rules, shop_id = self.services.store, self.services.rules, self.shop.id
        self._start(RISK, lambda: estimator(store, rules, shop_id), self.risk_estimated.emit)

    def refresh_shop(self) -> None:
        """Read the shop's record again (``shop_updated``)."""
        store, shop_id = self.services.store, self.shop.id

        def updated(shop: Shop | None) -> None:
            if shop is not None:
                self.shop = shop
                self.shop_updated.emit(shop)

        self._start(SHOP, lambda: store.shops.get(shop_id), updated)

    def sync(self) -> bool:
        """Start a sync of the shop; ``False`` when none could start (signed out, closed, or one is
        already running)."""
        if self._closed or self.client is None or SYNC in self._tasks:
            return False
        shop, client, services = self.shop, self.client, self.services
        cancel = self._cancel
        first = not bool(getattr(shop, "first_sweep_done", True))

        def work(progress: Callable[[SyncProgress], None]) -> SyncResult:
            try:
                syncer = services.make_syncer(client, services.store, services.rules, shop.id)
                return syncer.run(progress=progress, cancelled=cancel.is_set)
            finally:
                self._sync_done_in_worker()

        def on_progress(*values: Any) -> None:
            info = values[0] if values else None
            done_count = getattr(info, "windows_done", None)
            total = getattr(info, "windows_total", None)
            if first and isinstance(done_count, int) and isinstance(total, int) and total > 0:
                self.sync_progressed.emit(done_count, total)

        def finished(result: SyncResult) -> None:
            self.sync_ended.emit()
            if getattr(result, "cancelled", False):
                return
            self.sync_finished.emit(result)
            self.refresh_shop()
            self.load_rows()

        def failed(exc: BaseException) -> None:
            self.sync_ended.emit()
            log.warning("sync of shop %s failed: %s", shop.id, exc)
            self.sync_failed.emit(exc)

        with self._lock:
            self._sync_workers += 1
        self._start(SYNC, work, finished, failed, on_progress=on_progress)
        self.sync_started.emit(first)
        return True

    def cancel_sync(self) -> None:
        """Stop the sync in flight (sleep): it ends at its next page; the session stays usable."""
        task = self._tasks.pop(SYNC, None)
        if task is None:
            return
        task.cancel()
        self._tokens[SYNC] = self._tokens.get(SYNC, 0) + 1
        self._cancel.set()
        self._cancel = threading.Event()  # the next sync is not cancelled from the start
        self.sync_ended.emit()

    # ------------------------------------------------------------------ closing
    def _sync_done_in_worker(self) -> None:
        """(Worker thread) the sync's work ended: close the client if the session closed meanwhile."""
        with self._lock:
            self._sync_workers -= 1
            close = self._closed and self._sync_workers == 0
        if close:
            self._close_client()

    def _close_client(self) -> None:
        client, self.client = self.client, None
        closer = getattr(client, "close", None)
        if closer is not None:
            try:
                closer()
            except Exception as exc:
                log.debug("closing the client of shop %s: %s", self.shop.id, exc)

    def close(self) -> None:
        """Cancel everything in flight (a late result is dropped), tell the sync to stop and close
        the client (now, or when the sync's worker lets go of it). Idempotent."""
        if self._closed:
            return
        with self._lock:
            self._closed = True
            close_now = self._sync_workers == 0  # else the last sync worker closes it
        self._cancel.set()
        tasks, self._tasks = self._tasks, {}
        for task in tasks.values():
            task.cancel()
        if close_now:
            self._close_client()


class SessionController(QObject):
    """Makes shops active, one at a time (see the module docstring).

    ``activated(session)``: a shop became active (a new :class:`ShopSession`, the previous one
    closed); ``deactivated()``: no shop is active any more; ``activation_failed(exc)``: the shop
    could not be read.
    """

    activated = Signal(object)  # ShopSession
    deactivated = Signal()
    activation_failed = Signal(object)

    def __init__(self, services: Services, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.session: ShopSession | None = None
        self._generation = 0
        self._task: Task | None = None
        self._pending: int | None = None  # asked for before the shops (the keychain) were known

    @property
    def generation(self) -> int:
        return self._generation

    @property
    def activating(self) -> bool:
        return self._task is not None or self._pending is not None

    def _supersede(self) -> int:
        """A new generation: the activation in flight is superseded. Its delivery is not cancelled
        but dropped on arrival (its client, built meanwhile, must still be closed there)."""
        self._generation += 1
        self._task = None
        return self._generation

    def activate(self, shop_id: int) -> int:
        """Make ``shop_id`` active (credentials read and client built in the background); the latest
        call wins. Returns its generation token."""
        generation = self._supersede()
        services = self.services
        if services.shops is None:
            self._pending = shop_id  # the shops follow in an instant (set_shop_manager)
            return generation
        self._pending = None
        shops = services.shops

        def prepare() -> tuple[Shop, KuaishouClient | None]:
            shop = services.store.shops.get(shop_id)
            if shop is None:
                raise KeyError(f"no shop with id {shop_id}")
            credentials = shops.credentials(shop_id)
            client = services.make_client(shop, credentials) if credentials is not None else None
            return shop, client

        def done(result: tuple[Shop, KuaishouClient | None]) -> None:
            shop, client = result
            if generation != self._generation:  # superseded meanwhile: dropped, its client closed
                if client is not None:
                    client.close()
                return
            self._task = None
            self._install(ShopSession(shop, client, services, generation=generation, parent=self))

        def failed(exc: BaseException) -> None:
            if generation != self._generation:
                return
            self._task = None
            self.activation_failed.emit(exc)

        self._task = run_in_background(prepare, done, failed)
        return generation

    def show_cached(self, shop: Shop) -> ShopSession:
        """At start: ``shop`` shown from the cache before its credentials are read (no client)."""
        self._supersede()
        session = ShopSession(shop, None, self.services, generation=self._generation, parent=self)
        session.provisional = True
        self._install(session)
        return session

    def set_shop_manager(self, shops: ShopManager) -> None:
        """The keychain is known: an activation asked for before runs now."""
        self.services.shops = shops
        pending, self._pending = self._pending, None
        if pending is not None:
            self.activate(pending)

    def _install(self, session: ShopSession) -> None:
        previous, self.session = self.session, session
        if previous is not None:
            previous.close()
            previous.deleteLater()
        self.activated.emit(session)

    def deactivate(self) -> None:
        """No shop is active (signed out of the last one, removed): everything in flight stops."""
        self._supersede()
        self._pending = None
        previous, self.session = self.session, None
        if previous is not None:
            previous.close()
            previous.deleteLater()
            self.deactivated.emit()

    def suspend(self) -> None:
        """The computer goes to sleep: the sync in flight stops (the next one starts on wake)."""
        if self.session is not None:
            self.session.cancel_sync()

    def stop(self) -> None:
        """At quit: cancel everything, close the session (idempotent)."""
        self._supersede()
        self._pending = None
        previous, self.session = self.session, None
        if previous is not None:
            previous.close()
