"""The engine's journal and the reconciliation of sends whose delivery is uncertain.

:class:`Reconciler` is the base of :class:`~desktop.core.actions.engine.ActionEngine`: it owns the
client, the store's journal and the pace, writes and marks journal entries, and settles ``sent`` /
``unknown`` entries by reading their refunds (the life of an action and why nothing uncertain is
ever resent: :mod:`desktop.core.actions.engine`). Planning and sending are the engine's.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from desktop.core.actions import planner
from desktop.core.actions.model import (
    ActionKind,
    ItemResult,
    Outcome,
    Plan,
    PlannedAction,
    ProgressCallback,
    RefundState,
)
from desktop.core.actions.throttle import DEFAULT_QPS, Cancelled, Throttle, as_predicate
from desktop.core.i18n import tr
from desktop.core.kuaishou.errors import (
    AuthError,
    KuaishouError,
    QuotaExceeded,
    RateLimited,
    SignatureError,
)
from desktop.core.kuaishou.models import Address, Refund, RejectReason

if TYPE_CHECKING:
    from desktop.core.store import Store

log = logging.getLogger(__name__)

T = TypeVar("T")


class ActionClient(Protocol):
    """The calls the engine makes (a :class:`~desktop.core.kuaishou.client.KuaishouClient`)."""

    def call(self, method: str, params: Mapping[str, Any] | None = None) -> Any: ...
    def refund_detail(self, refund_id: int) -> Refund: ...
    def reject_reasons(self, refund_id: int) -> list[RejectReason]: ...
    def list_addresses(self, address_type: int = 2) -> list[Address]: ...


#: how many times one send is retried after "Exceed qps limit" answers before it is reported failed
MAX_RATE_LIMIT_RETRIES = 8
#: how long after a send with uncertain delivery the refund is first read (seconds)
DEFAULT_SETTLE_S = 10.0
#: how long after such a send the refund is read again while it shows the action neither applied
#: nor impossible, before the seller is asked to decide (seconds)
DEFAULT_PATIENCE_S = 60.0
#: the longest pause between two reads of an undecided refund (seconds)
MAX_READ_INTERVAL_S = 10.0
#: journal ``result.outcome`` values, per final journal state
_JOURNAL_STATE = {
    Outcome.DONE: "done",
    Outcome.FAILED: "failed",
    Outcome.CHANGED: "failed",
    Outcome.NOT_APPLIED: "failed",
    Outcome.CANCELLED: "failed",
    Outcome.UNKNOWN: "unknown",
}


class _Stop(Exception):
    """The run must stop (quota spent, authorisation lost, the journal cannot be written).

    ``result``: the final result of the item that revealed it, when that item was finished.
    """

    def __init__(self, reason: str, result: ItemResult | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.result = result


@dataclass(frozen=True, slots=True)
class _Entry:
    """A journal entry as the engine needs it."""

    id: int
    refund_id: int
    kind: ActionKind
    param: Mapping[str, Any]
    before: RefundState
    state: str
    updated_at: int
    #: when the request was sent (epoch ms), for the settle time and the evidence
    sent_at: int = 0
    error: str | None = None


@dataclass(slots=True)
class _Pending:
    """An uncertain send being settled by reading its refund."""

    entry_id: int
    refund_id: int
    kind: ActionKind
    before: RefundState
    sent_at: int  # epoch ms
    error: str | None
    next_at: float  # epoch s of the next read
    interval: float
    position: int | None = None  # in the run's results (None: reconciling an earlier run)
    reads: int = 0
    last_read_at: int | None = None
    last_state: RefundState | None = None
    read_error: str | None = None


def _now_ms(clock: Callable[[], float]) -> int:
    return int(clock() * 1000)


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, KuaishouError):
        return exc.message
    return str(exc) or type(exc).__name__


class _Cancelled(Exception):
    """A paced wait was cut short by cancellation (internal)."""


def local_time_text(ms: int) -> str:
    """A journal time as the seller's local clock time (evidence texts)."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ms / 1000))


