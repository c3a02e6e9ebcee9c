"""Token refresh with rotation: the new tokens are stored before they are used, one refresh at a
time, the "discarded" answer for a reused refresh token, and the pasted-token mode."""

from __future__ import annotations

import threading
import time

import pytest
from kuaishou_fake import FakeGateway, Reply, envelope, fail, ok

from desktop.core.kuaishou import errors
from desktop.core.kuaishou.client import Credentials, KuaishouClient
from desktop.core.kuaishou.models import OAuthToken
from desktop.core.logsetup import redact


class TokenServer:
    """Accepts only ``valid`` as access token; /oauth2/refresh_token rotates both tokens."""

    def __init__(self, gw: FakeGateway) -> None:
        self.gw = gw
        self.valid = "access-OLD-0"
        self.refresh = "refresh-OLD-0"
        self.generation = 0
        self.refresh_calls = 0
        self.refresh_delay = 0.0
        self.lock = threading.Lock()
        gw.handler = self.handle

    def handle(self, req):
        if req.path == "/oauth2/refresh_token":
            time.sleep(self.refresh_delay)
            p = req.params
            with self.lock:
                self.refresh_calls += 1
                if p.get("refresh_token") != self.refresh or p.get("app_secret") != "app-SECRET-1":
                    return envelope(
                        {
                            "result": 100200102,
                            "error": "refreshToken.discarded",
                            "error_msg": "refresh token discarded",
                        }
                    )
                self.generation += 1
                self.valid = f"access-NEW-{self.generation}"
                self.refresh = f"refresh-NEW-{self.generation}"
                return envelope(
                    {
                        "result": 1,
                        "access_token": self.valid,
                        "refresh_token": self.refresh,
                        "expires_in": 172800,
                        "refresh_token_expires_in": 15_000_000,
                        "open_id": "o1",
                        "scopes": ["merchant_refund"],
                    }
                )
        if req.params.get("access_token") != self.valid:
            return fail(28, "鉴权失败: TOKEN过期")
        return ok({"name": "店", "sellerId": 1})


@pytest.fixture
def gw():
    gateway = FakeGateway()
    yield gateway
    gateway.close()


def oauth_creds(**kw):
    return Credentials(
        "ks1", "sign-secret-1", "access-OLD-0", app_secret="app-SECRET-1", refresh_token="refresh-OLD-0", **kw
    )


def test_refresh_hands_the_new_tokens_to_the_callback_before_using_them(gw):
    server = TokenServer(gw)
    events = []

    def store(token: OAuthToken):
        events.append(("stored", token.refresh_token, len(gw.requests)))

    client = KuaishouClient(oauth_creds(), base_url=gw.base_url, qps=10_000, on_tokens_refreshed=store)
    server.valid = "access-OLD-0-expired"
    assert client.seller_info().seller_id == 1
    paths = [r.path for r in gw.requests]
    assert paths == ["/open/user/seller/get", "/oauth2/refresh_token", "/open/user/seller/get"]
    assert events == [("stored", "refresh-NEW-1", 2)]  # before the retried call arrived
    assert gw.requests[1].verb == "POST"  # the doc's verb, the parameters in the query string
    assert gw.requests[1].query["grant_type"] == "refresh_token"
    assert gw.requests[2].params["access_token"] == "access-NEW-1"
    assert client.credentials.access_token == "access-NEW-1"
    assert client.credentials.refresh_token == "refresh-NEW-1"
    assert redact("x access-NEW-1 refresh-NEW-1") == "x *** ***"  # registered as secrets


def test_concurrent_expired_calls_share_one_refresh(gw):
    server = TokenServer(gw)
    server.refresh_delay = 0.2  # keep the refresh in flight while the others arrive
    client = KuaishouClient(oauth_creds(), base_url=gw.base_url, qps=10_000)
    server.valid = "expired-for-everyone"
    stored = []
    client._on_tokens_refreshed = stored.append
    results, failures = [], []
    barrier = threading.Barrier(6)

    def worker():
        barrier.wait()
        try:
            results.append(client.seller_info().seller_id)
        except Exception as exc:
            failures.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert failures == [] and results == [1] * 6
    assert server.refresh_calls == 1 and len(stored) == 1
    assert client.credentials.refresh_token == "refresh-NEW-1"


