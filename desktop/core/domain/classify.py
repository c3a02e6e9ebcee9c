"""What became of a request: was it auto-approved because the merchant let its deadline pass?
(rules doc §3)

:func:`classify` looks at everything known about one request — the app's observations of it (oldest
first), its latest record, optionally the platform's negotiation history and the times the app itself
acted on it — and returns a :class:`Classification`: the outcome, which rule decided it and, for an
auto-approval, its certainty and how late it was.

The rules, strongest first:

``observed`` (certain)
    The app saw the request waiting on the merchant with deadline T, then saw it move on to an agreed
    state, with proof that this happened at or after T (it was still seen waiting at/after T, or the
    change's ``updateTime`` is ≥ T), and the app did not act on it in between.
``history_system`` (likely)
    The negotiation history shows an agreement made by the system (see :func:`is_system_agreement`:
    its title, its timing against the deadline, and only then its role, whose numeric values are
    undocumented), so this is "likely", not "certain".
``heuristic_times`` (likely)
    Agreed or refunded with ``negotiateUpdateTime`` (``endTime`` for a return, whose last step is the
    receipt) ≥ the recorded ``expireTime``. A shop that first syncs after the fact only has this.
``status``
    Outcomes read from the statuses seen (dispute, buyer cancellation, rejection then close…).

A request is classified while still open too: once it has left a merchant step past the deadline (a
return the system agreed at review now waits for the buyer's parcel) it is auto-approved already.
:attr:`Classification.steps` lists every merchant step found auto-approved — the unit M1 counts — so
a return agreed by the system at review and later confirmed by it at receipt has two.

All times here are on the platform's clock; pass ``server_offset_ms`` (server − local) so the app's
own ``seen_at`` times (local clock) can be compared with the platform's deadlines.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple, Protocol

from desktop.core.domain.deadlines import (
    MERCHANT_STAGES,
    REVIEW_STAGES,
    Kind,
    RefundLike,
    Stage,
    kind_of,
    stage_for,
)
from desktop.core.domain.rules import Rules

Certainty = Literal["certain", "likely"]

RULE_OBSERVED = "observed"
RULE_HISTORY_SYSTEM = "history_system"
RULE_HEURISTIC_TIMES = "heuristic_times"
RULE_STATUS = "status"
#: nothing tells whether it was in time (no deadline or no decision time recorded)
RULE_NO_EVIDENCE = "no_evidence"


class Outcome(enum.StrEnum):
    AUTO_APPROVED_OVERDUE = "auto_approved_overdue"
    HANDLED_IN_TIME = "handled_in_time"
    BUYER_CANCELLED = "buyer_cancelled"
    FAST_REFUND = "fast_refund"
    DISPUTE = "dispute"
    #: closed after the merchant rejected it (or after an agreement whose refund failed)
    REJECTED_CLOSED = "rejected_closed"
    #: still open and nothing decisive has happened yet
    PENDING = "pending"
    UNKNOWN = "unknown"


#: outcomes in the overdue rate's denominator: requests the merchant could act on and that are over
#: (fast refunds, buyer cancellations before any merchant action, disputes and unknowns excluded)
ACTIONABLE_OUTCOMES: frozenset[Outcome] = frozenset(
    {Outcome.AUTO_APPROVED_OVERDUE, Outcome.HANDLED_IN_TIME, Outcome.REJECTED_CLOSED}
)


class SnapshotLike(Protocol):
    """One observation of a request (the store's observation rows have these names)."""

    @property
    def status(self) -> int | None: ...
    @property
    def negotiate_status(self) -> int | None: ...
    @property
    def expire_time(self) -> int | None: ...
    @property
    def update_time(self) -> int | None: ...
    @property
    def seen_at(self) -> int: ...  # local clock, epoch ms


class CommentLike(Protocol):
    """One negotiation-history entry (:class:`~desktop.core.kuaishou.models.NegotiationComment`)."""

    @property
    def title(self) -> str | None: ...
    @property
    def role(self) -> int | str | None: ...
    @property
    def create_time(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class AutoApprovedStep:
    """One merchant step (review, confirm receipt…) that the platform agreed on the merchant's behalf
    because its deadline passed: what the notice punishes, counted once per request and step."""

    stage: Stage | None  # the merchant stage, when known (the times-only rules may not know it)
    deadline_ms: int | None  # the deadline that passed (platform clock)
    decided_at_ms: int | None  # when the platform agreed
    rule: str  # RULE_* that found it
    certainty: Certainty

    @property
    def at_ms(self) -> int | None:
        """When it counts: its deadline, else (no deadline recorded) when it was agreed."""
        return self.deadline_ms if self.deadline_ms is not None else self.decided_at_ms


@dataclass(frozen=True, slots=True)
class Classification:
    outcome: Outcome
    rule: str  # RULE_*
    certainty: Certainty | None = None  # auto-approvals only
    kind: Kind = "unknown"
    #: the merchant stage whose deadline decided (review_…, confirm_receipt, reject_intercept)
    stage: Stage | None = None
    deadline_ms: int | None = None  # that deadline (platform clock)
    decided_at_ms: int | None = None  # when the outcome happened (agreement, close)
    overdue_ms: int | None = None  # decided_at − deadline, auto-approvals only (≥ 0)
    clock_start_ms: int | None = None  # submission
    first_action_ms: int | None = None  # the merchant's first agree/reject, when known
    #: auto-approved steps after the one described above (a return agreed by the system at review
    #: and later confirmed by it at receipt); see :attr:`steps`
    later_steps: tuple[AutoApprovedStep, ...] = ()

    @property
    def steps(self) -> tuple[AutoApprovedStep, ...]:
        """Every merchant step auto-approved after its deadline, oldest first: empty unless the
        outcome is :attr:`Outcome.AUTO_APPROVED_OVERDUE`. A request that is still open (a return
        agreed by the system, now waiting for the buyer's parcel) has them too."""
        if self.outcome is not Outcome.AUTO_APPROVED_OVERDUE or self.certainty is None:
            return ()
        first = AutoApprovedStep(self.stage, self.deadline_ms, self.decided_at_ms, self.rule, self.certainty)
        return (first, *self.later_steps)

    @property
    def actionable(self) -> bool:
        return self.outcome in ACTIONABLE_OUTCOMES

    @property
    def response_ms(self) -> int | None:
        """The merchant's first-action time (M5). An auto-approval counts as its full limit (the
        merchant never acted before the deadline): leaving it out would flatter the slowest shops."""
        if self.clock_start_ms is None:
            return None
        if self.outcome is Outcome.AUTO_APPROVED_OVERDUE and self.deadline_ms is not None:
            return max(0, self.deadline_ms - self.clock_start_ms)
        if self.first_action_ms is not None:
            return max(0, self.first_action_ms - self.clock_start_ms)
        return None


# ----------------------------------------------------------------------------- system roles
_AGREE_WORDS = ("同意", "通过", "退款成功", "自动退款", "agree", "approv")
_NOT_AGREE_WORDS = ("不同意", "拒绝", "驳回", "disagree", "reject")
#: titles that name a timeout/system agreement whatever the role says
_SYSTEM_AGREE_TITLES = (
    "超时自动",
    "逾期自动",
    "系统自动同意",
    "系统同意",
    "auto-approved",
    "automatically approved",
)


def is_system_role(role: int | str | None, rules: Rules) -> bool:
    """``role`` is one of ``classify.system_roles`` (text compared trimmed and case-insensitively;
    a number matches its decimal text, so ``9`` matches ``"9"``)."""
    if role is None or isinstance(role, bool):
        return False
    return str(role).strip().casefold() in rules.classify.system_roles.value


def is_system_agreement(comment: CommentLike, rules: Rules, *, deadline_ms: int | None = None) -> bool:
    """The entry records an agreement made by the system (not by the merchant or the platform staff).

    The platform sends ``role`` as a number whose values are undocumented, so the role is the last
    thing looked at: first the title (a rejection never is one; a title naming a timeout or the
    system always is), then the timing (an agreement at or after the merchant's deadline
    ``deadline_ms`` is the platform's: the merchant cannot agree after the platform already did),
    and only then a role that the rules file's ``system_roles`` names.
    """
    title = (comment.title or "").casefold()
    if any(w in title for w in _NOT_AGREE_WORDS):
        return False
    if any(w in title for w in _SYSTEM_AGREE_TITLES):
        return True
    if not any(w in title for w in _AGREE_WORDS):
        return False
    at = _int(comment.create_time)
    if (
        deadline_ms is not None
        and at is not None
        and at >= deadline_ms
        and not any(w in title for w in _MERCHANT_TITLES)
    ):
        return True
    return is_system_role(comment.role, rules)


#: titles of the merchant's own steps (never the system's, whatever their timing)
_MERCHANT_TITLES = ("商家同意", "商家确认", "卖家同意", "卖家确认", "merchant agreed", "seller agreed")


# ------------------------------------------------------------------------------- classify
def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _progressed(prev: Stage, status: int | None, negotiate_status: int | None) -> bool:
    """The request left the merchant's stage ``prev`` in the direction of an agreement."""
    if prev in REVIEW_STAGES:
        return negotiate_status == 2 or status in (30, 40, 45, 50, 60)
    return status in (50, 60)  # confirm_receipt / reject_intercept: refunded


@dataclass(frozen=True, slots=True)
class _Episode:
    """The request waited on the merchant in ``stage`` with deadline ``deadline`` (platform clock)."""

    stage: Stage
    deadline: int
    first_seen: int  # platform clock
    last_seen: int
    exit_status: int | None  # the first state seen after it (None: still there at the last observation)
    exit_negotiate: int | None
    exit_update: int | None
    exit_seen: int | None


def _episodes(snaps: Sequence[SnapshotLike], handling_way: int | None, offset: int) -> list[_Episode]:
    out: list[_Episode] = []
    i = 0
    while i < len(snaps):
        s = snaps[i]
        stage = stage_for(s.status, s.negotiate_status, handling_way)
        deadline = _int(s.expire_time)
        if stage not in MERCHANT_STAGES or deadline is None:
            i += 1
            continue
        j = i + 1
        while j < len(snaps):
            n = snaps[j]
            if stage_for(n.status, n.negotiate_status, handling_way) is not stage:
                break
            deadline = _int(n.expire_time) or deadline  # the latest deadline (extensions) counts
            j += 1
        last = snaps[j - 1]
        nxt = snaps[j] if j < len(snaps) else None
        out.append(
            _Episode(
                stage=stage,
                deadline=deadline,
                first_seen=s.seen_at + offset,
                last_seen=last.seen_at + offset,
                exit_status=nxt.status if nxt else None,
                exit_negotiate=nxt.negotiate_status if nxt else None,
                exit_update=_int(nxt.update_time) if nxt else None,
                exit_seen=nxt.seen_at + offset if nxt else None,
            )
        )
        i = j
    return out


class ClosedFirstSeen(NamedTuple):
    """What :func:`decide_closed_first_seen` decided about a closed request seen for the first time:
    the fields of the :class:`Classification` it stands for, by the same names (no ``stage``: the
    times alone decided it; no ``later_steps``: a single observation has none).

    A named tuple rather than a frozen dataclass: a first sweep builds thousands of these on the
    writer thread while holding the GIL, and a tuple is the cheapest record Python builds."""

    outcome: Outcome
    rule: str  # RULE_*
    kind: Kind
    #: when the outcome happened (agreement, refund or close), platform clock
    decided_at_ms: int | None
    clock_start_ms: int | None  # submission
    certainty: Certainty | None = None  # auto-approvals only
    deadline_ms: int | None = None  # the deadline recorded on the request (platform clock)
    overdue_ms: int | None = None  # decided_at − deadline, auto-approvals only (≥ 0)
    first_action_ms: int | None = None  # the merchant's agreement or rejection, when known


def decide_closed_first_seen(final: RefundLike, rules: Rules) -> ClosedFirstSeen:
    """:func:`classify` of a closed request the app sees for the first time — its only observation is
    ``final`` itself, the app never acted on it and no history was fetched — without building the
    observation or a :class:`Classification` (the sync stores the fields). Same result as
    ``classify([snapshot of final], final, rules)``: a test holds them together."""
    get = getattr
    status = get(final, "status", None)
    if status not in (60, 70):
        raise ValueError(f"a closed request (status 60 or 70) is expected, not status {status!r}")
    kind = kind_of(final)
    negotiate = get(final, "negotiate_status", None)
    submit = _int(get(final, "submit_time", None)) or _int(get(final, "create_time", None))
    negotiated_at = _int(get(final, "negotiate_update_time", None))
    end_time = _int(get(final, "end_time", None))
    if status == 70:
        closed_at = end_time or _int(get(final, "update_time", None))
        if negotiate == 3 or get(final, "seller_disagree_reason", None) not in (None, "", 0):
            return ClosedFirstSeen(
                Outcome.REJECTED_CLOSED,
                RULE_STATUS,
                kind,
                decided_at_ms=closed_at,
                clock_start_ms=submit,
                first_action_ms=negotiated_at,
            )
        return ClosedFirstSeen(
            Outcome.BUYER_CANCELLED, RULE_STATUS, kind, decided_at_ms=closed_at, clock_start_ms=submit
        )
    deadline = _int(get(final, "expire_time", None))
    acted_at = (end_time or negotiated_at) if kind == "return_refund" else (negotiated_at or end_time)
    if (
        submit is not None
        and acted_at is not None
        and acted_at - submit <= rules.classify.fast_refund_max_seconds.value * 1000
    ):
        return ClosedFirstSeen(
            Outcome.FAST_REFUND, RULE_HEURISTIC_TIMES, kind, decided_at_ms=acted_at, clock_start_ms=submit
        )
    if deadline is None or acted_at is None:
        return ClosedFirstSeen(
            Outcome.UNKNOWN, RULE_NO_EVIDENCE, kind, decided_at_ms=acted_at, clock_start_ms=submit
        )
    if acted_at >= deadline:
        return ClosedFirstSeen(
            Outcome.AUTO_APPROVED_OVERDUE,
            RULE_HEURISTIC_TIMES,
            kind,
            decided_at_ms=acted_at,
            clock_start_ms=submit,
            certainty="likely",
            deadline_ms=deadline,
            overdue_ms=acted_at - deadline,
        )
    return ClosedFirstSeen(
        Outcome.HANDLED_IN_TIME,
        RULE_HEURISTIC_TIMES,
        kind,
        decided_at_ms=acted_at,
        clock_start_ms=submit,
        deadline_ms=deadline,
        first_action_ms=negotiated_at,
    )


def classify(
    history: Iterable[SnapshotLike],
    final: RefundLike,
    rules: Rules,
    *,
    comments: Iterable[CommentLike] | None = None,
    app_actions_ms: Iterable[int] = (),
    server_offset_ms: int = 0,
) -> Classification:
    """Classify one request (see the module docstring for the rules, applied strongest first).

    ``history``: the app's observations of it, any order; ``final``: its latest record;
    ``comments``: its negotiation history when fetched; ``app_actions_ms``: when the app itself agreed
    or rejected it (the action journal, local clock); ``server_offset_ms``: server − local clock.
    """
    snaps = sorted(history, key=lambda s: s.seen_at)
    hw = _int(getattr(final, "handling_way", None))
    kind = kind_of(final)
    status = getattr(final, "status", None)
    negotiate = getattr(final, "negotiate_status", None)
    submit = _int(getattr(final, "submit_time", None)) or _int(getattr(final, "create_time", None))
    negotiated_at = _int(getattr(final, "negotiate_update_time", None))
    end_time = _int(getattr(final, "end_time", None))
    actions = sorted(a + server_offset_ms for a in app_actions_ms)

    final_stage = stage_for(status, negotiate, hw)
    refunded = status in (50, 60) or final_stage is Stage.REFUND_EXECUTING
    merchant_rejected = (
        any(s.negotiate_status == 3 or s.status == 12 for s in snaps)
        or negotiate == 3
        or getattr(final, "seller_disagree_reason", None) not in (None, "", 0)
    )

    # (1) observed by the app; the first auto-approved step decides, every later one is kept too
    episodes = _episodes(snaps, hw, server_offset_ms)
    first_action: int | None = None
    in_time: _Episode | None = None
    found: Classification | None = None
    later: list[AutoApprovedStep] = []
    for ep in episodes:
        if ep.exit_status is None and ep.exit_negotiate is None:
            continue  # still waiting at the last observation
        acted = next((a for a in actions if ep.first_seen <= a <= (ep.exit_seen or a)), None)
        if acted is not None:
            first_action = first_action or acted
            in_time = in_time or ep
            continue
        if not _progressed(ep.stage, ep.exit_status, ep.exit_negotiate):
            if ep.stage in REVIEW_STAGES and ep.exit_update is not None and ep.exit_negotiate == 3:
                first_action = first_action or ep.exit_update  # the merchant rejected it
            continue
        seen_late = ep.last_seen >= ep.deadline
        changed_late = ep.exit_update is not None and ep.exit_update >= ep.deadline
        if seen_late or changed_late:
            decided = ep.exit_update if changed_late and ep.exit_update is not None else ep.deadline
            if found is None:
                found = Classification(
                    Outcome.AUTO_APPROVED_OVERDUE,
                    RULE_OBSERVED,
                    "certain",
                    stage=ep.stage,
                    deadline_ms=ep.deadline,
                    decided_at_ms=decided,
                    overdue_ms=decided - ep.deadline,
                    first_action_ms=first_action,
                    kind=kind,
                    clock_start_ms=submit,
                )
            else:
                later.append(AutoApprovedStep(ep.stage, ep.deadline, decided, RULE_OBSERVED, "certain"))
            continue
        if ep.exit_update is not None:  # moved on before the deadline: the merchant handled it
            first_action = first_action or ep.exit_update
            in_time = in_time or ep
    if found is not None:
        return dataclasses.replace(found, later_steps=tuple(later)) if later else found

    # (dispute) the platform decided
    if final_stage is Stage.DISPUTE or any(
        stage_for(s.status, s.negotiate_status, hw) is Stage.DISPUTE for s in snaps
    ):
        return Classification(
            Outcome.DISPUTE,
            RULE_STATUS,
            decided_at_ms=end_time,
            first_action_ms=first_action,
            kind=kind,
            clock_start_ms=submit,
        )

    recorded_deadline = next((ep.deadline for ep in reversed(episodes)), None) or _int(
        getattr(final, "expire_time", None)
    )
    deadline_stage = episodes[-1].stage if episodes else None
    ever_waited = bool(episodes) or any(
        stage_for(s.status, s.negotiate_status, hw) in MERCHANT_STAGES for s in snaps
    )
    fast_window_ms = rules.classify.fast_refund_max_seconds.value * 1000

    # (2) the negotiation history names the system
    if comments is not None and not actions:
        # (when, entry) of the system's agreements, earliest first
        agreed = sorted(
            (
                (at, c)
                for c in comments
                if is_system_agreement(c, rules, deadline_ms=recorded_deadline)
                and (at := _int(c.create_time)) is not None
            ),
            key=lambda e: e[0],
        )
        if agreed:
            at = agreed[0][0]
            fast = submit is not None and at - submit <= fast_window_ms and not ever_waited
            if fast or (recorded_deadline is not None and at < recorded_deadline):
                # the system agreed before any deadline: agreed on application, never overdue
                return Classification(
                    Outcome.FAST_REFUND,
                    RULE_HISTORY_SYSTEM,
                    decided_at_ms=at,
                    kind=kind,
                    clock_start_ms=submit,
                )
            return Classification(
                Outcome.AUTO_APPROVED_OVERDUE,
                RULE_HISTORY_SYSTEM,
                "likely",
                stage=deadline_stage,
                deadline_ms=recorded_deadline,
                decided_at_ms=at,
                overdue_ms=at - recorded_deadline if recorded_deadline is not None else None,
                first_action_ms=first_action,
                kind=kind,
                clock_start_ms=submit,
            )

    if refunded:
        if in_time is not None:
            return Classification(
                Outcome.HANDLED_IN_TIME,
                RULE_OBSERVED,
                stage=in_time.stage,
                deadline_ms=in_time.deadline,
                decided_at_ms=first_action,
                first_action_ms=first_action,
                kind=kind,
                clock_start_ms=submit,
            )
        # the merchant's decision time: a return's last step is the receipt, recorded only by endTime
        acted_at = (end_time or negotiated_at) if kind == "return_refund" else (negotiated_at or end_time)
        if actions:
            return Classification(
                Outcome.HANDLED_IN_TIME,
                RULE_OBSERVED,
                stage=deadline_stage,
                deadline_ms=recorded_deadline,
                decided_at_ms=actions[0],
                first_action_ms=actions[0],
                kind=kind,
                clock_start_ms=submit,
            )
        # (fast refund) agreed right after submission without ever waiting on the merchant
        if (
            not ever_waited
            and submit is not None
            and acted_at is not None
            and acted_at - submit <= fast_window_ms
        ):
            return Classification(
                Outcome.FAST_REFUND,
                RULE_HEURISTIC_TIMES,
                decided_at_ms=acted_at,
                kind=kind,
                clock_start_ms=submit,
            )
        # (3) heuristic on the recorded times
        if recorded_deadline is None or acted_at is None:
            return Classification(
                Outcome.UNKNOWN, RULE_NO_EVIDENCE, decided_at_ms=acted_at, kind=kind, clock_start_ms=submit
            )
        if acted_at >= recorded_deadline:
            return Classification(
                Outcome.AUTO_APPROVED_OVERDUE,
                RULE_HEURISTIC_TIMES,
                "likely",
                stage=deadline_stage,
                deadline_ms=recorded_deadline,
                decided_at_ms=acted_at,
                overdue_ms=acted_at - recorded_deadline,
                first_action_ms=first_action,
                kind=kind,
                clock_start_ms=submit,
            )
        return Classification(
            Outcome.HANDLED_IN_TIME,
            RULE_HEURISTIC_TIMES,
            stage=deadline_stage,
            deadline_ms=recorded_deadline,
            decided_at_ms=acted_at,
            first_action_ms=first_action or negotiated_at,
            kind=kind,
            clock_start_ms=submit,
        )

    if status == 70:
        closed_at = end_time or _int(getattr(final, "update_time", None))
        if merchant_rejected or in_time is not None or actions:
            return Classification(
                Outcome.REJECTED_CLOSED,
                RULE_STATUS,
                decided_at_ms=closed_at,
                first_action_ms=first_action or (actions[0] if actions else negotiated_at),
                kind=kind,
                clock_start_ms=submit,
            )
        return Classification(
            Outcome.BUYER_CANCELLED, RULE_STATUS, decided_at_ms=closed_at, kind=kind, clock_start_ms=submit
        )

    if final_stage is Stage.NEEDS_REVIEW and status not in (10, 11):
        return Classification(
            Outcome.UNKNOWN, RULE_STATUS, first_action_ms=first_action, kind=kind, clock_start_ms=submit
        )
    return Classification(
        Outcome.PENDING, RULE_STATUS, first_action_ms=first_action, kind=kind, clock_start_ms=submit
    )
