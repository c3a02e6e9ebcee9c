"""The overdue-governance risk estimate (rules doc §4): how close is the shop to "a large number of
overdue requests" under the notice of 2023-05-09 — which publishes no numbers, so every threshold
here comes from the rules file with its basis shown.

Pure functions over plain inputs (:class:`RiskInputs`); :mod:`desktop.core.store.risk_queries`
builds the inputs with SQL aggregates, :func:`inputs_from_records` builds the same inputs from plain
records (for tests and small data).

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
:func:`_rescue` for why it is minimal.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from fractions import Fraction
from typing import Any, Literal

from desktop.core.domain.classify import ACTIONABLE_OUTCOMES, Outcome
from desktop.core.domain.deadlines import Kind
from desktop.core.domain.rules import DAY_MS, HOUR_MS, Param, Rules
from desktop.core.i18n import tr

Level = Literal["low", "watch", "elevated", "high"]
LEVELS: tuple[Level, ...] = ("low", "watch", "elevated", "high")
KindGroup = Literal["refund_only", "return_refund", "other"]
KIND_GROUPS: tuple[KindGroup, ...] = ("refund_only", "return_refund", "other")
WEEK_MS = 7 * DAY_MS
#: Beijing time: the platform's clock and its sellers' day (used for the daily series' day boundaries)
BEIJING_OFFSET_MS = 8 * HOUR_MS


def kind_group(kind: Kind | str) -> KindGroup:
    """The notice names two forms: refund-only and return-and-refund; the rest is "other"."""
    return kind if kind in ("refund_only", "return_refund") else "other"  # type: ignore[return-value]


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
        after = self.after_sale
        return {
            "has_data": self.has_data,
            "name": self.show_name,
            "score": self.score_str,
            "after_sale": {"name": after[0], "score": after[1]} if after else None,
            "dimensions": [{"name": n, "score": s} for n, s in self.dimensions],
            "fetched_at_ms": self.fetched_at_ms,
        }


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
        return {
            "metric": self.metric,
            "value": self.value,
            "threshold": self.threshold,
            "basis": self.basis,
            "key": self.key,
            "level": self.level,
            "text": self.text,
        }


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
        rate = self.m2_rate
        windows: dict[str, Any] = {}
        for days, groups in self.auto.items():
            total = {c: sum(g.get(c, 0) for g in groups.values()) for c in ("certain", "likely")}
            w = next((w for w in self.windows if w.days == days), None)
            windows[str(days)] = {
                "auto_approved": {
                    "total": total["certain"] + total["likely"],
                    **total,
                    **{k: {"total": sum(g.values()), **g} for k, g in groups.items()},
                },
                "actionable": dict(w.actionable) if w else {},
                "handled_in_time": dict(w.handled_in_time) if w else {},
            }
        return {
            "windows": windows,
            "m1": {"short": self.m1_short, "long": self.m1_long},
            "m2": {
                "days": self.m2_days,
                "auto_approved": self.m2_auto,
                "actionable": self.m2_actionable,
                "min_sample": self.m2_min_sample,
                "judged": self.m2_judged,
                "rate": round(float(rate), 6) if rate is not None else None,
            },
            "m3": {
                "backlog": [
                    {"hours": b.hours, "count": b.count, "money_fen": b.money_fen} for b in self.backlog
                ],
                "overdue": {"count": self.overdue_pending, "money_fen": self.overdue_pending_fen},
            },
            "m4": {"weeks": self.m4_weeks},
            "m5": {
                "count": self.response.count,
                "median_seconds": None
                if self.response.median_ms is None
                else self.response.median_ms // 1000,
                "p90_seconds": None if self.response.p90_ms is None else self.response.p90_ms // 1000,
            },
        }


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
        return {
            "horizon_hours": self.horizon_hours,
            "at": _iso(self.at_ms, tz),
            "level": self.level,
            "changes_at": _iso(self.changes_at_ms, tz) if self.changes_at_ms is not None else None,
            "changes_to": self.changes_to,
            "changed_by": str(self.changed_by) if self.changed_by is not None else None,
            "would_auto_approve": [str(r) for r in self.would_auto_approve],
            "money_at_stake_fen": self.money_at_stake_fen,
            "rescue": [str(r) for r in self.rescue],
            "rescue_money_fen": self.rescue_money_fen,
            "rescue_keeps_level": self.rescue_keeps_level,
        }


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
        return {
            "level": self.level,
            "no_history": self.no_history,
            "reasons": [r.to_json() for r in self.reasons],
            "exposure": None
            if self.exposure is None
            else {
                "level": self.exposure.level,
                "basis": self.exposure.basis,
                "key": self.exposure.key,
                "sanctions": [{"key": s.key, "text": s.text} for s in self.exposure.sanctions],
            },
            "metrics": self.metrics.to_json(),
            "forecast": [f.to_json(tz) for f in self.forecast],
            "shop_score": self.shop_score.to_json() if self.shop_score else None,
        }


def _iso(ms: int, tz: tzinfo | None) -> str:
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return (moment.astimezone(tz) if tz else moment.astimezone()).isoformat(timespec="seconds")


# ------------------------------------------------------------------------------------- texts
def basis_text(basis: str | None) -> str:
    if basis == "sourced":
        return tr("sourced threshold")
    if basis == "assumed":
        return tr("assumed threshold")
    return ""


def level_text(level: Level) -> str:
    return {
        "low": lambda: tr("low risk"),
        "watch": lambda: tr("watch the risk"),
        "elevated": lambda: tr("elevated risk"),
        "high": lambda: tr("high risk"),
    }[level]()


_SANCTION_TEXTS: dict[str, Callable[[], str]] = {
    "warning": lambda: tr("a warning"),
    "compulsory_training": lambda: tr("compulsory training"),
    "compulsory_exam": lambda: tr("compulsory exam"),
    "penalty_points": lambda: tr("penalty points"),
    "freight_claims_by_platform": lambda: tr("the platform handles buyers' freight claims directly"),
    "cart_suspended": lambda: tr("shopping-cart feature suspended"),
    "penalty_payment": lambda: tr("penalty payment"),
    "refund_handling_removed": lambda: tr(
        "refund handling taken away: every buyer request is approved and refunded automatically"
    ),
    "clearance": lambda: tr("cleared off the platform, cooperation ended"),
}


def sanction_text(key: str) -> str:
    return _SANCTION_TEXTS[key]()


def _hours(value: float) -> str:
    return f"{value:g}"


def _percent(value: Fraction | float) -> str:
    return f"{float(value) * 100:.1f} %"


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


def _ge(value: int | Fraction, p: Param[Any]) -> bool:
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

    for level, th in (("high", r.high), ("elevated", r.elevated)):
        hits: list[Reason] = []
        if _ge(pt.m1_long, th.m1_long):
            hits.append(_m1_reason(level, long_d, pt.m1_long, th.m1_long, with_reasons))
        if _ge(pt.m1_short, th.m1_short):
            hits.append(_m1_reason(level, short_d, pt.m1_short, th.m1_short, with_reasons))
        if rate is not None and _ge(rate, th.m2_rate):
            hits.append(
                Reason(
                    "M2",
                    round(float(rate), 6),
                    th.m2_rate.value,
                    th.m2_rate.basis,
                    th.m2_rate.key,
                    tr(
                        "{rate} of the requests you could act on in the last {days} days were auto-approved "
                        "({count} of {total}); threshold {threshold} ({basis})",
                        rate=_percent(rate),
                        days=m2_d,
                        count=pt.m2_auto,
                        total=pt.m2_actionable,
                        threshold=_percent(th.m2_rate.value),
                        basis=basis_text(th.m2_rate.basis),
                    )
                    if with_reasons
                    else "",
                    level,  # type: ignore[arg-type]
                )
            )
        if _ge(pt.m4_weeks, th.m4_weeks):
            hits.append(
                Reason(
                    "M4",
                    pt.m4_weeks,
                    th.m4_weeks.value,
                    th.m4_weeks.basis,
                    th.m4_weeks.key,
                    tr(
                        "Requests were auto-approved in each of the last {weeks} weeks; threshold {threshold} "
                        "weeks ({basis})",
                        weeks=pt.m4_weeks,
                        threshold=th.m4_weeks.value,
                        basis=basis_text(th.m4_weeks.basis),
                    )
                    if with_reasons
                    else "",
                    level,  # type: ignore[arg-type]
                )
            )
        if hits:
            return level, tuple(hits)  # type: ignore[return-value]

    wt = r.watch
    hits = []
    if _ge(pt.m1_long, wt.m1_long):
        hits.append(_m1_reason("watch", long_d, pt.m1_long, wt.m1_long, with_reasons))
    if pt.pending_soon > 0:
        hits.append(
            Reason(
                f"M3_{_hours(wt.pending_hours_left.value)}h",
                pt.pending_soon,
                wt.pending_hours_left.value,
                wt.pending_hours_left.basis,
                wt.pending_hours_left.key,
                tr(
                    "{count} pending requests have {hours} h or less left ({basis})",
                    count=pt.pending_soon,
                    hours=_hours(wt.pending_hours_left.value),
                    basis=basis_text(wt.pending_hours_left.basis),
                )
                if with_reasons
                else "",
                "watch",
            )
        )
    if pt.p90_ms is not None and pt.p90_ms > wt.m5_p90_hours.value * HOUR_MS:
        hours = pt.p90_ms / HOUR_MS
        hits.append(
            Reason(
                "M5_p90",
                round(hours, 2),
                wt.m5_p90_hours.value,
                wt.m5_p90_hours.basis,
                wt.m5_p90_hours.key,
                tr(
                    "9 in 10 first actions came within {hours} h, slower than the threshold of {threshold} h ({basis})",
                    hours=f"{hours:.1f}",
                    threshold=_hours(wt.m5_p90_hours.value),
                    basis=basis_text(wt.m5_p90_hours.basis),
                )
                if with_reasons
                else "",
                "watch",
            )
        )
    if hits:
        return "watch", tuple(hits)
    return "low", ()


def _m1_reason(level: str, days: int, count: int, p: Param[int], with_text: bool) -> Reason:
    return Reason(
        f"M1_{days}d",
        count,
        p.value,
        p.basis,
        p.key,
        tr(
            "{count} requests were auto-approved after their deadline in the last {days} days; "
            "threshold {threshold} ({basis})",
            count=count,
            days=days,
            threshold=p.value,
            basis=basis_text(p.basis),
        )
        if with_text
        else "",
        level,  # type: ignore[arg-type]
    )


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
    dated = sorted(
        (p for p in inputs.pending if p.expire_at_ms is not None), key=lambda p: (p.expire_at_ms, p.refund_id)
    )
    # a guarded request is agreed shortly before its deadline: never auto-approved (it still counts
    # as pending, and as "soon", until then)
    falling = [p for p in dated if p.expire_at_ms <= at and p.refund_id not in guarded]  # type: ignore[operator]
    soon_after = [p for p in dated if at < p.expire_at_ms <= at + soon_h * HOUR_MS]  # type: ignore[operator]
    auto_times = [max(p.expire_at_ms, now) for p in falling]  # type: ignore[type-var]

    def level_with(
        handled_auto: int, soon_left: int, *, reasons: bool = False
    ) -> tuple[Level, tuple[Reason, ...]]:
        # the first ``handled_auto`` would-be auto-approvals (earliest deadlines) are handled
        pt = _point(inputs, rules, hist, at, auto_times[handled_auto:], soon_left)
        return _evaluate(pt, rules, with_reasons=reasons)

    level, reasons = level_with(0, len(soon_after), reasons=True)

    # when it would change: the first deadline (in order) after which the level differs from today's
    changes_at = changes_to = changed_by = None
    expiries = [p.expire_at_ms for p in dated]
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
    # soonest; the soon-after ones are all handled or none (see _rescue)
    rescue_items = sorted(
        falling[:handled_auto] + (soon_after if handled_soon else []),
        key=lambda p: (p.expire_at_ms, p.refund_id),
    )
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


def _rescue(
    level_with: Callable[..., tuple[Level, tuple[Reason, ...]]], n_auto: int, n_soon: int, current: Level
) -> tuple[int, bool, bool]:
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


# ----------------------------------------------------------------------------------- estimate
def estimate(inputs: RiskInputs, rules: Rules) -> RiskEstimate:
    """The shop's risk level now, why, the notice's sanctions for it and the forecast."""
    metrics = compute_metrics(inputs, rules)
    hist = _History(inputs.auto_approvals)
    pt = _Point(
        metrics.m1_short,
        metrics.m1_long,
        metrics.m2_auto,
        metrics.m2_actionable,
        metrics.m4_weeks,
        metrics.pending_soon,
        metrics.response.p90_ms,
    )
    level, reasons = _evaluate(pt, rules)
    no_history = not inputs.has_history and not inputs.auto_approvals
    if no_history:
        reasons = (
            *reasons,
            Reason(
                "history",
                0,
                None,
                None,
                None,
                tr(
                    "No history yet: no finished after-sale request has been recorded for this shop, so the "
                    "estimate rests on the pending requests alone"
                ),
            ),
        )
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
    pt = _Point(
        metrics.m1_short,
        metrics.m1_long,
        metrics.m2_auto,
        metrics.m2_actionable,
        metrics.m4_weeks,
        metrics.pending_soon,
        metrics.response.p90_ms,
    )
    level, _ = _evaluate(pt, rules, with_reasons=False)
    covered = frozenset(guarded)
    return tuple(
        _forecast_one(inputs, rules, hist, level, h, covered) for h in rules.forecast_horizons_hours.value
    )


# ------------------------------------------------------------------- inputs from plain records
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


def rank_of(q: float, n: int) -> int:
    """The 1-based nearest rank of percentile ``q`` (0 < q ≤ 1) among ``n`` values: ⌈q·n⌉, computed
    exactly (0.9 × 70 is 63, not the 64 that float arithmetic gives)."""
    f = Fraction(repr(q)) * n
    return max(1, math.ceil(f))


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
