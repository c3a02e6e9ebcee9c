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
  use it); unknown enum values are kept as plain ints (shown as "unknown (N)"); a missing optional
  field is ``None``. A list page sets an unreadable item aside (``RefundPage.unreadable``) and goes on.

Ids stay ``int`` (64-bit), money is integer fen, times are epoch milliseconds.

Each record knows its API key per attribute (``field(metadata={"key": ...})``) so the sandbox can emit
the same shapes with :func:`to_api`.
"""

from __future__ import annotations

import dataclasses
import enum
import json
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


# Decision fields: what an action or a deadline is decided on. They are read strictly (a wrong
# type or a value out of range raises ParseError naming the field); every other field is read
# leniently (the declared type and the plausible other encodings; anything else is None).
#: the epoch-millisecond times accepted (2000-01-01 … 2100-01-01; 0 is the platform's "none")
TIME_MIN_MS = 946_684_800_000
TIME_MAX_MS = 4_102_444_800_000
#: the largest amount accepted, in fen (¥1,000,000,000: anything above is a broken answer)
AMOUNT_MAX_FEN = 100_000_000_000
#: ids are 64-bit signed integers on the platform (and in SQLite)
ID_MAX = 2**63 - 1
#: enum codes (status, handlingWay…) are 32-bit on the platform; unknown values are kept
ENUM_MAX = 2**31 - 1


def _id(**extra: Any) -> dict[str, Any]:
    return {"strict": True, "range": (0, ID_MAX, "an id outside the 64-bit range"), **extra}


def _time() -> dict[str, Any]:
    # 0 (the platform's "none") is accepted too: see _Field.zero_ok
    return {
        "strict": True,
        "range": (TIME_MIN_MS, TIME_MAX_MS, "a time outside the years 2000–2100"),
        "time": True,
    }


def _amount() -> dict[str, Any]:
    return {"strict": True, "range": (0, AMOUNT_MAX_FEN, "a negative or absurd amount")}


def _seconds() -> dict[str, Any]:
    return {"strict": True, "range": (0, 10 * 366 * 86_400, "a lifetime outside 0–10 years")}


def _enum() -> dict[str, Any]:
    return {"strict": True, "range": (0, ENUM_MAX, "an enum code out of range")}


# an optional minus and at most 40 ASCII digits (64-bit ids have 20; Python refuses huge texts)
_INT_TEXT = re.compile(r"-?[0-9]{1,40}")
# a number written with a fraction or exponent ("1.7e12", "1290.0")
_FLOAT_TEXT = re.compile(r"-?[0-9]{1,20}(\.[0-9]{0,20})?([eE][+-]?[0-9]{1,3})?")


def _parse_int(value: Any, path: str) -> int:
    if isinstance(value, bool):
        raise ParseError(path, f"expected a number, got {value!r}")
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
        if _FLOAT_TEXT.fullmatch(text):
            number = float(text)
            if math.isfinite(number) and number.is_integer():
                return int(number)
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
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "0", "1"):
        return value.strip().lower() in ("true", "1")
    raise ParseError(path, f"expected true/false, got {value!r}"[:120])


def _json_text(value: str) -> Any:
    """``value`` decoded when it is JSON array or object text, else ``None``."""
    text = value.strip()
    if text[:1] in ("[", "{"):
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            return None
    return None


def text_list(value: Any) -> tuple[str, ...]:
    """A list of texts (picture URLs…) from any plausible encoding: a JSON array, JSON-array text,
    comma-separated text, a single text, ``""``, ``"[]"`` or null. Items that are objects give their
    ``url``; anything else unusable is left out. Never raises."""
    if value is None:
        return ()
    if isinstance(value, str):
        decoded = _json_text(value)
        if decoded is not None:
            return text_list(decoded) if isinstance(decoded, list) else ()
        return tuple(part.strip() for part in value.replace("，", ",").split(",") if part.strip())
    if isinstance(value, (list, tuple)):
        out = []
        for item in value:
            if isinstance(item, str):
                if item.strip():
                    out.append(item.strip())
            elif isinstance(item, Mapping):
                url = item.get("url") or item.get("uri") or item.get("picUrl")
                if isinstance(url, str) and url.strip():
                    out.append(url.strip())
            elif isinstance(item, (int, float)) and not isinstance(item, bool):
                out.append(str(item))
        return tuple(out)
    return ()


#: the parts of an address object, in the order they are written
_ADDRESS_PARTS = ("province", "city", "district", "town", "address", "detailAddress", "desensitiseAddress")
_ADDRESS_PEOPLE = ("consignee", "desensitiseConsignee", "mobile", "desensitiseMobile")


def address_text(value: Any) -> str | None:
    """A return address as one line of text: the declared text as is, an object (or JSON-object
    text) rendered as "province city district … street, consignee mobile". Never raises."""
    if value is None:
        return None
    if isinstance(value, str):
        decoded = _json_text(value)
        if isinstance(decoded, Mapping):
            return address_text(decoded)
        return value.strip() or None
    if isinstance(value, Mapping):
        base = value.get("baseInfo")
        if isinstance(base, Mapping):
            return address_text(base)
        place = "".join(
            str(value[k]).strip()
            for k in _ADDRESS_PARTS
            if isinstance(value.get(k), (str, int))
            and not isinstance(value.get(k), bool)
            and str(value[k]).strip()
        )
        people = " ".join(
            str(value[k]).strip()
            for k in _ADDRESS_PEOPLE
            if isinstance(value.get(k), (str, int))
            and not isinstance(value.get(k), bool)
            and str(value[k]).strip()
        )
        text = " ".join(t for t in (place, people) if t)
        return text or None
    return None


class _TextList:
    """Marker type: a list of texts read with :func:`text_list`."""


class _AddressText:
    """Marker type: an address read with :func:`address_text`."""


def _parse_value(tp: Any, value: Any, path: str) -> Any:
    """``value`` as ``tp``, strictly: :class:`ParseError` when it does not fit."""
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
            if isinstance(value, float) and math.isfinite(value) and value.is_integer():
                return int(value)
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
    if tp is _TextList:
        return text_list(value)
    if tp is _AddressText:
        return address_text(value)
    if origin is tuple:
        (item_tp, _ellipsis) = typing.get_args(tp)
        if isinstance(value, str):
            decoded = _json_text(value)
            if isinstance(decoded, list):
                value = decoded
        if not isinstance(value, list):
            raise ParseError(path, f"expected a list, got {type(value).__name__}")
        return tuple(_parse_value(item_tp, v, f"{path}[{i}]") for i, v in enumerate(value))
    if origin is dict or tp is dict:
        if isinstance(value, str):
            decoded = _json_text(value)
            if isinstance(decoded, dict):
                return decoded
        if not isinstance(value, dict):
            raise ParseError(path, f"expected an object, got {type(value).__name__}")
        return value
    if dataclasses.is_dataclass(tp):
        if isinstance(value, str):
            decoded = _json_text(value)
            if isinstance(decoded, dict):
                value = decoded
        return parse(tp, value, path)
    raise TypeError(f"unsupported field type {tp}")


def _lenient_value(tp: Any, value: Any, path: str) -> Any:
    """``value`` as ``tp`` leniently: what does not fit is ``None`` (a list keeps the items that
    fit). A nested record's own decision fields still raise."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            tp = args[0]
            origin = typing.get_origin(tp)
    if value is None:
        return None
    if origin is tuple:
        (item_tp, _ellipsis) = typing.get_args(tp)
        if isinstance(value, str):
            value = _json_text(value)
        if not isinstance(value, list):
            return None
        out = []
        for i, v in enumerate(value):
            item = _lenient_value(item_tp, v, f"{path}[{i}]")
            if item is not None:
                out.append(item)
        return tuple(out)
    if dataclasses.is_dataclass(tp):
        if isinstance(value, str):
            value = _json_text(value)
        if not isinstance(value, Mapping):
            return None
        return parse(tp, value, path)
    try:
        result = _parse_value(tp, value, path)
    except ParseError:
        return None
    if isinstance(result, int) and not isinstance(result, bool) and not -ID_MAX <= result <= ID_MAX:
        return None  # a number no column can hold: not worth the refund
    return result


