"""OAuthClient (authorise URL, code exchange, refresh), parse_redirect and the loopback catcher."""

from __future__ import annotations

import threading
import urllib.parse

import pytest
import requests
from kuaishou_fake import FakeGateway, Reply, envelope

from desktop.core.kuaishou import errors
from desktop.core.kuaishou.oauth import (
    DEFAULT_SCOPES,
    LoopbackCatcher,
    OAuthClient,
    OAuthStateMismatch,
    parse_redirect,
)
from desktop.core.logsetup import redact

TOKENS = {
    "result": 1,
    "access_token": "acc-TOKEN-1",
    "refresh_token": "ref-TOKEN-1",
    "open_id": "open-1",
    "expires_in": 172800,
    "refresh_token_expires_in": 15552000,
    "scopes": ["merchant_refund", "merchant_user"],
}


@pytest.fixture
def gw():
    gateway = FakeGateway()
    yield gateway
    gateway.close()


def oauth(gw):
    return OAuthClient(
        "ks_app", "app-SECRET-9", base_url=gw.base_url, authorize_url=gw.base_url + "/oauth/authorize"
    )


# ---------------------------------------------------------------------------- authorise URL
def test_authorize_url_carries_app_scopes_and_a_random_state():
    client = OAuthClient("ks_app", "app-SECRET-9")
    url, state = client.authorize_url("https://example.com/cb")
    parts = urllib.parse.urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "https://open.kwaixiaodian.com/oauth/authorize"
    q = dict(urllib.parse.parse_qsl(parts.query))
    assert q == {
        "app_id": "ks_app",
        "redirect_uri": "https://example.com/cb",
        "scope": "merchant_refund,merchant_user,merchant_logistics",
        "response_type": "code",
        "state": state,
    }
    assert len(state) >= 20
    assert client.authorize_url("https://example.com/cb")[1] != state
    assert DEFAULT_SCOPES == ("merchant_refund", "merchant_user", "merchant_logistics")
    url2, state2 = client.authorize_url("x", scopes=["merchant_refund"], state="fixed")
    assert state2 == "fixed" and "scope=merchant_refund&" in url2
    assert "app-SECRET-9" not in url


def test_oauth_refuses_plain_http_to_a_remote_host():
    with pytest.raises(ValueError, match="https"):
        OAuthClient("k", "s", base_url="http://openapi.kwaixiaodian.com")
    with pytest.raises(ValueError):
        OAuthClient("k", "s", authorize_url="http://open.kwaixiaodian.com/oauth/authorize")
    with pytest.raises(ValueError):
        OAuthClient("k", "")


def test_oauth_client_repr_hides_the_secret():
    assert "app-SECRET-9" not in repr(OAuthClient("ks_app", "app-SECRET-9"))


# ----------------------------------------------------------------------------- token calls
def test_exchange_code_is_a_get_with_the_documented_parameters(gw):
    gw.queue(envelope(TOKENS))
    token = oauth(gw).exchange_code(" the-CODE-1 ")
    (req,) = gw.requests
    assert (req.verb, req.path) == ("GET", "/oauth2/access_token")
    assert req.query == {
        "app_id": "ks_app",
        "app_secret": "app-SECRET-9",
        "grant_type": "code",
        "code": "the-CODE-1",
    }
    assert token.access_token == "acc-TOKEN-1" and token.refresh_token == "ref-TOKEN-1"
    assert token.expires_in == 172800 and token.scopes == ("merchant_refund", "merchant_user")
    assert "acc-TOKEN-1" not in repr(token)
    assert redact("acc-TOKEN-1 ref-TOKEN-1 the-CODE-1 app-SECRET-9") == "*** *** *** ***"


def test_refresh_is_a_post_with_the_parameters_in_the_query_string(gw):
    gw.queue(envelope(TOKENS))
    oauth(gw).refresh("ref-OLD-1")
    (req,) = gw.requests
    assert (req.verb, req.path) == ("POST", "/oauth2/refresh_token")
    assert req.query == {
        "app_id": "ks_app",
        "app_secret": "app-SECRET-9",
        "grant_type": "refresh_token",
        "refresh_token": "ref-OLD-1",
    }
    assert req.raw_body == b""


def test_a_refused_refresh_is_not_resent_as_get_on_other_answers(gw):
    gw.queue(Reply(501, b"no"))
    with pytest.raises(errors.TransportError):
        oauth(gw).refresh("ref-OLD-1")
    assert [r.verb for r in gw.requests] == ["POST"]


