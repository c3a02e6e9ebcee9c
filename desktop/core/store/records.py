"""Rows of the store as typed, read-only records.

:class:`StoredRefund` carries the attribute names of :class:`desktop.core.kuaishou.models.Refund`
for every list field, so the domain functions (``stage_of``, ``deadline_of``…) accept it as they
accept a ``Refund``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

#: journal states, in the order an entry moves through them
JOURNAL_STATES = ("planned", "sent", "done", "failed", "unknown")
#: states that still need attention (not finished)
JOURNAL_OPEN_STATES = ("planned", "sent", "unknown")


@dataclass(frozen=True, slots=True)
class Shop:
    id: int
    seller_id: int | None
    name: str
    display_name: str | None
    app_key: str
    sign_method: str
    base_url: str
    auth_mode: str  # "oauth" | "token"
    token_expires_at: int | None
    refresh_expires_at: int | None
    last_sync_at: int | None  # the last sync attempt that finished (ok or not)
    last_success_at: int | None  # the last sync that completed without error
    first_sweep_done: bool
    sweep_begin_ms: int | None  # first sweep: window range and the next window to fetch
    sweep_end_ms: int | None
    sweep_next_ms: int | None
    incremental_from_ms: int | None  # next incremental sync starts here (server time, ms)
    server_clock_offset_ms: int | None
    last_error: str | None
    last_error_at: int | None
    created_at: int

    @property
    def label(self) -> str:
        """The name to show: the user's display name, else the shop's name, else the seller id."""
        return self.display_name or self.name or (str(self.seller_id) if self.seller_id else "")


@dataclass(frozen=True, slots=True)
class StoredRefund:
    shop_id: int
    refund_id: int
    order_id: int | None
    handling_way: int | None
    negotiate_status: int | None
    status: int | None
    refund_type: int | None
    refund_fee: int | None
    refund_reason: int | str | None
    refund_reason_desc: str | None
    refund_desc: str | None
    sku_id: int | None
    sku_nick: str | None
    item_id: int | None
    rel_item_id: int | None
    rel_sku_id: int | None
    seller_id: int | None
    submit_time: int | None
    create_time: int | None
    update_time: int | None
    negotiate_update_time: int | None
    end_time: int | None
    receipt_status: int | None
    logistics_id: int | None
    expire_time: int | None
    urge_times: int | None
    require_return_freight: bool | None
    special_refund_type: int | None
    buyer_modify_deadline: int | None
    time_limit_negotiate_change: int | None
    # bookkeeping
    merchant_turn: bool
    first_seen_at: int
    last_seen_at: int
    closed_at: int | None
    last_pending_seen_at: int | None  # the last time the app saw it waiting on the merchant
    last_pending_expire_time: int | None  # its expireTime at that moment
    detail_fetched_at: int | None
    comments_fetched_at: int | None
    # classification of a closed request (desktop.core.domain.classify)
    outcome: str | None
    certainty: str | None
    decided_by: str | None
    overdue_at: int | None
    deadline_at: int | None
    decided_at: int | None
    first_action_at: int | None
    classified_at: int | None


REFUND_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(StoredRefund))
SHOP_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Shop))


@dataclass(frozen=True, slots=True)
class Observation:
    id: int
    shop_id: int
    refund_id: int
    status: int | None
    negotiate_status: int | None
    handling_way: int | None
    expire_time: int | None
    update_time: int | None
    seen_at: int


@dataclass(frozen=True, slots=True)
class JournalEntry:
    id: int
    shop_id: int
    refund_id: int
    kind: str
    params: dict[str, Any]
    state: str
    batch: str | None
    result: object
    error: str | None
    created_at: int
    updated_at: int


@dataclass(frozen=True, slots=True)
class ScoreSnapshot:
    shop_id: int
    fetched_at: int
    has_data: bool | None
    show_name: str | None
    score_str: str | None
    dimensions: tuple[tuple[str | None, str | None], ...]  # (dimName, dimScoreStr)


@dataclass(frozen=True, slots=True)
class AutoStep:
    """A merchant step the platform agreed on the merchant's behalf after its deadline (a row of
    ``auto_approvals``); ``at``: when it counts (the deadline, else the agreement time)."""

    at: int
    certainty: str  # "certain" | "likely"
    decided_by: str
    stage: str | None = None
    deadline_at: int | None = None
    decided_at: int | None = None


@dataclass(frozen=True, slots=True)
class StoredAutoStep:
    """A row of ``auto_approvals`` as read back."""

    shop_id: int
    refund_id: int
    at: int
    stage: str | None
    deadline_at: int | None
    decided_at: int | None
    handling_way: int | None
    certainty: str
    decided_by: str
    recorded_at: int


@dataclass(frozen=True, slots=True)
class Decision:
    """How a request ended — or, still open, how far it is decided — as stored (see
    :mod:`desktop.core.store.schema`). ``steps``: its auto-approved merchant steps, which replace
    the ones stored; ``None`` derives them from the decision itself (one step for an
    ``auto_approved_overdue`` outcome, at ``overdue_at`` / ``deadline_at`` / ``decided_at``)."""

    refund_id: int
    outcome: str
    decided_by: str
    certainty: str | None = None
    deadline_at: int | None = None
    overdue_at: int | None = None
    decided_at: int | None = None
    first_action_at: int | None = None
    steps: tuple[AutoStep, ...] | None = None

    def auto_steps(self) -> tuple[AutoStep, ...]:
        """The auto-approved steps to store for this decision (see the class docstring)."""
        if self.steps is not None:
            return self.steps
        if self.outcome != "auto_approved_overdue":
            return ()
        at = next((t for t in (self.overdue_at, self.deadline_at, self.decided_at) if t is not None), None)
        if at is None:
            return ()
        return (
            AutoStep(
                at, self.certainty or "likely", self.decided_by, None, self.deadline_at, self.decided_at
            ),
        )


@dataclass(frozen=True, slots=True)
class UpsertStats:
    """What one batch of refunds did to the store."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    #: refunds that went from open to closed in this batch (candidates for classification)
    closed: tuple[int, ...] = ()

    def __add__(self, other: UpsertStats) -> UpsertStats:
        return UpsertStats(
            self.new + other.new,
            self.changed + other.changed,
            self.unchanged + other.unchanged,
            self.closed + other.closed,
        )


@dataclass(slots=True)
class RoleSeen:
    """One negotiation-history ``role`` value found in the cached histories (its meaning is
    undocumented by the platform): how often, on how many requests, when last, sample titles."""

    role: int | str | None
    entries: int
    requests: int
    last_at: int | None  # the latest entry's createTime (platform clock, epoch ms)
    titles: list[str]
