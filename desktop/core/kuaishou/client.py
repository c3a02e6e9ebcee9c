"""The Kuaishou shop open-platform client (spec §1–§4), Qt-free.

One :class:`KuaishouClient` per shop. It signs every call (:mod:`.signing`), sends GET parameters in
the query string and POST parameters as a form body, serialises the business ``param`` once and
sends exactly the text it signed, parses the envelope of both field families into data or a typed
error (:func:`.answers.unwrap`, :func:`.errors.classify`), and turns ``data`` into typed records
(:mod:`.models`). A listing window is paged by cursor with the bounds of :mod:`.paging`.

Transport rules:

* HTTPS with certificate checks; plain ``http`` only to loopback hosts (the sandbox).
* Every call waits for the client's token bucket (``qps``), then runs with ``timeout`` per read
  and ``deadline_s`` for the whole answer, reads at most ``max_answer_bytes`` of it and follows no
  redirect (:func:`.transport.send`).
* Retries (at most ``max_retries`` more attempts, exponential backoff with full jitter) only for
  transient failures, and only when resending cannot do anything twice:

  - reads (GET): connection failures, timeouts, HTTP 5xx and "Exceed qps limit" / HTTP 429;
  - actions (POST): only failures that certainly happened before the request was sent (connection
    refused, connect timeout) and explicit rate-limit refusals. A timeout, a dropped connection or
    a 5xx after sending may have carried the action out: it is raised as a :class:`TransportError`
    with ``maybe_processed=True`` and the caller reconciles by reading the refund again.

  Business errors are never retried.
* An expired access token is refreshed once (when the credentials hold ``app_secret`` and a
  ``refresh_token``), the new tokens are handed to ``on_tokens_refreshed`` before they are used, and
  the call is repeated once. One refresh at a time per client: concurrent callers wait for it and
  reuse its token. Without a refresh token (a pasted access token) the expiry surfaces as
  :class:`PastedTokenExpired`.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import random
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

from desktop.core.i18n import tr
from desktop.core.kuaishou import signing
from desktop.core.kuaishou.answers import (
    camel_case,
    choice_arg,
    image_list,
    int_arg,
    typed,
    typed_list,
    unwrap,
)
from desktop.core.kuaishou.errors import (
    KuaishouError,
    PastedTokenExpired,
    PastedTokenInvalid,
    RateLimited,
    TokenExpired,
    TokenInvalid,
    TransportError,
    auth_failed,
    says_expired,
    three_causes,
)
from desktop.core.kuaishou.models import (
    Address,
    NegotiationComment,
    OAuthToken,
    Refund,
    RefundPage,
    RejectReason,
    SellerInfo,
    ShopScore,
)
from desktop.core.kuaishou.oauth import OAuthClient
from desktop.core.kuaishou.paging import bounded_pages
from desktop.core.kuaishou.ratelimit import RateLimiter
from desktop.core.kuaishou.transport import (
    DEFAULT_AUTHORIZE_URL,
    DEFAULT_BASE_URL,
    DEFAULT_DEADLINE_S,
    MAX_ANSWER_BYTES,
    check_base_url,
    date_header_ms,
    decode_object,
    new_session,
    send,
)
from desktop.core.logsetup import register_secret

__all__ = [
    "DAY_MS",
    "DEFAULT_AUTHORIZE_URL",
    "DEFAULT_BASE_URL",
    "LIST_ITEMS_PATH",
    "MAX_HISTORY_MS",
    "METHOD_VERBS",
    "Credentials",
    "KuaishouClient",
]

log = logging.getLogger(__name__)

DAY_MS = 86_400_000
#: the list API refuses begin times older than this (spec §4)
MAX_HISTORY_MS = 90 * DAY_MS
API_VERSION = "1"
LIST_REFUNDS = "open.seller.order.refund.pcursor.list"
#: where a list page's refunds are in its response body (a JSON path, as SQLite's JSON functions take it)
LIST_ITEMS_PATH = "$.data.refundOrderInfoList"
REFUND_DETAIL = "open.seller.order.refund.detail"
APPROVE_REFUND = "open.seller.order.refund.approve"
APPROVE_RETURN = "open.seller.order.refund.returngoods.approve"
LIST_ADDRESSES = "open.address.seller.list"
CONFIRM_RECEIPT = "open.seller.order.refund.confirm.receipt"
REJECT_REASONS = "open.refund.reject.reason"
REJECT = "open.refund.reject"
NEGOTIATION_HISTORY = "open.refund.comment.basic.list"
SELLER_INFO = "open.user.seller.get"
SHOP_SCORE = "open.score.shop.get"

#: the one documented verb of every method this app uses (spec §4)
METHOD_VERBS: Mapping[str, str] = {
    LIST_REFUNDS: "GET",
    REFUND_DETAIL: "GET",
    APPROVE_REFUND: "POST",
    APPROVE_RETURN: "POST",
    LIST_ADDRESSES: "GET",
    CONFIRM_RECEIPT: "POST",
    REJECT_REASONS: "GET",
    REJECT: "POST",
    NEGOTIATION_HISTORY: "GET",
    SELLER_INFO: "GET",
    SHOP_SCORE: "GET",
}

_FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"}


@dataclass
class Credentials:
    """What one shop's calls are signed and authorised with. ``repr`` never shows a secret.

    Without ``app_secret`` and ``refresh_token`` this is the "pasted access token" mode: the token
    works for its 48 hours and is then replaced by hand.
    """

    app_key: str
    sign_secret: str = field(repr=False)
    access_token: str = field(repr=False)
    sign_method: str = signing.HMAC_SHA256
    app_secret: str | None = field(default=None, repr=False)
    refresh_token: str | None = field(default=None, repr=False)

    @property
    def can_refresh(self) -> bool:
        return bool(self.app_secret and self.refresh_token)


class KuaishouClient:
    """Signed calls to the gateway (or the sandbox) for one shop. Thread-safe."""

    BACKOFF_BASE_S = 0.5
    BACKOFF_CAP_S = 8.0

    def __init__(
        self,
        credentials: Credentials,
        *,
        base_url: str = DEFAULT_BASE_URL,
        qps: float = 20.0,
        timeout: float | tuple[float, float] = (5, 20),
        deadline_s: float = DEFAULT_DEADLINE_S,
        max_answer_bytes: int = MAX_ANSWER_BYTES,
        max_retries: int = 3,
        session: requests.Session | None = None,
        on_tokens_refreshed: Callable[[OAuthToken], None] | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        oauth: OAuthClient | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        if not credentials.app_key or not credentials.sign_secret or not credentials.access_token:
            raise ValueError("credentials need an app key, a sign secret and an access token")
        if credentials.sign_method not in signing.SIGN_METHODS:
            raise ValueError(f"unknown sign method {credentials.sign_method!r}; use MD5 or HMAC_SHA256")
        int_arg("max_retries", max_retries, minimum=0)
        if session is not None and session.verify is False:
            raise ValueError("the session must keep TLS certificate checks on (verify=False)")
        for secret in (
            credentials.sign_secret,
            credentials.access_token,
            credentials.app_secret,
            credentials.refresh_token,
        ):
            register_secret(secret)
        self.base_url = check_base_url(base_url)
        self._credentials = dataclasses.replace(credentials)
        if not (isinstance(deadline_s, int | float) and 0 < deadline_s < float("inf")):
            raise ValueError(f"deadline_s must be a positive number of seconds, got {deadline_s!r}")
        int_arg("max_answer_bytes", max_answer_bytes, minimum=1)
        self.timeout = timeout
        self.deadline_s = float(deadline_s)
        self.max_answer_bytes = max_answer_bytes
        self.max_retries = max_retries
        self._session = session or new_session()
        self._limiter = limiter or RateLimiter(qps)
        self._on_tokens_refreshed = on_tokens_refreshed
        self._clock = clock
        self._sleep = sleep
        self._random = random.Random()
        self._oauth = oauth
        self._refresh_lock = threading.Lock()
        self.server_clock_offset_ms: int | None = None

    def __repr__(self) -> str:
        return f"KuaishouClient(app_key={self._credentials.app_key!r}, base_url={self.base_url!r})"

    @property
    def credentials(self) -> Credentials:
        """The current credentials (tokens change after a refresh). Treat as read-only."""
        return self._credentials

    def now_ms(self) -> int:
        """The best estimate of the gateway's clock (local clock + the last measured offset)."""
        return int(self._clock() * 1000) + (self.server_clock_offset_ms or 0)

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> KuaishouClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --------------------------------------------------------------------------------- calls
    def call(self, method: str, params: Mapping[str, Any] | None = None, *, verb: str | None = None) -> Any:
        """Call ``method`` with the business ``params``; return ``envelope["data"]``.

        ``None`` values are left out of ``param``. ``verb`` is needed only for a method outside
        :data:`METHOD_VERBS`.
        """
        return self._call(method, params, verb)[0]

    def _call(self, method: str, params: Mapping[str, Any] | None, verb: str | None) -> tuple[Any, bytes]:
        """:meth:`call`, returning ``envelope["data"]`` and the response body it came from."""
        verb = verb or METHOD_VERBS.get(method)
        if verb not in ("GET", "POST"):
            raise ValueError(f"no known verb for {method!r}: pass verb='GET' or verb='POST'")
        business = {k: v for k, v in (params or {}).items() if v is not None}
        # serialised ONCE: this exact text is signed and sent
        param_text = json.dumps(business, ensure_ascii=False, separators=(",", ":"))
        token = self._credentials.access_token
        try:
            return self._call_with_retries(method, verb, param_text, token)
        except TokenExpired as exc:
            if not self._credentials.can_refresh:
                if isinstance(exc, TokenInvalid):
                    raise PastedTokenInvalid(
                        tr(
                            "The platform does not accept the pasted access token (it is not a "
                            "valid token). Copy it again from the Kuaishou developer console, or "
                            "authorise the app."
                        ),
                        method=method,
                        result=exc.result,
                        code=exc.code,
                        sub_code=exc.sub_code,
                        request_id=exc.request_id,
                    ) from exc
                raise PastedTokenExpired(
                    tr(
                        "The pasted access token has expired (such tokens last 48 hours). Paste a "
                        "new one from the Kuaishou developer console, or authorise the app."
                    )
                    + ("" if says_expired(exc) else " " + three_causes(exc)),
                    method=method,
                    result=exc.result,
                    code=exc.code,
                    sub_code=exc.sub_code,
                    request_id=exc.request_id,
                ) from exc
            self._refresh_tokens(token)
            try:
                return self._call_with_retries(method, verb, param_text, self._credentials.access_token)
            except TokenExpired as again:
                raise auth_failed(again) from again

    def _refresh_tokens(self, expired_token: str) -> None:
        """Refresh once; callers that find a newer token than the one that expired reuse it."""
        with self._refresh_lock:
            creds = self._credentials
            if creds.access_token != expired_token:
                return  # another call refreshed meanwhile
            if self._oauth is None:
                self._oauth = OAuthClient(
                    creds.app_key,
                    creds.app_secret or "",
                    base_url=self.base_url,
                    session=self._session,
                    timeout=self.timeout,
                )
            log.info("access token expired; refreshing it")
            token = self._oauth.refresh(creds.refresh_token or "")
            try:
                # the caller stores the rotated refresh token before the new access token is used
                if self._on_tokens_refreshed is not None:
                    self._on_tokens_refreshed(token)
            finally:
                # kept in memory even when storing failed: the old refresh token is dying
                self._credentials = dataclasses.replace(
                    creds,
                    access_token=token.access_token,
                    refresh_token=token.refresh_token or creds.refresh_token,
                )

    def _call_with_retries(self, method: str, verb: str, param_text: str, token: str) -> tuple[Any, bytes]:
        attempt = 0
        while True:
            try:
                return self._send(method, verb, param_text, token, attempt)
            except (TransportError, RateLimited) as exc:
                if attempt >= self.max_retries or not self._may_retry(exc, verb):
                    raise
                delay = self._random.uniform(0, min(self.BACKOFF_CAP_S, self.BACKOFF_BASE_S * 2**attempt))
                log.info(
                    "%s: %s; retry %d/%d in %.2f s", method, exc.message, attempt + 1, self.max_retries, delay
                )
                self._sleep(delay)
                attempt += 1

    @staticmethod
    def _may_retry(exc: KuaishouError, verb: str) -> bool:
        if not exc.transient:
            return False
        if verb == "GET" or isinstance(exc, RateLimited):
            return True
        # an action is resent only when it certainly never left this machine
        return isinstance(exc, TransportError) and not exc.maybe_processed

    def _send(self, method: str, verb: str, param_text: str, token: str, attempt: int) -> tuple[Any, bytes]:
        self._limiter.acquire()
        creds = self._credentials
        common = {
            "access_token": token,
            "appkey": creds.app_key,
            "method": method,
            "param": param_text,
            "signMethod": creds.sign_method,
            "timestamp": str(int(self._clock() * 1000)),
            "version": API_VERSION,
        }
        common["sign"] = signing.sign(common, creds.sign_secret, creds.sign_method)
        form = urllib.parse.urlencode(common)  # the HMAC's + / = become %2B %2F %3D
        url = f"{self.base_url}/{method.replace('.', '/')}"
        started = time.monotonic()
        sent_at = self._clock()
        outcome = "?"
        try:
            if verb == "GET":
                resp = send(
                    self._session,
                    "GET",
                    url,
                    params=form,
                    timeout=self.timeout,
                    deadline_s=self.deadline_s,
                    max_bytes=self.max_answer_bytes,
                    method=method,
                )
            else:
                resp = send(
                    self._session,
                    "POST",
                    url,
                    data=form.encode("ascii"),
                    headers=_FORM,
                    timeout=self.timeout,
                    deadline_s=self.deadline_s,
                    max_bytes=self.max_answer_bytes,
                    method=method,
                )
            self._note_server_clock(resp.headers.get("Date"), sent_at, self._clock())
            status = resp.status
            if status == 429:
                raise RateLimited("too many requests (HTTP 429)", method=method)
            if status >= 500:
                raise TransportError(
                    f"the gateway failed (HTTP {status})",
                    method=method,
                    status=status,
                    maybe_processed=True,
                )
            body = resp.body
            data = unwrap(decode_object(body, method=method, status=status), method=method)
            outcome = "ok"
            return data, body
        except KuaishouError as exc:
            outcome = type(exc).__name__ + ("" if exc.result is None else f" {exc.result}")
            raise
        finally:
            if log.isEnabledFor(logging.DEBUG):
                log.debug(
                    "call %s %s attempt %d -> %s in %.0f ms",
                    method,
                    verb,
                    attempt + 1,
                    outcome,
                    (time.monotonic() - started) * 1000,
                )

    def _note_server_clock(self, date: str | None, sent_at: float, received_at: float) -> None:
        server_ms = date_header_ms(date)
        if server_ms is None:
            return
        # the Date header has whole seconds (truncated): +500 ms centres the estimate
        local_ms = (sent_at + received_at) * 500
        self.server_clock_offset_ms = int(server_ms + 500 - local_ms)

    # ------------------------------------------------------------------------------- listing
    def list_refunds_page(
        self,
        begin_ms: int,
        end_ms: int,
        *,
        pcursor: str = "",
        type: int = 9,
        query_type: int = 1,
        page_size: int = 100,
        sort: int | None = None,
        **filters: Any,
    ) -> RefundPage:
        """One page of ``open.seller.order.refund.pcursor.list``.

        ``type`` 8 waiting / 9 all; ``query_type`` 1 by create time / 2 by update time; ``sort``
        1 descending / 2 ascending. Extra ``filters`` (``negotiate_status``, ``status``,
        ``order_id``, ``option``…) are sent under their camelCase names.
        """
        param: dict[str, Any] = {
            "beginTime": int_arg("begin_ms", begin_ms, minimum=0),
            "endTime": int_arg("end_ms", end_ms, minimum=0),
            "type": choice_arg("type", type, (8, 9)),
            "pageSize": int_arg("page_size", page_size, minimum=1),
            "currentPage": 1,
            "pcursor": pcursor,
            "queryType": choice_arg("query_type", query_type, (1, 2)),
        }
        if page_size > 100:
            raise ValueError(f"page_size must be at most 100, got {page_size}")
        if not isinstance(pcursor, str):
            raise ValueError(f"pcursor must be text, got {pcursor!r}")
        if sort is not None:
            param["sort"] = choice_arg("sort", sort, (1, 2))
        for name, value in filters.items():
            param[camel_case(name)] = value
        data, body = self._call(LIST_REFUNDS, param, None)
        # the body goes with the page: the store keeps each item's raw JSON from it (LIST_ITEMS_PATH)
        return dataclasses.replace(typed(RefundPage, data, LIST_REFUNDS), received=body)

    def iter_window_pages(
        self,
        begin_ms: int,
        end_ms: int,
        *,
        type: int = 9,
        query_type: int = 1,
        page_size: int = 100,
        cancelled: Callable[[], bool] | None = None,
    ) -> Iterator[RefundPage]:
        """The pages of ONE window (≤ the gateway's window limit), from ``pcursor=""`` to the last.

        ``cancelled`` is checked before every page request and ends the iteration quietly.

        Paging is bounded, so a gateway whose cursor never ends cannot keep it going: a cursor met
        again, too many pages in a row bringing no refund not seen before in the window, more pages
        than its first ``totalSize`` needs or more than a hard ceiling each raise
        :class:`MalformedResponse` naming what happened (:mod:`.paging`).
        """
        return bounded_pages(
            lambda cursor: self.list_refunds_page(
                begin_ms, end_ms, pcursor=cursor, type=type, query_type=query_type, page_size=page_size
            ),
            page_size,
            cancelled,
            method=LIST_REFUNDS,
        )

    # ----------------------------------------------------------------------------- one refund
    def refund_detail(self, refund_id: int) -> Refund:
        data = self.call(REFUND_DETAIL, {"refundId": int_arg("refund_id", refund_id)})
        return typed(Refund, data, REFUND_DETAIL)

    def approve_refund(
        self,
        refund_id: int,
        refund_amount: int,
        *,
        status: int | None = None,
        negotiate_status: int | None = None,
        handing_way: int | None = None,
    ) -> Any:
        """Agree a refund-only request; ``refund_amount`` (fen) must equal the refund's fee."""
        return self.call(
            APPROVE_REFUND,
            {
                "refundId": int_arg("refund_id", refund_id),
                "refundAmount": int_arg("refund_amount", refund_amount, minimum=0),
                "status": status,
                "negotiateStatus": negotiate_status,
                "refundHandingWay": handing_way,  # sic: the API spells it "Handing"
            },
        )

    def approve_return(self, refund_id: int, refund_amount: int, *, address_id: int | None = None) -> Any:
        """Agree a return (or an exchange, amount 0); no ``address_id`` = the default address."""
        return self.call(
            APPROVE_RETURN,
            {
                "refundId": int_arg("refund_id", refund_id),
                "refundAmount": int_arg("refund_amount", refund_amount, minimum=0),
                "addressId": None if address_id is None else int_arg("address_id", address_id),
            },
        )

    def confirm_receipt(
        self,
        refund_id: int,
        *,
        status: int | None = None,
        freight_accept: bool | None = None,
        freight_amount: int | None = None,
        freight_reject_desc: str | None = None,
        freight_reject_images: list[str] | tuple[str, ...] | None = None,
    ) -> Any:
        """Confirm the returned goods. Freight fields only when the refund has
        ``returnFreightInfo``: accept with ``freight_amount`` (the claim's amount), or reject with
        a description (< 300 characters) and 1 to 6 images."""
        param: dict[str, Any] = {"refundId": int_arg("refund_id", refund_id), "status": status}
        if freight_accept is None:
            if freight_amount is not None or freight_reject_desc or freight_reject_images:
                raise ValueError("freight details need freight_accept=True or False")
        elif freight_accept:
            if freight_reject_desc or freight_reject_images:
                raise ValueError("an accepted return freight takes no rejection text or images")
            param["returnFreightHandlingAdvice"] = 1
            param["returnFreightAmount"] = int_arg("freight_amount", freight_amount, minimum=0)
        else:
            if freight_amount is not None:
                raise ValueError("a rejected return freight takes no amount")
            if not freight_reject_desc or len(freight_reject_desc) >= 300:
                raise ValueError("rejecting the return freight needs a reason under 300 characters")
            if not freight_reject_images:
                raise ValueError("rejecting the return freight needs 1 to 6 pictures")
            param["returnFreightHandlingAdvice"] = 2
            param["returnFreightRejectDesc"] = freight_reject_desc
            param["returnFreightRejectImages"] = image_list(freight_reject_images)
        return self.call(CONFIRM_RECEIPT, param)

    def reject_reasons(self, refund_id: int) -> list[RejectReason]:
        """The reasons allowed for rejecting THIS refund (they depend on the refund)."""
        data = self.call(REJECT_REASONS, {"refundId": int_arg("refund_id", refund_id)})
        return typed_list(RejectReason, data, REJECT_REASONS)

    def reject(
        self,
        refund_id: int,
        reason_code: int,
        refund_version: int,
        *,
        reject_desc: str | None = None,
        reject_images: list[str] | tuple[str, ...] | None = None,
        edit_handling_way: int | None = None,
        edit_return_address_id: int | None = None,
    ) -> Any:
        """Reject; ``refund_version`` is the refund's ``updateTime`` (a stale one is refused)."""
        return self.call(
            REJECT,
            {
                "refundId": int_arg("refund_id", refund_id),
                "reasonCode": int_arg("reason_code", reason_code),
                "rejectDesc": reject_desc or None,
                "rejectImages": image_list(reject_images) if reject_images else None,
                "refundVersion": int_arg("refund_version", refund_version),
                "editHandlingWay": edit_handling_way,
                "editReturnAddressId": edit_return_address_id,
            },
        )

    def negotiation_history(self, refund_id: int) -> list[NegotiationComment]:
        data = self.call(NEGOTIATION_HISTORY, {"refundId": int_arg("refund_id", refund_id)})
        return typed_list(NegotiationComment, data, NEGOTIATION_HISTORY)

    # ---------------------------------------------------------------------------------- shop
    def list_addresses(self, address_type: int = 2) -> list[Address]:
        """The shop's addresses: 2 return addresses, 3 shipping addresses."""
        data = self.call(LIST_ADDRESSES, {"addressType": choice_arg("address_type", address_type, (2, 3))})
        return typed_list(Address, data, LIST_ADDRESSES)

    def seller_info(self) -> SellerInfo:
        return typed(SellerInfo, self.call(SELLER_INFO), SELLER_INFO)

    def shop_score(self) -> ShopScore:
        return typed(ShopScore, self.call(SHOP_SCORE), SHOP_SCORE)
