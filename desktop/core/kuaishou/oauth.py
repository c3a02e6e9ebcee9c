"""OAuth 2.0 authorisation-code flow of the Kuaishou open platform (spec §6), Qt-free.

* :class:`OAuthClient` — the authorise URL (with a random ``state``), the code exchange and the
  refresh. It is the one place that holds ``appSecret``; a hosted relay can replace it later by
  offering the same three methods.
* :func:`parse_redirect` — what the user pasted (the redirected URL, ``code=…&state=…`` or the bare
  code) → the code, with the ``state`` checked.
* :class:`LoopbackCatcher` — a one-shot HTTP listener on 127.0.0.1 for apps whose registered callback
  is a loopback address.

Refresh tokens rotate: every refresh returns a new one and the old one dies within minutes. The
caller must store the newest one before using the new access token (the API client does this through
its ``on_tokens_refreshed`` callback) and must never refresh the same token twice at once.
"""

from __future__ import annotations

import hmac
import html
import http.server
import logging
import re
import secrets
import threading
import time
import urllib.parse
from typing import Any

import requests

from desktop.core.i18n import tr
from desktop.core.kuaishou.errors import (
    MalformedResponse,
    OAuthError,
    OAuthRedirectError,
    OAuthStateMismatch,
    TransportError,
)
from desktop.core.kuaishou.models import OAuthToken, parse
from desktop.core.kuaishou.transport import (
    DEFAULT_AUTHORIZE_URL,
    DEFAULT_BASE_URL,
    check_base_url,
    decode_object,
    new_session,
    send,
)
from desktop.core.logsetup import register_secret

__all__ = [
    "DEFAULT_AUTHORIZE_URL",
    "DEFAULT_BASE_URL",
    "DEFAULT_SCOPES",
    "LoopbackCatcher",
    "OAuthClient",
    "OAuthError",
    "OAuthRedirectError",
    "OAuthStateMismatch",
    "parse_redirect",
    "refresh_expiry_ms",
]

log = logging.getLogger(__name__)

#: after-sales, seller info, return addresses (spec §6)
DEFAULT_SCOPES: tuple[str, ...] = ("merchant_refund", "merchant_user", "merchant_logistics")
ACCESS_TOKEN_PATH = "/oauth2/access_token"
REFRESH_TOKEN_PATH = "/oauth2/refresh_token"
#: answers meaning "this verb is not served here": the refresh then falls back to GET
_VERB_REFUSED = frozenset({404, 405})
#: a refresh token lives 180 days from the grant; refreshing does not extend it (spec §6, §8)
REFRESH_TOKEN_LIFETIME_MS = 180 * 86_400_000


def refresh_expiry_ms(token: OAuthToken, *, granted_at_ms: int, previous_ms: int | None = None) -> int:
    """When the refresh token of ``token`` dies (epoch ms).

    After a code exchange (``previous_ms`` is ``None``): the platform's
    ``refresh_token_expires_in`` when it sends one, else — the exchange's answer has none — the
    grant time + 180 days. After a refresh: the original expiry is kept (a refreshed token keeps
    the grant's expiry), so the user is asked to authorise again about 180 days after the grant.
    """
    if previous_ms is not None:
        return previous_ms
    if token.refresh_token_expires_in:
        return granted_at_ms + token.refresh_token_expires_in * 1000
    return granted_at_ms + REFRESH_TOKEN_LIFETIME_MS


