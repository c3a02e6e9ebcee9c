"""KuaishouClient against a scriptable fake gateway on 127.0.0.1: request form, envelopes, typed
errors, retries, the shared rate limiter, typed results of every method, logging."""

from __future__ import annotations

import email.utils
import json
import logging
import socket
import urllib.parse

import pytest
import requests
from kuaishou_fake import DROP, FakeGateway, Reply, envelope, fail, ok

from desktop.core.kuaishou import errors, signing
from desktop.core.kuaishou.client import (
    METHOD_VERBS,
    Credentials,
    KuaishouClient,
    unwrap,
)
from desktop.core.kuaishou.models import Address, NegotiationComment, Refund, RejectReason
from desktop.core.kuaishou.ratelimit import RateLimiter
from desktop.core.kuaishou.transport import new_session

NOW = 1_700_000_000.0  # the injected local clock (epoch seconds)


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def gw():
    gateway = FakeGateway()
    yield gateway
    gateway.close()


@pytest.fixture
def creds():
    return Credentials("ks_app_key", "sign-SECRET-123", "access-TOKEN-123")


def make(gw, creds, **kw):
    kw.setdefault("qps", 10_000)
    kw.setdefault("clock", lambda: NOW)
    kw.setdefault("sleep", Sleeps())
    kw.setdefault("timeout", (2, 5))
    return KuaishouClient(creds, base_url=gw.base_url, **kw)


# ------------------------------------------------------------------------------ request form
def test_get_sends_every_parameter_in_the_query_string_and_signs_the_exact_param(gw, creds):
    gw.queue(ok({"refundId": 5}))
    client = make(gw, creds)
    client.refund_detail(9_123_456_789_012_345_678)
    (req,) = gw.requests
    assert req.verb == "GET" and req.path == "/open/seller/order/refund/detail"
    assert req.raw_body == b""
    q = req.query
    assert set(q) == {
        "access_token",
        "appkey",
        "method",
        "param",
        "signMethod",
        "timestamp",
        "version",
        "sign",
    }
    assert q["param"] == '{"refundId":9123456789012345678}'  # compact, the 64-bit id exact
    assert q["timestamp"] == str(int(NOW * 1000))
    assert q["version"] == "1" and q["signMethod"] == "HMAC_SHA256"
    assert q["appkey"] == "ks_app_key" and q["access_token"] == "access-TOKEN-123"
    assert q["method"] == "open.seller.order.refund.detail"
    assert signing.verify(q, creds.sign_secret)


def test_post_sends_a_form_body_whose_param_is_byte_for_byte_what_was_signed(gw, creds):
    gw.queue(ok(None))
    client = make(gw, creds)
    client.reject(
        11,
        3,
        1_700_000_000_123,
        reject_desc='买家 "寄回" 的商品&有损坏 +1',
        reject_images=["https://img/1.png"],
    )
    (req,) = gw.requests
    assert req.verb == "POST" and req.path == "/open/refund/reject"
    assert req.raw_query == ""
    assert req.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    sent = req.form["param"]
    assert sent == json.dumps(
        {
            "refundId": 11,
            "reasonCode": 3,
            "rejectDesc": '买家 "寄回" 的商品&有损坏 +1',
            "rejectImages": ["https://img/1.png"],
            "refundVersion": 1_700_000_000_123,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
    assert "买家" in sent  # not \u-escaped
    # what the server reconstructs from the body is exactly what the client signed
    assert signing.sign({**req.form}, creds.sign_secret) == req.form["sign"]


def test_the_hmac_signature_is_url_encoded_on_the_wire(gw, creds):
    client = make(gw, creds)
    for _i in range(40):  # find a call whose signature contains + or /, and = padding
        gw.queue(ok({"hasData": False}))
        client.shop_score()
        req = gw.requests[-1]
        sig = req.query["sign"]
        if "+" in sig or "/" in sig:
            break
    assert sig.endswith("=") and ("+" in sig or "/" in sig)
    raw = dict(p.split("=", 1) for p in req.raw_query.split("&"))
    assert raw["sign"] == urllib.parse.quote(sig, safe="")
    assert "+" not in raw["sign"] and "/" not in raw["sign"] and "=" not in raw["sign"]


def test_md5_signing(gw):
    creds = Credentials("ks1", "md5-secret-x", "tok-md5-xyz", sign_method="MD5")
    gw.queue(ok({"name": "店"}))
    make(gw, creds).seller_info()
    q = gw.requests[0].query
    assert q["signMethod"] == "MD5" and len(q["sign"]) == 32 and q["sign"] == q["sign"].lower()
    assert signing.verify(q, "md5-secret-x")


def test_no_business_params_are_sent_as_an_empty_object(gw, creds):
    make(gw, creds).call("open.user.seller.get")
    assert gw.requests[0].query["param"] == "{}"


def test_unknown_method_needs_an_explicit_verb(gw, creds):
    client = make(gw, creds)
    with pytest.raises(ValueError, match="verb"):
        client.call("open.something.new")
    client.call("open.something.new", {"a": None, "b": 1}, verb="POST")
    assert gw.requests[0].verb == "POST" and gw.requests[0].business == {"b": 1}


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com",
        "http://10.0.0.1:8080",
        "ftp://127.0.0.1",
        "openapi.kwaixiaodian.com",
        "http://127.0.0.1.evil.com",
        "",
    ],
)
def test_plain_http_is_refused_except_for_loopback(creds, url):
    with pytest.raises(ValueError):
        KuaishouClient(creds, base_url=url)


