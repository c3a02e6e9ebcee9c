"""Rows of the pending-request queue, built off the UI thread from the store's refunds.

A :class:`QueueRow` is a flat, immutable record of what the queue shows for one request: the absolute
deadline (server clock, epoch ms — never "time left", which the view computes when it paints), the
kind/stage keys, money in fen and the texts the search looks at. Building them needs the rules and the
domain functions, so it runs in the background (:func:`build_queue_rows`); the table model only
indexes ready records.

:class:`UrgencyScale` is the rules file's urgency tiers in seconds, with the tier *edges* exposed so the
table can tell when a row will change tier without scanning every row on every tick.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from desktop.core.textsafe import neutralise

#: urgency keys, most urgent first (the domain's ``urgency_of`` returns one of them)
URGENCIES: tuple[str, ...] = ("overdue", "critical", "urgent", "warn", "info")
#: request kinds (``kind_of``)
KINDS: tuple[str, ...] = ("refund_only", "return_refund", "exchange", "resend", "repair", "unknown")
#: whose clock a request is on (``Deadline.clock_owner``); only "merchant" rows go to the main queue
MERCHANT = "merchant"


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One pending request as the queue shows it. Money in fen, times epoch ms (server clock)."""

    refund_id: int
    shop_id: int
    shop_name: str
    order_id: int | None
    kind: str  # one of KINDS
    handling_way: int | None
    stage: str  # the domain's stage key
    status: int | None
    negotiate_status: int | None
    expire_at_ms: int | None  # absolute deadline; None when neither the platform nor a rule gives one
    deadline_source: str  # "platform" | "rule" | "none"
    clock_owner: str  # "merchant" | "buyer" | "platform" | "none"
    refund_fee: int | None  # fen
    reason: str
    product: str
    urge_times: int
    submit_time: int | None
    update_time: int | None
    search_text: str  # casefolded haystack: ids, product, reason, shop

    @property
    def key(self) -> tuple[int, int]:
        """Identity across syncs (a refund id is unique per shop)."""
        return (self.shop_id, self.refund_id)

    @property
    def waits_on_merchant(self) -> bool:
        return self.clock_owner == MERCHANT

    @property
    def estimated(self) -> bool:
        """The deadline comes from the rules file's stage limit, not from the platform's expireTime."""
        return self.deadline_source == "rule"


def search_haystack(*parts: object) -> str:
    """The casefolded text a search term is matched against."""
    return " ".join(str(p) for p in parts if p not in (None, "")).casefold()


@dataclass(frozen=True, slots=True)
class UrgencyScale:
    """Urgency by seconds left: ``< 0`` overdue, ``≤ critical`` critical, ``≤ urgent`` urgent,
    ``≤ warn`` warn, else info (the rules file's ``[warnings.urgency]``)."""

    critical_s: int
    urgent_s: int
    warn_s: int

    def __post_init__(self) -> None:
        if not 0 < self.critical_s <= self.urgent_s <= self.warn_s:
            raise ValueError(
                "urgency tiers must satisfy 0 < critical ≤ urgent ≤ warn, got "
                f"{self.critical_s}, {self.urgent_s}, {self.warn_s} seconds"
            )

    @classmethod
    def from_rules(cls, rules: Any) -> UrgencyScale:
        """From a loaded :class:`~desktop.core.domain.rules.Rules`."""
        tiers = rules.warnings.urgency
        return cls(
            round(tiers.critical_hours.value * 3600),
            round(tiers.urgent_hours.value * 3600),
            round(tiers.warn_hours.value * 3600),
        )

    def of(self, seconds_left: int | None) -> str:
        if seconds_left is None:
            return "info"
        if seconds_left < 0:
            return "overdue"
        if seconds_left <= self.critical_s:
            return "critical"
        if seconds_left <= self.urgent_s:
            return "urgent"
        if seconds_left <= self.warn_s:
            return "warn"
        return "info"

    def thresholds(self) -> dict[str, int]:
        """The upper bound (seconds left, inclusive) of each tier below "info"."""
        return {"critical": self.critical_s, "urgent": self.urgent_s, "warn": self.warn_s}

    def next_change_ms(self, sorted_deadlines_ms: Sequence[int], now_ms: int) -> int | None:
        """The first moment after ``now_ms`` at which any of these deadlines changes tier.

        A row's tier changes when its whole seconds left (``floor((deadline - now) / 1000)``) drop
        below a bound ``v`` — 0 for overdue, ``tier + 1`` for the inclusive tiers — that is at
        ``now = deadline - v * 1000 + 1``. ``sorted_deadlines_ms`` must be ascending. O(tiers · log n).
        """
        best: int | None = None
        for bound_s in (0, self.critical_s + 1, self.urgent_s + 1, self.warn_s + 1):
            shift = bound_s * 1000 - 1
            i = bisect.bisect_right(sorted_deadlines_ms, now_ms + shift)
            if i < len(sorted_deadlines_ms):
                at = sorted_deadlines_ms[i] - shift
                if best is None or at < best:
                    best = at
        return best


