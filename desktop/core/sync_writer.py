"""The sync's window writer: one background thread writing fetched windows in order while the next
ones are fetched (Qt-free). Each window's transaction moves the sync's position past it, so nothing
queued after a failed write is written."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Mapping
from typing import Any

log = logging.getLogger(__name__)

#: one queued write: the function and its arguments
_Job = tuple[Callable[..., Any], tuple[Any, ...], Mapping[str, Any]]


class WindowWriter:
    """Writes windows on one background thread while the next windows are fetched: a sweep waits on
    the network, and SQLite releases the GIL while it works. Writes run one at a time, in order;
    up to ``depth`` fetched windows wait for the writer, so the listing does not stop for each
    write (the writer shares the GIL with the listing thread and falls behind now and then; with
    one window in flight the listing waited for it, a fifth of a first sweep). A failed write is
    raised by the next :meth:`submit` or by :meth:`drain`, and no window queued after it is
    written: each window's transaction moves the sync's position past it, so a later one committed
    after a failed one would skip the failed window."""

    def __init__(self, depth: int = 4) -> None:
        self._jobs: queue.Queue[_Job | None] = queue.Queue(maxsize=depth)
        self._thread: threading.Thread | None = None  # started by the first submit
        self._error: BaseException | None = None  # sticky: nothing is written after a failure
        self._raised = False

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                if job is None:
                    return
                if self._error is None:
                    fn, args, kwargs = job
                    try:
                        fn(*args, **kwargs)
                    except BaseException as exc:
                        self._error = exc
            finally:
                self._jobs.task_done()

    def _raise_error(self) -> None:
        if self._error is not None and not self._raised:
            self._raised = True
            raise self._error

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Queue a write (waits while ``depth`` writes are queued already)."""
        self._raise_error()
        if self._error is not None:
            raise RuntimeError("a window write failed: no further windows are written")
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sync-writer", daemon=True)
            self._thread.start()
        self._jobs.put((fn, args, kwargs))

    def drain(self) -> None:
        """Wait for every queued write (re-raising a write's error)."""
        if self._thread is not None:
            self._jobs.join()
        self._raise_error()

    def close(self, *, failing: bool = False) -> None:
        """Let the queued writes finish (each is a whole window: committing them keeps the store
        consistent), then stop the thread. ``failing``: the caller is already raising an error, so
        a write error is logged instead of replacing it."""
        try:
            self.drain()
        except Exception:
            if not failing:
                raise
            log.exception("a window write failed while the sync was already failing")
        finally:
            if self._thread is not None:
                self._jobs.put(None)
                self._thread.join()
                self._thread = None