@pytest.mark.parametrize(
    "url",
    [
        "https://openapi.kwaixiaodian.com",
        "http://127.0.0.1:1",
        "http://127.8.9.10",
        "http://127.0.0.1:8000/",
        "http://[::1]:9000",
    ],
)
def test_https_and_loopback_http_are_accepted(creds, url):
    assert KuaishouClient(creds, base_url=url).base_url == url.rstrip("/")


def test_the_default_session_checks_certificates_and_ignores_proxy_environment(creds):
    session = new_session()
    assert session.verify is True and session.trust_env is False
    unchecked = requests.Session()
    unchecked.verify = False
    with pytest.raises(ValueError, match="certificate"):
        KuaishouClient(creds, session=unchecked)


def test_bad_credentials_are_refused_clearly():
    with pytest.raises(ValueError, match="sign method"):
        KuaishouClient(Credentials("k", "s", "t", sign_method="SHA1"))
    with pytest.raises(ValueError, match="app key"):
        KuaishouClient(Credentials("", "s", "t"))


def test_credentials_repr_shows_no_secret():
    c = Credentials("ks1", "SIGNSECRET", "ACCESSTOKEN", app_secret="APPSECRET", refresh_token="REFRESHTOKEN")
    text = repr(c)
    assert "ks1" in text
    for secret in ("SIGNSECRET", "ACCESSTOKEN", "APPSECRET", "REFRESHTOKEN"):
        assert secret not in text


# ------------------------------------------------------------------------ every method, typed
REFUND = {
    "refundId": 77,
    "oid": 88,
    "handlingWay": 10,
    "negotiateStatus": 1,
    "status": 10,
    "refundFee": 1290,
    "expireTime": 1_700_000_500_000,
    "updateTime": 1_699_000_000_000,
    "somethingNew": {"x": 1},
}


@pytest.mark.parametrize(
    ("call", "data", "check"),
    [
        (
            lambda c: c.refund_detail(77),
            REFUND,
            lambda r: isinstance(r, Refund) and r.refund_fee == 1290 and r.expire_time,
        ),
        (
            lambda c: c.approve_refund(77, 1290, status=10, negotiate_status=1, handing_way=10),
            None,
            lambda r: r is None,
        ),
        (lambda c: c.approve_return(77, 1290, address_id=5), {"ok": True}, lambda r: r == {"ok": True}),
        (
            lambda c: c.list_addresses(),
            [{"addressId": 5, "defaultAddress": True, "baseInfo": {"consignee": "张三", "city": "杭州"}}],
            lambda r: isinstance(r[0], Address) and r[0].base_info.city == "杭州",
        ),
        (lambda c: c.confirm_receipt(77, status=40), None, lambda r: r is None),
        (
            lambda c: c.reject_reasons(77),
            [{"code": 3, "desc": "商品已影响二次销售", "requiredRejectDesc": True}],
            lambda r: isinstance(r[0], RejectReason) and r[0].required_reject_desc is True,
        ),
        (lambda c: c.reject(77, 3, 1_699_000_000_000), None, lambda r: r is None),
        (
            lambda c: c.negotiation_history(77),
            [{"title": "系统自动同意", "role": 3, "createTime": 1}],
            lambda r: isinstance(r[0], NegotiationComment) and r[0].role == 3,
        ),
        (
            lambda c: c.seller_info(),
            {"name": "小店", "sellerId": 123, "openId": "o"},
            lambda r: r.seller_id == 123,
        ),
        (
            lambda c: c.shop_score(),
            {
                "hasData": True,
                "summary": {"showName": "体验分", "scoreStr": "4.8"},
                "scoreDim": [{"dimName": "售后", "dimScoreStr": "4.9"}],
            },
            lambda r: r.summary.score_str == "4.8" and r.dimensions[0].dim_name == "售后",
        ),
        (
            lambda c: c.list_refunds_page(1, 2),
            {"pcursor": "nomore", "totalSize": 1, "refundOrderInfoList": [REFUND]},
            lambda r: r.is_last and r.items[0].refund_id == 77,
        ),
    ],
)
def test_every_method_uses_its_documented_verb_and_path_and_returns_typed_records(
    gw, creds, call, data, check
):
    gw.queue(ok(data))
    result = call(make(gw, creds))
    assert check(result)
    (req,) = gw.requests
    method = req.params["method"]
    assert req.verb == METHOD_VERBS[method]
    assert req.path == "/" + method.replace(".", "/")


