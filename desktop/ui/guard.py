"""The guard (售后兜底) in the app: its settings page (with the live backtest) and the controller that
runs it at each sync and on a timer set for each guarded deadline.

The work itself is :mod:`desktop.core.guard`; everything that reads the store or the network runs on
the thread pool. Notifications go through one :class:`~desktop.core.guard.NoticeBus` (its channels
are called on the UI thread): the tray / in-app alert today, phone channels attach to the same bus.
"""

from __future__ import annotations

import html
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop.core.guard import (
    Backtest,
    Guard,
    GuardNotice,
    GuardPolicy,
    GuardReport,
    NoticeBus,
    backtest,
    load_policy,
    next_wakeups,
    pre_notice,
    result_notice,
    save_policy,
)
from desktop.ui.i18n import fill
from desktop.ui.queue.selection import RequestPane, RequestQueue
from desktop.ui.workers import run_in_background

if TYPE_CHECKING:
    from desktop.core.actions import ActionEngine
    from desktop.core.domain.rules import Rules
    from desktop.core.store import Shop, Store

log = logging.getLogger(__name__)

# the ``notifications`` key of "the guard could not act: the data is out of date" (once per request)
STALE_KEY = "guard-stale"
# the longest the controller sleeps between looks at the schedule (a new request may arrive)
MAX_SLEEP_MS = 30 * 60_000


def stage_labels() -> dict[str, str]:
    from desktop.core.labels import stage_names

    names = stage_names()
    return {
        s: names.get(s, s)
        for s in ("review_refund_only", "review_return", "review_exchange", "confirm_receipt")
    }