def test_the_refresh_tokens_expiry_is_the_grant_time_plus_180_days_kept_across_refreshes(gw):
    from desktop.core.kuaishou.oauth import REFRESH_TOKEN_LIFETIME_MS, refresh_expiry_ms

    granted = 1_760_000_000_000
    exchange = {k: v for k, v in TOKENS.items() if k != "refresh_token_expires_in"}
    gw.queue(envelope(exchange))  # the exchange's answer has no refresh_token_expires_in
    first = oauth(gw).exchange_code("the-CODE-1")
    assert first.refresh_token_expires_in is None
    expiry = refresh_expiry_ms(first, granted_at_ms=granted)
    assert expiry == granted + REFRESH_TOKEN_LIFETIME_MS == granted + 180 * 86_400_000
    gw.queue(envelope({**TOKENS, "refresh_token_expires_in": 180 * 86_400}))
    refreshed = oauth(gw).refresh("ref-TOKEN-1")
    # ten days later the refresh says "180 days" again: the grant's expiry is kept
    assert refresh_expiry_ms(refreshed, granted_at_ms=granted + 10 * 86_400_000, previous_ms=expiry) == expiry
    # an exchange that does say it is believed
    assert refresh_expiry_ms(refreshed, granted_at_ms=granted) == granted + 180 * 86_400_000


@pytest.mark.parametrize("status", [404, 405])
def test_refresh_falls_back_to_get_and_remembers_it(gw, status):
    gw.queue(Reply(status, b"no"), envelope(TOKENS), envelope(TOKENS))
    client = oauth(gw)
    client.refresh("ref-OLD-1")
    client.refresh("ref-TOKEN-1")
    assert [r.verb for r in gw.requests] == ["POST", "GET", "GET"]
    assert gw.requests[1].query["refresh_token"] == "ref-OLD-1"


@pytest.mark.parametrize(
    ("reply", "exc_type", "discarded"),
    [
        (
            envelope(
                {
                    "result": 100200102,
                    "error": "refreshToken.discarded",
                    "error_msg": "refresh token has been discarded",
                }
            ),
            errors.OAuthError,
            True,
        ),
        (
            envelope({"result": 100200101, "error": "code.invalid", "error_msg": "code expired"}),
            errors.OAuthError,
            False,
        ),
        (envelope({"result": 100200500, "error": "server_error"}, status=400), errors.OAuthError, False),
        (Reply(200, b"<html>login</html>"), errors.MalformedResponse, None),
        (envelope({"result": 1, "access_token": "a-1-xxxx", "expires_in": "soon"}), errors.ParseError, None),
        (envelope({"result": 1}), errors.ParseError, None),
        (Reply(502, b""), errors.TransportError, None),
    ],
)
def test_oauth_failures_are_typed(gw, reply, exc_type, discarded):
    gw.queue(reply)
    with pytest.raises(exc_type) as info:
        oauth(gw).exchange_code("c-ode-1")
    if discarded is not None:
        assert (info.value.error == "refreshToken.discarded") is discarded
        assert info.value.needs_reauth


def test_oauth_connection_failure_is_a_transport_error():
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    with pytest.raises(errors.TransportError):
        OAuthClient("k", "secret-x", base_url=f"http://127.0.0.1:{port}").refresh("r-token-1")


# --------------------------------------------------------------------------- parse_redirect
@pytest.mark.parametrize(
    "text",
    [
        "https://example.com/cb?code=AbC-123_x&state=S1",
        "  https://example.com/cb?state=S1&code=AbC-123_x&extra=1\n",
        "http://127.0.0.1:8765/callback?code=AbC-123_x&state=S1",
        "code=AbC-123_x&state=S1",
        "?code=AbC-123_x&state=S1",
        "https://example.com/cb#code=AbC-123_x&state=S1",
    ],
)
def test_parse_redirect_accepts_the_redirect_in_its_usual_forms(text):
    assert parse_redirect(text, "S1") == "AbC-123_x"


def test_parse_redirect_accepts_a_bare_code_without_a_state():
    assert parse_redirect(" 8f3a9c0d1e2b ", "S1") == "8f3a9c0d1e2b"
    assert parse_redirect("8f3a9c0d1e2b==", None) == "8f3a9c0d1e2b=="


@pytest.mark.parametrize(
    "text",
    ["https://example.com/cb?code=AbC&state=OTHER", "https://example.com/cb?code=AbC", "code=AbC&state="],
)
def test_parse_redirect_checks_the_state(text):
    with pytest.raises(OAuthStateMismatch) as info:
        parse_redirect(text, "S1")
    assert isinstance(info.value, ValueError) and "授权标记不一致" in str(info.value)  # no API word


def test_parse_redirect_without_an_expected_state_takes_the_code():
    assert parse_redirect("https://example.com/cb?code=AbC&state=whatever", None) == "AbC"


@pytest.mark.parametrize(
    "text",
    [
        "https://example.com/cb?error=access_denied&state=S1",
        "https://example.com/cb?error=access_denied&error_description=user+said+no",
    ],
)
def test_parse_redirect_rejects_an_error_redirect(text):
    with pytest.raises(errors.OAuthRedirectError) as info:
        parse_redirect(text, "S1")
    assert not isinstance(info.value, OAuthStateMismatch)
    assert "access_denied" in str(info.value) or "user said no" in str(info.value)


@pytest.mark.parametrize(
    "text", ["", "   ", "https://example.com/cb?state=S1", "hello world", "授权码", "a b", "x"]
)
def test_parse_redirect_rejects_text_without_a_code(text):
    with pytest.raises(errors.OAuthRedirectError):
        parse_redirect(text, "S1")


