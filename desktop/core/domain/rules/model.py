"""The rules file's model: the tree of frozen records :func:`~desktop.core.domain.rules.load_rules`
returns (every threshold a :class:`Param` carrying its key, value and basis), the names the file may
use (stages, sanctions, guard stages) and :class:`RulesError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

Basis = Literal["sourced", "assumed"]
BASES: tuple[str, ...] = ("sourced", "assumed")

#: stages that may carry a fallback limit (the merchant's and the buyer's clocks of rules doc §2)
LIMITED_STAGES: tuple[str, ...] = (
    "review_refund_only",
    "review_return",
    "review_exchange",
    "review_resend",
    "review_repair",
    "confirm_receipt",
    "reject_intercept",
    "buyer_return",
)

#: the sanctions the notice of 2023-05-09 lists (texts in :mod:`desktop.core.domain.risk.text`)
SANCTIONS: tuple[str, ...] = (
    "warning",
    "compulsory_training",
    "compulsory_exam",
    "penalty_points",
    "freight_claims_by_platform",
    "cart_suspended",
    "penalty_payment",
    "refund_handling_removed",
    "clearance",
)

SCHEMA_VERSION = 1
HOUR_MS = 3_600_000
DAY_MS = 86_400_000

T = TypeVar("T")


class RulesError(ValueError):
    """The rules file is unusable; ``key`` is the dotted key at fault (``""`` for the whole file),
    ``path`` the file (set by :func:`load_rules`). ``str()`` names all three: file, key, problem."""

    def __init__(self, key: str, problem: str, *, path: str | None = None) -> None:
        super().__init__(problem)
        self.key = key
        self.problem = problem
        self.path = path

    def __str__(self) -> str:
        where = f"{self.key}: {self.problem}" if self.key else self.problem
        return f"{self.path}: {where}" if self.path else where


# ------------------------------------------------------------------------------------- records
@dataclass(frozen=True, slots=True)
class Param(Generic[T]):
    """One configured value with where it comes from."""

    key: str  # dotted key in the file, e.g. "risk.high.m2_rate"
    value: T
    basis: Basis
    note: str = ""


@dataclass(frozen=True, slots=True)
class StageLimit:
    stage: str
    limit_hours: float
    basis: Basis
    note: str = ""

    @property
    def key(self) -> str:
        return f"stages.{self.stage}.limit_hours"

    @property
    def limit_ms(self) -> int:
        return round(self.limit_hours * HOUR_MS)


@dataclass(frozen=True, slots=True)
class UrgencyTiers:
    critical_hours: Param[float]
    urgent_hours: Param[float]
    warn_hours: Param[float]


@dataclass(frozen=True, slots=True)
class Warnings:
    alert_hours: Param[tuple[float, ...]]  # descending, e.g. (24, 6, 2, 0.5)
    urgency: UrgencyTiers


@dataclass(frozen=True, slots=True)
class ClassifyRules:
    fast_refund_max_seconds: Param[int]
    system_roles: Param[tuple[str, ...]]  # casefolded


@dataclass(frozen=True, slots=True)
class RiskWindows:
    days: Param[tuple[int, ...]]  # ascending
    m1_short_days: Param[int]
    m1_long_days: Param[int]
    m2_days: Param[int]
    m5_days: Param[int]
    series_days: Param[int]


@dataclass(frozen=True, slots=True)
class LevelThresholds:
    """Thresholds of the "high" or "elevated" level (any one reached → the level)."""

    m1_long: Param[int]
    m1_short: Param[int]
    m2_rate: Param[float]
    m4_weeks: Param[int]


@dataclass(frozen=True, slots=True)
class WatchThresholds:
    m1_long: Param[int]
    pending_hours_left: Param[float]
    m5_p90_hours: Param[float]


@dataclass(frozen=True, slots=True)
class Exposure:
    high: Param[tuple[str, ...]]
    elevated: Param[tuple[str, ...]]
    watch: Param[tuple[str, ...]]

    def for_level(self, level: str) -> Param[tuple[str, ...]] | None:
        return {"high": self.high, "elevated": self.elevated, "watch": self.watch}.get(level)


@dataclass(frozen=True, slots=True)
class RiskRules:
    windows: RiskWindows
    m2_min_requests: Param[int]
    backlog_hours: Param[tuple[float, ...]]  # descending, e.g. (24, 6, 2)
    high: LevelThresholds
    elevated: LevelThresholds
    watch: WatchThresholds
    exposure: Exposure


@dataclass(frozen=True, slots=True)
class GuardRules:
    """The guard's rule (agree a request shortly before its deadline instead of letting the platform
    auto-approve it) and the defaults of its policy (rules doc: the lead time and caps are assumed)."""

    rule: Param[str]
    lead_minutes: Param[int]
    max_fee_yuan: Param[float]
    daily_count: Param[int]
    daily_yuan: Param[float]
    pre_notice_minutes: Param[int]
    stale_minutes: Param[int]
    default_stages: Param[tuple[str, ...]]


#: the stages the guard may act on (the names ``check --json`` uses)
GUARD_STAGES: tuple[str, ...] = ("review_refund_only", "review_return", "review_exchange", "confirm_receipt")


@dataclass(frozen=True, slots=True)
class Rules:
    schema_version: int
    stages: Mapping[str, StageLimit]
    warnings: Warnings
    classify: ClassifyRules
    risk: RiskRules
    forecast_horizons_hours: Param[tuple[int, ...]]  # ascending
    guard: GuardRules | None = None  # None only for hand-built rules: see :func:`_guard`

    def stage_limit(self, stage: str) -> StageLimit | None:
        return self.stages.get(stage)
