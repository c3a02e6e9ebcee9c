"""The soak run: the whole app against two sandbox gateways for many simulated hours.

Shared by ``bench_soak.py`` (72 simulated hours, printing each hour) and the test suite's short run
(``tests/gui/test_soak.py``, a few simulated hours, failing on growth).

The app is built by its composition root (``desktop.app.build``) with two signed-in shops, each on
its own sandbox gateway (real HTTP on loopback). The simulated clock is the gateways' clock: every
step moves both forward by :data:`STEP_S` (the app measures the platform's clock from their answers,
so deadlines come nearer for it too) and then does what the running app does at a poll — the
poller asks for a sync (the window syncs the active shop, the shop watcher the other one) and the
alert center evaluates. The shop watcher's back-off clock follows the simulated clock. Each hour a
few new requests arrive in each shop. On the way: shop switches from the Shop ▸ Switch to menu, a
sleep and wake in the middle of a sync, a one-hour gateway outage (every call dropped), and a bulk
approval through the action engine with the active shop's client.

Each simulated hour a :class:`Sample` is taken after the step's work has settled: open files, threads
(of the process, Qt's included), the store's SQLite connections and the resident memory.
"""

from __future__ import annotations

import argparse
import gc
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STEP_S = 300  # a poll every five minutes, as the app's normal pace
SWITCH_EVERY_H = 6
SLEEP_AT_H = 20
OUTAGE_AT_H = 30  # one hour long
BULK_AT_H = 40
NEW_PER_HOUR = 2  # new requests per shop and hour
WAIT_S = 60.0


@dataclass(frozen=True)
class Sample:
    hour: int
    open_files: int
    threads: int
    store_connections: int
    rss_kb: int
    events: str = ""


def open_files() -> int:
    try:
        return len(os.listdir("/proc/self/fd"))
    except OSError:
        return -1


