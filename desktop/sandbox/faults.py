"""Fault injection: make the next matching calls fail the way real networks and gateways do.

Kinds (per method name, e.g. ``"open.seller.order.refund.approve"``; ``"*"`` matches every business
method; the OAuth endpoints are ``"oauth2.access_token"`` and ``"oauth2.refresh_token"``):

=============  ==========================================================================
``delay``      carry the call out, then wait ``delay_s`` seconds before answering
``hold``       hold the request ``delay_s`` seconds *before* carrying it out (a slow platform), then
               carry it out whether or not the client is still there (it may have given up or died)
``drop``       close the connection without answering
``http500``    answer HTTP ``status`` (default 500) with a plain-text body
``html``       answer HTTP 200 with an HTML page (a proxy's or WAF's error page)
``truncated``  answer HTTP 200 with the JSON envelope cut in half
``result``     answer an error envelope with ``result`` / ``error_msg`` / ``sub_code``
=============  ==========================================================================

By default the call is *not* executed (the fault happens before the gateway). With
``after_processing=True`` the call is executed first and then its answer is lost or mangled — the
case where an approval went through but the client never heard back.

Each fault matches ``times`` calls (``None``: until cleared); the oldest matching fault wins.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

KINDS = ("delay", "hold", "drop", "http500", "html", "truncated", "result")


@dataclass
class Fault:
    method: str
    kind: str
    times: int | None = 1
    delay_s: float = 0.0
    result: int | None = None
    error_msg: str | None = None
    sub_code: str | None = None
    status: int = 500
    after_processing: bool = False

    def matches(self, method: str) -> bool:
        return self.method == method or (self.method == "*" and not method.startswith("oauth2."))


class FaultPlan:
    """The injected faults, consumed thread-safely."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        if fault.kind not in KINDS:
            raise ValueError(f"unknown fault kind {fault.kind!r}; expected one of {', '.join(KINDS)}")
        if fault.times is not None and fault.times < 1:
            raise ValueError("times must be >= 1 (or None for 'until cleared')")
        if fault.delay_s < 0:
            raise ValueError("delay_s must be >= 0")
        if fault.kind == "result" and fault.result is None and fault.error_msg is None:
            raise ValueError("a 'result' fault needs result and/or error_msg")
        if fault.kind == "http500" and not 500 <= fault.status <= 599:
            raise ValueError("status must be a 5xx code")
        with self._lock:
            self._faults.append(fault)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, method: str) -> Fault | None:
        """The fault for this call of ``method`` (consuming one use), or ``None``."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times == 0:
                            self._faults.remove(fault)
                    return fault
        return None

    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)
