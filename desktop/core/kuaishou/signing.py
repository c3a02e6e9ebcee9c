"""Request signing for the Kuaishou open platform (spec §2). Shared by the client and the sandbox.

The signed string is the seven common parameters except ``sign`` (nulls dropped), sorted by key in
code-point order, joined as raw ``key=value`` pairs with ``&``, then ``&signSecret=<signSecret>``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping

MD5 = "MD5"
HMAC_SHA256 = "HMAC_SHA256"
SIGN_METHODS = (MD5, HMAC_SHA256)
SIGNED_KEYS = ("access_token", "appkey", "method", "param", "signMethod", "timestamp", "version")


class UnknownSignMethod(ValueError):
    pass


def signed_string(params: Mapping[str, object], sign_secret: str) -> str:
    """The exact text that is hashed (useful for debugging against the vectors)."""
    pairs = sorted((k, str(v)) for k, v in params.items() if k in SIGNED_KEYS and v is not None)
    body = "&".join(f"{k}={v}" for k, v in pairs)
    return f"{body}&signSecret={sign_secret}"


def sign(params: Mapping[str, object], sign_secret: str, method: str | None = None) -> str:
    """Sign ``params`` with ``method`` (default: the ``signMethod`` inside ``params``)."""
    method = method or str(params.get("signMethod", ""))
    text = signed_string(params, sign_secret).encode("utf-8")
    if method == MD5:
        return hashlib.md5(text).hexdigest()
    if method == HMAC_SHA256:
        digest = hmac.new(sign_secret.encode("utf-8"), text, hashlib.sha256).digest()
        return base64.b64encode(digest).decode("ascii")
    raise UnknownSignMethod(f"unknown signMethod {method!r}; expected MD5 or HMAC_SHA256")


def verify(params: Mapping[str, object], sign_secret: str) -> bool:
    """True when ``params['sign']`` matches (constant-time compare)."""
    given = params.get("sign")
    if not isinstance(given, str):
        return False
    try:
        expected = sign(params, sign_secret)
    except UnknownSignMethod:
        return False
    return hmac.compare_digest(expected.encode(), given.encode())
