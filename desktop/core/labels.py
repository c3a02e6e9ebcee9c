"""User-facing names of the domain's keys (request kinds, stages, urgency tiers, risk levels).

One vocabulary for every surface — the window's queue, the CSV export, the ``check`` report — in the
user's language (:mod:`desktop.core.i18n`; Chinese by default). The functions build fresh dictionaries,
so calling them again after a language change gives the new language.
"""

from __future__ import annotations

from desktop.core.i18n import tr


def kind_names() -> dict[str, str]:
    return {
        "refund_only": tr("Refund only"),
        "return_refund": tr("Return and refund"),
        "exchange": tr("Exchange"),
        "resend": tr("Resend"),
        "repair": tr("Repair"),
        "unknown": tr("Unknown"),
    }


def stage_names() -> dict[str, str]:
    return {
        "review_refund_only": tr("Review refund"),
        "review_return": tr("Review return"),
        "review_exchange": tr("Review exchange"),
        "review_resend": tr("Review resend"),
        "review_repair": tr("Review repair"),
        "confirm_receipt": tr("Confirm receipt"),
        "reject_intercept": tr("Refused parcel"),
        "buyer_return": tr("Buyer sending return"),
        "buyer_modify": tr("Buyer modifying"),
        "buyer_receipt": tr("Buyer receiving"),
        "refund_executing": tr("Refund executing"),
        "dispute": tr("Platform handling"),
        "fast_refund": tr("Fast refund"),
        "closed": tr("Closed"),
        "needs_review": tr("Needs review"),
        "unknown": tr("Needs review"),
    }


def urgency_names() -> dict[str, str]:
    return {
        "overdue": tr("Overdue"),
        "critical": tr("Critical"),
        "urgent": tr("Urgent"),
        "warn": tr("Due within a day"),
        "info": tr("Not urgent"),
    }


def level_names() -> dict[str, str]:
    return {"low": tr("Low"), "watch": tr("Watch"), "elevated": tr("Elevated"), "high": tr("High")}


def money_text(fen: int | None) -> str:
    """An amount in fen as the seller reads it (¥1,234.50); an unknown amount as a dash."""
    return "—" if fen is None else f"¥{fen / 100:,.2f}"
