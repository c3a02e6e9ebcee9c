"""The risk estimate's inputs, computed in SQL over the store (issue 4).

    from desktop.core.store.risk_queries import estimate_shop
    est = estimate_shop(store, shop_id, rules)          # RiskEstimate; est.to_json() for `check --json`

Everything heavy is an aggregate over index ranges of ``refunds`` (the classified closed requests,
index ``refunds_closed (shop_id, outcome, closed_at)``), never a Python loop over rows: window totals
per kind group, the daily series and the percentiles of M5 are computed by SQLite; Python only sees
the rare rows (the auto-approved steps of ``auto_approvals``, the requests waiting on the merchant,
the actionable closes that leave M2's window during the forecast) and the handful of aggregate rows.
M1 counts auto-approved merchant *steps* (a request still open counts as soon as it left the
merchant's turn past its deadline; it counts once, whatever happens to it later).

Clock: the store holds platform times; the estimate runs on the platform clock too (``now`` is the
local clock plus the shop's measured offset).
"""

from __future__ import annotations

import itertools
import time
from types import SimpleNamespace

from desktop.core.domain.classify import ACTIONABLE_OUTCOMES, Outcome
from desktop.core.domain.deadlines import deadline_of, kind_of
from desktop.core.domain.risk import (
    BEIJING_OFFSET_MS,
    AutoApproval,
    DailyPoint,
    PendingItem,
    ResponseStats,
    RiskEstimate,
    RiskInputs,
    ShopScoreView,
    WindowTotals,
    daily_series,
    day_start,
    estimate,
    kind_group,
    rank_of,
)
from desktop.core.domain.rules import DAY_MS, HOUR_MS, Rules
from desktop.core.store.database import Store

_HANDLED = Outcome.HANDLED_IN_TIME.value
_ACTIONABLE = tuple(sorted(o.value for o in ACTIONABLE_OUTCOMES))
_ACTIONABLE_SQL = ", ".join(f"'{o}'" for o in _ACTIONABLE)  # enum values: fixed identifiers, no input
#: kind groups (desktop.core.domain.risk.kind_group) as handling-way ranges of the index
#: refunds_risk_kind: refund-only 10, return-and-refund 1, everything else (NULL, 3/4/5, unknown codes)
_KIND_RANGES: tuple[tuple[str, str], ...] = (
    ("refund_only", "handling_way = 10"),
    ("return_refund", "handling_way = 1"),
    ("other", "handling_way IS NULL"),
    ("other", "handling_way < 1"),
    ("other", "handling_way > 1 AND handling_way < 10"),
    ("other", "handling_way > 10"),
)
_ALL_OUTCOMES_SQL = ", ".join(f"'{o.value}'" for o in Outcome)
#: the merchant's first-action time of a classified row (desktop.core.domain.classify.Classification.
#: response_ms); written exactly as in the index refunds_risk_response (schema V3) so SQLite uses it
RESPONSE_SQL = (
    "(CASE WHEN outcome = 'auto_approved_overdue' THEN deadline_at ELSE first_action_at END"
    " - COALESCE(submit_time, create_time))"
)


