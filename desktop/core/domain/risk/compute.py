"""The risk estimate's computation: the metrics at a reference time, the level they reach, the
forecast per horizon with its rescue list, the daily series and the nearest-rank percentile.

Pure functions over :class:`~desktop.core.domain.risk.types.RiskInputs`; see the package's
docstring (:mod:`desktop.core.domain.risk`) for the metrics, the levels and the forecast's model.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol

from desktop.core.domain.risk.text import (
    m1_reason,
    m2_reason,
    m3_reason,
    m4_reason,
    m5_reason,
    no_history_reason,
    sanction_text,
)
from desktop.core.domain.risk.types import (
    BEIJING_OFFSET_MS,
    KIND_GROUPS,
    WEEK_MS,
    AutoApproval,
    Backlog,
    DailyPoint,
    Exposure,
    Forecast,
    Level,
    Metrics,
    PendingItem,
    Reason,
    RiskEstimate,
    RiskInputs,
    Sanction,
    kind_group,
    level_rank,
)
from desktop.core.domain.rules import DAY_MS, HOUR_MS, LevelThresholds, Param, Rules


# ------------------------------------------------------------------------------------ metrics
class _History:
    """Auto-approval times (sorted) for fast window counts at any reference time."""

    def __init__(self, autos: Iterable[AutoApproval]) -> None:
        self.autos = sorted(autos, key=lambda a: a.at_ms)
        self.times = [a.at_ms for a in self.autos]

    def count(self, start_exclusive: int, end_inclusive: int) -> int:
        return bisect.bisect_right(self.times, end_inclusive) - bisect.bisect_right(
            self.times, start_exclusive
        )

    def weeks_in_a_row(self, at: int, extra: Sequence[int] = ()) -> int:
        """Consecutive 7-day blocks ending at ``at`` (newest first) with at least one auto-approval;
        ``extra``: more auto-approval times, sorted."""
        weeks = 0
        end = at
        while self.count(end - WEEK_MS, end) > 0 or _count_sorted(extra, end - WEEK_MS, end) > 0:
            weeks += 1
            end -= WEEK_MS
        return weeks


def _count_sorted(times: Sequence[int], start_exclusive: int, end_inclusive: int) -> int:
    return bisect.bisect_right(times, end_inclusive) - bisect.bisect_right(times, start_exclusive)


@dataclass(frozen=True, slots=True)
class _Point:
    """What the level rules read at one reference time."""

    m1_short: int
    m1_long: int
    m2_auto: int
    m2_actionable: int
    m4_weeks: int
    pending_soon: int
    p90_ms: int | None


def _point(
    inputs: RiskInputs, rules: Rules, hist: _History, at: int, new_autos: Sequence[int], pending_soon: int
) -> _Point:
    """Metrics at ``at`` ≥ now, with ``new_autos`` (sorted times in [now, at]) added to the history.

    Requests handled meanwhile are not added to M2's denominator: when they close is unknown (an
    agreed return stays open for days), and leaving them out errs on the cautious side."""
    w = rules.risk.windows
    short_ms, long_ms, m2_ms = (
        w.m1_short_days.value * DAY_MS,
        w.m1_long_days.value * DAY_MS,
        w.m2_days.value * DAY_MS,
    )
    n_new = len(new_autos)
    m1_short = hist.count(at - short_ms, at) + _count_sorted(new_autos, at - short_ms, at)
    m1_long = hist.count(at - long_ms, at) + _count_sorted(new_autos, at - long_ms, at)
    m2_auto = hist.count(at - m2_ms, at) + _count_sorted(new_autos, at - m2_ms, at)
    left = bisect.bisect_right(inputs.m2_leaving_ms, at - m2_ms) if at > inputs.now_ms else 0
    actionable = inputs.window(w.m2_days.value).actionable_total - left + n_new
    return _Point(
        m1_short=m1_short,
        m1_long=m1_long,
        m2_auto=m2_auto,
        # the numerator counts by deadline, the denominator by close time: never let the rate pass 100 %
        m2_actionable=max(actionable, m2_auto),
        m4_weeks=hist.weeks_in_a_row(at, new_autos),
        pending_soon=pending_soon,
        p90_ms=inputs.response.p90_ms,
    )


def _ge(value: int | Fraction, p: Param[int] | Param[float]) -> bool:
    return value >= Fraction(repr(p.value)) if isinstance(value, Fraction) else value >= p.value


def _evaluate(pt: _Point, rules: Rules, *, with_reasons: bool = True) -> tuple[Level, tuple[Reason, ...]]:
    """The level at a point, first match from the top, with the reasons of the level reached."""
    r = rules.risk
    w = r.windows
    rate = (
        Fraction(pt.m2_auto, pt.m2_actionable)
        if pt.m2_actionable >= r.m2_min_requests.value and pt.m2_actionable
        else None
    )
    short_d, long_d, m2_d = w.m1_short_days.value, w.m1_long_days.value, w.m2_days.value

    levels: tuple[tuple[Level, LevelThresholds], ...] = (("high", r.high), ("elevated", r.elevated))
    for level, th in levels:
        hits: list[Reason] = []
        if _ge(pt.m1_long, th.m1_long):
            hits.append(m1_reason(level, long_d, pt.m1_long, th.m1_long, with_reasons))
        if _ge(pt.m1_short, th.m1_short):
            hits.append(m1_reason(level, short_d, pt.m1_short, th.m1_short, with_reasons))
        if rate is not None and _ge(rate, th.m2_rate):
            hits.append(m2_reason(level, rate, m2_d, pt.m2_auto, pt.m2_actionable, th.m2_rate, with_reasons))
        if _ge(pt.m4_weeks, th.m4_weeks):
            hits.append(m4_reason(level, pt.m4_weeks, th.m4_weeks, with_reasons))
        if hits:
            return level, tuple(hits)

    wt = r.watch
    hits = []
    if _ge(pt.m1_long, wt.m1_long):
        hits.append(m1_reason("watch", long_d, pt.m1_long, wt.m1_long, with_reasons))
    if pt.pending_soon > 0:
        hits.append(m3_reason(pt.pending_soon, wt.pending_hours_left, with_reasons))
    if pt.p90_ms is not None and pt.p90_ms > wt.m5_p90_hours.value * HOUR_MS:
        hits.append(m5_reason(pt.p90_ms, wt.m5_p90_hours, with_reasons))
    if hits:
        return "watch", tuple(hits)
    return "low", ()


def _pending_soon(pending: Sequence[PendingItem], at: int, hours: float) -> int:
    """Pending requests with at most ``hours`` left at ``at`` (overdue ones included)."""
    limit = at + hours * HOUR_MS
    return sum(1 for p in pending if p.expire_at_ms is not None and p.expire_at_ms <= limit)


def _auto_groups(hist: _History, now: int, days: int) -> dict[str, dict[str, int]]:
    groups: dict[str, dict[str, int]] = {g: {"certain": 0, "likely": 0} for g in KIND_GROUPS}
    lo = bisect.bisect_right(hist.times, now - days * DAY_MS)
    hi = bisect.bisect_right(hist.times, now)
    for a in hist.autos[lo:hi]:
        certainty = a.certainty if a.certainty in ("certain", "likely") else "likely"
        groups[kind_group(a.kind)][certainty] += 1
    return groups


def compute_metrics(inputs: RiskInputs, rules: Rules) -> Metrics:
    """The metrics now (M1–M5, per window and kind group)."""
    r = rules.risk
    now = inputs.now_ms
    hist = _History(inputs.auto_approvals)
    pt = _point(
        inputs, rules, hist, now, (), _pending_soon(inputs.pending, now, r.watch.pending_hours_left.value)
    )
    backlog = tuple(
        Backlog(
            h,
            sum(
                1
                for p in inputs.pending
                if p.expire_at_ms is not None and p.expire_at_ms <= now + h * HOUR_MS
            ),
            sum(
                p.refund_fee_fen
                for p in inputs.pending
                if p.expire_at_ms is not None and p.expire_at_ms <= now + h * HOUR_MS
            ),
        )
        for h in r.backlog_hours.value
    )
    overdue = [p for p in inputs.pending if p.expire_at_ms is not None and p.expire_at_ms < now]
    return Metrics(
        at_ms=now,
        auto={d: _auto_groups(hist, now, d) for d in r.windows.days.value},
        m1_short=pt.m1_short,
        m1_long=pt.m1_long,
        m2_days=r.windows.m2_days.value,
        m2_auto=pt.m2_auto,
        m2_actionable=pt.m2_actionable,
        m2_min_sample=r.m2_min_requests.value,
        m4_weeks=pt.m4_weeks,
        pending_soon=pt.pending_soon,
        backlog=backlog,
        overdue_pending=len(overdue),
        overdue_pending_fen=sum(p.refund_fee_fen for p in overdue),
        response=inputs.response,
        windows=inputs.windows,
    )


# ----------------------------------------------------------------------------------- forecast
class _LevelWith(Protocol):
    def __call__(
        self, handled_auto: int, soon_left: int, *, reasons: bool = False
    ) -> tuple[Level, tuple[Reason, ...]]: ...


def _forecast_one(
    inputs: RiskInputs,
    rules: Rules,
    hist: _History,
    current: Level,
    horizon: int,
    guarded: frozenset[int] = frozenset(),
) -> Forecast:
    now = inputs.now_ms
    at = now + horizon * HOUR_MS
    soon_h = rules.risk.watch.pending_hours_left.value
    # the pending requests with a deadline, in deadline order: (deadline, request)
    dated = sorted(
        ((p.expire_at_ms, p) for p in inputs.pending if p.expire_at_ms is not None),
        key=lambda e: (e[0], e[1].refund_id),
    )
    # a guarded request is agreed shortly before its deadline: never auto-approved (it still counts
    # as pending, and as "soon", until then)
    falling = [p for t, p in dated if t <= at and p.refund_id not in guarded]
    soon_after = [p for t, p in dated if at < t <= at + soon_h * HOUR_MS]
    auto_times = [max(t, now) for t, p in dated if t <= at and p.refund_id not in guarded]

    def level_with(
        handled_auto: int, soon_left: int, *, reasons: bool = False
    ) -> tuple[Level, tuple[Reason, ...]]:
        # the first ``handled_auto`` would-be auto-approvals (earliest deadlines) are handled
        pt = _point(inputs, rules, hist, at, auto_times[handled_auto:], soon_left)
        return _evaluate(pt, rules, with_reasons=reasons)

    level, reasons = level_with(0, len(soon_after), reasons=True)

    # when it would change: the first deadline (in order) after which the level differs from today's
    changes_at: int | None = None
    changes_to: Level | None = None
    changed_by: int | None = None
    expiries = [t for t, _ in dated]
    for i, p in enumerate(falling):
        t = auto_times[i]
        # still pending after this one, with at most `soon_h` left at t
        still_soon = max(0, bisect.bisect_right(expiries, t + soon_h * HOUR_MS) - (i + 1))
        lv, _ = _evaluate(
            _point(inputs, rules, hist, t, auto_times[: i + 1], still_soon), rules, with_reasons=False
        )
        if lv != current:
            changes_at, changes_to, changed_by = t, lv, p.refund_id
            break

    handled_auto, handled_soon, keeps = _rescue(level_with, len(falling), len(soon_after), current)
    # earliest deadline first: the ones to handle among those that would be auto-approved are the
    # soonest; the soon-after ones are all handled or none (see _rescue). Both lists are in deadline
    # order and every soon-after deadline is later than the horizon, so the result is in that order.
    rescue_items = falling[:handled_auto] + (soon_after if handled_soon else [])
    return Forecast(
        horizon_hours=horizon,
        at_ms=at,
        level=level,
        changes_at_ms=changes_at,
        changes_to=changes_to,
        changed_by=changed_by,
        would_auto_approve=tuple(p.refund_id for p in falling),
        money_at_stake_fen=sum(p.refund_fee_fen for p in falling),
        rescue=tuple(p.refund_id for p in rescue_items),
        rescue_money_fen=sum(p.refund_fee_fen for p in rescue_items),
        rescue_keeps_level=keeps,
        reasons=reasons,
    )


def _rescue(level_with: _LevelWith, n_auto: int, n_soon: int, current: Level) -> tuple[int, bool, bool]:
    """The fewest requests to handle so that the level at the horizon is at most ``current``.

    Returns (how many of the would-be auto-approvals to handle, whether to handle the requests that
    would have ≤ ``pending_hours_left`` left at the horizon, whether that keeps the level).

    Why this is minimal: the horizons are shorter than every window and than M4's 7-day block (checked
    when the rules file is loaded), so every would-be auto-approval falls into every window and into
    the newest block alike — the level depends only on HOW MANY of them remain, not which; and it rises
    with that number x (M1 counts grow; M2's rate (a+x)/(d+x) grows with x since a ≤ d; it can
    only reach the minimum sample sooner; an event in the newest block can only extend the streak). The soon-after requests matter only through "is there any", so they are handled all or
    none. Trying both choices and, for each, the smallest count of would-be auto-approvals (scanning
    up from 0) finds the minimum of all subsets; which ones are handled is then free, and earliest
    deadline first is chosen (the order they can still be saved in).
    """
    target = level_rank(current)
    best: tuple[int, int, bool] | None = None  # (total, handled_auto, handle_soon)
    for handle_soon in (False, True):
        if handle_soon and n_soon == 0:
            continue
        remaining_soon = 0 if handle_soon else n_soon
        for handled in range(n_auto + 1):
            lv, _ = level_with(handled, remaining_soon)
            if level_rank(lv) <= target:
                total = handled + (n_soon if handle_soon else 0)
                if best is None or total < best[0]:
                    best = (total, handled, handle_soon)
                break
    if best is None:
        return n_auto, n_soon > 0, False
    return best[1], best[2], True


# -------------------------------------------------------------------------- series, percentiles
def daily_series(
    rows: Mapping[int, DailyPoint] | Iterable[DailyPoint],
    *,
    now_ms: int,
    days: int,
    utc_offset_ms: int = BEIJING_OFFSET_MS,
) -> tuple[DailyPoint, ...]:
    """``days`` consecutive days ending today, zero-filled from the days that have data."""
    today = day_start(now_ms, utc_offset_ms)
    found = {p.day_start_ms: p for p in (rows.values() if isinstance(rows, Mapping) else rows)}
    return tuple(
        found.get(today - i * DAY_MS, DailyPoint(today - i * DAY_MS)) for i in range(days - 1, -1, -1)
    )


def day_start(ms: int, utc_offset_ms: int = BEIJING_OFFSET_MS) -> int:
    """Midnight (in the zone ``utc_offset_ms`` from UTC) of the day containing ``ms``."""
    return (ms + utc_offset_ms) // DAY_MS * DAY_MS - utc_offset_ms


def rank_of(q: float, n: int) -> int:
    """The 1-based nearest rank of percentile ``q`` (0 < q ≤ 1) among ``n`` values: ⌈q·n⌉, computed
    exactly (0.9 × 70 is 63, not the 64 that float arithmetic gives)."""
    f = Fraction(repr(q)) * n
    return max(1, math.ceil(f))


# ----------------------------------------------------------------------------------- estimate
def _level_now(metrics: Metrics, rules: Rules, *, with_reasons: bool) -> tuple[Level, tuple[Reason, ...]]:
    pt = _Point(
        metrics.m1_short,
        metrics.m1_long,
        metrics.m2_auto,
        metrics.m2_actionable,
        metrics.m4_weeks,
        metrics.pending_soon,
        metrics.response.p90_ms,
    )
    return _evaluate(pt, rules, with_reasons=with_reasons)


def estimate(inputs: RiskInputs, rules: Rules) -> RiskEstimate:
    """The shop's risk level now, why, the notice's sanctions for it and the forecast."""
    metrics = compute_metrics(inputs, rules)
    hist = _History(inputs.auto_approvals)
    level, reasons = _level_now(metrics, rules, with_reasons=True)
    no_history = not inputs.has_history and not inputs.auto_approvals
    if no_history:
        reasons = (*reasons, no_history_reason())
    exposure = None
    param = rules.risk.exposure.for_level(level)
    if param is not None:
        exposure = Exposure(
            level, tuple(Sanction(k, sanction_text(k)) for k in param.value), param.basis, param.key
        )
    forecast = tuple(
        _forecast_one(inputs, rules, hist, level, h) for h in rules.forecast_horizons_hours.value
    )
    return RiskEstimate(
        level=level,
        reasons=reasons,
        metrics=metrics,
        exposure=exposure,
        forecast=forecast,
        daily=inputs.daily,
        no_history=no_history,
        shop_score=inputs.shop_score,
    )


def guarded_forecast(inputs: RiskInputs, rules: Rules, guarded: Iterable[int]) -> tuple[Forecast, ...]:
    """The forecast for each horizon when the requests in ``guarded`` (refund ids the guard will
    agree before their deadline, see :mod:`desktop.core.guard`) are never auto-approved."""
    metrics = compute_metrics(inputs, rules)
    hist = _History(inputs.auto_approvals)
    level, _ = _level_now(metrics, rules, with_reasons=False)
    covered = frozenset(guarded)
    return tuple(
        _forecast_one(inputs, rules, hist, level, h, covered) for h in rules.forecast_horizons_hours.value
    )
