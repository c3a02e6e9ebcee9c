"""Typed errors for every row of the spec's error table (spec §3).

:func:`classify` turns a failed envelope into the right exception. Both field families are read
(``result``/``error_msg`` and ``code``/``msg``/``sub_code``/``sub_msg``), and the 3000xx codes are
looked for in ``result`` and in ``sub_code`` alike, since the docs do not say which carries them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict, Unpack

from desktop.core.i18n import tr
from desktop.core.logsetup import redact


class ErrorFields(TypedDict, total=False):
    """Where an error came from: what every :class:`KuaishouError` takes besides its message."""

    method: str | None
    result: object
    code: str | None
    sub_code: str | None
    request_id: str | None


class KuaishouError(Exception):
    """Base of everything the client raises."""

    #: the user must authorise again before anything else works
    needs_reauth = False
    #: a retry after a pause may succeed
    transient = False

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        result: object = None,
        code: str | None = None,
        sub_code: str | None = None,
        request_id: str | None = None,
    ) -> None:
        # a gateway may echo what it was sent (the token, a secret): every known secret is taken
        # out of its text before anything can store, show, print or log it
        message = redact(message)
        super().__init__(message)
        self.message = message
        self.method = method
        self.result = result
        self.code = code
        self.sub_code = sub_code
        self.request_id = request_id

    def __str__(self) -> str:
        where = f" [{self.method}]" if self.method else ""
        rid = f" (requestId {self.request_id})" if self.request_id else ""
        return f"{self.message}{where}{rid}"


class TransportError(KuaishouError):
    """Connection refused/reset, timeout, TLS failure, HTTP 5xx: the request may not have arrived.

    ``maybe_processed`` is False only when the failure certainly happened before the request was
    sent (connection refused, connect timeout, TLS handshake). When it is True an action may have
    been carried out: reconcile by reading the refund again, never resend blindly.
    """

    transient = True

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        maybe_processed: bool = True,
        **kw: Unpack[ErrorFields],
    ) -> None:
        super().__init__(message, **kw)
        self.status = status
        self.maybe_processed = maybe_processed


class MalformedResponse(KuaishouError):
    """The gateway answered something that is not a well-formed envelope (HTML, truncated JSON…)."""


class ParseError(MalformedResponse):
    """A field of a well-formed envelope has the wrong type. ``field`` names it (a dotted path)."""

    def __init__(self, field: str, problem: str, **kw: Unpack[ErrorFields]) -> None:
        super().__init__(f"field {field!r}: {problem}", **kw)
        self.field = field
        self.problem = problem


class ApiError(KuaishouError):
    """The gateway answered with ``result != 1`` (a business or request failure)."""


class AuthError(ApiError):
    needs_reauth = True


class AuthorizationRevoked(AuthError):
    """24 AUTHORIZATION_REVOKED, 26 主账号不存在: authorise again."""


class TokenExpired(AuthError):
    """鉴权失败 / TOKEN过期: refresh once, then authorise again."""


class AuthenticationFailed(AuthError):
    """鉴权失败 still after the token was renewed: the token expired, the grant lacks a scope, or
    the shop cancelled the authorisation — the message says all three; authorise again."""


class PastedTokenExpired(TokenExpired):
    """A pasted access token (no refresh token to renew it) expired: the user must paste a new one."""


class ScopeMissing(AuthError):
    """token中无scope权限: authorise again with the scope."""


class TokenInvalid(TokenExpired):
    """The gateway does not accept the access token at all (not an expired one): a mistyped or
    garbage token. Refreshed once like an expired one when a refresh token is at hand."""


class PastedTokenInvalid(PastedTokenExpired):
    """A pasted access token the gateway does not accept: the user must paste a valid one."""


class SignatureError(AuthError):
    """验签失败 / 签名校验失败: a wrong signSecret (or sign method), or a bug. The credentials must
    be entered again, so it is an authorisation problem."""


class AppKeyRejected(AuthError):
    """The gateway does not know the app key (``appkey`` invalid or missing)."""


class RateLimited(ApiError):
    """Exceed qps limit: back off and retry."""

    transient = True


class QuotaExceeded(ApiError):
    """Exceed quota limit / [1017]: stop calling until tomorrow."""


class RefundChanged(ApiError):
    """300002/300010/300013/300014/300016/300017/300018: the refund moved on; read it again,
    never resend blindly."""


class RequestError(ApiError):
    """300003/300005/300019/300004/300011/300012 and other request errors: bugs or stale data."""


class BusinessRejected(ApiError):
    """21 and any other business rejection: show the message."""


class OrderOfAnotherShop(BusinessRejected):
    """21 "order operation reject": the order belongs to another merchant than the token's."""


class OAuthError(KuaishouError):
    """The OAuth endpoints answered an error (codes 100200100–100200500)."""

    def __init__(self, message: str, *, error: str | None = None, **kw: Unpack[ErrorFields]) -> None:
        super().__init__(message, **kw)
        self.error = None if error is None else redact(error)

    @property
    def needs_reauth(self) -> bool:  # type: ignore[override]
        return True


class OAuthRedirectError(ValueError):
    """A pasted/caught authorisation redirect cannot be used (refused, no code, unreadable)."""


class OAuthStateMismatch(OAuthRedirectError):
    """The redirect's ``state`` is not the one this app generated: possibly forged, or stale."""


#: the official codes meaning "the refund moved on — read it again, do not resend blindly" (§8)
REFUND_CHANGED_CODES = frozenset({"300002", "300010", "300013", "300014", "300016", "300017", "300018"})
REQUEST_ERROR_CODES = frozenset({"300003", "300005", "300019", "300004", "300011", "300012"})
REVOKED_RESULTS = frozenset({"24", "26"})


