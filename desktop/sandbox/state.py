"""The sandbox shop: refunds, their state machine and the business methods of spec §4.

Everything here is plain data and runs under one lock owned by :class:`Shop`; the HTTP layer
(:mod:`desktop.sandbox.server`) only decodes requests and calls :meth:`Shop.call`.

The platform's codes, windows, limits, reject reasons and parameter readers are in
:mod:`desktop.sandbox.catalog`. Refunds are stored as camelCase dicts in the API's own shape (list
fields and detail fields together; the list projects :data:`LIST_KEYS`). Two time indexes (by ``createTime`` and by ``updateTime``) keep
listing a one-day window proportional to the window, not to the shop; a heap of due times drives the
platform's timers (auto-approval when ``expireTime`` passes, the simulated buyer's return parcel, the
buyer's deadline after a rejection) without scanning every refund on every request.

State machine (status version B numbers, see spec §5):

* 10/11 waiting for the merchant (negotiateStatus 1)
  - approve (refund-only) → 60 succeeded · returngoods.approve → 30 (return, exchange, repair) or
    60 (resend) · reject → 12 (negotiateStatus 3, buyer's deadline 3 days)
  - ``expireTime`` passes → the system agrees exactly as the merchant would have (role ``system``)
* 30 waiting for the buyer's parcel → the simulated buyer ships after ``buyer_ships_after_ms``
  (→ 40, new ``expireTime`` 7 days); without a parcel by ``expireTime`` → 70 closed
* 40 waiting for the merchant to confirm receipt → confirm.receipt → 60 · reject → 12 ·
  ``expireTime`` passes → the system confirms and refunds (→ 60)
* 12 the buyer's turn → ``expireTime`` (the buyer's deadline) passes → 70 closed
* 20 dispute: the platform decides; no timer.

The module is a little over 600 lines on purpose: it is one class under one lock, and the state
machine's transitions read best side by side (the platform's vocabulary it names is imported from
the catalog one name a line).
"""

from __future__ import annotations

import bisect
import heapq
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from desktop.sandbox import errors as E
from desktop.sandbox.catalog import (
    BUYER_MODIFY_WINDOW_MS,
    DAY_MS,
    DISPUTE_STATUSES,
    EXCHANGE,
    FREIGHT_KEYS,
    HISTORY_SLACK_MS,
    KIND_NAMES,
    LIST_KEYS,
    MAX_FREIGHT_REJECT_DESC,
    MAX_HISTORY_MS,
    MAX_PAGE_SIZE,
    MAX_REJECT_DESC,
    NEG_AGREED,
    NEG_REJECTED,
    NEG_WAITING,
    RECEIPT_WINDOW_MS,
    REFUND_ONLY,
    REPAIR,
    RESEND,
    RETURN_REFUND,
    RETURN_WINDOW_MS,
    ROLE_BUYER,
    ROLE_PLATFORM,
    ROLE_SELLER,
    ROLE_SYSTEM,
    ST_CLOSED,
    ST_EXECUTING,
    ST_PLATFORM_CONFIRMED_RETURN,
    ST_REJECTED,
    ST_RETURN_REQUEST,
    ST_SUCCEEDED,
    ST_WAIT_BUYER_RETURN,
    ST_WAIT_RECEIPT,
    ST_WAIT_SELLER,
    decode_cursor,
    encode_cursor,
    images_param,
    int_param,
    is_waiting,
    kind_name,
    reject_reasons_for,
    text_param,
    yuan,
)
from desktop.sandbox.errors import ApiFailure, param_error, rejected


