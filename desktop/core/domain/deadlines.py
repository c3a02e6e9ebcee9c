"""Stages, deadlines and urgency of after-sale requests (rules doc §2, API spec §5 and §7).

Every function takes any object with the attribute names of
:class:`desktop.core.kuaishou.models.Refund` (see :class:`RefundLike`); attributes a caller's object
lacks (the store's rows have no detail-only fields) read as ``None``.

Times: the platform's timestamps are on the server's clock. :func:`deadline_of` returns deadlines on
the *local* clock, corrected by the offset measured at sync (``server_offset_ms`` = server − local), so
that ``expire_at_ms - now_ms`` with the local ``now_ms`` is the true time left.

Stage detection accepts both documented ``status`` versions (A and B); a value that fits neither
yields :attr:`Stage.NEEDS_REVIEW`, never an exception.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Literal, Protocol

from desktop.core.domain.rules import Rules

Kind = Literal["refund_only", "return_refund", "exchange", "resend", "repair", "unknown"]
ClockOwner = Literal["merchant", "buyer", "platform", "none"]
DeadlineSource = Literal["platform", "rule", "none"]
Urgency = Literal["overdue", "critical", "urgent", "warn", "info"]

URGENCIES: tuple[str, ...] = ("overdue", "critical", "urgent", "warn", "info")

_KIND_BY_HANDLING_WAY: dict[int, Kind] = {
    10: "refund_only",
    1: "return_refund",
    3: "exchange",
    4: "resend",
    5: "repair",
}

# negotiateStatus (spec §5)
_NEG_WAITING = 1
_NEG_AGREED = 2
_NEG_REJECTED = 3

#: an epoch-ms value below this is not a timestamp (1 Jan 2001): used to tell a time from a duration
_PLAUSIBLE_EPOCH_MS = 978_307_200_000


class RefundLike(Protocol):
    """The attributes the domain reads (a :class:`~desktop.core.kuaishou.models.Refund` has them all)."""

    # read-only: a frozen record (Refund, StoredRefund) has them as read-only attributes
    @property
    def refund_id(self) -> int: ...

    @property
    def handling_way(self) -> int | None: ...

    @property
    def negotiate_status(self) -> int | None: ...

    @property
    def status(self) -> int | None: ...

    @property
    def submit_time(self) -> int | None: ...

    @property
    def update_time(self) -> int | None: ...

    @property
    def negotiate_update_time(self) -> int | None: ...

    @property
    def end_time(self) -> int | None: ...

    @property
    def expire_time(self) -> int | None: ...


class Stage(enum.StrEnum):
    """Where a request stands, keyed as in the rules doc §2.

    Two stages the doc's table does not name are added so that documented statuses never end in
    "needs review": ``buyer_receipt`` (status 45, the merchant shipped an exchange/resend, the buyer's
    turn) and ``refund_executing`` (status 50, or agreed and not yet moved on: the platform's turn).
    Fast refunds (极速退款) are recognised only afterwards, by :mod:`desktop.core.domain.classify`.
    """

    REVIEW_REFUND_ONLY = "review_refund_only"
    REVIEW_RETURN = "review_return"
    REVIEW_EXCHANGE = "review_exchange"
    REVIEW_RESEND = "review_resend"
    REVIEW_REPAIR = "review_repair"
    CONFIRM_RECEIPT = "confirm_receipt"
    REJECT_INTERCEPT = "reject_intercept"
    BUYER_RETURN = "buyer_return"
    BUYER_MODIFY = "buyer_modify"
    BUYER_RECEIPT = "buyer_receipt"
    REFUND_EXECUTING = "refund_executing"
    DISPUTE = "dispute"
    CLOSED = "closed"
    NEEDS_REVIEW = "needs_review"


REVIEW_STAGES: frozenset[Stage] = frozenset(
    {
        Stage.REVIEW_REFUND_ONLY,
        Stage.REVIEW_RETURN,
        Stage.REVIEW_EXCHANGE,
        Stage.REVIEW_RESEND,
        Stage.REVIEW_REPAIR,
    }
)
#: stages whose deadline runs against the merchant (the system decides for them when it passes)
MERCHANT_STAGES: frozenset[Stage] = REVIEW_STAGES | {Stage.CONFIRM_RECEIPT, Stage.REJECT_INTERCEPT}

_REVIEW_BY_HANDLING_WAY: dict[int, Stage] = {
    10: Stage.REVIEW_REFUND_ONLY,
    1: Stage.REVIEW_RETURN,
    3: Stage.REVIEW_EXCHANGE,
    4: Stage.REVIEW_RESEND,
    5: Stage.REVIEW_REPAIR,
}

_CLOCK_OWNER: dict[Stage, ClockOwner] = {
    **dict.fromkeys(MERCHANT_STAGES, "merchant"),
    Stage.BUYER_RETURN: "buyer",
    Stage.BUYER_MODIFY: "buyer",
    Stage.BUYER_RECEIPT: "buyer",
    Stage.REFUND_EXECUTING: "platform",
    Stage.DISPUTE: "platform",
    Stage.CLOSED: "none",
    # unknown state: shown to the merchant to look at, on the safe side
    Stage.NEEDS_REVIEW: "merchant",
}


@dataclass(frozen=True, slots=True)
class Deadline:
    """A request's current deadline, on the local clock.

    ``expire_at_ms`` is ``None`` when the stage has no clock (dispute, closed…) or none is known;
    ``source`` is then ``"none"``. ``estimated`` is true when the deadline comes from the rules file's
    stage limit instead of the platform's ``expireTime``.
    """

    expire_at_ms: int | None
    source: DeadlineSource
    stage: Stage
    clock_owner: ClockOwner
    estimated: bool = False

    def seconds_left(self, now_ms: int) -> int | None:
        return seconds_left(self, now_ms)


# --------------------------------------------------------------------------------- functions
def _attr(obj: object, name: str) -> int | None:
    value = getattr(obj, name, None)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _positive(value: int | None) -> int | None:
    return value if value is not None and value > 0 else None


def kind_of(refund: RefundLike) -> Kind:
    """What the buyer asked for, from ``handlingWay`` (status 11 of version A means a return)."""
    hw = _attr(refund, "handling_way")
    if hw is not None:
        return _KIND_BY_HANDLING_WAY.get(hw, "unknown")
    return "return_refund" if _attr(refund, "status") == 11 else "unknown"


def stage_for(status: int | None, negotiate_status: int | None, handling_way: int | None) -> Stage:
    """The stage of a request in this state (see :func:`stage_of`)."""
    if status in (60, 70):
        return Stage.CLOSED
    if status == 50:
        return Stage.REFUND_EXECUTING
    if status is not None and 20 <= status <= 23:
        return Stage.DISPUTE
    if status == 12 or (negotiate_status == _NEG_REJECTED and status in (None, 10, 11)):
        return Stage.BUYER_MODIFY
    if status == 45:
        return Stage.BUYER_RECEIPT
    if status in (30, 40):
        # a refund-only request with goods coming back is the "refund after parcel refusal" flow
        # (拒收后退款): the API has no flag for it, this is the only sign
        if handling_way == 10:
            return Stage.REJECT_INTERCEPT
        return Stage.CONFIRM_RECEIPT if status == 40 else Stage.BUYER_RETURN
    if status in (10, 11):
        if negotiate_status == _NEG_AGREED:
            # agreed, the platform has not moved it on yet
            return Stage.BUYER_RETURN if handling_way == 1 or status == 11 else Stage.REFUND_EXECUTING
        if negotiate_status in (None, 0, _NEG_WAITING):
            if handling_way is None:
                return Stage.REVIEW_RETURN if status == 11 else Stage.NEEDS_REVIEW
            return _REVIEW_BY_HANDLING_WAY.get(handling_way, Stage.NEEDS_REVIEW)
    return Stage.NEEDS_REVIEW


def stage_of(refund: RefundLike) -> Stage:
    """The stage of ``refund`` (rules doc §2). Unknown combinations give :attr:`Stage.NEEDS_REVIEW`."""
    return stage_for(
        _attr(refund, "status"), _attr(refund, "negotiate_status"), _attr(refund, "handling_way")
    )


def waits_on_merchant(refund: RefundLike) -> bool:
    """Whether the request belongs in the merchant's queue (the rest is the buyer/platform view).

    A request in an unknown state is put in the queue (to be looked at) unless it has finished.
    """
    stage = stage_of(refund)
    if stage is Stage.NEEDS_REVIEW:
        return _positive(_attr(refund, "end_time")) is None
    return stage in MERCHANT_STAGES


def to_local_ms(server_ms: int, server_offset_ms: int) -> int:
    """A platform timestamp on the local clock, given the measured offset (server − local)."""
    return server_ms - server_offset_ms


def clock_start_of(refund: RefundLike, stage: Stage) -> int | None:
    """When the stage's clock started, on the server's clock, as far as the refund's fields tell.

    Review: the submission or the buyer's last modification (``negotiateUpdateTime`` while waiting on
    the merchant is that modification). Stages entered by the merchant's action (agreeing a return,
    agreeing a refusal refund): ``negotiateUpdateTime``. Confirm receipt: no field records when the
    buyer uploaded the tracking number, the last update is the best estimate.
    """
    submit = _positive(_attr(refund, "submit_time")) or _positive(_attr(refund, "create_time"))
    negotiated = _positive(_attr(refund, "negotiate_update_time"))
    updated = _positive(_attr(refund, "update_time"))
    if stage in REVIEW_STAGES:
        candidates = [t for t in (submit, negotiated) if t is not None]
        return max(candidates) if candidates else updated
    if stage in (Stage.REJECT_INTERCEPT, Stage.BUYER_RETURN):
        return negotiated or updated
    if stage is Stage.CONFIRM_RECEIPT:
        return updated or negotiated
    return None


def _buyer_deadline(refund: RefundLike) -> int | None:
    """The buyer's deadline after a rejection (detail fields, spec §7)."""
    stamp = _positive(_attr(refund, "buyer_modify_deadline"))
    if stamp is not None:
        return stamp
    limit = _positive(_attr(refund, "time_limit_negotiate_change"))
    # documented only as "a buyer-side window": use it when it is clearly a timestamp
    return limit if limit is not None and limit >= _PLAUSIBLE_EPOCH_MS else None