def risk_inputs(
    store: Store,
    shop_id: int,
    rules: Rules,
    *,
    now_ms: int | None = None,
    server_offset_ms: int | None = None,
    utc_offset_ms: int = BEIJING_OFFSET_MS,
) -> RiskInputs:
    """The :class:`RiskInputs` of one shop, on the platform clock.

    ``now_ms``: the local clock (default: now); ``server_offset_ms``: server − local (default: the
    shop's last measured offset, else 0).
    """
    if server_offset_ms is None:
        shop = store.shops.get(shop_id)
        server_offset_ms = (shop.server_clock_offset_ms if shop else None) or 0
    local_now = int(time.time() * 1000) if now_ms is None else now_ms
    now = local_now + server_offset_ms
    r = rules.risk
    days = r.windows.days.value
    longest = max(*days, r.windows.series_days.value) * DAY_MS
    read = store.read  # the store's reader connection (error translation included)

    # M1, M4 and the series' auto-approvals: the auto-approved merchant steps (rare rows, one per
    # request and step, recorded as soon as the request left the merchant's turn — open or closed;
    # covering index auto_approvals_by_time)
    rows = read(
        "SELECT refund_id, at, handling_way, certainty FROM auto_approvals "
        "WHERE shop_id = ? AND at > ? AND at <= ?",
        (shop_id, now - longest, now),
    )
    autos = tuple(
        sorted(
            (AutoApproval(rid, at, _kind(hw), certainty or "likely") for rid, at, hw, certainty in rows),
            key=lambda a: (a.at_ms, a.refund_id),
        )
    )

    # window totals: COUNT(*) over ranges of the index refunds_risk_kind (SQLite steps through each
    # range once; nothing is computed per row). The windows are cut into disjoint segments, each row
    # is counted once, in one of its kind group's handling-way ranges, and the segments are summed.
    bounds = [now] + [now - d * DAY_MS for d in days]  # days ascending: bounds descending
    counts: list[str] = []
    params: list[int] = []
    for hi, lo in itertools.pairwise(bounds):
        for outcome in _ACTIONABLE:
            for _group, condition in _KIND_RANGES:
                counts.append(
                    f"(SELECT COUNT(*) FROM refunds WHERE shop_id = ? AND outcome = '{outcome}' "
                    f"AND {condition} AND closed_at > ? AND closed_at <= ?)"
                )
                params += [shop_id, lo, hi]
    values = iter(read(f"SELECT {', '.join(counts)}", params)[0])
    acts: dict[int, dict[str, int]] = {d: {} for d in days}
    handled: dict[int, dict[str, int]] = {d: {} for d in days}
    for i in range(len(days)):
        for outcome in _ACTIONABLE:
            for group, _condition in _KIND_RANGES:
                n = next(values)
                if not n:
                    continue
                for d in days[i:]:  # this segment lies in every window at least this long
                    acts[d][group] = acts[d].get(group, 0) + n
                    if outcome == _HANDLED:
                        handled[d][group] = handled[d].get(group, 0) + n
    windows = tuple(WindowTotals(d, acts[d], handled[d]) for d in days)
    has_history = bool(autos) or bool(
        read(
            f"SELECT EXISTS (SELECT 1 FROM refunds WHERE shop_id = ? AND outcome IN ({_ALL_OUTCOMES_SQL}) "
            "AND closed_at > ? AND closed_at <= ?)",
            (shop_id, now - longest, now),
        )[0][0]
    )

    # the actionable closes that leave M2's window during the longest horizon (forecast)
    m2_start = now - r.windows.m2_days.value * DAY_MS
    max_h = max(rules.forecast_horizons_hours.value) * HOUR_MS
    leaving = tuple(
        sorted(
            t
            for (t,) in read(
                f"SELECT closed_at FROM refunds WHERE shop_id = ? AND outcome IN ({_ACTIONABLE_SQL}) "
                "AND closed_at > ? AND closed_at <= ?",
                (shop_id, m2_start, m2_start + max_h),
            )
        )
    )

    # M5: nearest-rank median and P90. The index refunds_risk_response keeps the actionable closes in
    # first-action-time order: SQLite walks it (no sort) and stops at the wanted rank.
    m5_start = now - r.windows.m5_days.value * DAY_MS
    m5_where = (
        "FROM refunds INDEXED BY refunds_risk_response "
        f"WHERE shop_id = ? AND outcome IN ({_ACTIONABLE_SQL}) AND closed_at IS NOT NULL "
        f"AND {RESPONSE_SQL} IS NOT NULL AND closed_at > ? AND closed_at <= ?"
    )
    n = read(f"SELECT COUNT(*) {m5_where}", (shop_id, m5_start, now))[0][0]
    if n:

        def at_rank(k: int) -> int:
            # ascending from the start for the median, descending from the end for the P90
            order, offset = ("", k - 1) if k <= n // 2 + 1 else (" DESC", n - k)
            (value,) = read(
                f"SELECT {RESPONSE_SQL} AS ms {m5_where} ORDER BY ms{order} LIMIT 1 OFFSET ?",
                (shop_id, m5_start, now, offset),
            )[0]
            return max(0, int(value))  # clamping is monotone: the k-th clamped value is the clamped k-th

        response = ResponseStats(n, at_rank(rank_of(0.5, n)), at_rank(rank_of(0.9, n)))
    else:
        response = ResponseStats()

    # the daily series: handled in time per day by range counts, auto-approvals from the rows above
    series_days = r.windows.series_days.value
    first_day = day_start(now, utc_offset_ms) - (series_days - 1) * DAY_MS
    day_starts = [first_day + i * DAY_MS for i in range(series_days)]
    per_day = read(
        "SELECT "
        + ", ".join(
            f"(SELECT COUNT(*) FROM refunds WHERE shop_id = ? AND outcome = '{_HANDLED}' "
            "AND closed_at >= ? AND closed_at < ?)"
            for _ in day_starts
        ),
        [v for d in day_starts for v in (shop_id, d, min(d + DAY_MS, now + 1))],
    )[0]
    points: dict[int, dict[str, int]] = {
        d: {"handled_in_time": n} for d, n in zip(day_starts, per_day, strict=False) if n
    }
    for a in autos:
        if first_day <= a.at_ms <= now:
            field = f"auto_{kind_group(a.kind)}"
            day = points.setdefault(day_start(a.at_ms, utc_offset_ms), {})
            day[field] = day.get(field, 0) + 1
    daily = daily_series(
        [DailyPoint(d, **c) for d, c in points.items()],
        now_ms=now,
        days=series_days,
        utc_offset_ms=utc_offset_ms,
    )

    # M3 and the forecast: the requests waiting on the merchant (few), deadlines on the platform clock
    pending = []
    for row in store.refunds.waiting(shop_id):
        deadline = deadline_of(row, rules)
        pending.append(PendingItem(row.refund_id, kind_of(row), deadline.expire_at_ms, row.refund_fee or 0))

    score = store.scores.latest(shop_id)
    return RiskInputs(
        now_ms=now,
        auto_approvals=autos,
        windows=windows,
        pending=tuple(pending),
        m2_leaving_ms=leaving,
        response=response,
        has_history=has_history,
        daily=daily,
        shop_score=None
        if score is None
        else ShopScoreView(
            score.fetched_at, score.has_data, score.show_name, score.score_str, score.dimensions
        ),
    )


def _kind(handling_way: int | None) -> str:
    return kind_of(SimpleNamespace(handling_way=handling_way, status=None))


def estimate_shop(
    store: Store,
    shop_id: int,
    rules: Rules,
    *,
    now_ms: int | None = None,
    server_offset_ms: int | None = None,
    utc_offset_ms: int = BEIJING_OFFSET_MS,
) -> RiskEstimate:
    """The full risk estimate of one shop (metrics, level and reasons, forecast, daily series)."""
    inputs = risk_inputs(
        store, shop_id, rules, now_ms=now_ms, server_offset_ms=server_offset_ms, utc_offset_ms=utc_offset_ms
    )
    return estimate(inputs, rules)