def threads() -> int:
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def rss_kb() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _process_until(app: Any, predicate: Callable[[], bool], timeout_s: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the app did not settle in time")
        app.processEvents()
        time.sleep(0.002)


def _args() -> argparse.Namespace:
    return argparse.Namespace(
        demo=False, no_error_dialogs=True, lang="en", data_dir=None, command=None, hidden=False
    )


class Soak:
    """One soak run (see the module docstring). Call :meth:`run`; :meth:`close` releases everything."""

    def __init__(self, home: Path) -> None:
        from desktop.core import paths

        self.home = home
        os.environ[paths.ENV_HOME] = str(home)
        paths.set_home(home)
        self.shell: Any = None
        self.gateways: list[Any] = []
        self.advanced_s = 0.0

    # ------------------------------------------------------------------ set-up
    def start(self) -> None:
        import keyring
        from PySide6.QtCore import QSettings

        from desktop import app as app_module
        from desktop.core import paths
        from desktop.core.kuaishou.client import Credentials
        from desktop.core.kuaishou.models import SellerInfo
        from desktop.core.profiles import ShopManager, SignInResult
        from desktop.core.secrets import MemoryKeyring, SecretStore
        from desktop.core.store import open_store
        from desktop.sandbox import Sandbox
        from desktop.ui.settings import Settings

        config = str(paths.config_dir())
        for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
            for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
                QSettings.setPath(fmt, scope, config)
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        backend = MemoryKeyring()
        self._restore_keyring = keyring.get_keyring
        keyring.get_keyring = lambda: backend  # the app's keychain, in memory

        self.gateways = [Sandbox(seed=21), Sandbox(seed=22)]
        for gateway in self.gateways:
            gateway.start()
        store = open_store()
        manager = ShopManager(store, SecretStore(service=app_module.secret_service_name()))
        self.shops = []
        for gateway, name in zip(self.gateways, ("晨光小铺", "山河优选"), strict=False):
            c = gateway.credentials
            self.shops.append(
                manager.save_sign_in(
                    SignInResult(
                        seller=SellerInfo(name=name, seller_id=c.seller_id),
                        credentials=Credentials(
                            app_key=c.app_key,
                            sign_secret=c.sign_secret,
                            access_token=c.access_token,
                            sign_method=c.sign_method,
                        ),
                        base_url=gateway.base_url,
                        auth_mode="token",
                    )
                )
            )
        store.close()
        settings = Settings()
        settings.set_active_shop(self.shops[0].id)
        settings.sync()

        shell = app_module.build(_args())
        assert shell is not None, "another instance is running"
        self.shell = shell
        self.app = shell.app
        _process_until(self.app, lambda: shell.window is not None or shell.failed is not None)
        if shell.failed is not None:
            raise RuntimeError(f"the app failed to start: {shell.failed}")
        window = shell.window
        _process_until(self.app, lambda: window.shop is not None and window.client is not None)
        # the watcher's back-off follows the simulated clock
        shell.watch.shops.clock = lambda: time.time() + self.advanced_s
        self.settle()

    @property
    def window(self) -> Any:
        return self.shell.window

    @property
    def store(self) -> Any:
        return self.shell.backend.store

    def settle(self) -> None:
        """Wait until the syncs, loads and alert evaluations asked for have ended and were delivered."""
        from PySide6.QtCore import QThreadPool

        watch = self.shell.watch
        pools = (QThreadPool.globalInstance(), watch.shops.pool)
        _process_until(
            self.app,
            lambda: (
                not self.window.syncing
                and watch.shops.running_shop_id is None
                and not self.window.sessions.activating
                and all(p.activeThreadCount() == 0 for p in pools)
            ),
        )
        for _ in range(3):
            self.app.processEvents()

    # ------------------------------------------------------------------ steps
    def advance(self, seconds: float) -> None:
        for gateway in self.gateways:
            gateway.advance(seconds)
            gateway.clear_call_log()  # the gateways run in this process: their logs are not the app's
        self.advanced_s += seconds

    def poll(self) -> None:
        """What a poll does in the running app: sync the active shop and the others, then alert."""
        watch = self.shell.watch
        watch.poller.request_sync()
        self.settle()
        watch.center.evaluate()
        self.settle()

    def new_requests(self, hour: int) -> None:
        for n, gateway in enumerate(self.gateways):
            for k in range(NEW_PER_HOUR):
                minutes = 30 + ((hour * 7 + k * 13 + n * 5) % 40) * 60
                gateway.add_refund(
                    handlingWay=10 if (hour + k) % 2 else 1,
                    refundFee=990 + hour * 10 + k,
                    expireTime=gateway.now_ms() + minutes * 60_000,
                )

    def switch_shop(self) -> str:
        """Shop ▸ Switch to: the shop not shown now."""
        target = next(s for s in self.shops if s.id != self.window.shop.id)
        action = next(a for a in self.window.menus.switch_menu.actions() if a.text().startswith(target.label))
        action.trigger()
        _process_until(
            self.app,
            lambda: (
                self.window.shop is not None
                and self.window.shop.id == target.id
                and self.window.client is not None
            ),
        )
        self.settle()
        return f"switched to {target.label}"

    def sleep_and_wake(self) -> str:
        """The computer sleeps in the middle of a sync and wakes later: the stale sync is cancelled."""
        watch = self.shell.watch
        self.window.sync_now()
        watch.poller.woke.emit()
        self.advance(2 * 3600)  # two hours asleep
        watch.poller.request_sync()
        self.settle()
        return "slept 2 h"

    def outage(self, on: bool) -> str:
        for gateway in self.gateways:
            if on:
                gateway.inject_fault("*", "drop", times=None)
            else:
                gateway.clear_faults()
        return "gateway outage" if on else "gateway back"

    def bulk_approval(self) -> str:
        """Approve the active shop's refund-only requests waiting on the merchant (up to 10), with the
        action engine on the session's client, in the background."""
        from desktop.core.actions import ActionEngine, Approve
        from desktop.ui.workers import run_in_background

        shop_id, client = self.window.shop.id, self.window.client
        store = self.store
        done: list[Any] = []

        def approve() -> Any:
            ids = [r.refund_id for r in store.refunds.waiting(shop_id) if r.handling_way == 10][:10]
            engine = ActionEngine(client, store, shop_id=shop_id, settle_s=0)
            return engine.execute(engine.prepare(ids, Approve())) if ids else None

        run_in_background(approve, done.append, done.append)
        _process_until(self.app, lambda: bool(done))
        if isinstance(done[0], BaseException):
            raise done[0]
        report = done[0]
        self.window.sync_now()
        self.settle()
        return f"bulk approval of {len(report.results) if report is not None else 0}"

    def sample(self, hour: int, events: str) -> Sample:
        self.settle()
        return Sample(hour, open_files(), threads(), self.store.connection_count(), rss_kb(), events)

    # ------------------------------------------------------------------ the run
    def run(
        self,
        hours: int,
        on_sample: Callable[[Sample], None] | None = None,
        *,
        switch_every_h: int = SWITCH_EVERY_H,
        sleep_at_h: int = SLEEP_AT_H,
        outage_at_h: int = OUTAGE_AT_H,
        bulk_at_h: int = BULK_AT_H,
    ) -> list[Sample]:
        samples = [self.sample(0, "started")]
        if on_sample is not None:
            on_sample(samples[0])
        steps_per_hour = 3600 // STEP_S
        for hour in range(1, hours + 1):
            events = []
            self.new_requests(hour)
            if hour == outage_at_h:
                events.append(self.outage(True))
            if hour == outage_at_h + 1:
                events.append(self.outage(False))
            for step in range(steps_per_hour):
                self.advance(STEP_S)
                self.poll()
                if step == steps_per_hour // 2:
                    if switch_every_h and hour % switch_every_h == 0:
                        events.append(self.switch_shop())
                    if hour == sleep_at_h:
                        events.append(self.sleep_and_wake())
                    if hour == bulk_at_h:
                        events.append(self.bulk_approval())
            gc.collect()
            samples.append(self.sample(hour, "; ".join(events)))
            if on_sample is not None:
                on_sample(samples[-1])
        return samples

    def close(self) -> None:
        import keyring

        if self.shell is not None:
            self.shell.shutdown()
            self.app.processEvents()
            self.shell = None
        for gateway in self.gateways:
            gateway.stop()
        self.gateways = []
        if hasattr(self, "_restore_keyring"):
            keyring.get_keyring = self._restore_keyring


def growth(samples: list[Sample], field: str, *, after_hour: int = 1) -> float:
    """The largest value after ``after_hour`` relative to the value at ``after_hour`` (1.0: flat)."""
    base = next(getattr(s, field) for s in samples if s.hour == after_hour)
    later = [getattr(s, field) for s in samples if s.hour > after_hour]
    return max(later) / base if later and base else 1.0


def new_home() -> Path:
    return Path(tempfile.mkdtemp(prefix="aftersale-watch-soak-"))