# ---------------------------------------------------------------------------------- the shop
class Shop:
    """One seller's shop. Thread-safe: every public method takes the shop's lock."""

    def __init__(
        self,
        *,
        now_ms: Callable[[], int],
        seller_id: int,
        shop_name: str,
        buyer_ships_after_ms: int | None = 300_000,
        max_window_ms: int = DAY_MS,
    ) -> None:
        self.lock = threading.RLock()
        self.now_ms = now_ms
        self.seller_id = seller_id
        self.shop_name = shop_name
        self.buyer_ships_after_ms = buyer_ships_after_ms
        self.max_window_ms = max_window_ms
        #: prefix for relative picture links (set when the server knows its address)
        self.base_url = ""
        self.refunds: dict[int, dict[str, Any]] = {}
        self.comments: dict[int, list[dict[str, Any]]] = {}
        self.addresses: list[dict[str, Any]] = []
        self._cancelled: set[int] = set()
        self._ship_at: dict[int, int] = {}
        self._by_create: list[tuple[int, int]] = []
        self._by_update: list[tuple[int, int]] = []
        self._due: list[tuple[int, int]] = []  # heap of (due_ms, refundId)
        self._due_of: dict[int, int] = {}
        self._next_id = 2_100_000_000_000_000
        self._express_seq = 0

    # ---------------------------------------------------------------------------- storing
    def new_refund_id(self) -> int:
        with self.lock:
            self._next_id += 1
            while self._next_id in self.refunds:
                self._next_id += 1
            return self._next_id

    def add(
        self,
        refund: dict[str, Any],
        comments: Iterable[dict[str, Any]] = (),
        *,
        cancelled: bool = False,
        ship_at_ms: int | None = None,
        index: bool = True,
    ) -> dict[str, Any]:
        """Store ``refund`` (complete camelCase dict). ``index=False`` defers to :meth:`reindex`."""
        with self.lock:
            rid = int(refund["refundId"])
            if rid in self.refunds:
                raise ValueError(f"refund {rid} already exists")
            self.refunds[rid] = refund
            self.comments[rid] = list(comments)
            if cancelled:
                self._cancelled.add(rid)
            if ship_at_ms is not None:
                self._ship_at[rid] = ship_at_ms
            if index:
                bisect.insort(self._by_create, (int(refund.get("createTime") or 0), rid))
                bisect.insort(self._by_update, (int(refund.get("updateTime") or 0), rid))
                self._schedule(refund)
            return refund

    def reindex(self) -> None:
        """Rebuild every index from the refunds (after bulk adds or direct edits of the dicts)."""
        with self.lock:
            self._by_create = sorted((int(r.get("createTime") or 0), rid) for rid, r in self.refunds.items())
            self._by_update = sorted((int(r.get("updateTime") or 0), rid) for rid, r in self.refunds.items())
            self._due, self._due_of = [], {}
            for r in self.refunds.values():
                self._schedule(r)

    def update(self, refund_id: int, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Change fields of a stored refund and keep the indexes right."""
        with self.lock:
            r = self._get(refund_id)
            old_create, old_update = int(r.get("createTime") or 0), int(r.get("updateTime") or 0)
            r.update(fields)
            self._move(self._by_create, old_create, int(r.get("createTime") or 0), refund_id)
            self._move(self._by_update, old_update, int(r.get("updateTime") or 0), refund_id)
            self._schedule(r)
            return r

    @staticmethod
    def _move(index: list[tuple[int, int]], old: int, new: int, rid: int) -> None:
        if old == new:
            return
        i = bisect.bisect_left(index, (old, rid))
        if i < len(index) and index[i] == (old, rid):
            del index[i]
        bisect.insort(index, (new, rid))

    def _get(self, refund_id: int) -> dict[str, Any]:
        r = self.refunds.get(refund_id)
        if r is None:
            raise ApiFailure(E.REFUND_NOT_FOUND)
        return r

    def _mine(self, params: Mapping[str, Any]) -> dict[str, Any]:
        r = self._get(int_param(params, "refundId"))
        if r.get("sellerId") not in (None, self.seller_id):
            raise ApiFailure(E.NOT_YOUR_REFUND)
        return r

    def comment(self, rid: int, at: int, role: str, title: str, staff: tuple[int, str] | None = None) -> None:
        staff_id, staff_name = staff or {
            ROLE_SYSTEM: (0, "系统"),
            ROLE_BUYER: (0, "买家"),
            ROLE_PLATFORM: (0, "平台客服"),
        }.get(role, (10_086_001, "主账号"))
        self.comments.setdefault(rid, []).append(
            {
                "title": title,
                "role": role,
                "createTime": at,
                "staffAccountId": staff_id,
                "staffAccountName": staff_name,
            }
        )

    # ------------------------------------------------------------------------- transitions
    def _touch(self, r: dict[str, Any], at: int, *, negotiate: bool = False) -> None:
        rid = r["refundId"]
        old = int(r.get("updateTime") or 0)
        new = max(at, old + 1)
        r["updateTime"] = new
        if negotiate:
            r["negotiateUpdateTime"] = new
        self._move(self._by_update, old, new, rid)
        self._schedule(r)

    def _refunded(self, r: dict[str, Any], at: int) -> None:
        r["status"] = ST_SUCCEEDED
        r["endTime"] = max(at, int(r.get("updateTime") or 0) + 1)
        self._touch(r, at, negotiate=r.get("negotiateStatus") != NEG_AGREED)
        r["negotiateStatus"] = NEG_AGREED

    def _await_return(self, r: dict[str, Any], at: int, address: dict[str, Any] | None) -> None:
        r["status"] = ST_WAIT_BUYER_RETURN
        r["negotiateStatus"] = NEG_AGREED
        r["expireTime"] = at + RETURN_WINDOW_MS
        if address is not None:
            r["address"] = {"addressId": address["addressId"], **address["baseInfo"]}
        if self.buyer_ships_after_ms is not None:
            self._ship_at[r["refundId"]] = at + self.buyer_ships_after_ms
        self._touch(r, at, negotiate=True)

    def _buyer_ships(self, r: dict[str, Any], at: int) -> None:
        self._express_seq += 1
        express_no = f"SF{1_468_000_000_000 + r['refundId'] % 1_000_000_000 + self._express_seq}"
        r["status"] = ST_WAIT_RECEIPT
        r["receiptStatus"] = 1
        r["logisticsId"] = 8_800_000_000 + self._express_seq
        r["logisticsInfo"] = {"expressNo": express_no, "expressCode": 4}
        r["expireTime"] = at + RECEIPT_WINDOW_MS
        self._ship_at.pop(r["refundId"], None)
        self.comment(r["refundId"], at, ROLE_BUYER, f"买家已寄回商品，快递单号 {express_no}")
        self._touch(r, at)

    def _close(self, r: dict[str, Any], at: int) -> None:
        r["status"] = ST_CLOSED
        r["endTime"] = max(at, int(r.get("updateTime") or 0) + 1)
        self._ship_at.pop(r["refundId"], None)
        self._touch(r, at)

    # ----------------------------------------------------------------------- the timers
    def _next_due(self, r: dict[str, Any]) -> int | None:
        status, expire = r.get("status"), int(r.get("expireTime") or 0)
        if status in (ST_WAIT_SELLER, ST_RETURN_REQUEST) and r.get("negotiateStatus") == NEG_WAITING:
            return expire or None
        if status in (ST_WAIT_RECEIPT, ST_REJECTED):
            return expire or None
        if status == ST_WAIT_BUYER_RETURN:
            ship = self._ship_at.get(r["refundId"])
            candidates = [t for t in (ship, expire) if t]
            return min(candidates) if candidates else None
        return None

    def _schedule(self, r: dict[str, Any]) -> None:
        rid = r["refundId"]
        due = self._next_due(r)
        if due is None:
            self._due_of.pop(rid, None)
        elif self._due_of.get(rid) != due:
            self._due_of[rid] = due
            heapq.heappush(self._due, (due, rid))

    def settle(self, now: int | None = None) -> int:
        """Fire every platform timer that is due by ``now``; returns how many refunds moved."""
        with self.lock:
            now = self.now_ms() if now is None else now
            moved = 0
            while self._due and self._due[0][0] <= now:
                due, rid = heapq.heappop(self._due)
                r = self.refunds.get(rid)
                if r is None or self._due_of.get(rid) != due:
                    continue  # stale entry: the refund moved on since
                del self._due_of[rid]
                self._fire(r, due)
                moved += 1
            return moved

    def _fire(self, r: dict[str, Any], at: int) -> None:
        rid, status, way = r["refundId"], r.get("status"), r.get("handlingWay")
        if status in (ST_WAIT_SELLER, ST_RETURN_REQUEST):
            kind = kind_name(way, "售后")
            if way in (RETURN_REFUND, EXCHANGE, REPAIR):
                self.comment(rid, at, ROLE_SYSTEM, f"商家超时未处理，系统自动同意{kind}申请")
                self._await_return(r, at, self.default_return_address())
            else:
                self.comment(rid, at, ROLE_SYSTEM, f"商家超时未处理，系统自动同意{kind}申请")
                self._refunded(r, at)
                if way == REFUND_ONLY:
                    self.comment(rid, r["endTime"], ROLE_SYSTEM, "退款成功，款项已原路退回买家")
        elif status == ST_WAIT_RECEIPT:
            self.comment(rid, at, ROLE_SYSTEM, "商家超时未确认收货，系统自动确认收货并退款")
            r["receiptStatus"] = 2
            self._refunded(r, at)
        elif status == ST_REJECTED:
            self.comment(rid, at, ROLE_SYSTEM, "买家超时未修改申请，售后关闭")
            self._close(r, at)
        elif status == ST_WAIT_BUYER_RETURN:
            ship = self._ship_at.get(rid)
            if ship is not None and ship <= at:
                self._buyer_ships(r, at)
            else:
                self.comment(rid, at, ROLE_SYSTEM, "买家超时未寄回商品，售后关闭")
                self._close(r, at)

    # --------------------------------------------------------------------- addresses
    def default_return_address(self) -> dict[str, Any] | None:
        returns = [a for a in self.addresses if a["addressType"] == 2]
        return next((a for a in returns if a["defaultAddress"]), returns[0] if returns else None)

    def _return_address(self, address_id: int | None) -> dict[str, Any] | None:
        if address_id is None:
            return self.default_return_address()
        for a in self.addresses:
            if a["addressId"] == address_id and a["addressType"] == 2:
                return a
        raise rejected(f"退货地址 {address_id} 不存在或不是本店的退货地址")

    # --------------------------------------------------------------------- methods
    def list_refunds(self, p: Mapping[str, Any]) -> dict[str, Any]:
        now = self.now_ms()
        begin, end = int_param(p, "beginTime"), int_param(p, "endTime")
        assert begin is not None and end is not None
        if end < begin:
            raise ApiFailure(E.END_BEFORE_BEGIN)
        if end - begin > self.max_window_ms:
            raise ApiFailure(E.WINDOW_TOO_WIDE)
        if begin < now - MAX_HISTORY_MS - HISTORY_SLACK_MS:
            raise ApiFailure(E.OLDER_THAN_90_DAYS)
        kind = int_param(p, "type")
        if kind not in (8, 9):
            raise param_error(f"type 只能是 8（待处理）或 9（全部），收到 {kind}")
        page_size = int_param(p, "pageSize", required=False)
        page_size = 10 if page_size is None else page_size
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise param_error(f"pageSize 必须在 1 到 {MAX_PAGE_SIZE} 之间，收到 {page_size}")
        query_type = int_param(p, "queryType", required=False)
        query_type = 1 if query_type is None else query_type
        if query_type not in (1, 2):
            raise param_error(f"queryType 只能是 1（创建时间）或 2（更新时间），收到 {query_type}")
        sort = int_param(p, "sort", required=False)
        sort = 1 if sort is None else sort
        if sort not in (1, 2):
            raise param_error(f"sort 只能是 1（降序）或 2（升序），收到 {sort}")
        cursor_text = p.get("pcursor") or ""
        if not isinstance(cursor_text, str):
            raise param_error("pcursor 必须是字符串")
        neg_filter = int_param(p, "negotiateStatus", required=False)
        status_filter = int_param(p, "status", required=False)
        order_filter = int_param(p, "orderId", required=False)
        option = p.get("option")
        if option is not None and not isinstance(option, dict):
            raise param_error("option 必须是对象")
        exclude_exchange = isinstance(option, dict) and option.get("needExchange") is False

        if cursor_text == "nomore":
            return {"pcursor": "nomore", "totalSize": 0, "refundOrderInfoList": []}
        with self.lock:
            index = self._by_create if query_type == 1 else self._by_update
            lo = bisect.bisect_left(index, (begin, -1))
            hi = bisect.bisect_right(index, (end, 1 << 63))
            keys: list[tuple[int, int]] = []
            for key in index[lo:hi]:
                r = self.refunds[key[1]]
                if kind == 8 and not is_waiting(r):
                    continue
                if neg_filter is not None and r.get("negotiateStatus") != neg_filter:
                    continue
                if status_filter is not None and r.get("status") != status_filter:
                    continue
                if order_filter is not None and r.get("oid") != order_filter:
                    continue
                if exclude_exchange and r.get("handlingWay") == EXCHANGE:
                    continue
                keys.append(key)
            if sort == 1:
                keys.reverse()
            start = 0
            if cursor_text:
                after = decode_cursor(cursor_text)
                if sort == 1:  # descending: the first key strictly below the cursor
                    start = len(keys) - bisect.bisect_left(keys[::-1], after)
                else:
                    start = bisect.bisect_right(keys, after)
            page = keys[start : start + page_size]
            items = [{k: r[k] for k in LIST_KEYS if k in r} for r in (self.refunds[rid] for _t, rid in page)]
            more = start + page_size < len(keys)
            cursor = encode_cursor(*page[-1]) if more else "nomore"
            return {"pcursor": cursor, "totalSize": len(keys), "refundOrderInfoList": items}

    def detail(self, p: Mapping[str, Any]) -> dict[str, Any]:
        with self.lock:
            r = dict(self._mine(p))
        if "pictures" in r:
            r["pictures"] = [self.base_url + u if u.startswith("/") else u for u in r["pictures"]]
        return r

    def _check_versions(self, r: Mapping[str, Any], p: Mapping[str, Any]) -> None:
        status = int_param(p, "status", required=False)
        if status is not None and status != r.get("status"):
            raise ApiFailure(E.REFUND_CHANGED)
        neg = int_param(p, "negotiateStatus", required=False)
        if neg is not None and neg != r.get("negotiateStatus"):
            raise ApiFailure(E.NEGOTIATE_CHANGED)

    def _check_open(self, r: Mapping[str, Any]) -> None:
        """Refuse actions on finished, cancelled and disputed refunds."""
        status = r.get("status")
        if r["refundId"] in self._cancelled:
            raise ApiFailure(E.BUYER_CANCELLED)
        if status in (ST_EXECUTING, ST_SUCCEEDED, ST_CLOSED):
            raise ApiFailure(E.STATE_CANNOT_REFUND)
        if status in DISPUTE_STATUSES - {ST_PLATFORM_CONFIRMED_RETURN}:
            raise ApiFailure(E.STATUS_NOT_ALLOWED, "平台介入处理中，商家不能操作")

    def _awaiting_decision(self, r: Mapping[str, Any]) -> bool:
        status, neg = r.get("status"), r.get("negotiateStatus")
        return (status in (ST_WAIT_SELLER, ST_RETURN_REQUEST) and neg == NEG_WAITING) or status == ST_REJECTED

    def approve(self, p: Mapping[str, Any]) -> dict[str, Any]:
        with self.lock:
            r = self._mine(p)
            amount = int_param(p, "refundAmount")
            way = int_param(p, "refundHandingWay", required=False)
            self._check_versions(r, p)
            self._check_open(r)
            if r.get("handlingWay") != REFUND_ONLY:
                raise ApiFailure(
                    E.STATUS_NOT_ALLOWED,
                    f"{kind_name(r.get('handlingWay'), '该')}售后请使用 open.seller.order.refund.returngoods.approve",
                )
            if not self._awaiting_decision(r):
                if r.get("status") in (ST_WAIT_SELLER, ST_RETURN_REQUEST):
                    raise ApiFailure(E.NEGOTIATE_WRONG)
                raise ApiFailure(E.STATUS_NOT_ALLOWED)
            if amount != r.get("refundFee"):
                raise rejected(f"退款金额 {amount} 与申请退款金额 {r.get('refundFee')} 不一致")
            if way not in (None, 0, REFUND_ONLY):
                raise param_error(f"refundHandingWay {way} 与仅退款申请不符")
            now = self.now_ms()
            self.comment(r["refundId"], now, ROLE_SELLER, f"商家同意退款 {yuan(amount)}")
            self._refunded(r, now)
            self.comment(r["refundId"], r["endTime"], ROLE_SYSTEM, "退款成功，款项已原路退回买家")
            return {}

    def approve_return(self, p: Mapping[str, Any]) -> dict[str, Any]:
        with self.lock:
            r = self._mine(p)
            amount = int_param(p, "refundAmount")
            address_id = int_param(p, "addressId", required=False)
            self._check_open(r)
            way = r.get("handlingWay")
            if way == REFUND_ONLY:
                raise ApiFailure(E.STATUS_NOT_ALLOWED, "仅退款申请请使用 open.seller.order.refund.approve")
            if not self._awaiting_decision(r):
                raise ApiFailure(E.STATUS_NOT_ALLOWED)
            expected = int(r.get("refundFee") or 0) if way == RETURN_REFUND else 0
            if amount != expected:
                raise rejected(f"退款金额 {amount} 与应退金额 {expected} 不一致")
            now = self.now_ms()
            kind = kind_name(way, "售后")
            if way == RESEND:
                self.comment(r["refundId"], now, ROLE_SELLER, "商家同意补寄")
                self._refunded(r, now)
                return {}
            address = self._return_address(address_id)
            where = address["baseInfo"]["address"] if address else "（未设置退货地址）"
            self.comment(r["refundId"], now, ROLE_SELLER, f"商家同意{kind}申请，退货地址：{where}")
            self._await_return(r, now, address)
            return {}

    def list_addresses(self, p: Mapping[str, Any]) -> list[dict[str, Any]]:
        address_type = int_param(p, "addressType", required=False)
        address_type = 2 if address_type is None else address_type
        if address_type not in (2, 3):
            raise param_error(f"addressType 只能是 2（退货）或 3（发货），收到 {address_type}")
        with self.lock:
            return [
                {k: v for k, v in a.items() if k != "addressType"}
                for a in self.addresses
                if a["addressType"] == address_type
            ]

    def confirm_receipt(self, p: Mapping[str, Any]) -> dict[str, Any]:
        with self.lock:
            r = self._mine(p)
            self._check_versions(r, p)
            self._check_open(r)
            if r.get("status") not in (ST_PLATFORM_CONFIRMED_RETURN, ST_WAIT_BUYER_RETURN, ST_WAIT_RECEIPT):
                raise ApiFailure(E.STATUS_NOT_ALLOWED, "只有待退货或待确认收货的售后单可以确认收货")
            info = r.get("returnFreightInfo")
            sent = [k for k in FREIGHT_KEYS if p.get(k) not in (None, "", [])]
            freight_note = ""
            if info is None:
                if sent:
                    raise param_error(f"该退款单没有退货运费信息，不能传入 {', '.join(sent)}")
            else:
                advice = int_param(p, "returnFreightHandlingAdvice")
                if advice == 1:
                    freight = int_param(p, "returnFreightAmount")
                    assert freight is not None
                    limit = int(info.get("returnFreightAmount") or 0)
                    if not 0 <= freight <= limit:
                        raise param_error(f"returnFreightAmount 必须在 0 到 {limit} 之间")
                    info_update: dict[str, Any] = {
                        "returnFreightStatus": 20,
                        "returnFreightAgreeAmount": freight,
                    }
                    freight_note = f"，同意退货运费 {yuan(freight)}"
                elif advice == 2:
                    desc = text_param(p, "returnFreightRejectDesc")
                    if not desc:
                        raise param_error("拒绝退货运费时必须填写 returnFreightRejectDesc")
                    if len(desc) >= MAX_FREIGHT_REJECT_DESC:
                        raise param_error(f"returnFreightRejectDesc 必须少于 {MAX_FREIGHT_REJECT_DESC} 字")
                    images = images_param(p, "returnFreightRejectImages")
                    info_update = {
                        "returnFreightStatus": 50,
                        "returnFreightRejectDesc": desc,
                        "returnFreightRejectImages": images,
                    }
                    freight_note = "，拒绝退货运费"
                else:
                    raise param_error("returnFreightHandlingAdvice 只能是 1（同意）或 2（拒绝）")
                r["returnFreightInfo"] = {**info, **info_update}
            now = self.now_ms()
            r["receiptStatus"] = 2
            self.comment(r["refundId"], now, ROLE_SELLER, f"商家确认收货{freight_note}")
            self._ship_at.pop(r["refundId"], None)
            self._refunded(r, now)
            if r.get("handlingWay") == RETURN_REFUND:
                self.comment(r["refundId"], r["endTime"], ROLE_SYSTEM, "退款成功，款项已原路退回买家")
            return {}

    def reject_reasons(self, p: Mapping[str, Any]) -> list[dict[str, Any]]:
        with self.lock:
            r = self._mine(p)
            self._check_open(r)
            reasons = reject_reasons_for(r)
            if reasons is None:
                raise ApiFailure(E.STATUS_NOT_ALLOWED, "当前售后状态不能拒绝")
            return [dict(x) for x in reasons]

    def reject(self, p: Mapping[str, Any]) -> dict[str, Any]:
        with self.lock:
            r = self._mine(p)
            code = int_param(p, "reasonCode")
            version = int_param(p, "refundVersion")
            desc = text_param(p, "rejectDesc")
            images = images_param(p, "rejectImages")
            edit_way = int_param(p, "editHandlingWay", required=False)
            edit_address = int_param(p, "editReturnAddressId", required=False)
            self._check_open(r)
            reasons = reject_reasons_for(r)
            if reasons is None:
                raise ApiFailure(E.STATUS_NOT_ALLOWED, "当前售后状态不能拒绝")
            if version != r.get("updateTime"):
                raise ApiFailure(E.REFUND_CHANGED)
            reason = next((x for x in reasons if x["code"] == code), None)
            if reason is None:
                allowed = ", ".join(str(x["code"]) for x in reasons)
                raise rejected(f"拒绝原因 {code} 不适用于该售后单（可用：{allowed}）")
            if desc is not None and len(desc) > MAX_REJECT_DESC:
                raise param_error(f"rejectDesc 最多 {MAX_REJECT_DESC} 字")
            if reason["requiredRejectDesc"] and not desc:
                raise rejected(f"拒绝原因「{reason['desc']}」需要填写拒绝说明")
            if reason["requiredRejectImage"] and not images:
                raise rejected(f"拒绝原因「{reason['desc']}」需要上传凭证图片")
            if edit_way is not None and edit_way not in KIND_NAMES:
                raise param_error(f"editHandlingWay {edit_way} 无效")
            if edit_address is not None:
                self._return_address(edit_address)
            now = self.now_ms()
            receipt = r.get("status") in (ST_WAIT_RECEIPT, ST_PLATFORM_CONFIRMED_RETURN)
            what = "确认收货" if receipt else f"{kind_name(r.get('handlingWay'), '售后')}申请"
            title = f"商家拒绝{what}，原因：{reason['desc']}" + (f"（{desc}）" if desc else "")
            if edit_way is not None:
                title += f"；建议买家改为{KIND_NAMES[edit_way]}"
            self.comment(r["refundId"], now, ROLE_SELLER, title)
            deadline = now + BUYER_MODIFY_WINDOW_MS
            r.update(
                status=ST_REJECTED,
                negotiateStatus=NEG_REJECTED,
                sellerDisagreeReason=code,
                sellerDisagreeDesc=desc or "",
                sellerDisagreeImages=images,
                validNegotiateBuyerModifyTimeStamp=deadline,
                timeLimitNegotiateChange=deadline,
                expireTime=deadline,
            )
            self._ship_at.pop(r["refundId"], None)
            self._touch(r, now, negotiate=True)
            return {}

    def comment_list(self, p: Mapping[str, Any]) -> list[dict[str, Any]]:
        with self.lock:
            r = self._mine(p)
            return sorted(
                (dict(c) for c in self.comments.get(r["refundId"], [])), key=lambda c: c["createTime"]
            )

    def seller_info(self, open_id: str) -> dict[str, Any]:
        return {
            "name": self.shop_name,
            "sellerId": self.seller_id,
            "openId": open_id,
            "staffInfo": {"isMainAccount": True, "staffAccountId": 10_086_001, "staffName": "主账号"},
        }

    def shop_score(self) -> dict[str, Any]:
        """The experience score; the after-sale dimension drops with recent auto-approvals."""
        with self.lock:
            since = self.now_ms() - 30 * DAY_MS
            auto = sum(
                1
                for rid, r in self.refunds.items()
                if r.get("status") == ST_SUCCEEDED
                and int(r.get("endTime") or 0) >= since
                and any(c["role"] == ROLE_SYSTEM and "超时" in c["title"] for c in self.comments.get(rid, ()))
            )
        after_sale = max(3.0, 4.85 - 0.06 * auto)
        dims = {"商品体验": 4.72, "物流体验": 4.66, "售后体验": after_sale, "服务体验": 4.58}
        total = sum(dims.values()) / len(dims)
        return {
            "hasData": True,
            "summary": {"showName": "店铺体验分", "scoreStr": f"{total:.2f}"},
            "scoreDim": [{"dimName": k, "dimScoreStr": f"{v:.2f}"} for k, v in dims.items()],
        }
