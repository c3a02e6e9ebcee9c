"""Typed records are parsed tolerantly: unknown fields ignored, unknown enum values kept, missing
optional fields None, a wrong type → ParseError naming the field."""

from __future__ import annotations

import pytest

from desktop.core.kuaishou import models
from desktop.core.kuaishou.errors import ParseError
from desktop.core.kuaishou.models import (
    OAuthToken,
    Refund,
    RefundPage,
    ShopScore,
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
    assert r.status == 99 and r.handling_way == 77


def test_64_bit_ids_and_numeric_texts():
    big = 2**63 - 1
    r = parse(Refund, {"refundId": str(big), "oid": big, "refundFee": "1290", "expireTime": 1.7e12})
    assert r.refund_id == big and r.order_id == big and r.refund_fee == 1290
    assert r.expire_time == 1_700_000_000_000


def test_empty_text_for_a_number_counts_as_missing():
    assert parse(Refund, {"refundId": 1, "expireTime": ""}).expire_time is None


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"refundId": 1, "refundFee": "12.90"}, "refundFee"),
        ({"refundId": 1, "refundFee": 12.5}, "refundFee"),
        ({"refundId": 1, "status": [10]}, "status"),
        ({"refundId": 1, "status": True}, "status"),
        ({"refundId": 1, "negotiateStatus": "waiting"}, "negotiateStatus"),
        ({"refundId": 1, "handlingWay": {"a": 1}}, "handlingWay"),
        ({"refundId": 1, "oid": "x1"}, "oid"),
        ({"refundId": 1, "updateTime": "yesterday"}, "updateTime"),
        ({"refundId": 1, "submitTime": [1]}, "submitTime"),
        ({"refundId": 1, "negotiateUpdateTime": 1.5}, "negotiateUpdateTime"),
        ({"refundId": 1, "endTime": {}}, "endTime"),
        ({"refundId": 1, "returnFreightInfo": [800]}, "returnFreightInfo"),
        (
            {"refundId": 1, "returnFreightInfo": {"returnFreightAmount": "a lot"}},
            "returnFreightInfo.returnFreightAmount",
        ),
        ({"refundId": None}, "refundId"),
        ({}, "refundId"),
        ({"refundId": "--5"}, "refundId"),
        ({"refundId": "1" * 100}, "refundId"),
    ],
)
def test_a_wrong_type_of_a_decision_field_names_the_field(data, field):
    with pytest.raises(ParseError) as info:
        parse(Refund, data)
    assert info.value.field == field


@pytest.mark.parametrize(
    ("data", "field"),
    [
        # the values `check` died on with OverflowError / "year … is out of range"
        ({"refundId": 1, "expireTime": 10**18}, "expireTime"),
        ({"refundId": 1, "expireTime": 1e18}, "expireTime"),
        ({"refundId": 1, "refundFee": 1e30}, "refundFee"),
        ({"refundId": 2**64}, "refundId"),
        ({"refundId": 2**63}, "refundId"),
        ({"refundId": -4}, "refundId"),
        ({"refundId": 1, "oid": 2**64}, "oid"),
        ({"refundId": 1, "refundFee": -1}, "refundFee"),
        ({"refundId": 1, "refundFee": 10**12}, "refundFee"),
        ({"refundId": 1, "updateTime": 123}, "updateTime"),  # seconds, 1970
        ({"refundId": 1, "submitTime": 5_000_000_000_000}, "submitTime"),  # 2128
        ({"refundId": 1, "endTime": -1}, "endTime"),
        ({"refundId": 1, "status": 2**40}, "status"),
        (
            {"refundId": 1, "returnFreightInfo": {"returnFreightAmount": -800}},
            "returnFreightInfo.returnFreightAmount",
        ),
    ],
)
def test_a_decision_field_out_of_range_names_the_field(data, field):
    with pytest.raises(ParseError) as info:
        parse(Refund, data)
    assert info.value.field == field


def test_in_range_decision_fields_and_the_platforms_zero():
    r = parse(
        Refund,
        {
            "refundId": 2**63 - 1,
            "expireTime": 0,
            "endTime": "0",
            "updateTime": "1700000000000",
            "refundFee": "0",
            "status": "10",
        },
    )
    assert r.refund_id == 2**63 - 1 and r.expire_time == 0 and r.end_time == 0
    assert r.update_time == 1_700_000_000_000 and r.refund_fee == 0 and r.status == 10


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (["https://p/1.jpg", "https://p/2.jpg"], ("https://p/1.jpg", "https://p/2.jpg")),
        ('["https://p/1.jpg","https://p/2.jpg"]', ("https://p/1.jpg", "https://p/2.jpg")),
        ("https://p/1.jpg,https://p/2.jpg", ("https://p/1.jpg", "https://p/2.jpg")),
        ("https://p/1.jpg, https://p/2.jpg", ("https://p/1.jpg", "https://p/2.jpg")),
        ("https://p/1.jpg", ("https://p/1.jpg",)),
        ("", None),
        ("[]", ()),
        (None, None),
        ([{"url": "https://p/1.jpg"}, 7, None, ""], ("https://p/1.jpg", "7")),
        ({"odd": 1}, ()),
        ("[not json", ("[not json",)),
    ],
)
def test_pictures_in_every_plausible_encoding(value, expected):
    for key, attr in (("pictures", "pictures"), ("sellerDisagreeImages", "seller_disagree_images")):
        r = parse(Refund, {"refundId": 1, key: value})
        assert getattr(r, attr) == expected
        assert r.raw[key] == value  # kept as received


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("浙江省杭州市余杭区文一西路1288号", "浙江省杭州市余杭区文一西路1288号"),
        (
            {
                "province": "浙江省",
                "city": "杭州市",
                "district": "余杭区",
                "address": "文一西路1288号",
                "consignee": "王仓管",
                "mobile": "138****0000",
                "addressId": 5,
            },
            "浙江省杭州市余杭区文一西路1288号 王仓管 138****0000",
        ),
        ('{"province":"广东省","city":"广州市","address":"大源北路66号"}', "广东省广州市大源北路66号"),
        ({"baseInfo": {"city": "杭州市", "address": "良睦路999号"}}, "杭州市良睦路999号"),
        ("", None),
        (None, None),
        ([1, 2], None),
        ({}, None),
    ],
)
def test_the_return_address_as_text_or_object(value, expected):
    assert parse(Refund, {"refundId": 1, "address": value}).address == expected


