"""The gateway's failure answers, as the sandbox sends them (spec §3).

Business failures come back with HTTP 200 and ``result != 1``. Every failure carries both field
families: ``result``/``error_msg`` and the newer ``code``/``msg``/``sub_code``/``sub_msg``. The 3000xx
refund codes are sent in ``result`` *and* in ``sub_code`` (the docs do not say which one carries them).

The numeric ``result`` of the gateway-level failures (bad signature, expired token, QPS…) is not
documented; the texts are, and they are what clients recognise. The values chosen here are stable so
tests can assert on them.
"""

from __future__ import annotations

from typing import Any

# gateway-level failures (numbers are the sandbox's choice, texts follow the spec)
UNKNOWN_API = 12
WRONG_VERB = 13
BAD_APPKEY = 15
MISSING_COMMON_PARAM = 16
PARAM_ERROR = 22
BUSINESS_REJECTED = 21
AUTHORIZATION_REVOKED = 24
SIGNATURE_FAILED = 25
TOKEN_INVALID = 28
SCOPE_MISSING = 29
QPS_EXCEEDED = 30
SERVER_ERROR = 50

# refund codes (documented)
END_BEFORE_BEGIN = 300003
WINDOW_TOO_WIDE_4 = 300004
OLDER_THAN_90_DAYS = 300005
STATE_CANNOT_REFUND = 300010
REFUND_NOT_FOUND = 300011
NOT_YOUR_REFUND = 300012
BUYER_CANCELLED = 300013
REFUND_CHANGED = 300014
NEGOTIATE_CHANGED = 300017
STATUS_NOT_ALLOWED = 300018
WINDOW_TOO_WIDE = 300019

TEXTS: dict[int, str] = {
    REFUND_CHANGED: "退款单状态已更新，请刷新重试",
    NEGOTIATE_CHANGED: "协商状态已变更，请刷新重试",
    STATUS_NOT_ALLOWED: "当前退款单状态不允许该操作",
    STATE_CANNOT_REFUND: "当前状态不能退款",
    BUYER_CANCELLED: "买家已取消退款申请",
    REFUND_NOT_FOUND: "退款单不存在",
    NOT_YOUR_REFUND: "退款单不属于当前商家",
    END_BEFORE_BEGIN: "结束时间不能早于开始时间",
    OLDER_THAN_90_DAYS: "只能查询最近90天的数据",
    WINDOW_TOO_WIDE: "查询时间跨度不能超过1天",
}


class ApiFailure(Exception):
    """A failure the gateway answers with an envelope (HTTP 200, ``result != 1``)."""

    def __init__(
        self,
        result: int,
        error_msg: str | None = None,
        *,
        sub_code: str | None = None,
        sub_msg: str | None = None,
    ) -> None:
        text = error_msg if error_msg is not None else TEXTS.get(result, f"error {result}")
        super().__init__(text)
        self.result = result
        self.error_msg = text
        self.sub_code = sub_code if sub_code is not None else (
            str(result) if result >= 300000 else None
        )
        self.sub_msg = sub_msg

    def envelope(self, request_id: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "result": self.result,
            "error_msg": self.error_msg,
            "requestId": request_id,
            "code": str(self.result),
            "msg": self.error_msg,
        }
        if self.sub_code is not None:
            body["sub_code"] = self.sub_code
            body["sub_msg"] = self.sub_msg or self.error_msg
        return body


def param_error(text: str) -> ApiFailure:
    """A missing or malformed business parameter."""
    return ApiFailure(PARAM_ERROR, f"参数错误：{text}", sub_code="isv.invalid-parameter")


def rejected(text: str) -> ApiFailure:
    """A business rule refused the action (result 21, "order operation reject")."""
    return ApiFailure(BUSINESS_REJECTED, text, sub_code="isv.order-operation-reject")
