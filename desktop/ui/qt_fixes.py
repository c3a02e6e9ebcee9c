"""Work-arounds for defects of the installed PySide6, applied only when a probe shows the defect.

``SignalInstance.emit`` (seen with PySide6 6.12.0 on CPython 3.11) returns ``True`` without taking a
reference to it: every signal emitted from Python takes one reference away from ``True``. Once enough
are gone the interpreter aborts ("Fatal Python error: bool_dealloc"), at exit or — in a long-running
app that emits every second (the queue countdown) — during the session. :func:`install` measures the
defect on a throw-away signal and, if present, wraps ``emit`` to give the reference back. On a fixed
PySide6 (or an interpreter with immortal booleans) the probe finds nothing and nothing is patched.

Call :func:`install` once, early (the app's composition root; the queue widgets call it on import).
"""

from __future__ import annotations

import ctypes
import sys
import threading

from PySide6.QtCore import QObject, Signal, SignalInstance

_lock = threading.Lock()
_installed = False


class _Probe(QObject):
    fired = Signal()


def emit_loses_reference() -> bool:
    """True when emitting a signal from Python takes a reference away from the returned bool."""
    probe = _Probe()
    result = probe.fired.emit()  # type: ignore[func-returns-value]  # stubs say None; PySide6 returns a bool
    if not isinstance(result, bool):
        return False
    before = sys.getrefcount(result)
    for _ in range(4):
        probe.fired.emit()
    return sys.getrefcount(result) < before


def install() -> bool:
    """Patch ``SignalInstance.emit`` if (and only if) it leaks; returns whether it patched."""
    global _installed
    with _lock:
        if _installed:
            return True
        if not emit_loses_reference():
            return False
        original = SignalInstance.emit
        incref = ctypes.pythonapi.Py_IncRef
        incref.argtypes = [ctypes.py_object]
        incref.restype = None

        def emit(self: SignalInstance, *args: object) -> object:
            result = original(self, *args)
            if result is True or result is False:
                incref(result)  # the reference emit() should have taken
            return result

        # the stubs type emit() as returning None; the patch keeps the bool PySide6 returns
        SignalInstance.emit = emit  # type: ignore[method-assign,assignment]
        _installed = True
        return True
