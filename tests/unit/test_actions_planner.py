"""Which call, with which parameters, the engine plans for each kind and state of refund."""

from __future__ import annotations

import pytest

from desktop.core.actions import ActionKind, Approve, Reject, Skip, WarningCode, freight_refusal_problem
from desktop.core.actions.model import RefundState
from desktop.core.actions.planner import plan_approve, plan_reject, took_effect, unchanged
from desktop.core.kuaishou.models import Refund, RejectReason, parse


def refund(**fields) -> Refund:
    base = {
        "refundId": 7001,
        "handlingWay": 10,
        "status": 10,
        "negotiateStatus": 1,
        "refundFee": 1990,
        "updateTime": 1_700_000_000_000,
    }
    base.update(fields)
    return parse(Refund, base)


def reason(code, *, desc=False, image=False) -> RejectReason:
    return parse(
        RejectReason,
        {"code": code, "desc": f"reason {code}", "requiredRejectDesc": desc, "requiredRejectImage": image},
    )


def test_refund_only_is_agreed_with_the_exact_amount_and_current_state():
    planned = plan_approve(refund(), Approve())
    assert planned.kind is ActionKind.APPROVE_REFUND
    assert planned.method == "open.seller.order.refund.approve"
    assert dict(planned.params) == {
        "refundId": 7001,
        "refundAmount": 1990,
        "status": 10,
        "negotiateStatus": 1,
        "refundHandingWay": 10,
    }
    assert planned.amount == 1990
    assert planned.warnings == ()


def test_shipped_refund_only_is_flagged():
    assert WarningCode.SHIPPED_REFUND_ONLY in plan_approve(refund(logisticsId=88), Approve()).warnings
    assert WarningCode.SHIPPED_REFUND_ONLY in plan_approve(refund(receiptStatus=2), Approve()).warnings


@pytest.mark.parametrize(("way", "amount"), [(1, 1990), (3, 0)])
def test_return_and_exchange_are_agreed_with_the_return_address(way, amount):
    planned = plan_approve(refund(handlingWay=way, status=11), Approve(), address_id=55)
    assert planned.kind is ActionKind.APPROVE_RETURN
    assert planned.method == "open.seller.order.refund.returngoods.approve"
    assert dict(planned.params) == {"refundId": 7001, "refundAmount": amount, "addressId": 55}
    assert planned.amount == 0  # the money goes on receipt


def test_return_without_an_address_lets_the_platform_use_its_default():
    planned = plan_approve(refund(handlingWay=1), Approve(), address_id=None)
    assert "addressId" not in planned.params


def test_receipt_is_confirmed_without_freight_fields_when_the_refund_has_none():
    planned = plan_approve(refund(handlingWay=1, status=40), Approve())
    assert planned.kind is ActionKind.CONFIRM_RECEIPT
    assert dict(planned.params) == {"refundId": 7001, "status": 40}
    assert planned.amount == 1990


def test_receipt_with_freight_accepts_it_by_default():
    r = refund(
        handlingWay=1, status=40, returnFreightInfo={"returnFreightAmount": 800, "returnFreightStatus": 10}
    )
    planned = plan_approve(r, Approve())
    assert dict(planned.params) == {
        "refundId": 7001,
        "status": 40,
        "returnFreightHandlingAdvice": 1,
        "returnFreightAmount": 800,
    }
    assert planned.amount == 1990 + 800
    assert WarningCode.FREIGHT_PAID in planned.warnings


def test_receipt_with_freight_rejected_needs_a_short_description_and_pictures():
    r = refund(handlingWay=1, status=40, returnFreightInfo={"returnFreightAmount": 800})
    picture = ("https://img/1.jpg",)
    assert isinstance(plan_approve(r, Approve(freight_accept=False)), Skip)
    assert isinstance(
        plan_approve(
            r, Approve(freight_accept=False, freight_reject_desc="x" * 300, freight_reject_images=picture)
        ),
        Skip,
    )
    no_pictures = plan_approve(r, Approve(freight_accept=False, freight_reject_desc="包邮商品"))
    assert isinstance(no_pictures, Skip) and "1" in no_pictures.reason
    assert isinstance(
        plan_approve(
            r,
            Approve(freight_accept=False, freight_reject_desc="包邮商品", freight_reject_images=picture * 7),
        ),
        Skip,
    )
    planned = plan_approve(
        r,
        Approve(
            freight_accept=False, freight_reject_desc="包邮商品", freight_reject_images=("https://img/1.jpg",)
        ),
    )
    assert dict(planned.params) == {
        "refundId": 7001,
        "status": 40,
        "returnFreightHandlingAdvice": 2,
        "returnFreightRejectDesc": "包邮商品",
        "returnFreightRejectImages": ["https://img/1.jpg"],
    }


def test_agreeing_a_freight_claim_needs_its_amount():
    r = refund(handlingWay=1, status=40, returnFreightInfo={"returnFreightStatus": 10})
    skip = plan_approve(r, Approve())
    assert isinstance(skip, Skip) and skip.manual


