"""The main window as a view of its shop sessions, with fake services (no network, no store).

What the user does — choosing shops in the Switch-to menu, pressing Sync now, signing out in the
shops dialog, hiding the window — while the background work of the shops it leaves is still
running: the latest choice wins, a late result is dropped, a cancelled sync does not end the new
shop's sync, nothing is left running, and no timer ticks while the window is hidden.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop.ui.main_window import MainWindow
from desktop.ui.services import Services
from desktop.ui.settings import Settings

WAIT_MS = 10_000


@dataclass
class FakeShop:
    id: int
    name: str
    first_sweep_done: bool = True
    last_success_at: int | None = None
    server_clock_offset_ms: int | None = 0

    @property
    def label(self) -> str:
        return self.name


class Gate:
    """A step of the fake back end that waits until the test lets it go (or it is cancelled)."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.released = threading.Event()

    def pass_through(self, cancelled=lambda: False) -> bool:
        self.entered.set()
        while not self.released.wait(0.01):
            if cancelled():
                return False
        return True


@dataclass
class FakeBackEnd:
    """The store, the shops' keychain, the clients and the syncers, all in memory."""

    shops: dict[int, FakeShop]
    signed_in: dict[int, bool]
    read_gates: dict[int, Gate] = field(default_factory=dict)  # activation reads of a shop
    sync_gates: dict[int, Gate] = field(default_factory=dict)
    rows_gates: dict[int, Gate] = field(default_factory=dict)
    detail_gates: dict[Any, Gate] = field(default_factory=dict)
    clients: list = field(default_factory=list)
    syncs: list = field(default_factory=list)  # (shop id, how it ended)
    sync_errors: dict[int, BaseException] = field(default_factory=dict)  # a shop's syncs raise it
    lock: threading.Lock = field(default_factory=threading.Lock)

    # ---- store (its shops repository: store.shops.get)
    def read_shop(self, shop_id: int) -> FakeShop | None:
        gate = self.read_gates.get(shop_id)
        if gate is not None:
            gate.pass_through()
        return self.shops.get(shop_id)

    # ---- shop manager
    def credentials(self, shop_id: int) -> Any:
        return SimpleNamespace(shop_id=shop_id) if self.signed_in.get(shop_id) else None

    def list_shops(self) -> list[FakeShop]:
        return list(self.shops.values())

    def sign_out(self, shop_id: int) -> None:
        self.signed_in[shop_id] = False

    # ---- services
    def make_client(self, shop: FakeShop, credentials: Any) -> Any:
        client = SimpleNamespace(shop_id=shop.id, closed=False)
        client.close = lambda c=client: setattr(c, "closed", True)
        with self.lock:
            self.clients.append(client)
        return client

    def make_syncer(self, client: Any, store: Any, rules: Any, shop_id: int) -> Any:
        backend = self

        class Syncer:
            def run(self, progress=None, cancelled=lambda: False):
                gate = backend.sync_gates.get(shop_id)
                done = gate.pass_through(cancelled) if gate is not None else True
                if shop_id in backend.sync_errors:
                    raise backend.sync_errors[shop_id]
                outcome = "completed" if done and not cancelled() else "cancelled"
                with backend.lock:
                    backend.syncs.append((shop_id, outcome))
                return SimpleNamespace(
                    shop_id=shop_id,
                    cancelled=outcome == "cancelled",
                    auto_approved=[],
                    server_clock_offset_ms=None,
                )

        return Syncer()

    def load_rows(self, store: Any, rules: Any, shop: FakeShop) -> list:
        gate = self.rows_gates.get(shop.id)
        if gate is not None:
            gate.pass_through()
        return [f"row of {shop.id}"]

    def load_detail(self, store: Any, row: Any, rules: Any) -> Any:
        gate = self.detail_gates.get(row)
        if gate is not None:
            gate.pass_through()
        return f"detail of {row}"

    def estimate_risk(self, store: Any, rules: Any, shop_id: int) -> Any:
        return f"risk of {shop_id}"

    def services(self) -> Services:
        backend = self
        manager = SimpleNamespace(
            shops=self.list_shops,
            signed_in=lambda sid: bool(backend.signed_in.get(sid)),
            credentials=self.credentials,
            sign_out=self.sign_out,
            secrets=SimpleNamespace(backend_name="memory", persistent=False, problem="in memory"),
        )
        return Services(
            shops=manager,
            store=SimpleNamespace(shops=SimpleNamespace(get=self.read_shop)),
            rules=None,
            make_client=self.make_client,
            make_syncer=self.make_syncer,
            load_rows=self.load_rows,
            load_detail=self.load_detail,
            estimate_risk=self.estimate_risk,
        )


