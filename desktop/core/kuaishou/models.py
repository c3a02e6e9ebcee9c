"""Typed records of the after-sale API, parsed tolerantly (spec §4, §5).

Rules: unknown fields are ignored; unknown enum values are kept as plain ints (the domain layer shows
them as "unknown (N)"); a missing optional field is ``None``; a field of the wrong type raises
:class:`~desktop.core.kuaishou.errors.ParseError` naming the field. Ids stay ``int`` (64-bit), money is
integer fen, times are epoch milliseconds. ``raw`` keeps the item as received (for the detail pane and
for fields this module does not model, such as the exchange fields).

Each record knows its API key per attribute (``field(metadata={"key": ...})``) so the sandbox can emit
the same shapes with :func:`to_api`.
"""

from __future__ import annotations

import dataclasses
import enum
import math
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from desktop.core.kuaishou.errors import ParseError


# --------------------------------------------------------------------------------------- enums
class HandlingWay(enum.IntEnum):
    RETURN_REFUND = 1  # 退货退款
    EXCHANGE = 3  # 换货
    RESEND = 4  # 补寄
    REPAIR = 5  # 维修
    REFUND_ONLY = 10  # 仅退款


class NegotiateStatus(enum.IntEnum):
    UNKNOWN = 0
    WAITING_MERCHANT = 1  # 待商家处理
    AGREED = 2  # 商家同意
    REJECTED = 3  # 商家驳回，等待买家修改


class RefundStatus(enum.IntEnum):
    """Union of the two documented versions (A and B); meanings overlap by number."""

    WAIT_SELLER = 10  # A: buyer refund-only request · B: waiting for the seller to agree
    BUYER_RETURN_REQUEST = 11  # A: buyer return request
    SELLER_REJECTED = 12  # B: seller rejected, waiting for the buyer
    DISPUTE = 20  # A: platform intervening (refund-only) · B: dispute
    DISPUTE_RETURN = 21  # A: platform intervening (return)
    PLATFORM_CONFIRMED_RETURN = 22  # A
    DISPUTE_OTHER = 23  # seen as part of the 20–23 dispute range
    WAIT_BUYER_RETURN = 30  # waiting for the buyer to send the return
    WAIT_SELLER_RECEIPT = 40  # waiting for the seller to confirm receipt
    WAIT_BUYER_RECEIPT = 45  # seller shipped (exchange/resend), waiting for the buyer
    EXECUTING = 50  # refund executing
    SUCCEEDED = 60
    CLOSED = 70  # A: refund failed · B: closed


class ReceiptStatus(enum.IntEnum):
    UNKNOWN = 0
    NOT_RECEIVED = 1
    RECEIVED = 2


class ReturnFreightStatus(enum.IntEnum):
    PENDING = 10
    AGREED = 20
    PAYING = 30
    PAID = 40
    CLOSED = 50


def enum_or_int(enum_cls: type[enum.IntEnum], value: int | None) -> enum.IntEnum | int | None:
    """The enum member for ``value``, or ``value`` itself when it is not (yet) documented."""
    if value is None:
        return None
    try:
        return enum_cls(value)
    except ValueError:
        return value


# ------------------------------------------------------------------------------------ parsing
def _key(name: str, **extra: Any) -> dict[str, Any]:
    return {"key": name, **extra}


# an optional minus and at most 40 ASCII digits (64-bit ids have 20; Python refuses huge texts)
_INT_TEXT = re.compile(r"-?[0-9]{1,40}")


def _parse_int(value: Any, path: str) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return int(value)
        raise ParseError(path, f"expected an integer, got {value!r}")
    if isinstance(value, str):
        text = value.strip()
        if _INT_TEXT.fullmatch(text):
            return int(text)
        raise ParseError(path, f"expected an integer, got the text {value[:40]!r}")
    raise ParseError(path, f"expected an integer, got {type(value).__name__}")