T = TypeVar("T")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


@dataclass(frozen=True, slots=True)
class _Field:
    hint: Any
    key: str
    default: Any
    empty_is_missing: bool  # "" for an absent number/object is common in the wild
    strict: bool
    low: int | None = None
    high: int | None = None
    what: str = ""
    zero_ok: bool = False  # a time: 0 is the platform's "none"


def _slow(f: _Field, value: Any, path: str) -> Any:
    """A value that is not already of the field's plain type: convert it or name the field."""
    if f.empty_is_missing and isinstance(value, str) and not value.strip():
        return f.default() if callable(f.default) else f.default
    where = _join(path, f.key)
    if not f.strict:
        result = _lenient_value(f.hint, value, where)
        if result is None:
            return f.default() if callable(f.default) else f.default
        return result
    result = _parse_value(f.hint, value, where)
    if (
        f.low is not None
        and isinstance(result, int)
        and not f.low <= result <= f.high
        and not (f.zero_ok and result == 0)
    ):
        _out_of_range(f, result, where)
    return result


def _out_of_range(f: _Field, value: int, where: str) -> None:
    shown = str(value)
    if len(shown) > 24:
        shown = shown[:10] + "…" + shown[-4:]
    raise ParseError(where, f"{f.what} ({shown})")


_parsers: dict[type, Any] = {}