class FakeQueue(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list = []

    def set_rows(self, rows: list) -> None:
        self.rows = list(rows)


@pytest.fixture
def backend() -> FakeBackEnd:
    return FakeBackEnd(
        shops={1: FakeShop(1, "一号店"), 2: FakeShop(2, "二号店")}, signed_in={1: True, 2: True}
    )


@pytest.fixture
def window(qtbot, backend, wait_background):
    win = MainWindow(backend.services(), Settings())
    qtbot.addWidget(win)
    queue = FakeQueue()
    win.set_queue_widget(queue)
    win.queue = queue
    yield win
    for gate_map in (backend.read_gates, backend.sync_gates, backend.rows_gates, backend.detail_gates):
        for gate in gate_map.values():
            gate.released.set()
    win.sessions.stop()
    wait_background()


def start(qtbot, window, backend, shop_id: int = 1) -> None:
    window.settings.set_active_shop(shop_id)
    window.reload_shops()
    qtbot.waitUntil(
        lambda: (
            window.shop is not None
            and window.shop.id == shop_id
            and window.queue.rows == [f"row of {shop_id}"]
            and not window.syncing
        ),
        timeout=WAIT_MS,
    )
    assert backend.syncs == [(shop_id, "completed")]  # activating a signed-in shop syncs it
    backend.syncs.clear()


def switch_to(window, shop_id: int) -> None:
    """The user picks the shop in the Shop ▸ Switch to menu."""
    (action,) = [
        a for a in window.menus.switch_menu.actions() if a.text().startswith(window_label(window, shop_id))
    ]
    action.trigger()


def window_label(window, shop_id: int) -> str:
    return {1: "一号店", 2: "二号店"}[shop_id]


def test_the_last_shop_chosen_wins_even_when_its_read_finishes_first(qtbot, window, backend, wait_background):
    start(qtbot, window, backend, 2)
    backend.read_gates[1] = slow = Gate()
    switch_to(window, 1)  # shop 1's credentials are slow to read…
    qtbot.waitUntil(slow.entered.is_set, timeout=WAIT_MS)
    switch_to(window, 2)  # …and the user goes back to shop 2 meanwhile
    qtbot.wait(50)
    slow.released.set()  # shop 1's read finishes last
    wait_background()
    qtbot.wait(50)
    assert window.shop.id == 2 and window.windowTitle().startswith("二号店")
    assert window.settings.active_shop() == 2
    assert window.queue.rows == ["row of 2"]
    # the superseded activation's client was closed, not kept
    late = [c for c in backend.clients if c.shop_id == 1]
    assert late and all(c.closed for c in late)


def test_a_cancelled_sync_of_the_previous_shop_does_not_end_the_new_shops_sync(
    qtbot, window, backend, wait_background
):
    start(qtbot, window, backend, 1)
    backend.sync_gates[1] = first = Gate()
    backend.sync_gates[2] = second = Gate()
    window.menus.sync_action.trigger()
    qtbot.waitUntil(first.entered.is_set, timeout=WAIT_MS)
    assert window.syncing and window.status_bar.sync_busy.isVisibleTo(window)
    switch_to(window, 2)
    qtbot.waitUntil(second.entered.is_set, timeout=WAIT_MS)
    # shop 1's sync noticed the cancel at its next page and ended: shop 2's still runs
    qtbot.waitUntil(lambda: (1, "cancelled") in backend.syncs, timeout=WAIT_MS)
    qtbot.wait(50)
    assert window.shop.id == 2
    assert (
        window.syncing
        and window.status_bar.sync_busy.isVisibleTo(window)
        and not window.menus.sync_action.isEnabled()
    )
    window.menus.sync_action.trigger()  # (disabled) and F5 alike: no second sync of shop 2
    assert window.sync_now() is False
    second.released.set()
    qtbot.waitUntil(lambda: not window.syncing, timeout=WAIT_MS)
    assert backend.syncs == [(1, "cancelled"), (2, "completed")]
    assert not window.status_bar.sync_busy.isVisibleTo(window) and window.menus.sync_action.isEnabled()


def test_a_late_row_load_and_a_late_detail_are_dropped(qtbot, window, backend, wait_background):
    start(qtbot, window, backend, 1)
    details: list = []
    window.detail_loaded.connect(lambda row, detail: details.append((row, detail)))
    backend.detail_gates["slow row"] = slow_detail = Gate()
    window.load_detail("slow row")  # the user selects a request whose detail is slow…
    qtbot.waitUntil(slow_detail.entered.is_set, timeout=WAIT_MS)
    window.load_detail("row of 1")  # …then another one
    qtbot.waitUntil(lambda: details == [("row of 1", "detail of row of 1")], timeout=WAIT_MS)
    slow_detail.released.set()
    wait_background()
    qtbot.wait(50)
    assert details == [("row of 1", "detail of row of 1")]

    backend.rows_gates[1] = slow_rows = Gate()
    window.menus.sync_action.trigger()  # after the sync, shop 1's rows are slow to build
    qtbot.waitUntil(slow_rows.entered.is_set, timeout=WAIT_MS)
    switch_to(window, 2)
    qtbot.waitUntil(lambda: window.queue.rows == ["row of 2"], timeout=WAIT_MS)
    slow_rows.released.set()
    wait_background()
    qtbot.wait(50)
    assert window.queue.rows == ["row of 2"] and window.shop.id == 2


def test_signing_out_during_a_sync_stops_it_and_shows_the_shop_signed_out(
    qtbot, window, backend, wait_background, monkeypatch
):
    start(qtbot, window, backend, 1)
    backend.sync_gates[1] = gate = Gate()
    window.menus.sync_action.trigger()
    qtbot.waitUntil(gate.entered.is_set, timeout=WAIT_MS)
    client = window.client
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.menus.shops_action.trigger()
    from desktop.ui.shops import ShopsDialog

    dialog = window.findChild(ShopsDialog)
    qtbot.waitUntil(lambda: dialog.list.count() == 2, timeout=WAIT_MS)
    dialog.list.setCurrentRow(0)
    dialog.sign_out_button.click()
    qtbot.waitUntil(lambda: (1, "cancelled") in backend.syncs, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: window.needs_sign_in and window.client is None, timeout=WAIT_MS)
    wait_background()
    assert not window.syncing and not window.status_bar.sync_busy.isVisibleTo(window)
    assert client.closed  # the signed-out shop's client is closed once its sync let go of it
    assert window.banner.isVisibleTo(window) and "signed out" in window.banner.label.text()
    assert backend.syncs == [(1, "cancelled")]
    dialog.reject()


def test_quitting_cancels_what_is_in_flight(qtbot, window, backend, wait_background):
    start(qtbot, window, backend, 1)
    backend.sync_gates[1] = gate = Gate()
    window.menus.sync_action.trigger()
    qtbot.waitUntil(gate.entered.is_set, timeout=WAIT_MS)
    client = window.client
    window.menus.quit_action.trigger()  # no tray: the window closes
    wait_background()
    assert backend.syncs == [(1, "cancelled")] and client.closed
    assert window.session is None


def test_timers_run_only_while_the_window_is_on_screen(qtbot, window, backend):
    from PySide6.QtCore import QTimer

    countdown = QTimer(window)
    countdown.setInterval(1000)
    window.tick_while_visible(countdown)
    assert not countdown.isActive() and not window.freshness_timer.isActive()  # not shown yet
    window.show()
    qtbot.waitExposed(window)
    assert countdown.isActive() and window.freshness_timer.isActive()
    window.hide()  # e.g. closed to the tray
    assert not countdown.isActive() and not window.freshness_timer.isActive()
    ticks: list = []
    countdown.timeout.connect(lambda: ticks.append(1))
    window.show()
    assert countdown.isActive() and ticks == [1]  # caught up at once on showing
    window.showMinimized()
    qtbot.waitUntil(lambda: not countdown.isActive(), timeout=WAIT_MS)


def test_a_sync_failure_whose_text_holds_a_placeholder_is_shown_as_it_is(qtbot, window, backend):
    """An address in an error (``%2F`` is an encoded "/") is never taken for a placeholder: the
    banner shows it as the platform wrote it, and the time of the data shown after it."""
    start(qtbot, window, backend, 1)
    reason = "https://gw.example/a%2Fb%1 unreachable"
    backend.sync_errors[1] = ValueError(reason)
    window.menus.sync_action.trigger()  # Requests ▸ Sync now (F5)
    qtbot.waitUntil(lambda: window.banner.isVisibleTo(window), timeout=WAIT_MS)
    text = window.banner.label.text()
    assert text.startswith(f"Sync failed: {reason}. The list shows the requests downloaded ")
    assert text.endswith("; the app keeps trying.")
    assert window.banner.button.text() == "Retry"


def test_a_shop_name_with_a_placeholder_is_shown_intact_in_the_shop_lists(qtbot, window, backend):
    backend.shops[2] = FakeShop(2, "双11%2折")
    start(qtbot, window, backend, 1)
    window.set_shop_notes({2: "sign in again"})  # what the background watch of the other shop reports
    assert [a.text() for a in window.menus.switch_menu.actions()] == ["一号店", "双11%2折 (sign in again)"]
    assert window.menus.shop_combo.itemText(1) == "双11%2折"
    window.menus.switch_menu.actions()[1].trigger()  # Shop ▸ Switch to ▸ 双11%2折
    qtbot.waitUntil(lambda: window.shop.id == 2 and not window.syncing, timeout=WAIT_MS)
    assert window.windowTitle().startswith("双11%2折 — ")
    assert window.menus.shop_combo.currentText() == "双11%2折"