def _parse_str(value: Any, path: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise ParseError(path, f"expected text, got {type(value).__name__}")


def _parse_bool(value: Any, path: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.lower() in ("true", "false", "0", "1"):
        return value.lower() in ("true", "1")
    raise ParseError(path, f"expected true/false, got {value!r}"[:120])


def _parse_value(tp: Any, value: Any, path: str) -> Any:
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None:
            return None
        if len(args) == 1:
            return _parse_value(args[0], value, path)
        # int | str: keep what came if it is one of them
        if set(args) == {int, str}:
            if isinstance(value, (int, str)) and not isinstance(value, bool):
                return value
            raise ParseError(path, f"expected a number or text, got {type(value).__name__}")
        raise TypeError(f"unsupported union {tp}")
    if value is None:
        raise ParseError(path, "missing")
    if tp is int:
        return _parse_int(value, path)
    if tp is str:
        return _parse_str(value, path)
    if tp is bool:
        return _parse_bool(value, path)
    if origin is tuple:
        (item_tp, _ellipsis) = typing.get_args(tp)
        if not isinstance(value, list):
            raise ParseError(path, f"expected a list, got {type(value).__name__}")
        return tuple(_parse_value(item_tp, v, f"{path}[{i}]") for i, v in enumerate(value))
    if origin is dict or tp is dict:
        if not isinstance(value, dict):
            raise ParseError(path, f"expected an object, got {type(value).__name__}")
        return value
    if dataclasses.is_dataclass(tp):
        return parse(tp, value, path)
    raise TypeError(f"unsupported field type {tp}")


T = TypeVar("T")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


@dataclass(frozen=True, slots=True)
class _Field:
    hint: Any
    key: str
    default: Any
    empty_is_missing: bool  # "" for an absent number/object is common in the wild


def _slow(f: _Field, value: Any, path: str) -> Any:
    """A value that is not already of the field's plain type: convert it or name the field."""
    if f.empty_is_missing and value == "":
        return f.default() if callable(f.default) else f.default
    return _parse_value(f.hint, value, _join(path, f.key))


_parsers: dict[type, Any] = {}


def _compile(cls: type) -> Any:
    """Generate the parser of ``cls`` once (as :mod:`dataclasses` generates ``__init__``).

    Per field: take a value that already has the plain type (int, str, bool) as is — the common
    case, and what keeps listing 10,000 refunds cheap — use the default when it is absent, and
    hand anything else to :func:`_slow`, which converts it or raises :class:`ParseError`.
    """
    hints = typing.get_type_hints(cls)
    env: dict[str, Any] = {"_PE": ParseError, "_cls": cls, "_slow": _slow, "_join": _join}
    lines = ["def parse_fn(data, path):", "    get = data.get"]
    values: list[tuple[str, str]] = []  # (attribute, expression)
    for i, f in enumerate(dataclasses.fields(cls)):  # type: ignore[arg-type]
        if f.name == "raw":
            values.append(("raw", "dict(data)"))
            continue
        if f.metadata.get("local"):  # set by the client, not read from the data
            env[f"D{i}"] = f.default
            values.append((f.name, f"D{i}"))
            continue
        hint = hints[f.name]
        key = f.metadata.get("key", f.name)
        has_default = f.default is not dataclasses.MISSING
        has_factory = f.default_factory is not dataclasses.MISSING
        required = bool(f.metadata.get("required")) or not (has_default or has_factory)
        plain = [a for a in typing.get_args(hint) if a is not type(None)] or [hint]
        fast = plain[0] if len(plain) == 1 and plain[0] in (int, str, bool) else None
        empty_is_missing = hint is not str and not required
        env[f"F{i}"] = _Field(hint, key, f.default_factory if has_factory else f.default,
                              empty_is_missing)
        v = f"v{i}"
        lines.append(f"    {v} = get({key!r})")
        if fast is not None:
            truthy = f" and {v}" if fast is str and empty_is_missing else ""
            lines.append(f"    if type({v}) is {fast.__name__}{truthy}:")
            lines.append("        pass")
            lines.append(f"    elif {v} is None:")
        else:
            lines.append(f"    if {v} is None:")
        if required:
            lines.append(f"        raise _PE(_join(path, {key!r}), 'missing')")
        elif has_factory:
            lines.append(f"        {v} = F{i}.default()")
        else:
            lines.append(f"        {v} = F{i}.default")
        lines.append("    else:")
        lines.append(f"        {v} = _slow(F{i}, {v}, path)")
        values.append((f.name, v))
    slots = all(isinstance(cls.__dict__.get(name), types.MemberDescriptorType)
                for name, _ in values)
    if slots and not hasattr(cls, "__post_init__"):
        # what the generated __init__ of a frozen slots dataclass does, minus a call per field
        # through object.__setattr__: store each slot through its descriptor
        env["_new"] = object.__new__
        lines.append("    obj = _new(_cls)")
        for j, (name, expr) in enumerate(values):
            env[f"S{j}"] = cls.__dict__[name].__set__
            lines.append(f"    S{j}(obj, {expr})")
        lines.append("    return obj")
    else:
        lines.append(f"    return _cls({', '.join(f'{n}={e}' for n, e in values)})")
    exec("\n".join(lines), env)  # noqa: S102 - source built above from the field list only
    return env["parse_fn"]


def parse(cls: type[T], data: Any, path: str = "") -> T:
    """Parse ``data`` (a JSON object) into ``cls``; raise :class:`ParseError` naming a bad field."""
    if not isinstance(data, Mapping):
        raise ParseError(path or cls.__name__, f"expected an object, got {type(data).__name__}")
    parser = _parsers.get(cls)
    if parser is None:
        parser = _parsers[cls] = _compile(cls)
    return parser(data, path)


def to_api(record: Any) -> dict[str, Any]:
    """The record as the API would send it (camelCase keys; ``None`` fields left out)."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(record):
        if f.name == "raw" or f.metadata.get("local"):
            continue
        value = getattr(record, f.name)
        if value is None:
            continue
        key = f.metadata.get("key", f.name)
        if dataclasses.is_dataclass(value):
            value = to_api(value)
        elif isinstance(value, tuple):
            value = [to_api(v) if dataclasses.is_dataclass(v) else v for v in value]
        out[key] = value
    return out


# ------------------------------------------------------------------------------------ records
@dataclass(frozen=True, slots=True)
class LogisticsInfo:
    express_no: str | None = field(default=None, metadata=_key("expressNo"))
    express_code: int | str | None = field(default=None, metadata=_key("expressCode"))


@dataclass(frozen=True, slots=True)
class ReturnFreightInfo:
    return_freight_amount: int | None = field(default=None, metadata=_key("returnFreightAmount"))
    return_freight_status: int | None = field(default=None, metadata=_key("returnFreightStatus"))


@dataclass(frozen=True, slots=True)
class Refund:
    """A refund as the list or the detail returns it (detail-only fields are ``None`` from the list)."""

    refund_id: int = field(metadata=_key("refundId", required=True))
    order_id: int | None = field(default=None, metadata=_key("oid"))
    handling_way: int | None = field(default=None, metadata=_key("handlingWay"))
    negotiate_status: int | None = field(default=None, metadata=_key("negotiateStatus"))
    status: int | None = field(default=None, metadata=_key("status"))
    refund_type: int | None = field(default=None, metadata=_key("refundType"))
    refund_fee: int | None = field(default=None, metadata=_key("refundFee"))
    refund_reason: int | str | None = field(default=None, metadata=_key("refundReason"))
    refund_reason_desc: str | None = field(default=None, metadata=_key("refundReasonDesc"))
    refund_desc: str | None = field(default=None, metadata=_key("refundDesc"))
    sku_id: int | None = field(default=None, metadata=_key("skuId"))
    sku_nick: str | None = field(default=None, metadata=_key("skuNick"))
    item_id: int | None = field(default=None, metadata=_key("itemId"))
    rel_item_id: int | None = field(default=None, metadata=_key("relItemId"))
    rel_sku_id: int | None = field(default=None, metadata=_key("relSkuId"))
    seller_id: int | None = field(default=None, metadata=_key("sellerId"))
    submit_time: int | None = field(default=None, metadata=_key("submitTime"))
    create_time: int | None = field(default=None, metadata=_key("createTime"))
    update_time: int | None = field(default=None, metadata=_key("updateTime"))
    negotiate_update_time: int | None = field(default=None, metadata=_key("negotiateUpdateTime"))
    end_time: int | None = field(default=None, metadata=_key("endTime"))
    receipt_status: int | None = field(default=None, metadata=_key("receiptStatus"))
    logistics_id: int | None = field(default=None, metadata=_key("logisticsId"))
    expire_time: int | None = field(default=None, metadata=_key("expireTime"))
    urge_times: int | None = field(default=None, metadata=_key("urgeTimes"))
    require_return_freight: bool | None = field(default=None, metadata=_key("requireReturnFreight"))
    # detail only
    buyer_open_id: str | None = field(default=None, metadata=_key("buyerOpenId"))
    pictures: tuple[str, ...] | None = field(default=None, metadata=_key("pictures"))
    product_num: int | None = field(default=None, metadata=_key("productNum"))
    negotiate_reason: str | None = field(default=None, metadata=_key("negotiateReason"))
    buyer_modify_deadline: int | None = field(
        default=None, metadata=_key("validNegotiateBuyerModifyTimeStamp")
    )
    time_limit_negotiate_change: int | None = field(
        default=None, metadata=_key("timeLimitNegotiateChange")
    )
    address: dict | None = field(default=None, metadata=_key("address"))
    logistics_info: LogisticsInfo | None = field(default=None, metadata=_key("logisticsInfo"))
    special_refund_type: int | None = field(default=None, metadata=_key("specialRefundType"))
    return_freight_info: ReturnFreightInfo | None = field(
        default=None, metadata=_key("returnFreightInfo")
    )
    seller_disagree_reason: int | str | None = field(
        default=None, metadata=_key("sellerDisagreeReason")
    )
    seller_disagree_desc: str | None = field(default=None, metadata=_key("sellerDisagreeDesc"))
    seller_disagree_images: tuple[str, ...] | None = field(
        default=None, metadata=_key("sellerDisagreeImages")
    )
    raw: dict = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class RefundPage:
    pcursor: str = field(default="nomore", metadata=_key("pcursor"))
    total_size: int | None = field(default=None, metadata=_key("totalSize"))
    items: tuple[Refund, ...] = field(default=(), metadata=_key("refundOrderInfoList"))
    #: the response body the page was parsed from, as received (set by the client; the items are at
    #: ``client.LIST_ITEMS_PATH`` in it): the store keeps each item's raw JSON from it
    received: bytes | None = field(default=None, compare=False, repr=False, metadata={"local": True})

    @property
    def is_last(self) -> bool:
        return self.pcursor in ("", "nomore")


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
    address_id: int = field(metadata=_key("addressId", required=True))
    default_address: bool | None = field(default=None, metadata=_key("defaultAddress"))
    address_status: int | None = field(default=None, metadata=_key("addressStatus"))
    base_info: AddressBaseInfo | None = field(default=None, metadata=_key("baseInfo"))


@dataclass(frozen=True, slots=True)
class RejectReason:
    code: int = field(metadata=_key("code", required=True))
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
    staff_info: dict | None = field(default=None, metadata=_key("staffInfo"))


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
    expires_in: int | None = field(default=None, metadata=_key("expires_in"))
    refresh_token_expires_in: int | None = field(
        default=None, metadata=_key("refresh_token_expires_in")
    )
    scopes: tuple[str, ...] | None = field(default=None, metadata=_key("scopes"))

    def __repr__(self) -> str:  # never print tokens
        return f"OAuthToken(open_id={self.open_id!r}, expires_in={self.expires_in!r}, scopes={self.scopes!r})"
