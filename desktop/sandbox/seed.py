"""Deterministic demo data for the sandbox shop.

:func:`seed_demo` fills a :class:`~desktop.sandbox.state.Shop` with one realistic small shop: pending
requests of every kind with deadlines from minutes to two days away (some with buyer reminders, some
without any ``expireTime``), refunds rejected and waiting for the buyer, a dispute, parcels on their
way back, and 90 days of history replayed through the same state machine as live actions — handled in
time, auto-approved by the system after the deadline (with the system's entry in the negotiation
history), fast refunds, buyer cancellations. The same seed and the same clock give the same shop.

:func:`seed_bulk` adds many finished refunds cheaply (benchmarks).
"""

from __future__ import annotations

import random
from typing import Any

from desktop.sandbox import catalog as S
from desktop.sandbox.catalog import DAY_MS, HOUR_MS, MINUTE_MS
from desktop.sandbox.state import Shop

SHOP_NAME = "山河优选生活馆"
SELLER_ID = 2_089_934_101
REVIEW_WINDOW_MS = 48 * HOUR_MS

#: (skuNick, unit price in fen)
PRODUCTS: tuple[tuple[str, int], ...] = (
    ("纯棉短袖T恤 白色 XL", 5900),
    ("加绒连帽卫衣 雾霾灰 L", 12900),
    ("冰丝阔腿裤 黑色 M", 6990),
    ("儿童防晒衣 樱花粉 120码", 7900),
    ("316不锈钢保温杯 500ml", 8800),
    ("古法手工红糖 500g", 2590),
    ("云南勐海普洱茶饼 357g", 16800),
    ("无线降噪蓝牙耳机 星空黑", 19900),
    ("厨房三层置物架 碳钢", 4590),
    ("五常稻花香大米 10斤", 6980),
    ("iPhone 15 透明防摔手机壳", 1990),
    ("羊毛混纺围巾 驼色", 9900),
    ("儿童拼装积木 200粒", 3990),
    ("玻尿酸补水面膜 10片装", 4900),
    ("柳州螺蛳粉 3袋装", 3370),
    ("加厚TPE瑜伽垫 10mm", 5990),
    ("LED护眼台灯 三档调光", 8990),
    ("男士轻便跑步鞋 42码", 15900),
    ("桑蚕丝枕套 一对", 13800),
    ("陶瓷餐具套装 16件", 11900),
)

#: (refundReason code, refundReasonDesc) per kind
REASONS: dict[int, tuple[tuple[int, str], ...]] = {
    S.REFUND_ONLY: (
        (1, "不想要了"),
        (2, "未按约定时间发货"),
        (3, "快递一直未送达"),
        (4, "商品破损/少件"),
        (5, "与商品描述不符"),
        (6, "多拍/拍错"),
        (7, "质量问题"),
    ),
    S.RETURN_REFUND: (
        (11, "七天无理由退货"),
        (12, "尺码不合适"),
        (13, "质量问题"),
        (14, "与商品描述不符"),
        (15, "收到商品破损"),
        (16, "颜色/款式与图片不符"),
    ),
    S.EXCHANGE: ((21, "尺码不合适，想换一个尺码"), (22, "颜色不喜欢，想换颜色")),
    S.RESEND: ((31, "收到商品少件"), (32, "赠品未收到")),
    S.REPAIR: ((41, "商品使用中出现故障"), (42, "耳机单边无声")),
}

BUYER_NOTES = (
    "",
    "麻烦尽快处理，谢谢",
    "等了好几天还没发货",
    "洗了一次就起球了",
    "拍错颜色了",
    "外包装压坏了，里面也有裂痕",
    "和直播间说的不一样",
    "",
)

PRICE_PROTECTION_NOTE = "下单后降价了，申请价保"

