"""Which call, with which parameters, for one refund and one intent (pure functions, no I/O).

Where a request stands comes from the domain's :func:`~desktop.core.domain.deadlines.stage_of`
(both documented status versions; an unknown state is never acted on). The rules (spec §4, §5):

* waiting for the merchant's review (``negotiateStatus`` 1, status 10/11):
  refund-only (``handlingWay`` 10) → ``open.seller.order.refund.approve`` with
  ``refundAmount = refundFee`` exactly, the current ``status``/``negotiateStatus`` and
  ``refundHandingWay``; return-and-refund (1) and exchange (3) → ``returngoods.approve`` with the
  return address (exchange: amount 0); resend/repair and unknown ways are left to the seller backend;
* goods on their way back or arrived (status 40, or 22/30 when the user asks for it) →
  ``confirm.receipt`` with the current ``status``, plus the return-freight decision only when the
  detail carries ``returnFreightInfo`` (sending it otherwise is an error);
* reject → ``open.refund.reject`` with a reason allowed for THIS refund, the description/pictures
  it requires, and ``refundVersion`` = the refund's ``updateTime`` (from a fresh detail);
* anything else (the buyer's or the platform's turn, finished, unknown status) is skipped with the
  reason and never sent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import EllipsisType
from typing import Any

from desktop.core.actions.model import (
    MAX_FREIGHT_REJECT_DESC,
    MAX_IMAGES,
    ActionKind,
    Approve,
    Intent,
    ItemResult,
    ListedRefund,
    Plan,
    PlannedAction,
    RefundState,
    RefundVersion,
    Reject,
    Skip,
    WarningCode,
)
from desktop.core.domain.deadlines import REVIEW_STAGES, Stage, stage_of
from desktop.core.i18n import tr
from desktop.core.kuaishou.models import Address, Refund, RejectReason

HW_REFUND_ONLY = 10

NS_WAITING_MERCHANT = 1
NS_AGREED = 2
NS_REJECTED = 3

RECEIPT_STATUS = 40
UNRETURNED_STATUSES = frozenset({22, 30})

RECEIPT_RECEIVED = 2

#: the seller backend page of one refund, for requests the app cannot handle in bulk
SELLER_BACKEND_REFUND_URL = "https://s.kwaixiaodian.com/zone/refund/detail?refundId={refund_id}"


def backend_url(refund_id: int) -> str:
    return SELLER_BACKEND_REFUND_URL.format(refund_id=refund_id)


def status_text(status: int | None) -> str:
    """A short, translated name of a refund status (unknown values shown as such)."""
    names = {
        10: tr("waiting for the seller's review"),
        11: tr("buyer asked to return the goods"),
        12: tr("rejected, waiting for the buyer"),
        20: tr("platform intervening"),
        21: tr("platform intervening"),
        22: tr("platform confirmed the return"),
        23: tr("platform intervening"),
        30: tr("waiting for the buyer to send the goods back"),
        40: tr("waiting for the seller to confirm receipt"),
        45: tr("waiting for the buyer to receive the goods"),
        50: tr("refund executing"),
        60: tr("refund succeeded"),
        70: tr("refund closed"),
    }
    if status is None:
        return tr("status not given")
    return names.get(status) or tr("unknown status ({status})", status=status)


def describe_state(refund: Refund) -> str:
    """The refund's state in a few words, for results ("now: refund succeeded, agreed")."""
    negotiations: dict[int | None, str] = {
        NS_WAITING_MERCHANT: tr("waiting for the merchant"),
        NS_AGREED: tr("agreed"),
        NS_REJECTED: tr("rejected"),
    }
    negotiate = negotiations.get(refund.negotiate_status)
    text = status_text(refund.status)
    return tr("{status} ({negotiation})", status=text, negotiation=negotiate) if negotiate else text


def _shipped(refund: Refund) -> bool:
    """True when the goods of a refund-only request reached (or are on their way to) the buyer."""
    return bool(refund.logistics_id) or refund.receipt_status == RECEIPT_RECEIVED


def _skip(refund: Refund, reason: str, *, manual: bool = False) -> Skip:
    return Skip(refund.refund_id, reason, manual=manual, state=RefundState.of(refund))


