"""The risk estimate's data: its inputs (what the store's aggregates or the tests build), the
metrics at one reference time, the forecast per horizon and the estimate itself.

Plain frozen records; how they are computed is :mod:`desktop.core.domain.risk.compute`, their texts
:mod:`desktop.core.domain.risk.text` and their JSON (``check --json``)
:mod:`desktop.core.domain.risk.report`, which each ``to_json`` method below delegates to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from fractions import Fraction
from typing import Any, Literal

from desktop.core.domain.deadlines import Kind
from desktop.core.domain.risk import report
from desktop.core.domain.rules import DAY_MS, HOUR_MS

Level = Literal["low", "watch", "elevated", "high"]
LEVELS: tuple[Level, ...] = ("low", "watch", "elevated", "high")
KindGroup = Literal["refund_only", "return_refund", "other"]
KIND_GROUPS: tuple[KindGroup, ...] = ("refund_only", "return_refund", "other")
WEEK_MS = 7 * DAY_MS
#: Beijing time: the platform's clock and its sellers' day (used for the daily series' day boundaries)
BEIJING_OFFSET_MS = 8 * HOUR_MS


def kind_group(kind: Kind | str) -> KindGroup:
    """The notice names two forms: refund-only and return-and-refund; the rest is "other"."""
    if kind == "refund_only":
        return "refund_only"
    if kind == "return_refund":
        return "return_refund"
    return "other"


def level_rank(level: Level) -> int:
    return LEVELS.index(level)


# ------------------------------------------------------------------------------------ inputs
@dataclass(frozen=True, slots=True)
class AutoApproval:
    """One request auto-approved after its deadline; ``at_ms``: when (its deadline, platform clock)."""

    refund_id: int
    at_ms: int
    kind: Kind | str
    certainty: str  # "certain" | "likely"


@dataclass(frozen=True, slots=True)
class PendingItem:
    """A request waiting on the merchant; ``expire_at_ms`` on the same clock as ``now_ms``."""

    refund_id: int
    kind: Kind | str
    expire_at_ms: int | None
    refund_fee_fen: int = 0


@dataclass(frozen=True, slots=True)
class WindowTotals:
    """Closed requests of one window ending now: merchant-actionable ones and those handled in time,
    per kind group."""

    days: int
    actionable: Mapping[str, int] = field(default_factory=dict)
    handled_in_time: Mapping[str, int] = field(default_factory=dict)

    @property
    def actionable_total(self) -> int:
        return sum(self.actionable.values())


@dataclass(frozen=True, slots=True)
class ResponseStats:
    """The merchant's first-action time over the M5 window (nearest-rank percentiles)."""

    count: int = 0
    median_ms: int | None = None
    p90_ms: int | None = None


@dataclass(frozen=True, slots=True)
class DailyPoint:
    day_start_ms: int  # midnight of the day (see ``BEIJING_OFFSET_MS``), epoch ms
    auto_refund_only: int = 0
    auto_return_refund: int = 0
    auto_other: int = 0
    handled_in_time: int = 0


@dataclass(frozen=True, slots=True)
class ShopScoreView:
    """The platform's own shop experience score, shown beside the estimate and never mixed into it."""

    fetched_at_ms: int
    has_data: bool | None
    show_name: str | None
    score_str: str | None
    dimensions: tuple[tuple[str | None, str | None], ...] = ()

    @property
    def after_sale(self) -> tuple[str | None, str | None] | None:
        """The after-sale dimension (名称含"售后"), when the platform sends one."""
        return next(
            (d for d in self.dimensions if d[0] and ("售后" in d[0] or "after" in d[0].lower())), None
        )

    def to_json(self) -> dict[str, Any]:
        return report.shop_score_json(self)