RETURN_ADDRESSES: tuple[dict[str, Any], ...] = (
    {
        "addressId": 51_000_001,
        "addressType": 2,
        "defaultAddress": True,
        "addressStatus": 1,
        "baseInfo": {
            "consignee": "王晓峰",
            "mobile": "138****6621",
            "province": "浙江省",
            "city": "杭州市",
            "district": "余杭区",
            "town": "仓前街道",
            "address": "浙江省杭州市余杭区仓前街道文一西路1288号 山河优选退货仓",
        },
    },
    {
        "addressId": 51_000_002,
        "addressType": 2,
        "defaultAddress": False,
        "addressStatus": 1,
        "baseInfo": {
            "consignee": "李敏",
            "mobile": "139****0457",
            "province": "广东省",
            "city": "广州市",
            "district": "白云区",
            "town": "太和镇",
            "address": "广东省广州市白云区太和镇大源北路66号 华南售后仓",
        },
    },
    {
        "addressId": 52_000_001,
        "addressType": 3,
        "defaultAddress": True,
        "addressStatus": 1,
        "baseInfo": {
            "consignee": "王晓峰",
            "mobile": "138****6621",
            "province": "浙江省",
            "city": "杭州市",
            "district": "余杭区",
            "town": "仓前街道",
            "address": "浙江省杭州市余杭区仓前街道良睦路999号 山河优选发货仓",
        },
    },
)