class OAuthClient:
    """Code exchange and token refresh against ``base_url`` (the gateway or the sandbox)."""

    def __init__(
        self,
        app_key: str,
        app_secret: str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        authorize_url: str = DEFAULT_AUTHORIZE_URL,
        session: requests.Session | None = None,
        timeout: float | tuple[float, float] = (5, 20),
    ) -> None:
        if not app_key or not app_secret:
            raise ValueError("OAuth needs both the app key and the app secret")
        register_secret(app_secret)
        self.app_key = app_key
        self._app_secret = app_secret
        self.base_url = check_base_url(base_url)
        self.authorize_endpoint = check_base_url(authorize_url, what="authorisation URL")
        self._owns_session = session is None
        self._session = session or new_session(pool_size=2)
        self.timeout = timeout
        self._refresh_verb = "POST"  # the doc's verb; GET (Kuaishou's demo) when POST is refused

    def __repr__(self) -> str:
        return f"OAuthClient(app_key={self.app_key!r}, base_url={self.base_url!r})"

    def close(self) -> None:
        """Close the HTTP session this client made (one handed in belongs to its giver)."""
        if self._owns_session:
            self._session.close()

    # ---------------------------------------------------------------------------- browser step
    def authorize_url(
        self,
        redirect_uri: str,
        *,
        scopes: tuple[str, ...] | list[str] = DEFAULT_SCOPES,
        state: str | None = None,
    ) -> tuple[str, str]:
        """The URL to open in the browser and the ``state`` to expect back."""
        if not redirect_uri or not isinstance(redirect_uri, str):
            raise ValueError("a redirect_uri is required (the callback registered for the app)")
        if not scopes:
            raise ValueError("at least one scope is required")
        state = state or secrets.token_urlsafe(24)
        query = urllib.parse.urlencode(
            {
                "app_id": self.app_key,
                "redirect_uri": redirect_uri,
                "scope": ",".join(scopes),
                "response_type": "code",
                "state": state,
            }
        )
        return f"{self.authorize_endpoint}?{query}", state

    # ---------------------------------------------------------------------------- token calls
    def exchange_code(self, code: str) -> OAuthToken:
        """Trade an authorisation code (valid 2 minutes, once) for tokens."""
        code = (code or "").strip()
        if not code:
            raise ValueError("the authorisation code is empty")
        register_secret(code)
        return self._token_call(
            "GET",
            ACCESS_TOKEN_PATH,
            {
                "app_id": self.app_key,
                "app_secret": self._app_secret,
                "grant_type": "code",
                "code": code,
            },
        )

    def refresh(self, refresh_token: str) -> OAuthToken:
        """A new access token AND a new refresh token; the old refresh token dies soon after.

        Sent as the platform's own examples do: POST with the parameters in the query string; a
        gateway that answers 404 or 405 to that gets the same query as GET (remembered)."""
        if not refresh_token:
            raise ValueError("there is no refresh token to refresh with")
        register_secret(refresh_token)
        params = {
            "app_id": self.app_key,
            "app_secret": self._app_secret,
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
        }
        if self._refresh_verb == "POST":
            try:
                return self._token_call("POST", REFRESH_TOKEN_PATH, params)
            except _VerbRefused:
                log.info("the gateway refused POST for the token refresh; using GET")
                self._refresh_verb = "GET"
        return self._token_call("GET", REFRESH_TOKEN_PATH, params)

    def _token_call(self, verb: str, path: str, params: dict[str, str]) -> OAuthToken:
        url = self.base_url + path
        started = time.monotonic()
        outcome = "error"
        try:
            # the parameters travel in the query string for both verbs (the POST has no body)
            resp = send(self._session, verb, url, params=params, timeout=self.timeout, method=path)
            outcome = f"HTTP {resp.status}"
            if verb == "POST" and resp.status in _VERB_REFUSED:
                raise _VerbRefused(path)
            if resp.status >= 500:
                raise TransportError(
                    f"the OAuth service failed (HTTP {resp.status})",
                    method=path,
                    status=resp.status,
                )
            token = _token_from(decode_object(resp.body, method=path, status=resp.status), path)
            outcome = "ok"
            return token
        except OAuthError as exc:
            outcome = f"OAuthError {exc.result}"
            raise
        finally:
            log.debug(
                "oauth %s %s -> %s in %.0f ms",
                verb,
                path,
                outcome,
                (time.monotonic() - started) * 1000,
            )


class _VerbRefused(Exception):
    """Internal: the endpoint does not serve this verb."""