# ----------------------------------------------------------------------------------- building
class _RefundLike(Protocol):
    refund_id: int
    order_id: int | None
    handling_way: int | None
    negotiate_status: int | None
    status: int | None
    refund_fee: int | None
    refund_reason_desc: str | None
    refund_desc: str | None
    sku_nick: str | None
    urge_times: int | None
    submit_time: int | None
    update_time: int | None


class _DeadlineLike(Protocol):
    expire_at_ms: int | None
    source: str
    stage: Any
    clock_owner: str


def _stage_key(stage: Any) -> str:
    """A stage key from the domain's ``Stage`` (an enum, a str enum or a plain key)."""
    if isinstance(stage, str):
        return str(stage.value) if hasattr(stage, "value") else stage
    value = getattr(stage, "value", None)
    if isinstance(value, str):
        return value
    key = getattr(stage, "key", None)
    if isinstance(key, str):
        return key
    name = getattr(stage, "name", None)
    return name.lower() if isinstance(name, str) else str(stage)


def make_row(
    refund: _RefundLike,
    deadline: _DeadlineLike,
    kind: str,
    *,
    shop_id: int = 0,
    shop_name: str = "",
) -> QueueRow:
    """One :class:`QueueRow` from a refund (a ``Refund`` or ``StoredRefund``) and its deadline."""
    # platform texts shown everywhere (table, detail, alerts, export): no bidi tricks or controls
    reason = neutralise(refund.refund_reason_desc)
    product = neutralise(refund.sku_nick)
    shop_name = neutralise(shop_name)
    expire = deadline.expire_at_ms
    return QueueRow(
        refund_id=refund.refund_id,
        shop_id=shop_id,
        shop_name=shop_name,
        order_id=refund.order_id,
        kind=kind if kind in KINDS else "unknown",
        handling_way=refund.handling_way,
        stage=_stage_key(deadline.stage),
        status=refund.status,
        negotiate_status=refund.negotiate_status,
        expire_at_ms=int(expire) if expire else None,
        deadline_source=deadline.source if expire else "none",
        clock_owner=deadline.clock_owner or "none",
        refund_fee=refund.refund_fee,
        reason=reason,
        product=product,
        urge_times=refund.urge_times or 0,
        submit_time=refund.submit_time,
        update_time=refund.update_time,
        search_text=search_haystack(
            refund.refund_id, refund.order_id, product, reason, refund.refund_desc, shop_name
        ),
    )


