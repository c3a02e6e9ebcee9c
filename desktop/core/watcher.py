"""The always-on watcher without a window (``aftersale-watch watch``): Qt-free, runs until stopped.

Every ``tick_s`` (60 s) it evaluates the robot alerts from the store; whenever a shop's sync is due
(the poll policy: the interval, every minute while a deadline is within two hours, backing off after
failures) it syncs that shop first, then runs the guard for it when the guard is available and enabled.

* **Stopping**: :meth:`Watcher.stop` (SIGTERM / Ctrl+C in the command) sets an event; a sync in
  progress is cancelled at its next page (every window already fetched was committed in its own
  transaction, so nothing is half-written), a robot send in flight finishes, then the loop ends and
  the owner closes the clients, the dispatcher and the store.
* **One watcher per data folder**: :class:`FolderLock` (an OS file lock on ``watch.lock`` in the data
  folder, released by the OS even if the process dies).
* **The guard** (:class:`Guard`): anything with ``run(store=, shop_id=, client=, rules=, now_ms=)``
  returning robot notices; :func:`find_guard` looks for it in ``desktop.core.guard``
  (``watch_guard(store)`` returns the guard when it is enabled, else ``None``). The notices it
  returns go to the robots through the same dispatcher as every alert.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from desktop.core.i18n import tr
from desktop.core.polling import PollPolicy, next_delay_s

log = logging.getLogger(__name__)

LOCK_NAME = "watch.lock"
TICK_S = 60


class Guard(Protocol):
    def run(self, *, store: Any, shop_id: int, client: Any, rules: Any, now_ms: int) -> Sequence[Any]: ...


def find_guard(store: Any) -> Guard | None:
    """The guard when this version has one and it is enabled (``desktop.core.guard.watch_guard``)."""
    try:
        module = importlib.import_module("desktop.core.guard")
    except ModuleNotFoundError as exc:
        if exc.name not in ("desktop.core.guard",):
            raise
        return None
    factory = getattr(module, "watch_guard", None)
    return factory(store) if factory is not None else None


class LockedError(Exception):
    """Another watcher runs on this data folder; the message is for the user."""


class FolderLock:
    """An exclusive OS lock on ``watch.lock`` in a folder (one watcher per data folder)."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / LOCK_NAME
        self._file: Any = None

    def acquire(self) -> None:
        handle = open(self.path, "a+b")  # noqa: SIM115 - held open for the watcher's life; closed in release
        try:
            if os.name == "nt":
                import msvcrt

                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            raise LockedError(
                tr(
                    "Another watcher is already running on the data folder {path}.",
                    path=str(self.path.parent),
                )
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n".encode())
        handle.flush()
        self._file = handle

    def release(self) -> None:
        if self._file is None:
            return
        try:
            if os.name == "nt":
                import msvcrt

                self._file.seek(0)
                msvcrt.locking(self._file.fileno(), msvcrt.LK_UNLCK, 1)
            else:
                import fcntl

                fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
        finally:
            self._file.close()
            self._file = None

    def __enter__(self) -> FolderLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


@dataclass
class ShopWatch:
    """One watched shop (or ``KS_*`` target): its client (owned by the watcher) and its pace."""

    target: Any
    client: Any = None
    shop_id: int | None = None
    failures: int = 0
    next_sync_at: float = 0.0
    problem: str | None = None


@dataclass
class CycleReport:
    synced: list[int] = field(default_factory=list)
    failed: dict[int | None, str] = field(default_factory=dict)
    guard_notices: int = 0
    robots: Any = None


class Watcher:
    """Syncs the targets, sends the robot alerts and runs the guard until :meth:`stop`.

    ``make_client(target)`` and ``resolve_shop(client, target)`` come from the command (they are the
    CLI's own helpers); ``robots`` is a :class:`desktop.core.robots.service.RobotAlerts` (or ``None``). ``wait(seconds)`` sleeps unless
    stopped (tests hand in a simulated clock).
    """

    def __init__(
        self,
        store: Any,
        targets: Sequence[Any],
        rules: Any,
        *,
        make_client: Callable[[Any], Any],
        resolve_shop: Callable[[Any, Any], int],
        robots: Any = None,
        guard: Guard | None = None,
        poll: PollPolicy | None = None,
        clock: Callable[[], float] = time.time,
        wait: Callable[[float], None] | None = None,
        tick_s: float = TICK_S,
        days: int = 90,
    ) -> None:
        self.store = store
        self.rules = rules
        self.make_client = make_client
        self.resolve_shop = resolve_shop
        self.robots = robots
        self.guard = guard
        self.poll = poll or PollPolicy()
        self.clock = clock
        self.tick_s = tick_s
        self.days = days
        self._stop = threading.Event()
        self._wait = wait
        self.shops = [
            ShopWatch(t, shop_id=getattr(t, "shop_id", None), problem=getattr(t, "problem", None))
            for t in targets
        ]
        self.cycles = 0

    # ------------------------------------------------------------------ control
    def stop(self) -> None:
        """Ask the loop to end (safe from a signal handler or another thread)."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    def wait(self, seconds: float) -> None:
        if self._wait is not None:
            self._wait(seconds)
        else:
            self._stop.wait(max(0.0, seconds))

    def close(self) -> None:
        """Close every client the watcher opened (idempotent)."""
        for shop in self.shops:
            if shop.client is not None:
                try:
                    shop.client.close()
                finally:
                    shop.client = None

    # ------------------------------------------------------------------ the loop
    def run(self, *, max_cycles: int | None = None) -> None:
        """Cycle until stopped (or ``max_cycles``); the caller closes what it handed in."""
        try:
            while not self._stop.is_set():
                self.cycle()
                if max_cycles is not None and self.cycles >= max_cycles:
                    break
                if self._stop.is_set():
                    break
                self.wait(self._next_wait_s())
        finally:
            self.close()

    def _next_wait_s(self) -> float:
        now = self.clock()
        due = min((s.next_sync_at for s in self.shops if s.problem is None), default=now + self.tick_s)
        return max(1.0, min(self.tick_s, due - now))

    def _nearest_deadline_ms(self, shop_id: int | None) -> int | None:
        if shop_id is None:
            return None
        deadline: int | None = self.store.refunds.nearest_deadline(shop_id)
        return deadline

    def cycle(self) -> CycleReport:
        """Sync the shops that are due, run the guard for them, then one robot evaluation."""
        from desktop.core.kuaishou.errors import AuthError, KuaishouError, OAuthError
        from desktop.core.sync import Syncer

        report = CycleReport()
        self.cycles += 1
        for shop in self.shops:
            if self._stop.is_set():
                break
            if shop.problem is not None or self.clock() < shop.next_sync_at:
                continue
            try:
                if shop.client is None:
                    shop.client = self.make_client(shop.target)
                if shop.shop_id is None:
                    shop.shop_id = self.resolve_shop(shop.client, shop.target)
                result = Syncer(
                    shop.client,
                    self.store,
                    self.rules,
                    shop_id=shop.shop_id,
                    clock=self.clock,
                    days=self.days,
                ).run(cancelled=self._stop.is_set)
                if result.cancelled:
                    break
                shop.failures = 0
                report.synced.append(shop.shop_id)
            except (AuthError, OAuthError) as exc:
                shop.failures += 1
                report.failed[shop.shop_id] = str(exc)
                log.warning("watch: shop %s needs a new sign-in: %s", shop.shop_id, exc)
            except KuaishouError as exc:
                shop.failures += 1
                report.failed[shop.shop_id] = str(exc)
                log.warning("watch: sync of shop %s failed: %s", shop.shop_id, exc)
            now_ms = int(self.clock() * 1000)
            delay = next_delay_s(
                self.poll,
                now_ms=now_ms,
                nearest_deadline_ms=self._nearest_deadline_ms(shop.shop_id),
                consecutive_failures=shop.failures,
            )
            shop.next_sync_at = self.clock() + delay
            if self.guard is not None and shop.shop_id is not None and shop.shop_id in report.synced:
                report.guard_notices += self._run_guard(shop, now_ms)
        if self.robots is not None and not self._stop.is_set():
            try:
                report.robots = self.robots.evaluate(dt.datetime.fromtimestamp(self.clock()).astimezone())
            except Exception:  # one bad evaluation must not end the watch: logged, tried at the next tick
                log.exception("watch: robot alerts could not be evaluated")
        return report

    def _run_guard(self, shop: ShopWatch, now_ms: int) -> int:
        try:
            notices = list(
                self.guard.run(
                    store=self.store,
                    shop_id=shop.shop_id,
                    client=shop.client,  # type: ignore[union-attr]
                    rules=self.rules,
                    now_ms=now_ms,
                )
                or ()
            )
        except Exception:
            log.exception("watch: the guard failed for shop %s", shop.shop_id)
            return 0
        if notices and self.robots is not None:
            self.robots.dispatcher.submit(notices)  # sent with this cycle's digest
        return len(notices)