def _token_from(envelope: dict[str, Any], path: str) -> OAuthToken:
    result = envelope.get("result")
    ok = (result == 1 or result == "1") and not isinstance(result, bool)
    if not ok or envelope.get("error"):
        error = envelope.get("error")
        message = str(envelope.get("error_msg") or error or f"result {result}")
        raise OAuthError(message, error=None if error is None else str(error), result=result, method=path)
    token = parse(OAuthToken, envelope)
    if not token.access_token:
        raise MalformedResponse("the OAuth answer carries an empty access_token", method=path)
    register_secret(token.access_token)
    register_secret(token.refresh_token)
    return token


# -------------------------------------------------------------------------------- redirects
_QUERYISH = re.compile(r"(?:^|[?&#])(?:code|error|state)=")
_BARE_CODE = re.compile(r"[A-Za-z0-9._~+/=-]{4,2048}")


def _first(query: dict[str, list[str]], key: str) -> str | None:
    values = query.get(key)
    return values[0] if values else None


def parse_redirect(text: str, expected_state: str | None) -> str:
    """The authorisation code from a pasted redirect URL, a ``code=…&state=…`` text or a bare code.

    When ``expected_state`` is given, a URL must carry exactly that ``state``
    (:class:`OAuthStateMismatch` otherwise); a bare code carries none and is accepted as is.
    A redirect reporting an error (``error=access_denied``…) raises :class:`OAuthRedirectError`.
    """
    text = (text or "").strip()
    if not text:
        raise OAuthRedirectError(tr("Paste the address the browser was sent to, or the authorisation code."))
    if "://" in text or text.startswith(("?", "/")) or _QUERYISH.search(text):
        parts = urllib.parse.urlsplit(
            text
            if ("://" in text or text.startswith("/"))
            else "/" + (text if text.startswith("?") else "?" + text)
        )
        query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        for key, values in urllib.parse.parse_qs(parts.fragment).items():
            query.setdefault(key, values)
        error = _first(query, "error")
        if error:
            raise OAuthRedirectError(
                tr(
                    "The authorisation was not granted ({error}). Start the authorisation again "
                    "and agree in the browser.",
                    error=(_first(query, "error_description") or error)[:200],
                )
            )
        code = (_first(query, "code") or "").strip()
        if not code:
            raise OAuthRedirectError(
                tr("The pasted address carries no authorisation code (no code=… in it).")
            )
        register_secret(code)
        if expected_state is not None:
            state = _first(query, "state") or ""
            if not hmac.compare_digest(state.encode(), expected_state.encode()):
                raise OAuthStateMismatch(
                    tr(
                        "The pasted address belongs to a different authorisation attempt (its "
                        "state does not match). Use the address from the latest attempt, or start "
                        "again."
                    )
                )
        return code
    if not _BARE_CODE.fullmatch(text):
        raise OAuthRedirectError(
            tr("This is neither an authorisation code nor the address the browser was sent to.")
        )
    register_secret(text)
    return text


