"""The background-work helper lets go of each call once it has delivered: a tray app makes several
calls a minute for weeks."""

from __future__ import annotations

import gc

from desktop.ui.workers import Task, run_in_background


def test_finished_calls_leave_no_task_or_closure_alive(qtbot, wait_background):
    class Payload:
        pass

    delivered: list = []
    for i in range(300):
        payload = Payload()  # captured by the call's closure, as a view or a row list would be
        run_in_background(lambda p=payload, i=i: i, delivered.append, on_error=delivered.append)
    qtbot.waitUntil(lambda: len(delivered) == 300, timeout=20_000)
    wait_background()
    del payload
    gc.collect()
    assert sum(isinstance(o, Task) for o in gc.get_objects()) == 0
    assert sum(isinstance(o, Payload) for o in gc.get_objects()) == 0