def test_action_params_use_the_api_names(gw, creds):
    client = make(gw, creds)
    client.approve_refund(1, 990, status=10, negotiate_status=1, handing_way=10)
    client.approve_return(2, 0)
    client.confirm_receipt(3, freight_accept=True, freight_amount=800)
    client.confirm_receipt(
        4, freight_accept=False, freight_reject_desc="运费不合理", freight_reject_images=["u1"]
    )
    client.list_refunds_page(
        10, 20, pcursor="abc", type=8, query_type=2, page_size=50, sort=2, negotiate_status=1, order_id=99
    )
    b = [r.business for r in gw.requests]
    assert b[0] == {
        "refundId": 1,
        "refundAmount": 990,
        "status": 10,
        "negotiateStatus": 1,
        "refundHandingWay": 10,
    }
    assert b[1] == {"refundId": 2, "refundAmount": 0}
    assert b[2] == {"refundId": 3, "returnFreightHandlingAdvice": 1, "returnFreightAmount": 800}
    assert b[3] == {
        "refundId": 4,
        "returnFreightHandlingAdvice": 2,
        "returnFreightRejectDesc": "运费不合理",
        "returnFreightRejectImages": ["u1"],
    }
    assert b[4] == {
        "beginTime": 10,
        "endTime": 20,
        "type": 8,
        "pageSize": 50,
        "currentPage": 1,
        "pcursor": "abc",
        "queryType": 2,
        "sort": 2,
        "negotiateStatus": 1,
        "orderId": 99,
    }


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.approve_refund(1, 12.5),
        lambda c: c.approve_refund(1, -1),
        lambda c: c.approve_refund("1", 100),
        lambda c: c.confirm_receipt(1, freight_amount=100),
        lambda c: c.confirm_receipt(1, freight_accept=True),
        lambda c: c.confirm_receipt(1, freight_accept=False, freight_reject_desc="x" * 300),
        lambda c: c.reject(1, 2, 3, reject_images=["u"] * 7),
        lambda c: c.list_refunds_page(1, 2, type=7),
        lambda c: c.list_refunds_page(1, 2, page_size=101),
        lambda c: c.list_refunds_page(1, 2, query_type=3),
        lambda c: c.list_addresses(4),
    ],
)
def test_bad_arguments_are_refused_before_anything_is_sent(gw, creds, call):
    with pytest.raises(ValueError):
        call(make(gw, creds))
    assert gw.requests == []


def test_list_answers_inside_an_object_are_accepted(gw, creds):
    gw.queue(ok({"addressList": [{"addressId": 9}]}), ok(None))
    client = make(gw, creds)
    assert [a.address_id for a in client.list_addresses()] == [9]
    assert client.reject_reasons(1) == []


