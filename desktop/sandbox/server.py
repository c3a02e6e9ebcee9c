"""The sandbox gateway: a real HTTP server on 127.0.0.1 that answers like the Kuaishou open platform.

Routes:

* ``/<method with dots as slashes>`` — the business methods (spec §4), GET in the query string, POST
  as a form body; common parameters, signature (MD5 and HMAC_SHA256), app key, token, scope and the
  per-method QPS limit are checked in that order before the method runs.
* ``/oauth/authorize`` — the browser page: auto-consents and redirects (302) to the loopback
  ``redirect_uri`` with ``code`` and ``state``.
* ``/oauth2/access_token``, ``/oauth2/refresh_token`` — code exchange and refresh (GET or POST).
* ``/sandbox/pictures/<name>.png`` — the evidence pictures the detail links to (generated).

The HTTP side (the threaded server, decoding, routing by path) is :mod:`desktop.sandbox.transport`;
this module is the gateway behind it. Every response carries a ``Date`` header from the sandbox clock, so a client measuring the server's
clock offset sees the sandbox's idea of "now" (which tests move with :meth:`Sandbox.advance`).
"""

from __future__ import annotations

import itertools
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from desktop.core.kuaishou import signing
from desktop.sandbox import errors as E
from desktop.sandbox import seed as seeding
from desktop.sandbox import wire
from desktop.sandbox.auth import (
    ACCESS_TOKEN_TTL_S,
    DEMO_CREDENTIALS,
    Auth,
    OAuthFailure,
    QpsLimiter,
    SandboxCredentials,
)
from desktop.sandbox.catalog import DAY_MS
from desktop.sandbox.errors import ApiFailure
from desktop.sandbox.faults import Fault, FaultPlan
from desktop.sandbox.state import Shop
from desktop.sandbox.transport import Answer, LoopbackServer, html_page, json_body

log = logging.getLogger(__name__)

COMMON_PARAMS = ("appkey", "method", "version", "access_token", "timestamp", "signMethod", "sign")


@dataclass(frozen=True)
class _Method:
    verb: str
    run: Callable[[Shop, Mapping[str, Any], str], Any]  # (shop, params, open_id) -> data


METHODS: dict[str, _Method] = {
    "open.seller.order.refund.pcursor.list": _Method("GET", lambda s, p, o: s.list_refunds(p)),
    "open.seller.order.refund.detail": _Method("GET", lambda s, p, o: s.detail(p)),
    "open.seller.order.refund.approve": _Method("POST", lambda s, p, o: s.approve(p)),
    "open.seller.order.refund.returngoods.approve": _Method("POST", lambda s, p, o: s.approve_return(p)),
    "open.address.seller.list": _Method("GET", lambda s, p, o: s.list_addresses(p)),
    "open.seller.order.refund.confirm.receipt": _Method("POST", lambda s, p, o: s.confirm_receipt(p)),
    "open.refund.reject.reason": _Method("GET", lambda s, p, o: s.reject_reasons(p)),
    "open.refund.reject": _Method("POST", lambda s, p, o: s.reject(p)),
    "open.refund.comment.basic.list": _Method("GET", lambda s, p, o: s.comment_list(p)),
    "open.user.seller.get": _Method("GET", lambda s, p, o: s.seller_info(o)),
    "open.score.shop.get": _Method("GET", lambda s, p, o: s.shop_score()),
}


