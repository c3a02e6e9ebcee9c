"""Labels of the action dialogs (Qt Linguist context "Actions")."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from desktop.core.actions import ActionKind, Outcome, WarningCode


def _t(text: str) -> str:
    return QCoreApplication.translate("Actions", text)


def kind_name(kind: ActionKind | None) -> str:
    names = {
        ActionKind.APPROVE_REFUND: _t("Agree refund"),
        ActionKind.APPROVE_RETURN: _t("Agree return"),
        ActionKind.CONFIRM_RECEIPT: _t("Confirm receipt"),
        ActionKind.REJECT: _t("Reject"),
    }
    return names.get(kind, "—") if kind is not None else "—"


def outcome_name(outcome: Outcome | None) -> str:
    if outcome is None:
        return _t("Waiting")
    names = {
        Outcome.DONE: _t("Done"),
        Outcome.FAILED: _t("Failed"),
        Outcome.CHANGED: _t("Refund changed"),
        Outcome.NOT_APPLIED: _t("Not applied"),
        Outcome.UNKNOWN: _t("Checking…"),
        Outcome.CANCELLED: _t("Not sent"),
        Outcome.SKIPPED: _t("Skipped"),
    }
    return names[outcome]


def warning_text(code: WarningCode, count: int) -> str:
    texts = {
        WarningCode.SHIPPED_REFUND_ONLY: _t(
            "%n refund-only request(s) for goods already shipped or received: agreeing refunds the "
            "money and the buyer keeps the goods."),
        WarningCode.CHANGED_SINCE_LOADED: _t(
            "%n request(s) were changed by the buyer since the list was loaded: check them again."),
        WarningCode.UNRETURNED: _t(
            "%n return(s) confirmed before the goods came back: the money is refunded without the "
            "goods."),
        WarningCode.FREIGHT_PAID: _t("%n return-freight claim(s) are paid on top of the refund."),
        WarningCode.FREIGHT_REJECTED: _t("%n return-freight claim(s) are rejected."),
    }
    return texts[code].replace("%n", str(count))



def warning_short(code: WarningCode) -> str:
    """The warning of one request, in a few words (the preview's table)."""
    texts = {
        WarningCode.SHIPPED_REFUND_ONLY: _t("shipped: the buyer keeps the goods"),
        WarningCode.CHANGED_SINCE_LOADED: _t("changed by the buyer since the list was loaded"),
        WarningCode.UNRETURNED: _t("goods not back yet"),
        WarningCode.FREIGHT_PAID: _t("return freight paid"),
        WarningCode.FREIGHT_REJECTED: _t("return freight rejected"),
    }
    return texts[code]