# --------------------------------------------------------------------- envelopes and errors
@pytest.mark.parametrize(
    ("reply", "exc_type"),
    [
        (fail(24, "AUTHORIZATION_REVOKED"), errors.AuthorizationRevoked),
        (fail(26, "主账号不存在"), errors.AuthorizationRevoked),
        (fail(28, "鉴权失败，TOKEN过期"), errors.PastedTokenExpired),
        (fail(28, "token中无scope权限"), errors.ScopeMissing),
        (fail(27, "验签失败"), errors.SignatureError),
        (fail(802000, "Exceed quota limit [1017]"), errors.QuotaExceeded),
        (fail(21, "order operation reject"), errors.OrderOfAnotherShop),
        (fail(21, "商品已下架"), errors.BusinessRejected),
        (fail(300014, "退款单状态已更新，请刷新重试"), errors.RefundChanged),
        (
            envelope(
                {
                    "result": 0,
                    "code": "500",
                    "msg": "fail",
                    "sub_code": "300017",
                    "sub_msg": "negotiate status changed",
                }
            ),
            errors.RefundChanged,
        ),
        (fail(300005, "开始时间超过90天"), errors.RequestError),
        (envelope({"result": 0, "sub_code": "300011", "sub_msg": "not found"}), errors.RequestError),
        (envelope({"code": "1001", "msg": "参数错误"}), errors.BusinessRejected),
        (Reply(200, b"<html><body>502 Bad Gateway</body></html>"), errors.MalformedResponse),
        (Reply(200, b'{"result": 1, "data": {"refundId": 1'), errors.MalformedResponse),
        (Reply(200, b""), errors.MalformedResponse),
        (envelope([1, 2]), errors.MalformedResponse),
        (envelope({"data": {}}), errors.MalformedResponse),
        (Reply(404, b"<html>not found</html>"), errors.MalformedResponse),
        (envelope({"result": 1, "data": {"refundId": "abc"}}), errors.ParseError),
    ],
)
def test_each_failure_becomes_its_typed_error_without_retry(gw, creds, reply, exc_type):
    gw.queue(reply)
    sleeps = Sleeps()
    with pytest.raises(exc_type) as info:
        make(gw, creds, sleep=sleeps).refund_detail(1)
    assert type(info.value) is exc_type
    assert len(gw.requests) == 1 and sleeps == []
    assert info.value.method == "open.seller.order.refund.detail"


def test_a_wrong_decision_field_costs_that_refund_only(gw, creds):
    bad = dict(REFUND, refundFee="12.90元")
    gw.queue(ok({"pcursor": "nomore", "refundOrderInfoList": [REFUND, bad]}))
    page = make(gw, creds).list_refunds_page(1, 2)
    assert [r.refund_id for r in page.items] == [REFUND["refundId"]]
    (unreadable,) = page.unreadable
    assert unreadable.error.field == "data.refundOrderInfoList[1].refundFee"
    assert "refundFee" in str(unreadable.error)
    gw.queue(ok(bad))
    with pytest.raises(errors.ParseError) as info:
        make(gw, creds).refund_detail(1)
    assert info.value.field == "data.refundFee"
    assert info.value.method == "open.seller.order.refund.detail"


def test_a_broken_reason_or_address_is_left_out_of_its_list(gw, creds):
    with make(gw, creds) as client:
        gw.queue(ok([{"code": 1001, "desc": "ok"}, {"code": "x"}, {"code": "1002", "desc": 5}]))
        reasons = client.reject_reasons(1)
        assert [(r.code, r.desc) for r in reasons] == [(1001, "ok"), (1002, "5")]
        gw.queue(ok([{"addressId": 2**64}, {"addressId": "7", "defaultAddress": "true"}]))
        assert [(a.address_id, a.default_address) for a in client.list_addresses()] == [(7, True)]


def test_both_field_families_of_a_success_envelope(gw, creds):
    assert unwrap({"result": 1, "data": 5, "extra": "ignored"}) == 5
    assert unwrap({"result": "1", "data": 6}) == 6
    assert unwrap({"code": "0", "msg": "success", "data": 7}) == 7
    with pytest.raises(errors.BusinessRejected):
        unwrap({"result": True, "data": 8})  # a boolean is not the documented 1
    with pytest.raises(errors.RefundChanged):
        unwrap({"code": "0", "sub_code": "300014", "sub_msg": "changed"})


def test_request_id_is_kept_on_errors(gw, creds):
    gw.queue(fail(21, "order operation reject", requestId="req-42"))
    with pytest.raises(errors.BusinessRejected) as info:
        make(gw, creds).approve_refund(1, 100)
    assert info.value.request_id == "req-42" and "req-42" in str(info.value)