def _stage(refund: Refund) -> Stage:
    # version A's 22 (the platform confirmed the return) waits for the goods like 30
    if refund.status in UNRETURNED_STATUSES:
        return Stage.BUYER_RETURN
    return stage_of(refund)


def _not_actionable(refund: Refund, stage: Stage) -> Skip | None:
    """The skip for a refund that is not the merchant's to act on, else ``None``."""
    if stage is Stage.NEEDS_REVIEW:
        status = refund.status if refund.status is not None else "-"
        return _skip(
            refund,
            tr(
                "Unknown status ({status}): check it in the seller backend ({url}); nothing was sent.",
                status=status,
                url=backend_url(refund.refund_id),
            ),
            manual=True,
        )
    if stage in (Stage.CLOSED, Stage.REFUND_EXECUTING):
        return _skip(refund, tr("Already finished: {state}.", state=describe_state(refund)))
    if stage is Stage.DISPUTE:
        return _skip(refund, tr("The platform is handling this request; it is not yours to act on."))
    if stage in (Stage.BUYER_MODIFY, Stage.BUYER_RECEIPT):
        return _skip(refund, tr("Waiting for the buyer: {state}.", state=describe_state(refund)))
    return None


def _changed(refund: Refund, listed: ListedRefund | None) -> bool:
    return (
        listed is not None
        and listed.update_time is not None
        and refund.update_time is not None
        and listed.update_time != refund.update_time
    )


def plan_approve(
    refund: Refund, intent: Approve, *, listed: ListedRefund | None = None, address_id: int | None = None
) -> PlannedAction | Skip:
    """The approval call for ``refund`` (a fresh detail), or why there is none.

    ``listed``: the refund as the user saw it in the list (flags a request changed since);
    ``address_id``: the return address to use (the intent's, else the shop's default).
    """
    stage = _stage(refund)
    skip = _not_actionable(refund, stage)
    if skip:
        return skip
    warnings: list[WarningCode] = []
    if _changed(refund, listed):
        warnings.append(WarningCode.CHANGED_SINCE_LOADED)
    before = RefundState.of(refund)
    status = refund.status
    way = refund.handling_way

    if stage in REVIEW_STAGES:
        if stage in (Stage.REVIEW_RESEND, Stage.REVIEW_REPAIR):
            return _skip(
                refund,
                tr(
                    "Resend and repair requests are handled in the seller backend ({url}).",
                    url=backend_url(refund.refund_id),
                ),
                manual=True,
            )
        if refund.refund_fee is None:
            return _skip(refund, tr("The refund amount is missing; nothing was sent."))
        if stage is Stage.REVIEW_REFUND_ONLY:
            if _shipped(refund):
                warnings.append(WarningCode.SHIPPED_REFUND_ONLY)
            params: dict[str, Any] = {
                "refundId": refund.refund_id,
                "refundAmount": refund.refund_fee,
                "status": status,
            }
            if refund.negotiate_status is not None:
                params["negotiateStatus"] = refund.negotiate_status
            params["refundHandingWay"] = HW_REFUND_ONLY
            return PlannedAction(
                refund.refund_id,
                ActionKind.APPROVE_REFUND,
                params,
                before,
                amount=refund.refund_fee,
                warnings=tuple(warnings),
                handling_way=way,
            )
        # return-and-refund or exchange: agreeing pays nothing yet (the money goes on receipt)
        amount = 0 if stage is Stage.REVIEW_EXCHANGE else refund.refund_fee
        params = {"refundId": refund.refund_id, "refundAmount": amount}
        if address_id is not None:
            params["addressId"] = address_id
        return PlannedAction(
            refund.refund_id,
            ActionKind.APPROVE_RETURN,
            params,
            before,
            amount=0,
            warnings=tuple(warnings),
            handling_way=way,
        )

    if stage is Stage.BUYER_RETURN and status not in UNRETURNED_STATUSES:
        # agreed, the platform has not moved it on yet
        return _skip(refund, tr("Already agreed: {state}.", state=describe_state(refund)))
    if stage is Stage.BUYER_RETURN or status in UNRETURNED_STATUSES:
        if not intent.confirm_unreturned:
            return _skip(refund, tr("The buyer has not sent the goods back yet."))
        warnings.append(WarningCode.UNRETURNED)
    elif status != RECEIPT_STATUS:
        return _skip(refund, tr("Not waiting for the merchant: {state}.", state=describe_state(refund)))

    params = {"refundId": refund.refund_id, "status": status}
    amount = refund.refund_fee or 0
    freight = refund.return_freight_info
    if freight is not None:
        if intent.freight_accept:
            freight_amount = freight.return_freight_amount
            if freight_amount is None:
                return _skip(
                    refund,
                    tr(
                        "The return-freight claim shows no amount, and agreeing to it needs the "
                        "amount: confirm receipt in the seller backend ({url}).",
                        url=backend_url(refund.refund_id),
                    ),
                    manual=True,
                )
            params["returnFreightHandlingAdvice"] = 1
            params["returnFreightAmount"] = freight_amount
            amount += freight_amount
            warnings.append(WarningCode.FREIGHT_PAID)
        else:
            desc = (intent.freight_reject_desc or "").strip()
            if not desc:
                return _skip(refund, tr("Rejecting the return freight needs a description."))
            if len(desc) >= MAX_FREIGHT_REJECT_DESC:
                return _skip(
                    refund,
                    tr(
                        "The freight rejection description must be shorter than {n} characters.",
                        n=MAX_FREIGHT_REJECT_DESC,
                    ),
                )
            if not intent.freight_reject_images:
                return _skip(
                    refund,
                    tr("Refusing the return freight needs 1 to {n} pictures as evidence.", n=MAX_IMAGES),
                )
            if len(intent.freight_reject_images) > MAX_IMAGES:
                return _skip(refund, tr("At most {n} pictures can be sent.", n=MAX_IMAGES))
            params["returnFreightHandlingAdvice"] = 2
            params["returnFreightRejectDesc"] = desc
            params["returnFreightRejectImages"] = list(intent.freight_reject_images)
            warnings.append(WarningCode.FREIGHT_REJECTED)
    return PlannedAction(
        refund.refund_id,
        ActionKind.CONFIRM_RECEIPT,
        params,
        before,
        amount=amount,
        warnings=tuple(warnings),
        handling_way=way,
    )