# -------------------------------------------------------------------------- loopback catcher
_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>{title}</title></head><body style="font-family:sans-serif;margin:3em">
<h2>{zh}</h2><p>{en}</p></body></html>"""


def _page(zh: str, en: str) -> bytes:
    return _PAGE.format(title=html.escape(zh), zh=html.escape(zh), en=html.escape(en)).encode("utf-8")


class LoopbackCatcher:
    """Catch ONE authorisation redirect on ``http://127.0.0.1:<port><path>``.

    The listener starts at construction (``port=0`` picks a free port; a registered loopback
    callback needs a fixed one), answers the browser with a small bilingual page and hands the
    ``(code, state)`` to :meth:`wait`. It binds 127.0.0.1 only. Use it as a context manager or call
    :meth:`close`; :meth:`wait` closes it too.

    Any web page the user has open can send requests to a loopback port, so only the callback
    path carrying this attempt's :attr:`state` (pass it to :meth:`OAuthClient.authorize_url`) ends
    the wait — a code or an ``error`` alike. Everything else (another path, another or no
    ``state``, another verb) is answered "ignored" and the listener keeps waiting for the real
    callback or the time-out.
    """

    def __init__(self, port: int = 0, path: str = "/callback", state: str | None = None) -> None:
        if not path.startswith("/") or "?" in path or "#" in path:
            raise ValueError(f"the callback path must look like '/callback', got {path!r}")
        if state is not None and not state:
            raise ValueError("the expected state must not be empty")
        self.path = path
        #: the ``state`` this attempt's redirect must carry
        self.state: str = state or secrets.token_urlsafe(24)
        self._done = threading.Event()
        self._result: tuple[str | None, str | None, str | None] | None = None  # code, state, error
        self._lock = threading.Lock()
        self._cancelled = False
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", port), self._handler_class())
        self._server.daemon_threads = True
        self.port: int = self._server.server_address[1]
        self.redirect_uri = f"http://127.0.0.1:{self.port}{path}"
        self._closed = False
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="oauth-loopback",
            daemon=True,
        )
        self._thread.start()

    def _handler_class(self) -> type[http.server.BaseHTTPRequestHandler]:
        catcher = self

        class Handler(http.server.BaseHTTPRequestHandler):
            timeout = 10  # an idle (pre-)connection from the browser does not hold a thread long
            server_version = "AfterSaleWatch"
            sys_version = ""

            def do_GET(self) -> None:
                parts = urllib.parse.urlsplit(self.path)
                if parts.path != catcher.path:
                    self._answer(404, _page("找不到页面", "Not found."))
                    return
                query = urllib.parse.parse_qs(parts.query)
                code, state, error = (_first(query, k) for k in ("code", "state", "error"))
                if not hmac.compare_digest((state or "").encode(), catcher.state.encode()):
                    # not the redirect of this attempt (a forged request, an old tab): ignored
                    self._answer(
                        400,
                        _page(
                            "此地址不属于当前的授权，已忽略。",
                            "This address is not from the current authorisation; it was ignored.",
                        ),
                    )
                    return
                if not code and not error:
                    self._answer(400, _page("缺少授权码", "The address carries no authorisation code."))
                    return
                if code:
                    register_secret(code)
                catcher._record(code, state, error)
                if error:
                    self._answer(
                        200,
                        _page(
                            "授权未完成，可以关闭此窗口。",
                            "Authorisation was not granted. You can close this window.",
                        ),
                    )
                else:
                    self._answer(
                        200,
                        _page(
                            "授权完成，可以关闭此窗口，回到售后守望。",
                            "Authorisation complete. You can close this window "
                            "and return to AfterSale Watch.",
                        ),
                    )

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                # the request line carries the code: log nothing of it
                log.debug("loopback callback answered a request")

        return Handler

    def _record(self, code: str | None, state: str | None, error: str | None) -> None:
        with self._lock:
            if self._result is None:  # one-shot: the first answer wins
                self._result = (code, state, error)
                self._done.set()

    def cancel(self) -> None:
        """End :meth:`wait` at once (the user stopped the sign-in); thread-safe, never blocks.

        :meth:`wait` then raises :class:`OAuthRedirectError` and closes the listener.
        """
        with self._lock:
            if self._result is None:
                self._cancelled = True
                self._done.set()

    def wait(self, timeout: float) -> tuple[str, str]:
        """Block until the browser arrives (at most ``timeout`` seconds); return ``(code, state)``.

        Raises :class:`TimeoutError` when nothing arrived in time and :class:`OAuthRedirectError`
        when the browser brought an error (e.g. the user refused). Closes the listener either way.
        """
        try:
            if not self._done.wait(timeout):
                raise TimeoutError(
                    tr(
                        "No authorisation arrived within {seconds} s. Start the authorisation again.",
                        seconds=round(timeout),
                    )
                )
            if self._cancelled:
                raise OAuthRedirectError(tr("The authorisation was stopped."))
            assert self._result is not None
            code, state, error = self._result
            if error or not code:
                raise OAuthRedirectError(
                    tr(
                        "The authorisation was not granted ({error}). Start the authorisation "
                        "again and agree in the browser.",
                        error=(error or "no code")[:200],
                    )
                )
            return code, state or ""
        finally:
            self.close()

    def close(self) -> None:
        """Stop listening (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LoopbackCatcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
