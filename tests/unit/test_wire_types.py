"""A property test generated from the wire-type table of the spec (§8, transcribed below): for every
answer the client reads, random documents of the declared types — with nulls, missing optional
fields, unknown nested fields, numbers sent as numeric text, and junk in the fields no action needs —
parse; only a broken decision field raises (a list sets its item aside), and only a ParseError
naming that field."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.core.kuaishou import models
from desktop.core.kuaishou.answers import typed, typed_list, unwrap
from desktop.core.kuaishou.errors import ParseError

# ---------------------------------------------------------------------------- the §8 table
# declared kinds: "id" (64-bit number), "enum", "fen", "ms", "number", "string", "bool",
# "string[]", "urls" (a picture list declared as a string), "address" (declared as a string),
# or a nested table (an object)
LIST_ITEM = {
    **dict.fromkeys(
        ["oid", "refundId", "skuId", "itemId", "relItemId", "relSkuId", "sellerId", "buyerId", "logisticsId"],
        "id",
    ),
    **dict.fromkeys(
        ["handlingWay", "negotiateStatus", "status", "refundType", "refundReason", "receiptStatus"], "enum"
    ),
    "refundFee": "fen",
    **dict.fromkeys(
        ["submitTime", "createTime", "updateTime", "negotiateUpdateTime", "endTime", "expireTime"], "ms"
    ),
    **dict.fromkeys(["refundDesc", "refundReasonDesc", "skuNick"], "string"),
}
DETAIL = {
    **LIST_ITEM,
    "pictures": "urls",
    "sellerDisagreeImages": "urls",
    "address": "address",
    **dict.fromkeys(["sellerDisagreeDesc", "negotiateReason", "buyerOpenId"], "string"),
    **dict.fromkeys(
        [
            "sellerDisagreeReason",
            "validNegotiateBuyerModifyTimeStamp",
            "timeLimitNegotiateChange",
            "productNum",
            "specialRefundType",
        ],
        "number",
    ),
    "logisticsRiskInfos": "string[]",
    "logisticsInfo": {"expressNo": "string", "expressCode": "number"},
    "returnFreightInfo": {
        "returnFreightAmount": "fen",
        "returnFreightStatus": "number",
        "returnFreightApplyDesc": "string",
        "returnFreightApplyImages": "string[]",
    },
    "buyerExchangeAddress": {
        "province": "string",
        "city": "string",
        "district": "string",
        "provinceCode": "number",
        "cityCode": "number",
        "desensitiseConsignee": "string",
        "desensitiseMobile": "string",
        "desensitiseAddress": "string",
        "encryptedConsignee": "string",
    },
    "exchangeInfo": {"skuId": "id", "skuDesc": "string", "quantity": "number"},
}
LIST_DATA = {
    **dict.fromkeys(["currentPage", "pageSize", "totalPage", "totalSize", "beginTime", "endTime"], "number"),
    "pcursor": "string",
}
COMMENT = {
    "title": "string",
    "role": "number",
    "createTime": "number",
    "staffAccountId": "number",
    "staffAccountName": "string",
}
REASON = {
    "code": "number",
    "desc": "string",
    "tip": "string",
    "requiredRejectDesc": "bool",
    "requiredRejectImage": "bool",
}
ADDRESS = {
    "addressId": "id",
    "defaultAddress": "bool",
    "addressStatus": "number",
    "addressType": "number",
    "sourceType": "number",
    "createTime": "number",
    "updateTime": "number",
    "baseInfo": {
        **dict.fromkeys(["consignee", "mobile", "province", "city", "district", "town", "address"], "string"),
        **dict.fromkeys(
            ["provinceCode", "cityCode", "districtCode", "townCode", "addressMetaVersion"], "number"
        ),
    },
}

#: what the actions decide on (per object): strict, and the only fields allowed to raise
REFUND_DECISIONS = {
    "refundId",
    "oid",
    "status",
    "negotiateStatus",
    "handlingWay",
    "refundFee",
    "updateTime",
    "expireTime",
    "submitTime",
    "negotiateUpdateTime",
    "endTime",
}
DETAIL_DECISIONS = REFUND_DECISIONS | {"returnFreightInfo", "returnFreightInfo.returnFreightAmount"}

# ------------------------------------------------------------------------------ strategies
RANGES = {
    "id": (0, models.ID_MAX),
    "enum": (0, 2**31 - 1),
    "fen": (0, models.AMOUNT_MAX_FEN),
    "ms": (models.TIME_MIN_MS, models.TIME_MAX_MS),
    "number": (0, 2**53),
}
url = st.from_regex(r"https://[a-z]{1,8}\.example/[a-z0-9]{1,8}\.jpg", fullmatch=True)
text = st.text(max_size=20)
junk = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)


def number(kind: str) -> st.SearchStrategy:
    low, high = RANGES[kind]
    values = st.integers(low, high)
    if kind == "ms":
        values = values | st.just(0)  # the platform's "none"
    if kind == "enum":
        values = st.integers(0, 100) | values
    return values | values.map(str)  # numbers sent as numeric text


def urls() -> st.SearchStrategy:
    lists = st.lists(url, max_size=4)
    return lists.map(json.dumps) | lists.map(",".join) | url | st.sampled_from(["", "[]"]) | lists


def address() -> st.SearchStrategy:
    return text | st.fixed_dictionaries(
        {}, optional=dict.fromkeys(("province", "city", "district", "address", "consignee", "mobile"), text)
    )


def value(kind, *, lenient_junk: bool) -> st.SearchStrategy:
    if isinstance(kind, dict):
        return document(kind, decisions=set(), lenient_junk=lenient_junk)
    shapes = {
        "string": text,
        "bool": st.booleans() | st.sampled_from(["true", "false"]),
        "string[]": st.lists(text, max_size=3),
        "urls": urls(),
        "address": address(),
    }
    declared = shapes[kind] if kind in shapes else number(kind)
    return declared | junk if lenient_junk else declared


def document(
    table: dict, *, decisions: set[str], lenient_junk: bool = True, prefix: str = ""
) -> st.SearchStrategy:
    """Objects of ``table``'s declared types: any field may be missing or null; unknown fields
    (nested too) appear; a field no action needs may hold junk."""
    fields = {}
    for key, kind in table.items():
        path = prefix + key
        strict = path in decisions
        if isinstance(kind, dict):
            inner = document(kind, decisions=decisions, lenient_junk=lenient_junk, prefix=path + ".")
            fields[key] = inner | st.none() | (st.just("") if not strict else st.none())
        else:
            fields[key] = value(kind, lenient_junk=lenient_junk and not strict) | st.none()
    unknown = st.dictionaries(st.sampled_from(["brandNew", "extInfo", "x_flag"]), junk, max_size=2)
    return st.tuples(st.fixed_dictionaries({}, optional=fields), unknown).map(
        lambda pair: {**pair[1], **pair[0]}
    )


BROKEN = {
    "id": st.sampled_from([-1, 2**63, 2**64, "12a", [1], {"id": 1}, 1.5, True]),
    "enum": st.sampled_from([-1, 2**40, "ten", [10], 10.5, {"v": 1}, True]),
    "fen": st.sampled_from([-1, 10**30, 1e30, "12.90元", 12.5, [1], True]),
    "ms": st.sampled_from([10**18, 1e18, -5, 123, 5_000_000_000_000, "tomorrow", [0], 1.5, True]),
}


def broken(table: dict, decision: str) -> st.SearchStrategy:
    kind = table[decision]
    return BROKEN[kind]


ok_settings = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _envelope(data) -> dict:
    return {
        "result": 1,
        "error_msg": "",
        "code": "0",
        "msg": "success",
        "sub_code": "",
        "sub_msg": "",
        "data": data,
        "requestId": "1",
    }


# --------------------------------------------------------------------------------- properties
@ok_settings
@given(document(DETAIL, decisions=DETAIL_DECISIONS))
def test_a_detail_of_the_declared_types_parses(doc):
    doc.setdefault("refundId", 1)
    if doc["refundId"] is None:
        doc["refundId"] = 1
    method = "open.seller.order.refund.detail"
    refund = typed(models.Refund, unwrap(_envelope(doc), method=method), method)
    assert refund.refund_id == int(doc["refundId"])
    assert refund.pictures is None or all(isinstance(p, str) and p for p in refund.pictures)
    assert refund.address is None or isinstance(refund.address, str)


@ok_settings
@given(document(DETAIL, decisions=DETAIL_DECISIONS), st.sampled_from(sorted(REFUND_DECISIONS)), st.data())
def test_only_a_broken_decision_field_raises_and_it_is_named(doc, decision, data):
    doc["refundId"] = doc.get("refundId") or 1
    doc[decision] = data.draw(broken(DETAIL, decision))
    method = "open.seller.order.refund.detail"
    try:
        typed(models.Refund, unwrap(_envelope(doc), method=method), method)
    except ParseError as exc:
        assert exc.field == f"data.{decision}" and exc.method == method
    else:
        raise AssertionError(f"{decision}={doc[decision]!r} was accepted")


@ok_settings
@given(
    document(LIST_DATA, decisions=set(), lenient_junk=False),
    st.lists(document(LIST_ITEM, decisions=REFUND_DECISIONS), max_size=4),
    st.lists(st.tuples(st.sampled_from(sorted(REFUND_DECISIONS - {"refundId"})), st.data()), max_size=2),
)
def test_a_list_page_sets_aside_only_the_items_with_a_broken_decision_field(data, items, breaks):
    items = [{**item, "refundId": i + 1} for i, item in enumerate(items)]
    expected = {}
    for n, (decision, draw) in enumerate(breaks):
        if items:
            i = n % len(items)
            items[i][decision] = draw.draw(broken(LIST_ITEM, decision))
            expected.setdefault(i, set()).add(f"data.refundOrderInfoList[{i}].{decision}")
    data = {**data, "refundOrderInfoList": items}
    if not isinstance(data.get("pcursor"), str):
        data["pcursor"] = "nomore"
    method = "open.seller.order.refund.pcursor.list"
    page = typed(models.RefundPage, unwrap(_envelope(data), method=method), method)
    assert {r.refund_id for r in page.items} == {i + 1 for i in range(len(items)) if i not in expected}
    assert {u.refund_id - 1 for u in page.unreadable} == set(expected)
    for u in page.unreadable:
        assert u.error.field in expected[u.refund_id - 1]


@ok_settings
@given(
    st.lists(document(COMMENT, decisions=set()), max_size=4),
    st.lists(document(REASON, decisions={"code"}), max_size=4),
    st.lists(document(ADDRESS, decisions={"addressId"}), max_size=3),
)
def test_histories_reasons_and_addresses_parse(comments, reasons, addresses):
    history = typed_list(models.NegotiationComment, comments, "open.refund.comment.basic.list")
    assert len(history) == len(comments)  # nothing in a history is decided on
    assert all(c.role is None or isinstance(c.role, (int, str)) for c in history)
    usable = [r for r in reasons if r.get("code") is not None]
    assert len(typed_list(models.RejectReason, reasons, "open.refund.reject.reason")) == len(usable)
    with_id = [a for a in addresses if a.get("addressId") is not None]
    assert len(typed_list(models.Address, addresses, "open.address.seller.list")) == len(with_id)
