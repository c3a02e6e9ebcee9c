"""Typed records are parsed tolerantly: unknown fields ignored, unknown enum values kept, missing
optional fields None, a wrong type → ParseError naming the field."""

from __future__ import annotations

import pytest

from desktop.core.kuaishou.errors import ParseError
from desktop.core.kuaishou.models import (
    HandlingWay,
    OAuthToken,
    Refund,
    RefundPage,
    RefundStatus,
    ShopScore,
    enum_or_int,
    parse,
    to_api,
)


def test_unknown_fields_are_ignored_and_kept_in_raw():
    r = parse(Refund, {"refundId": 1, "brandNewField": [1, 2], "status": 10})
    assert r.refund_id == 1 and r.status == 10 and r.raw["brandNewField"] == [1, 2]


def test_missing_optional_fields_are_none():
    r = parse(Refund, {"refundId": "42"})
    assert r.refund_id == 42 and r.expire_time is None and r.logistics_info is None


def test_unknown_enum_values_are_kept_as_data():
    r = parse(Refund, {"refundId": 1, "status": 99, "handlingWay": 77})
    assert r.status == 99 and enum_or_int(RefundStatus, r.status) == 99
    assert enum_or_int(HandlingWay, 10) is HandlingWay.REFUND_ONLY
    assert enum_or_int(HandlingWay, None) is None


def test_64_bit_ids_and_numeric_texts():
    big = 2**63 - 1
    r = parse(Refund, {"refundId": str(big), "oid": big, "refundFee": "1290", "expireTime": 1.7e12})
    assert r.refund_id == big and r.order_id == big and r.refund_fee == 1290
    assert r.expire_time == 1_700_000_000_000


def test_empty_text_for_a_number_counts_as_missing():
    assert parse(Refund, {"refundId": 1, "expireTime": ""}).expire_time is None


@pytest.mark.parametrize(
    "data, field",
    [
        ({"refundId": 1, "refundFee": "12.90"}, "refundFee"),
        ({"refundId": 1, "refundFee": 12.5}, "refundFee"),
        ({"refundId": 1, "status": [10]}, "status"),
        ({"refundId": 1, "pictures": "a.png"}, "pictures"),
        ({"refundId": 1, "pictures": ["a.png", {"u": 1}]}, "pictures[1]"),
        ({"refundId": 1, "logisticsInfo": {"expressNo": ["x"]}}, "logisticsInfo.expressNo"),
        ({"refundId": 1, "address": "杭州"}, "address"),
        ({"refundId": 1, "requireReturnFreight": "maybe"}, "requireReturnFreight"),
        ({"refundId": 1, "skuNick": {"a": 1}}, "skuNick"),
        ({"refundId": 1, "refundReason": True}, "refundReason"),
        ({"refundId": None}, "refundId"),
        ({}, "refundId"),
        ({"refundId": "--5"}, "refundId"),
        ({"refundId": "1" * 100}, "refundId"),
    ],
)
def test_a_wrong_type_names_the_field(data, field):
    with pytest.raises(ParseError) as info:
        parse(Refund, data)
    assert info.value.field == field


def test_nested_paths_are_named_from_the_given_root():
    with pytest.raises(ParseError) as info:
        parse(RefundPage, {"refundOrderInfoList": [{"refundId": 1}, {"refundId": "x"}]}, "data")
    assert info.value.field == "data.refundOrderInfoList[1].refundId"
    with pytest.raises(ParseError) as info:
        parse(ShopScore, {"scoreDim": [{"dimName": []}]}, "data")
    assert info.value.field == "data.scoreDim[0].dimName"
    with pytest.raises(ParseError) as info:
        parse(RefundPage, [1, 2], "data")
    assert info.value.field == "data"


def test_to_api_round_trips():
    data = {"refundId": 5, "oid": 6, "status": 10, "pictures": ["p1"],
            "logisticsInfo": {"expressNo": "SF1", "expressCode": 3},
            "returnFreightInfo": {"returnFreightAmount": 800, "returnFreightStatus": 10}}
    record = parse(Refund, data)
    assert to_api(record) == data
    assert parse(Refund, to_api(record)) == record


def test_oauth_token_repr_never_shows_tokens():
    t = parse(OAuthToken, {"access_token": "AAA-secret", "refresh_token": "RRR-secret",
                           "expires_in": 172800})
    assert "AAA-secret" not in repr(t) and "RRR-secret" not in repr(t)
