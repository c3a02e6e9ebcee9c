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

# refund codes (the official return-code table, spec §8)
STATUS_ERROR = 300002
END_BEFORE_BEGIN = 300003
WINDOW_TOO_WIDE_4 = 300004
OLDER_THAN_90_DAYS = 300005
REFUND_ID_EMPTY = 300006
INTERVENE_DESC_EMPTY = 300007
WRONG_REFUND_WAY = 300008
ZERO_AMOUNT = 300009
STATE_CANNOT_REFUND = 300010
REFUND_NOT_FOUND = 300011
NOT_YOUR_REFUND = 300012
BUYER_CANCELLED = 300013
REFUND_CHANGED = 300014
AT_MOST_THREE_PICTURES = 300015
NEGOTIATE_WRONG = 300016
NEGOTIATE_CHANGED = 300017
STATUS_NOT_ALLOWED = 300018
WINDOW_TOO_WIDE = 300019

#: the official texts of the refund codes; a 3000xx answer always carries its official text in
#: ``error_msg``/``msg`` (the sandbox's own explanation, if any, goes to ``sub_msg``)
TEXTS: dict[int, str] = {
    STATUS_ERROR: "退款单状态错误",
    END_BEFORE_BEGIN: "结束时间要晚于开始时间",
    WINDOW_TOO_WIDE_4: "查询范围不能大于7天",
    OLDER_THAN_90_DAYS: "只能查询最近90天内的订单",
    REFUND_ID_EMPTY: "退款单id为空",
    INTERVENE_DESC_EMPTY: "申请平台接入描述为空",
    WRONG_REFUND_WAY: "退款方式错误",
    ZERO_AMOUNT: "退款金额为0",
    STATE_CANNOT_REFUND: "退款单当前状态不能退款",
    REFUND_NOT_FOUND: "退款单不存在",
    NOT_YOUR_REFUND: "不能操作他人退款单",
    BUYER_CANCELLED: "买家取消退款",
    REFUND_CHANGED: "退款单状态已更新，请刷新重试",
    AT_MOST_THREE_PICTURES: "最多三张图片",
    NEGOTIATE_WRONG: "协商状态不对",
    NEGOTIATE_CHANGED: "协商状态已改变",
    STATUS_NOT_ALLOWED: "当前退款状态不可操作",
    WINDOW_TOO_WIDE: "时间范围超限",
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
        official = TEXTS.get(result)
        if official is not None and error_msg is not None and error_msg != official:
            sub_msg = sub_msg or error_msg  # the explanation beside the official text
        text = official or (error_msg if error_msg is not None else f"error {result}")
        super().__init__(text)
        self.result = result
        self.error_msg = text
        self.sub_code = sub_code if sub_code is not None else (str(result) if result >= 300000 else None)
        self.sub_msg = sub_msg

    def envelope(self, request_id: str) -> dict[str, Any]:
        body: dict[str, Any] = {
            "result": self.result,
            "error_msg": self.error_msg,
            "requestId": request_id,
            "code": str(self.result),
            "msg": self.error_msg,
        }
        # the code family is always strings (spec §8), present even when there is no sub-code
        body["sub_code"] = self.sub_code or ""
        body["sub_msg"] = (self.sub_msg or self.error_msg) if self.sub_code is not None else ""
        return body


def param_error(text: str) -> ApiFailure:
    """A missing or malformed business parameter."""
    return ApiFailure(PARAM_ERROR, f"参数错误：{text}", sub_code="isv.invalid-parameter")


def rejected(text: str) -> ApiFailure:
    """A business rule refused the action (result 21, "order operation reject")."""
    return ApiFailure(BUSINESS_REJECTED, text, sub_code="isv.order-operation-reject")
