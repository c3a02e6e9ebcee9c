"""The risk estimate's user-facing texts: why a level was reached (one :class:`Reason` per rule hit,
with its threshold and that threshold's basis), the notice's sanctions, "no history yet".

Every text goes through :func:`desktop.core.i18n.tr`; the catalogs
(``resources/translations/core-*.json``) are keyed by the English source text. The computation
(:mod:`desktop.core.domain.risk.compute`) asks for a reason's text only where it is shown: the
forecast's "what if" evaluations build reasons without it (``with_text=False``).
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

from desktop.core.domain.risk.types import Level, Reason
from desktop.core.domain.rules import HOUR_MS, Param
from desktop.core.i18n import tr


def basis_text(basis: str | None) -> str:
    if basis == "sourced":
        return tr("sourced threshold")
    if basis == "assumed":
        return tr("assumed threshold")
    return ""


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
    """The text of one of :data:`desktop.core.domain.rules.SANCTIONS`."""
    return _SANCTION_TEXTS[key]()


def hours_text(value: float) -> str:
    """Hours as the rules file writes them (``6``, ``0.5``)."""
    return f"{value:g}"


def percent_text(value: Fraction | float) -> str:
    return f"{float(value) * 100:.1f} %"


# ------------------------------------------------------------------------------------ reasons
def m1_reason(level: Level, days: int, count: int, p: Param[int], with_text: bool) -> Reason:
    """M1: auto-approvals in the last ``days`` days reached ``p``."""
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
        level,
    )


def m2_reason(
    level: Level, rate: Fraction, days: int, count: int, total: int, p: Param[float], with_text: bool
) -> Reason:
    """M2: the overdue rate (``count`` of ``total`` actionable requests) reached ``p``."""
    return Reason(
        "M2",
        round(float(rate), 6),
        p.value,
        p.basis,
        p.key,
        tr(
            "{rate} of the requests you could act on in the last {days} days were auto-approved "
            "({count} of {total}); threshold {threshold} ({basis})",
            rate=percent_text(rate),
            days=days,
            count=count,
            total=total,
            threshold=percent_text(p.value),
            basis=basis_text(p.basis),
        )
        if with_text
        else "",
        level,
    )


def m4_reason(level: Level, weeks: int, p: Param[int], with_text: bool) -> Reason:
    """M4: auto-approvals in ``weeks`` consecutive weeks reached ``p``."""
    return Reason(
        "M4",
        weeks,
        p.value,
        p.basis,
        p.key,
        tr(
            "Requests were auto-approved in each of the last {weeks} weeks; threshold {threshold} "
            "weeks ({basis})",
            weeks=weeks,
            threshold=p.value,
            basis=basis_text(p.basis),
        )
        if with_text
        else "",
        level,
    )


def m3_reason(count: int, p: Param[float], with_text: bool) -> Reason:
    """M3 (watch): ``count`` pending requests have at most ``p`` hours left."""
    return Reason(
        f"M3_{hours_text(p.value)}h",
        count,
        p.value,
        p.basis,
        p.key,
        tr(
            "{count} pending requests have {hours} h or less left ({basis})",
            count=count,
            hours=hours_text(p.value),
            basis=basis_text(p.basis),
        )
        if with_text
        else "",
        "watch",
    )


def m5_reason(p90_ms: int, p: Param[float], with_text: bool) -> Reason:
    """M5 (watch): the merchant's 90th-percentile first-action time is slower than ``p`` hours."""
    hours = p90_ms / HOUR_MS
    return Reason(
        "M5_p90",
        round(hours, 2),
        p.value,
        p.basis,
        p.key,
        tr(
            "9 in 10 first actions came within {hours} h, slower than the threshold of {threshold} h ({basis})",
            hours=f"{hours:.1f}",
            threshold=hours_text(p.value),
            basis=basis_text(p.basis),
        )
        if with_text
        else "",
        "watch",
    )


def no_history_reason() -> Reason:
    """Added to the level's reasons while the shop has no finished request on record."""
    return Reason(
        "history",
        0,
        None,
        None,
        None,
        tr(
            "No history yet: no finished after-sale request has been recorded for this shop, so the "
            "estimate rests on the pending requests alone"
        ),
    )
