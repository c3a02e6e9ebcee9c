"""The client against the embedded sandbox over real HTTP on 127.0.0.1: every method with both sign
methods, paging across windows and pages (and the sync keeping within 90 days of the gateway's clock), every injected fault, token expiry and the OAuth round
trip with rotation."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from desktop.core.kuaishou import errors
from desktop.core.kuaishou.client import DAY_MS, Credentials, KuaishouClient
from desktop.core.kuaishou.models import Refund
from desktop.core.kuaishou.oauth import LoopbackCatcher, OAuthClient, parse_redirect
from desktop.core.rulesfile import load_default_rules
from desktop.core.store import open_store
from desktop.core.sync import Syncer
from desktop.sandbox import Sandbox


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sb():
    with Sandbox(seed=7) as sandbox:
        yield sandbox


def credentials(sb, *, sign_method="HMAC_SHA256", oauth=True, **overrides) -> Credentials:
    c = sb.credentials
    values = {
        "app_key": c.app_key,
        "sign_secret": c.sign_secret,
        "access_token": c.access_token,
        "sign_method": sign_method,
    }
    if oauth:
        values.update(app_secret=c.app_secret, refresh_token=c.refresh_token)
    values.update(overrides)
    return Credentials(**values)


def listed(client: KuaishouClient, begin: int, end: int, **kw) -> list[Refund]:
    """Every refund of ``[begin, end]``, one window of at most a day at a time, as the sync lists."""
    out: dict[int, Refund] = {}
    start = begin
    while start < end:
        stop = min(start + DAY_MS, end)
        for page in client.iter_window_pages(start, stop, **kw):
            out.update((r.refund_id, r) for r in page.items)
        start = stop
    return list(out.values())


def client_for(sb, **kw) -> KuaishouClient:
    creds = kw.pop("creds", None) or credentials(sb, sign_method=kw.pop("sign_method", "HMAC_SHA256"))
    kw.setdefault("qps", 1000)
    kw.setdefault("sleep", Sleeps())
    kw.setdefault("timeout", (2, 5))
    return KuaishouClient(creds, base_url=sb.base_url, **kw)


# ---------------------------------------------------------------------------- every method
@pytest.mark.parametrize("sign_method", ["HMAC_SHA256", "MD5"])
def test_every_method_over_real_http(sb, sign_method):
    client = client_for(sb, sign_method=sign_method)

    seller = client.seller_info()
    assert seller.seller_id == sb.credentials.seller_id and seller.name
    score = client.shop_score()
    assert score.has_data is not None
    returns = client.list_addresses(2)
    assert returns and all(a.address_id for a in returns)
    assert client.list_addresses(3)

    now = sb.now_ms()
    every = listed(client, now - 2 * DAY_MS, now)
    assert every and all(isinstance(r, Refund) for r in every)
    waiting = listed(client, now - 2 * DAY_MS, now, type=8)
    assert 0 < len(waiting) < len(every)

    # refund-only: detail, history, approve
    only = sb.add_refund()
    rid = only["refundId"]
    detail = client.refund_detail(rid)
    assert detail.refund_id == rid and detail.expire_time == only["expireTime"]
    assert detail.refund_fee == only["refundFee"] and detail.buyer_open_id
    assert client.negotiation_history(rid)[0].title
    client.approve_refund(
        rid, detail.refund_fee, status=detail.status, negotiate_status=detail.negotiate_status, handing_way=10
    )
    after = client.refund_detail(rid)
    assert after.negotiate_status == 2 and after.status != detail.status
    assert len(client.negotiation_history(rid)) > 1

    # return-and-refund: approve with an address, the buyer ships, confirm the receipt
    ret = sb.add_refund(handlingWay=1)
    client.approve_return(ret["refundId"], ret["refundFee"], address_id=returns[0].address_id)
    assert client.refund_detail(ret["refundId"]).status == 30
    sb.advance(600)  # the sandbox's buyer ships after 5 minutes
    shipped = client.refund_detail(ret["refundId"])
    assert shipped.status == 40
    client.confirm_receipt(ret["refundId"], status=shipped.status)
    assert client.refund_detail(ret["refundId"]).status in (50, 60)

    # reject with a reason allowed for THIS refund
    rej = sb.add_refund()
    reasons = client.reject_reasons(rej["refundId"])
    assert reasons and all(r.code is not None for r in reasons)
    reason = reasons[0]
    version = client.refund_detail(rej["refundId"]).update_time
    client.reject(
        rej["refundId"],
        reason.code,
        version,
        reject_desc="商品完好，不影响二次销售" if reason.required_reject_desc else None,
        reject_images=["https://img.example/1.png"] if reason.required_reject_image else None,
    )
    assert client.refund_detail(rej["refundId"]).negotiate_status == 3
    with pytest.raises(errors.ApiError):  # the stale version / the state no longer allows it
        client.reject(
            rej["refundId"],
            reason.code,
            version,
            reject_desc="再次",
            reject_images=["https://img.example/1.png"],
        )

    verbs = {(e["method"], e["verb"]) for e in sb.call_log}
    assert ("open.seller.order.refund.approve", "POST") in verbs
    assert ("open.seller.order.refund.detail", "GET") in verbs
    assert all(e["result"] == 1 for e in sb.call_log[:-1])


def test_a_wrong_sign_secret_is_a_signature_error(sb):
    client = client_for(sb, creds=credentials(sb, sign_secret="not-the-sign-secret"))
    with pytest.raises(errors.SignatureError):
        client.seller_info()


def test_request_errors_from_the_gateway_are_typed(sb):
    client = client_for(sb)
    now = sb.now_ms()
    with pytest.raises(errors.RequestError):  # window wider than one day
        client.list_refunds_page(now - 2 * DAY_MS, now)
    with pytest.raises(errors.RequestError):
        client.list_refunds_page(now, now - 1)
    with pytest.raises(errors.RequestError):
        client.refund_detail(1)


def test_the_server_clock_offset_follows_the_sandbox_clock(sb):
    client = client_for(sb)
    client.seller_info()
    assert abs(client.server_clock_offset_ms) < 1500
    sb.advance(3 * 3600)
    client.seller_info()
    assert abs(client.server_clock_offset_ms - 3 * 3600 * 1000) < 1500


# ------------------------------------------------------------------------------- listing
@pytest.mark.parametrize(("query_type", "key"), [(1, "createTime"), (2, "updateTime")])
def test_paging_across_several_windows_and_pages(sb, query_type, key):
    sb.seed_bulk(400, days=6)
    now = sb.now_ms()
    begin, end = now - 5 * DAY_MS - 3_600_000, now
    expected = {rid for rid, r in sb.refunds.items() if begin <= r[key] <= end}
    client = client_for(sb)
    got: list[int] = []
    start = begin
    while start < end:
        stop = min(start + DAY_MS, end)
        window = [
            r.refund_id
            for page in client.iter_window_pages(start, stop, query_type=query_type, page_size=25)
            for r in page.items
        ]
        assert len(window) == len(set(window))  # no refund twice within a window's pages
        got.extend(window)
        start = stop
    assert set(got) == expected
    windows = {(e["params"]["beginTime"], e["params"]["endTime"]) for e in sb.call_log}
    assert len(windows) == 6
    assert len(sb.call_log) >= len(expected) // 25
    cursors = [e["params"]["pcursor"] for e in sb.call_log]
    assert cursors.count("") == 6 and len(cursors) > 6


def test_paging_a_window_can_be_cancelled(sb):
    sb.seed_bulk(200, days=3)
    now = sb.now_ms()
    pages = []
    for page in client_for(sb).iter_window_pages(
        now - DAY_MS, now, page_size=10, cancelled=lambda: len(pages) >= 3
    ):
        pages.append(page)
    assert len(sb.call_log) == 3 and not pages[-1].is_last


def test_listing_older_than_90_days_is_refused_by_the_gateway_and_avoided_by_the_sync(sb, tmp_path):
    client = client_for(sb)
    sb.advance(DAY_MS / 1000)  # the gateway's clock is a day ahead of ours
    begin = sb.now_ms() - 90 * DAY_MS - 10 * 60_000
    with pytest.raises(
        errors.RequestError
    ):  # on our clock the range looks valid: the gateway refuses (300005)
        client.list_refunds_page(begin, begin + 1000)
    # the sync places its windows on the gateway's clock (measured by its first call): a 90-day
    # first sweep is accepted whole
    with open_store(tmp_path / "s.sqlite3") as store:
        shop = store.shops.add(base_url=sb.base_url, seller_id=sb.credentials.seller_id)
        result = Syncer(client, store, load_default_rules(), shop_id=shop.id, days=90).run()
    assert result.completed and result.first_sweep_done
    begins = [e["params"]["beginTime"] for e in sb.call_log[1:] if "beginTime" in e["params"]]
    assert begins and min(begins) >= sb.now_ms() - 90 * DAY_MS


# --------------------------------------------------------------------------------- faults
def _ok_afterwards(client):
    assert client.seller_info().seller_id


@pytest.mark.parametrize(
    ("kind", "kw"),
    [
        ("drop", {}),
        ("http500", {}),
        ("http500", {"status": 503}),
        ("delay", {"delay_s": 0.5}),
        ("result", {"result": 30, "error_msg": "Exceed qps limit"}),
    ],
)
def test_transient_faults_on_reads_are_retried_and_survived(sb, kind, kw):
    client = client_for(sb, timeout=(2, 0.3))
    sb.inject_fault("open.seller.order.refund.detail", kind, times=1, **kw)
    rid = sb.add_refund()["refundId"]
    assert client.refund_detail(rid).refund_id == rid
    calls = [e for e in sb.call_log if e["method"] == "open.seller.order.refund.detail"]
    assert len(calls) == 2


@pytest.mark.parametrize(
    ("kind", "kw", "exc_type"),
    [
        ("html", {}, errors.MalformedResponse),
        ("truncated", {}, errors.MalformedResponse),
        ("result", {"result": 300014, "error_msg": "退款单状态已更新，请刷新重试"}, errors.RefundChanged),
        ("result", {"result": 24, "error_msg": "AUTHORIZATION_REVOKED"}, errors.AuthorizationRevoked),
        ("result", {"result": 21, "error_msg": "order operation reject"}, errors.BusinessRejected),
        ("result", {"result": 2, "error_msg": "Exceed quota limit [1017]"}, errors.QuotaExceeded),
        ("result", {"result": 0, "error_msg": "x", "sub_code": "300011"}, errors.RequestError),
        ("result", {"result": 29, "error_msg": "token中无scope权限"}, errors.ScopeMissing),
    ],
)
def test_other_faults_surface_as_their_type_without_retry(sb, kind, kw, exc_type):
    client = client_for(sb)
    sb.inject_fault("open.seller.order.refund.detail", kind, times=1, **kw)
    rid = sb.add_refund()["refundId"]
    with pytest.raises(exc_type):
        client.refund_detail(rid)
    assert len(sb.call_log) == 1
    _ok_afterwards(client)


def test_retries_give_up_after_max_retries(sb):
    sleeps = Sleeps()
    client = client_for(sb, max_retries=2, sleep=sleeps)
    sb.inject_fault("open.user.seller.get", "http500", times=5)
    with pytest.raises(errors.TransportError):
        client.seller_info()
    assert len(sb.call_log) == 3 and len(sleeps) == 2


def test_a_delay_longer_than_the_timeout_is_a_transport_error(sb):
    client = client_for(sb, timeout=(2, 0.2), max_retries=1)
    sb.inject_fault("open.user.seller.get", "delay", times=2, delay_s=0.6)
    with pytest.raises(errors.TransportError) as info:
        client.seller_info()
    assert info.value.maybe_processed
    time.sleep(0.5)  # let the sandbox finish the delayed answers before the next call
    _ok_afterwards(client)


@pytest.mark.parametrize(
    ("kind", "after"), [("drop", False), ("http500", False), ("drop", True), ("truncated", True)]
)
def test_an_action_is_never_sent_twice(sb, kind, after):
    client = client_for(sb)
    r = sb.add_refund()
    sb.inject_fault("open.seller.order.refund.approve", kind, times=1, after_processing=after)
    with pytest.raises((errors.TransportError, errors.MalformedResponse)) as info:
        client.approve_refund(r["refundId"], r["refundFee"])
    if isinstance(info.value, errors.TransportError):
        assert info.value.maybe_processed
    approvals = [e for e in sb.call_log if e["method"] == "open.seller.order.refund.approve"]
    assert len(approvals) == 1
    # reconcile by reading the refund: approved only if the gateway processed it
    assert (client.refund_detail(r["refundId"]).negotiate_status == 2) is after


def test_the_sandbox_qps_limit_is_survived_with_backoff(sb):
    sb.set_qps_limit(3)
    client = client_for(sb, sleep=time.sleep, max_retries=6)
    for _ in range(6):
        client.seller_info()
    limited = [e for e in sb.call_log if e["result"] not in (1, None)]
    assert limited, "the sandbox should have refused some calls"
    assert all(e["result"] == limited[0]["result"] for e in limited)


def test_the_client_limiter_keeps_under_the_sandbox_limit(sb):
    sb.set_qps_limit(5)
    client = client_for(sb, qps=4)
    started = time.monotonic()
    for _ in range(6):
        client.seller_info()
    assert time.monotonic() - started >= 1.0
    assert all(e["result"] == 1 for e in sb.call_log)


# ----------------------------------------------------------------------------- tokens
def test_an_expired_token_is_refreshed_once_and_rotated(sb):
    stored = []
    client = client_for(sb, on_tokens_refreshed=stored.append)
    client.seller_info()
    sb.expire_access_token()
    results = []
    threads = [
        threading.Thread(target=lambda: results.append(client.seller_info().seller_id)) for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results == [sb.credentials.seller_id] * 4
    assert len(stored) == 1 and [e["endpoint"] for e in sb.oauth_log] == ["oauth2.refresh_token"]
    assert client.credentials.refresh_token == stored[0].refresh_token != sb.credentials.refresh_token
    # another copy of the app still holding the old refresh token: discarded
    old = OAuthClient(sb.credentials.app_key, sb.credentials.app_secret, base_url=sb.base_url)
    with pytest.raises(errors.OAuthError) as info:
        old.refresh(sb.credentials.refresh_token)
    assert "discarded" in (info.value.error or info.value.message).lower()


def test_a_pasted_token_that_expired_asks_for_a_new_one(sb):
    client = client_for(sb, creds=credentials(sb, oauth=False))
    sb.expire_access_token()
    with pytest.raises(errors.PastedTokenExpired):
        client.seller_info()
    assert sb.oauth_log == []


def test_a_revoked_grant_asks_for_a_new_authorisation(sb):
    client = client_for(sb)
    sb.revoke_access_token()
    with pytest.raises(errors.AuthorizationRevoked) as info:
        client.seller_info()
    assert info.value.needs_reauth and sb.oauth_log == []


def test_the_oauth_round_trip_with_the_loopback_catcher(sb):
    oauth = OAuthClient(
        sb.credentials.app_key,
        sb.credentials.app_secret,
        base_url=sb.base_url,
        authorize_url=sb.authorize_url,
    )
    with LoopbackCatcher() as catcher:
        url, state = oauth.authorize_url(catcher.redirect_uri, state=catcher.state)
        page = requests.get(url, timeout=5)  # the "browser": the sandbox redirects to the catcher
        assert page.status_code == 200 and "可以关闭此窗口" in page.text
        code, got_state = catcher.wait(5)
    assert got_state == state
    token = oauth.exchange_code(code)
    assert token.access_token and token.refresh_token and token.expires_in == 172800
    with pytest.raises(errors.OAuthError):
        oauth.exchange_code(code)  # a code works once

    creds = Credentials(
        sb.credentials.app_key,
        sb.credentials.sign_secret,
        token.access_token,
        app_secret=sb.credentials.app_secret,
        refresh_token=token.refresh_token,
    )
    stored = []
    client = client_for(sb, creds=creds, on_tokens_refreshed=stored.append)
    assert client.seller_info().open_id == token.open_id
    assert client.list_addresses()

    sb.advance(49 * 3600)  # the 48 h access token lapses
    assert client.seller_info().open_id == token.open_id
    assert len(stored) == 1 and stored[0].refresh_token != token.refresh_token
    with pytest.raises(errors.OAuthError) as info:
        oauth.refresh(token.refresh_token)  # the rotated-away token
    assert "discarded" in (info.value.error or info.value.message).lower()


def test_a_pasted_redirect_and_missing_scopes(sb):
    oauth = OAuthClient(
        sb.credentials.app_key,
        sb.credentials.app_secret,
        base_url=sb.base_url,
        authorize_url=sb.authorize_url,
    )
    url, state = oauth.authorize_url("http://127.0.0.1:9/callback", scopes=("merchant_user",))
    location = requests.get(url, allow_redirects=False, timeout=5).headers["Location"]
    with pytest.raises(errors.OAuthStateMismatch):
        parse_redirect(location, "another-attempt")
    token = oauth.exchange_code(parse_redirect(location, state))
    client = client_for(
        sb, creds=Credentials(sb.credentials.app_key, sb.credentials.sign_secret, token.access_token)
    )
    assert client.seller_info().seller_id
    with pytest.raises(errors.ScopeMissing):
        client.refund_detail(sb.add_refund()["refundId"])
