"""Approve and reject after-sale requests, one or many, safely (Qt-free).

* :mod:`.planner` — which call with which parameters for one refund and one intent (pure);
* :mod:`.engine` — :class:`ActionEngine`: prepare a plan from fresh reads, then send it journal
  first, paced, cancellable, one result per refund;
* :mod:`.reconcile` — the engine's journal, and the settling of sends whose delivery is uncertain
  (this run's and interrupted runs') by reading their refunds;
* :mod:`.reasons` — the reject reasons several refunds share;
* :mod:`.audit` — the audit log (the journal) as rows and CSV.

Typical use (the headless commands do exactly this; the UI does it in two steps with a preview)::

    engine = ActionEngine(client, store, shop_id=shop.id)
    plan = engine.prepare(refunds, Approve())
    report = engine.execute(plan, cancelled=stop_event, progress=on_item)
"""

from desktop.core.actions.engine import (
    DEFAULT_SETTLE_S,
    ActionEngine,
    ActionsCancelled,
    default_address_id,
)
from desktop.core.actions.model import (
    METHOD_OF,
    ActionKind,
    Approve,
    BatchReport,
    Intent,
    ItemResult,
    Outcome,
    Plan,
    PlannedAction,
    RefundState,
    Reject,
    Skip,
    WarningCode,
    freight_refusal_problem,
)
from desktop.core.actions.reasons import ReasonsSummary, SharedReason, summarise
from desktop.core.actions.throttle import DEFAULT_QPS, Throttle

__all__ = [
    "DEFAULT_QPS",
    "DEFAULT_SETTLE_S",
    "METHOD_OF",
    "ActionEngine",
    "ActionKind",
    "ActionsCancelled",
    "Approve",
    "BatchReport",
    "Intent",
    "ItemResult",
    "Outcome",
    "Plan",
    "PlannedAction",
    "ReasonsSummary",
    "RefundState",
    "Reject",
    "SharedReason",
    "Skip",
    "Throttle",
    "WarningCode",
    "default_address_id",
    "freight_refusal_problem",
    "summarise",
]
