"""The risk estimate's inputs computed in Python from plain records: the oracle the SQL layer
(:mod:`desktop.core.store.risk_queries`) is tested against, and a short way for the estimate's tests
to describe a shop's history."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from desktop.core.domain.classify import ACTIONABLE_OUTCOMES, Outcome
from desktop.core.domain.deadlines import Kind
from desktop.core.domain.risk import (
    BEIJING_OFFSET_MS,
    AutoApproval,
    DailyPoint,
    PendingItem,
    ResponseStats,
    RiskInputs,
    ShopScoreView,
    WindowTotals,
    daily_series,
    day_start,
    kind_group,
    rank_of,
)
from desktop.core.domain.rules import DAY_MS, HOUR_MS, Rules


@dataclass(frozen=True, slots=True)
class ClosedRecord:
    """A classified finished request (what the store keeps per closed refund)."""

    refund_id: int
    kind: Kind | str
    outcome: str  # an Outcome value
    closed_at_ms: int
    certainty: str | None = None
    overdue_at_ms: int | None = None  # the deadline it was auto-approved at
    response_ms: int | None = None  # the merchant's first-action time (M5)


def nearest_rank(sorted_values: Sequence[int], q: float) -> int | None:
    """The nearest-rank percentile ``q`` (0 < q ≤ 1) of sorted values."""
    if not sorted_values:
        return None
    return sorted_values[rank_of(q, len(sorted_values)) - 1]


def inputs_from_records(
    now_ms: int,
    closed: Iterable[ClosedRecord],
    pending: Iterable[PendingItem],
    rules: Rules,
    *,
    shop_score: ShopScoreView | None = None,
    utc_offset_ms: int = BEIJING_OFFSET_MS,
) -> RiskInputs:
    """:class:`RiskInputs` computed in Python from plain records (the SQL layer computes the same)."""
    r = rules.risk
    records = list(closed)
    longest = max(*r.windows.days.value, r.windows.series_days.value) * DAY_MS
    autos = tuple(
        AutoApproval(
            c.refund_id,
            c.overdue_at_ms if c.overdue_at_ms is not None else c.closed_at_ms,
            c.kind,
            c.certainty or "likely",
        )
        for c in records
        if c.outcome == Outcome.AUTO_APPROVED_OVERDUE
        and now_ms - longest < (c.overdue_at_ms if c.overdue_at_ms is not None else c.closed_at_ms) <= now_ms
    )
    actionable = {o.value for o in ACTIONABLE_OUTCOMES}
    windows = []
    for days in r.windows.days.value:
        start = now_ms - days * DAY_MS
        inside = [c for c in records if start < c.closed_at_ms <= now_ms]
        act: dict[str, int] = {}
        handled: dict[str, int] = {}
        for c in inside:
            g = kind_group(c.kind)
            if c.outcome in actionable:
                act[g] = act.get(g, 0) + 1
            if c.outcome == Outcome.HANDLED_IN_TIME:
                handled[g] = handled.get(g, 0) + 1
        windows.append(WindowTotals(days, act, handled))
    m2_start = now_ms - r.windows.m2_days.value * DAY_MS
    max_h = max(rules.forecast_horizons_hours.value) * HOUR_MS
    leaving = tuple(
        sorted(
            c.closed_at_ms
            for c in records
            if c.outcome in actionable and m2_start < c.closed_at_ms <= m2_start + max_h
        )
    )
    m5_start = now_ms - r.windows.m5_days.value * DAY_MS
    responses = sorted(
        c.response_ms
        for c in records
        if c.response_ms is not None and c.outcome in actionable and m5_start < c.closed_at_ms <= now_ms
    )
    series_days = r.windows.series_days.value
    series_start = day_start(now_ms, utc_offset_ms) - (series_days - 1) * DAY_MS
    points: dict[int, dict[str, int]] = {}
    for c in records:
        if c.outcome == Outcome.AUTO_APPROVED_OVERDUE:
            t = c.overdue_at_ms if c.overdue_at_ms is not None else c.closed_at_ms
            field_name = f"auto_{kind_group(c.kind)}"
        elif c.outcome == Outcome.HANDLED_IN_TIME:
            t, field_name = c.closed_at_ms, "handled_in_time"
        else:
            continue
        if series_start <= t <= now_ms:
            d = points.setdefault(day_start(t, utc_offset_ms), {})
            d[field_name] = d.get(field_name, 0) + 1
    daily = daily_series(
        [DailyPoint(day, **counts) for day, counts in points.items()],
        now_ms=now_ms,
        days=series_days,
        utc_offset_ms=utc_offset_ms,
    )
    has_history = any(now_ms - longest < c.closed_at_ms <= now_ms for c in records)
    return RiskInputs(
        now_ms=now_ms,
        auto_approvals=autos,
        windows=tuple(windows),
        pending=tuple(pending),
        m2_leaving_ms=leaving,
        response=ResponseStats(len(responses), nearest_rank(responses, 0.5), nearest_rank(responses, 0.9)),
        has_history=has_history,
        daily=daily,
        shop_score=shop_score,
    )
