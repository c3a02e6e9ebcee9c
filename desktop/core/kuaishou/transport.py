"""HTTP plumbing shared by the API client and the OAuth client (Qt-free).

* :func:`check_base_url` — HTTPS only, except plain ``http`` to a loopback address (the sandbox);
  returns the address in one canonical spelling, so that one gateway is always one gateway.
* :func:`send` — one request with a whole-answer deadline, a cap on the decoded answer's size and
  no redirects followed.
* :func:`new_session` — one pooled :class:`requests.Session` per client, certificate checks on,
  no silent urllib3 retries (the client decides what may be retried).
* :func:`transport_error` — a :mod:`requests` exception as a :class:`TransportError` that says
  whether the request may have reached the server.
* :func:`date_header_ms` — the HTTP ``Date`` header as epoch milliseconds.
* :func:`decode_object` — a response body as a JSON object, or :class:`MalformedResponse`.
"""

from __future__ import annotations

import contextlib
import email.utils
import heapq
import ipaddress
import itertools
import json
import socket
import threading
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
import requests.adapters
import urllib3.connection
import urllib3.connectionpool
import urllib3.exceptions

from desktop.core.i18n import tr
from desktop.core.kuaishou.errors import MalformedResponse, TransportError

#: the gateway; the one settings default of the host (spec §1)
DEFAULT_BASE_URL = "https://openapi.kwaixiaodian.com"
#: the browser authorisation page (spec §6)
DEFAULT_AUTHORIZE_URL = "https://open.kwaixiaodian.com/oauth/authorize"

#: the one name taken for a loopback address; it is replaced by 127.0.0.1 (never resolved), so
#: plain http goes to a loopback address only — other ``*.localhost`` names are not trusted
LOOPBACK_NAMES = frozenset({"localhost"})
_DEFAULT_PORTS = {"https": 443, "http": 80}

#: the longest a whole answer may take, from sending the request to its last byte (seconds); the
#: per-read timeout alone lets a gateway that trickles its answer hold a call forever
DEFAULT_DEADLINE_S = 60.0
#: the largest answer body read (decoded bytes); a page of 100 refunds is about 100 kB
MAX_ANSWER_BYTES = 16 * 1024 * 1024
_CHUNK = 64 * 1024


def is_loopback_host(host: str) -> bool:
    """``localhost``, any address in 127.0.0.0/8, or ``::1`` (no other name)."""
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: str, *, what: str = "base URL") -> str:
    """``url`` in its canonical spelling; ``ValueError`` unless it is HTTPS or loopback HTTP.

    Canonical: scheme and host in lower case, ``localhost`` as ``127.0.0.1``, an IPv6 address
    compressed, the scheme's default port and trailing slashes left out. Two spellings of one
    gateway (``…:443/``, upper case, ``localhost``) give the same text, so they are one shop.
    """
    if not isinstance(url, str) or not url.strip():
        raise ValueError(f"the {what} is empty")
    url = url.strip()
    parts = urllib.parse.urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        host = parts.hostname
        port = parts.port
    except ValueError:
        raise ValueError(f"the {what} {url!r} has an invalid port") from None
    if scheme not in ("https", "http") or not host:
        raise ValueError(f"the {what} {url!r} is not an http(s) URL with a host")
    if parts.query or parts.fragment:
        raise ValueError(f"the {what} {url!r} must not carry a query or fragment")
    if parts.username is not None or parts.password is not None:
        raise ValueError(f"the {what} {url!r} must not carry a user name or password")
    host = host.lower().rstrip(".")
    if host in LOOPBACK_NAMES:
        host = "127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if scheme == "http" and (address is None or not address.is_loopback):
        raise ValueError(
            f"refusing plain http for {host!r}: the {what} must use https "
            "(plain http is allowed only for a loopback address such as the local sandbox, "
            "127.0.0.1 or ::1)"
        )
    if address is not None:
        host = f"[{address.compressed}]" if address.version == 6 else address.compressed
    netloc = host if port is None or port == _DEFAULT_PORTS[scheme] else f"{host}:{port}"
    path = parts.path.rstrip("/")
    return urllib.parse.urlunsplit((scheme, netloc, path, "", ""))