def test_parse_redirect_registers_the_code_as_a_secret():
    parse_redirect("https://e.com/cb?code=CODE-zz-99&state=S", "S")
    assert redact("got CODE-zz-99") == "got ***"


# --------------------------------------------------------------------------- loopback catcher
def test_loopback_catcher_end_to_end():
    with LoopbackCatcher() as catcher:
        assert catcher.redirect_uri.startswith("http://127.0.0.1:")
        assert catcher.redirect_uri.endswith("/callback")
        assert catcher._server.server_address[0] == "127.0.0.1"
        pages = {}

        def browser():
            base = catcher.redirect_uri.rsplit("/", 1)[0]
            pages["favicon"] = requests.get(base + "/favicon.ico", timeout=5).status_code
            r = requests.get(catcher.redirect_uri + f"?code=CAUGHT-1&state={catcher.state}", timeout=5)
            pages["status"], pages["text"] = r.status_code, r.text
            pages["type"] = r.headers["Content-Type"]

        t = threading.Thread(target=browser)
        t.start()
        assert catcher.wait(10) == ("CAUGHT-1", catcher.state)
        t.join(5)
    assert pages["favicon"] == 404  # other paths do not end the wait
    assert pages["status"] == 200 and "text/html" in pages["type"]
    assert "可以关闭此窗口" in pages["text"] and "close this window" in pages["text"]
    assert "CAUGHT-1" not in pages["text"]
    with pytest.raises(requests.ConnectionError):  # one-shot: closed after wait()
        requests.get(catcher.redirect_uri, timeout=2)


def test_loopback_catcher_times_out_cleanly():
    catcher = LoopbackCatcher()
    with pytest.raises(TimeoutError):
        catcher.wait(0.05)
    catcher.close()  # idempotent


def test_loopback_catcher_reports_a_refusal():
    catcher = LoopbackCatcher(path="/cb", state="S")
    r = requests.get(catcher.redirect_uri + "?error=access_denied&state=S", timeout=5)
    assert r.status_code == 200 and "授权未完成" in r.text
    with pytest.raises(errors.OAuthRedirectError, match="access_denied"):
        catcher.wait(5)


def test_loopback_catcher_ignores_a_callback_without_code():
    catcher = LoopbackCatcher(state="s")
    assert requests.get(catcher.redirect_uri, timeout=5).status_code == 400
    assert requests.get(catcher.redirect_uri + "?state=s", timeout=5).status_code == 400
    requests.get(catcher.redirect_uri + "?code=second-1&state=s", timeout=5)
    assert catcher.wait(5) == ("second-1", "s")


@pytest.mark.parametrize(
    "forged",
    [
        "?error=x",  # a bare refusal from any web page
        "?error=access_denied&state=old-attempt",
        "?code=forged-code",
        "?code=forged-code&state=old-attempt",
        "?code=forged-code&state=",
        "?code=forged-code&state=S-real&state=S-real",  # the first state counts: still ours, see below
    ],
)
def test_loopback_catcher_waits_through_requests_not_of_this_attempt(forged):
    catcher = LoopbackCatcher(state="S-real")
    try:
        r = requests.get(catcher.redirect_uri + forged, timeout=5)
        if "state=S-real" in forged:
            assert r.status_code == 200  # a well-formed callback of this attempt
            assert catcher.wait(5) == ("forged-code", "S-real")
            return
        assert r.status_code == 400
        assert "已忽略" in r.text and "授权完成" not in r.text and "授权未完成" not in r.text
        assert requests.post(catcher.redirect_uri + "?code=p&state=S-real", timeout=5).status_code >= 400
        with pytest.raises(TimeoutError):
            catcher.wait(0.3)  # nothing of this attempt arrived: still waiting until the time-out
    finally:
        catcher.close()


def test_loopback_catcher_takes_the_real_callback_after_forged_ones():
    catcher = LoopbackCatcher()
    base = catcher.redirect_uri
    requests.get(base + "?error=x", timeout=5)
    requests.get(base + "?code=forged&state=nope", timeout=5)
    r = requests.get(
        base + "?" + urllib.parse.urlencode({"code": "REAL-1", "state": catcher.state}), timeout=5
    )
    assert r.status_code == 200 and "授权完成" in r.text
    assert catcher.wait(5) == ("REAL-1", catcher.state)


def test_the_catchers_state_is_used_in_the_authorise_url():
    catcher = LoopbackCatcher()
    try:
        url, state = OAuthClient("ks_app", "app-SECRET-9").authorize_url(
            catcher.redirect_uri, state=catcher.state
        )
        assert state == catcher.state and len(state) >= 24
        assert urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)["state"] == [catcher.state]
        with LoopbackCatcher() as other:
            assert other.state != catcher.state
    finally:
        catcher.close()


def test_loopback_catcher_rejects_a_bad_path():
    with pytest.raises(ValueError):
        LoopbackCatcher(path="callback")
