"""Fault injection over real HTTP on loopback: gateways that trickle, send too much, compress past
reason or redirect. Each of these once hung the client, ate its memory or leaked the signed form."""

from __future__ import annotations

import gzip
import json
import threading
import time
import tracemalloc

import pytest
from rawgateway import RawGateway, head, trickle

from desktop.core import i18n
from desktop.core.kuaishou import errors
from desktop.core.kuaishou.client import Credentials, KuaishouClient
from desktop.core.kuaishou.transport import MAX_ANSWER_BYTES, check_base_url

CREDS = Credentials("ks_app_key", "sign-SECRET-transport", "access-TOKEN-transport")
ENVELOPE = json.dumps({"result": 1, "data": {"refundId": 5}}).encode()


def client_for(gw: RawGateway, **kw) -> KuaishouClient:
    kw.setdefault("qps", 10_000)
    kw.setdefault("timeout", (2, 5))  # every single read is answered well within this
    kw.setdefault("sleep", lambda s: None)
    return KuaishouClient(CREDS, base_url=gw.base_url, **kw)


@pytest.fixture(autouse=True)
def english():
    i18n.set_language("en")
    yield
    i18n.set_language(i18n.DEFAULT_LANGUAGE)


@pytest.fixture
def gateway():
    made: list[RawGateway] = []

    def make(answer) -> RawGateway:
        gw = RawGateway(answer)
        made.append(gw)
        return gw

    yield make
    for gw in made:
        gw.close()


# ------------------------------------------------------------------------ whole-answer deadline
@pytest.mark.parametrize("where", ["body", "headers"])
def test_a_trickled_answer_ends_at_the_whole_answer_deadline(gateway, where):
    def answer(conn, request):
        if where == "body":
            conn.sendall(head(Content_Type="application/json", Content_Length=str(len(ENVELOPE))))
            trickle(conn, ENVELOPE, 0.2, gw.stopped)
        else:
            trickle(conn, head(Content_Length=str(len(ENVELOPE))) + ENVELOPE, 0.2, gw.stopped)

    gw = gateway(answer)
    client = client_for(gw, deadline_s=1.5, max_retries=3)
    started = time.monotonic()
    with pytest.raises(errors.TransportError, match=r"no complete answer within 1\.5 s") as info:
        client.refund_detail(5)
    took = time.monotonic() - started
    client.close()
    assert took < 4, f"the call took {took:.1f} s"
    assert not info.value.transient  # not retried: a retry would wait as long again
    assert len(gw.received) == 1


def test_a_trickled_action_answer_is_reported_as_maybe_processed(gateway):
    def answer(conn, request):
        conn.sendall(head(Content_Length=str(len(ENVELOPE))))
        trickle(conn, ENVELOPE, 0.2, gw.stopped)

    gw = gateway(answer)
    with client_for(gw, deadline_s=1.0) as client, pytest.raises(errors.TransportError) as info:
        client.approve_refund(5, 100)
    assert info.value.maybe_processed and len(gw.received) == 1


def test_an_answer_within_the_deadline_is_read_whole(gateway):
    def answer(conn, request):
        conn.sendall(head(Content_Length=str(len(ENVELOPE))))
        trickle(conn, ENVELOPE, 0.01, gw.stopped)

    gw = gateway(answer)
    with client_for(gw, deadline_s=5) as client:
        assert client.refund_detail(5).refund_id == 5
        assert client.refund_detail(5).refund_id == 5  # the connection is reused afterwards


def test_the_deadline_must_be_a_positive_finite_number():
    for bad in (0, -1, float("inf"), float("nan"), "10"):
        with pytest.raises(ValueError, match="deadline_s"):
            KuaishouClient(CREDS, base_url="http://127.0.0.1:1", deadline_s=bad)


# ------------------------------------------------------------------------------- answer size
def test_a_declared_huge_answer_is_refused_before_reading_it(gateway):
    def answer(conn, request):
        conn.sendall(head(Content_Length=str(1_500_000_000)))
        conn.sendall(b"{" * 65536)

    gw = gateway(answer)
    with client_for(gw) as client, pytest.raises(errors.MalformedResponse, match="larger than 16 MB"):
        client.refund_detail(5)


def test_an_endless_chunked_answer_stops_at_the_cap(gateway):
    def answer(conn, request):
        conn.sendall(head(Transfer_Encoding="chunked"))
        chunk = b"a" * 65536
        while not gw.stopped():
            conn.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")

    gw = gateway(answer)
    tracemalloc.start()
    try:
        with (
            client_for(gw, max_answer_bytes=4 * 1024 * 1024) as client,
            pytest.raises(errors.MalformedResponse, match="larger than 4 MB"),
        ):
            client.refund_detail(5)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 40 * 1024 * 1024, f"peak {peak / 2**20:.0f} MB"


def test_a_gzip_bomb_is_refused_without_decoding_it_whole(gateway):
    bomb = gzip.compress(b"\0" * (200 * 1024 * 1024), compresslevel=9)  # 200 MB in ~200 kB

    def answer(conn, request):
        conn.sendall(head(Content_Encoding="gzip", Content_Length=str(len(bomb))) + bomb)

    gw = gateway(answer)
    tracemalloc.start()
    try:
        with client_for(gw) as client, pytest.raises(errors.MalformedResponse, match="larger than"):
            client.refund_detail(5)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * MAX_ANSWER_BYTES, f"peak {peak / 2**20:.0f} MB"