def plan_reject(
    refund: Refund,
    intent: Reject,
    reasons: Sequence[RejectReason] | None,
    *,
    listed: ListedRefund | None = None,
) -> PlannedAction | Skip:
    """The rejection call for ``refund`` (a fresh detail) given the reasons allowed for it."""
    stage = _stage(refund)
    skip = _not_actionable(refund, stage)
    if skip:
        return skip
    if stage not in REVIEW_STAGES and refund.status != RECEIPT_STATUS:
        if stage is Stage.BUYER_RETURN and refund.status in UNRETURNED_STATUSES:
            return _skip(
                refund, tr("The buyer has not sent the goods back yet; there is nothing to reject now.")
            )
        return _skip(refund, tr("Not waiting for the merchant: {state}.", state=describe_state(refund)))
    if refund.update_time is None:
        return _skip(refund, tr("The refund has no version (updateTime); nothing was sent."))
    if reasons is None:
        return _skip(refund, tr("The allowed reject reasons could not be read; nothing was sent."))
    reason = next((r for r in reasons if r.code == intent.reason_code), None)
    if reason is None:
        return _skip(refund, tr("Reason {code} is not allowed for this refund.", code=intent.reason_code))
    desc = (intent.desc or "").strip()
    if reason.required_reject_desc and not desc:
        return _skip(refund, tr("This reason needs a description."))
    if len(intent.images) > MAX_IMAGES:
        return _skip(refund, tr("At most {n} pictures can be sent.", n=MAX_IMAGES))
    if reason.required_reject_image and not intent.images:
        return _skip(
            refund,
            tr(
                "This reason needs pictures: reject it in the seller backend ({url}).",
                url=backend_url(refund.refund_id),
            ),
            manual=True,
        )
    params: dict[str, Any] = {
        "refundId": refund.refund_id,
        "reasonCode": intent.reason_code,
        "refundVersion": refund.update_time,
    }
    if desc:
        params["rejectDesc"] = desc
    if intent.images:
        params["rejectImages"] = list(intent.images)
    warnings = (WarningCode.CHANGED_SINCE_LOADED,) if _changed(refund, listed) else ()
    return PlannedAction(
        refund.refund_id,
        ActionKind.REJECT,
        params,
        RefundState.of(refund),
        amount=0,
        warnings=warnings,
        handling_way=refund.handling_way,
    )