# --------------------------------------------------------------------------------- retries
def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_get_retries_5xx_with_growing_full_jitter_backoff(gw, creds):
    gw.queue(Reply(500, b"oops"), Reply(503, b"busy"), Reply(502, b""), ok({"refundId": 1}))
    sleeps = Sleeps()
    assert make(gw, creds, sleep=sleeps).refund_detail(1).refund_id == 1
    assert len(gw.requests) == 4
    assert len(sleeps) == 3
    for attempt, delay in enumerate(sleeps):
        assert 0 <= delay <= KuaishouClient.BACKOFF_BASE_S * 2**attempt


def test_retries_stop_after_max_retries(gw, creds):
    gw.queue(*[Reply(500, b"")] * 5)
    sleeps = Sleeps()
    with pytest.raises(errors.TransportError) as info:
        make(gw, creds, sleep=sleeps, max_retries=2).seller_info()
    assert len(gw.requests) == 3 and len(sleeps) == 2
    assert info.value.status == 500


def test_max_retries_zero_means_one_attempt(gw, creds):
    gw.queue(Reply(500, b""))
    with pytest.raises(errors.TransportError):
        make(gw, creds, max_retries=0).seller_info()
    assert len(gw.requests) == 1


def test_qps_limit_answers_are_retried_for_reads_and_actions(gw, creds):
    gw.queue(
        fail(2, "Exceed qps limit"),
        Reply(429, b""),
        ok({"refundId": 1}),
        fail(2, "Exceed qps limit"),
        ok(None),
    )
    client = make(gw, creds)
    client.refund_detail(1)
    client.approve_refund(1, 100)
    assert [r.verb for r in gw.requests] == ["GET"] * 3 + ["POST"] * 2


def test_a_dropped_connection_is_retried_for_a_read(gw, creds):
    gw.queue(DROP, ok({"name": "x"}))
    assert make(gw, creds).seller_info().name == "x"
    assert len(gw.requests) == 2


def test_a_read_timeout_is_retried_for_a_read(gw, creds):
    import threading

    release = threading.Event()

    def slow_then_fast(req):
        if len(gw.requests) == 1:
            release.wait(2)
        return ok({"name": "late"})

    gw.handler = slow_then_fast
    sleeps = Sleeps()
    try:
        client = make(gw, creds, timeout=(2, 0.2), sleep=sleeps)
        assert client.seller_info().name == "late"
    finally:
        release.set()
    assert len(gw.requests) == 2 and len(sleeps) == 1


@pytest.mark.parametrize("reply", [Reply(500, b"oops"), Reply(504, b""), DROP])
def test_an_action_that_may_have_been_processed_is_never_resent(gw, creds, reply):
    gw.queue(reply, ok(None))
    sleeps = Sleeps()
    with pytest.raises(errors.TransportError) as info:
        make(gw, creds, sleep=sleeps).approve_refund(1, 100)
    assert info.value.maybe_processed is True
    assert len(gw.requests) == 1 and sleeps == []


def test_an_action_that_could_not_connect_is_retried(creds):
    sleeps = Sleeps()
    client = KuaishouClient(
        creds, base_url=f"http://127.0.0.1:{_closed_port()}", sleep=sleeps, max_retries=2, qps=10_000
    )
    with pytest.raises(errors.TransportError) as info:
        client.approve_refund(1, 100)
    assert info.value.maybe_processed is False
    assert len(sleeps) == 2  # three attempts in all


def test_business_errors_are_never_retried(gw, creds):
    for reply in (
        fail(21, "order operation reject"),
        fail(300014, "退款单状态已更新"),
        fail(300003, "end before begin"),
        fail(27, "签名校验失败"),
    ):
        gw.queue(reply)
    client = make(gw, creds)
    for call in (
        lambda: client.approve_refund(1, 1),
        lambda: client.reject(1, 1, 1),
        lambda: client.refund_detail(1),
        client.seller_info,
    ):
        with pytest.raises(errors.ApiError):
            call()
    assert len(gw.requests) == 4


