"""What the guard would do beyond this moment: the requests it would agree within the forecast
horizons (for the forecast with the guard) and the backtest of a policy over the stored 90 days."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from desktop.core.domain.deadlines import deadline_of
from desktop.core.domain.risk import BEIJING_OFFSET_MS, day_start
from desktop.core.domain.rules import DAY_MS, Rules
from desktop.core.guard.policy import DUE, HISTORY_DAYS, GuardPolicy, holds
from desktop.core.guard.selection import Usage, beijing_day_start_local, select, usage_today

if TYPE_CHECKING:
    from desktop.core.store import Store


def guarded_ids(
    store: Store,
    shop_id: int,
    rules: Rules,
    policy: GuardPolicy | None,
    *,
    now_ms: int,
    horizon_hours: int | None = None,
) -> frozenset[int]:
    """The waiting requests the guard as configured would agree before their deadline within the
    longest forecast horizon (stage, amount, holds and the daily caps, day by day)."""
    if policy is None or not policy.enabled:
        return frozenset()
    hours = horizon_hours or max(rules.forecast_horizons_hours.value)
    shop = store.shops.get(shop_id)
    offset = (shop.server_clock_offset_ms if shop else None) or 0
    held = holds(store, shop_id)
    used = usage_today(store, shop_id, now_ms=now_ms, server_offset_ms=offset)
    rows = []
    for r in store.refunds.waiting(shop_id):
        d = deadline_of(r, rules, server_offset_ms=offset)
        if d.expire_at_ms is None or d.estimated or d.expire_at_ms <= now_ms:
            continue
        if d.expire_at_ms - now_ms > hours * 3_600_000:
            continue
        rows.append((d.expire_at_ms, r))
    rows.sort(key=lambda t: (t[0], t[1].refund_id))
    out: set[int] = set()
    today = beijing_day_start_local(now_ms, offset)
    per_day: dict[int, Usage] = {today: used}
    for expire, r in rows:
        act = max(now_ms, expire - policy.lead_ms)
        day = beijing_day_start_local(act, offset)
        u = per_day.get(day, Usage())
        picked = select(
            [r], rules, policy, held, now_ms=act, server_offset_ms=offset, used=u, within_ms=policy.lead_ms
        )
        if picked and picked[0].outcome == DUE:
            out.add(r.refund_id)
            per_day[day] = Usage(u.count + 1, u.fen + (picked[0].refund_fee_fen or 0))
    return frozenset(out)


def guarded_forecast_levels(
    store: Store, shop_id: int, rules: Rules, policy: GuardPolicy | None, *, now_ms: int
) -> list[dict[str, Any]]:
    """The forecast's second line: for each horizon, the level with the guard as configured."""
    from desktop.core.domain.risk import guarded_forecast
    from desktop.core.store.risk_queries import risk_inputs

    inputs = risk_inputs(store, shop_id, rules, now_ms=now_ms)
    ids = guarded_ids(store, shop_id, rules, policy, now_ms=now_ms)
    return [
        {
            "horizon_hours": f.horizon_hours,
            "level": f.level,
            "would_auto_approve": [str(r) for r in f.would_auto_approve],
            "guarded": len(ids),
        }
        for f in guarded_forecast(inputs, rules, ids)
    ]


_STAGE_BY_WAY = {10: "review_refund_only", 1: "review_return", 3: "review_exchange"}


@dataclass(frozen=True, slots=True)
class Backtest:
    """What a policy would have done over the stored history."""

    days: int
    total: int  # overdue auto-approvals in the history
    total_fen: int
    caught: int
    caught_fen: int
    missed: Mapping[str, tuple[int, int]]  # reason -> (count, fen): stage, amount, cap
    level: str  # the risk level now
    level_with_guard: str  # the level the shop would have had with the guard

    def to_json(self) -> dict[str, Any]:
        return {
            "days": self.days,
            "auto_approvals": {"count": self.total, "money_fen": self.total_fen},
            "caught": {"count": self.caught, "money_fen": self.caught_fen},
            "missed": {k: {"count": c, "money_fen": f} for k, (c, f) in self.missed.items()},
            "level": self.level,
            "level_with_guard": self.level_with_guard,
        }


def backtest(
    store: Store,
    shop_id: int,
    rules: Rules,
    policy: GuardPolicy,
    *,
    now_ms: int | None = None,
    days: int = HISTORY_DAYS,
) -> Backtest:
    """Replay the stored overdue auto-approvals of the last ``days`` (platform clock) through
    ``policy`` (as if enabled): which it would have turned into timely approvals, in time order
    with the daily caps, and the risk level the shop would have had instead. Holds are not
    replayed (they are the seller's choice of today)."""
    from desktop.core.domain.risk import estimate
    from desktop.core.store.risk_queries import risk_inputs

    local_now = int(time.time() * 1000) if now_ms is None else now_ms
    shop = store.shops.get(shop_id)
    offset = (shop.server_clock_offset_ms if shop else None) or 0
    now = local_now + offset
    rows = store.read(
        "SELECT a.refund_id, a.at, a.stage, a.handling_way, r.refund_fee FROM auto_approvals a "
        "LEFT JOIN refunds r ON r.shop_id = a.shop_id AND r.refund_id = a.refund_id "
        "WHERE a.shop_id = ? AND a.at > ? AND a.at <= ? ORDER BY a.at, a.refund_id",
        (shop_id, now - days * DAY_MS, now),
    )
    caught: set[tuple[int, int]] = set()
    missed: dict[str, list[int]] = {"stage": [0, 0], "amount": [0, 0], "cap": [0, 0]}
    per_day: dict[int, list[int]] = {}
    total_fen = caught_fen = 0
    for rid, at, stored_stage, way, stored_fee in rows:
        fee = stored_fee if isinstance(stored_fee, int) and stored_fee >= 0 else None
        stage = stored_stage or _STAGE_BY_WAY.get(way, "")
        total_fen += fee or 0
        reason = None
        if stage not in policy.stages:
            reason = "stage"
        elif fee is None or fee > policy.max_fee_fen:
            reason = "amount"
        else:
            used = per_day.setdefault(day_start(at, BEIJING_OFFSET_MS), [0, 0])
            if used[0] + 1 > policy.daily_count or used[1] + fee > policy.daily_fen:
                reason = "cap"
            else:
                used[0] += 1
                used[1] += fee
        if reason is None:
            caught.add((rid, at))
            caught_fen += fee or 0
        else:
            missed[reason][0] += 1
            missed[reason][1] += fee or 0
    inputs = risk_inputs(store, shop_id, rules, now_ms=local_now, server_offset_ms=offset)
    level = estimate(inputs, rules).level
    kept = tuple(a for a in inputs.auto_approvals if (a.refund_id, a.at_ms) not in caught)
    level_with = estimate(replace(inputs, auto_approvals=kept), rules).level
    return Backtest(
        days,
        len(rows),
        total_fen,
        len(caught),
        caught_fen,
        {k: (v[0], v[1]) for k, v in missed.items()},
        level,
        level_with,
    )