@pytest.mark.parametrize(
    ("desc", "images", "ok"),
    [
        ("包邮商品", ["https://img/1.jpg"], True),
        ("包邮商品", ["https://img/1.jpg"] * 6, True),
        ("", ["https://img/1.jpg"], False),
        ("包邮商品", [], False),
        ("包邮商品", ["  "], False),
        ("x" * 300, ["https://img/1.jpg"], False),
        ("包邮商品", ["https://img/1.jpg"] * 7, False),
        (None, [], False),
    ],
)
def test_freight_refusal_problem_says_what_is_missing(desc, images, ok):
    assert (freight_refusal_problem(desc, images) is None) is ok


@pytest.mark.parametrize("status", [22, 30])
def test_goods_not_back_yet_are_confirmed_only_on_request(status):
    r = refund(handlingWay=1, status=status, negotiateStatus=2)
    skip = plan_approve(r, Approve())
    assert isinstance(skip, Skip) and not skip.manual
    planned = plan_approve(r, Approve(confirm_unreturned=True))
    assert planned.kind is ActionKind.CONFIRM_RECEIPT
    assert planned.params["status"] == status
    assert WarningCode.UNRETURNED in planned.warnings


@pytest.mark.parametrize(
    ("fields", "manual"),
    [
        ({"status": 60, "negotiateStatus": 2}, False),  # finished
        ({"status": 70}, False),
        ({"status": 50}, False),
        ({"status": 20}, False),  # dispute
        ({"status": 12, "negotiateStatus": 3}, False),  # the buyer's turn
        ({"status": 10, "negotiateStatus": 3}, False),
        ({"status": 45}, False),
        ({"status": 99}, True),  # unknown: look at it by hand
        ({"status": None}, True),
        ({"handlingWay": 4, "status": 10}, True),  # resend: the seller backend
    ],
)
def test_refunds_not_waiting_on_the_merchant_are_skipped(fields, manual):
    r = refund(**fields)
    skip = plan_approve(r, Approve())
    assert isinstance(skip, Skip) and skip.reason
    assert skip.manual is manual
    if fields.get("handlingWay") != 4:  # a resend request can still be rejected
        assert isinstance(plan_reject(r, Reject(1), [reason(1)]), Skip)


def test_changed_since_loaded_is_flagged():
    listed = refund(updateTime=1_600_000_000_000)
    assert WarningCode.CHANGED_SINCE_LOADED in plan_approve(refund(), Approve(), listed=listed).warnings
    assert (
        WarningCode.CHANGED_SINCE_LOADED
        in plan_reject(refund(), Reject(1), [reason(1)], listed=listed).warnings
    )
    assert plan_approve(refund(), Approve(), listed=refund()).warnings == ()


def test_reject_uses_the_fresh_update_time_as_version():
    planned = plan_reject(
        refund(updateTime=1_700_000_123_456), Reject(3, desc=" 已发货 "), [reason(3, desc=True)]
    )
    assert planned.kind is ActionKind.REJECT
    assert dict(planned.params) == {
        "refundId": 7001,
        "reasonCode": 3,
        "refundVersion": 1_700_000_123_456,
        "rejectDesc": "已发货",
    }


def test_reject_checks_the_reason_against_this_refunds_reasons():
    skip = plan_reject(refund(), Reject(9), [reason(1), reason(2)])
    assert isinstance(skip, Skip) and "9" in skip.reason
    assert isinstance(plan_reject(refund(), Reject(1), None), Skip)


def test_reject_needs_the_required_description():
    assert isinstance(plan_reject(refund(), Reject(1), [reason(1, desc=True)]), Skip)
    assert isinstance(plan_reject(refund(), Reject(1, desc="  "), [reason(1, desc=True)]), Skip)


def test_reject_needing_pictures_is_left_to_the_seller_backend():
    skip = plan_reject(refund(), Reject(1, desc="x"), [reason(1, image=True)])
    assert isinstance(skip, Skip) and skip.manual
    assert "7001" in skip.reason  # the link to the refund in the seller backend
    planned = plan_reject(refund(), Reject(1, images=("https://img/a.jpg",)), [reason(1, image=True)])
    assert planned.params["rejectImages"] == ["https://img/a.jpg"]
    too_many = Reject(1, images=tuple(f"https://img/{i}.jpg" for i in range(7)))
    assert isinstance(plan_reject(refund(), too_many, [reason(1, image=True)]), Skip)


def test_a_receipt_can_be_rejected():
    planned = plan_reject(refund(handlingWay=1, status=40), Reject(1), [reason(1)])
    assert planned.kind is ActionKind.REJECT


def test_took_effect_and_unchanged():
    before = RefundState(10, 1, 1_700_000_000_100)
    assert took_effect(ActionKind.APPROVE_REFUND, before, refund(status=60, negotiateStatus=2))
    assert not took_effect(ActionKind.APPROVE_REFUND, before, refund(status=10, negotiateStatus=1))
    assert took_effect(ActionKind.APPROVE_RETURN, before, refund(status=30, negotiateStatus=2))
    assert took_effect(ActionKind.CONFIRM_RECEIPT, RefundState(40, 2, 1_700_000_000_100), refund(status=60))
    assert took_effect(ActionKind.REJECT, before, refund(status=12, negotiateStatus=3))
    assert not took_effect(ActionKind.REJECT, before, refund(status=70, negotiateStatus=1))
    assert unchanged(before, refund(status=10, negotiateStatus=1, updateTime=1_700_000_000_100))
    assert not unchanged(before, refund(status=10, negotiateStatus=1, updateTime=1_700_000_000_101))