def test_transport_errors_never_show_the_url_or_token(creds):
    client = KuaishouClient(creds, base_url=f"http://127.0.0.1:{_closed_port()}", max_retries=0, qps=10_000)
    with pytest.raises(errors.TransportError) as info:
        client.seller_info()
    assert creds.access_token not in str(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__


# ----------------------------------------------------------------------------- rate limiter
class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_token_bucket_spaces_calls_at_the_configured_rate():
    clock = FakeClock()
    limiter = RateLimiter(10, clock=clock, sleep=clock.sleep)
    waits = [limiter.acquire() for _ in range(5)]
    assert waits[0] == 0 and all(w == pytest.approx(0.1) for w in waits[1:])
    assert clock.now == pytest.approx(0.4)
    clock.now += 5  # idle: the bucket refills up to its burst only
    assert limiter.acquire() == 0
    assert limiter.acquire() == pytest.approx(0.1)


def test_token_bucket_burst():
    clock = FakeClock()
    limiter = RateLimiter(2, burst=3, clock=clock, sleep=clock.sleep)
    assert [limiter.reserve() for _ in range(5)] == pytest.approx([0, 0, 0, 0.5, 1.0])


def test_token_bucket_is_thread_safe():
    import threading

    clock = FakeClock()  # frozen: every reservation must queue behind the previous one
    limiter = RateLimiter(100, clock=clock, sleep=lambda s: None)
    waits: list[float] = []
    lock = threading.Lock()

    def worker():
        for _ in range(50):
            w = limiter.acquire()
            with lock:
                waits.append(w)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(waits) == pytest.approx([i / 100 for i in range(400)])


def test_all_calls_of_a_client_share_its_limiter(gw, creds):
    clock = FakeClock()
    waited = Sleeps()
    limiter = RateLimiter(5, clock=clock, sleep=waited)
    client = make(gw, creds, limiter=limiter)
    client.seller_info()
    client.approve_refund(1, 1)
    client.shop_score()
    assert waited == pytest.approx([0.2, 0.4])


@pytest.mark.parametrize("qps", [0, -1, float("nan"), True])
def test_bad_qps_is_refused(qps):
    with pytest.raises(ValueError):
        RateLimiter(qps)


# ------------------------------------------------------------------------- clock and logging
def test_server_clock_offset_comes_from_the_date_header(gw, creds):
    server_now = NOW + 3600
    gw.queue(Reply(200, b'{"result":1,"data":{}}', {"Date": email.utils.formatdate(server_now, usegmt=True)}))
    client = make(gw, creds)
    assert client.server_clock_offset_ms is None
    client.seller_info()
    assert client.server_clock_offset_ms == 3_600_000 + 500
    assert client.now_ms() == int(NOW * 1000) + 3_600_500


def test_each_call_is_logged_without_secrets_or_url(gw, creds, caplog):
    gw.queue(ok({"name": "x"}), fail(21, "order operation reject"))
    client = make(gw, creds)
    with caplog.at_level(logging.DEBUG, logger="desktop.core.kuaishou"):
        client.seller_info()
        with pytest.raises(errors.BusinessRejected):
            client.approve_refund(5, 100)
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("desktop.core.kuaishou")]
    assert any("open.user.seller.get GET" in s and "-> ok in" in s and " ms" in s for s in lines)
    assert any("open.seller.order.refund.approve POST" in s and "OrderOfAnotherShop 21" in s for s in lines)
    text = caplog.text
    for secret in (creds.access_token, creds.sign_secret, "sign=", "127.0.0.1"):
        assert secret not in text


def test_a_custom_session_is_used(gw, creds):
    session = requests.Session()
    calls = []
    original = session.request

    def spy(*a, **kw):
        calls.append(kw.get("timeout"))
        return original(*a, **kw)

    session.request = spy
    make(gw, creds, session=session, timeout=(3, 7)).seller_info()
    assert calls == [(3, 7)]


def test_an_untrusted_certificate_is_refused_and_not_retried(tmp_path, creds):
    """HTTPS is verified: a self-signed gateway fails with a TLS error, at once."""
    import datetime
    import http.server
    import ipaddress
    import ssl
    import threading

    x509 = pytest.importorskip("cryptography.x509")
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")

    class Quiet(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    sleeps = Sleeps()
    try:
        client = KuaishouClient(
            creds, base_url=f"https://127.0.0.1:{server.server_address[1]}", sleep=sleeps, qps=10_000
        )
        with pytest.raises(errors.TransportError) as info:
            client.seller_info()
    finally:
        server.shutdown()
        server.server_close()
    assert "certificate" in str(info.value) and not info.value.transient
    assert sleeps == []
