"""Every signed-in shop is watched, not only the one the window shows.

The window syncs and shows one shop at a time (the *active* shop). :class:`ShopWatcher` does the rest:

* when a sync is due it syncs the other signed-in shops in the background, one after another, on a
  pool of its own (one thread), so the window's work never queues behind them; each run gets its own
  client (``services.make_client``) and its own syncer (``services.make_syncer``);
* it keeps each shop's latest queue rows — the active shop's as the window loads them, the others'
  built from the store after each of their syncs (:func:`desktop.core.queue_rows.build_queue_rows`,
  in the background) — in a mapping that is replaced, never mutated, so the alert center can read
  :meth:`ShopWatcher.alert_items` from a worker thread;
* a failure of one shop is logged and kept as a quiet per-shop status (:meth:`ShopWatcher.notes`,
  the :class:`ShopsStatusLabel` in the status bar); it never stops the other shops, never raises a
  dialog, and the shop is retried after the poller's backoff for its failure count. An authorisation
  failure marks the shop "sign in again".

:class:`SyncGate` holds one lock per shop around every sync run — the window's and the watcher's — so
a shop is never synced twice at once, also when it becomes active while the watcher syncs it (the
watcher's run is cancelled and the window's waits for the page in flight).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtWidgets import QLabel, QWidget

from desktop.core.alerts import AlertItem, items_from_rows
from desktop.core.polling import PollPolicy, next_delay_s
from desktop.ui.i18n import fill
from desktop.ui.workers import run_in_background

if TYPE_CHECKING:
    from desktop.core.queue_rows import QueueRow
    from desktop.core.store import Shop, Store
    from desktop.core.sync import SyncProgress, SyncResult
    from desktop.ui.services import Services, SyncRun

log = logging.getLogger(__name__)

# per-shop states (a shop without a status is fine)
FAILED = "failed"
SIGN_IN = "sign_in"


class SyncGate:
    """One lock per shop, held for the whole of every sync run of that shop (thread-safe)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[int, threading.Lock] = {}

    def lock(self, shop_id: int) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(int(shop_id), threading.Lock())

    def guard(self, shop_id: int, syncer: SyncRun) -> GatedSyncer:
        """``syncer`` whose :meth:`~GatedSyncer.run` first waits for any other run of the shop."""
        return GatedSyncer(syncer, self.lock(shop_id))


