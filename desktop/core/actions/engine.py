"""The bulk action engine: journal first, paced sends, one result per refund, crash-safe.

Life of one action (a row of the store's ``actions`` journal)::

    planned ──► sent ──► done
                  │ └──► failed    (refused; refund changed; not sent; did not land)
                  └────► unknown ──► done | failed    (by reading the refund: reconciliation)

* The whole plan is written (``planned``) in one committed transaction before anything is sent.
* Each entry is marked ``sent`` and committed *before* its HTTP call (SQLite fsyncs the commit).
  A crash therefore leaves every action either ``planned`` (certainly not sent), or ``sent`` /
  ``unknown`` (maybe sent).
* ``sent``/``unknown`` entries are never re-sent, and never judged "not applied" by a timer: a
  slow platform may still be holding the request (one took 13 s) and carry it out later. They are
  *reconciled* by reading the refund — first ``settle_s`` after the send, then again and again
  (further apart each time) until ``patience_s`` after the send — until it shows the action took
  effect (→ ``done``) or that it can no longer apply, because the refund moved on otherwise (→
  ``failed``/``changed``, the new state reported; the request carries the state it was planned
  against, so a late original is refused by the platform). A refund that still shows the very
  version the action was planned against is *undecided*: the entry stays ``unknown`` and the
  seller is shown the evidence (when it was sent, what went wrong, what the refund shows, how often
  and when it was read) and decides — after checking the seller backend — whether to act on it
  again (:meth:`ActionEngine.release_uncertain`, or ``release_uncertain=True`` when preparing).
  Until then the refund is not planned again; every later run reads it again.
* "Exceed qps limit" answers were refused by the gateway: they are retried after a back-off.
  "The refund moved on" answers (300002, 300010, 300013, 300014, 300016, 300017, 300018) are never
  resent blindly: the refund is read again and its new state reported; only when that read shows
  the same action still valid is it sent once more, with the fresh version and amount, under a
  journal entry of its own (at most once). A POST whose delivery is uncertain (connection lost, timeout, garbled answer) becomes
  ``unknown`` and is reconciled at the end of the run.
* Cancellation is honoured before each send (and during every wait); the rest of the plan is
  marked ``failed`` (``cancelled``) and reported.

The engine is Qt-free and blocking: the UI runs it on a worker thread, the CLI directly.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from desktop.core.actions import planner
from desktop.core.actions.model import (
    ActionKind,
    Approve,
    BatchReport,
    Intent,
    ItemResult,
    Outcome,
    Plan,
    PlannedAction,
    ProgressCallback,
    RefundState,
    Reject,
    Skip,
)
from desktop.core.actions.reasons import ReasonsSummary, summarise
from desktop.core.actions.throttle import DEFAULT_QPS, Cancelled, Throttle, as_predicate
from desktop.core.i18n import tr
from desktop.core.kuaishou.errors import (
    ApiError,
    AuthError,
    KuaishouError,
    MalformedResponse,
    ParseError,
    QuotaExceeded,
    RateLimited,
    RefundChanged,
    SignatureError,
    TransportError,
)

log = logging.getLogger(__name__)

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


class ActionEngine:
    """Approve or reject many refunds safely.

    ``client``: a :class:`~desktop.core.kuaishou.client.KuaishouClient` (or anything with ``call``,
    ``refund_detail``, ``list_addresses`` and ``reject_reasons``); ``store``: the
    :class:`~desktop.core.store.Store` holding the journal; ``shop_id``: the store's shop row.
    """

    def __init__(
        self,
        client: Any,
        store: Any,
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

    def _paced(self, call: Callable[[], Any], is_cancelled: Cancelled) -> Any:
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

    def _read(self, refund_id: int, is_cancelled: Cancelled) -> Any:
        """A fresh detail of the refund (paced)."""
        return self._paced(lambda: self.client.refund_detail(refund_id), is_cancelled)

    # --------------------------------------------------------------------------- planning
    def prepare(
        self,
        refunds: Sequence[Any | int],
        intent: Intent,
        *,
        reasons: Mapping[int, Sequence[Any]] | None = None,
        cancelled: Cancelled | threading.Event | None = None,
        progress: Callable[[int, int], None] | None = None,
        release_uncertain: bool = False,
    ) -> Plan:
        """Read every refund afresh and decide what to send (nothing is sent or journaled).

        ``refunds``: refund ids, or refunds as the user saw them (then a request the buyer changed
        since is flagged). ``reasons``: the reject reasons already fetched per refund (others are
        fetched). Interrupted earlier actions on these refunds are reconciled first; a refund whose
        earlier action is still undecided is skipped with the evidence — unless the seller decided
        it did not apply (``release_uncertain=True``), then it is planned again.
        ``progress(done, total)`` after each read. Raises :class:`ActionsCancelled` when cancelled.
        """
        is_cancelled = as_predicate(cancelled)
        listed: dict[int, Any] = {}
        ids: list[int] = []
        for r in refunds:
            rid = r if isinstance(r, int) else r.refund_id
            if rid in listed or rid in ids:
                continue  # the same refund twice in a selection is one action
            ids.append(rid)
            if not isinstance(r, int):
                listed[rid] = r

        reconciled = self.reconcile(ids, cancelled=is_cancelled)
        if is_cancelled():
            raise ActionsCancelled()
        undecided = {r.refund_id: r for r in reconciled if r.outcome is Outcome.UNKNOWN}
        if release_uncertain and undecided:
            released = self.release_uncertain(undecided)
            reconciled = [r for r in reconciled if r.refund_id not in undecided] + released
            undecided = {}

        fresh: dict[int, Any] = {}
        skipped: list[Skip] = []
        total = len(ids)
        for i, rid in enumerate(ids, 1):
            if rid in undecided:
                skipped.append(Skip(rid, undecided[rid].message, state=undecided[rid].after))
            else:
                try:
                    fresh[rid] = self._read(rid, is_cancelled)
                except _Cancelled:
                    raise ActionsCancelled() from None
                except (AuthError, QuotaExceeded, SignatureError):
                    raise
                except ParseError as exc:
                    log.warning("refund %s unreadable: %s", rid, exc)
                    skipped.append(Skip(rid, unreadable_text(rid, exc), manual=True))
                except KuaishouError as exc:
                    skipped.append(
                        Skip(rid, tr("The refund could not be read: {error}", error=_error_text(exc)))
                    )
            if progress:
                progress(i, total)

        address_id: int | None = None
        addresses: list[Any] = []
        if isinstance(intent, Approve):
            address_id = intent.address_id
            if any(planner.needs_return_address(r) for r in fresh.values()):
                addresses = self.return_addresses()
                if address_id is None:
                    address_id = default_address_id(addresses)

        reason_map: dict[int, Sequence[Any] | None] = dict(reasons or {})
        if isinstance(intent, Reject):
            for rid in fresh:
                if rid in reason_map:
                    continue
                try:
                    reason_map[rid] = self._reasons(rid, is_cancelled)
                except _Cancelled:
                    raise ActionsCancelled() from None
                except (AuthError, QuotaExceeded, SignatureError):
                    raise
                except KuaishouError as exc:
                    log.warning("reject reasons of %s unreadable: %s", rid, exc)
                    reason_map[rid] = None

        return planner.make_plan(
            intent,
            ids,
            fresh,
            listed=listed,
            reasons=reason_map,
            address_id=address_id,
            addresses=addresses,
            read_skips=skipped,
            reconciled=reconciled,
        )

    def _reasons(self, refund_id: int, is_cancelled: Cancelled) -> list[Any]:
        """The reasons allowed for rejecting the refund (paced)."""
        return list(self._paced(lambda: self.client.reject_reasons(refund_id), is_cancelled))

    def reject_reasons(
        self,
        refund_ids: Sequence[int],
        *,
        cancelled: Cancelled | threading.Event | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> ReasonsSummary:
        """Fetch the allowed reasons of each refund (paced) and what they share.

        A refund whose reasons cannot be read (e.g. not rejectable in its state) is listed in
        ``unavailable`` with the platform's message. Raises :class:`ActionsCancelled`.
        """
        is_cancelled = as_predicate(cancelled)
        per: dict[int, list[Any]] = {}
        unavailable: dict[int, str] = {}
        ids = list(dict.fromkeys(refund_ids))
        for i, rid in enumerate(ids, 1):
            try:
                per[rid] = self._reasons(rid, is_cancelled)
            except _Cancelled:
                raise ActionsCancelled() from None
            except (AuthError, QuotaExceeded, SignatureError):
                raise
            except KuaishouError as exc:
                unavailable[rid] = _error_text(exc)
            if progress:
                progress(i, len(ids))
        return summarise(per, unavailable)

    def return_addresses(self) -> list[Any]:
        """The shop's return addresses (empty when unreadable: the platform's default applies)."""
        try:
            return list(self.client.list_addresses(2))
        except (AuthError, QuotaExceeded, SignatureError):
            raise
        except KuaishouError as exc:
            log.warning("return addresses unreadable, the platform's default applies: %s", exc)
            return []

    # --------------------------------------------------------------------------- sending
    def execute(
        self,
        plan: Plan,
        *,
        cancelled: Cancelled | threading.Event | None = None,
        progress: ProgressCallback | None = None,
        origin: Mapping[str, Any] | None = None,
    ) -> BatchReport:
        """Send the plan: journal first, paced, one result per planned action (in plan order).

        ``progress(result, finished, total)`` is called after every item (from this thread).
        ``origin``: who asked (kept in the journal with each action; see :meth:`_journal_plan`).
        Store errors while writing the plan propagate (nothing was sent); later ones stop the run.
        """
        is_cancelled = as_predicate(cancelled)
        with self._run_lock:
            return self._execute(plan, is_cancelled, progress, origin)

    def _execute(
        self,
        plan: Plan,
        is_cancelled: Cancelled,
        progress: ProgressCallback | None,
        origin: Mapping[str, Any] | None = None,
    ) -> BatchReport:
        batch = uuid.uuid4().hex
        self._batch = batch
        self._plan = plan
        actions = plan.actions
        total = len(actions)
        entries = list(
            zip(actions, self._journal_plan(actions, batch, origin) if actions else [], strict=True)
        )
        results: list[ItemResult] = []
        uncertain: list[tuple[int, PlannedAction, int]] = []  # (position, action, entry id)
        stopped: str | None = None

        def report(result: ItemResult, position: int | None = None) -> None:
            if position is None:
                results.append(result)
            else:
                results[position] = result
            if progress:
                progress(result, len(results), total)

        try:
            for planned, planned_entry in entries:
                if is_cancelled():
                    break
                result = self._send(planned, planned_entry, is_cancelled)
                if result is None:  # delivery uncertain: judged at the end of the run
                    # (a resend after a re-read has its own journal entry and parameters)
                    sent, sent_entry = self._resent.pop(planned_entry, (planned, planned_entry))
                    uncertain.append((len(results), sent, sent_entry))
                    result = ItemResult(
                        sent.refund_id,
                        Outcome.UNKNOWN,
                        tr("No clear answer; checking the refund…"),
                        sent.kind,
                        journal_id=sent_entry,
                    )
                report(result)
                if result.outcome is Outcome.CANCELLED:
                    break
        except _Stop as stop:
            stopped = stop.reason
            if stop.result is not None:
                report(stop.result)
            log.warning("bulk run stopped: %s", stop.reason)

        # whatever was not sent is reported, never silently dropped
        reason = tr("Not sent: {reason}", reason=stopped) if stopped else tr("Not sent: cancelled.")
        for action, entry_id in entries[len(results) :]:
            try:
                result = self._finish(entry_id, action.refund_id, action.kind, Outcome.CANCELLED, reason)
            except Exception:
                log.exception("cannot mark journal entry %s as not sent", entry_id)
                result = ItemResult(
                    action.refund_id, Outcome.CANCELLED, reason, action.kind, journal_id=entry_id
                )
            report(result)

        # uncertain sends: read the refunds until each shows what happened, or hand it to the seller
        if uncertain and not is_cancelled():
            pending = [
                self._pending(
                    entry_id,
                    action.refund_id,
                    action.kind,
                    action.before,
                    self._sent_at.pop(entry_id, _now_ms(self._clock)),
                    self._send_errors.pop(entry_id, None),
                    position,
                )
                for position, action, entry_id in uncertain
            ]
            self._settle(
                pending, is_cancelled, lambda item, final: report(final, item.position), reconciled=False
            )
        for _action, entry_id in entries:  # this run's bookkeeping ends with it
            self._sent_at.pop(entry_id, None)
            self._send_errors.pop(entry_id, None)
        return BatchReport(tuple(results), batch, stopped)

    def _send(
        self, action: PlannedAction, entry_id: int, is_cancelled: Cancelled, *, may_resend: bool = True
    ) -> ItemResult | None:
        """Send one action; its final result, or ``None`` when delivery is uncertain.

        ``may_resend``: after a "refund moved on" answer the action may be sent once more (see
        :meth:`_changed`); a resend itself may not.
        """
        attempt = 0
        marked = False
        while True:
            if not marked:
                try:
                    self._journal_mark(entry_id, "sent")
                except Exception as exc:
                    log.exception("cannot journal the send of entry %s", entry_id)
                    raise _Stop(tr("the action journal cannot be written ({error})", error=exc)) from exc
                marked = True
            # the pace is kept between the journal's commit and the request, so that the time
            # the commit takes does not bunch requests up at the gateway
            if not self.throttle.wait(is_cancelled):
                return self._finish(
                    entry_id, action.refund_id, action.kind, Outcome.CANCELLED, tr("Not sent: cancelled.")
                )
            self._sent_at[entry_id] = _now_ms(self._clock)
            try:
                self.client.call(action.method, dict(action.params))
            except RateLimited as exc:
                # refused by the gateway: nothing happened, so it is safe to send again
                if attempt >= MAX_RATE_LIMIT_RETRIES:
                    return self._finish(
                        entry_id,
                        action.refund_id,
                        action.kind,
                        Outcome.FAILED,
                        tr('The platform kept answering "too many requests"; not applied.'),
                        error=_error_text(exc),
                    )
                if not self.throttle.backoff(attempt, is_cancelled):
                    return self._finish(
                        entry_id, action.refund_id, action.kind, Outcome.CANCELLED, tr("Not sent: cancelled.")
                    )
                attempt += 1
                continue
            except RefundChanged as exc:
                return self._changed(entry_id, action, exc, is_cancelled, may_resend=may_resend)
            except TransportError as exc:
                if not exc.maybe_processed:
                    return self._finish(
                        entry_id,
                        action.refund_id,
                        action.kind,
                        Outcome.FAILED,
                        tr("Not sent: {error}.", error=_error_text(exc)),
                        error=_error_text(exc),
                    )
                return self._uncertain(entry_id, exc)
            except MalformedResponse as exc:
                return self._uncertain(entry_id, exc)
            except (QuotaExceeded, AuthError, SignatureError) as exc:
                # refused before it was carried out: the request did not apply
                result = self._finish(
                    entry_id,
                    action.refund_id,
                    action.kind,
                    Outcome.FAILED,
                    tr("Refused: {error}", error=_error_text(exc)),
                    error=_error_text(exc),
                )
                raise _Stop(_stop_reason(exc), result) from exc
            except ApiError as exc:
                return self._finish(
                    entry_id,
                    action.refund_id,
                    action.kind,
                    Outcome.FAILED,
                    tr("Refused by the platform: {error}", error=_error_text(exc)),
                    error=_error_text(exc),
                )
            return self._finish(
                entry_id, action.refund_id, action.kind, Outcome.DONE, _done_text(action.kind)
            )

    def _uncertain(self, entry_id: int, exc: BaseException) -> None:
        """The send may or may not have been carried out: journal ``unknown`` (with when it was
        sent), to be settled by reading the refund — never by sending again."""
        error = _error_text(exc)
        sent_at = self._sent_at.get(entry_id, _now_ms(self._clock))
        self._send_errors[entry_id] = error
        self._journal_mark(
            entry_id, "unknown", result={"outcome": Outcome.UNKNOWN.value, "sentAt": sent_at}, error=error
        )
        return

    def _changed(
        self,
        entry_id: int,
        action: PlannedAction,
        exc: RefundChanged,
        is_cancelled: Cancelled,
        *,
        may_resend: bool = True,
    ) -> ItemResult | None:
        """The refund moved on (300002, 300010, 300013, 300014, 300016, 300017, 300018): read it
        again and report what it is now. Never resent blindly: only when the fresh read shows the
        very same action is still valid — planned again from it, with its fresh ``refundVersion``,
        status and amount, paying no more than the preview showed — it is sent once more, under a
        journal entry of its own. Returns ``None`` when that resend's delivery is uncertain."""
        try:
            now = self._read(action.refund_id, is_cancelled)
        except (KuaishouError, _Cancelled):
            return self._finish(
                entry_id,
                action.refund_id,
                action.kind,
                Outcome.CHANGED,
                tr("The refund changed meanwhile ({error}); not applied.", error=_error_text(exc)),
                error=_error_text(exc),
            )
        again = self._replan(now) if may_resend else None
        if isinstance(again, PlannedAction) and again.kind is action.kind and again.amount <= action.amount:
            self._finish(
                entry_id,
                action.refund_id,
                action.kind,
                Outcome.CHANGED,
                tr(
                    "The refund changed meanwhile; read again and sent once more with "
                    "its current version. Now: {state}.",
                    state=planner.describe_state(now),
                ),
                after=RefundState.of(now),
                error=_error_text(exc),
            )
            log.info(
                "refund %s moved on (%s); the same action is still valid: sent once more",
                action.refund_id,
                exc.result or exc.sub_code,
            )
            try:
                new_id = self.store.journal.plan(
                    self.shop_id,
                    again.refund_id,
                    again.kind.value,
                    {"method": again.method, "param": dict(again.params), "before": again.before.to_json()},
                    batch=self._batch,
                )
            except Exception as journal_error:
                log.exception("cannot journal the resend of refund %s", action.refund_id)
                raise _Stop(
                    tr("the action journal cannot be written ({error})", error=journal_error)
                ) from journal_error
            result = self._send(again, new_id, is_cancelled, may_resend=False)
            if result is None:
                self._resent[entry_id] = (again, new_id)
            else:  # settled: the resend's bookkeeping ends here
                self._sent_at.pop(new_id, None)
                self._send_errors.pop(new_id, None)
            return result
        return self._finish(
            entry_id,
            action.refund_id,
            action.kind,
            Outcome.CHANGED,
            tr("The refund changed meanwhile; not applied. Now: {state}.", state=planner.describe_state(now)),
            after=RefundState.of(now),
            error=_error_text(exc),
        )

    def _replan(self, refund: Any) -> PlannedAction | Skip | None:
        """The run's intent planned again for a fresh read of ``refund`` (no I/O)."""
        plan = self._plan
        if plan is None:
            return None
        return planner.plan_one(
            refund, plan.intent, address_id=plan.address_id, reasons=plan.reasons.get(refund.refund_id)
        )