def _text(value: object) -> str:
    return "" if value is None else str(value)


def classify(envelope: Mapping[str, object], *, method: str | None = None) -> ApiError:
    """The typed error for a failed envelope (``result != 1``)."""
    result = envelope.get("result")
    code = _text(envelope.get("code")) or None
    sub_code = _text(envelope.get("sub_code")) or None
    texts = [_text(envelope.get(k)) for k in ("error_msg", "msg", "sub_msg", "error") if envelope.get(k)]
    message = " / ".join(dict.fromkeys(t for t in texts if t)) or f"result {result}"
    blob = " ".join(texts)
    low = blob.lower()
    codes = {_text(result), _text(code), _text(sub_code)} - {""}
    kw: ErrorFields = {
        "method": method,
        "result": result,
        "code": code,
        "sub_code": sub_code,
        "request_id": _text(envelope.get("requestId") or envelope.get("request_id")) or None,
    }

    if codes & REFUND_CHANGED_CODES:
        return RefundChanged(message, **kw)
    if codes & REQUEST_ERROR_CODES:
        return RequestError(message, **kw)
    if "26" in codes or "主账号不存在" in blob:
        return AuthorizationRevoked(
            tr(
                "The platform does not know this account ({error}): the token is of another kind, "
                "or the sub-account was deleted. Authorise the app again with the shop's account.",
                error=message,
            ),
            **kw,
        )
    if codes & REVOKED_RESULTS or "AUTHORIZATION_REVOKED" in blob:
        return AuthorizationRevoked(
            tr(
                "The shop's authorisation was withdrawn or has lapsed ({error}). Authorise the app again.",
                error=message,
            ),
            **kw,
        )
    if "scope" in low and ("无" in blob or "no scope" in low or "权限" in blob):
        return ScopeMissing(message, **kw)
    if "exceed qps" in low:
        return RateLimited(message, **kw)
    if "exceed quota" in low or "[1017]" in blob or "1017" in codes:
        return QuotaExceeded(message, **kw)
    sub_low = (sub_code or "").lower()
    if "appkey" in sub_low or (
        "appkey" in low and any(w in low for w in ("无效", "不存在", "invalid", "not exist"))
    ):
        return AppKeyRejected(message, **kw)
    if "验签失败" in blob or "签名校验失败" in blob or ("sign" in low and "invalid" in low):
        return SignatureError(message, **kw)
    if "token过期" in low or "token expired" in low or "expired" in sub_low:
        return TokenExpired(message, **kw)
    if ("token" in low or "token" in sub_low) and any(
        w in low or w in sub_low for w in ("无效", "invalid", "不存在", "非法", "illegal")
    ):
        return TokenInvalid(message, **kw)
    if "鉴权失败" in blob:
        return TokenExpired(message, **kw)
    if "order operation reject" in low:
        return OrderOfAnotherShop(
            tr(
                "The platform refused ({error}): the order belongs to another shop than the one "
                "this authorisation is for. Check that the request is of the signed-in shop.",
                error=message,
            ),
            **kw,
        )
    return BusinessRejected(message, **kw)


def credential_problem(exc: KuaishouError) -> str:
    """What is wrong with the shop's credentials, in the user's language, naming the fix."""
    if isinstance(exc, SignatureError):
        return tr(
            "The platform refused the request signature: the sign secret (signSecret, not the "
            "app secret) or the sign method is wrong. Enter them again."
        )
    if isinstance(exc, AppKeyRejected):
        return tr(
            "The platform does not know the app key: check the app key (it starts with ks) "
            "and enter it again."
        )
    if isinstance(exc, PastedTokenInvalid):
        return tr(
            "The platform does not accept the access token (it is not a valid token): copy it "
            "again from the Kuaishou developer console, or authorise the app."
        )
    if isinstance(exc, PastedTokenExpired):
        return exc.message
    if isinstance(exc, TokenInvalid):
        return tr(
            "The platform does not accept the access token (it is not a valid token): "
            "authorise the app again."
        )
    if isinstance(exc, (AuthorizationRevoked, AuthenticationFailed)):
        return exc.message  # says why (24, 26, or the three causes of 鉴权失败) and to authorise again
    if isinstance(exc, ScopeMissing):
        return tr(
            "The authorisation lacks a permission this app needs ({error}): authorise the app "
            "again and grant it.",
            error=exc.message,
        )
    if isinstance(exc, OAuthError):
        return tr(
            "The authorisation server refused ({error}): check the app key and app secret, "
            "and authorise the app again.",
            error=exc.message,
        )
    return tr("Authorisation problem: {error}. Sign in again (or renew the access token).", error=exc.message)


# ------------------------------------------------------------------ an expired or refused token
def says_expired(exc: KuaishouError) -> bool:
    """The platform said the token expired (not only the ambiguous 鉴权失败)."""
    text = exc.message.lower()
    return "过期" in text or "expired" in text


def three_causes(exc: KuaishouError) -> str:
    return tr(
        'The platform answered "{error}", which can mean any of three things: the token '
        "expired, the authorisation lacks a permission (scope) this needs, or the shop "
        "cancelled the authorisation.",
        error=exc.message,
    )


def auth_failed(exc: TokenExpired) -> AuthenticationFailed:
    """鉴权失败 even with a freshly renewed token: say which of the three causes it may be."""
    return AuthenticationFailed(
        three_causes(exc)
        + " "
        + tr(
            "Renewing the token did not help: authorise the app again, granting every permission it asks for."
        ),
        method=exc.method,
        result=exc.result,
        code=exc.code,
        sub_code=exc.sub_code,
        request_id=exc.request_id,
    )