def test_a_compressed_answer_of_normal_size_is_decoded(gateway):
    body = gzip.compress(ENVELOPE)

    def answer(conn, request):
        conn.sendall(head(Content_Encoding="gzip", Content_Length=str(len(body))) + body)

    gw = gateway(answer)
    with client_for(gw) as client:
        assert client.refund_detail(5).refund_id == 5


# --------------------------------------------------------------------------------- redirects
@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("307 Temporary Redirect", True),
        ("308 Permanent Redirect", True),
        ("302 Found", False),
        ("301 Moved Permanently", False),
    ],
)
def test_a_redirect_is_never_followed(gateway, status, action):
    elsewhere = gateway(
        lambda conn, request: conn.sendall(head(Content_Length=str(len(ENVELOPE))) + ENVELOPE)
    )

    def answer(conn, request):
        conn.sendall(head(status, Location=elsewhere.base_url + "/steal", Content_Length="0"))

    gw = gateway(answer)
    with client_for(gw) as client, pytest.raises(errors.MalformedResponse, match="redirect") as info:
        if action:
            client.approve_refund(5, 100)
        else:
            client.refund_detail(5)
    assert "127.0.0.1" in str(info.value) and "not followed" in str(info.value)
    time.sleep(0.2)
    assert elsewhere.received == []  # the signed form (token, signature, amount) went nowhere else
    assert len(gw.received) == 1  # and was not retried


def test_the_token_refresh_follows_no_redirect_either(gateway):
    elsewhere = gateway(lambda conn, request: conn.sendall(head(Content_Length="0")))

    def answer(conn, request):
        conn.sendall(head("307 Temporary Redirect", Location=elsewhere.base_url, Content_Length="0"))

    gw = gateway(answer)
    from desktop.core.kuaishou.oauth import OAuthClient

    oauth = OAuthClient("ks_app_key", "app-SECRET-transport", base_url=gw.base_url)
    try:
        with pytest.raises(errors.MalformedResponse, match="redirect"):
            oauth.refresh("refresh-TOKEN-transport")
    finally:
        oauth.close()
    time.sleep(0.2)
    assert elsewhere.received == []


# ---------------------------------------------------------------------------- gateway address
@pytest.mark.parametrize(
    "url",
    [
        "http://sandbox.localhost:18900",
        "http://a.b.localhost",
        "http://127.0.0.1.nip.io",
        "http://user:pw@127.0.0.1:1",
        "http://127.0.0.1:notaport",
    ],
)
def test_plain_http_only_to_a_loopback_address(url):
    with pytest.raises(ValueError):
        check_base_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:18900",
        "http://127.0.0.1:18900/",
        "http://localhost:18900",
        "HTTP://LOCALHOST:18900//",
        "  http://127.0.0.1:18900 ",
    ],
)
def test_every_spelling_of_one_loopback_gateway_is_one_address(url):
    assert check_base_url(url) == "http://127.0.0.1:18900"


@pytest.mark.parametrize(
    "url",
    [
        "https://openapi.kwaixiaodian.com",
        "https://OpenAPI.KwaiXiaoDian.com/",
        "https://openapi.kwaixiaodian.com:443",
        "HTTPS://openapi.kwaixiaodian.com.",
    ],
)
def test_every_spelling_of_the_real_gateway_is_one_address(url):
    assert check_base_url(url) == "https://openapi.kwaixiaodian.com"


def test_ipv6_loopback_and_a_relay_path_keep_their_meaning():
    assert check_base_url("http://[0:0:0:0:0:0:0:1]:9000/") == "http://[::1]:9000"
    assert check_base_url("https://relay.example.com:8443/ks/") == "https://relay.example.com:8443/ks"


def test_one_deadline_thread_per_session_stopped_with_it(gateway):
    gw = gateway(lambda conn, request: conn.sendall(head(Content_Length=str(len(ENVELOPE))) + ENVELOPE))
    before = {t.ident for t in threading.enumerate()}

    def watchdogs():
        return [t for t in threading.enumerate() if t.ident not in before and t.name == "http-deadlines"]

    with client_for(gw) as client:
        for _ in range(20):
            client.refund_detail(5)
        assert len(watchdogs()) == 1
    assert watchdogs() == []


def test_the_messages_are_in_the_users_language(gateway):
    i18n.set_language("zh_CN")

    def answer(conn, request):
        conn.sendall(head(Content_Length=str(1_500_000_000)))

    gw = gateway(answer)
    with client_for(gw) as client, pytest.raises(errors.MalformedResponse, match="超过 16 MB"):
        client.refund_detail(5)


def test_a_session_nobody_closes_leaves_no_deadline_thread_behind(gateway, monkeypatch):
    from desktop.core.kuaishou import transport

    monkeypatch.setattr(transport._Watchdog, "IDLE_S", 0.3)
    gw = gateway(lambda conn, request: conn.sendall(head(Content_Length=str(len(ENVELOPE))) + ENVELOPE))
    before = {t.ident for t in threading.enumerate()}
    client = client_for(gw)
    for _ in range(3):
        client.refund_detail(5)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(
        t.name == "http-deadlines" and t.ident not in before for t in threading.enumerate()
    ):
        time.sleep(0.05)
    assert not any(t.name == "http-deadlines" and t.ident not in before for t in threading.enumerate())
    assert client.refund_detail(5).refund_id == 5  # a later call starts the watchdog again
    client.close()
