"""Stages, deadlines (platform first, rule fallback), the server clock and urgency tiers."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from desktop.core.domain.deadlines import (
    Deadline,
    Stage,
    deadline_of,
    kind_of,
    seconds_left,
    stage_of,
    to_local_ms,
    urgency_of,
    waits_on_merchant,
)
from desktop.core.kuaishou.models import Refund, parse
from desktop.core.rulesfile import load_default_rules

H = 3_600_000
T0 = 1_764_000_000_000  # submission time used throughout


@pytest.fixture(scope="module")
def rules():
    return load_default_rules()


def refund(**kw) -> Refund:
    kw.setdefault("refund_id", 2100000012345678)
    kw.setdefault("submit_time", T0)
    return Refund(**kw)


# ------------------------------------------------------------------------------------ stages
@pytest.mark.parametrize(
    ("hw", "status", "neg", "stage"),
    [
        (10, 10, 1, Stage.REVIEW_REFUND_ONLY),
        (1, 10, 1, Stage.REVIEW_RETURN),  # version B: 10 = waiting for the seller
        (1, 11, 1, Stage.REVIEW_RETURN),  # version A: 11 = buyer return request
        (None, 11, 1, Stage.REVIEW_RETURN),  # A's 11 says "return" even without handlingWay
        (3, 10, 1, Stage.REVIEW_EXCHANGE),
        (4, 10, 1, Stage.REVIEW_RESEND),
        (5, 10, 1, Stage.REVIEW_REPAIR),
        (1, 40, 2, Stage.CONFIRM_RECEIPT),
        (10, 40, 2, Stage.REJECT_INTERCEPT),  # refund-only with the parcel coming back
        (10, 30, 2, Stage.REJECT_INTERCEPT),
        (1, 30, 2, Stage.BUYER_RETURN),
        (1, 12, 3, Stage.BUYER_MODIFY),  # version B: 12 = seller rejected
        (10, 10, 3, Stage.BUYER_MODIFY),  # rejected, buyer to modify
        (10, 20, 1, Stage.DISPUTE),
        (1, 21, 1, Stage.DISPUTE),
        (1, 22, 2, Stage.DISPUTE),
        (1, 23, 1, Stage.DISPUTE),
        (3, 45, 2, Stage.BUYER_RECEIPT),
        (10, 50, 2, Stage.REFUND_EXECUTING),
        (10, 10, 2, Stage.REFUND_EXECUTING),  # agreed, not yet moved on
        (1, 11, 2, Stage.BUYER_RETURN),
        (10, 60, 2, Stage.CLOSED),
        (10, 70, 1, Stage.CLOSED),
        # unknown values: needs review, never a crash
        (10, 99, 1, Stage.NEEDS_REVIEW),
        (7, 10, 1, Stage.NEEDS_REVIEW),
        (None, 10, 1, Stage.NEEDS_REVIEW),
        (10, None, None, Stage.NEEDS_REVIEW),
        (10, 10, 9, Stage.NEEDS_REVIEW),
    ],
)
def test_stage_of_both_status_versions_and_unknown_values(hw, status, neg, stage):
    assert stage_of(refund(handling_way=hw, status=status, negotiate_status=neg)) is stage


def test_kind_of():
    assert [kind_of(refund(handling_way=hw)) for hw in (10, 1, 3, 4, 5, 8, None)] == [
        "refund_only",
        "return_refund",
        "exchange",
        "resend",
        "repair",
        "unknown",
        "unknown",
    ]
    assert kind_of(refund(status=11)) == "return_refund"


def test_waits_on_merchant_splits_the_queue_from_the_buyer_and_platform_view():
    assert waits_on_merchant(refund(handling_way=10, status=10, negotiate_status=1))
    assert waits_on_merchant(refund(handling_way=1, status=40, negotiate_status=2))
    assert waits_on_merchant(refund(handling_way=10, status=40, negotiate_status=2))
    assert not waits_on_merchant(refund(handling_way=1, status=30, negotiate_status=2))
    assert not waits_on_merchant(refund(handling_way=1, status=12, negotiate_status=3))
    assert not waits_on_merchant(refund(handling_way=1, status=20, negotiate_status=1))
    assert not waits_on_merchant(refund(handling_way=1, status=60, negotiate_status=2))
    # unknown state: looked at by the merchant unless it has finished
    assert waits_on_merchant(refund(handling_way=1, status=99))
    assert not waits_on_merchant(refund(handling_way=1, status=99, end_time=T0 + H))


# --------------------------------------------------------------------------------- deadlines
def test_platform_expire_time_wins(rules):
    d = deadline_of(refund(handling_way=10, status=10, negotiate_status=1, expire_time=T0 + 30 * H), rules)
    assert d == Deadline(T0 + 30 * H, "platform", Stage.REVIEW_REFUND_ONLY, "merchant", estimated=False)


@pytest.mark.parametrize(
    ("fields", "stage", "start", "hours", "owner"),
    [
        (
            {"handling_way": 10, "status": 10, "negotiate_status": 1},
            Stage.REVIEW_REFUND_ONLY,
            T0,
            48,
            "merchant",
        ),
        ({"handling_way": 1, "status": 10, "negotiate_status": 1}, Stage.REVIEW_RETURN, T0, 48, "merchant"),
        ({"handling_way": 3, "status": 10, "negotiate_status": 1}, Stage.REVIEW_EXCHANGE, T0, 48, "merchant"),
        ({"handling_way": 4, "status": 10, "negotiate_status": 1}, Stage.REVIEW_RESEND, T0, 48, "merchant"),
        ({"handling_way": 5, "status": 10, "negotiate_status": 1}, Stage.REVIEW_REPAIR, T0, 48, "merchant"),
        # the buyer's last modification restarts the review clock
        (
            {"handling_way": 10, "status": 10, "negotiate_status": 1, "negotiate_update_time": T0 + 5 * H},
            Stage.REVIEW_REFUND_ONLY,
            T0 + 5 * H,
            48,
            "merchant",
        ),
        (
            {"handling_way": 1, "status": 40, "negotiate_status": 2, "update_time": T0 + 50 * H},
            Stage.CONFIRM_RECEIPT,
            T0 + 50 * H,
            168,
            "merchant",
        ),
        (
            {"handling_way": 10, "status": 40, "negotiate_status": 2, "negotiate_update_time": T0 + 3 * H},
            Stage.REJECT_INTERCEPT,
            T0 + 3 * H,
            120,
            "merchant",
        ),
        (
            {"handling_way": 1, "status": 30, "negotiate_status": 2, "negotiate_update_time": T0 + 2 * H},
            Stage.BUYER_RETURN,
            T0 + 2 * H,
            240,
            "buyer",
        ),
    ],
)
def test_every_stage_falls_back_to_its_rule_limit(rules, fields, stage, start, hours, owner):
    for missing in (None, 0):  # expireTime absent or 0
        d = deadline_of(refund(expire_time=missing, **fields), rules)
        assert d == Deadline(start + hours * H, "rule", stage, owner, estimated=True)


def test_stages_without_a_merchant_clock(rules):
    for fields, stage, owner in [
        (
            {"handling_way": 10, "status": 20, "negotiate_status": 1, "expire_time": T0 + H},
            Stage.DISPUTE,
            "platform",
        ),
        (
            {"handling_way": 10, "status": 60, "negotiate_status": 2, "expire_time": T0 + H},
            Stage.CLOSED,
            "none",
        ),
        ({"handling_way": 10, "status": 50, "negotiate_status": 2}, Stage.REFUND_EXECUTING, "platform"),
    ]:
        assert deadline_of(refund(**fields), rules) == Deadline(None, "none", stage, owner)


def test_buyer_modify_reads_the_buyer_side_detail_fields(rules):
    rejected = {"handling_way": 10, "status": 12, "negotiate_status": 3, "expire_time": T0 + H}
    d = deadline_of(refund(buyer_modify_deadline=T0 + 72 * H, **rejected), rules)
    assert d == Deadline(T0 + 72 * H, "platform", Stage.BUYER_MODIFY, "buyer")
    d = deadline_of(refund(time_limit_negotiate_change=T0 + 24 * H, **rejected), rules)
    assert d.expire_at_ms == T0 + 24 * H
    # a small number is not a timestamp; without the detail there is no buyer deadline
    assert deadline_of(refund(time_limit_negotiate_change=86400, **rejected), rules).expire_at_ms is None
    assert deadline_of(refund(**rejected), rules).source == "none"


def test_needs_review_keeps_a_platform_deadline_and_never_guesses_one(rules):
    d = deadline_of(refund(handling_way=10, status=99, expire_time=T0 + H), rules)
    assert (d.stage, d.expire_at_ms, d.source, d.clock_owner) == (
        Stage.NEEDS_REVIEW,
        T0 + H,
        "platform",
        "merchant",
    )
    d = deadline_of(refund(handling_way=10, status=99), rules)
    assert (d.expire_at_ms, d.source) == (None, "none")


def test_a_parsed_api_record_and_a_store_like_row_both_work(rules):
    api = parse(
        Refund,
        {
            "refundId": "2100000012345678",
            "handlingWay": 10,
            "status": 10,
            "negotiateStatus": 1,
            "submitTime": T0,
            "expireTime": 0,
        },
    )
    assert deadline_of(api, rules).expire_at_ms == T0 + 48 * H

    @dataclass
    class Row:  # the store's rows carry no detail-only fields
        refund_id: int
        handling_way: int | None
        negotiate_status: int | None
        status: int | None
        submit_time: int | None
        update_time: int | None
        negotiate_update_time: int | None
        end_time: int | None
        expire_time: int | None

    row = Row(1, 1, 1, 11, T0, T0, None, None, T0 + 10 * H)
    assert deadline_of(row, rules) == Deadline(T0 + 10 * H, "platform", Stage.REVIEW_RETURN, "merchant")


# ------------------------------------------------------------------------------ server clock
def test_the_server_offset_moves_deadlines_to_the_local_clock(rules):
    # the server runs 90 s ahead of this machine: its deadline comes 90 s earlier on our clock
    offset = 90_000
    assert to_local_ms(T0, offset) == T0 - offset
    r = refund(handling_way=10, status=10, negotiate_status=1, expire_time=T0 + 2 * H)
    d = deadline_of(r, rules, server_offset_ms=offset)
    assert d.expire_at_ms == T0 + 2 * H - offset
    local_now = T0 + 2 * H - offset - 1  # one ms before the corrected deadline
    assert seconds_left(d, local_now) == 0
    assert seconds_left(d, local_now + 1) == 0
    assert seconds_left(d, local_now + 2) == -1  # past: negative
    # estimated deadlines are on the server's clock too
    est = deadline_of(refund(handling_way=10, status=10, negotiate_status=1), rules, server_offset_ms=-5000)
    assert est.expire_at_ms == T0 + 48 * H + 5000


def test_seconds_left():
    d = Deadline(T0 + 7200_000, "platform", Stage.REVIEW_REFUND_ONLY, "merchant")
    assert seconds_left(d, T0) == 7200
    assert d.seconds_left(T0 + 7200_000 + 500) == -1
    assert seconds_left(Deadline(None, "none", Stage.DISPUTE, "platform"), T0) is None


# ----------------------------------------------------------------------------------- urgency
@pytest.mark.parametrize(
    ("seconds", "urgency"),
    [
        (None, "info"),
        (-1, "overdue"),
        (-86400, "overdue"),
        (0, "critical"),
        (2 * 3600, "critical"),
        (2 * 3600 + 1, "urgent"),
        (6 * 3600, "urgent"),
        (6 * 3600 + 1, "warn"),
        (24 * 3600, "warn"),
        (24 * 3600 + 1, "info"),
    ],
)
def test_urgency_tier_edges(rules, seconds, urgency):
    assert urgency_of(seconds, rules) == urgency
