"""Typed records of the after-sale API, parsed tolerantly (spec §4, §5).

Read the platform leniently, decide strictly (spec §8 declares the wire types):

* **Decision fields** — what an action or a deadline is decided on: ``refundId``, ``oid``,
  ``status``, ``negotiateStatus``, ``handlingWay``, ``refundFee``, ``updateTime``, ``expireTime``,
  ``submitTime``, ``negotiateUpdateTime``, ``endTime`` (and a reject reason's ``code``, an address's
  ``addressId``, the return-freight claim) — accept the declared number and a numeric text, and are
  range-checked (times in 2000–2100 or 0, amounts 0–¥1,000,000,000, ids within 64 bits). Anything
  else raises :class:`~desktop.core.kuaishou.errors.ParseError` naming the field.
* **Everything else** accepts the declared type and the plausible other encodings (a picture list
  as a JSON array, JSON-array text, comma-separated text or one URL; an address as text or as an
  object rendered to text; a number as numeric text); what still does not fit is ``None``. A field
  no action needs never costs a refund.
* Unknown fields are ignored (``raw`` keeps the item as received: the detail pane and the store
  use it); enum codes are kept as plain ints, undocumented ones too (shown as "unknown (N)"); a missing optional
  field is ``None``. A list page sets an unreadable item aside (``RefundPage.unreadable``) and goes on.

Ids stay ``int`` (64-bit), money is integer fen, times are epoch milliseconds.

The reader itself (field metadata, the compiled parsers, :func:`parse`, :func:`to_api`) is
:mod:`.reader`. Each record knows its API key per attribute (``field(metadata={"key": ...})``) so the sandbox can emit
the same shapes with :func:`to_api`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from desktop.core.kuaishou.errors import ParseError
from desktop.core.kuaishou.reader import (
    _CUSTOM,
    AMOUNT_MAX_FEN,
    ENUM_MAX,
    ID_MAX,
    TIME_MAX_MS,
    TIME_MIN_MS,
    _AddressText,
    _amount,
    _enum,
    _id,
    _join,
    _json_text,
    _key,
    _parsers,
    _seconds,
    _TextList,
    _time,
    address_text,
    parse,
    refund_id_of,
    text_list,
    to_api,
)

__all__ = [
    "AMOUNT_MAX_FEN",
    "ENUM_MAX",
    "ID_MAX",
    "TIME_MAX_MS",
    "TIME_MIN_MS",
    "Address",
    "AddressBaseInfo",
    "LogisticsInfo",
    "NegotiationComment",
    "OAuthToken",
    "Refund",
    "RefundPage",
    "RejectReason",
    "ReturnFreightInfo",
    "ScoreDimension",
    "ScoreSummary",
    "SellerInfo",
    "ShopScore",
    "UnreadableRefund",
    "address_text",
    "parse",
    "refund_id_of",
    "text_list",
    "to_api",
]


# ------------------------------------------------------------------------------------ records
@dataclass(frozen=True, slots=True)
class LogisticsInfo:
    express_no: str | None = field(default=None, metadata=_key("expressNo"))
    express_code: int | str | None = field(default=None, metadata=_key("expressCode"))


@dataclass(frozen=True, slots=True)
class ReturnFreightInfo:
    """The buyer's return-freight claim; confirm.receipt decides on its presence and amount."""

    return_freight_amount: int | None = field(default=None, metadata=_key("returnFreightAmount", **_amount()))
    return_freight_status: int | None = field(default=None, metadata=_key("returnFreightStatus"))
    return_freight_apply_desc: str | None = field(default=None, metadata=_key("returnFreightApplyDesc"))
    return_freight_apply_images: tuple[str, ...] | None = field(
        default=None, metadata=_key("returnFreightApplyImages", **{"as": _TextList})
    )