@dataclass(frozen=True, slots=True)
class RiskInputs:
    """Everything the estimate needs; times on one clock (``now_ms``'s)."""

    now_ms: int
    #: auto-approvals with ``at_ms`` in the longest window (metric windows and M4's blocks)
    auto_approvals: tuple[AutoApproval, ...]
    #: one per ``risk.windows.days``
    windows: tuple[WindowTotals, ...]
    pending: tuple[PendingItem, ...] = ()
    #: close times of the actionable requests that leave M2's window during the longest horizon,
    #: i.e. closed in (now − m2_days, now − m2_days + max horizon]
    m2_leaving_ms: tuple[int, ...] = ()
    response: ResponseStats = ResponseStats()
    #: any classified finished request in the longest window (False: no history yet)
    has_history: bool = False
    daily: tuple[DailyPoint, ...] = ()
    shop_score: ShopScoreView | None = None

    def window(self, days: int) -> WindowTotals:
        for w in self.windows:
            if w.days == days:
                return w
        raise KeyError(f"no totals for a {days}-day window")


# ----------------------------------------------------------------------------------- results
@dataclass(frozen=True, slots=True)
class Reason:
    metric: str  # "M1_30d", "M1_7d", "M2", "M3_6h", "M4", "M5_p90", "history"
    value: float | int | None
    threshold: float | int | None
    basis: str | None  # "sourced" | "assumed"
    key: str | None  # the rules-file key of the threshold
    text: str
    level: Level | None = None  # the level this rule belongs to

    def to_json(self) -> dict[str, Any]:
        return report.reason_json(self)


@dataclass(frozen=True, slots=True)
class Sanction:
    key: str
    text: str


@dataclass(frozen=True, slots=True)
class Exposure:
    """The notice's sanctions shown for a level (not a prediction)."""

    level: Level
    sanctions: tuple[Sanction, ...]
    basis: str | None
    key: str | None


@dataclass(frozen=True, slots=True)
class Backlog:
    hours: float
    count: int
    money_fen: int


@dataclass(frozen=True, slots=True)
class Metrics:
    """The metrics at one reference time."""

    at_ms: int
    #: per window (days): auto-approvals per kind group and certainty
    auto: Mapping[int, Mapping[str, Mapping[str, int]]]
    m1_short: int
    m1_long: int
    m2_days: int
    m2_auto: int
    m2_actionable: int
    m2_min_sample: int
    m4_weeks: int
    pending_soon: int  # pending with at most `pending_hours_left` left (overdue ones included)
    backlog: tuple[Backlog, ...]
    overdue_pending: int
    overdue_pending_fen: int
    response: ResponseStats
    windows: tuple[WindowTotals, ...] = ()

    @property
    def m2_judged(self) -> bool:
        return self.m2_actionable >= self.m2_min_sample

    @property
    def m2_rate(self) -> Fraction | None:
        if not self.m2_judged or self.m2_actionable == 0:
            return None
        return Fraction(self.m2_auto, self.m2_actionable)

    def to_json(self) -> dict[str, Any]:
        return report.metrics_json(self)


@dataclass(frozen=True, slots=True)
class Forecast:
    horizon_hours: int
    at_ms: int
    level: Level
    #: the first deadline at which the level differs from today's (None: it does not change)
    changes_at_ms: int | None
    changes_to: Level | None
    changed_by: int | None  # the refund whose deadline that is
    would_auto_approve: tuple[int, ...]  # deadline order
    money_at_stake_fen: int
    rescue: tuple[int, ...]  # deadline order
    rescue_money_fen: int
    #: False when even handling every pending request cannot keep today's level (history alone moves it)
    rescue_keeps_level: bool
    reasons: tuple[Reason, ...] = ()

    def to_json(self, tz: tzinfo | None = None) -> dict[str, Any]:
        return report.forecast_json(self, tz)


@dataclass(frozen=True, slots=True)
class RiskEstimate:
    level: Level
    reasons: tuple[Reason, ...]
    metrics: Metrics
    exposure: Exposure | None
    forecast: tuple[Forecast, ...]
    daily: tuple[DailyPoint, ...]
    no_history: bool
    shop_score: ShopScoreView | None  # the platform's score, beside the estimate, never in it

    def to_json(self, tz: tzinfo | None = None) -> dict[str, Any]:
        """The ``risk`` object of ``aftersale-watch check --json`` (ids as strings)."""
        return report.estimate_json(self, tz)
