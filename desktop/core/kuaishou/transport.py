"""HTTP plumbing shared by the API client and the OAuth client (Qt-free).

* :func:`check_base_url` — HTTPS only, except plain ``http`` to a loopback host (the sandbox).
* :func:`new_session` — one pooled :class:`requests.Session` per client, certificate checks on,
  no silent urllib3 retries (the client decides what may be retried).
* :func:`transport_error` — a :mod:`requests` exception as a :class:`TransportError` that says
  whether the request may have reached the server.
* :func:`date_header_ms` — the HTTP ``Date`` header as epoch milliseconds.
* :func:`decode_object` — a response body as a JSON object, or :class:`MalformedResponse`.
"""

from __future__ import annotations

import email.utils
import ipaddress
import json
import urllib.parse

import requests
import requests.adapters
import urllib3.exceptions

from desktop.core.kuaishou.errors import MalformedResponse, TransportError

#: the gateway; the one settings default of the host (spec §1)
DEFAULT_BASE_URL = "https://openapi.kwaixiaodian.com"
#: the browser authorisation page (spec §6)
DEFAULT_AUTHORIZE_URL = "https://open.kwaixiaodian.com/oauth/authorize"

LOOPBACK_NAMES = frozenset({"localhost"})


def is_loopback_host(host: str) -> bool:
    """``localhost``, any address in 127.0.0.0/8, or ``::1``."""
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: str, *, what: str = "base URL") -> str:
    """``url`` without a trailing slash; ``ValueError`` unless it is HTTPS or loopback HTTP."""
    if not isinstance(url, str) or not url.strip():
        raise ValueError(f"the {what} is empty")
    url = url.strip().rstrip("/")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"the {what} {url!r} is not an http(s) URL with a host")
    if parts.query or parts.fragment:
        raise ValueError(f"the {what} {url!r} must not carry a query or fragment")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ValueError(
            f"refusing plain http for {parts.hostname!r}: the {what} must use https "
            "(plain http is allowed only for loopback hosts such as the local sandbox)"
        )
    return url


def new_session(pool_size: int = 10) -> requests.Session:
    """A session with connection pooling, TLS verification and no automatic retries."""
    session = requests.Session()
    session.verify = True
    # trust_env would let a proxy/netrc environment variable redirect or decorate the traffic
    session.trust_env = False
    adapter = requests.adapters.HTTPAdapter(
        pool_connections=2, pool_maxsize=pool_size, max_retries=0
    )
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def _not_sent(exc: BaseException) -> bool:
    """True when the failure certainly happened before any byte of the request was sent."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.exceptions.SSLError):
        return True  # the TLS handshake precedes the request
    if isinstance(exc, requests.exceptions.ConnectionError):
        reason = exc.args[0] if exc.args else None
        if isinstance(reason, urllib3.exceptions.MaxRetryError):
            reason = reason.reason
        return isinstance(
            reason, (urllib3.exceptions.NewConnectionError, urllib3.exceptions.ConnectTimeoutError)
        )
    return False


def transport_error(exc: requests.RequestException, *, method: str | None) -> TransportError:
    """The :class:`TransportError` for a :mod:`requests` failure (never includes the URL)."""
    not_sent = _not_sent(exc)
    if isinstance(exc, requests.exceptions.SSLError):
        message = "TLS/certificate check failed"
    elif isinstance(exc, requests.exceptions.ConnectTimeout):
        message = "connection timed out"
    elif isinstance(exc, requests.exceptions.Timeout):
        message = "no answer before the timeout"
    elif not_sent:
        message = "cannot connect"
    elif isinstance(exc, requests.exceptions.ConnectionError):
        message = "connection lost"
    else:
        message = f"transport failure ({type(exc).__name__})"
    err = TransportError(message, method=method, maybe_processed=not not_sent)
    if isinstance(exc, requests.exceptions.SSLError):
        err.transient = False  # a certificate problem does not heal by retrying
    return err


def date_header_ms(value: str | None) -> int | None:
    """An HTTP-date (``Date`` header) as epoch ms, ``None`` when absent or unreadable."""
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return int(when.timestamp() * 1000)


def decode_object(content: bytes, *, method: str | None, status: int) -> dict:
    """The JSON object in a response body, or :class:`MalformedResponse` (HTML, truncated…)."""
    if not content:
        raise MalformedResponse(f"empty answer (HTTP {status})", method=method)
    try:
        data = json.loads(content)
    except (ValueError, RecursionError):
        kind = "an HTML page" if content[:64].lstrip()[:1] == b"<" else "invalid or truncated JSON"
        raise MalformedResponse(f"the answer is {kind} (HTTP {status})", method=method) from None
    if not isinstance(data, dict):
        raise MalformedResponse(
            f"the answer is a JSON {type(data).__name__}, not an envelope object (HTTP {status})",
            method=method,
        )
    return data