def build_queue_rows(
    refunds: Iterable[_RefundLike],
    rules: Any,
    *,
    shop_names: Mapping[int, str] | None = None,
    deadline_fn: Callable[..., _DeadlineLike] | None = None,
    kind_fn: Callable[[Any], str] | None = None,
) -> list[QueueRow]:
    """Queue rows for ``refunds`` (pure; run it in the background).

    ``refunds`` are open requests from the store (``StoredRefund``, which carries ``shop_id``) or
    ``Refund`` records (shop 0). Deadlines come from the domain's ``deadline_of`` (or ``deadline_fn``)
    and are kept on the **platform's clock** (offset 0): the table model applies the measured server
    clock offset when it computes time left, so a new offset needs no rebuild.
    """
    if deadline_fn is None or kind_fn is None:
        from desktop.core.domain import deadlines as domain

        deadline_fn = deadline_fn or domain.deadline_of
        kind_fn = kind_fn or domain.kind_of
    names = shop_names or {}
    rows: list[QueueRow] = []
    for refund in refunds:
        shop_id = getattr(refund, "shop_id", 0) or 0
        deadline = deadline_fn(refund, rules, server_offset_ms=0)
        if deadline.clock_owner == "none":
            continue  # closed: not a pending request
        kind = kind_fn(refund)
        rows.append(
            make_row(
                refund,
                deadline,
                str(getattr(kind, "value", kind)),
                shop_id=shop_id,
                shop_name=names.get(shop_id, ""),
            )
        )
    return rows


def rows_from_store(store: Any, rules: Any) -> list[QueueRow]:
    """Every open request of every shop in ``store`` as queue rows (disk I/O: background only)."""
    names = {shop.id: shop.label for shop in store.shops.all()}
    return build_queue_rows(store.refunds.all(open_only=True), rules, shop_names=names)


# ------------------------------------------------------------------------------------ detail
@dataclass(frozen=True, slots=True)
class RefundDetail:
    """Everything the detail pane shows about one request (loaded in the background)."""

    row: QueueRow
    refund: Any  # StoredRefund / Refund: the list fields
    detail: Mapping[str, Any]  # the last raw detail (or list item) as the API sent it; {} if none
    observations: tuple[Any, ...]  # store Observation records, oldest first
    comments: tuple[Mapping[str, Any], ...]  # negotiation history, oldest first
    stage_basis: str | None = None  # "sourced" | "assumed": the rules file's basis of the stage limit
    stage_limit_hours: float | None = None

    @property
    def pictures(self) -> tuple[str, ...]:
        """The buyer's picture addresses, whatever encoding the platform used (declared as text: a
        JSON array, JSON-array text, comma-separated text…); whether one may be opened is for the
        viewer to decide."""
        from desktop.core.kuaishou.models import text_list

        raw = self.detail.get("pictures") if isinstance(self.detail, Mapping) else None
        return text_list(raw) or tuple(getattr(self.refund, "pictures", None) or ())

    @property
    def return_freight_fen(self) -> int | None:
        """The buyer's return-freight claim (fen), when the detail carries a readable one."""
        from desktop.core.kuaishou.errors import ParseError
        from desktop.core.kuaishou.models import Refund, parse

        raw = self.detail.get("returnFreightInfo") if isinstance(self.detail, Mapping) else None
        if raw is None:
            return None
        try:
            info = parse(Refund, {"refundId": 0, "returnFreightInfo": raw}).return_freight_info
        except ParseError:
            return None
        return info.return_freight_amount if info is not None else None


def load_detail(store: Any, row: QueueRow, rules: Any = None) -> RefundDetail:
    """The detail of ``row`` from the store (disk I/O: background only)."""
    refund = store.refunds.get(row.shop_id, row.refund_id)
    list_raw, detail_raw = store.refunds.raw(row.shop_id, row.refund_id)
    limit = rules.stage_limit(row.stage) if rules is not None else None
    return RefundDetail(
        row=row,
        refund=refund,
        detail=detail_raw or list_raw or {},
        observations=tuple(store.history.observations(row.shop_id, row.refund_id)),
        comments=tuple(store.history.comments(row.shop_id, row.refund_id)),
        stage_basis=limit.basis if limit is not None else None,
        stage_limit_hours=limit.limit_hours if limit is not None else None,
    )