class GatedSyncer:
    """A :class:`desktop.core.sync.Syncer` that runs under its shop's lock (:class:`SyncGate`)."""

    def __init__(self, syncer: SyncRun, lock: threading.Lock) -> None:
        self.syncer = syncer
        self._lock = lock

    def run(
        self,
        progress: Callable[[SyncProgress], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> SyncResult:
        with self._lock:
            return self.syncer.run(progress=progress, cancelled=cancelled)


@dataclass(frozen=True, slots=True)
class ShopRows:
    """One shop's queue rows as the alerts need them (deadlines on the platform's clock)."""

    rows: Sequence[QueueRow]  # never mutated once here
    offset_ms: int  # the platform's clock minus the local clock, as last measured
    nearest_ms: int | None  # the soonest deadline waiting on the merchant, on the local clock

    @classmethod
    def of(cls, rows: Sequence[QueueRow], offset_ms: int | None) -> ShopRows:
        offset = offset_ms or 0
        deadlines = [r.expire_at_ms for r in rows if r.waits_on_merchant and r.expire_at_ms is not None]
        return cls(rows, offset, min(deadlines) - offset if deadlines else None)


@dataclass(frozen=True, slots=True)
class ShopStatus:
    """Why a shop watched in the background is not up to date."""

    state: str  # FAILED | SIGN_IN
    detail: str  # the error, for the tooltip and the log
    failures: int  # consecutive failed runs
    retry_at_ms: int  # automatic rounds leave the shop alone until then (local clock)


@dataclass(frozen=True, slots=True)
class _Outcome:
    """What one background run of a shop produced (errors are data: the cached rows still count)."""

    shop: Shop
    rows: ShopRows | None
    error: BaseException | None = None
    signed_out: bool = False
    cancelled: bool = False
    auto_approved: tuple[AlertItem, ...] = ()


def auto_approved_items(store: Store, shop_id: int, refund_ids: Iterable[int]) -> list[AlertItem]:
    """(Worker thread) alert items of the requests a sync found auto-approved after their deadline."""
    items = []
    for rid in refund_ids:
        refund = store.refunds.get(shop_id, rid)
        if refund is not None:
            deadline = refund.deadline_at or refund.expire_time or 0
            items.append(AlertItem(shop_id, rid, deadline, refund.refund_fee or 0, refund.sku_nick or ""))
    return items


class ShopWatcher(QObject):
    """Watches the signed-in shops the window does not show (see the module docstring).

    The composition root feeds it: :meth:`set_shops` (the shop list, when the window reads it),
    :meth:`set_active_shop` (the window switched), :meth:`show_active_rows` (the window loaded its
    shop's rows) and :meth:`sync_others` (a sync is due). ``rows_changed`` says that
    :meth:`alert_items` / :meth:`nearest_deadline_ms` changed; ``status_changed`` that :meth:`notes`
    did; ``auto_approved`` carries what a background sync found auto-approved after its deadline.
    """

    rows_changed = Signal()
    status_changed = Signal()
    auto_approved = Signal(list)  # list[AlertItem]
    synced = Signal(int)  # the shop id: a background run of it has ended (whatever its outcome)

    def __init__(
        self,
        services: Services,
        *,
        poll_policy_fn: Callable[[], PollPolicy],
        clock: Callable[[], float] = time.time,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.poll_policy_fn = poll_policy_fn
        self.clock = clock
        # a pool of its own: background shops run one after another and never delay the window's work
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self._rows: Mapping[int, ShopRows] = MappingProxyType({})  # replaced wholesale, read anywhere
        self._shops: dict[int, Shop] = {}  # the shops signed in, by id (the list the window read)
        self._statuses: dict[int, ShopStatus] = {}
        self._queue: deque[int] = deque()
        self._running: int | None = None
        self._cancel = threading.Event()
        self._active_id: int | None = None
        self._listed = False  # the window has read the shop list
        self._started = False  # the first round was started
        self._stopped = False

    # ------------------------------------------------------------------ what the others read
    def alert_items(self) -> list[AlertItem]:
        """(Any thread) the pending requests of every watched shop, deadlines on the local clock."""
        snapshot = self._rows
        return [item for entry in snapshot.values() for item in items_from_rows(entry.rows, entry.offset_ms)]

    def nearest_deadline_ms(self) -> int | None:
        """The soonest deadline waiting on the merchant in any watched shop (local clock)."""
        deadlines = [e.nearest_ms for e in self._rows.values() if e.nearest_ms is not None]
        return min(deadlines) if deadlines else None

    def watched_shop_ids(self) -> set[int]:
        return set(self._rows)

    def status(self, shop_id: int) -> ShopStatus | None:
        return self._statuses.get(shop_id)

    def shop_label(self, shop_id: int) -> str:
        shop = self._shops.get(shop_id)
        return shop.label if shop is not None else str(shop_id)

    def notes(self) -> dict[int, str]:
        """A short note per shop that the background could not bring up to date (not the active one)."""
        return {sid: self.note_text(s) for sid, s in self._statuses.items() if sid != self._active_id}

    def note_text(self, status: ShopStatus) -> str:
        if status.state == SIGN_IN:
            return self.tr("sign in again")
        return self.tr("sync failed")

    @property
    def running_shop_id(self) -> int | None:
        return self._running

    # ------------------------------------------------------------------ what the window tells
    def set_shops(self, shops: Sequence[Shop], signed_in: Mapping[int, bool]) -> None:
        """The window read the shop list: watch the signed-in ones; forget the others (their rows and
        statuses)."""
        self._shops = {s.id: s for s in shops if signed_in.get(s.id, False)}
        keep = set(self._shops) | ({self._active_id} if self._active_id is not None else set())
        if set(self._rows) - keep:
            self._replace_rows({sid: e for sid, e in self._rows.items() if sid in keep})
        if set(self._statuses) - set(self._shops):
            self._statuses = {sid: s for sid, s in self._statuses.items() if sid in self._shops}
            self.status_changed.emit()
        self._queue = deque(sid for sid in self._queue if sid in self._shops)
        self._listed = True
        self._first_round()

    def set_active_shop(self, shop: Shop | None) -> None:
        """The window now shows (and syncs) ``shop``: the background leaves it alone."""
        previous, self._active_id = self._active_id, shop.id if shop is not None else None
        if (
            previous is not None
            and previous != self._active_id
            and previous not in self._shops
            and previous in self._rows
        ):  # a signed-out shop is watched only while it is shown
            self._replace_rows({sid: e for sid, e in self._rows.items() if sid != previous})
        if self._active_id is None:
            return
        if self._running == self._active_id:
            self._cancel.set()  # the window's sync of it waits for the page in flight, not longer
        if self._active_id in self._queue:
            self._queue.remove(self._active_id)
        if self._statuses.pop(self._active_id, None) is not None or previous != self._active_id:
            self.status_changed.emit()  # the window reports its own shop's failures
        self._first_round()

    def show_active_rows(self, shop: Shop, rows: Sequence[QueueRow]) -> None:
        """The window loaded the rows of ``shop`` (the active one): they replace what was known of it."""
        self._replace_rows(
            {**self._rows, shop.id: ShopRows.of(rows, getattr(shop, "server_clock_offset_ms", None))}
        )

    # ------------------------------------------------------------------ syncing
    def _first_round(self) -> None:
        """Once the shops are listed and the window has chosen its shop, the others are synced at
        once (the poller's first round is minutes away) — not before, or the shop the window is
        about to show would be synced here first."""
        if not self._started and self._listed and self._active_id is not None:
            self._started = True
            self.sync_others()

    def sync_others(self, *, force: bool = False) -> None:
        """Queue a background run of every signed-in shop but the active one (not those already
        queued or running; without ``force``, not those still backing off after failures)."""
        if self._stopped:
            return
        now_ms = int(self.clock() * 1000)
        for sid in self._shops:
            status = self._statuses.get(sid)
            if (
                sid == self._active_id
                or sid == self._running
                or sid in self._queue
                or (not force and status is not None and now_ms < status.retry_at_ms)
            ):
                continue
            self._queue.append(sid)
        self._next()

    def stop(self, timeout_ms: int = 5000) -> None:
        """Cancel the run in flight, drop the queue and wait for the pool (at quit)."""
        self._stopped = True
        self._queue.clear()
        self._cancel.set()
        self.pool.waitForDone(timeout_ms)

    def _next(self) -> None:
        if self._running is not None or self._stopped:
            return
        while self._queue:
            shop_id = self._queue.popleft()
            if shop_id != self._active_id and shop_id in self._shops:
                break
        else:
            return
        self._running = shop_id
        self._cancel = cancel = threading.Event()
        services = self.services
        needs_rows = shop_id not in self._rows

        def work(progress: Callable[..., None]) -> _Outcome:
            return run_shop(services, shop_id, cancel, progress if needs_rows else None)

        run_in_background(work, self._done, self._crashed, on_progress=self._early_rows, pool=self.pool)

    def _early_rows(self, shop_id: int, entry: ShopRows) -> None:
        """The cached rows of a shop seen for the first time, before its sync: alerts need not wait."""
        if not self._stopped and shop_id != self._active_id and shop_id in self._shops:
            self._replace_rows({**self._rows, shop_id: entry})

    def _done(self, outcome: _Outcome) -> None:
        shop_id = outcome.shop.id
        self._running = None
        if self._stopped:
            return
        active = shop_id == self._active_id
        if outcome.signed_out:
            self._shops.pop(shop_id, None)
            if not active and shop_id in self._rows:
                self._replace_rows({sid: e for sid, e in self._rows.items() if sid != shop_id})
            self._set_status(shop_id, None)
        elif not active and shop_id in self._shops:  # still watched (not signed out meanwhile)
            self._shops[shop_id] = outcome.shop  # its latest record (label, offset)
            if outcome.rows is not None:
                self._replace_rows({**self._rows, shop_id: outcome.rows})
            if outcome.error is not None:
                self._record_failure(shop_id, outcome.error)
            elif not outcome.cancelled:
                self._set_status(shop_id, None)
        if outcome.auto_approved:
            self.auto_approved.emit(list(outcome.auto_approved))
        self.synced.emit(shop_id)
        self._next()

    def _crashed(self, exc: BaseException) -> None:
        """The run failed outside the sync itself (the store could not be read…)."""
        shop_id, self._running = self._running, None
        if self._stopped or shop_id is None:
            return
        log.error("background watch of shop %s failed", shop_id, exc_info=exc)
        if shop_id != self._active_id:
            self._record_failure(shop_id, exc)
        self.synced.emit(shop_id)
        self._next()

    def _record_failure(self, shop_id: int, exc: BaseException) -> None:
        previous = self._statuses.get(shop_id)
        failures = (previous.failures if previous is not None else 0) + 1
        policy = self.poll_policy_fn()
        now_ms = int(self.clock() * 1000)
        delay_s = next_delay_s(policy, now_ms=now_ms, nearest_deadline_ms=None, consecutive_failures=failures)
        # less one fast poll, so the round due at about that time does not just miss it
        retry_at = now_ms + max(0, delay_s - policy.near_interval_s) * 1000
        state = SIGN_IN if getattr(exc, "needs_reauth", False) else FAILED
        log.warning("background sync of shop %s failed (%d in a row): %s", shop_id, failures, exc)
        self._set_status(shop_id, ShopStatus(state, str(exc) or type(exc).__name__, failures, retry_at))

    def _set_status(self, shop_id: int, status: ShopStatus | None) -> None:
        if status is None:
            if self._statuses.pop(shop_id, None) is None:
                return
        else:
            self._statuses[shop_id] = status
        self.status_changed.emit()

    def _replace_rows(self, rows: dict[int, ShopRows]) -> None:
        self._rows = MappingProxyType(rows)
        self.rows_changed.emit()


def run_shop(
    services: Services,
    shop_id: int,
    cancel: threading.Event,
    early_rows: Callable[[int, ShopRows], None] | None,
) -> _Outcome:
    """(Worker thread) one background run of a shop: its cached rows first when ``early_rows`` is
    given, then a sync with its own client, then its rows rebuilt from the store. A failed sync is
    returned, not raised: the rows of what is cached still count for the alerts."""
    store, rules, load_rows, shops = services.store, services.rules, services.load_rows, services.shops
    if load_rows is None or shops is None:  # the watcher is fed shops only once both are known
        raise RuntimeError("a shop is watched before its rows can be built or its credentials read")
    shop = store.shops.get(shop_id)
    if shop is None:
        raise KeyError(f"no shop with id {shop_id}")
    if early_rows is not None:
        early_rows(shop_id, ShopRows.of(load_rows(store, rules, shop), shop.server_clock_offset_ms))
    credentials = shops.credentials(shop_id)
    if credentials is None:
        return _Outcome(shop, None, signed_out=True)
    client = services.make_client(shop, credentials)
    result, error = None, None
    try:
        syncer = services.make_syncer(client, store, rules, shop_id)
        result = syncer.run(cancelled=cancel.is_set)
    except Exception as exc:
        error = exc
    finally:
        client.close()
    shop = store.shops.get(shop_id) or shop
    rows = ShopRows.of(load_rows(store, rules, shop), shop.server_clock_offset_ms)
    auto = auto_approved_items(store, shop_id, result.auto_approved) if result is not None else []
    return _Outcome(
        shop, rows, error, cancelled=bool(result is not None and result.cancelled), auto_approved=tuple(auto)
    )


class ShopsStatusLabel(QLabel):
    """In the status bar: how many other shops the background could not bring up to date (hidden
    when none); the tooltip names them and why; a click asks for the shops dialog."""

    open_requested = Signal()

    def __init__(self, watcher: ShopWatcher, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.watcher = watcher
        self.linkActivated.connect(lambda _link: self.open_requested.emit())
        watcher.status_changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        notes = self.watcher.notes()
        if not notes:
            self.hide()
            return
        text = self.tr("%n other shop(s) not up to date", "", len(notes))
        self.setText(f'⚠ <a href="#shops">{text}</a>')
        lines = []
        for sid, note in notes.items():
            status = self.watcher.status(sid)
            detail = status.detail if status is not None else ""
            lines.append(fill(self.tr("%1: %2 (%3)"), self.watcher.shop_label(sid), note, detail))
        self.setToolTip("\n".join(lines))
        self.setAccessibleName(text)
        self.show()