class _Builder:
    """Creates refunds and replays their history through the shop's own transitions."""

    def __init__(self, shop: Shop, rng: random.Random, now: int) -> None:
        self.shop, self.rng, self.now = shop, rng, now

    def new(
        self,
        way: int,
        submit: int,
        *,
        status: int | None = None,
        urge: int = 0,
        freight: bool = False,
        price_protection: bool = False,
        expire: int | None = -1,
    ) -> dict[str, Any]:
        rng, shop = self.rng, self.shop
        rid = shop.new_refund_id()
        product_index = rng.randrange(len(PRODUCTS))
        sku_nick, price = PRODUCTS[product_index]
        num = 1 if rng.random() < 0.8 else 2
        if way in (S.EXCHANGE, S.RESEND, S.REPAIR):
            fee = 0
        elif price_protection:
            fee = max(100, price * rng.choice((10, 15, 20)) // 100)
        elif way == S.REFUND_ONLY and rng.random() < 0.25:
            fee = price * num * rng.choice((30, 50)) // 100  # partial refund
        else:
            fee = price * num
        reason_code, reason = rng.choice(REASONS[way])
        item_id = 6_200_000_000 + product_index * 7919
        sku_id = item_id * 10 + rng.randrange(1, 6)
        r: dict[str, Any] = {
            "refundId": rid,
            "oid": 2_300_000_000_000_000 + rng.randrange(10**14),
            "handlingWay": way,
            "negotiateStatus": S.NEG_WAITING,
            "status": status if status is not None else S.ST_WAIT_SELLER,
            "refundType": 1,
            "refundFee": fee,
            "refundReason": reason_code,
            "refundReasonDesc": reason,
            "refundDesc": PRICE_PROTECTION_NOTE if price_protection else rng.choice(BUYER_NOTES),
            "skuId": sku_id,
            "skuNick": sku_nick,
            "itemId": item_id,
            "relItemId": item_id,
            "relSkuId": sku_id,
            "sellerId": shop.seller_id,
            "submitTime": submit,
            "createTime": submit,
            "updateTime": submit,
            "negotiateUpdateTime": submit,
            "endTime": 0,
            "receiptStatus": 2 if way != S.REFUND_ONLY or reason_code in (4, 5, 7) else 1,
            "logisticsId": 0,
            "expireTime": submit + REVIEW_WINDOW_MS,
            "urgeTimes": urge,
            "requireReturnFreight": freight,
            "buyerOpenId": f"f{rng.getrandbits(120):030x}",
            "productNum": num,
            "negotiateReason": "",
            "specialRefundType": 1 if price_protection else 0,
        }
        if expire is None:
            del r["expireTime"]
        elif expire != -1:
            r["expireTime"] = expire
        if reason_code in (4, 5, 7, 13, 14, 15, 16, 41, 42) or rng.random() < 0.15:
            r["pictures"] = [f"/sandbox/pictures/{rid}-{i}.png" for i in range(1, rng.randint(2, 4))]
        if freight:
            r["returnFreightInfo"] = {
                "returnFreightAmount": rng.choice((800, 1000, 1200, 1500)),
                "returnFreightStatus": 10,
                "returnFreightApplyTime": submit,
            }
        if way == S.EXCHANGE:
            base = sku_nick.rsplit(" ", 1)[0]
            r["exchangeSkuId"] = sku_id + 1
            r["exchangeSkuNick"] = f"{base} {rng.choice(('XXL', '2XL', '白色', '黑色'))}"
            r["exchangeNum"] = num
        kind = S.KIND_NAMES[way]
        money = f"，金额 {S.yuan(fee)}" if fee else ""
        comments = [_entry(submit, S.ROLE_BUYER, f"买家发起{kind}申请，原因：{reason}{money}")]
        shop.add(r, comments)
        for i in range(urge):
            at = submit + (i + 1) * (REVIEW_WINDOW_MS // (urge + 2))
            if at < self.now:
                shop.comment(rid, at, S.ROLE_BUYER, "买家催促商家尽快处理")
        return r

    # --- history steps, each at an explicit time ---------------------------------------
    def agree_refund(self, r: dict[str, Any], at: int) -> None:
        self.shop.comment(r["refundId"], at, S.ROLE_SELLER, f"商家同意退款 {S.yuan(r['refundFee'])}")
        self.shop._refunded(r, at)
        self.shop.comment(r["refundId"], r["endTime"], S.ROLE_SYSTEM, "退款成功，款项已原路退回买家")

    def agree_return(self, r: dict[str, Any], at: int, ships_at: int | None) -> None:
        address = self.shop.default_return_address()
        kind = S.KIND_NAMES[r["handlingWay"]]
        where = address["baseInfo"]["address"] if address else ""
        self.shop.comment(r["refundId"], at, S.ROLE_SELLER, f"商家同意{kind}申请，退货地址：{where}")
        self.shop._await_return(r, at, address)
        self.ship_at(r, ships_at)

    def ship_at(self, r: dict[str, Any], at: int | None) -> None:
        if at is None:
            self.shop._ship_at.pop(r["refundId"], None)
        else:
            self.shop._ship_at[r["refundId"]] = at
        self.shop._schedule(r)

    def confirm(self, r: dict[str, Any], at: int) -> None:
        self.shop.comment(r["refundId"], at, S.ROLE_SELLER, "商家确认收货")
        r["receiptStatus"] = 2
        self.shop._refunded(r, at)
        if r["handlingWay"] == S.RETURN_REFUND:
            self.shop.comment(r["refundId"], r["endTime"], S.ROLE_SYSTEM, "退款成功，款项已原路退回买家")

    def reject(self, r: dict[str, Any], at: int) -> None:
        reasons = S.reject_reasons_for(r) or ()
        reason = next((x for x in reasons if not x["requiredRejectImage"]), reasons[0])
        desc = "已与买家电话沟通，商品无质量问题" if reason["requiredRejectDesc"] else ""
        self.shop.comment(r["refundId"], at, S.ROLE_SELLER, f"商家拒绝申请，原因：{reason['desc']}")
        deadline = at + S.BUYER_MODIFY_WINDOW_MS
        r.update(
            status=S.ST_REJECTED,
            negotiateStatus=S.NEG_REJECTED,
            sellerDisagreeReason=reason["code"],
            sellerDisagreeDesc=desc,
            sellerDisagreeImages=[],
            validNegotiateBuyerModifyTimeStamp=deadline,
            timeLimitNegotiateChange=deadline,
            expireTime=deadline,
        )
        self.shop._touch(r, at, negotiate=True)

    def fire(self, r: dict[str, Any]) -> None:
        """Let the platform's timer for ``r`` go off (auto-approval, auto-receipt, closing)."""
        due = self.shop._next_due(r)
        assert due is not None and due <= self.now, (r["refundId"], due)
        self.shop._fire(r, due)


def _entry(at: int, role: str, title: str) -> dict[str, Any]:
    staff = {S.ROLE_SELLER: (10_086_001, "主账号"), S.ROLE_BUYER: (0, "买家")}.get(role, (0, "系统"))
    return {
        "title": title,
        "role": role,
        "createTime": at,
        "staffAccountId": staff[0],
        "staffAccountName": staff[1],
    }


def install_addresses(shop: Shop) -> None:
    shop.addresses = [{**a, "baseInfo": dict(a["baseInfo"])} for a in RETURN_ADDRESSES]


def seed_demo(shop: Shop, seed: int, now: int) -> None:
    """Fill ``shop`` with the demo data for ``seed`` as of ``now`` (epoch ms)."""
    rng = random.Random(seed)
    b = _Builder(shop, rng, now)
    with shop.lock:
        _seed_history(b, rng, now)
        _seed_pending(b, rng, now)
        shop.settle(now)


def _jitter(rng: random.Random, ms: int, spread: float = 0.1) -> int:
    return int(ms * (1 + rng.uniform(-spread, spread)))


def _seed_pending(b: _Builder, rng: random.Random, now: int) -> None:
    def due_in(minutes: float) -> int:  # submitted so that the 48 h review ends in ``minutes``
        return now + int(minutes * MINUTE_MS) - REVIEW_WINDOW_MS

    # waiting for the merchant's decision, deadlines from minutes to two days away
    b.new(S.REFUND_ONLY, due_in(8), urge=2)
    b.new(S.REFUND_ONLY, due_in(25))
    b.new(S.REFUND_ONLY, due_in(70), urge=1)
    b.new(S.REFUND_ONLY, due_in(3 * 60))
    b.new(S.REFUND_ONLY, due_in(9 * 60))
    b.new(S.REFUND_ONLY, due_in(20 * 60))
    b.new(S.REFUND_ONLY, due_in(41 * 60))
    b.new(S.REFUND_ONLY, due_in(30 * 60), price_protection=True)
    b.new(S.RETURN_REFUND, due_in(40), status=S.ST_RETURN_REQUEST, urge=3)
    b.new(S.RETURN_REFUND, due_in(5 * 60), freight=True)
    b.new(S.RETURN_REFUND, due_in(26 * 60))
    b.new(S.RETURN_REFUND, due_in(46 * 60), status=S.ST_RETURN_REQUEST)
    b.new(S.EXCHANGE, due_in(2 * 60))
    b.new(S.EXCHANGE, due_in(36 * 60))
    b.new(S.RESEND, due_in(12 * 60), urge=1)
    b.new(S.REPAIR, due_in(44 * 60))
    # no platform deadline at all: the app must fall back to the stage limits
    b.new(S.REFUND_ONLY, now - 5 * HOUR_MS, expire=0)
    b.new(S.RETURN_REFUND, now - 30 * HOUR_MS, expire=None)

    # parcels back at the shop, waiting for the receipt to be confirmed
    for left_h, freight in ((2.5, False), (72, True), (144, False)):
        shipped = now + int(left_h * HOUR_MS) - S.RECEIPT_WINDOW_MS
        r = b.new(S.RETURN_REFUND, shipped - 2 * DAY_MS, freight=freight)
        b.agree_return(r, shipped - DAY_MS - 3 * HOUR_MS, shipped)
        b.fire(r)  # the buyer ships

    # rejected, the buyer's turn
    for left_h in (10, 48):
        rejected_at = now + int(left_h * HOUR_MS) - S.BUYER_MODIFY_WINDOW_MS
        r = b.new(S.REFUND_ONLY, rejected_at - 20 * HOUR_MS)
        b.reject(r, rejected_at)

    # a dispute: the platform handles it
    r = b.new(S.RETURN_REFUND, now - 4 * DAY_MS)
    b.reject(r, now - 3 * DAY_MS)
    r.update(status=S.ST_DISPUTE, expireTime=0)
    b.shop.comment(r["refundId"], now - 2 * DAY_MS, S.ROLE_BUYER, "买家申请平台介入")
    b.shop._touch(r, now - 2 * DAY_MS)

    # agreed returns, the buyer's parcel not sent yet (it will be, a few minutes into the demo)
    for ships_in_min in (15, 50):
        r = b.new(S.RETURN_REFUND, now - 20 * HOUR_MS)
        b.agree_return(r, now - 3 * HOUR_MS, now + ships_in_min * MINUTE_MS)


#: (scenario, count, time it needs after submission, newest allowed submission age)
_HISTORY = (
    ("agreed", 28, 2 * DAY_MS, 0),
    ("return_done", 16, 9 * DAY_MS, 0),
    ("auto_refund", 5, 2 * DAY_MS + HOUR_MS, 0),
    ("auto_refund_recent", 2, 2 * DAY_MS + HOUR_MS, 0),
    ("auto_return", 3, 9 * DAY_MS, 0),
    ("auto_receipt", 2, 12 * DAY_MS, 0),
    ("cancelled", 9, 2 * DAY_MS, 0),
    ("fast", 11, HOUR_MS, 0),
    ("rejected_closed", 6, 5 * DAY_MS, 0),
    ("exchange_done", 3, 9 * DAY_MS, 0),
    ("resend_done", 2, 2 * DAY_MS, 0),
    ("repair_done", 1, 12 * DAY_MS, 0),
    ("dispute_refunded", 2, 8 * DAY_MS, 0),
)


def _seed_history(b: _Builder, rng: random.Random, now: int) -> None:
    for scenario, count, span, _ in _HISTORY:
        for _ in range(count):
            if scenario == "auto_refund_recent":  # auto-approved within the last 7 days
                submit = now - rng.randint(2 * DAY_MS + 3 * HOUR_MS, 6 * DAY_MS)
            else:
                submit = now - rng.randint(span + 3 * HOUR_MS, 89 * DAY_MS)
            _play(b, rng, scenario, submit)


def _play(b: _Builder, rng: random.Random, scenario: str, submit: int) -> None:
    def after(lo_h: float, hi_h: float, base: int = submit) -> int:
        return base + rng.randint(int(lo_h * HOUR_MS), int(hi_h * HOUR_MS))

    if scenario == "agreed":
        r = b.new(S.REFUND_ONLY, submit, urge=rng.choice((0, 0, 0, 1)))
        b.agree_refund(r, after(0.2, 40))
    elif scenario == "return_done":
        r = b.new(S.RETURN_REFUND, submit, freight=rng.random() < 0.3)
        agreed = after(0.5, 30)
        shipped = after(12, 72, agreed)
        b.agree_return(r, agreed, shipped)
        b.fire(r)
        b.confirm(r, after(6, 96, shipped))
    elif scenario in ("auto_refund", "auto_refund_recent"):
        r = b.new(S.REFUND_ONLY, submit, urge=rng.choice((0, 1, 2)))
        b.fire(r)
    elif scenario == "auto_return":
        r = b.new(S.RETURN_REFUND, submit)
        b.fire(r)  # the system agrees the return
        b.ship_at(r, after(12, 72, r["updateTime"]))
        b.fire(r)  # the buyer ships
        b.confirm(r, after(2, 60, r["updateTime"]))
    elif scenario == "auto_receipt":
        r = b.new(S.RETURN_REFUND, submit)
        agreed = after(1, 20)
        b.agree_return(r, agreed, after(12, 48, agreed))
        b.fire(r)  # the buyer ships
        b.fire(r)  # nobody confirms: the system does, 7 days later
    elif scenario == "cancelled":
        r = b.new(rng.choice((S.REFUND_ONLY, S.RETURN_REFUND)), submit)
        at = after(0.3, 30)
        b.shop.comment(r["refundId"], at, S.ROLE_BUYER, "买家撤销售后申请")
        b.shop._cancelled.add(r["refundId"])
        b.shop._close(r, at)
    elif scenario == "fast":
        r = b.new(S.REFUND_ONLY, submit)
        r["receiptStatus"] = 1
        at = submit + rng.randint(5_000, 90_000)
        b.shop.comment(r["refundId"], at, S.ROLE_SYSTEM, "极速退款：系统自动同意并退款")
        b.shop._refunded(r, at)
    elif scenario == "rejected_closed":
        r = b.new(S.REFUND_ONLY, submit)
        b.reject(r, after(1, 30))
        b.fire(r)  # the buyer lets the deadline pass
    elif scenario in ("exchange_done", "repair_done"):
        r = b.new(S.EXCHANGE if scenario == "exchange_done" else S.REPAIR, submit)
        agreed = after(1, 30)
        shipped = after(12, 72, agreed)
        b.agree_return(r, agreed, shipped)
        b.fire(r)
        b.confirm(r, after(6, 96, shipped))
    elif scenario == "resend_done":
        r = b.new(S.RESEND, submit)
        at = after(1, 30)
        b.shop.comment(r["refundId"], at, S.ROLE_SELLER, "商家同意补寄")
        b.shop._refunded(r, at)
    elif scenario == "dispute_refunded":
        r = b.new(S.REFUND_ONLY, submit)
        b.reject(r, after(2, 30))
        involved = after(2, 48, r["updateTime"])
        r.update(status=S.ST_DISPUTE, expireTime=0)
        b.shop.comment(r["refundId"], involved, S.ROLE_BUYER, "买家申请平台介入")
        b.shop._touch(r, involved)
        decided = after(24, 96, involved)
        b.shop.comment(r["refundId"], decided, S.ROLE_PLATFORM, "平台判定支持买家，退款成功")
        b.shop._refunded(r, decided)
    else:  # pragma: no cover - the table above is the only caller
        raise ValueError(scenario)


def seed_bulk(shop: Shop, rng: random.Random, n: int, now: int, days: int = 90) -> list[int]:
    """Add ``n`` refunds spread over the last ``days`` days (mostly finished); returns their ids.

    Built directly in their final state and indexed once at the end, so 10,000 take well under a
    second.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    oldest = now - days * DAY_MS + HOUR_MS
    ids: list[int] = []
    with shop.lock:
        for _ in range(n):
            rid = shop.new_refund_id()
            submit = rng.randint(oldest, now - MINUTE_MS)
            product_index = rng.randrange(len(PRODUCTS))
            sku_nick, price = PRODUCTS[product_index]
            way = S.REFUND_ONLY if rng.random() < 0.6 else S.RETURN_REFUND
            reason_code, reason = REASONS[way][rng.randrange(len(REASONS[way]))]
            expire = submit + REVIEW_WINDOW_MS
            item_id = 6_200_000_000 + product_index * 7919
            roll = rng.random()
            comments = [_entry(submit, S.ROLE_BUYER, f"买家发起{S.KIND_NAMES[way]}申请，原因：{reason}")]
            if expire > now and roll < 0.5:  # still waiting for the merchant
                status, neg, end, updated = S.ST_WAIT_SELLER, S.NEG_WAITING, 0, submit
            elif roll < 0.12:
                updated = end = submit + rng.randint(1, 30) * HOUR_MS
                status, neg = S.ST_CLOSED, S.NEG_WAITING
                comments.append(_entry(end, S.ROLE_BUYER, "买家撤销售后申请"))
            elif roll < 0.17:
                updated = end = expire
                status, neg = S.ST_SUCCEEDED, S.NEG_AGREED
                comments.append(_entry(end, S.ROLE_SYSTEM, "商家超时未处理，系统自动同意退款"))
            else:
                updated = end = submit + rng.randint(10, 40 * 60) * MINUTE_MS
                status, neg = S.ST_SUCCEEDED, S.NEG_AGREED
                comments.append(_entry(end, S.ROLE_SELLER, "商家同意退款"))
            if end > now:
                updated = end = now - 1
            refund = {
                "refundId": rid,
                "oid": 2_300_000_000_000_000 + rid % 10**14,
                "handlingWay": way,
                "negotiateStatus": neg,
                "status": status,
                "refundType": 1,
                "refundFee": price,
                "refundReason": reason_code,
                "refundReasonDesc": reason,
                "refundDesc": "",
                "skuId": item_id * 10 + 1,
                "skuNick": sku_nick,
                "itemId": item_id,
                "relItemId": item_id,
                "relSkuId": item_id * 10 + 1,
                "sellerId": shop.seller_id,
                "submitTime": submit,
                "createTime": submit,
                "updateTime": updated,
                "negotiateUpdateTime": updated,
                "endTime": end,
                "receiptStatus": 2,
                "logisticsId": 0,
                "expireTime": expire,
                "urgeTimes": 0,
                "requireReturnFreight": False,
                "productNum": 1,
            }
            shop.add(refund, comments, cancelled=status == S.ST_CLOSED, index=False)
            ids.append(rid)
        shop.reindex()
    return ids


def add_refund(shop: Shop, rng: random.Random, now: int, fields: dict[str, Any]) -> dict[str, Any]:
    """One refund from ``fields`` (camelCase) plus defaults: a refund-only request due in 48 h.

    ``expireTime=None`` leaves the field out, as the API sometimes does.
    """
    unknown = [k for k in fields if not isinstance(k, str) or not k[:1].islower()]
    if unknown:
        raise ValueError(f"use the API's camelCase field names, not {unknown}")
    with shop.lock:
        rid = int(fields.get("refundId") or shop.new_refund_id())
        created = int(fields.get("createTime") or fields.get("submitTime") or now)
        way = int(fields.get("handlingWay") or S.REFUND_ONLY)
        sku_nick, price = PRODUCTS[rid % len(PRODUCTS)]
        item_id = 6_200_000_000 + (rid % len(PRODUCTS)) * 7919
        refund: dict[str, Any] = {
            "refundId": rid,
            "oid": 2_300_000_000_000_000 + rid % 10**14,
            "handlingWay": way,
            "negotiateStatus": S.NEG_WAITING,
            "status": S.ST_WAIT_SELLER,
            "refundType": 1,
            "refundFee": 0 if way in (S.EXCHANGE, S.RESEND, S.REPAIR) else price,
            "refundReason": REASONS[way][0][0] if way in REASONS else 0,
            "refundReasonDesc": REASONS[way][0][1] if way in REASONS else "",
            "refundDesc": "",
            "skuId": item_id * 10 + 1,
            "skuNick": sku_nick,
            "itemId": item_id,
            "relItemId": item_id,
            "relSkuId": item_id * 10 + 1,
            "sellerId": shop.seller_id,
            "submitTime": created,
            "createTime": created,
            "updateTime": created,
            "negotiateUpdateTime": created,
            "endTime": 0,
            "receiptStatus": 1,
            "logisticsId": 0,
            "expireTime": created + REVIEW_WINDOW_MS,
            "urgeTimes": 0,
            "requireReturnFreight": "returnFreightInfo" in fields,
            "buyerOpenId": f"f{rng.getrandbits(120):030x}",
            "productNum": 1,
            "negotiateReason": "",
            "specialRefundType": 0,
        }
        refund.update(fields)
        refund["refundId"] = rid
        if refund.get("expireTime") is None:
            refund.pop("expireTime", None)
        kind = S.KIND_NAMES.get(way, "售后")
        comments = [_entry(created, S.ROLE_BUYER, f"买家发起{kind}申请，原因：{refund['refundReasonDesc']}")]
        return shop.add(refund, comments)