class Sandbox:
    """A Kuaishou-compatible gateway with one demo shop, on loopback.

    ``seed``/``demo_data``: the deterministic demo shop (:mod:`desktop.sandbox.seed`), or an empty one.
    ``clock``: a callable giving epoch seconds (default ``time.time``); :meth:`advance` adds an offset.
    ``qps_limit``: calls per second per method (``None``: unlimited). ``port``: 0 = any free port.
    ``access_token_ttl_s``: ``expires_in`` of tokens issued by OAuth. ``refresh_grace_s``: how long a
    used refresh token keeps working. ``buyer_ships_after_s``: when the simulated buyer sends an agreed
    return back (``None``: never). ``max_window_ms``: the list's widest time window.
    ``settle_interval_s``: how often the background timer fires due platform timers.
    ``wire_shape``: the shape of the answers (:mod:`desktop.sandbox.wire`): ``"declared"`` (the
    types spec §8 declares, the default), ``"text"`` (numbers as text) or ``"objects"``; it can be
    changed while running (:attr:`wire_shape`).
    """

    def __init__(
        self,
        *,
        seed: int = 7,
        demo_data: bool = True,
        clock: Callable[[], float] | None = None,
        qps_limit: int | None = None,
        port: int = 0,
        credentials: SandboxCredentials = DEMO_CREDENTIALS,
        access_token_ttl_s: int = ACCESS_TOKEN_TTL_S,
        refresh_grace_s: float = 0.0,
        buyer_ships_after_s: float | None = 300.0,
        max_window_ms: int = DAY_MS,
        settle_interval_s: float = 1.0,
        wire_shape: str = wire.DEFAULT_SHAPE,
    ) -> None:
        self.wire_shape = wire.check_shape(wire_shape)
        self._clock = clock or time.time
        self._offset_s = 0.0
        self._port = port
        self._seed = seed
        self._rng = random.Random(seed ^ 0x5EED)
        self._creds = credentials
        self._settle_interval_s = settle_interval_s
        self.shop = Shop(
            now_ms=self.now_ms,
            seller_id=credentials.seller_id,
            shop_name=seeding.SHOP_NAME,
            buyer_ships_after_ms=None if buyer_ships_after_s is None else int(buyer_ships_after_s * 1000),
            max_window_ms=max_window_ms,
        )
        seeding.install_addresses(self.shop)
        self.auth = Auth(
            credentials, self.now_ms, access_token_ttl_s=access_token_ttl_s, refresh_grace_s=refresh_grace_s
        )
        self.qps = QpsLimiter(qps_limit)
        self.faults = FaultPlan()
        self._log_lock = threading.Lock()
        self.call_log: list[dict[str, Any]] = []
        #: every business call as it arrived, before any fault or processing (what the gateway
        #: *received*, whether it was then refused, held, carried out or answered at all)
        self.received_log: list[dict[str, Any]] = []
        self.oauth_log: list[dict[str, Any]] = []
        self._held = 0  # requests being held (``hold`` faults) right now
        self._request_ids = itertools.count(1)
        self._server: LoopbackServer | None = None
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        if demo_data:
            seeding.seed_demo(self.shop, seed, self.now_ms())

    # ------------------------------------------------------------------------- clock
    def now_ms(self) -> int:
        return int((self._clock() + self._offset_s) * 1000)

    def advance(self, seconds: float) -> None:
        """Move the sandbox clock forward and let every timer that became due fire."""
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        self._offset_s += seconds
        self.settle()

    # --------------------------------------------------------------------- lifecycle
    def start(self) -> str:
        if self._server is not None:
            return self.base_url
        self._stopping.clear()
        server = LoopbackServer(("127.0.0.1", self._port), self)
        self._server = server
        self.shop.base_url = self.base_url
        serve = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="sandbox-http", daemon=True
        )
        timer = threading.Thread(target=self._settle_loop, name="sandbox-timers", daemon=True)
        self._threads = [serve, timer]
        for t in self._threads:
            t.start()
        log.info("sandbox gateway listening on %s", self.base_url)
        return self.base_url

    def stop(self) -> None:
        server = self._server
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.close_connections()
        server.server_close()
        for t in self._threads:
            t.join(timeout=5)
        self._threads = []
        self._server = None

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _settle_loop(self) -> None:
        while not self._stopping.wait(self._settle_interval_s):
            try:
                self.shop.settle()
            except Exception:  # a timer bug must not kill the timer thread silently
                log.exception("sandbox timer failed")

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the sandbox is not running: call start() first")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def authorize_url(self) -> str:
        return self.base_url + "/oauth/authorize"

    @property
    def credentials(self) -> SandboxCredentials:
        return self._creds

    # -------------------------------------------------------------------- test controls
    @property
    def refunds(self) -> dict[int, dict[str, Any]]:
        """The live refunds (camelCase, as the detail returns them).

        Change them with :meth:`update_refund`; a direct edit is seen by listing and the timers only
        after the next :meth:`settle` or :meth:`advance`.
        """
        return self.shop.refunds

    def comments(self, refund_id: int) -> list[dict[str, Any]]:
        with self.shop.lock:
            return [dict(c) for c in self.shop.comments.get(refund_id, [])]

    def add_refund(self, **fields: Any) -> dict[str, Any]:
        """Add one refund; unspecified fields get defaults (a refund-only request, due in 48 h).

        ``expireTime=None`` leaves the field out entirely.
        """
        return seeding.add_refund(self.shop, self._rng, self.now_ms(), fields)

    def update_refund(self, refund_id: int, **fields: Any) -> dict[str, Any]:
        return self.shop.update(refund_id, fields)

    def seed_bulk(self, n: int, *, days: int = 90) -> list[int]:
        return seeding.seed_bulk(self.shop, self._rng, n, self.now_ms(), days)

    def set_qps_limit(self, limit: int | None) -> None:
        if limit is not None and limit < 1:
            raise ValueError("the QPS limit must be >= 1 (or None for no limit)")
        self.qps.limit = limit

    def inject_fault(
        self,
        method: str,
        kind: str,
        *,
        times: int | None = 1,
        delay_s: float = 0.0,
        result: int | None = None,
        error_msg: str | None = None,
        sub_code: str | None = None,
        status: int = 500,
        after_processing: bool = False,
    ) -> None:
        self.faults.add(
            Fault(method, kind, times, delay_s, result, error_msg, sub_code, status, after_processing)
        )

    def clear_faults(self) -> None:
        self.faults.clear()

    def expire_access_token(self) -> None:
        self.auth.expire_access_tokens()

    def revoke_access_token(self) -> None:
        self.auth.revoke()

    def settle(self) -> int:
        """Rebuild the indexes (picks up direct edits of :attr:`refunds`) and fire every due timer."""
        with self.shop.lock:
            self.shop.reindex()
            return self.shop.settle()

    def clear_call_log(self) -> None:
        with self._log_lock:
            self.call_log.clear()
            self.received_log.clear()
            self.oauth_log.clear()

    @property
    def held(self) -> int:
        """How many requests a ``hold`` fault is holding right now (not yet carried out)."""
        with self._log_lock:
            return self._held

    # ---------------------------------------------------------------------- gateway
    def request_id(self) -> str:
        return f"{self.now_ms()}{next(self._request_ids) % 1_000_000:06d}"

    def pause(self, seconds: float) -> None:
        """Wait ``seconds`` (a delayed answer), or less when the sandbox is stopping."""
        self._stopping.wait(seconds)

    def _log(self, target: list[dict[str, Any]], entry: dict[str, Any]) -> None:
        with self._log_lock:
            target.append(entry)

    def handle_api(self, path: str, verb: str, params: dict[str, str]) -> Answer:
        name = path.strip("/").replace("/", ".")
        method = METHODS.get(name)
        try:
            business = json.loads(params["param"]) if params.get("param") else {}
        except (ValueError, RecursionError):  # not JSON, or nested deeper than the parser goes
            business = None
        log_entry: dict[str, Any] = {
            "method": name,
            "params": business if isinstance(business, dict) else {},
            "result": None,
            "at_ms": self.now_ms(),
            "verb": verb,
            "fault": None,
        }
        self._log(self.received_log, {k: log_entry[k] for k in ("method", "params", "at_ms", "verb")})
        fault = self.faults.take(name) if method is not None else None
        if fault is not None and fault.kind == "hold":
            # a slow platform: the request waits before it is carried out, and is carried out even
            # when the client gave up meanwhile (or was killed); it counts as held until it is done
            log_entry["fault"] = fault.kind
            with self._log_lock:
                self._held += 1
            try:
                self._stopping.wait(fault.delay_s)
                return self._answer_api(name, method, verb, params, business, log_entry, None)
            finally:
                with self._log_lock:
                    self._held -= 1
        return self._answer_api(name, method, verb, params, business, log_entry, fault)

    def _answer_api(
        self,
        name: str,
        method: _Method | None,
        verb: str,
        params: dict[str, str],
        business: object,
        log_entry: dict[str, Any],
        fault: Fault | None,
    ) -> Answer:
        if fault is not None:
            log_entry["fault"] = fault.kind
            if not fault.after_processing and fault.kind != "delay":
                answer = self._fault_answer(fault, None)
                log_entry["result"] = fault.result if fault.kind == "result" else None
                self._log(self.call_log, log_entry)
                return answer
        request_id = self.request_id()
        try:
            data = wire.shape(name, self._run(name, method, verb, params, business), self.wire_shape)
            envelope = wire.success_envelope(data, request_id, self.wire_shape)
        except ApiFailure as failure:
            envelope = failure.envelope(request_id)
        except Exception:  # a sandbox bug: answer like a gateway's internal error, keep serving
            log.exception("sandbox failed on %s", name)
            envelope = ApiFailure(
                E.SERVER_ERROR, "系统繁忙，请稍后重试", sub_code="isp.internal-error"
            ).envelope(request_id)
        log_entry["result"] = envelope["result"]
        self._log(self.call_log, log_entry)
        answer = Answer(body=json_body(envelope))
        if fault is not None:
            if fault.kind == "delay":
                answer.delay_s = fault.delay_s
            else:
                answer = self._fault_answer(fault, envelope)
        return answer

    def _run(
        self, name: str, method: _Method | None, verb: str, params: dict[str, str], business: object
    ) -> Any:
        if method is None:
            raise ApiFailure(E.UNKNOWN_API, f"API不存在：{name}", sub_code="isv.method-not-exist")
        if verb != method.verb:
            raise ApiFailure(
                E.WRONG_VERB,
                f"请求方式错误：{name} 只支持 {method.verb} 请求",
                sub_code="isv.http-method-not-allowed",
            )
        for key in COMMON_PARAMS:
            if not params.get(key):
                raise ApiFailure(
                    E.MISSING_COMMON_PARAM, f"缺少公共参数：{key}", sub_code="isv.missing-parameter"
                )
        if params["method"] != name:
            raise ApiFailure(
                E.MISSING_COMMON_PARAM,
                f"参数 method={params['method']} 与请求路径不一致",
                sub_code="isv.invalid-parameter",
            )
        if params["version"] != "1":
            raise ApiFailure(E.MISSING_COMMON_PARAM, "version 必须是 1", sub_code="isv.invalid-parameter")
        if not params["timestamp"].isdigit():
            raise ApiFailure(
                E.MISSING_COMMON_PARAM, "timestamp 必须是毫秒时间戳", sub_code="isv.invalid-parameter"
            )
        if params["appkey"] != self._creds.app_key:
            raise ApiFailure(E.BAD_APPKEY, "appkey不存在或无效", sub_code="isv.appkey-invalid")
        if not self.qps.allow(name):
            raise ApiFailure(
                E.QPS_EXCEEDED,
                f"Exceed qps limit: {name} allows {self.qps.limit} calls per second",
                sub_code="isv.qps-limit",
            )
        if params["signMethod"] not in signing.SIGN_METHODS:
            raise ApiFailure(
                E.SIGNATURE_FAILED,
                f"验签失败：不支持的signMethod {params['signMethod'][:20]}",
                sub_code="isv.sign-method-invalid",
            )
        if not signing.verify(params, self._creds.sign_secret):
            raise ApiFailure(
                E.SIGNATURE_FAILED,
                "验签失败",
                sub_code="isv.sign-invalid",
                sub_msg="签名校验失败，请检查signSecret与签名方法",
            )
        grant = self.auth.check_access_token(params["access_token"], name)
        if business is None:
            raise E.param_error("param 不是合法的JSON")
        if not isinstance(business, dict):
            raise E.param_error("param 必须是JSON对象")
        self.shop.settle()
        return method.run(self.shop, business, grant.open_id)

    def _fault_answer(self, fault: Fault, envelope: dict[str, Any] | None) -> Answer:
        if fault.kind == "drop":
            return Answer(drop=True)
        if fault.kind == "http500":
            reason = "Internal Server Error" if fault.status == 500 else "Gateway Error"
            return Answer(
                status=fault.status, body=f"{fault.status} {reason}".encode(), content_type="text/plain"
            )
        if fault.kind == "html":
            return Answer(
                body=html_page("502 Bad Gateway", "网关繁忙，请稍后再试"),
                content_type="text/html;charset=UTF-8",
            )
        if fault.kind == "truncated":
            full = json_body(
                envelope or {"result": 1, "data": {"pcursor": "nomore"}, "requestId": self.request_id()}
            )
            return Answer(body=full[: max(1, len(full) // 2)])
        if fault.kind == "delay":
            return Answer(body=json_body(envelope or {}), delay_s=fault.delay_s)
        failure = ApiFailure(
            fault.result if fault.result is not None else E.BUSINESS_REJECTED,
            fault.error_msg,
            sub_code=fault.sub_code,
        )
        return Answer(body=json_body(failure.envelope(self.request_id())))

    # ------------------------------------------------------------------------ OAuth
    def handle_authorize(self, verb: str, params: dict[str, str]) -> Answer:
        self._log(self.oauth_log, {"endpoint": "oauth.authorize", "at_ms": self.now_ms()})
        if verb != "GET":
            return Answer(
                status=405, body=html_page("405", "只支持 GET"), content_type="text/html;charset=UTF-8"
            )
        try:
            code = self.auth.authorize(
                params.get("app_id"),
                params.get("redirect_uri"),
                params.get("scope"),
                params.get("response_type"),
            )
        except ValueError as exc:
            return Answer(
                status=400, body=html_page("授权失败", str(exc)), content_type="text/html;charset=UTF-8"
            )
        query = {"code": code}
        if params.get("state") is not None:
            query["state"] = params["state"]
        uri = params["redirect_uri"]
        location = uri + ("&" if "?" in uri else "?") + urlencode(query)
        return Answer(status=302, body=b"", content_type="text/plain", headers=(("Location", location),))

    def handle_token(self, endpoint: str, params: dict[str, str]) -> Answer:
        entry = {"endpoint": endpoint, "at_ms": self.now_ms(), "result": None}
        fault = self.faults.take(endpoint)
        if fault is not None and not fault.after_processing and fault.kind not in ("delay", "result"):
            self._log(self.oauth_log, entry)
            return self._fault_answer(fault, None)
        try:
            if fault is not None and fault.kind == "result" and not fault.after_processing:
                raise OAuthFailure(
                    fault.result or 100200500, fault.sub_code or "server_error", fault.error_msg or "服务异常"
                )
            if endpoint == "oauth2.access_token":
                body = self.auth.exchange_code(params)
            else:
                body = self.auth.refresh(params)
        except OAuthFailure as failure:
            body = failure.body()
        entry["result"] = body["result"]
        self._log(self.oauth_log, entry)
        answer = Answer(body=json_body(body))
        if fault is not None and fault.after_processing:
            answer = self._fault_answer(fault, body)
        elif fault is not None and fault.kind == "delay":
            answer.delay_s = fault.delay_s
        return answer
