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
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from desktop.core.actions import planner
from desktop.core.actions.model import (
    ActionKind,
    Approve,
    BatchReport,
    Intent,
    ItemResult,
    ListedRefund,
    Outcome,
    Plan,
    PlannedAction,
    ProgressCallback,
    RefundState,
    Reject,
    Skip,
)
from desktop.core.actions.reasons import ReasonsSummary, summarise
from desktop.core.actions.reconcile import (
    DEFAULT_PATIENCE_S,
    DEFAULT_SETTLE_S,
    MAX_RATE_LIMIT_RETRIES,
    ActionClient,
    Reconciler,
    _Cancelled,
    _error_text,
    _now_ms,
    _Stop,
)
from desktop.core.actions.throttle import Cancelled, as_predicate
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
from desktop.core.kuaishou.models import Address, Refund, RejectReason

log = logging.getLogger(__name__)


__all__ = ["DEFAULT_PATIENCE_S", "DEFAULT_SETTLE_S", "ActionClient", "ActionEngine", "ActionsCancelled"]


class ActionEngine(Reconciler):
    """Approve or reject many refunds safely.

    ``client``: a :class:`~desktop.core.kuaishou.client.KuaishouClient` (or any
    :class:`ActionClient`); ``store``: the
    :class:`~desktop.core.store.Store` holding the journal; ``shop_id``: the store's shop row.
    """

    # --------------------------------------------------------------------------- planning
    def prepare(
        self,
        refunds: Sequence[ListedRefund | int],
        intent: Intent,
        *,
        reasons: Mapping[int, Sequence[RejectReason]] | None = None,
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
        listed: dict[int, ListedRefund] = {}
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

        fresh: dict[int, Refund] = {}
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
        addresses: list[Address] = []
        if isinstance(intent, Approve):
            address_id = intent.address_id
            if any(planner.needs_return_address(r) for r in fresh.values()):
                addresses = self.return_addresses()
                if address_id is None:
                    address_id = default_address_id(addresses)

        reason_map: dict[int, Sequence[RejectReason] | None] = dict(reasons or {})
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

    def _reasons(self, refund_id: int, is_cancelled: Cancelled) -> list[RejectReason]:
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
        per: dict[int, list[RejectReason]] = {}
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

    def return_addresses(self) -> list[Address]:
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
                self._uncertain(entry_id, exc)
                return None
            except MalformedResponse as exc:
                self._uncertain(entry_id, exc)
                return None
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

    def _replan(self, refund: Refund) -> PlannedAction | Skip | None:
        """The run's intent planned again for a fresh read of ``refund`` (no I/O)."""
        plan = self._plan
        if plan is None:
            return None
        return planner.plan_one(
            refund, plan.intent, address_id=plan.address_id, reasons=plan.reasons.get(refund.refund_id)
        )


class ActionsCancelled(Exception):
    """Preparing a plan was cancelled by the user."""


def default_address_id(addresses: Iterable[Address]) -> int | None:
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
