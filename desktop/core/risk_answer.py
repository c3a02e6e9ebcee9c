"""One risk answer for the window and ``check``: the same function, the same store, the same clock.

The level is computed from the store (:func:`desktop.core.store.risk_queries.estimate_shop`). While
the shop's 90-day history is not complete it can move by itself, without anything happening in the
shop: the first sweep is still downloading the older days, or recent closes whose outcome the times
alone left open are still waiting for their negotiation history (the syncs after the first one fetch
a bounded number of them each, most recent first). :class:`RiskAnswer` says so —
:class:`HistoryProgress` — so the window shows "partial, and how far it got" rather than a level
that changes a minute later, and ``check`` reports the same.

While the shop's guard (:mod:`desktop.core.guard`) is on, the answer also carries the forecast with
the guard as configured, computed from the same inputs as the level: :func:`risk_answer` is the one
function behind the window's risk panel and ``check``'s ``risk`` object.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from desktop.core.domain.classify import RULE_HEURISTIC_TIMES, RULE_NO_EVIDENCE
from desktop.core.domain.risk import Forecast, RiskEstimate, RiskInputs, guarded_forecast
from desktop.core.domain.risk import estimate as estimate_risk
from desktop.core.domain.rules import Rules
from desktop.core.guard import guarded_ids, load_policy
from desktop.core.store import Shop, Store
from desktop.core.store.risk_queries import risk_inputs

DAY_MS = 86_400_000
#: the closes whose outcome a later sync settles from their negotiation history (see
#: :meth:`desktop.core.sync.Syncer._refine`): the rules that left them open, and how far back (the
#: syncer's ``refine_days``; a test holds the two together)
REFINED_RULES = (RULE_HEURISTIC_TIMES, RULE_NO_EVIDENCE)
REFINE_DAYS = 30


@dataclass(frozen=True, slots=True)
class HistoryProgress:
    """How much of the history the risk level rests on is in the store."""

    swept_days: int  # days of the first sweep downloaded
    sweep_days: int  # days the first sweep covers (up to 90)
    to_refine: int  # recent closes still waiting for their negotiation history

    @property
    def swept(self) -> bool:
        return self.swept_days >= self.sweep_days

    @property
    def complete(self) -> bool:
        return self.swept and self.to_refine == 0

    def to_json(self) -> dict[str, Any]:
        return {
            "complete": self.complete,
            "swept_days": self.swept_days,
            "sweep_days": self.sweep_days,
            "to_refine": self.to_refine,
        }


@dataclass(frozen=True, slots=True)
class RiskAnswer:
    estimate: RiskEstimate
    history: HistoryProgress
    inputs: RiskInputs | None = None  # what the estimate was computed from
    guarded: tuple[Forecast, ...] | None = None  # the forecast with the shop's guard (None: guard off)
    #: how many waiting requests the guard would agree before their deadline within the longest
    #: horizon (0 while it is off)
    guarded_requests: int = 0

    @property
    def partial(self) -> bool:
        return not self.history.complete

    def to_json(self) -> dict[str, Any]:
        """``check --json``'s ``risk`` object: the estimate, ``history`` and, while the guard is on,
        ``forecast_with_guard`` (the level per horizon with the guard as configured)."""
        out = {**self.estimate.to_json(), "history": self.history.to_json()}
        if self.guarded is not None:
            out["forecast_with_guard"] = [
                {
                    "horizon_hours": f.horizon_hours,
                    "level": f.level,
                    "would_auto_approve": [str(r) for r in f.would_auto_approve],
                    "guarded": self.guarded_requests,
                }
                for f in self.guarded
            ]
        return out


def history_progress(store: Store, shop: Shop, *, server_now_ms: int) -> HistoryProgress:
    """(Worker thread) how far the shop's history got (see the module docstring)."""
    begin, end, nxt = shop.sweep_begin_ms, shop.sweep_end_ms, shop.sweep_next_ms
    if shop.first_sweep_done:
        total = max(1, round((end - begin) / DAY_MS)) if begin is not None and end is not None else 90
        done = total
    elif begin is None or end is None:
        total, done = 90, 0  # not started
    else:
        total = max(1, round((end - begin) / DAY_MS))
        done = min(total, max(0, int(((nxt if nxt is not None else begin) - begin) // DAY_MS)))
    to_refine = store.classification.history_to_fetch(
        shop.id, rules=REFINED_RULES, closed_since=server_now_ms - REFINE_DAYS * DAY_MS
    )
    return HistoryProgress(done, total, to_refine)


def risk_answer(
    store: Store,
    shop_id: int,
    rules: Rules,
    *,
    now_ms: int | None = None,
    server_offset_ms: int | None = None,
) -> RiskAnswer:
    """(Worker thread) the shop's risk estimate, how complete the history behind it is and, while
    the shop's guard is on, the forecast with the guard — from one read of the inputs.
    ``now_ms``: the local clock (default: now); ``server_offset_ms``: the platform's clock minus the
    local one (default: the shop's last measured offset)."""
    shop = store.shops.get(shop_id)
    if shop is None:
        raise KeyError(f"no shop with id {shop_id}")
    offset = server_offset_ms if server_offset_ms is not None else (shop.server_clock_offset_ms or 0)
    local = int(time.time() * 1000) if now_ms is None else now_ms
    inputs = risk_inputs(store, shop_id, rules, now_ms=local, server_offset_ms=offset)
    estimate = estimate_risk(inputs, rules)
    history = history_progress(store, shop, server_now_ms=local + offset)
    policy = load_policy(store, shop_id)
    if policy is None or not policy.enabled:
        return RiskAnswer(estimate, history, inputs)
    ids = guarded_ids(store, shop_id, rules, policy, now_ms=local)
    return RiskAnswer(
        estimate, history, inputs, guarded_forecast(inputs, rules, ids), guarded_requests=len(ids)
    )