class ActionsCancelled(Exception):
    """Preparing a plan was cancelled by the user."""


class _Cancelled(Exception):
    """A paced wait was cut short by cancellation (internal)."""


def default_address_id(addresses: Iterable[Any]) -> int | None:
    """The default return address among ``addresses`` (the first usable one when none is marked)."""
    addresses = list(addresses)
    for a in addresses:
        if a.default_address:
            return a.address_id
    return addresses[0].address_id if len(addresses) == 1 else None


def unreadable_text(refund_id: int, exc: ParseError) -> str:
    """Why a refund whose answer cannot be read is left alone, and where to handle it."""
    return tr(
        "The platform's answer for this request cannot be read (field {field}); nothing was "
        "sent. Open it in the seller backend: {url}",
        field=exc.field.removeprefix("data."),
        url=planner.backend_url(refund_id),
    )


def local_time_text(ms: int) -> str:
    """A journal time as the seller's local clock time (evidence texts)."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ms / 1000))


def _stop_reason(exc: KuaishouError) -> str:
    if isinstance(exc, QuotaExceeded):
        return tr("the daily call quota is spent; try again tomorrow")
    if isinstance(exc, SignatureError):
        return tr("the platform refused the request signature; check the signSecret")
    return tr("the shop must be authorised again")


def _done_text(kind: ActionKind) -> str:
    return {
        ActionKind.APPROVE_REFUND: tr("Agreed: the money is refunded."),
        ActionKind.APPROVE_RETURN: tr("Return agreed: waiting for the buyer to send the goods."),
        ActionKind.CONFIRM_RECEIPT: tr("Receipt confirmed: the money is refunded."),
        ActionKind.REJECT: tr("Rejected."),
    }[kind]