def same_gateway(a: str | None, b: str | None) -> bool:
    """Whether two gateway addresses are one (compared in their canonical spelling)."""
    if not a or not b:
        return False
    return canonical_base_url(a) == canonical_base_url(b)


def canonical_base_url(url: str) -> str:
    """:func:`check_base_url`'s spelling, or ``url`` itself when it is not a usable address."""
    try:
        return check_base_url(url)
    except ValueError:
        return url


# --------------------------------------------------------------------- whole-answer deadline
# The per-read timeout bounds each wait for a byte, not the answer: a gateway sending one byte
# every few seconds (in its headers or its body) would hold a call for ever. Each request made
# through :func:`send` arms a :class:`_Deadline` with its session's :class:`_Watchdog`; the
# connection carrying the request registers itself with the deadline (the connection classes
# below), and when the deadline passes the watchdog shuts its socket down, which ends any read in
# progress at once.
_calls = threading.local()


class _Deadline:
    def __init__(self, seconds: float, watchdog: _Watchdog | None) -> None:
        self.seconds = seconds
        self.due = time.monotonic() + seconds
        self.expired = False
        self._done = False
        self._lock = threading.Lock()
        self._conn: urllib3.connection.HTTPConnection | None = None
        self._watchdog = watchdog

    def __enter__(self) -> _Deadline:
        _calls.deadline = self
        if self._watchdog is not None:
            self._watchdog.arm(self)
        return self

    def __exit__(self, *exc: object) -> None:
        _calls.deadline = None
        with self._lock:  # an expiry in progress finishes before the connection is reused
            self._done = True
            self._conn = None
        if self._watchdog is not None:
            self._watchdog.disarm()

    def attach(self, conn: urllib3.connection.HTTPConnection) -> None:
        with self._lock:
            self._conn = conn

    def passed(self) -> bool:
        return self.expired or time.monotonic() >= self.due

    def expire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            sock = getattr(self._conn, "sock", None)
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


class _Watchdog:
    """Expires the deadlines of one session's calls, on one thread: started by a call, ended once
    no call has been in progress for ``IDLE_S`` seconds (so a session nobody closes leaves no
    thread behind), and at once when the session is closed."""

    IDLE_S = 2.0

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, _Deadline]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None
        self._active = 0  # calls in progress
        self._closed = False

    def arm(self, deadline: _Deadline) -> None:
        with self._cond:
            if self._closed:
                return
            self._active += 1
            heapq.heappush(self._heap, (deadline.due, next(self._order), deadline))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="http-deadlines", daemon=True)
                self._thread.start()
            elif self._heap[0][2] is deadline:  # sooner than what the thread waits for
                self._cond.notify()

    def disarm(self) -> None:
        with self._cond:
            self._active = max(0, self._active - 1)
            if not self._active:
                self._heap.clear()  # nothing left to expire
                self._cond.notify()

    def _run(self) -> None:
        with self._cond:
            while not self._closed:
                if not self._active:
                    idle_until = time.monotonic() + self.IDLE_S
                    while not self._active and not self._closed:
                        left = idle_until - time.monotonic()
                        if left <= 0:
                            self._thread = None  # the next call starts another
                            return
                        self._cond.wait(left)
                    continue
                if not self._heap:  # the calls in progress are past their deadlines already
                    self._cond.wait()
                    continue
                due, _, deadline = self._heap[0]
                wait = due - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                heapq.heappop(self._heap)
                deadline.expire()  # nothing (a call that ended) when it is done

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._heap.clear()
            self._cond.notify()
            thread = self._thread
        if thread is not None:
            thread.join()


class _Watched:
    """Mixin of the connection classes: registers the connection with the call's deadline."""

    def request(self, *args: Any, **kwargs: Any) -> Any:
        deadline = getattr(_calls, "deadline", None)
        if deadline is not None and isinstance(self, urllib3.connection.HTTPConnection):
            deadline.attach(self)
        return super().request(*args, **kwargs)  # type: ignore[misc]


class _HTTPConnection(_Watched, urllib3.connection.HTTPConnection):
    pass


class _HTTPSConnection(_Watched, urllib3.connection.HTTPSConnection):
    pass