def deadline_of(refund: RefundLike, rules: Rules, *, server_offset_ms: int = 0) -> Deadline:
    """The current deadline of ``refund`` on the local clock.

    The platform's ``expireTime`` wins whenever it is set (> 0) on a stage with a clock; otherwise the
    rules file's stage limit from the clock start, flagged ``estimated``; the buyer's modification
    window comes from the detail's buyer-side fields.
    """
    stage = stage_of(refund)
    owner = _CLOCK_OWNER[stage]
    if stage in (Stage.CLOSED, Stage.DISPUTE, Stage.REFUND_EXECUTING):
        return Deadline(None, "none", stage, owner)
    if stage is Stage.BUYER_MODIFY:
        stamp = _buyer_deadline(refund)
        if stamp is None:
            return Deadline(None, "none", stage, owner)
        return Deadline(to_local_ms(stamp, server_offset_ms), "platform", stage, owner)
    expire = _positive(_attr(refund, "expire_time"))
    if expire is not None:
        return Deadline(to_local_ms(expire, server_offset_ms), "platform", stage, owner)
    limit = rules.stage_limit(stage.value)
    start = clock_start_of(refund, stage)
    if limit is None or start is None:
        return Deadline(None, "none", stage, owner)
    return Deadline(
        to_local_ms(start + limit.limit_ms, server_offset_ms), "rule", stage, owner, estimated=True
    )


def seconds_left(deadline: Deadline, now_ms: int) -> int | None:
    """Whole seconds until the deadline (negative once past, ``-1`` from the first millisecond after);
    ``None`` without a deadline."""
    if deadline.expire_at_ms is None:
        return None
    return (deadline.expire_at_ms - now_ms) // 1000


def urgency_of(seconds: int | float | None, rules: Rules) -> Urgency:
    """Urgency tier for ``seconds`` left: overdue < 0 ≤ critical ≤ urgent ≤ warn < info (hours from
    ``warnings.urgency``). No deadline is ``info``."""
    if seconds is None:
        return "info"
    if seconds < 0:
        return "overdue"
    tiers = rules.warnings.urgency
    if seconds <= tiers.critical_hours.value * 3600:
        return "critical"
    if seconds <= tiers.urgent_hours.value * 3600:
        return "urgent"
    if seconds <= tiers.warn_hours.value * 3600:
        return "warn"
    return "info"