@dataclass(frozen=True, slots=True)
class Refund:
    """A refund as the list or the detail returns it (detail-only fields are ``None`` from the list).

    Decision fields (ids, status, negotiateStatus, handlingWay, refundFee and the times) are strict;
    the rest is read leniently (see the module docstring).
    """

    refund_id: int = field(metadata=_key("refundId", required=True, **_id()))
    order_id: int | None = field(default=None, metadata=_key("oid", **_id()))
    handling_way: int | None = field(default=None, metadata=_key("handlingWay", **_enum()))
    negotiate_status: int | None = field(default=None, metadata=_key("negotiateStatus", **_enum()))
    status: int | None = field(default=None, metadata=_key("status", **_enum()))
    refund_type: int | None = field(default=None, metadata=_key("refundType"))
    refund_fee: int | None = field(default=None, metadata=_key("refundFee", **_amount()))
    refund_reason: int | str | None = field(default=None, metadata=_key("refundReason"))
    refund_reason_desc: str | None = field(default=None, metadata=_key("refundReasonDesc"))
    refund_desc: str | None = field(default=None, metadata=_key("refundDesc"))
    sku_id: int | None = field(default=None, metadata=_key("skuId"))
    sku_nick: str | None = field(default=None, metadata=_key("skuNick"))
    item_id: int | None = field(default=None, metadata=_key("itemId"))
    rel_item_id: int | None = field(default=None, metadata=_key("relItemId"))
    rel_sku_id: int | None = field(default=None, metadata=_key("relSkuId"))
    seller_id: int | None = field(default=None, metadata=_key("sellerId"))
    submit_time: int | None = field(default=None, metadata=_key("submitTime", **_time()))
    create_time: int | None = field(default=None, metadata=_key("createTime"))
    update_time: int | None = field(default=None, metadata=_key("updateTime", **_time()))
    negotiate_update_time: int | None = field(default=None, metadata=_key("negotiateUpdateTime", **_time()))
    end_time: int | None = field(default=None, metadata=_key("endTime", **_time()))
    receipt_status: int | None = field(default=None, metadata=_key("receiptStatus"))
    logistics_id: int | None = field(default=None, metadata=_key("logisticsId"))
    expire_time: int | None = field(default=None, metadata=_key("expireTime", **_time()))
    urge_times: int | None = field(default=None, metadata=_key("urgeTimes"))
    require_return_freight: bool | None = field(default=None, metadata=_key("requireReturnFreight"))
    buyer_id: int | None = field(default=None, metadata=_key("buyerId"))
    # detail only
    buyer_open_id: str | None = field(default=None, metadata=_key("buyerOpenId"))
    #: declared as text (JSON-array text, comma-separated URLs or empty); any encoding is read
    pictures: tuple[str, ...] | None = field(default=None, metadata=_key("pictures", **{"as": _TextList}))
    product_num: int | None = field(default=None, metadata=_key("productNum"))
    negotiate_reason: str | None = field(default=None, metadata=_key("negotiateReason"))
    buyer_modify_deadline: int | None = field(
        default=None, metadata=_key("validNegotiateBuyerModifyTimeStamp")
    )
    time_limit_negotiate_change: int | None = field(default=None, metadata=_key("timeLimitNegotiateChange"))
    #: the seller's return address as text (declared text; an object is rendered to text)
    address: str | None = field(default=None, metadata=_key("address", **{"as": _AddressText}))
    logistics_info: LogisticsInfo | None = field(default=None, metadata=_key("logisticsInfo"))
    special_refund_type: int | None = field(default=None, metadata=_key("specialRefundType"))
    #: strict: confirm.receipt sends freight fields exactly when the refund has a claim
    return_freight_info: ReturnFreightInfo | None = field(
        default=None, metadata=_key("returnFreightInfo", strict=True)
    )
    seller_disagree_reason: int | str | None = field(default=None, metadata=_key("sellerDisagreeReason"))
    seller_disagree_desc: str | None = field(default=None, metadata=_key("sellerDisagreeDesc"))
    seller_disagree_images: tuple[str, ...] | None = field(
        default=None, metadata=_key("sellerDisagreeImages", **{"as": _TextList})
    )
    logistics_risk_infos: tuple[str, ...] | None = field(
        default=None, metadata=_key("logisticsRiskInfos", **{"as": _TextList})
    )
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class UnreadableRefund:
    """A list item whose decision fields cannot be read: shown as unreadable, never acted on."""

    refund_id: int | None  # when the id itself could be read
    error: ParseError
    raw: Any = field(compare=False, repr=False, default=None)


@dataclass(frozen=True, slots=True)
class RefundPage:
    """One page of the list. An item whose decision fields cannot be read is in ``unreadable``
    (with the error naming the field), not in ``items``: the rest of the page goes on."""

    pcursor: str = field(default="nomore", metadata=_key("pcursor", strict=True))
    total_size: int | None = field(default=None, metadata=_key("totalSize"))
    items: tuple[Refund, ...] = field(default=(), metadata={"local": True})
    unreadable: tuple[UnreadableRefund, ...] = field(default=(), metadata={"local": True})
    #: the response body the page was parsed from, as received (set by the client; the items are at
    #: ``client.LIST_ITEMS_PATH`` in it): the store keeps each item's raw JSON from it
    received: bytes | None = field(default=None, compare=False, repr=False, metadata={"local": True})

    @property
    def is_last(self) -> bool:
        return self.pcursor in ("", "nomore")


