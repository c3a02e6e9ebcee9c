"""The vocabulary of the action engine: intents, planned actions, skips, per-item results.

Everything here is plain data (frozen dataclasses) so it can cross threads and be shown by the UI,
printed by the CLI and written to the journal without conversion surprises. Money is integer fen,
times epoch milliseconds, ids ``int``.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from desktop.core.i18n import tr

if TYPE_CHECKING:
    from desktop.core.kuaishou.models import Address, Refund, RejectReason


class RefundVersion(Protocol):
    """What tells whether an action landed: a fresh read, a stored refund or a queue row has it."""

    @property
    def status(self) -> int | None: ...
    @property
    def negotiate_status(self) -> int | None: ...
    @property
    def update_time(self) -> int | None: ...


class ListedRefund(Protocol):
    """A refund as the user saw it in a list (a queue row, a stored refund, a list item)."""

    @property
    def refund_id(self) -> int: ...
    @property
    def update_time(self) -> int | None: ...


class ActionKind(enum.StrEnum):
    """What is sent for one refund (one API call each; the platform has no batch API)."""

    APPROVE_REFUND = "approve_refund"  # refund-only: agree and refund the money
    APPROVE_RETURN = "approve_return"  # return-and-refund / exchange: agree the return
    CONFIRM_RECEIPT = "confirm_receipt"  # the returned goods arrived: confirm and refund
    REJECT = "reject"  # reject the application (or the receipt)


#: the API method behind each kind (spec §4)
METHOD_OF: Mapping[ActionKind, str] = {
    ActionKind.APPROVE_REFUND: "open.seller.order.refund.approve",
    ActionKind.APPROVE_RETURN: "open.seller.order.refund.returngoods.approve",
    ActionKind.CONFIRM_RECEIPT: "open.seller.order.refund.confirm.receipt",
    ActionKind.REJECT: "open.refund.reject",
}

#: the most pictures the platform accepts on a rejection (spec §4)
MAX_IMAGES = 6
#: the longest freight-rejection description the platform accepts (characters, exclusive)
MAX_FREIGHT_REJECT_DESC = 300


@dataclass(frozen=True, slots=True)
class Approve:
    """Agree every selected request at the step it is at.

    ``address_id``: the return address for return approvals (``None``: the shop's default return
    address, resolved from ``open.address.seller.list`` when the plan is made).
    ``confirm_unreturned``: also confirm receipt of returns whose goods have not been sent back yet
    (status 22/30); off by default because it refunds without the goods.
    ``freight_accept``: on receipt confirmation of a refund carrying a return-freight claim, accept it
    (pay the claim's ``returnFreightAmount``; a claim without an amount is left to the seller
    backend) or refuse it, which needs both ``freight_reject_desc`` (under 300 characters) and
    ``freight_reject_images`` (1–6 picture URLs). :func:`freight_refusal_problem` says what is
    missing.
    """

    address_id: int | None = None
    confirm_unreturned: bool = False
    freight_accept: bool = True
    freight_reject_desc: str | None = None
    freight_reject_images: tuple[str, ...] = ()

    name = "approve"


def freight_refusal_problem(desc: str | None, images: Iterable[str]) -> str | None:
    """Why a return-freight refusal with ``desc`` and ``images`` cannot be sent, or ``None``."""
    images = [i for i in images if i and i.strip()]
    desc = (desc or "").strip()
    if not desc and not images:
        return tr("Refusing the return freight needs a description and 1 to {n} pictures.", n=MAX_IMAGES)
    if not desc:
        return tr("Refusing the return freight needs a description.")
    if len(desc) >= MAX_FREIGHT_REJECT_DESC:
        return tr(
            "The freight rejection description must be shorter than {n} characters.",
            n=MAX_FREIGHT_REJECT_DESC,
        )
    if not images:
        return tr("Refusing the return freight needs 1 to {n} pictures as evidence.", n=MAX_IMAGES)
    if len(images) > MAX_IMAGES:
        return tr("At most {n} pictures can be sent.", n=MAX_IMAGES)
    return None


@dataclass(frozen=True, slots=True)
class Reject:
    """Reject every selected request with one reason (which must be allowed for each refund)."""

    reason_code: int
    desc: str | None = None
    images: tuple[str, ...] = ()

    name = "reject"


Intent = Approve | Reject


@dataclass(frozen=True, slots=True)
class RefundState:
    """The part of a refund that tells whether an action landed (kept in the journal)."""

    status: int | None
    negotiate_status: int | None
    update_time: int | None

    @classmethod
    def of(cls, refund: RefundVersion) -> RefundState:
        return cls(refund.status, refund.negotiate_status, refund.update_time)

    def to_json(self) -> dict[str, int | None]:
        return {
            "status": self.status,
            "negotiateStatus": self.negotiate_status,
            "updateTime": self.update_time,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> RefundState:
        data = data or {}
        return cls(data.get("status"), data.get("negotiateStatus"), data.get("updateTime"))


class WarningCode(enum.StrEnum):
    """Things the user must see before a bulk action is sent."""

    SHIPPED_REFUND_ONLY = "shipped_refund_only"  # money goes back and the goods stay with the buyer
    CHANGED_SINCE_LOADED = "changed_since_loaded"  # the buyer changed the request since the list
    UNRETURNED = "unreturned"  # confirming receipt before the goods came back
    FREIGHT_PAID = "freight_paid"  # the return freight is paid on top of the refund
    FREIGHT_REJECTED = "freight_rejected"  # the buyer's freight claim is rejected


@dataclass(frozen=True, slots=True)
class PlannedAction:
    """One call to send: ``params`` are the business parameters exactly as they go on the wire."""

    refund_id: int
    kind: ActionKind
    params: Mapping[str, Any]
    #: the refund as it was when the plan was made (reconciliation compares against it)
    before: RefundState
    #: money this action pays out (refund plus accepted freight; 0 for rejections)
    amount: int = 0
    warnings: tuple[WarningCode, ...] = ()
    handling_way: int | None = None

    @property
    def method(self) -> str:
        return METHOD_OF[self.kind]


@dataclass(frozen=True, slots=True)
class Skip:
    """A refund the engine will not act on, with the reason (already translated)."""

    refund_id: int
    reason: str
    #: True when the user can still handle it by hand in the seller backend (e.g. pictures needed)
    manual: bool = False
    state: RefundState | None = None


class Outcome(enum.StrEnum):
    """The result of one item, as reported to the user."""

    DONE = "done"  # the platform accepted the action
    FAILED = "failed"  # the platform refused it (message says why); nothing changed
    CHANGED = "changed"  # the refund moved under us; its new state is reported, nothing re-sent
    NOT_APPLIED = "not_applied"  # delivery was uncertain; the refund shows it did not land
    UNKNOWN = "unknown"  # delivery uncertain and the refund could not be read yet
    CANCELLED = "cancelled"  # not sent: the user cancelled, or the run stopped before it
    SKIPPED = "skipped"  # never planned (see the reason)

    @property
    def ok(self) -> bool:
        return self is Outcome.DONE

    @property
    def retryable(self) -> bool:
        """The user may ask to try these again ("retry the failed")."""
        return self in (Outcome.FAILED, Outcome.CHANGED, Outcome.NOT_APPLIED, Outcome.CANCELLED)


@dataclass(frozen=True, slots=True)
class ItemResult:
    refund_id: int
    outcome: Outcome
    message: str = ""
    kind: ActionKind | None = None
    #: the refund's state after the action (when it was read), else ``None``
    after: RefundState | None = None
    journal_id: int | None = None
    #: True when this result comes from reconciling an earlier, interrupted run
    reconciled: bool = False

    def to_json(self) -> dict[str, Any]:
        """The result as one JSON object (ids as strings, per the house rules)."""
        out: dict[str, Any] = {
            "refundId": str(self.refund_id),
            "outcome": self.outcome.value,
            "action": self.kind.value if self.kind else None,
            "message": self.message,
        }
        if self.after is not None:
            out["after"] = self.after.to_json()
        if self.journal_id is not None:
            out["journalId"] = str(self.journal_id)
        if self.reconciled:
            out["reconciled"] = True
        return out


@dataclass(frozen=True, slots=True)
class Plan:
    """What a bulk action will do, for the preview; :meth:`ActionEngine.execute` sends it.

    Besides the actions and skips, a plan keeps what it was made from (the fresh reads, the refunds
    as listed, the reject reasons, the return addresses), so the preview can plan again with other
    options (:func:`desktop.core.actions.planner.replan`) without reading anything again.
    """

    intent: Intent
    actions: tuple[PlannedAction, ...]
    skipped: tuple[Skip, ...]
    #: results of earlier interrupted actions reconciled while preparing (reported once)
    reconciled: tuple[ItemResult, ...] = ()
    address_id: int | None = None
    #: the refund ids in the order the user selected them
    order: tuple[int, ...] = ()
    #: refund id -> the fresh detail the plan was made from
    refunds: Mapping[int, Refund] = field(default_factory=dict, compare=False, repr=False)
    #: refund id -> the refund as the user saw it in the list
    listed: Mapping[int, ListedRefund] = field(default_factory=dict, compare=False, repr=False)
    #: refund id -> its allowed reject reasons (``None``: unreadable)
    reasons: Mapping[int, Sequence[RejectReason] | None] = field(
        default_factory=dict, compare=False, repr=False
    )
    #: the shop's return addresses (for the preview's choice)
    addresses: tuple[Address, ...] = field(default=(), compare=False, repr=False)
    #: skips decided before planning (unreadable refunds, unresolved earlier actions)
    read_skips: tuple[Skip, ...] = field(default=(), compare=False, repr=False)

    def count(self, kind: ActionKind) -> int:
        return sum(1 for a in self.actions if a.kind is kind)

    @property
    def counts(self) -> dict[ActionKind, int]:
        return {k: self.count(k) for k in ActionKind if self.count(k)}

    @property
    def total_amount(self) -> int:
        return sum(a.amount for a in self.actions)

    @property
    def warning_counts(self) -> dict[WarningCode, int]:
        out: dict[WarningCode, int] = {}
        for a in self.actions:
            for w in a.warnings:
                out[w] = out.get(w, 0) + 1
        return out

    @property
    def manual(self) -> tuple[Skip, ...]:
        """Refunds to handle one by one in the seller backend."""
        return tuple(s for s in self.skipped if s.manual)

    def without(self, refund_ids: Iterable[int]) -> Plan:
        """The same plan minus some refunds (the user unticked them in the preview)."""
        drop = set(refund_ids)
        return dataclasses.replace(self, actions=tuple(a for a in self.actions if a.refund_id not in drop))


@dataclass(frozen=True, slots=True)
class BatchReport:
    """Everything one run produced, in the order of the plan (skips and reconciled first)."""

    results: tuple[ItemResult, ...]
    batch: str | None = None
    #: why the run stopped early (quota spent, authorisation lost…), else ``None``
    stopped: str | None = None

    @property
    def retryable_ids(self) -> list[int]:
        return [r.refund_id for r in self.results if r.outcome.retryable and not r.reconciled]


class ProgressCallback(Protocol):
    def __call__(self, result: ItemResult, finished: int, total: int) -> None: ...
