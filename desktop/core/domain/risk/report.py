"""The risk estimate as JSON: the ``risk`` object of ``aftersale-watch check --json`` (ids as strings,
times ISO 8601 with the offset of ``tz``, the local one by default). The records'
``to_json`` methods (:mod:`desktop.core.domain.risk.types`) return these."""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from desktop.core.domain.risk.types import Forecast, Metrics, Reason, RiskEstimate, ShopScoreView


def estimate_json(est: RiskEstimate, tz: tzinfo | None = None) -> dict[str, Any]:
    return {
        "level": est.level,
        "no_history": est.no_history,
        "reasons": [reason_json(r) for r in est.reasons],
        "exposure": None
        if est.exposure is None
        else {
            "level": est.exposure.level,
            "basis": est.exposure.basis,
            "key": est.exposure.key,
            "sanctions": [{"key": s.key, "text": s.text} for s in est.exposure.sanctions],
        },
        "metrics": metrics_json(est.metrics),
        "forecast": [forecast_json(f, tz) for f in est.forecast],
        "shop_score": shop_score_json(est.shop_score) if est.shop_score else None,
    }


def reason_json(reason: Reason) -> dict[str, Any]:
    return {
        "metric": reason.metric,
        "value": reason.value,
        "threshold": reason.threshold,
        "basis": reason.basis,
        "key": reason.key,
        "level": reason.level,
        "text": reason.text,
    }


def metrics_json(m: Metrics) -> dict[str, Any]:
    rate = m.m2_rate
    windows: dict[str, Any] = {}
    for days, groups in m.auto.items():
        total = {c: sum(g.get(c, 0) for g in groups.values()) for c in ("certain", "likely")}
        w = next((w for w in m.windows if w.days == days), None)
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
        "m1": {"short": m.m1_short, "long": m.m1_long},
        "m2": {
            "days": m.m2_days,
            "auto_approved": m.m2_auto,
            "actionable": m.m2_actionable,
            "min_sample": m.m2_min_sample,
            "judged": m.m2_judged,
            "rate": round(float(rate), 6) if rate is not None else None,
        },
        "m3": {
            "backlog": [{"hours": b.hours, "count": b.count, "money_fen": b.money_fen} for b in m.backlog],
            "overdue": {"count": m.overdue_pending, "money_fen": m.overdue_pending_fen},
        },
        "m4": {"weeks": m.m4_weeks},
        "m5": {
            "count": m.response.count,
            "median_seconds": None if m.response.median_ms is None else m.response.median_ms // 1000,
            "p90_seconds": None if m.response.p90_ms is None else m.response.p90_ms // 1000,
        },
    }


def forecast_json(f: Forecast, tz: tzinfo | None = None) -> dict[str, Any]:
    return {
        "horizon_hours": f.horizon_hours,
        "at": iso(f.at_ms, tz),
        "level": f.level,
        "changes_at": iso(f.changes_at_ms, tz) if f.changes_at_ms is not None else None,
        "changes_to": f.changes_to,
        "changed_by": str(f.changed_by) if f.changed_by is not None else None,
        "would_auto_approve": [str(r) for r in f.would_auto_approve],
        "money_at_stake_fen": f.money_at_stake_fen,
        "rescue": [str(r) for r in f.rescue],
        "rescue_money_fen": f.rescue_money_fen,
        "rescue_keeps_level": f.rescue_keeps_level,
    }


def shop_score_json(score: ShopScoreView) -> dict[str, Any]:
    after = score.after_sale
    return {
        "has_data": score.has_data,
        "name": score.show_name,
        "score": score.score_str,
        "after_sale": {"name": after[0], "score": after[1]} if after else None,
        "dimensions": [{"name": n, "score": s} for n, s in score.dimensions],
        "fetched_at_ms": score.fetched_at_ms,
    }


def iso(ms: int, tz: tzinfo | None) -> str:
    """Epoch ms as ISO 8601 to the second, in ``tz`` (default: the local zone)."""
    moment = datetime.fromtimestamp(ms / 1000, tz=UTC)
    return (moment.astimezone(tz) if tz else moment.astimezone()).isoformat(timespec="seconds")
