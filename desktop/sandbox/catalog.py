"""The platform's vocabulary as the sandbox speaks it: codes, time windows, limits, reject reasons.

Plain tables and the readers of a request's parameters (spec §4 and §5), shared by the shop's state
machine (:mod:`desktop.sandbox.state`) and the demo data (:mod:`desktop.sandbox.seed`). A parameter
that is missing or of the wrong type is refused here, with the platform's parameter error naming it.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any, Literal, overload

from desktop.sandbox.errors import param_error

DAY_MS = 86_400_000
HOUR_MS = 3_600_000
MINUTE_MS = 60_000
MAX_HISTORY_MS = 90 * DAY_MS
#: the 90-day rule is checked against the sandbox clock with this much slack for client clock skew
HISTORY_SLACK_MS = 60_000
RETURN_WINDOW_MS = 10 * DAY_MS  # the buyer's time to send the parcel back
RECEIPT_WINDOW_MS = 7 * DAY_MS  # the merchant's time to confirm receipt
BUYER_MODIFY_WINDOW_MS = 3 * DAY_MS  # the buyer's time to modify after a rejection

# handlingWay
RETURN_REFUND, EXCHANGE, RESEND, REPAIR, REFUND_ONLY = 1, 3, 4, 5, 10
KIND_NAMES: dict[int, str] = {
    REFUND_ONLY: "仅退款",
    RETURN_REFUND: "退货退款",
    EXCHANGE: "换货",
    RESEND: "补寄",
    REPAIR: "维修",
}
# negotiateStatus
NEG_WAITING, NEG_AGREED, NEG_REJECTED = 1, 2, 3
# status
ST_WAIT_SELLER, ST_RETURN_REQUEST, ST_REJECTED = 10, 11, 12
ST_DISPUTE, ST_PLATFORM_CONFIRMED_RETURN = 20, 22
ST_WAIT_BUYER_RETURN, ST_WAIT_RECEIPT, ST_EXECUTING, ST_SUCCEEDED, ST_CLOSED = 30, 40, 50, 60, 70
DISPUTE_STATUSES = frozenset({20, 21, 22, 23})

ROLE_BUYER, ROLE_SELLER, ROLE_SYSTEM, ROLE_PLATFORM = "buyer", "seller", "system", "platform"

#: the fields the list method returns per item (the detail returns every field)
LIST_KEYS = (
    "refundId", "oid", "handlingWay", "negotiateStatus", "status", "refundType", "refundFee",
    "refundReason", "refundReasonDesc", "refundDesc", "skuId", "skuNick", "itemId", "relItemId",
    "relSkuId", "sellerId", "submitTime", "createTime", "updateTime", "negotiateUpdateTime", "endTime",
    "receiptStatus", "logisticsId", "expireTime", "urgeTimes", "requireReturnFreight",
)  # fmt: skip

FREIGHT_KEYS = (
    "returnFreightHandlingAdvice", "returnFreightAmount", "returnFreightRejectDesc",
    "returnFreightRejectImages",
)  # fmt: skip

MAX_PAGE_SIZE = 100
MAX_IMAGES = 6
MAX_REJECT_DESC = 500
MAX_FREIGHT_REJECT_DESC = 300


# ------------------------------------------------------------------------- reject reasons
def kind_name(handling_way: object, default: str) -> str:
    """The Chinese name of a ``handlingWay`` code, or ``default`` for a code the platform has not got."""
    return KIND_NAMES.get(handling_way, default) if isinstance(handling_way, int) else default


def _reason(code: int, desc: str, tip: str, need_desc: bool, need_image: bool) -> dict[str, Any]:
    return {
        "code": code,
        "desc": desc,
        "tip": tip,
        "requiredRejectDesc": need_desc,
        "requiredRejectImage": need_image,
    }


_REFUND_ONLY_REASONS = (
    _reason(1001, "商品已发货，请买家拒收或申请退货退款", "请在说明中填写物流单号", True, False),
    _reason(1002, "买家已签收，商品无质量问题", "请上传签收凭证", True, True),
    _reason(1003, "已与买家协商一致不退款", "请填写协商结果", True, False),
    _reason(1004, "申请金额与协商金额不一致", "请说明协商金额", True, False),
    _reason(1099, "其他原因", "请详细说明并上传凭证", True, True),
)
_PRICE_PROTECTION_REASONS = (
    _reason(1101, "商品价格未发生变化", "请上传价格截图", False, True),
    _reason(1199, "其他原因", "请详细说明并上传凭证", True, True),
)
_RETURN_REASONS = (
    _reason(2001, "已超出七天无理由退货期限", "", False, False),
    _reason(2002, "该商品不支持七天无理由退货", "请上传商品页面截图", False, True),
    _reason(2003, "已与买家协商一致不退货", "请填写协商结果", True, False),
    _reason(2099, "其他原因", "请详细说明并上传凭证", True, True),
)
_RECEIPT_REASONS = (
    _reason(3001, "未收到退货商品", "请填写查询到的物流情况", True, False),
    _reason(3002, "退回商品与原商品不符", "请上传收到商品的照片", True, True),
    _reason(3003, "退回商品已损坏，影响二次销售", "请上传商品照片", False, True),
    _reason(3099, "其他原因", "请详细说明并上传凭证", True, True),
)
_SERVICE_REASONS: dict[int, tuple[dict[str, Any], ...]] = {
    EXCHANGE: (
        _reason(4001, "已与买家协商一致不换货", "请填写协商结果", True, False),
        _reason(4002, "所换规格库存不足", "", False, False),
        _reason(4099, "其他原因", "请详细说明并上传凭证", True, True),
    ),
    RESEND: (
        _reason(4101, "已与买家协商一致不补寄", "请填写协商结果", True, False),
        _reason(4102, "包裹已完整签收，无缺件", "请上传签收凭证", False, True),
        _reason(4199, "其他原因", "请详细说明并上传凭证", True, True),
    ),
    REPAIR: (
        _reason(4201, "商品不在保修范围内", "请上传保修条款截图", True, True),
        _reason(4202, "已与买家协商一致不维修", "请填写协商结果", True, False),
        _reason(4299, "其他原因", "请详细说明并上传凭证", True, True),
    ),
}


def reject_reasons_for(refund: Mapping[str, Any]) -> tuple[dict[str, Any], ...] | None:
    """The reasons allowed for rejecting ``refund`` now, or ``None`` when it cannot be rejected."""
    status, neg, way = refund.get("status"), refund.get("negotiateStatus"), refund.get("handlingWay")
    if status in (ST_WAIT_RECEIPT, ST_PLATFORM_CONFIRMED_RETURN):
        return _RECEIPT_REASONS
    if status in (ST_WAIT_SELLER, ST_RETURN_REQUEST) and neg == NEG_WAITING:
        if way == REFUND_ONLY:
            return _PRICE_PROTECTION_REASONS if refund.get("specialRefundType") == 1 else _REFUND_ONLY_REASONS
        if way == RETURN_REFUND:
            return _RETURN_REASONS
        return (
            _SERVICE_REASONS.get(way, _REFUND_ONLY_REASONS) if isinstance(way, int) else _REFUND_ONLY_REASONS
        )
    return None


# ------------------------------------------------------------------------------ param helpers
@overload
def int_param(params: Mapping[str, Any], key: str, *, required: Literal[True] = True) -> int: ...
@overload
def int_param(params: Mapping[str, Any], key: str, *, required: bool) -> int | None: ...
def int_param(params: Mapping[str, Any], key: str, *, required: bool = True) -> int | None:
    """``params[key]`` as a whole number (a JSON number or its decimal text); a missing one is
    refused when ``required``, else ``None``."""
    value = params.get(key)
    if value is None or value == "":
        if required:
            raise param_error(f"缺少 {key}")
        return None
    if isinstance(value, bool):
        raise param_error(f"{key} 必须是整数")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and value.isascii():
        return int(value.strip())
    raise param_error(f"{key} 必须是整数，收到 {str(value)[:40]!r}")


def text_param(params: Mapping[str, Any], key: str) -> str | None:
    value = params.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise param_error(f"{key} 必须是字符串")
    return value


def images_param(params: Mapping[str, Any], key: str) -> list[str]:
    value = params.get(key)
    if value is None or value == "" or value == []:
        return []
    if isinstance(value, str):
        value = [v for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise param_error(f"{key} 必须是图片地址列表")
    if len(value) > MAX_IMAGES:
        raise param_error(f"{key} 最多 {MAX_IMAGES} 张图片")
    return list(value)


def encode_cursor(time_ms: int, refund_id: int) -> str:
    return base64.urlsafe_b64encode(f"{time_ms}:{refund_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        time_text, id_text = base64.urlsafe_b64decode(padded.encode()).decode().split(":")
        return int(time_text), int(id_text)
    except (ValueError, UnicodeError) as exc:
        raise param_error(f"pcursor 无效：{cursor[:40]!r}") from exc


def yuan(fen: int) -> str:
    return f"¥{fen // 100}.{fen % 100:02d}"


def is_waiting(r: Mapping[str, Any]) -> bool:
    """True when the merchant has a step to take (what ``type=8`` lists)."""
    status = r.get("status")
    if status in (ST_WAIT_SELLER, ST_RETURN_REQUEST):
        return r.get("negotiateStatus") == NEG_WAITING
    return status in (ST_WAIT_RECEIPT, ST_PLATFORM_CONFIRMED_RETURN)