def test_a_reused_refresh_token_surfaces_as_discarded(gw):
    server = TokenServer(gw)
    server.refresh = "refresh-ROTATED-elsewhere"  # another process already used ours
    server.valid = "expired"
    client = KuaishouClient(oauth_creds(), base_url=gw.base_url, qps=10_000)
    with pytest.raises(errors.OAuthError) as info:
        client.seller_info()
    assert info.value.error == "refreshToken.discarded" and info.value.needs_reauth
    assert server.refresh_calls == 1
    assert len([r for r in gw.requests if r.path.startswith("/open")]) == 1


def test_the_call_is_retried_once_only_after_a_refresh(gw):
    server = TokenServer(gw)
    server.valid = "expired"
    gw.handler = lambda req: (
        server.handle(req) if req.path.startswith("/oauth2") else fail(28, "鉴权失败")
    )  # even the fresh token is refused
    client = KuaishouClient(oauth_creds(), base_url=gw.base_url, qps=10_000)
    with pytest.raises(errors.AuthenticationFailed) as info:
        client.seller_info()
    assert info.value.needs_reauth
    text = info.value.message  # the three possible causes: expired, scope missing, cancelled
    assert "过期" in text and "权限" in text and "取消授权" in text
    assert [r.path for r in gw.requests].count("/oauth2/refresh_token") == 1
    assert len(gw.requests) == 3


def test_refresh_falls_back_to_get_when_post_is_refused(gw):
    server = TokenServer(gw)
    server.valid = "expired"
    gw.queue(fail(28, "TOKEN过期"), Reply(405, b"Method Not Allowed"))
    client = KuaishouClient(oauth_creds(), base_url=gw.base_url, qps=10_000)
    assert client.seller_info().name == "店"
    verbs = [(r.verb, r.path) for r in gw.requests]
    assert verbs == [
        ("GET", "/open/user/seller/get"),
        ("POST", "/oauth2/refresh_token"),
        ("GET", "/oauth2/refresh_token"),
        ("GET", "/open/user/seller/get"),
    ]


def test_a_failing_store_callback_fails_the_call_but_keeps_the_new_tokens(gw):
    server = TokenServer(gw)
    server.valid = "expired"

    def broken_store(token):
        raise OSError("keychain locked")

    client = KuaishouClient(oauth_creds(), base_url=gw.base_url, qps=10_000, on_tokens_refreshed=broken_store)
    with pytest.raises(OSError):
        client.seller_info()
    # the rotated refresh token is not lost: the next call works without a second refresh
    client._on_tokens_refreshed = None
    assert client.seller_info().seller_id == 1
    assert server.refresh_calls == 1


def test_a_pasted_token_that_expired_must_be_replaced(gw):
    gw.handler = lambda req: fail(28, "鉴权失败，TOKEN过期")
    client = KuaishouClient(
        Credentials("ks1", "sign-secret-1", "pasted-TOKEN-1"), base_url=gw.base_url, qps=10_000
    )
    with pytest.raises(errors.PastedTokenExpired) as info:
        client.seller_info()
    assert isinstance(info.value, errors.AuthError) and info.value.needs_reauth
    assert "48" in str(info.value)
    assert [r.path for r in gw.requests] == ["/open/user/seller/get"]  # no refresh attempted


def test_other_auth_errors_are_not_refreshed(gw):
    gw.handler = lambda req: fail(24, "AUTHORIZATION_REVOKED")
    client = KuaishouClient(oauth_creds(), base_url=gw.base_url, qps=10_000)
    with pytest.raises(errors.AuthorizationRevoked):
        client.seller_info()
    assert len(gw.requests) == 1


def test_a_pasted_token_refused_with_the_ambiguous_text_names_the_three_causes(gw):
    gw.handler = lambda req: fail(28, "鉴权失败")
    client = KuaishouClient(
        Credentials("ks1", "sign-secret-1", "access-PASTED-0"), base_url=gw.base_url, qps=10_000
    )
    with pytest.raises(errors.PastedTokenExpired) as info:
        client.seller_info()
    assert "权限" in info.value.message and "取消授权" in info.value.message
