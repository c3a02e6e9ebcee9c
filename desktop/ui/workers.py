"""The one background-work helper: :func:`run_in_background`.

The UI thread never does network or disk I/O. Anything slow runs on the global ``QThreadPool``; its
result (or exception) comes back to the UI thread through the signals of a small companion
``QObject`` that lives in the thread that started the work::

    run_in_background(lambda: client.seller_info(), on_done=self._show_seller, on_error=self._failed)

    # with progress: fn receives a thread-safe ``progress(*values)`` callable
    run_in_background(lambda progress: syncer.run(progress=progress), on_done=..., on_progress=bar.set)

When ``on_error`` is not given, the exception goes to ``sys.excepthook`` (the error dialog).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

T = TypeVar("T")

# companions waiting for their task to finish (kept alive until they have delivered)
_pending: set[Task] = set()


class Task(QObject):
    """The companion of one background call; delivers its outcome in the thread that created it."""

    finished = Signal(object)  # the value returned by fn
    failed = Signal(object)  # the exception raised by fn
    progressed = Signal(tuple)  # the values passed to progress(...)

    def __init__(
        self,
        on_done: Callable[[Any], None] | None,
        on_error: Callable[[BaseException], None] | None,
        on_progress: Callable[..., None] | None,
    ) -> None:
        super().__init__()
        self._on_done = on_done
        self._on_error = on_error
        self._on_progress = on_progress
        self._cancelled = False
        self.done = False
        # connected to methods of this object: queued into its (the caller's) thread
        self.finished.connect(self._deliver_done)
        self.failed.connect(self._deliver_error)
        self.progressed.connect(self._deliver_progress)

    def cancel(self) -> None:
        """Do not deliver the outcome (the work itself runs to its end; pass it an Event to stop it)."""
        self._cancelled = True

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    @Slot(object)
    def _deliver_done(self, result: object) -> None:
        self.done = True
        _pending.discard(self)
        if not self._cancelled and self._on_done is not None:
            self._on_done(result)

    @Slot(object)
    def _deliver_error(self, exc: BaseException) -> None:
        self.done = True
        _pending.discard(self)
        if self._cancelled:
            log.info("cancelled background task failed: %s", exc)
            return
        if self._on_error is not None:
            self._on_error(exc)
        else:
            sys.excepthook(type(exc), exc, exc.__traceback__)

    @Slot(tuple)
    def _deliver_progress(self, values: tuple[object, ...]) -> None:
        if not self._cancelled and self._on_progress is not None:
            self._on_progress(*values)


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[..., Any], task: Task, with_progress: bool) -> None:
        super().__init__()
        self._fn = fn
        self._task = task
        self._with_progress = with_progress

    def run(self) -> None:
        task, fn = self._task, self._fn
        # The pool deletes the runnable after run(), but not always its Python side: what it refers
        # to is let go of here, or every call would keep its task and closures alive for good.
        self._task = self._fn = None  # type: ignore[assignment]
        try:
            result = fn(lambda *values: task.progressed.emit(values)) if self._with_progress else fn()
        except BaseException as exc:  # every failure is delivered, none is lost
            task.failed.emit(exc)
        else:
            task.finished.emit(result)


def run_in_background(
    fn: Callable[..., T],
    on_done: Callable[[T], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    *,
    on_progress: Callable[..., None] | None = None,
    pool: QThreadPool | None = None,
) -> Task:
    """Run ``fn()`` on the thread pool; call ``on_done(result)`` or ``on_error(exc)`` in this thread.

    With ``on_progress``, ``fn`` is called as ``fn(progress)``: each ``progress(*values)`` made in the
    worker calls ``on_progress(*values)`` in this thread. Returns the :class:`Task` (``cancel()`` drops
    the callbacks, e.g. when the widget that asked is gone).
    """
    task = Task(on_done, on_error, on_progress)
    _pending.add(task)
    (pool or QThreadPool.globalInstance()).start(_Runnable(fn, task, on_progress is not None))
    return task


def wait_for_background_work(msecs: int = 5000) -> bool:
    """Wait (at quit) until running background work has finished; ``False`` on time-out."""
    return QThreadPool.globalInstance().waitForDone(msecs)
