"""Synthetic queue rows for the queue widget tests, the screenshot harness and the benchmark."""

from __future__ import annotations

import random

from desktop.core.queue_rows import KINDS, QueueRow, search_haystack

HOUR_MS = 3_600_000

PRODUCTS = (
    "纯棉短袖T恤 白色 L码",
    "不锈钢保温杯 500ml",
    "儿童防滑运动鞋 33码",
    "真丝枕套 两只装",
    "无线蓝牙耳机 降噪版",
    "手工红糖姜茶 10袋",
    "加厚珊瑚绒毛毯 1.5米",
)
REASONS = ("七天无理由", "尺码不合适", "商品破损", "与描述不符", "发错货", "不想要了", "质量问题")
STAGE_OF_KIND = {
    "refund_only": "review_refund_only",
    "return_refund": "review_return",
    "exchange": "review_exchange",
    "resend": "review_resend",
    "repair": "review_repair",
    "unknown": "unknown",
}


def make_row(
    refund_id: int,
    *,
    expire_at_ms: int | None,
    kind: str = "refund_only",
    stage: str | None = None,
    shop_id: int = 1,
    shop_name: str = "晨光小铺",
    refund_fee: int | None = 1990,
    reason: str = "七天无理由",
    product: str = "纯棉短袖T恤 白色 L码",
    order_id: int | None = None,
    status: int | None = 10,
    clock_owner: str = "merchant",
    deadline_source: str = "platform",
    urge_times: int = 0,
) -> QueueRow:
    order_id = order_id if order_id is not None else refund_id + 7_000_000
    return QueueRow(
        refund_id=refund_id,
        shop_id=shop_id,
        shop_name=shop_name,
        order_id=order_id,
        kind=kind,
        handling_way={"refund_only": 10, "return_refund": 1, "exchange": 3, "resend": 4, "repair": 5}.get(
            kind
        ),
        stage=stage or STAGE_OF_KIND[kind],
        status=status,
        negotiate_status=1,
        expire_at_ms=expire_at_ms,
        deadline_source=deadline_source if expire_at_ms is not None else "none",
        clock_owner=clock_owner,
        refund_fee=refund_fee,
        reason=reason,
        product=product,
        urge_times=urge_times,
        submit_time=None if expire_at_ms is None else expire_at_ms - 48 * HOUR_MS,
        update_time=None if expire_at_ms is None else expire_at_ms - 47 * HOUR_MS,
        search_text=search_haystack(refund_id, order_id, product, reason, shop_name),
    )


def random_rows(n: int, now_ms: int, *, seed: int = 7, shops: int = 2) -> list[QueueRow]:
    """``n`` merchant-clock rows with deadlines from 3 h ago to 3 days ahead."""
    rnd = random.Random(seed)
    names = ("晨光小铺", "山野茶舍", "织梦家纺")
    rows = []
    for i in range(n):
        kind = rnd.choice(KINDS[:5])
        shop = 1 + i % shops
        rows.append(
            make_row(
                2_100_000_000_000_000 + i,
                expire_at_ms=now_ms + rnd.randint(-3 * HOUR_MS, 72 * HOUR_MS)
                if rnd.random() > 0.01
                else None,
                kind=kind,
                shop_id=shop,
                shop_name=names[(shop - 1) % len(names)],
                refund_fee=rnd.randint(100, 99_900),
                reason=rnd.choice(REASONS),
                product=rnd.choice(PRODUCTS),
                urge_times=rnd.choice((0, 0, 0, 1, 2)),
                deadline_source="platform" if rnd.random() > 0.1 else "rule",
            )
        )
    return rows