@pytest.mark.parametrize(
    ("data", "attr", "expected"),
    [
        ({"skuNick": {"a": 1}}, "sku_nick", None),
        ({"skuNick": 12345}, "sku_nick", "12345"),
        ({"refundReason": True}, "refund_reason", None),
        ({"refundReason": "7"}, "refund_reason", "7"),
        ({"requireReturnFreight": "maybe"}, "require_return_freight", None),
        ({"requireReturnFreight": "true"}, "require_return_freight", True),
        (
            {"logisticsInfo": {"expressNo": ["x"], "expressCode": 4}},
            "logistics_info",
            models.LogisticsInfo(None, 4),
        ),
        ({"logisticsInfo": "SF123"}, "logistics_info", None),
        (
            {"logisticsInfo": '{"expressNo":"SF1","expressCode":"4"}'},
            "logistics_info",
            models.LogisticsInfo("SF1", "4"),
        ),
        ({"skuId": 2**64}, "sku_id", None),
        ({"skuId": "88"}, "sku_id", 88),
        ({"urgeTimes": "2"}, "urge_times", 2),
        ({"urgeTimes": "often"}, "urge_times", None),
        ({"negotiateReason": 10008}, "negotiate_reason", "10008"),
        ({"sellerDisagreeReason": 3001}, "seller_disagree_reason", 3001),
        ({"productNum": ""}, "product_num", None),
        ({"logisticsRiskInfos": ["late", "lost"]}, "logistics_risk_infos", ("late", "lost")),
        ({"createTime": "soon"}, "create_time", None),
    ],
)
def test_a_field_no_action_needs_never_costs_the_refund(data, attr, expected):
    r = parse(Refund, {"refundId": 1, **data})
    assert getattr(r, attr) == expected
    assert r.refund_id == 1


def test_a_broken_list_item_is_set_aside_and_the_page_goes_on():
    page = parse(
        RefundPage,
        {
            "pcursor": "c2",
            "refundOrderInfoList": [
                {"refundId": 1, "status": 10},
                {"refundId": "2", "expireTime": 10**18},
                "junk",
                {"refundId": 2**64},
                {"refundId": 4, "pictures": "not-a-list-but-fine", "status": "10"},
            ],
        },
        "data",
    )
    assert [r.refund_id for r in page.items] == [1, 4]
    assert [(u.refund_id, u.error.field) for u in page.unreadable] == [
        (2, "data.refundOrderInfoList[1].expireTime"),
        (None, "data.refundOrderInfoList[2]"),
        (None, "data.refundOrderInfoList[3].refundId"),
    ]
    assert page.pcursor == "c2" and not page.is_last


def test_a_page_whose_list_or_cursor_is_broken_is_refused():
    with pytest.raises(ParseError) as info:
        parse(RefundPage, {"refundOrderInfoList": {"refundId": 1}}, "data")
    assert info.value.field == "data.refundOrderInfoList"
    with pytest.raises(ParseError) as info:
        parse(RefundPage, {"pcursor": ["x"], "refundOrderInfoList": []}, "data")
    assert info.value.field == "data.pcursor"
    # JSON-array text and numbers-as-text are read
    page = parse(RefundPage, {"pcursor": 7, "refundOrderInfoList": '[{"refundId":"9"}]'})
    assert page.pcursor == "7" and page.items[0].refund_id == 9


def test_nested_paths_are_named_from_the_given_root():
    with pytest.raises(ParseError) as info:
        parse(Refund, {"refundId": 1, "returnFreightInfo": {"returnFreightAmount": "x"}}, "data")
    assert info.value.field == "data.returnFreightInfo.returnFreightAmount"
    with pytest.raises(ParseError) as info:
        parse(RefundPage, [1, 2], "data")
    assert info.value.field == "data"
    # a lenient nested record drops what does not fit instead
    score = parse(ShopScore, {"scoreDim": [{"dimName": []}, "junk"]}, "data")
    assert score.dimensions == (models.ScoreDimension(None, None),)


def test_negotiation_roles_are_numbers_or_text():
    assert parse(models.NegotiationComment, {"role": 3}).role == 3
    assert parse(models.NegotiationComment, {"role": "system"}).role == "system"
    assert parse(models.NegotiationComment, {"role": [1], "createTime": "x"}).role is None


def test_to_api_round_trips():
    data = {
        "refundId": 5,
        "oid": 6,
        "status": 10,
        "pictures": ["p1"],
        "address": "杭州市良睦路999号",
        "logisticsInfo": {"expressNo": "SF1", "expressCode": 3},
        "returnFreightInfo": {"returnFreightAmount": 800, "returnFreightStatus": 10},
    }
    record = parse(Refund, data)
    assert to_api(record) == data
    assert parse(Refund, to_api(record)) == record


def test_oauth_token_repr_never_shows_tokens():
    t = parse(OAuthToken, {"access_token": "AAA-secret", "refresh_token": "RRR-secret", "expires_in": 172800})
    assert "AAA-secret" not in repr(t) and "RRR-secret" not in repr(t)
