"""Labels of the action dialogs (Qt Linguist context "Actions"; each text is a literal so that
``lupdate`` finds it)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from desktop.core.actions import ActionKind, Outcome, WarningCode
from desktop.ui.i18n import fill


def kind_name(kind: ActionKind | None) -> str:
    if kind is ActionKind.APPROVE_REFUND:
        return QCoreApplication.translate("Actions", "Agree refund")
    if kind is ActionKind.APPROVE_RETURN:
        return QCoreApplication.translate("Actions", "Agree return")
    if kind is ActionKind.CONFIRM_RECEIPT:
        return QCoreApplication.translate("Actions", "Confirm receipt")
    if kind is ActionKind.REJECT:
        return QCoreApplication.translate("Actions", "Reject")
    return "—"


def outcome_name(outcome: Outcome | None) -> str:
    names = {
        None: QCoreApplication.translate("Actions", "Waiting"),
        Outcome.DONE: QCoreApplication.translate("Actions", "Done"),
        Outcome.FAILED: QCoreApplication.translate("Actions", "Failed"),
        Outcome.CHANGED: QCoreApplication.translate("Actions", "Refund changed"),
        Outcome.NOT_APPLIED: QCoreApplication.translate("Actions", "Not applied"),
        Outcome.UNKNOWN: QCoreApplication.translate("Actions", "Undecided"),
        Outcome.CANCELLED: QCoreApplication.translate("Actions", "Not sent"),
        Outcome.SKIPPED: QCoreApplication.translate("Actions", "Skipped"),
    }
    return names[outcome]


def warning_text(code: WarningCode, count: int) -> str:
    texts = {
        WarningCode.SHIPPED_REFUND_ONLY: QCoreApplication.translate(
            "Actions",
            "%1 refund-only request(s) for goods already shipped or received: agreeing "
            "refunds the money and the buyer keeps the goods.",
        ),
        WarningCode.CHANGED_SINCE_LOADED: QCoreApplication.translate(
            "Actions", "%1 request(s) were changed by the buyer since the list was loaded: check them again."
        ),
        WarningCode.UNRETURNED: QCoreApplication.translate(
            "Actions",
            "%1 return(s) confirmed before the goods came back: the money is refunded without the goods.",
        ),
        WarningCode.FREIGHT_PAID: QCoreApplication.translate(
            "Actions", "%1 return-freight claim(s) are paid on top of the refund."
        ),
        WarningCode.FREIGHT_REJECTED: QCoreApplication.translate(
            "Actions", "%1 return-freight claim(s) are rejected."
        ),
    }
    return fill(texts[code], count)


def warning_short(code: WarningCode) -> str:
    """The warning of one request, in a few words (the preview's table)."""
    texts = {
        WarningCode.SHIPPED_REFUND_ONLY: QCoreApplication.translate(
            "Actions", "shipped: the buyer keeps the goods"
        ),
        WarningCode.CHANGED_SINCE_LOADED: QCoreApplication.translate(
            "Actions", "changed by the buyer since the list was loaded"
        ),
        WarningCode.UNRETURNED: QCoreApplication.translate("Actions", "goods not back yet"),
        WarningCode.FREIGHT_PAID: QCoreApplication.translate("Actions", "return freight paid"),
        WarningCode.FREIGHT_REJECTED: QCoreApplication.translate("Actions", "return freight rejected"),
    }
    return texts[code]
