"""The overdue-governance risk estimate (rules doc §4): how close is the shop to "a large number of
overdue requests" under the notice of 2023-05-09 — which publishes no numbers, so every threshold
here comes from the rules file with its basis shown.

Pure functions over plain inputs (:class:`RiskInputs`), which
:mod:`desktop.core.store.risk_queries` builds with SQL aggregates. By role:

:mod:`~desktop.core.domain.risk.types`
    the records: the inputs, the metrics, the forecast, the estimate;
:mod:`~desktop.core.domain.risk.compute`
    the computation: metrics, levels, forecast and rescue list, daily series, percentiles;
:mod:`~desktop.core.domain.risk.text`
    the user-facing texts: the reasons for a level, the sanctions;
:mod:`~desktop.core.domain.risk.report`
    the JSON of ``check --json``.

This package re-exports their public names: ``from desktop.core.domain.risk import estimate``.

Metrics
    M1 auto-approved overdue requests (certain and likely, each counted) per window, split
    refund-only / return-and-refund / other; M2 overdue rate = M1 ÷ merchant-actionable requests
    closed in the window, judged only from the minimum sample up; M3 pending requests (and money) with
    at most 24 / 6 / 2 h left; M4 consecutive 7-day blocks, counted back from the reference time,
    each with an auto-approval; M5 median and P90 (nearest rank) of the merchant's first-action time.

Levels, first match from the top: high, elevated, watch (any rule of the level reached), else low.

Forecast for each horizon N: "nothing is done": every pending request whose deadline falls before
now + N is auto-approved at its deadline (counted in M1 and in M2's numerator and denominator); the
windows slide; M5 is held as it is (no new merchant actions). The rescue list is the smallest set of
pending requests whose handling keeps the level at now + N at or below today's; see
:func:`desktop.core.domain.risk.compute._rescue` for why it is minimal.
"""

from __future__ import annotations

from desktop.core.domain.risk.compute import (
    compute_metrics,
    daily_series,
    day_start,
    estimate,
    guarded_forecast,
    rank_of,
)
from desktop.core.domain.risk.text import basis_text, sanction_text
from desktop.core.domain.risk.types import (
    BEIJING_OFFSET_MS,
    KIND_GROUPS,
    LEVELS,
    WEEK_MS,
    AutoApproval,
    Backlog,
    DailyPoint,
    Exposure,
    Forecast,
    KindGroup,
    Level,
    Metrics,
    PendingItem,
    Reason,
    ResponseStats,
    RiskEstimate,
    RiskInputs,
    Sanction,
    ShopScoreView,
    WindowTotals,
    kind_group,
    level_rank,
)

__all__ = [
    "BEIJING_OFFSET_MS",
    "KIND_GROUPS",
    "LEVELS",
    "WEEK_MS",
    "AutoApproval",
    "Backlog",
    "DailyPoint",
    "Exposure",
    "Forecast",
    "KindGroup",
    "Level",
    "Metrics",
    "PendingItem",
    "Reason",
    "ResponseStats",
    "RiskEstimate",
    "RiskInputs",
    "Sanction",
    "ShopScoreView",
    "WindowTotals",
    "basis_text",
    "compute_metrics",
    "daily_series",
    "day_start",
    "estimate",
    "guarded_forecast",
    "kind_group",
    "level_rank",
    "rank_of",
    "sanction_text",
]
