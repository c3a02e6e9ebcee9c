"""The shop session controller on its own, with fake services: generation tokens, cancellation, and
the client's hand-over between a running sync and closing."""

from __future__ import annotations

from desktop.ui.session import SessionController, ShopSession
from tests.gui.test_main_window import FakeBackEnd, FakeShop, Gate

WAIT_MS = 10_000


def _backend() -> FakeBackEnd:
    return FakeBackEnd(
        shops={1: FakeShop(1, "一号店"), 2: FakeShop(2, "二号店")}, signed_in={1: True, 2: False}
    )


def test_closing_during_a_sync_closes_the_client_only_once_the_sync_let_go(qtbot, wait_background):
    backend = _backend()
    backend.sync_gates[1] = gate = Gate()
    client = backend.make_client(backend.shops[1], object())
    session = ShopSession(backend.shops[1], client, backend.services())
    events: list = []
    session.sync_finished.connect(lambda r: events.append("finished"))
    session.sync_ended.connect(lambda: events.append("ended"))
    assert session.sync() and session.syncing and not session.sync()  # one at a time
    qtbot.waitUntil(gate.entered.is_set, timeout=WAIT_MS)
    session.close()
    assert not client.closed  # the sync's worker still uses it
    assert session.sync() is False  # nothing starts on a closed session
    wait_background()
    assert client.closed and backend.syncs == [(1, "cancelled")]
    assert events == []  # nothing of a closed session reaches its view
    session.deleteLater()


def test_a_sync_cancelled_on_sleep_lets_a_new_one_start_and_only_the_new_one_reports(qtbot, wait_background):
    backend = _backend()
    backend.sync_gates[1] = gate = Gate()
    session = ShopSession(
        backend.shops[1], backend.make_client(backend.shops[1], object()), backend.services()
    )
    finished: list = []
    session.sync_finished.connect(finished.append)
    assert session.sync()
    qtbot.waitUntil(gate.entered.is_set, timeout=WAIT_MS)
    session.cancel_sync()
    assert not session.syncing
    gate.released.set()
    assert session.sync()  # the new one is not cancelled from the start
    qtbot.waitUntil(lambda: not session.syncing, timeout=WAIT_MS)
    wait_background()
    assert sorted(backend.syncs) == [(1, "cancelled"), (1, "completed")]
    assert len(finished) == 1 and not finished[0].cancelled
    session.close()
    session.deleteLater()


def test_the_controller_keeps_only_the_latest_activation(qtbot, wait_background):
    backend = _backend()
    controller = SessionController(backend.services())
    activated: list = []
    controller.activated.connect(activated.append)
    backend.read_gates[1] = slow = Gate()
    first = controller.activate(1)
    qtbot.waitUntil(slow.entered.is_set, timeout=WAIT_MS)
    second = controller.activate(2)  # signed out: a session without a client
    assert second > first
    qtbot.waitUntil(lambda: len(activated) == 1, timeout=WAIT_MS)
    slow.released.set()
    wait_background()
    assert [s.shop.id for s in activated] == [2] and activated[0].client is None
    assert controller.session is activated[0] and controller.session.generation == second
    assert [c.closed for c in backend.clients] == [True]  # shop 1's client, built too late, is closed
    controller.stop()
    assert controller.session is None and activated[0].closed
    controller.deleteLater()


def test_an_activation_asked_for_before_the_shops_are_known_runs_once_they_are(qtbot, wait_background):
    backend = _backend()
    services = backend.services()
    manager, services.shops = services.shops, None
    controller = SessionController(services)
    activated: list = []
    controller.activated.connect(activated.append)
    controller.activate(1)
    assert controller.activating and activated == []
    controller.set_shop_manager(manager)
    qtbot.waitUntil(lambda: len(activated) == 1, timeout=WAIT_MS)
    assert activated[0].shop.id == 1 and activated[0].client is not None
    controller.stop()
    wait_background()
    assert backend.clients[0].closed
    controller.deleteLater()
