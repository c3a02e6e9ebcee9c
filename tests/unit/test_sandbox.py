"""The sandbox gateway over real HTTP, driven with plain ``requests`` and the shared signing function
(never the app's client, so a bug in one cannot hide in the other)."""

from __future__ import annotations

import json
from email.utils import parsedate_to_datetime

import pytest
import requests

from desktop.core.kuaishou.signing import sign
from desktop.sandbox import DEMO_CREDENTIALS, Sandbox
from desktop.sandbox import errors as E
from desktop.sandbox.wire import ROLE_CODES

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


def signed(
    sb: Sandbox,
    method: str,
    business: dict | None = None,
    *,
    sign_method: str = "HMAC_SHA256",
    token: str | None = None,
    secret: str | None = None,
    **override,
) -> dict[str, str]:
    c = sb.credentials
    params = {
        "appkey": c.app_key,
        "method": method,
        "version": "1",
        "param": json.dumps(business or {}, ensure_ascii=False),
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
        data = ok(
            call(
                sb,
                LIST,
                {
                    "beginTime": begin,
                    "endTime": end,
                    "type": 9,
                    "pageSize": 100,
                    "currentPage": 1,
                    "pcursor": cursor,
                    **extra,
                },
            )
        )
        items += data["refundOrderInfoList"]
        cursor = data["pcursor"]
        if cursor == "nomore":
            return items


# ------------------------------------------------------------------------------- signatures
@pytest.mark.parametrize("method", ["MD5", "HMAC_SHA256"])
def test_both_sign_methods_accepted_get_and_post(sb, method):
    data = ok(call(sb, "open.user.seller.get", sign_method=method))
    assert data["sellerId"] == DEMO_CREDENTIALS.seller_id and data["name"]
    rid = next(
        r["refundId"]
        for r in sb.refunds.values()
        if r["handlingWay"] == 10 and r["status"] == 10 and r["negotiateStatus"] == 1 and r.get("expireTime")
    )
    fee = sb.refunds[rid]["refundFee"]
    ok(
        call(
            sb, "open.seller.order.refund.approve", {"refundId": rid, "refundAmount": fee}, sign_method=method
        )
    )
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
    response = requests.get(
        sb.base_url + "/open/user/seller/get", params=signed(sb, "open.user.seller.get"), timeout=5
    )
    assert parsedate_to_datetime(response.headers["Date"]).timestamp() == pytest.approx(
        sb.now_ms() / 1000, abs=1
    )
    sb.advance(3600)
    response = requests.get(sb.base_url + "/nowhere", timeout=5)
    assert parsedate_to_datetime(response.headers["Date"]).timestamp() == pytest.approx(
        sb.now_ms() / 1000, abs=1
    )
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
    assert (
        call(sb, LIST, {"beginTime": now, "endTime": now - 1, "type": 9, "pcursor": ""})["result"] == 300003
    )
    assert call(sb, LIST, {"beginTime": now - DAY - 1, "endTime": now, "type": 9})["result"] == 300019
    old = now - 91 * DAY
    assert call(sb, LIST, {"beginTime": old, "endTime": old + DAY, "type": 9})["result"] == 300005
    body = call(sb, LIST, {"beginTime": now - DAY, "endTime": now, "type": 9, "pageSize": 101})
    assert body["result"] != 1 and "pageSize" in body["error_msg"]
    body = call(sb, LIST, {"endTime": now, "type": 9})
    assert body["result"] != 1 and "beginTime" in body["error_msg"]


def test_type_8_lists_only_what_waits_for_the_merchant_and_filters_apply(sb):
    now = sb.now_ms()
    waiting = [r for w in range(3) for r in list_window(sb, now - (w + 1) * DAY, now - w * DAY, type=8)]
    assert waiting and all(
        (r["status"] in (10, 11) and r["negotiateStatus"] == 1) or r["status"] == 40 for r in waiting
    )
    kinds = {r["handlingWay"] for r in waiting}
    assert kinds == {1, 3, 4, 5, 10}
    returns = list_window(sb, now - DAY, now, status=11)
    assert returns and all(r["status"] == 11 for r in returns)
    no_exchange = list_window(sb, now - 2 * DAY, now - DAY, option={"needExchange": False})
    assert all(r["handlingWay"] != 3 for r in no_exchange)


def test_list_by_update_time_sees_changes_and_bad_cursor_is_a_request_error(sb):
    rid = sb.add_refund(createTime=sb.now_ms() - 30 * DAY, expireTime=sb.now_ms() + DAY)["refundId"]
    ok(
        call(
            sb,
            "open.seller.order.refund.approve",
            {"refundId": rid, "refundAmount": sb.refunds[rid]["refundFee"]},
        )
    )
    now = sb.now_ms()
    by_update = list_window(sb, now - 60_000, now, queryType=2)
    assert rid in {r["refundId"] for r in by_update}
    assert rid not in {r["refundId"] for r in list_window(sb, now - 60_000, now, queryType=1)}
    body = call(sb, LIST, {"beginTime": now - DAY, "endTime": now, "type": 9, "pcursor": "???"})
    assert body["result"] != 1 and "pcursor" in body["error_msg"]
    assert call(sb, LIST, {"beginTime": now - DAY, "endTime": now, "type": 7})["result"] != 1


# ------------------------------------------------------------------------------------ tokens
def refresh(sb: Sandbox, token: str, *, verb: str = "POST"):
    c = sb.credentials
    params = {
        "app_id": c.app_key,
        "app_secret": c.app_secret,
        "grant_type": "refresh_token",
        "refresh_token": token,
    }
    url = sb.base_url + "/oauth2/refresh_token"
    response = (
        requests.post(url, data=params, timeout=5)
        if verb == "POST"
        else requests.get(url, params=params, timeout=5)
    )
    return response.json()


def test_expired_token_answers_token_expired_and_a_refresh_fixes_it(sb):
    sb.expire_access_token()
    body = call(sb, "open.user.seller.get")
    assert body["result"] != 1 and "鉴权失败" in body["error_msg"] and "TOKEN过期" in body["error_msg"]
    fresh = refresh(sb, sb.credentials.refresh_token)
    assert fresh["result"] == 1 and fresh["expires_in"] == 172_800
    assert ok(call(sb, "open.user.seller.get", token=fresh["access_token"]))["sellerId"]
    sb.advance(172_801)  # tokens from OAuth expire with the sandbox clock
    assert "TOKEN过期" in call(sb, "open.user.seller.get", token=fresh["access_token"])["error_msg"]


def test_revoked_authorisation_answers_24_and_refresh_no_longer_works(sb):
    sb.revoke_access_token()
    body = call(sb, "open.seller.order.refund.detail", {"refundId": next(iter(sb.refunds))})
    assert body["result"] == 24 and "AUTHORIZATION_REVOKED" in body["error_msg"]
    assert refresh(sb, sb.credentials.refresh_token)["result"] != 1
    assert "鉴权失败" in call(sb, "open.user.seller.get", token="no-such-token")["error_msg"]


def test_qps_limit_per_method_with_the_platform_text(sb):
    sb.set_qps_limit(3)
    answers = [call(sb, "open.user.seller.get") for _ in range(5)]
    refused = [a for a in answers if a["result"] != 1]
    assert len(refused) >= 2 and all("Exceed qps limit" in a["error_msg"] for a in refused)
    assert ok(call(sb, "open.score.shop.get"))["hasData"] is True  # another method has its own budget
    sb.set_qps_limit(None)
    assert all(call(sb, "open.user.seller.get")["result"] == 1 for _ in range(5))


# ------------------------------------------------------------------------- merchant actions
APPROVE = "open.seller.order.refund.approve"
RETURN_APPROVE = "open.seller.order.refund.returngoods.approve"
RECEIPT = "open.seller.order.refund.confirm.receipt"
REASONS = "open.refund.reject.reason"
REJECT = "open.refund.reject"
COMMENTS = "open.refund.comment.basic.list"
DETAIL = "open.seller.order.refund.detail"


@pytest.fixture
def empty():
    clock = FixedClock()
    with Sandbox(demo_data=False, clock=clock, buyer_ships_after_s=600) as sandbox:
        sandbox.clock = clock
        yield sandbox


def test_approve_refund_only_checks_amount_and_versions(empty):
    sb = empty
    rid = sb.add_refund(handlingWay=10, refundFee=1990)["refundId"]
    before = sb.refunds[rid]["updateTime"]
    assert call(sb, APPROVE, {"refundId": rid, "refundAmount": 1000})["result"] == 21
    assert call(sb, APPROVE, {"refundId": rid, "refundAmount": 1990, "status": 12})["result"] == 300014
    stale = call(sb, APPROVE, {"refundId": rid, "refundAmount": 1990, "negotiateStatus": 3})
    assert stale["result"] == 300017 and stale["sub_code"] == "300017"
    assert call(sb, APPROVE, {"refundId": 1, "refundAmount": 1990})["result"] == 300011
    sb.clock.t += 5
    ok(
        call(
            sb,
            APPROVE,
            {
                "refundId": rid,
                "refundAmount": 1990,
                "status": 10,
                "negotiateStatus": 1,
                "refundHandingWay": 10,
            },
        )
    )
    r = sb.refunds[rid]
    assert (r["status"], r["negotiateStatus"]) == (60, 2)
    assert r["endTime"] == r["updateTime"] == r["negotiateUpdateTime"] > before
    assert call(sb, APPROVE, {"refundId": rid, "refundAmount": 1990})["result"] == 300010
    roles = [c["role"] for c in ok(call(sb, COMMENTS, {"refundId": rid}))]
    assert roles == [ROLE_CODES["buyer"], ROLE_CODES["seller"], ROLE_CODES["system"]]  # numbers (§8)


def test_refund_only_and_return_use_their_own_method(empty):
    sb = empty
    only = sb.add_refund(handlingWay=10)["refundId"]
    ret = sb.add_refund(handlingWay=1, status=11, refundFee=4590)["refundId"]
    assert call(sb, RETURN_APPROVE, {"refundId": only, "refundAmount": 0})["result"] == 300018
    assert call(sb, APPROVE, {"refundId": ret, "refundAmount": 4590})["result"] == 300018
    other = sb.add_refund(sellerId=42)["refundId"]
    assert call(sb, DETAIL, {"refundId": other})["result"] == 300012


def test_return_flow_agree_buyer_ships_confirm(empty):
    sb = empty
    rid = sb.add_refund(handlingWay=1, status=11, refundFee=4590)["refundId"]
    assert call(sb, RETURN_APPROVE, {"refundId": rid, "refundAmount": 4500})["result"] == 21
    assert (
        call(sb, RETURN_APPROVE, {"refundId": rid, "refundAmount": 4590, "addressId": 52_000_001})["result"]
        == 21
    )
    ok(call(sb, RETURN_APPROVE, {"refundId": rid, "refundAmount": 4590, "addressId": 51_000_002}))
    r = sb.refunds[rid]
    assert (r["status"], r["negotiateStatus"]) == (30, 2) and r["address"]["addressId"] == 51_000_002
    agreed = sb.now_ms()
    sb.advance(600)  # the simulated buyer sends the parcel back
    r = sb.refunds[rid]
    assert r["status"] == 40 and r["logisticsInfo"]["expressNo"]
    assert r["expireTime"] == agreed + 600_000 + 7 * DAY
    assert (
        call(sb, RECEIPT, {"refundId": rid, "returnFreightHandlingAdvice": 1, "returnFreightAmount": 100})[
            "result"
        ]
        != 1
    )  # no freight info on this one
    assert call(sb, RECEIPT, {"refundId": rid, "status": 30})["result"] == 300014
    ok(call(sb, RECEIPT, {"refundId": rid, "status": 40}))
    assert sb.refunds[rid]["status"] == 60 and sb.refunds[rid]["receiptStatus"] == 2
    assert call(sb, RECEIPT, {"refundId": rid})["result"] == 300010


def test_confirm_receipt_freight_fields_required_iff_freight_info(empty):
    sb = empty
    rid = sb.add_refund(
        handlingWay=1,
        status=40,
        negotiateStatus=2,
        refundFee=5000,
        returnFreightInfo={"returnFreightAmount": 1200, "returnFreightStatus": 10},
    )["refundId"]
    assert sb.refunds[rid]["requireReturnFreight"] is True
    assert "returnFreightHandlingAdvice" in call(sb, RECEIPT, {"refundId": rid})["error_msg"]
    assert call(sb, RECEIPT, {"refundId": rid, "returnFreightHandlingAdvice": 2})["result"] != 1
    too_long = {"refundId": rid, "returnFreightHandlingAdvice": 2, "returnFreightRejectDesc": "长" * 300}
    assert call(sb, RECEIPT, too_long)["result"] != 1
    assert (
        call(sb, RECEIPT, {"refundId": rid, "returnFreightHandlingAdvice": 1, "returnFreightAmount": 1300})[
            "result"
        ]
        != 1
    )
    ok(call(sb, RECEIPT, {"refundId": rid, "returnFreightHandlingAdvice": 1, "returnFreightAmount": 1200}))
    assert sb.refunds[rid]["returnFreightInfo"]["returnFreightStatus"] == 20
    waiting = sb.add_refund(handlingWay=10)["refundId"]
    assert call(sb, RECEIPT, {"refundId": waiting})["result"] == 300018


def test_reject_reasons_depend_on_the_refund(empty):
    sb = empty
    only = sb.add_refund(handlingWay=10)["refundId"]
    ret = sb.add_refund(handlingWay=1, status=11)["refundId"]
    receipt = sb.add_refund(handlingWay=1, status=40, negotiateStatus=2)["refundId"]
    exchange = sb.add_refund(handlingWay=3)["refundId"]
    done = sb.add_refund(status=60, negotiateStatus=2)["refundId"]
    sets = [
        frozenset(x["code"] for x in ok(call(sb, REASONS, {"refundId": rid})))
        for rid in (only, ret, receipt, exchange)
    ]
    assert len(set(sets)) == 4
    reasons = ok(call(sb, REASONS, {"refundId": only}))
    assert {"code", "desc", "tip", "requiredRejectDesc", "requiredRejectImage"} <= reasons[0].keys()
    assert any(x["requiredRejectImage"] for x in reasons) and any(
        not x["requiredRejectImage"] for x in reasons
    )
    assert call(sb, REASONS, {"refundId": done})["result"] == 300010


def test_reject_enforces_reason_version_desc_images_then_buyer_deadline_closes(empty):
    sb = empty
    rid = sb.add_refund(handlingWay=10)["refundId"]
    reasons = ok(call(sb, REASONS, {"refundId": rid}))
    needs_both = next(x for x in reasons if x["requiredRejectDesc"] and x["requiredRejectImage"])
    version = sb.refunds[rid]["updateTime"]
    base = {"refundId": rid, "reasonCode": needs_both["code"], "refundVersion": version}
    assert call(sb, REJECT, {**base, "refundVersion": version - 1})["result"] == 300014
    assert call(sb, REJECT, {**base, "reasonCode": 3001})["result"] == 21  # a receipt reason
    assert "说明" in call(sb, REJECT, {**base, "rejectImages": ["https://img.example/1.jpg"]})["error_msg"]
    assert "图片" in call(sb, REJECT, {**base, "rejectDesc": "已发货"})["error_msg"]
    seven = [f"https://img.example/{i}.jpg" for i in range(7)]
    assert call(sb, REJECT, {**base, "rejectDesc": "已发货", "rejectImages": seven})["result"] != 1
    sb.clock.t += 1
    ok(call(sb, REJECT, {**base, "rejectDesc": "已发货", "rejectImages": seven[:2]}))
    r = call(sb, DETAIL, {"refundId": rid})["data"]
    assert (r["status"], r["negotiateStatus"]) == (12, 3)
    assert r["sellerDisagreeReason"] == needs_both["code"]
    assert json.loads(r["sellerDisagreeImages"]) == seven[:2]  # declared as text (§8)
    assert (
        r["validNegotiateBuyerModifyTimeStamp"] == r["timeLimitNegotiateChange"] == r["updateTime"] + 3 * DAY
    )
    assert call(sb, REJECT, {**base, "refundVersion": r["updateTime"], "rejectDesc": "x"})["result"] == 300018
    sb.advance(3 * DAY / 1000)
    assert sb.refunds[rid]["status"] == 70
    last = ok(call(sb, COMMENTS, {"refundId": rid}))[-1]
    assert last["role"] == ROLE_CODES["system"] and "关闭" in last["title"]


def test_addresses_by_type(sb):
    returns = ok(call(sb, "open.address.seller.list", {"addressType": 2}))
    shipping = ok(call(sb, "open.address.seller.list", {"addressType": 3}))
    assert len(returns) == 2 and sum(a["defaultAddress"] for a in returns) == 1
    assert len(shipping) == 1 and shipping[0]["baseInfo"]["province"]
    assert {"addressId", "defaultAddress", "addressStatus", "baseInfo"} <= returns[0].keys()
    assert call(sb, "open.address.seller.list", {"addressType": 9})["result"] != 1


def test_detail_has_detail_only_fields_and_working_picture_links(sb):
    with_pictures = next(rid for rid, r in sb.refunds.items() if r.get("pictures"))
    detail = ok(call(sb, DETAIL, {"refundId": with_pictures}))
    assert {"buyerOpenId", "productNum", "negotiateReason", "specialRefundType"} <= detail.keys()
    assert isinstance(detail["pictures"], str)  # declared as text (§8): JSON-array text by default
    pictures = json.loads(detail["pictures"])
    picture = requests.get(pictures[0], timeout=5)
    assert pictures[0].startswith(sb.base_url)
    assert picture.headers["Content-Type"] == "image/png" and picture.content.startswith(b"\x89PNG")
    listed = list_window(sb, detail["createTime"] - 1, detail["createTime"] + 1)
    assert "buyerOpenId" not in next(r for r in listed if r["refundId"] == with_pictures)
    exchange = next(rid for rid, r in sb.refunds.items() if r["handlingWay"] == 3)
    assert ok(call(sb, DETAIL, {"refundId": exchange}))["exchangeSkuNick"]
    assert any("returnFreightInfo" in r for r in sb.refunds.values())


# ------------------------------------------------------------------------- auto-approval
@pytest.mark.parametrize(
    ("fields", "after"),
    [
        ({"handlingWay": 10, "refundFee": 990}, (60, 2)),
        ({"handlingWay": 1, "status": 11}, (30, 2)),
        ({"handlingWay": 1, "status": 40, "negotiateStatus": 2}, (60, 2)),
    ],
)
def test_expired_requests_are_auto_approved_with_a_system_entry(empty, fields, after):
    sb = empty
    deadline = sb.now_ms() + 60_000
    rid = sb.add_refund(expireTime=deadline, **fields)["refundId"]
    sb.advance(59)
    assert sb.refunds[rid]["status"] == fields.get("status", 10)
    sb.clock.t += 2  # no advance(): the next request settles lazily
    r = ok(call(sb, DETAIL, {"refundId": rid}))
    assert (r["status"], r["negotiateStatus"]) == after
    assert r["updateTime"] >= deadline
    system = [c for c in ok(call(sb, COMMENTS, {"refundId": rid})) if c["role"] == ROLE_CODES["system"]]
    assert system and "超时" in system[0]["title"] and system[0]["createTime"] == deadline
    if after[0] == 60:
        assert r["endTime"] >= deadline
    else:
        assert sb.refunds[rid]["address"]["addressId"] == 51_000_001  # the default return address
        assert "文一西路1288号" in r["address"]  # sent as text (§8)


def test_a_request_without_expire_time_is_never_auto_approved(empty):
    sb = empty
    missing = sb.add_refund(expireTime=None)["refundId"]
    zero = sb.add_refund(expireTime=0)["refundId"]
    assert "expireTime" not in sb.refunds[missing]
    sb.advance(30 * 86_400)
    assert sb.refunds[missing]["status"] == sb.refunds[zero]["status"] == 10


def test_settle_picks_up_direct_edits(empty):
    sb = empty
    rid = sb.add_refund()["refundId"]
    sb.refunds[rid]["expireTime"] = sb.now_ms() - 1
    assert sb.settle() == 1 and sb.refunds[rid]["status"] == 60


# ------------------------------------------------------------------------------------ OAuth
def authorize(
    sb: Sandbox, redirect_uri: str = "http://127.0.0.1:53682/callback", **extra
) -> requests.Response:
    params = {
        "app_id": sb.credentials.app_key,
        "redirect_uri": redirect_uri,
        "response_type": "code",
        "scope": "merchant_refund,merchant_user",
        "state": "s-123",
        **extra,
    }
    return requests.get(sb.authorize_url, params=params, allow_redirects=False, timeout=5)


def exchange(sb: Sandbox, code: str) -> dict:
    c = sb.credentials
    return requests.get(
        sb.base_url + "/oauth2/access_token",
        timeout=5,
        params={"app_id": c.app_key, "app_secret": c.app_secret, "grant_type": "code", "code": code},
    ).json()


def test_authorize_redirects_to_loopback_with_code_and_state(sb):
    from urllib.parse import parse_qs, urlsplit

    response = authorize(sb, "http://127.0.0.1:53682/callback?x=1")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert (location.hostname, location.port, location.path) == ("127.0.0.1", 53682, "/callback")
    query = parse_qs(location.query)
    assert query["state"] == ["s-123"] and query["x"] == ["1"] and query["code"][0]
    assert authorize(sb, "https://evil.example/callback").status_code == 400
    assert authorize(sb, app_id="ks-other").status_code == 400
    assert authorize(sb, response_type="token").status_code == 400


def test_code_exchange_works_once_and_only_for_two_minutes(sb):
    from urllib.parse import parse_qs, urlsplit

    def new_code() -> str:
        return parse_qs(urlsplit(authorize(sb).headers["Location"]).query)["code"][0]

    code = new_code()
    token = exchange(sb, code)
    assert token["result"] == 1 and token["expires_in"] == 172_800
    assert token["scopes"] == ["merchant_refund", "merchant_user"] and token["open_id"]
    assert "refresh_token_expires_in" not in token  # only a refresh's answer has it (§8)
    assert ok(call(sb, "open.user.seller.get", token=token["access_token"]))["openId"] == token["open_id"]
    missing = call(sb, "open.address.seller.list", {"addressType": 2}, token=token["access_token"])
    assert "token中无scope权限" in missing["error_msg"]  # merchant_logistics was not granted
    again = exchange(sb, code)
    assert again["result"] == 100200103 and again["error"]
    late = new_code()
    sb.advance(121)
    assert exchange(sb, late)["result"] == 100200103
    wrong = requests.get(
        sb.base_url + "/oauth2/access_token",
        timeout=5,
        params={
            "app_id": sb.credentials.app_key,
            "app_secret": "nope",
            "grant_type": "code",
            "code": new_code(),
        },
    ).json()
    assert wrong["result"] == 100200101


@pytest.mark.parametrize("verb", ["POST", "GET"])
def test_refresh_rotates_and_a_reused_token_is_discarded(sb, verb):
    first = refresh(sb, sb.credentials.refresh_token, verb=verb)
    assert first["result"] == 1 and first["refresh_token"] != sb.credentials.refresh_token
    reused = refresh(sb, sb.credentials.refresh_token, verb=verb)
    assert reused["result"] == 100200102 and reused["error"] == "refreshToken.discarded"
    sb.advance(86_400)
    second = refresh(sb, first["refresh_token"], verb=verb)
    assert second["result"] == 1
    # the new refresh token keeps the original expiry
    assert second["refresh_token_expires_in"] == first["refresh_token_expires_in"] - 86_400
    assert ok(call(sb, "open.user.seller.get", token=second["access_token"]))
    assert ok(call(sb, "open.user.seller.get", token=first["access_token"]))  # old access tokens live on
    sb.advance(180 * 86_400)
    assert refresh(sb, second["refresh_token"], verb=verb)["result"] == 100200104


def test_refresh_grace_keeps_the_old_token_alive_briefly():
    with Sandbox(demo_data=False, clock=FixedClock(), refresh_grace_s=60) as sb:
        first = refresh(sb, sb.credentials.refresh_token)
        assert refresh(sb, sb.credentials.refresh_token)["result"] == 1  # within the grace
        sb.advance(61)
        assert refresh(sb, sb.credentials.refresh_token)["error"] == "refreshToken.discarded"
        assert refresh(sb, first["refresh_token"])["result"] == 1


# ------------------------------------------------------------------------------------ faults
def raw_get(sb: Sandbox, method: str, param: dict | None = None) -> requests.Response:
    return requests.get(
        sb.base_url + "/" + method.replace(".", "/"), params=signed(sb, method, param), timeout=5
    )


def test_fault_delay(sb):
    import time

    sb.inject_fault("open.user.seller.get", "delay", delay_s=0.3)
    started = time.perf_counter()
    assert raw_get(sb, "open.user.seller.get").json()["result"] == 1
    assert time.perf_counter() - started >= 0.3
    started = time.perf_counter()
    raw_get(sb, "open.user.seller.get")
    assert time.perf_counter() - started < 0.3  # consumed


def test_fault_hold_carries_the_request_out_late_even_when_the_client_gave_up(sb):
    """A slow platform: the request is held before it is carried out; the client times out and goes
    away, and the gateway still carries it out afterwards. The received log counts it at arrival."""
    import time

    rid = sb.add_refund(handlingWay=10, refundFee=500)["refundId"]
    method = "open.seller.order.refund.approve"
    sb.clear_call_log()
    sb.inject_fault(method, "hold", delay_s=0.6)
    form = signed(
        sb,
        method,
        {"refundId": rid, "refundAmount": 500, "status": 10, "negotiateStatus": 1, "refundHandingWay": 10},
    )
    with pytest.raises(requests.Timeout):
        requests.post(sb.base_url + "/" + method.replace(".", "/"), data=form, timeout=0.2)
    assert [e["method"] for e in sb.received_log] == [method]  # received at once
    assert sb.held == 1 and sb.refunds[rid]["negotiateStatus"] == 1  # not carried out yet
    assert sb.call_log == []
    deadline = time.monotonic() + 5
    while sb.held and time.monotonic() < deadline:
        time.sleep(0.02)
    assert sb.held == 0
    assert sb.refunds[rid]["negotiateStatus"] == 2  # carried out after the client gave up
    assert [(e["method"], e["result"], e["fault"]) for e in sb.call_log] == [(method, 1, "hold")]


def test_fault_drop_closes_without_answering(sb):
    sb.inject_fault("open.user.seller.get", "drop")
    with pytest.raises(requests.ConnectionError):
        raw_get(sb, "open.user.seller.get")
    assert raw_get(sb, "open.user.seller.get").json()["result"] == 1
    assert sb.call_log[-2]["fault"] == "drop" and sb.call_log[-2]["result"] is None


def test_fault_http5xx_html_truncated(sb):
    sb.inject_fault("open.score.shop.get", "http500")
    sb.inject_fault("open.score.shop.get", "http500", status=503)
    sb.inject_fault("open.score.shop.get", "html")
    sb.inject_fault("open.score.shop.get", "truncated")
    assert raw_get(sb, "open.score.shop.get").status_code == 500
    assert raw_get(sb, "open.score.shop.get").status_code == 503
    html = raw_get(sb, "open.score.shop.get")
    assert html.status_code == 200 and html.headers["Content-Type"].startswith("text/html")
    assert html.text.lstrip().startswith("<!DOCTYPE html>")
    truncated = raw_get(sb, "open.score.shop.get")
    assert truncated.text.startswith('{"result":')
    with pytest.raises(ValueError):
        truncated.json()
    assert raw_get(sb, "open.score.shop.get").json()["result"] == 1


def test_fault_result_codes_times_and_wildcard(sb):
    sb.inject_fault(
        "open.user.seller.get",
        "result",
        times=2,
        result=21,
        sub_code="300014",
        error_msg="退款单状态已更新，请刷新重试",
    )
    for _ in range(2):
        body = raw_get(sb, "open.user.seller.get").json()
        assert (body["result"], body["sub_code"], body["error_msg"]) == (
            21,
            "300014",
            "退款单状态已更新，请刷新重试",
        )
    assert raw_get(sb, "open.user.seller.get").json()["result"] == 1
    sb.inject_fault("*", "result", times=None, error_msg="Exceed quota limit [1017]")
    assert "1017" in raw_get(sb, "open.score.shop.get").json()["error_msg"]
    assert "1017" in raw_get(sb, "open.user.seller.get").json()["error_msg"]
    sb.clear_faults()
    assert raw_get(sb, "open.user.seller.get").json()["result"] == 1
    with pytest.raises(ValueError):
        sb.inject_fault("open.user.seller.get", "explode")


def test_fault_after_processing_executes_the_call(empty):
    sb = empty
    rid = sb.add_refund(refundFee=500)["refundId"]
    sb.inject_fault(APPROVE, "drop", after_processing=True)
    with pytest.raises(requests.ConnectionError):
        requests.post(
            sb.base_url + "/open/seller/order/refund/approve",
            timeout=5,
            data=signed(sb, APPROVE, {"refundId": rid, "refundAmount": 500}),
        )
    assert sb.refunds[rid]["status"] == 60
    assert sb.call_log[-1]["result"] == 1 and sb.call_log[-1]["fault"] == "drop"
    sb.inject_fault(APPROVE, "http500")  # before processing: nothing happens
    other = sb.add_refund(refundFee=500)["refundId"]
    response = requests.post(
        sb.base_url + "/open/seller/order/refund/approve",
        timeout=5,
        data=signed(sb, APPROVE, {"refundId": other, "refundAmount": 500}),
    )
    assert response.status_code == 500 and sb.refunds[other]["status"] == 10


def test_oauth_endpoints_take_faults_too(sb):
    sb.inject_fault("oauth2.refresh_token", "http500")
    c = sb.credentials
    response = requests.post(
        sb.base_url + "/oauth2/refresh_token",
        timeout=5,
        data={
            "app_id": c.app_key,
            "app_secret": c.app_secret,
            "grant_type": "refresh_token",
            "refresh_token": c.refresh_token,
        },
    )
    assert response.status_code == 500
    assert refresh(sb, c.refresh_token)["result"] == 1  # the failed call did not use the token up


def test_call_log_records_every_business_call(sb):
    sb.clear_call_log()
    rid = next(iter(sb.refunds))
    call(sb, DETAIL, {"refundId": rid})
    call(sb, "open.user.seller.get", secret="wrong")
    first, second = sb.call_log
    assert first["method"] == DETAIL and first["params"] == {"refundId": rid} and first["result"] == 1
    assert first["at_ms"] == sb.now_ms()
    assert second["result"] == 25


# -------------------------------------------------------------------------------- robustness
def test_bad_input_gets_an_error_envelope_and_the_server_keeps_serving(sb):
    import socket

    url = sb.base_url + "/open/seller/order/refund/detail"
    bad_json = signed(sb, DETAIL, None, param="{not json")
    assert "JSON" in requests.get(url, params=bad_json, timeout=5).json()["error_msg"]
    too_deep = signed(sb, REJECT, None, param="[" * 100_000 + "]" * 100_000)
    assert (
        "JSON"
        in requests.post(sb.base_url + "/open/refund/reject", data=too_deep, timeout=5).json()["error_msg"]
    )
    not_object = signed(sb, DETAIL, None, param="[1]")
    assert requests.get(url, params=not_object, timeout=5).json()["result"] != 1
    assert "refundId" in call(sb, DETAIL, {})["error_msg"]
    assert call(sb, DETAIL, {"refundId": "abc"})["result"] != 1
    assert call(sb, DETAIL, {"refundId": True})["result"] != 1
    post = requests.post(sb.base_url + "/open/refund/reject", json={"a": 1}, timeout=5).json()
    assert "Content-Type" in post["error_msg"]
    assert requests.delete(url, timeout=5).json()["result"] != 1
    with socket.create_connection(("127.0.0.1", sb.port), timeout=5) as raw:
        raw.sendall(b"\x16\x03\x01garbage that is not HTTP\r\n\r\n")
        raw.recv(1024)
    assert call(sb, "open.user.seller.get")["result"] == 1


def test_stop_frees_the_port_and_keepalive_connections():
    sandbox = Sandbox(demo_data=False)
    sandbox.start()
    port = sandbox.port
    session = requests.Session()
    assert session.get(sandbox.base_url + "/open/user/seller/get", timeout=5).json()["result"] != 1
    sandbox.stop()
    with pytest.raises(requests.ConnectionError):
        session.get(f"http://127.0.0.1:{port}/open/user/seller/get", timeout=5)
    with pytest.raises(RuntimeError):
        _ = sandbox.base_url
    with Sandbox(demo_data=False, port=port) as again:  # the port is free for the next one
        assert again.port == port


# -------------------------------------------------------------------------------------- seed
def test_seed_is_deterministic_and_realistic():
    a = Sandbox(seed=7, clock=FixedClock())
    b = Sandbox(seed=7, clock=FixedClock())
    c = Sandbox(seed=8, clock=FixedClock())
    assert a.refunds == b.refunds and a.shop.comments == b.shop.comments
    assert a.refunds != c.refunds
    refunds = list(a.refunds.values())
    now = a.now_ms()
    assert 60 <= len(refunds) <= 150
    assert all(isinstance(r["refundFee"], int) and r["skuNick"] and r["refundReasonDesc"] for r in refunds)
    pending = [r for r in refunds if r["status"] in (10, 11) and r["negotiateStatus"] == 1]
    assert {r["handlingWay"] for r in pending} == {1, 3, 4, 5, 10}
    left = sorted(r["expireTime"] - now for r in pending if r.get("expireTime"))
    assert left[0] < 15 * 60_000 and 40 * 3_600_000 < left[-1] <= 2 * DAY
    assert any(r.get("urgeTimes") for r in pending)
    assert any("expireTime" not in r for r in pending) and any(r.get("expireTime") == 0 for r in pending)
    statuses = {r["status"] for r in refunds}
    assert {12, 20, 30, 40, 60, 70} <= statuses
    assert min(r["createTime"] for r in refunds) >= now - 90 * DAY
    auto = [
        rid
        for rid, r in a.refunds.items()
        if r["status"] == 60
        and any(x["role"] == "system" and "超时未处理" in x["title"] for x in a.shop.comments[rid])
    ]
    assert len(auto) >= 5 and any(a.refunds[rid]["endTime"] >= now - 7 * DAY for rid in auto)
    for rid in auto:  # a refund-only auto-approval ends exactly at its deadline
        r = a.refunds[rid]
        assert r["handlingWay"] != 10 or r["negotiateUpdateTime"] == r["endTime"] == r["expireTime"]
    assert sum(1 for r in refunds if r["endTime"] and r["endTime"] - r["submitTime"] < 120_000) >= 3  # fast


def test_seed_bulk_is_fast_and_listing_stays_fast():
    import time

    sb = Sandbox(demo_data=False, clock=FixedClock())
    started = time.perf_counter()
    ids = sb.seed_bulk(10_000)
    assert time.perf_counter() - started < 2.0
    assert len(ids) == len(set(ids)) == 10_000
    with sb:
        now = sb.now_ms()
        started = time.perf_counter()
        items = list_window(sb, now - 40 * DAY, now - 39 * DAY)
        assert time.perf_counter() - started < 1.0 and 50 < len(items) < 200


# ------------------------------------------------------------------------------ wire shapes
def _agreed_return(sb: Sandbox) -> int:
    rid = sb.add_refund(
        handlingWay=1,
        status=11,
        refundFee=4590,
        pictures=["https://img.example/a.jpg", "https://img.example/b.jpg"],
    )["refundId"]
    ok(call(sb, "open.seller.order.refund.returngoods.approve", {"refundId": rid, "refundAmount": 4590}))
    return rid


def test_the_declared_shape_is_the_default(empty):
    rid = _agreed_return(empty)
    envelope = call(empty, DETAIL, {"refundId": rid})
    assert all(isinstance(envelope[k], str) for k in ("code", "msg", "sub_code", "sub_msg"))
    detail = envelope["data"]
    assert json.loads(detail["pictures"]) == ["https://img.example/a.jpg", "https://img.example/b.jpg"]
    assert isinstance(detail["address"], str) and "文一西路1288号" in detail["address"]
    assert isinstance(detail["refundId"], int) and isinstance(detail["refundFee"], int)
    roles = {c["role"] for c in ok(call(empty, COMMENTS, {"refundId": rid}))}
    assert roles <= set(ROLE_CODES.values())
    failure = call(empty, DETAIL, {"refundId": 1})
    assert failure["result"] == 300011 and failure["error_msg"] == "退款单不存在"
    assert (failure["code"], failure["sub_code"]) == ("300011", "300011")


def test_the_text_and_objects_shapes(empty):
    rid = _agreed_return(empty)
    empty.wire_shape = "text"
    detail = ok(call(empty, DETAIL, {"refundId": rid}))
    assert detail["pictures"] == "https://img.example/a.jpg,https://img.example/b.jpg"
    assert detail["refundId"] == str(rid) and detail["refundFee"] == "4590"
    assert {c["role"] for c in ok(call(empty, COMMENTS, {"refundId": rid}))} <= {
        str(v) for v in ROLE_CODES.values()
    }
    empty.wire_shape = "objects"
    envelope = call(empty, DETAIL, {"refundId": rid})
    assert "code" not in envelope
    assert envelope["data"]["pictures"] == ["https://img.example/a.jpg", "https://img.example/b.jpg"]
    assert isinstance(envelope["data"]["address"], dict)
    assert "seller" in {c["role"] for c in ok(call(empty, COMMENTS, {"refundId": rid}))}
    with pytest.raises(ValueError):
        Sandbox(demo_data=False, wire_shape="xml")


@pytest.mark.parametrize(("code", "text"), sorted(E.TEXTS.items()))
def test_refund_codes_carry_the_official_texts(code, text):
    body = E.ApiFailure(code, "the sandbox's own words").envelope("r1")
    assert (body["result"], body["error_msg"], body["msg"]) == (code, text, text)
    assert (body["code"], body["sub_code"], body["sub_msg"]) == (
        str(code),
        str(code),
        "the sandbox's own words",
    )


def test_agreeing_a_request_the_merchant_already_rejected_is_300016(empty):
    rid = empty.add_refund(status=10, negotiateStatus=3)["refundId"]
    body = call(empty, APPROVE, {"refundId": rid, "refundAmount": empty.refunds[rid]["refundFee"]})
    assert (body["result"], body["error_msg"]) == (300016, "协商状态不对")