def _compile(cls: type) -> Any:
    """Generate the parser of ``cls`` once (as :mod:`dataclasses` generates ``__init__``).

    Per field: take a value that already has the plain type (int, str, bool) — and, for a decision
    field, lies in its range — as is: the common case, and what keeps listing 10,000 refunds cheap;
    use the default when it is absent, and hand anything else to :func:`_slow`, which converts it,
    or (a decision field) raises :class:`ParseError` naming it, or (any other field) drops it.
    """
    hints = typing.get_type_hints(cls)
    env: dict[str, Any] = {
        "_PE": ParseError,
        "_cls": cls,
        "_slow": _slow,
        "_join": _join,
        "_range": _out_of_range,
    }
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
        hint = f.metadata.get("as") or hints[f.name]
        key = f.metadata.get("key", f.name)
        has_default = f.default is not dataclasses.MISSING
        has_factory = f.default_factory is not dataclasses.MISSING
        required = bool(f.metadata.get("required")) or not (has_default or has_factory)
        strict = bool(f.metadata.get("strict")) or required
        low, high, what = f.metadata.get("range") or (None, None, "")
        plain = [a for a in typing.get_args(hint) if a is not type(None)] or [hint]
        fast = plain[0] if len(plain) == 1 and plain[0] in (int, str, bool) else None
        empty_is_missing = hint is not str and not required
        env[f"F{i}"] = _Field(
            hint,
            key,
            f.default_factory if has_factory else f.default,
            empty_is_missing,
            strict,
            low,
            high,
            what,
            bool(f.metadata.get("time")),
        )
        v = f"v{i}"
        lines.append(f"    {v} = get({key!r})")
        if fast is not None:
            truthy = f" and {v}" if fast is str and empty_is_missing else ""
            if fast is int and low is not None:
                truthy = f" and {low} <= {v} <= {high}"
            elif fast is int:
                truthy = f" and -{ID_MAX} <= {v} <= {ID_MAX}"
            lines.append(f"    if type({v}) is {fast.__name__}{truthy}:")
            lines.append("        pass")
            lines.append(f"    elif {v} is None:")
        elif set(plain) == {int, str} and not strict:  # a code sent as a number or a text
            lines.append(
                f"    if type({v}) is int and -{ID_MAX} <= {v} <= {ID_MAX} or type({v}) is str and {v}:"
            )
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
    slots = all(isinstance(cls.__dict__.get(name), types.MemberDescriptorType) for name, _ in values)
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
    exec("\n".join(lines), env)
    return env["parse_fn"]


def parse(cls: type[T], data: Any, path: str = "") -> T:
    """Parse ``data`` (a JSON object) into ``cls``; raise :class:`ParseError` naming a bad field."""
    if not isinstance(data, Mapping):
        raise ParseError(path or cls.__name__, f"expected an object, got {type(data).__name__}")
    parser = _parsers.get(cls)
    if parser is None:
        parser = _parsers[cls] = _compile(cls)
        custom = _CUSTOM.get(cls.__name__)
        if custom is not None:
            plain = parser
            parser = _parsers[cls] = lambda data, path: custom(plain(data, path), data, path)
    return parser(data, path)


def refund_id_of(item: Any) -> int | None:
    """The refund id of a list item or detail when it can be read, else ``None`` (never raises)."""
    if not isinstance(item, Mapping):
        return None
    value = item.get("refundId")
    try:
        rid = _parse_int(value, "refundId") if value is not None else None
    except ParseError:
        return None
    return rid if rid is not None and 0 <= rid <= ID_MAX else None


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
    parse_refund = _parsers.get(Refund) or (parse(Refund, {"refundId": 1}) and _parsers[Refund])
    prefix = _join(path, key)
    append = items.append
    for i, item in enumerate(value):
        # the item's path is only needed for an error: built then, not for each of 10,000 items
        try:
            if type(item) is not dict:
                raise ParseError(f"{prefix}[{i}]", f"expected an object, got {type(item).__name__}")
            append(parse_refund(item, prefix))
        except ParseError as first:
            error = first
            if type(item) is dict:  # parsed again with the item's own path, for the message
                try:
                    parse_refund(item, f"{prefix}[{i}]")
                except ParseError as named:
                    error = named
            unreadable.append(UnreadableRefund(refund_id_of(item), error, item))
    return dataclasses.replace(page, items=tuple(items), unreadable=tuple(unreadable))


#: records whose parser finishes with a hand-written step (by class name)
_CUSTOM: dict[str, Any] = {"RefundPage": _page_items}


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
    raw: dict = field(default_factory=dict, compare=False, repr=False)


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
    # the token's lifetimes decide when it is renewed: strict
    expires_in: int | None = field(default=None, metadata=_key("expires_in", **_seconds()))
    refresh_token_expires_in: int | None = field(
        default=None, metadata=_key("refresh_token_expires_in", **_seconds())
    )
    scopes: tuple[str, ...] | None = field(default=None, metadata=_key("scopes", **{"as": _TextList}))

    def __repr__(self) -> str:  # never print tokens
        return f"OAuthToken(open_id={self.open_id!r}, expires_in={self.expires_in!r}, scopes={self.scopes!r})"
