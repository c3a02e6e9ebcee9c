"""The sandbox gateway over real HTTP, driven with plain ``requests`` and the shared signing function
(never the app's client, so a bug in one cannot hide in the other)."""

from __future__ import annotations

import json
from email.utils import parsedate_to_datetime

import pytest
import requests

from desktop.core.kuaishou.signing import sign
from desktop.sandbox import DEMO_CREDENTIALS, Sandbox

DAY = 86_400_000
LIST = "open.seller.order.refund.pcursor.list"


class FixedClock:
    def __init__(self, t: float = 1_764_140_000.0) -> None:
        self.t = t

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def sb():
    with Sandbox(seed=7, clock=FixedClock()) as sandbox:
        yield sandbox


def signed(sb: Sandbox, method: str, param: dict | None = None, *, sign_method: str = "HMAC_SHA256",
           token: str | None = None, secret: str | None = None, **override) -> dict[str, str]:
    c = sb.credentials
    params = {
        "appkey": c.app_key,
        "method": method,
        "version": "1",
        "param": json.dumps(param or {}, ensure_ascii=False),
        "access_token": token or c.access_token,
        "timestamp": str(sb.now_ms()),
        "signMethod": sign_method,
    }
    params.update(override)
    params["sign"] = sign(params, secret or c.sign_secret)
    return params


def call(sb: Sandbox, method: str, param: dict | None = None, *, verb: str | None = None, **kw) -> dict:
    from desktop.sandbox import METHODS

    verb = verb or METHODS[method].verb
    url = sb.base_url + "/" + method.replace(".", "/")
    params = signed(sb, method, param, **kw)
    if verb == "GET":
        response = requests.get(url, params=params, timeout=5)
    else:
        response = requests.post(url, data=params, timeout=5)
    assert response.status_code == 200
    return response.json()


def ok(envelope: dict):
    assert envelope["result"] == 1, envelope
    return envelope["data"]


def list_window(sb: Sandbox, begin: int, end: int, **extra) -> list[dict]:
    items, cursor = [], ""
    while True:
        data = ok(call(sb, LIST, {"beginTime": begin, "endTime": end, "type": 9, "pageSize": 100,
                                  "currentPage": 1, "pcursor": cursor, **extra}))
        items += data["refundOrderInfoList"]
        cursor = data["pcursor"]
        if cursor == "nomore":
            return items


# ------------------------------------------------------------------------------- signatures
@pytest.mark.parametrize("method", ["MD5", "HMAC_SHA256"])
def test_both_sign_methods_accepted_get_and_post(sb, method):
    data = ok(call(sb, "open.user.seller.get", sign_method=method))
    assert data["sellerId"] == DEMO_CREDENTIALS.seller_id and data["name"]
    rid = next(r["refundId"] for r in sb.refunds.values() if r["handlingWay"] == 10 and r["status"] == 10
               and r["negotiateStatus"] == 1 and r.get("expireTime"))
    fee = sb.refunds[rid]["refundFee"]
    ok(call(sb, "open.seller.order.refund.approve", {"refundId": rid, "refundAmount": fee}, sign_method=method))
    assert sb.refunds[rid]["status"] == 60


@pytest.mark.parametrize("method", ["MD5", "HMAC_SHA256"])
def test_wrong_secret_or_tampered_param_is_refused(sb, method):
    bad = call(sb, "open.user.seller.get", sign_method=method, secret="not-the-secret")
    assert bad["result"] != 1 and "验签失败" in bad["error_msg"]
    params = signed(sb, "open.user.seller.get", {}, sign_method=method)
    params["param"] = '{"x":1}'  # changed after signing
    body = requests.get(sb.base_url + "/open/user/seller/get", params=params, timeout=5).json()
    assert "验签失败" in body["error_msg"] and body["sub_msg"]
    assert {"code", "msg", "sub_code", "sub_msg", "requestId"} <= body.keys()


def test_unknown_sign_method_and_missing_common_params(sb):
    params = signed(sb, "open.user.seller.get", sign_method="MD5")
    params["signMethod"] = "SHA1"
    body = requests.get(sb.base_url + "/open/user/seller/get", params=params, timeout=5).json()
    assert "验签失败" in body["error_msg"] and "SHA1" in body["error_msg"]
    params = signed(sb, "open.user.seller.get")
    del params["timestamp"]
    body = requests.get(sb.base_url + "/open/user/seller/get", params=params, timeout=5).json()
    assert body["result"] != 1 and "timestamp" in body["error_msg"]


def test_wrong_appkey_and_wrong_verb(sb):
    body = call(sb, "open.user.seller.get", appkey="ks000")
    assert body["result"] != 1 and "appkey" in body["error_msg"]
    body = call(sb, "open.user.seller.get", verb="POST")
    assert body["result"] != 1 and "GET" in body["error_msg"]
    assert sb.call_log[-1]["verb"] == "POST"


def test_every_response_has_a_date_header_from_the_sandbox_clock(sb):
    response = requests.get(sb.base_url + "/open/user/seller/get", params=signed(sb, "open.user.seller.get"),
                            timeout=5)
    assert parsedate_to_datetime(response.headers["Date"]).timestamp() == pytest.approx(sb.now_ms() / 1000, abs=1)
    sb.advance(3600)
    response = requests.get(sb.base_url + "/nowhere", timeout=5)
    assert parsedate_to_datetime(response.headers["Date"]).timestamp() == pytest.approx(sb.now_ms() / 1000, abs=1)
    assert response.json()["result"] != 1


# ----------------------------------------------------------------------------------- listing
def test_paging_covers_the_window_without_duplicates(sb):
    sb.seed_bulk(600, days=2)
    now = sb.now_ms()
    items = list_window(sb, now - DAY, now)
    ids = [r["refundId"] for r in items]
    assert len(ids) == len(set(ids))
    expected = {rid for rid, r in sb.refunds.items() if now - DAY <= r["createTime"] <= now}
    assert set(ids) == expected and len(ids) > 200
    times = [r["createTime"] for r in items]
    assert times == sorted(times, reverse=True)  # sort 1 (default) = newest first
    asc = list_window(sb, now - DAY, now, sort=2)
    assert [r["refundId"] for r in asc] == ids[::-1]


def test_list_window_rules(sb):
    now = sb.now_ms()
    assert call(sb, LIST, {"beginTime": now, "endTime": now - 1, "type": 9, "pcursor": ""})["result"] == 300003
    assert call(sb, LIST, {"beginTime": now - DAY - 1, "endTime": now, "type": 9})["result"] == 300019
    old = now - 91 * DAY
    assert call(sb, LIST, {"beginTime": old, "endTime": old + DAY, "type": 9})["result"] == 300005
    body = call(sb, LIST, {"beginTime": now - DAY, "endTime": now, "type": 9, "pageSize": 101})
    assert body["result"] != 1 and "pageSize" in body["error_msg"]
    body = call(sb, LIST, {"endTime": now, "type": 9})
    assert body["result"] != 1 and "beginTime" in body["error_msg"]