def _page_items(page: Any, data: Mapping[str, Any], path: str) -> Any:
    """The items of a list page, each on its own: a broken one is set aside, not the page."""
    key = "refundOrderInfoList"
    value = data.get(key)
    if value is None or value == "":
        return page
    if isinstance(value, str):
        decoded = _json_text(value)
        value = decoded if isinstance(decoded, list) else value
    if not isinstance(value, list):
        raise ParseError(_join(path, key), f"expected a list, got {type(value).__name__}")
    items: list[Refund] = []
    unreadable: list[UnreadableRefund] = []
    parse_refund = _parsers.get(Refund)
    if parse_refund is None:
        parse(Refund, {"refundId": 1})  # compiles the parser once
        parse_refund = _parsers[Refund]
    prefix = _join(path, key)
    append = items.append
    for i, item in enumerate(value):
        # the item's path is only needed for an error: built then, not for each of 10,000 items
        try:
            if type(item) is not dict:
                raise ParseError(f"{prefix}[{i}]", f"expected an object, got {type(item).__name__}")
            append(parse_refund(item, prefix))
        except ParseError as first:
            exc = first
            if type(item) is dict:
                try:  # again, with the item's own path in the error
                    parse_refund(item, f"{prefix}[{i}]")
                except ParseError as named:
                    exc = named
            unreadable.append(UnreadableRefund(refund_id_of(item), exc, item))
    return dataclasses.replace(page, items=tuple(items), unreadable=tuple(unreadable))


_CUSTOM["RefundPage"] = _page_items


@dataclass(frozen=True, slots=True)
class AddressBaseInfo:
    consignee: str | None = field(default=None, metadata=_key("consignee"))
    mobile: str | None = field(default=None, metadata=_key("mobile"))
    province: str | None = field(default=None, metadata=_key("province"))
    city: str | None = field(default=None, metadata=_key("city"))
    district: str | None = field(default=None, metadata=_key("district"))
    town: str | None = field(default=None, metadata=_key("town"))
    address: str | None = field(default=None, metadata=_key("address"))


@dataclass(frozen=True, slots=True)
class Address:
    address_id: int = field(metadata=_key("addressId", required=True, **_id()))
    default_address: bool | None = field(default=None, metadata=_key("defaultAddress"))
    address_status: int | None = field(default=None, metadata=_key("addressStatus"))
    base_info: AddressBaseInfo | None = field(default=None, metadata=_key("baseInfo"))


@dataclass(frozen=True, slots=True)
class RejectReason:
    code: int = field(metadata=_key("code", required=True, **_id()))
    desc: str | None = field(default=None, metadata=_key("desc"))
    tip: str | None = field(default=None, metadata=_key("tip"))
    required_reject_desc: bool | None = field(default=None, metadata=_key("requiredRejectDesc"))
    required_reject_image: bool | None = field(default=None, metadata=_key("requiredRejectImage"))


@dataclass(frozen=True, slots=True)
class NegotiationComment:
    title: str | None = field(default=None, metadata=_key("title"))
    role: int | str | None = field(default=None, metadata=_key("role"))
    create_time: int | None = field(default=None, metadata=_key("createTime"))
    staff_account_id: int | None = field(default=None, metadata=_key("staffAccountId"))
    staff_account_name: str | None = field(default=None, metadata=_key("staffAccountName"))


@dataclass(frozen=True, slots=True)
class SellerInfo:
    name: str | None = field(default=None, metadata=_key("name"))
    seller_id: int | None = field(default=None, metadata=_key("sellerId"))
    open_id: str | None = field(default=None, metadata=_key("openId"))
    staff_info: dict[str, Any] | None = field(default=None, metadata=_key("staffInfo"))


@dataclass(frozen=True, slots=True)
class ScoreSummary:
    show_name: str | None = field(default=None, metadata=_key("showName"))
    score_str: str | None = field(default=None, metadata=_key("scoreStr"))


@dataclass(frozen=True, slots=True)
class ScoreDimension:
    dim_name: str | None = field(default=None, metadata=_key("dimName"))
    dim_score_str: str | None = field(default=None, metadata=_key("dimScoreStr"))


@dataclass(frozen=True, slots=True)
class ShopScore:
    has_data: bool | None = field(default=None, metadata=_key("hasData"))
    summary: ScoreSummary | None = field(default=None, metadata=_key("summary"))
    dimensions: tuple[ScoreDimension, ...] | None = field(default=None, metadata=_key("scoreDim"))


@dataclass(frozen=True, slots=True)
class OAuthToken:
    access_token: str = field(metadata=_key("access_token", required=True))
    refresh_token: str | None = field(default=None, metadata=_key("refresh_token"))
    open_id: str | None = field(default=None, metadata=_key("open_id"))
    # the token's lifetimes decide when it is renewed: strict
    expires_in: int | None = field(default=None, metadata=_key("expires_in", **_seconds()))
    refresh_token_expires_in: int | None = field(
        default=None, metadata=_key("refresh_token_expires_in", **_seconds())
    )
    scopes: tuple[str, ...] | None = field(default=None, metadata=_key("scopes", **{"as": _TextList}))

    def __repr__(self) -> str:  # never print tokens
        return f"OAuthToken(open_id={self.open_id!r}, expires_in={self.expires_in!r}, scopes={self.scopes!r})"
