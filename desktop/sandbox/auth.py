"""The sandbox's app, grants and tokens: request authentication, OAuth and the QPS limit.

* One app (``appkey`` = OAuth ``app_id``) with its ``appSecret`` (OAuth only) and ``signSecret``
  (request signing only).
* A *grant* is one authorisation by the shop: its scopes, its refresh-token expiry (180 days from the
  first authorisation; every rotated refresh token keeps it) and whether it was revoked.
* Access tokens expire ``access_token_ttl_s`` after issue. The demo access token of
  :data:`DEMO_CREDENTIALS` is like one pasted from the developer console that stays valid until
  :meth:`Auth.expire_access_tokens` (tests move the clock by days and must not lose it).
* Refresh rotation: each refresh issues a new refresh token; the old one dies ``refresh_grace_s``
  after its first use (0 = at once); using a dead one answers ``100200102 refreshToken.discarded``.

OAuth error codes (``{result, error, error_msg}``):
100200100 invalid request · 100200101 wrong app_id/app_secret · 100200102 refreshToken.discarded ·
100200103 code invalid, used or expired · 100200104 refresh token unknown, expired or revoked ·
100200105 unsupported grant_type · 100200500 server error.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from desktop.sandbox import errors as E
from desktop.sandbox.errors import ApiFailure

ACCESS_TOKEN_TTL_S = 172_800
REFRESH_TOKEN_TTL_S = 180 * 86_400
CODE_TTL_MS = 120_000
ALL_SCOPES = ("merchant_refund", "merchant_user", "merchant_logistics", "merchant_shop")
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

#: the scope each business method needs (methods not listed need none)
METHOD_SCOPES = {
    "open.seller.order.refund.pcursor.list": "merchant_refund",
    "open.seller.order.refund.detail": "merchant_refund",
    "open.seller.order.refund.approve": "merchant_refund",
    "open.seller.order.refund.returngoods.approve": "merchant_refund",
    "open.seller.order.refund.confirm.receipt": "merchant_refund",
    "open.refund.reject.reason": "merchant_refund",
    "open.refund.reject": "merchant_refund",
    "open.refund.comment.basic.list": "merchant_refund",
    "open.user.seller.get": "merchant_user",
    "open.address.seller.list": "merchant_logistics",
}


@dataclass(frozen=True)
class SandboxCredentials:
    """What a client needs to talk to the sandbox (the fields of the client's ``Credentials``)."""

    app_key: str
    app_secret: str
    sign_secret: str
    access_token: str
    refresh_token: str
    seller_id: int
    sign_method: str = "HMAC_SHA256"
    open_id: str = ""

    def __repr__(self) -> str:  # the house rule: no secrets in reprs, even demo ones
        return f"SandboxCredentials(app_key={self.app_key!r}, seller_id={self.seller_id}, sign_method={self.sign_method!r})"


#: the embedded demo shop's credentials: public on purpose (printed by ``aftersale-watch sandbox``),
#: and spelled so that nobody takes them for real ones
DEMO_CREDENTIALS = SandboxCredentials(
    app_key="ks689012345678901234",
    app_secret="sandbox.demo.app-secret",
    sign_secret="sandbox.demo.sign-secret",
    access_token="sandbox.demo.access-token",
    refresh_token="sandbox.demo.refresh-token",
    seller_id=2_089_934_101,
    sign_method="HMAC_SHA256",
    open_id="f0a5c3e18b7d4296a1e0c5b7d3f98e42",
)


class OAuthFailure(Exception):
    def __init__(self, result: int, error: str, error_msg: str) -> None:
        super().__init__(error_msg)
        self.result, self.error, self.error_msg = result, error, error_msg

    def body(self) -> dict[str, object]:
        return {"result": self.result, "error": self.error, "error_msg": self.error_msg}


@dataclass
class Grant:
    open_id: str
    scopes: tuple[str, ...]
    refresh_expires_ms: int
    revoked: bool = False


@dataclass
class AccessToken:
    grant: Grant
    expires_ms: int | None  # None: only expire_access_tokens() ends it
    expired: bool = False


@dataclass
class RefreshToken:
    grant: Grant
    dies_ms: int | None = None  # set at its first use


@dataclass
class AuthCode:
    grant_scopes: tuple[str, ...]
    redirect_uri: str
    created_ms: int
    used: bool = False


@dataclass
class QpsLimiter:
    """Per-method sliding one-second window (real time, not the sandbox clock)."""

    limit: int | None = None
    _calls: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def allow(self, method: str) -> bool:
        if self.limit is None:
            return True
        now = time.monotonic()
        with self._lock:
            window = self._calls.setdefault(method, deque())
            while window and window[0] <= now - 1.0:
                window.popleft()
            if len(window) >= self.limit:
                return False
            window.append(now)
            return True


def is_loopback_redirect(uri: str) -> bool:
    try:
        parts = urlsplit(uri)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme == "http" and host in LOOPBACK_HOSTS


class Auth:
    """Grants and tokens of the sandbox app. Thread-safe."""

    def __init__(
        self,
        credentials: SandboxCredentials,
        now_ms: Callable[[], int],
        *,
        access_token_ttl_s: int = ACCESS_TOKEN_TTL_S,
        refresh_token_ttl_s: int = REFRESH_TOKEN_TTL_S,
        refresh_grace_s: float = 0.0,
    ) -> None:
        self.credentials = credentials
        self.now_ms = now_ms
        self.access_token_ttl_s = access_token_ttl_s
        self.refresh_token_ttl_s = refresh_token_ttl_s
        self.refresh_grace_s = refresh_grace_s
        self._lock = threading.Lock()
        demo = Grant(credentials.open_id, ALL_SCOPES, now_ms() + refresh_token_ttl_s * 1000)
        self._access: dict[str, AccessToken] = {credentials.access_token: AccessToken(demo, None)}
        self._refresh: dict[str, RefreshToken] = {credentials.refresh_token: RefreshToken(demo)}
        self._codes: dict[str, AuthCode] = {}

    # ------------------------------------------------------------------ gateway checks
    def check_access_token(self, token: str, method: str) -> Grant:
        """The grant behind ``token``, or the gateway's failure for it."""
        with self._lock:
            entry = self._access.get(token)
            if entry is None:
                raise ApiFailure(
                    E.TOKEN_INVALID, "鉴权失败：access_token无效", sub_code="isv.access-token-invalid"
                )
            if entry.grant.revoked:
                raise ApiFailure(
                    E.AUTHORIZATION_REVOKED, "AUTHORIZATION_REVOKED", sub_msg="授权已被取消，请重新授权"
                )
            if entry.expired or (entry.expires_ms is not None and entry.expires_ms <= self.now_ms()):
                raise ApiFailure(
                    E.TOKEN_INVALID,
                    "鉴权失败：TOKEN过期，请刷新access_token",
                    sub_code="isv.access-token-expired",
                )
            scope = METHOD_SCOPES.get(method)
            if scope is not None and scope not in entry.grant.scopes:
                raise ApiFailure(
                    E.SCOPE_MISSING, f"token中无scope权限：{scope}", sub_code="isv.scope-missing"
                )
            return entry.grant

    def expire_access_tokens(self) -> None:
        with self._lock:
            for entry in self._access.values():
                entry.expired = True

    def revoke(self) -> None:
        """The shop cancels its authorisation: every grant issued so far stops working."""
        with self._lock:
            for entry in self._access.values():
                entry.grant.revoked = True

    # --------------------------------------------------------------------------- OAuth
    def authorize(
        self, app_id: str | None, redirect_uri: str | None, scope: str | None, response_type: str | None
    ) -> str:
        """A new one-time code (raises ``ValueError`` with a human text on a bad request)."""
        if app_id != self.credentials.app_key:
            raise ValueError("app_id 无效")
        if response_type != "code":
            raise ValueError("response_type 必须是 code")
        if not redirect_uri or not is_loopback_redirect(redirect_uri):
            raise ValueError(
                "redirect_uri 与应用登记的回调地址不符（沙箱只接受 http://127.0.0.1 等本机地址）"
            )
        scopes = tuple(s for s in (scope or "").replace(",", " ").split() if s) or ALL_SCOPES
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = AuthCode(scopes, redirect_uri, self.now_ms())
        return code

    def _check_client(self, params: dict[str, str]) -> None:
        if not params.get("app_id") or not params.get("app_secret"):
            raise OAuthFailure(100200100, "invalid_request", "缺少参数 app_id 或 app_secret")
        if (
            params["app_id"] != self.credentials.app_key
            or params["app_secret"] != self.credentials.app_secret
        ):
            raise OAuthFailure(100200101, "invalid_client", "app_id 或 app_secret 错误")

    def exchange_code(self, params: dict[str, str]) -> dict[str, object]:
        self._check_client(params)
        if params.get("grant_type") != "code":
            raise OAuthFailure(100200105, "unsupported_grant_type", "grant_type 必须是 code")
        code = params.get("code")
        if not code:
            raise OAuthFailure(100200100, "invalid_request", "缺少参数 code")
        with self._lock:
            entry = self._codes.get(code)
            if entry is None or entry.used:
                raise OAuthFailure(100200103, "code.invalid", "授权码无效或已使用")
            entry.used = True
            if self.now_ms() - entry.created_ms > CODE_TTL_MS:
                raise OAuthFailure(100200103, "code.expired", "授权码已过期")
            grant = Grant(
                f"f{secrets.token_hex(15)}",
                entry.grant_scopes,
                self.now_ms() + self.refresh_token_ttl_s * 1000,
            )
            return self._issue(grant, refreshed=False)

    def refresh(self, params: dict[str, str]) -> dict[str, object]:
        self._check_client(params)
        if params.get("grant_type") != "refresh_token":
            raise OAuthFailure(100200105, "unsupported_grant_type", "grant_type 必须是 refresh_token")
        token = params.get("refresh_token")
        if not token:
            raise OAuthFailure(100200100, "invalid_request", "缺少参数 refresh_token")
        with self._lock:
            now = self.now_ms()
            entry = self._refresh.get(token)
            if entry is None:
                raise OAuthFailure(100200104, "refreshToken.invalid", "refresh_token 无效")
            if entry.dies_ms is not None and entry.dies_ms <= now:
                raise OAuthFailure(
                    100200102, "refreshToken.discarded", "refresh_token 已被使用并作废，请重新授权"
                )
            if entry.grant.revoked:
                raise OAuthFailure(100200104, "refreshToken.revoked", "授权已被取消，请重新授权")
            if entry.grant.refresh_expires_ms <= now:
                raise OAuthFailure(100200104, "refreshToken.expired", "refresh_token 已过期，请重新授权")
            if entry.dies_ms is None:
                entry.dies_ms = now + int(self.refresh_grace_s * 1000)
            return self._issue(entry.grant, refreshed=True)

    def _issue(self, grant: Grant, *, refreshed: bool) -> dict[str, object]:
        """The token answer; only a refresh's carries ``refresh_token_expires_in`` (spec §8)."""
        now = self.now_ms()
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        self._access[access] = AccessToken(grant, now + self.access_token_ttl_s * 1000)
        self._refresh[refresh] = RefreshToken(grant)
        answer: dict[str, object] = {
            "result": 1,
            "access_token": access,
            "refresh_token": refresh,
            "open_id": grant.open_id,
            "expires_in": self.access_token_ttl_s,
            "scopes": list(grant.scopes),
        }
        if refreshed:
            answer["refresh_token_expires_in"] = max(0, (grant.refresh_expires_ms - now) // 1000)
        return answer