class GuardSettingsPage(QWidget):
    """The "Guard" page: the policy of the active shop, why it is safe, and the live backtest."""

    def __init__(
        self,
        store: Store,
        rules: Rules,
        shop: Shop | None,
        on_saved: Callable[[], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.store, self.rules, self.shop = store, rules, shop
        self._on_saved = on_saved
        self._generation = 0
        self._loaded = False
        defaults = GuardPolicy.defaults(rules)
        why = QLabel(
            self.tr(
                "When a request waiting on you reaches its deadline, the platform agrees it in your place: "
                "the buyer gets the refund (or returns the goods) all the same, and the shop collects an "
                "overdue auto-approval, which the notice of 2023-05-09 punishes. Agreed by the shop a little "
                "before the deadline, the money and goods go exactly the same way, but the request was "
                "handled in time. You keep the whole window to look, reject or negotiate; the guard acts "
                "only in the last minutes, only inside the limits below, and tells you 15 minutes before."
            )
        )
        why.setWordWrap(True)
        self.enabled = QCheckBox(self.tr("Agree requests shortly before their deadline (guard)"))
        self.stages: dict[str, QCheckBox] = {}
        stage_box = QVBoxLayout()
        for key, label in stage_labels().items():
            box = QCheckBox(label)
            box.setChecked(key in defaults.stages)
            self.stages[key] = box
            stage_box.addWidget(box)
        self.lead = QSpinBox()
        self.lead.setRange(5, 24 * 60)
        self.lead.setSuffix(self.tr(" min"))
        self.max_fee = QDoubleSpinBox()
        self.max_fee.setRange(0.01, 1_000_000)
        self.max_fee.setDecimals(2)
        self.max_fee.setPrefix("¥")
        self.daily_count = QSpinBox()
        self.daily_count.setRange(1, 10_000)
        self.daily_money = QDoubleSpinBox()
        self.daily_money.setRange(0.01, 100_000_000)
        self.daily_money.setDecimals(2)
        self.daily_money.setPrefix("¥")
        self._fill(defaults)
        self.backtest = QLabel()
        self.backtest.setWordWrap(True)
        self.backtest.setObjectName("guardBacktest")
        self.backtest.setTextFormat(Qt.TextFormat.RichText)
        form = QFormLayout(self)
        if shop is not None:
            title = QLabel(fill(self.tr("The guard of %1"), shop.label))
            title.setStyleSheet("font-weight: bold")
            form.addRow(title)
        form.addRow(why)
        form.addRow(self.enabled)
        form.addRow(self.tr("Stages:"), stage_box)
        form.addRow(self.tr("Act this long before the deadline:"), self.lead)
        form.addRow(self.tr("Largest amount per request:"), self.max_fee)
        form.addRow(self.tr("At most per day (requests):"), self.daily_count)
        form.addRow(self.tr("At most per day (money):"), self.daily_money)
        form.addRow(self.backtest)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self._run_backtest)
        for w in (self.lead, self.max_fee, self.daily_count, self.daily_money):
            w.valueChanged.connect(self._debounce.start)
        for box in (self.enabled, *self.stages.values()):
            box.toggled.connect(self._debounce.start)
        if shop is None:
            self.setEnabled(False)
            self.backtest.setText(self.tr("Sign in to a shop to set up its guard."))
            return
        self.setEnabled(False)
        self.backtest.setText(self.tr("Reading the shop's history…"))
        run_in_background(lambda: load_policy(store, shop.id), self._loaded_policy, self._failed)

    def _fill(self, p: GuardPolicy) -> None:
        self.enabled.setChecked(p.enabled)
        for key, box in self.stages.items():
            box.setChecked(key in p.stages)
        self.lead.setValue(p.lead_minutes)
        self.max_fee.setValue(p.max_fee_fen / 100)
        self.daily_count.setValue(p.daily_count)
        self.daily_money.setValue(p.daily_fen / 100)

    def _loaded_policy(self, policy: GuardPolicy | None) -> None:
        if policy is not None:
            self._fill(policy)
        self._loaded = True
        self.setEnabled(True)
        self._run_backtest()

    def _failed(self, exc: BaseException) -> None:
        log.warning("guard settings: %s", exc)
        self.backtest.setText(fill(self.tr("The shop's history cannot be read: %1"), exc))

    def policy(self) -> GuardPolicy:
        return GuardPolicy(
            enabled=self.enabled.isChecked(),
            stages=tuple(k for k, box in self.stages.items() if box.isChecked()),
            lead_minutes=self.lead.value(),
            max_fee_fen=round(self.max_fee.value() * 100),
            daily_count=self.daily_count.value(),
            daily_fen=round(self.daily_money.value() * 100),
        )

    def _run_backtest(self) -> None:
        if self.shop is None or not self._loaded:
            return
        self._generation += 1
        generation = self._generation
        policy = self.policy()
        store, rules, shop_id = self.store, self.rules, self.shop.id

        def done(bt: Backtest) -> None:
            if generation == self._generation:  # the latest edit wins
                self.backtest.setText(backtest_text(bt))

        run_in_background(lambda: backtest(store, shop_id, rules, policy), done, self._failed)

    def validate(self) -> str | None:
        if self.shop is None:
            return None
        if self.enabled.isChecked() and not any(b.isChecked() for b in self.stages.values()):
            return self.tr("Choose at least one stage for the guard, or switch it off.")
        return None

    def save(self) -> bool:
        if self.shop is None or not self._loaded:
            return True
        policy = self.policy()
        store, shop_id = self.store, self.shop.id

        def failed(exc: BaseException) -> None:
            QMessageBox.warning(
                self.window(),
                self.tr("Settings"),
                fill(self.tr("The guard policy could not be saved: %1"), exc),
            )

        run_in_background(
            lambda: save_policy(store, shop_id, policy),
            lambda _r: self._on_saved() if self._on_saved else None,
            failed,
        )
        return True


def backtest_text(bt: Backtest) -> str:
    """The backtest as one translated paragraph (rich text)."""
    from desktop.core.labels import level_names, money_text

    levels = level_names()
    lines = [
        fill(
            QCoreApplication.translate(
                "GuardBacktest",
                "Over the last %1 days this policy would have turned %2 of %3 "
                "overdue auto-approvals (%4) into timely approvals.",
            ),
            bt.days,
            bt.caught,
            bt.total,
            money_text(bt.caught_fen),
        )
    ]
    why = {
        "stage": QCoreApplication.translate("GuardBacktest", "stage not guarded"),
        "amount": QCoreApplication.translate("GuardBacktest", "above the amount limit"),
        "cap": QCoreApplication.translate("GuardBacktest", "past a daily cap"),
    }
    missed = [
        fill(QCoreApplication.translate("GuardBacktest", "%1: %2 (%3)"), why[k], c, money_text(f))
        for k, (c, f) in bt.missed.items()
        if c
    ]
    if missed:
        lines.append(fill(QCoreApplication.translate("GuardBacktest", "Not caught: %1"), "；".join(missed)))
    lines.append(
        fill(
            QCoreApplication.translate(
                "GuardBacktest", "Risk level now: %1; with this guard it would have been: %2."
            ),
            levels.get(bt.level, bt.level),
            levels.get(bt.level_with_guard, bt.level_with_guard),
        )
    )
    return "<br>".join(html.escape(x) for x in lines)


@dataclass(frozen=True)
class _Item:
    shop_id: int
    refund_id: int


class _NoticeDigest:
    """A guard notice in the shape the alert notifier shows (title, text, items, critical)."""

    def __init__(self, notice: GuardNotice) -> None:
        self.notice = notice
        self.kind = "guard_" + notice.kind
        self.items = tuple(_Item(notice.shop_id, r) for r in notice.refund_ids)
        self.critical = notice.urgent

    def title(self) -> str:
        return self.notice.title

    def text(self) -> str:
        return self.notice.text


class SyncingWindow(Protocol):
    """What the guard reads of the main window: its active shop, and a sync of it (``False``: none
    started, e.g. signed out)."""

    @property
    def shop(self) -> Shop | None: ...

    def sync_now(self) -> bool: ...


class DigestNotifier(Protocol):
    """The app's alert notifier (tray, else in-app banner): shows digest-shaped notices."""

    def notify(self, digests: Sequence[_NoticeDigest]) -> None: ...


class GuardController(QObject):
    """Runs the guard of the window's active shop: after each sync, and on a timer set for the next
    guarded deadline's pre-notice or act time (which first asks for a sync, so the guard acts on
    fresh data). One run at a time; the results go to :attr:`bus`."""

    ran = Signal(object)  # GuardReport

    def __init__(
        self,
        window: SyncingWindow,
        rules: Rules,
        engine_factory: Callable[[], ActionEngine | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.window = window
        self.rules = rules
        self.engine_factory = engine_factory
        self.bus = NoticeBus()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.wake)
        self._busy = False
        self._stopped = False

    def attach_notifier(self, notifier: DigestNotifier) -> None:
        """Show the guard's notices with the app's alert notifier (tray, else in-app banner)."""
        self.bus.attach(lambda notice: notifier.notify([_NoticeDigest(notice)]))

    def stop(self) -> None:
        self._stopped = True
        self._timer.stop()

    def wake(self) -> None:
        """Sync the active shop, then run the guard on the fresh data (its timer calls this)."""
        if self._stopped:
            return
        if not self.window.sync_now():  # a sync under way ends in after_sync; signed out: nothing
            self.after_sync()

    def after_sync(self, _result: object = None) -> None:
        """Run the guard on the freshly synced data, then set the timer for its next wake-up."""
        if self._stopped or self._busy:
            return
        shop = self.window.shop
        engine = self.engine_factory()
        if shop is None or engine is None:
            return
        self._busy = True
        store, rules = engine.store, self.rules

        def work() -> tuple[GuardReport | None, list[GuardNotice], list[int]]:
            policy = load_policy(store, shop.id)
            notices: list[GuardNotice] = []
            if policy is None or not policy.enabled:
                return None, notices, []
            report = Guard(engine, rules).run(policy)
            now = int(time.time() * 1000)
            # out-of-date data is said once per request, not after every failing sync
            told = replace(
                report,
                considered=[
                    c
                    for c in report.considered
                    if c.code != "stale" or store.notifications.mark(shop.id, c.refund_id, STALE_KEY, at=now)
                ],
            )
            for notice in (result_notice(told), pre_notice(store, shop.id, rules, policy, now_ms=now)):
                if notice is not None:
                    notices.append(notice)
            return report, notices, next_wakeups(store, shop.id, rules, policy, now_ms=now)

        def done(result: tuple[GuardReport | None, list[GuardNotice], list[int]]) -> None:
            self._busy = False
            report, notices, wakeups = result
            for notice in notices:
                self.bus.send(notice)
            if report is not None:
                self.ran.emit(report)
                if any(c.outcome in ("approved", "changed") for c in report.considered):
                    self.window.sync_now()  # the queue and the risk show what the guard did
            self._schedule(wakeups)

        def failed(exc: BaseException) -> None:
            self._busy = False
            log.warning("guard run failed: %s", exc)
            self._schedule([])

        run_in_background(work, done, failed)

    def _schedule(self, wakeups: list[int]) -> None:
        if self._stopped:
            return
        now = int(time.time() * 1000)
        ahead = [t for t in wakeups if t > now]
        if not ahead:
            self._timer.stop()
            return
        self._timer.start(max(1_000, min(MAX_SLEEP_MS, ahead[0] - now)))

    @property
    def next_wake_in_ms(self) -> int | None:
        return self._timer.remainingTime() if self._timer.isActive() else None


class HoldActions(QObject):
    """ "Hold from the guard" (暂不兜底) and "Let the guard act" for the selected requests and the
    one the detail pane shows: in the queue's and the detail pane's context menus and under
    Ctrl+Shift+H / Ctrl+Shift+G. The holds are kept per shop in the store (written in the
    background); the guard is run again afterwards so its timer follows."""

    changed = Signal(object)  # frozenset[int]: the shop's holds afterwards

    def __init__(
        self, window: QMainWindow, queue: RequestQueue, store: Store, detail: RequestPane | None = None
    ) -> None:
        super().__init__(window)
        from PySide6.QtGui import QAction, QKeySequence

        self.window, self.queue, self.store, self.detail = window, queue, store, detail
        self.hold_action = QAction(self.tr("Hold from the guard"), window)
        self.hold_action.setShortcut(QKeySequence("Ctrl+Shift+H"))
        self.hold_action.setToolTip(
            self.tr("The guard will not agree the selected requests; you handle them yourself (Ctrl+Shift+H)")
        )
        self.hold_action.triggered.connect(lambda: self.set_held(self._selection(), True))
        self.release_action = QAction(self.tr("Let the guard act"), window)
        self.release_action.setShortcut(QKeySequence("Ctrl+Shift+G"))
        self.release_action.triggered.connect(lambda: self.set_held(self._selection(), False))
        self.hold_one_action = QAction(self.tr("Hold this request from the guard"), window)
        self.hold_one_action.triggered.connect(lambda: self.set_held(self._shown(), True))
        for action in (self.hold_action, self.release_action):
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        window.addActions([self.hold_action, self.release_action])
        for view in (getattr(queue, "merchant_view", None), getattr(queue, "others_view", None)):
            table = getattr(view, "table", None)
            if isinstance(table, QWidget):
                table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
                table.addActions([self.hold_action, self.release_action])
        if isinstance(detail, QWidget):
            detail.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
            detail.addAction(self.hold_one_action)

    def _selection(self) -> list[int]:
        rows = self.queue.selected_rows()
        shop = getattr(self.window, "shop", None)
        return [r.refund_id for r in rows if shop is not None and getattr(r, "shop_id", shop.id) == shop.id]

    def _shown(self) -> list[int]:
        row = self.detail.row if self.detail is not None else None
        return [row.refund_id] if row is not None else []

    def set_held(self, refund_ids: list[int], held: bool) -> None:
        from desktop.core.guard import set_hold

        shop = getattr(self.window, "shop", None)
        if shop is None or not refund_ids:
            return
        store, ids = self.store, list(refund_ids)

        def done(holds: frozenset[int]) -> None:
            text = (
                self.tr("%1 request(s) held from the guard")
                if held
                else self.tr("The guard may act on %1 request(s) again")
            )
            self.window.statusBar().showMessage(fill(text, len(ids)), 8_000)
            self.changed.emit(holds)
            controller = getattr(self.window, "guard", None)
            if controller is not None:
                controller.after_sync()

        def failed(exc: BaseException) -> None:
            QMessageBox.warning(
                self.window,
                self.tr("Guard"),
                fill(self.tr("The hold could not be saved: %1"), exc),
            )

        run_in_background(lambda: set_hold(store, shop.id, ids, held), done, failed)