class _HTTPPool(urllib3.connectionpool.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(urllib3.connectionpool.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


class _Adapter(requests.adapters.HTTPAdapter):
    """The session's transport: watched connections and the watchdog of their deadlines."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.watchdog = _Watchdog()
        super().__init__(*args, **kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}

    def close(self) -> None:
        self.watchdog.close()
        super().close()


def new_session(pool_size: int = 10) -> requests.Session:
    """A session with connection pooling, TLS verification and no automatic retries."""
    session = requests.Session()
    session.verify = True
    # trust_env would let a proxy/netrc environment variable redirect or decorate the traffic
    session.trust_env = False
    adapter = _Adapter(pool_connections=2, pool_maxsize=pool_size, max_retries=0)
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


@dataclass(frozen=True)
class Answer:
    """An HTTP answer read completely: status, headers and the decoded body."""

    status: int
    headers: Mapping[str, str]
    body: bytes


def send(
    session: requests.Session,
    verb: str,
    url: str,
    *,
    method: str | None,
    params: str | Mapping[str, str] | None = None,
    data: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float | tuple[float, float],
    deadline_s: float = DEFAULT_DEADLINE_S,
    max_bytes: int = MAX_ANSWER_BYTES,
) -> Answer:
    """One request, its whole answer read within ``deadline_s`` and at most ``max_bytes`` decoded.

    A redirect is never followed (it would carry the signed form, token and all, to wherever it
    points): it is refused as a :class:`MalformedResponse`. Failures are :class:`TransportError`
    (the answer took too long: not transient) or :class:`MalformedResponse` (too large).
    """
    adapter = session.get_adapter(url)
    # a session not made by new_session() has no watchdog: its deadline is checked between reads
    with _Deadline(deadline_s, getattr(adapter, "watchdog", None)) as deadline:
        try:
            resp = session.request(
                verb,
                url,
                params=params,
                data=data,
                headers=dict(headers or {}),
                timeout=timeout,
                stream=True,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            raise _failure(exc, deadline, method) from None
        with contextlib.closing(resp):
            status = resp.status_code
            if 300 <= status < 400:
                target = urllib.parse.urlsplit(resp.headers.get("Location") or "").hostname
                raise MalformedResponse(
                    tr(
                        "the gateway answered with a redirect (HTTP {status}) to {target}; redirects "
                        "are not followed: check the gateway address",
                        status=status,
                        target=target or "?",
                    ),
                    method=method,
                )
            declared = resp.headers.get("Content-Length")
            if declared and declared.strip().isdigit() and int(declared) > max_bytes:
                raise _too_large(max_bytes, method)
            body = bytearray()
            try:
                for chunk in resp.iter_content(_CHUNK):
                    body += chunk
                    if len(body) > max_bytes:
                        raise _too_large(max_bytes, method)
                    if deadline.passed():
                        raise _late(deadline, method)
            except requests.RequestException as exc:
                raise _failure(exc, deadline, method) from None
            except urllib3.exceptions.HTTPError as exc:  # e.g. a decoding error past requests
                raise _failure(requests.exceptions.ConnectionError(exc), deadline, method) from None
            if deadline.passed():  # the shut-down socket may read as a clean end
                raise _late(deadline, method)
            return Answer(status, resp.headers, bytes(body))


def _too_large(max_bytes: int, method: str | None) -> MalformedResponse:
    return MalformedResponse(
        tr("the answer is larger than {size} MB; it was not read", size=max_bytes // (1024 * 1024)),
        method=method,
    )


def _late(deadline: _Deadline, method: str | None) -> TransportError:
    err = TransportError(
        tr(
            "no complete answer within {seconds} s (the gateway answers too slowly)",
            seconds=f"{deadline.seconds:g}",
        ),
        method=method,
        maybe_processed=True,
    )
    err.transient = False  # a retry would wait as long again
    return err


def _failure(exc: requests.RequestException, deadline: _Deadline, method: str | None) -> TransportError:
    if deadline.passed():
        return _late(deadline, method)
    return transport_error(exc, method=method)


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


def decode_object(content: bytes, *, method: str | None, status: int) -> dict[str, Any]:
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
