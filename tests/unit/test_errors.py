"""classify(): every row of the spec's error table (§3) maps to its type, whichever field family
carries the code or the text."""

from __future__ import annotations

import pytest

from desktop.core.kuaishou import errors
from desktop.core.kuaishou.errors import classify

ROWS = [
    ({"result": 24, "error_msg": "AUTHORIZATION_REVOKED"}, errors.AuthorizationRevoked),
    ({"result": 24}, errors.AuthorizationRevoked),
    ({"result": 26, "error_msg": "主账号不存在"}, errors.AuthorizationRevoked),
    ({"result": 0, "msg": "主账号不存在"}, errors.AuthorizationRevoked),
    ({"result": 28, "error_msg": "鉴权失败"}, errors.TokenExpired),
    ({"result": 28, "error_msg": "TOKEN过期"}, errors.TokenExpired),
    ({"code": "401", "msg": "auth failed", "sub_msg": "token过期"}, errors.TokenExpired),
    ({"result": 28, "error_msg": "token中无scope权限"}, errors.ScopeMissing),
    ({"result": 27, "error_msg": "验签失败"}, errors.SignatureError),
    ({"result": 27, "sub_msg": "签名校验失败"}, errors.SignatureError),
    ({"result": 2, "error_msg": "Exceed qps limit"}, errors.RateLimited),
    ({"code": "429", "msg": "exceed QPS limit, retry later"}, errors.RateLimited),
    ({"result": 2, "error_msg": "Exceed quota limit"}, errors.QuotaExceeded),
    ({"result": 2, "error_msg": "调用次数超限 [1017]"}, errors.QuotaExceeded),
    ({"result": 21, "error_msg": "order operation reject"}, errors.OrderOfAnotherShop),
    ({"result": 21, "error_msg": "商品已下架"}, errors.BusinessRejected),
    ({"result": 99, "error_msg": "未知错误"}, errors.BusinessRejected),
    ({"result": 0}, errors.BusinessRejected),
    *[
        ({"result": int(c), "error_msg": "x"}, errors.RefundChanged)
        for c in ("300002", "300010", "300013", "300014", "300016", "300017", "300018")
    ],
    *[
        ({"result": 0, "sub_code": c, "sub_msg": "x"}, errors.RefundChanged)
        for c in ("300002", "300010", "300013", "300014", "300016", "300017", "300018")
    ],
    *[
        ({"result": int(c), "error_msg": "x"}, errors.RequestError)
        for c in ("300003", "300005", "300019", "300004", "300011", "300012")
    ],
    *[
        ({"code": "50", "sub_code": c}, errors.RequestError)
        for c in ("300003", "300005", "300019", "300004", "300011", "300012")
    ],
]


@pytest.mark.parametrize(("envelope", "exc_type"), ROWS)
def test_every_error_row_maps_to_its_type(envelope, exc_type):
    exc = classify(envelope, method="open.x")
    assert type(exc) is exc_type
    assert exc.method == "open.x" and exc.result == envelope.get("result")


def test_flags_tell_the_caller_what_to_do():
    assert classify({"result": 24}).needs_reauth
    assert classify({"result": 28, "error_msg": "鉴权失败"}).needs_reauth
    assert classify({"result": 2, "error_msg": "Exceed qps limit"}).transient
    assert not classify({"result": 21}).transient
    assert not classify({"result": 300014}).transient
    assert errors.TransportError("x").transient and errors.TransportError("x").maybe_processed
    assert not errors.TransportError("x", maybe_processed=False).maybe_processed
    assert not errors.MalformedResponse("x").transient


def test_message_request_id_and_sub_code_are_kept():
    exc = classify(
        {
            "result": 0,
            "code": "50",
            "msg": "业务失败",
            "sub_code": "300014",
            "sub_msg": "退款单状态已更新，请刷新重试",
            "requestId": "r-1",
        },
        method="m",
    )
    assert exc.sub_code == "300014" and exc.code == "50" and exc.request_id == "r-1"
    assert "退款单状态已更新" in exc.message and "业务失败" in exc.message
    assert str(exc).endswith("[m] (requestId r-1)")


def test_parse_error_names_the_field():
    exc = errors.ParseError("data.items[2].refundFee", "expected an integer")
    assert exc.field == "data.items[2].refundFee" and "refundFee" in str(exc)
    assert isinstance(exc, errors.MalformedResponse)


def test_oauth_discarded_refresh_token():
    exc = errors.OAuthError("refresh token discarded", error="refreshToken.discarded", result=100200102)
    assert exc.error == "refreshToken.discarded" and exc.needs_reauth


def test_redirect_errors_are_value_errors():
    assert issubclass(errors.OAuthStateMismatch, errors.OAuthRedirectError)
    assert issubclass(errors.OAuthRedirectError, ValueError)
    assert issubclass(errors.PastedTokenExpired, errors.TokenExpired)


def test_the_published_answers_are_explained():
    other = classify({"result": 21, "error_msg": "order operation reject"})
    assert "另一家店铺" in other.message and "order operation reject" in other.message
    revoked = classify({"result": 24, "error_msg": "AUTHORIZATION_REVOKED"})
    assert revoked.needs_reauth and "重新授权" in revoked.message
    unknown_account = classify({"result": 26, "error_msg": "主账号不存在"})
    assert unknown_account.needs_reauth and "子账号" in unknown_account.message