def plan_one(
    refund: Refund,
    intent: Intent,
    *,
    listed: ListedRefund | None = None,
    address_id: int | None = None,
    reasons: Sequence[RejectReason] | None = None,
) -> PlannedAction | Skip:
    if isinstance(intent, Approve):
        return plan_approve(refund, intent, listed=listed, address_id=address_id)
    return plan_reject(refund, intent, reasons, listed=listed)


def replan(plan: Plan, intent: Intent | None = None, *, address_id: int | EllipsisType | None = ...) -> Plan:
    """``plan`` made again from the same reads with another intent or return address (no I/O).

    ``address_id``: leave out to keep the plan's; ``None`` lets the platform use its default.
    """
    intent = plan.intent if intent is None else intent
    address = plan.address_id if isinstance(address_id, EllipsisType) else address_id
    return make_plan(
        intent,
        plan.order,
        plan.refunds,
        listed=plan.listed,
        reasons=plan.reasons,
        address_id=address,
        addresses=plan.addresses,
        read_skips=plan.read_skips,
        reconciled=plan.reconciled,
    )


def make_plan(
    intent: Intent,
    order: Sequence[int],
    refunds: Mapping[int, Refund],
    *,
    listed: Mapping[int, ListedRefund] | None = None,
    reasons: Mapping[int, Sequence[RejectReason] | None] | None = None,
    address_id: int | None = None,
    addresses: Sequence[Address] = (),
    read_skips: Sequence[Skip] = (),
    reconciled: Sequence[ItemResult] = (),
) -> Plan:
    """Plan ``intent`` for the refunds in ``order`` from their fresh reads (``refunds``)."""
    listed = listed or {}
    reasons = reasons or {}
    actions: list[PlannedAction] = []
    skipped: list[Skip] = list(read_skips)
    for rid in order:
        refund = refunds.get(rid)
        if refund is None:
            continue
        planned = plan_one(
            refund, intent, listed=listed.get(rid), address_id=address_id, reasons=reasons.get(rid)
        )
        if isinstance(planned, Skip):
            skipped.append(planned)
        else:
            actions.append(planned)
    position = {rid: i for i, rid in enumerate(order)}
    skipped.sort(key=lambda s: position.get(s.refund_id, 0))
    return Plan(
        intent,
        tuple(actions),
        tuple(skipped),
        tuple(reconciled),
        address_id,
        tuple(order),
        dict(refunds),
        dict(listed),
        dict(reasons),
        tuple(addresses),
        tuple(read_skips),
    )


def needs_return_address(refund: Refund) -> bool:
    """True when approving ``refund`` needs a return address (a return/exchange under review)."""
    return _stage(refund) in (Stage.REVIEW_RETURN, Stage.REVIEW_EXCHANGE)


def took_effect(kind: ActionKind, before: RefundState, now: RefundVersion) -> bool:
    """True when ``now`` (a fresh read) shows the action of ``kind`` was carried out."""
    if before.status == now.status and before.negotiate_status == now.negotiate_status:
        return False
    if kind is ActionKind.APPROVE_REFUND:
        return now.negotiate_status == NS_AGREED or now.status in (50, 60)
    if kind is ActionKind.APPROVE_RETURN:
        return now.negotiate_status == NS_AGREED or now.status in (22, 30, 40, 45, 50, 60)
    if kind is ActionKind.CONFIRM_RECEIPT:
        return now.status in (50, 60)
    # reject: an application goes to "rejected, the buyer's turn"; a receipt rejection leaves 40
    return (
        now.negotiate_status == NS_REJECTED
        or now.status == 12
        or (before.status == RECEIPT_STATUS and now.status not in (RECEIPT_STATUS, 50, 60))
    )


def unchanged(before: RefundState, now: RefundVersion) -> bool:
    """True when ``now`` still shows the very version the action was planned against."""
    return bool(
        now.update_time == before.update_time
        and now.status == before.status
        and now.negotiate_status == before.negotiate_status
    )
