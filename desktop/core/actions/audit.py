"""The audit log: every action the app sent or meant to send, read from the store's journal.

Each row: when, which shop, which refund, which action, what it asked in the seller's words (the
reason, the refund, the return address…; the wire parameters stay in the journal), the result and
its message. :func:`export_csv` writes it with the app's one CSV writer (:mod:`desktop.core.csvfile`:
UTF-8 with a BOM so Excel opens the Chinese texts correctly, refund ids as text so Excel keeps all
their digits, platform texts never run as formulas).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from desktop.core import csvfile
from desktop.core.actions.model import METHOD_OF, ActionKind, Outcome
from desktop.core.i18n import tr


@dataclass(frozen=True, slots=True)
class AuditRow:
    id: int
    at_ms: int  # when the action was planned
    updated_ms: int  # its last change of state
    shop_id: int
    shop: str
    refund_id: int
    kind: str
    method: str
    params: dict[str, Any]
    state: str
    outcome: str | None
    message: str
    error: str | None
    #: who asked for it when not the user by hand (the guard, with the policy that allowed it)
    origin: str | None = None

    @property
    def action_text(self) -> str:
        return f"{kind_text(self.kind)} · {self.origin}" if self.origin else kind_text(self.kind)


def kind_text(kind: str) -> str:
    """The translated name of an action kind (unknown kinds shown as they are)."""
    names = {
        ActionKind.APPROVE_REFUND.value: tr("Agree refund"),
        ActionKind.APPROVE_RETURN.value: tr("Agree return"),
        ActionKind.CONFIRM_RECEIPT.value: tr("Confirm receipt"),
        ActionKind.REJECT.value: tr("Reject"),
    }
    return names.get(kind, kind)


def outcome_text(outcome: str | None, state: str) -> str:
    """The translated result of a journal entry (its outcome, else its state)."""
    names = {
        Outcome.DONE.value: tr("Done"),
        Outcome.FAILED.value: tr("Failed"),
        Outcome.CHANGED.value: tr("Refund changed"),
        Outcome.NOT_APPLIED.value: tr("Not applied"),
        Outcome.UNKNOWN.value: tr("Unknown"),
        Outcome.CANCELLED.value: tr("Not sent"),
        Outcome.SKIPPED.value: tr("Skipped"),
        "planned": tr("Planned"),
        "sent": tr("Sent, no answer yet"),
    }
    key = outcome or state
    return names.get(key, key)


def audit_rows(store: Any, shop_id: int | None = None, *, since: int | None = None) -> list[AuditRow]:
    """The journal as audit rows, newest first."""
    labels = {s.id: s.label for s in store.shops.all()}
    rows = []
    for e in store.journal.entries(shop_id, since=since):
        params = e.params or {}
        result = e.result if isinstance(e.result, dict) else {}
        try:
            method = METHOD_OF[ActionKind(e.kind)]
        except ValueError:
            method = str(params.get("method") or "")
        rows.append(
            AuditRow(
                id=e.id,
                at_ms=e.created_at,
                updated_ms=e.updated_at,
                shop_id=e.shop_id,
                shop=labels.get(e.shop_id, str(e.shop_id)),
                refund_id=e.refund_id,
                kind=e.kind,
                method=params.get("method") or method,
                params=dict(params.get("param") or {}),
                state=e.state,
                outcome=result.get("outcome"),
                message=result.get("message") or "",
                error=e.error,
                origin=_origin_text(params.get("origin")),
            )
        )
    rows.reverse()
    return rows


def _origin_text(origin: Any) -> str | None:
    from desktop.core.guard import describe_origin

    return describe_origin(origin) if isinstance(origin, dict) else None


def local_time(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000).astimezone().strftime("%Y-%m-%d %H:%M:%S")


def _yuan(fen: Any) -> str:
    if not isinstance(fen, int) or isinstance(fen, bool):
        return ""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}¥{yuan:,}.{cents:02d}"


def details_text(row: AuditRow) -> str:
    """What was asked of the platform, in the seller's words (never the wire parameters)."""
    p = row.params
    parts: list[str] = []
    if row.kind == ActionKind.REJECT.value:
        if p.get("reasonCode") is not None:
            parts.append(tr("reason no. {code}", code=p["reasonCode"]))
        if p.get("rejectDesc"):
            parts.append(tr("description: {text}", text=p["rejectDesc"]))
        images = p.get("rejectImages")
        if isinstance(images, list) and images:
            parts.append(tr("{count} picture(s)", count=len(images)))
    elif row.kind in (ActionKind.APPROVE_REFUND.value, ActionKind.APPROVE_RETURN.value):
        amount = _yuan(p.get("refundAmount"))
        if amount and p.get("refundAmount"):
            parts.append(tr("refund {amount}", amount=amount))
        if row.kind == ActionKind.APPROVE_RETURN.value:
            parts.append(
                tr("return address no. {id}", id=p["addressId"])
                if p.get("addressId")
                else tr("the shop's default return address")
            )
    elif row.kind == ActionKind.CONFIRM_RECEIPT.value:
        advice = p.get("returnFreightHandlingAdvice")
        if advice == 1:
            parts.append(tr("return freight paid: {amount}", amount=_yuan(p.get("returnFreightAmount"))))
        elif advice == 2:
            parts.append(tr("return freight rejected: {text}", text=p.get("returnFreightRejectDesc") or ""))
    return tr("; ").join(parts)


def csv_header() -> list[str]:
    """The columns of the log, as the window shows them and the CSV writes them."""
    return [
        tr("Time"),
        tr("Last change"),
        tr("Shop"),
        tr("Refund"),
        tr("Action"),
        tr("Details"),
        tr("Result"),
        tr("Message"),
    ]


#: the column of the refund id (written as text in the CSV, so Excel keeps every digit)
REFUND_COLUMN = 3


def display_record(row: AuditRow) -> list[str]:
    """One row of the log as the window shows it."""
    return [
        local_time(row.at_ms),
        local_time(row.updated_ms),
        row.shop,
        str(row.refund_id),
        row.action_text,
        details_text(row),
        outcome_text(row.outcome, row.state),
        row.message or row.error or "",
    ]


def csv_record(row: AuditRow) -> list[str]:
    """One row of the CSV: as shown, the refund id as text (``="2100…"``) so Excel does not round
    it to 15 digits; every other cell a text that never runs as a formula (the CSV writer)."""
    cells: list[str] = display_record(row)
    cells[REFUND_COLUMN] = csvfile.ident(row.refund_id)
    return cells


def export_csv(rows: Iterable[AuditRow], path: str | os.PathLike[str]) -> int:
    """Write ``rows`` to ``path`` (UTF-8 with BOM, one header line); returns the rows written.

    Written to a temporary file first and moved into place, so a failed export never leaves half a
    file under the chosen name. Platform texts (messages, errors) never run as formulas.
    """
    return csvfile.write_csv(path, csv_header(), (csv_record(row) for row in rows))
