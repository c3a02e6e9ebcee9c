"""The sync's window writer: writes in order, and nothing queued after a failed write is written
(each window's transaction moves the sync's position past it)."""

from __future__ import annotations

import threading

import pytest

from desktop.core.sync_writer import WindowWriter


def test_writes_run_in_order_and_drain_waits_for_them():
    writer, done = WindowWriter(depth=2), []
    for i in range(10):
        writer.submit(done.append, i)
    writer.drain()
    assert done == list(range(10))
    writer.close()


def test_nothing_queued_after_a_failed_write_is_written():
    writer, done, gate = WindowWriter(depth=4), [], threading.Event()

    def fail() -> None:
        gate.wait(5)
        raise OSError("disk full")

    writer.submit(fail)
    writer.submit(done.append, "after")  # queued while the failing write waits
    gate.set()
    with pytest.raises(OSError, match="disk full"):
        writer.drain()
    assert done == []
    writer.close(failing=True)
    assert done == []