class Reconciler:
    """The journal of one shop's actions and the settling of its uncertain sends (see module doc).

    ``client``: a :class:`~desktop.core.kuaishou.client.KuaishouClient` (or any
    :class:`ActionClient`); ``store``: the :class:`~desktop.core.store.Store` holding the journal;
    ``shop_id``: the store's shop row.
    """

    def __init__(
        self,
        client: ActionClient,
        store: Store,
        *,
        shop_id: int,
        qps: float = DEFAULT_QPS,
        settle_s: float = DEFAULT_SETTLE_S,
        patience_s: float = DEFAULT_PATIENCE_S,
        clock: Callable[[], float] = time.time,
        throttle: Throttle | None = None,
    ) -> None:
        if settle_s < 0:
            raise ValueError(f"settle_s must not be negative, got {settle_s!r}")
        if patience_s < 0:
            raise ValueError(f"patience_s must not be negative, got {patience_s!r}")
        self.client = client
        self.store = store
        self.shop_id = shop_id
        self.settle_s = float(settle_s)
        self.patience_s = max(float(patience_s), self.settle_s)
        self.throttle = throttle or Throttle(qps)
        self._clock = clock
        # one run at a time per engine (the journal's order of events relies on it)
        self._run_lock = threading.Lock()
        # journal entry id -> when it was sent (epoch ms) / why its answer was unclear
        self._sent_at: dict[int, int] = {}
        # journal entry id -> (the action sent once more after a re-read, its own entry id)
        self._resent: dict[int, tuple[PlannedAction, int]] = {}
        # the plan being executed (a re-read refund is planned again from its intent)
        self._plan: Plan | None = None
        self._batch: str | None = None
        self._send_errors: dict[int, str] = {}

    # ----------------------------------------------------------------------------- journal
    def _journal_plan(
        self, actions: Sequence[PlannedAction], batch: str, origin: Mapping[str, Any] | None = None
    ) -> list[int]:
        """Write the whole plan as ``planned`` entries in one committed transaction.

        ``origin``: who asked for the actions, kept with each entry (e.g. the guard and the policy
        that allowed it); ``None`` for the user's own bulk actions."""
        extra = {"origin": dict(origin)} if origin else {}
        with self.store.transaction(durable=True):
            return [
                self.store.journal.plan(
                    self.shop_id,
                    a.refund_id,
                    a.kind.value,
                    {"method": a.method, "param": dict(a.params), "before": a.before.to_json(), **extra},
                    batch=batch,
                )
                for a in actions
            ]

    def _journal_mark(
        self,
        entry_id: int,
        state: str,
        *,
        result: Mapping[str, Any] | None = None,
        error: str | None = None,
    ) -> None:
        self.store.journal.mark(entry_id, state, result=result, error=error)

    def _open_entries(self, refund_ids: Iterable[int] | None = None) -> list[_Entry]:
        wanted = set(refund_ids) if refund_ids is not None else None
        out = []
        for e in self.store.journal.open_entries(self.shop_id):
            if wanted is not None and e.refund_id not in wanted:
                continue
            params = e.params or {}
            try:
                kind = ActionKind(e.kind)
            except ValueError:
                log.error("journal entry %s has an unknown kind %r", e.id, e.kind)
                continue
            result = e.result if isinstance(e.result, Mapping) else {}
            sent_at = result.get("sentAt") if e.state == "unknown" else None
            if not isinstance(sent_at, int) or isinstance(sent_at, bool) or sent_at <= 0:
                sent_at = e.updated_at  # "sent": marked right before the request
            error = e.error or (result.get("sendError") if isinstance(result.get("sendError"), str) else None)
            out.append(
                _Entry(
                    e.id,
                    e.refund_id,
                    kind,
                    params.get("param") or {},
                    RefundState.from_json(params.get("before")),
                    e.state,
                    e.updated_at,
                    sent_at,
                    error,
                )
            )
        return out

    def _finish(
        self,
        entry_id: int,
        refund_id: int,
        kind: ActionKind,
        outcome: Outcome,
        message: str,
        *,
        after: RefundState | None = None,
        error: str | None = None,
        reconciled: bool = False,
    ) -> ItemResult:
        result: dict[str, Any] = {"outcome": outcome.value, "message": message}
        if after is not None:
            result["after"] = after.to_json()
        self._journal_mark(entry_id, _JOURNAL_STATE[outcome], result=result, error=error)
        return ItemResult(refund_id, outcome, message, kind, after, entry_id, reconciled)

    # ------------------------------------------------------------------------ reconciling
    def reconcile(
        self,
        refund_ids: Iterable[int] | None = None,
        *,
        cancelled: Cancelled | threading.Event | None = None,
        progress: ProgressCallback | None = None,
    ) -> list[ItemResult]:
        """Settle the journal entries an interrupted run left open (all, or those of ``refund_ids``).

        ``planned`` entries were never sent: reported as not sent. ``sent``/``unknown`` entries are
        settled by reading their refunds (see the module notes); those still undecided stay
        ``unknown`` and are reported with the evidence, for the seller to decide.
        """
        is_cancelled = as_predicate(cancelled)
        entries = self._open_entries(refund_ids)
        results: list[ItemResult] = []
        pending: list[_Pending] = []
        total = len(entries)

        def report(result: ItemResult) -> None:
            results.append(result)
            if progress:
                progress(result, len(results), total)

        for entry in entries:
            if entry.state == "planned":
                if is_cancelled():
                    break
                report(
                    self._finish(
                        entry.id,
                        entry.refund_id,
                        entry.kind,
                        Outcome.CANCELLED,
                        tr("Not sent: the run was interrupted before this request."),
                        reconciled=True,
                    )
                )
            else:
                pending.append(
                    self._pending(
                        entry.id, entry.refund_id, entry.kind, entry.before, entry.sent_at, entry.error
                    )
                )
        if pending and not is_cancelled():
            self._settle(pending, is_cancelled, lambda _p, result: report(result), reconciled=True)
        return results

    def _pending(
        self,
        entry_id: int,
        refund_id: int,
        kind: ActionKind,
        before: RefundState,
        sent_at: int,
        error: str | None,
        position: int | None = None,
    ) -> _Pending:
        first = sent_at / 1000 + self.settle_s
        return _Pending(
            entry_id, refund_id, kind, before, sent_at, error, first, max(0.2, self.settle_s / 2), position
        )

    def _settle(
        self,
        pending: list[_Pending],
        is_cancelled: Cancelled,
        report: Callable[[_Pending, ItemResult], None],
        *,
        reconciled: bool,
    ) -> None:
        """Read the refunds of uncertain sends until each shows the action applied or impossible,
        or its patience is spent (then it is reported undecided, with the evidence).

        Returns early when cancelled: what is not decided stays ``unknown`` in the journal and is
        read again next time (the caller's provisional results stand).
        """
        waiting = sorted(pending, key=lambda p: p.next_at)
        while waiting:
            item = min(waiting, key=lambda p: p.next_at)
            wait = item.next_at - self._clock()
            if wait > 0 and not self.throttle.pause(wait, is_cancelled):
                return
            try:
                result = self._read_once(item, is_cancelled, reconciled=reconciled)
            except _Cancelled:
                return
            if result is None:  # still undecided, patience left: read again later
                item.next_at = self._clock() + item.interval
                item.interval = min(item.interval * 2, MAX_READ_INTERVAL_S)
                deadline = item.sent_at / 1000 + self.patience_s
                if item.next_at > deadline:
                    item.next_at = deadline
                continue
            waiting.remove(item)
            report(item, result)

    def _read_once(self, item: _Pending, is_cancelled: Cancelled, *, reconciled: bool) -> ItemResult | None:
        """One read of an uncertain send's refund: its final result, or ``None`` to read again."""
        fatal = False
        try:
            now = self._read(item.refund_id, is_cancelled)
        except (AuthError, QuotaExceeded, SignatureError) as exc:  # no read will work for now
            now, fatal = None, True
            item.read_error = _error_text(exc)
        except KuaishouError as exc:
            now = None
            item.read_error = _error_text(exc)
        item.reads += 1
        item.last_read_at = _now_ms(self._clock)
        if now is not None:
            item.read_error = None
            after = RefundState.of(now)
            item.last_state = after
            if planner.took_effect(item.kind, item.before, now):
                return self._finish(
                    item.entry_id,
                    item.refund_id,
                    item.kind,
                    Outcome.DONE,
                    tr("Done (confirmed by reading the refund): {state}.", state=planner.describe_state(now)),
                    after=after,
                    reconciled=reconciled,
                )
            if not planner.unchanged(item.before, now):
                return self._finish(
                    item.entry_id,
                    item.refund_id,
                    item.kind,
                    Outcome.CHANGED,
                    tr(
                        "Not applied: the refund moved on meanwhile, so this request "
                        "can no longer apply; now: {state}.",
                        state=planner.describe_state(now),
                    ),
                    after=after,
                    error=item.error,
                    reconciled=reconciled,
                )
            state_text = planner.describe_state(now)
        else:
            state_text = None
        if not fatal and self._clock() < item.sent_at / 1000 + self.patience_s:
            return None
        return self._undecided(item, state_text, reconciled=reconciled)

    def _undecided(self, item: _Pending, state_text: str | None, *, reconciled: bool) -> ItemResult:
        """Hand an uncertain send to the seller: the entry stays ``unknown``, with the evidence."""
        sent = local_time_text(item.sent_at)
        last = local_time_text(item.last_read_at) if item.last_read_at else "—"
        why = item.error or tr("no answer")
        if state_text is not None:
            seen = tr(
                "the refund still shows {state} (read {reads} times, last at {last})",
                state=state_text,
                reads=item.reads,
                last=last,
            )
        else:
            seen = tr(
                "the refund could not be read ({error}; {reads} tries, last at {last})",
                error=item.read_error or "—",
                reads=item.reads,
                last=last,
            )
        message = tr(
            "Undecided: the request sent at {sent} got no clear answer ({why}); {seen}. The platform "
            "may still carry it out, so it is not sent again. Check the request in the seller "
            "backend; if it was not applied there, choose to act on it again.",
            sent=sent,
            why=why,
            seen=seen,
        )
        evidence: dict[str, Any] = {
            "sentAt": item.sent_at,
            "reads": item.reads,
            "lastReadAt": item.last_read_at,
        }
        if item.error:
            evidence["sendError"] = item.error
        if item.read_error:
            evidence["readError"] = item.read_error
        result: dict[str, Any] = {
            "outcome": Outcome.UNKNOWN.value,
            "message": message,
            "sentAt": item.sent_at,
            "evidence": evidence,
        }
        if item.last_state is not None:
            result["after"] = item.last_state.to_json()
        self._journal_mark(item.entry_id, "unknown", result=result, error=item.error)
        return ItemResult(
            item.refund_id, Outcome.UNKNOWN, message, item.kind, item.last_state, item.entry_id, reconciled
        )

    def release_uncertain(self, refund_ids: Iterable[int]) -> list[ItemResult]:
        """The seller's decision, after checking the seller backend: the undecided earlier actions
        on ``refund_ids`` did not apply, so these refunds may be acted on again.

        Their journal entries end ``failed`` (``not_applied``, decided by the seller); nothing is
        sent here. Entries never sent (``planned``) are left to :meth:`reconcile`.
        """
        wanted = set(refund_ids)
        out = []
        for entry in self.store.journal.open_entries(self.shop_id):
            if entry.refund_id not in wanted or entry.state not in ("sent", "unknown"):
                continue
            try:
                kind = ActionKind(entry.kind)
            except ValueError:
                continue
            message = tr(
                "Marked not applied by the seller after checking the seller backend; "
                "the request may be acted on again."
            )
            result = {"outcome": Outcome.NOT_APPLIED.value, "message": message, "decidedBy": "seller"}
            if isinstance(entry.result, Mapping) and "evidence" in entry.result:
                result["evidence"] = entry.result["evidence"]
            self._journal_mark(entry.id, "failed", result=result, error=entry.error)
            log.info("journal entry %s of refund %s released by the seller", entry.id, entry.refund_id)
            out.append(
                ItemResult(
                    entry.refund_id, Outcome.NOT_APPLIED, message, kind, journal_id=entry.id, reconciled=True
                )
            )
        return out

    def _paced(self, call: Callable[[], T], is_cancelled: Cancelled) -> T:
        """``call()`` at the engine's pace; "Exceed qps limit" answers backed off and retried."""
        attempt = 0
        while True:
            if not self.throttle.wait(is_cancelled):
                raise _Cancelled()
            try:
                return call()
            except RateLimited:
                if attempt >= MAX_RATE_LIMIT_RETRIES:
                    raise
                if not self.throttle.backoff(attempt, is_cancelled):
                    raise _Cancelled() from None
                attempt += 1

    def _read(self, refund_id: int, is_cancelled: Cancelled) -> Refund:
        """A fresh detail of the refund (paced)."""
        return self._paced(lambda: self.client.refund_detail(refund_id), is_cancelled)
