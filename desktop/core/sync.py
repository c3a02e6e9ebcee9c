"""Bring one shop's store up to date with the platform (Qt-free; run it off the UI thread).

One :meth:`Syncer.run` does, in order:

1. **Shop score** (``open.score.shop.get``): a snapshot is kept; the first response also measures
   the server's clock (HTTP ``Date``) so that the windows below are on the platform's time.
2. **First sweep** (once per shop): every refund created in the last ``days`` (≤ 90) days, one
   1-day window at a time by create time (``type`` 9, ``queryType`` 1). Each window is written in its
   own transaction together with the sweep's position, so a failure or a cancel half-way leaves a
   consistent store and the next run continues from the first window not written.
3. **Incremental sync**: everything *updated* since the last sync minus an overlap (``queryType`` 2),
   again one committed window at a time.
4. **Pending sweep**: the platform's own list of requests waiting on the merchant (``type`` 8) from
   the oldest request the store still has waiting (at least the last ``pending_floor_days`` days).
   A request the store thinks the merchant still has to handle but the platform no longer lists has
   moved on unseen: its detail is fetched so the store learns its real state. In the run that
   finished the first sweep, only the days before a shorter-than-90-days sweep are listed (older
   requests may still be waiting); the sweep itself just saw the rest.
5. **Classification** of closed requests (:func:`desktop.core.domain.classify.classify`) from the
   app's observations, its own actions (the journal) and — for recent closes whose outcome the
   times alone leave open — the negotiation history (``open.refund.comment.basic.list``). Open
   requests the app saw waiting on the merchant are classified as well whenever they change, so a
   step the platform agreed because its deadline passed (a return agreed by the system, now waiting
   for the buyer's parcel; a receipt confirmed by the system) is recorded the moment the request
   leaves the merchant's turn, not days later when it closes; each such step is stored once
   (``auto_approvals``) and replaced, never added again, by later classifications. A window's
   requests are classified in the window's own transaction (closed ones seen for the first time
   as they are inserted). The extra calls per run (details + histories) are capped by
   ``max_extra_calls``; the run of the first sweep makes no history calls (the following runs do,
   most recent closes first), so the sweep the user waits for lists and nothing more.

Upserts are idempotent; observations record every change seen. The times the app *saw* something
(``seen_at``, ``first_seen_at``, ``last_seen_at``, ``last_pending_seen_at``) are stored on the
platform's clock (the local clock corrected by the offset measured in that run), like every time the
platform sends, so a local clock that jumps cannot reorder them against the platform's deadlines. Errors: authorisation problems
propagate as :class:`~desktop.core.kuaishou.errors.AuthError`; network and API failures propagate
too, after the windows already fetched were committed — nothing already stored is removed or
overwritten by a failed run. The shop row records the failure (``last_error``).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from desktop.core.domain.classify import (
    RULE_HEURISTIC_TIMES,
    RULE_NO_EVIDENCE,
    Classification,
    Outcome,
    classify,
    decide_closed_first_seen,
)
from desktop.core.domain.deadlines import waits_on_merchant
from desktop.core.domain.rules import Rules
from desktop.core.kuaishou.client import DAY_MS, LIST_ITEMS_PATH, MAX_HISTORY_MS
from desktop.core.kuaishou.errors import (
    ApiError,
    AuthError,
    KuaishouError,
    ParseError,
    RequestError,
    ScopeMissing,
)
from desktop.core.kuaishou.models import NegotiationComment
from desktop.core.store import CLOSED_STATUSES, AutoStep, Decision, Store, StoredRefund, UpsertStats

log = logging.getLogger(__name__)

MINUTE_MS = 60_000
#: the first window starts this much inside the 90-day limit, so it is still valid when requested
HISTORY_MARGIN_MS = 30 * MINUTE_MS
#: decisions worth a negotiation-history call: the times alone did not settle them
_REFINE_RULES = (RULE_HEURISTIC_TIMES, RULE_NO_EVIDENCE)


@dataclass(frozen=True, slots=True)
class SyncProgress:
    """Reported after every page and every extra call (for a progress bar)."""

    phase: str  # "sweep" | "incremental" | "pending" | "details"
    windows_done: int
    windows_total: int
    pages: int
    refunds: int


@dataclass
class SyncResult:
    shop_id: int
    started_at: int  # local clock, epoch ms
    finished_at: int = 0
    completed: bool = False  # every phase ran to the end (not cancelled)
    cancelled: bool = False
    swept: bool = False  # this run worked on the first sweep
    first_sweep_done: bool = False
    windows: int = 0
    pages: int = 0
    refunds_seen: int = 0
    new: int = 0
    changed: int = 0
    details_fetched: int = 0
    histories_fetched: int = 0
    classified: int = 0
    #: requests this run found auto-approved because their deadline passed (refund ids)
    auto_approved: list[int] = field(default_factory=list)
    server_clock_offset_ms: int | None = None
    score_problem: str | None = None  # why the shop score could not be fetched, if it could not
    #: requests whose answer could not be read (a decision field broken): (refund id or None, the
    #: field), to be opened in the seller backend; the rest of the sync went on without them
    unreadable: list[tuple[int | None, str]] = field(default_factory=list)

    def note_unreadable(self, refund_id: int | None, error: ParseError) -> None:
        log.warning("refund %s could not be read: %s", refund_id, error)
        entry = (refund_id, error.field)
        if entry not in self.unreadable:
            self.unreadable.append(entry)

    def add(self, stats: UpsertStats) -> None:
        self.new += stats.new
        self.changed += stats.changed


class Cancelled(Exception):
    """Internal: the caller asked to stop; the run ends quietly with ``result.cancelled``."""


class Syncer:
    """Synchronises one shop; see the module docstring. Not reentrant: one run at a time per shop."""

    def __init__(
        self,
        client: Any,
        store: Store,
        rules: Rules,
        *,
        shop_id: int,
        clock: Callable[[], float] = time.time,
        days: int = 90,
        overlap_ms: int = 10 * MINUTE_MS,
        window_ms: int = DAY_MS,
        page_size: int = 100,
        pending_floor_days: int = 3,
        max_extra_calls: int = 40,
        refine_days: int = 30,
    ) -> None:
        if not 1 <= days <= 90:
            raise ValueError(f"days must be between 1 and 90, got {days}")
        if window_ms <= 0 or window_ms > DAY_MS:
            raise ValueError(f"window_ms must be between 1 and {DAY_MS}, got {window_ms}")
        self.client = client
        self.store = store
        self.rules = rules
        self.shop_id = shop_id
        self.clock = clock
        self.days = days
        self.overlap_ms = overlap_ms
        self.window_ms = window_ms
        self.page_size = page_size
        self.pending_floor_ms = pending_floor_days * DAY_MS
        self.max_extra_calls = max_extra_calls
        self.refine_ms = refine_days * DAY_MS
        self._progress: Callable[[SyncProgress], None] | None = None
        self._closed_seen: set[int] = set()
        self._decided_on_insert = 0  # written by the writer thread only
        self._writer = _WindowWriter()
        self._cancelled: Callable[[], bool] | None = None
        self._extra_calls = 0
        self._roles_seen: set[Any] = set()

    # ------------------------------------------------------------------ helpers

    def _local_ms(self) -> int:
        return int(self.clock() * 1000)

    def _server_ms(self) -> int:
        """Now on the platform's clock (local clock corrected by the measured offset)."""
        return self._local_ms() + (self.client.server_clock_offset_ms or 0)

    def _check_cancel(self) -> None:
        if self._cancelled is not None and self._cancelled():
            raise Cancelled

    def _report(self, phase: str, done: int, total: int, result: SyncResult) -> None:
        if self._progress is not None:
            self._progress(SyncProgress(phase, done, total, result.pages, result.refunds_seen))

    def _windows(self, begin: int, end: int) -> list[tuple[int, int]]:
        out, start = [], begin
        while start < end:
            stop = min(start + self.window_ms, end)
            out.append((start, stop))
            start = stop
        return out

    def _oldest_allowed(self) -> int:
        return self._server_ms() - MAX_HISTORY_MS + HISTORY_MARGIN_MS

    def _fetch_window(
        self,
        begin: int,
        end: int,
        *,
        type_: int,
        query_type: int,
        phase: str,
        done: int,
        total: int,
        result: SyncResult,
    ) -> _Window:
        """Every refund of one window (all pages), or raise; nothing is stored here."""
        items: list[Any] = []
        pages: list[tuple[bytes, str]] | None = []  # the bodies, for the raw JSON of the items
        self._check_cancel()
        for page in self.client.iter_window_pages(
            begin, end, type=type_, query_type=query_type, page_size=self.page_size
        ):
            result.pages += 1
            items.extend(page.items)
            received = getattr(page, "received", None)
            skipped = getattr(page, "unreadable", ())
            for item in skipped:
                result.note_unreadable(item.refund_id, item.error)
            if pages is not None and received is not None and not skipped:
                pages.append((received, LIST_ITEMS_PATH))
            else:  # a client that does not keep the bodies, or a page with items set aside: the
                pages = None  # store encodes the raw JSON of the records it got
            result.refunds_seen += len(page.items)
            if page.is_last:
                break
            self._report(phase, done, total, result)
            self._check_cancel()  # before the next page is requested
        self._report(phase, done + 1, total, result)
        return _Window(items, pages)

    def _store_window(self, window: _Window, result: SyncResult, **shop_fields: Any) -> None:
        """One window's refunds, the bookkeeping that says it is done, and the classification of the
        requests in it that closed, in one transaction (runs on the writer thread)."""
        self._decided_on_insert = 0
        with self.store.transaction():
            stats = self.store.refunds.upsert(
                self.shop_id,
                window.items,
                seen_at=self._server_ms(),
                merchant_turn=waits_on_merchant,
                decide_new=self._decide_new,
                raw_pages=window.pages,
            )
            result.classified += self._decided_on_insert
            self._closed_seen.update(stats.closed)
            if shop_fields:
                self.store.shops.update(self.shop_id, **shop_fields)
            self._classify_batch(self.store.classification.unclassified(self.shop_id), result)
        result.add(stats)
        result.windows += 1

    # ------------------------------------------------------------------ the run

    def run(
        self,
        progress: Callable[[SyncProgress], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> SyncResult:
        """Synchronise the shop (see the module docstring). Returns what happened; raises the
        client's errors (after recording them on the shop)."""
        shop = self.store.shops.get(self.shop_id)
        if shop is None:
            raise KeyError(f"no shop with id {self.shop_id}")
        self._progress, self._cancelled, self._extra_calls = progress, cancelled, 0
        self._closed_seen = set()
        self._writer = _WindowWriter()
        result = SyncResult(self.shop_id, started_at=self._local_ms())
        try:
            try:
                self._check_cancel()
                self._fetch_score(result)
                if not shop.first_sweep_done:
                    result.swept = True
                    self._first_sweep(result)
                self._incremental(result)
                self._pending_sweep(result)
                self._classify(result)
            except BaseException:
                self._writer.close(failing=True)  # the window in flight is committed first
                raise
            self._writer.close()
            result.completed = True
        except Cancelled:
            result.cancelled = True
            log.info("sync of shop %s cancelled", self.shop_id)
        except KuaishouError as exc:
            self._record_failure(exc)
            raise
        finally:
            result.finished_at = self._local_ms()
            result.server_clock_offset_ms = self.client.server_clock_offset_ms
            current = self.store.shops.get(self.shop_id)
            result.first_sweep_done = bool(current and current.first_sweep_done)
        fields: dict[str, Any] = {
            "last_sync_at": result.finished_at,
            "server_clock_offset_ms": result.server_clock_offset_ms,
        }
        if result.completed:
            fields.update(last_success_at=result.finished_at, last_error=None, last_error_at=None)
        self.store.shops.update(self.shop_id, **fields)
        return result

    def _record_failure(self, exc: KuaishouError) -> None:
        now = self._local_ms()
        self.store.shops.update(
            self.shop_id,
            last_error=f"{type(exc).__name__}: {exc}"[:500],
            last_error_at=now,
            last_sync_at=now,
            server_clock_offset_ms=self.client.server_clock_offset_ms,
        )

    def _fetch_score(self, result: SyncResult) -> None:
        try:
            score = self.client.shop_score()
        except AuthError as exc:
            if not isinstance(exc, ScopeMissing):
                raise
            result.score_problem = str(exc)  # the grant lacks the score's scope: refunds still work
            return
        except ApiError as exc:  # a business refusal of the score alone must not stop the sync
            result.score_problem = str(exc)
            log.warning("shop score of shop %s not available: %s", self.shop_id, exc)
            return
        self.store.scores.add(self.shop_id, score, at=self._local_ms())

    def _first_sweep(self, result: SyncResult) -> None:
        shop = self.store.shops.get(self.shop_id)
        assert shop is not None
        now = self._server_ms()
        if shop.sweep_next_ms is None or shop.sweep_end_ms is None:
            begin = max(now - self.days * DAY_MS, self._oldest_allowed())
            # changes made while the sweep runs are picked up by the incremental sync after it
            self.store.shops.update(
                self.shop_id,
                sweep_begin_ms=begin,
                sweep_end_ms=now,
                sweep_next_ms=begin,
                incremental_from_ms=now - self.overlap_ms,
            )
            start, end = begin, now
        else:
            # resumed: windows that fell out of the platform's 90 days cannot be fetched any more
            start, end = max(shop.sweep_next_ms, self._oldest_allowed()), shop.sweep_end_ms
        windows = self._windows(start, end)
        for i, (begin, stop) in enumerate(windows):
            window = self._fetch_window(
                begin, stop, type_=9, query_type=1, phase="sweep", done=i, total=len(windows), result=result
            )
            last = i == len(windows) - 1
            self._writer.submit(
                self._store_window,
                window,
                result,
                sweep_next_ms=stop,
                **({"first_sweep_done": 1} if last else {}),
            )
        self._writer.drain()
        if not windows:
            self.store.shops.update(self.shop_id, first_sweep_done=True)

    def _incremental(self, result: SyncResult) -> None:
        shop = self.store.shops.get(self.shop_id)
        assert shop is not None
        now = self._server_ms()
        start = shop.incremental_from_ms if shop.incremental_from_ms is not None else now - self.overlap_ms
        start = max(start, self._oldest_allowed())
        windows = self._windows(start, now)
        for i, (begin, stop) in enumerate(windows):
            window = self._fetch_window(
                begin,
                stop,
                type_=9,
                query_type=2,
                phase="incremental",
                done=i,
                total=len(windows),
                result=result,
            )
            self._writer.submit(
                self._store_window, window, result, incremental_from_ms=stop - self.overlap_ms
            )
        self._writer.drain()

    def _pending_sweep(self, result: SyncResult) -> None:
        now = self._server_ms()
        open_waiting = self.store.refunds.waiting(self.shop_id)
        if result.swept:
            # the sweep just saw everything it covered; requests older than a short sweep
            # (--days < 90) may still wait on the merchant: list those once
            shop = self.store.shops.get(self.shop_id)
            assert shop is not None and shop.sweep_begin_ms is not None
            if not shop.first_sweep_done:
                return
            begin, end = self._oldest_allowed(), shop.sweep_begin_ms
        else:
            starts = [r.create_time or r.submit_time for r in open_waiting]
            oldest = min((s for s in starts if s), default=now)
            begin, end = max(min(oldest, now - self.pending_floor_ms), self._oldest_allowed()), now
        windows = self._windows(begin, end)
        listed: set[int] = set()
        for i, (start, stop) in enumerate(windows):
            window = self._fetch_window(
                start, stop, type_=8, query_type=1, phase="pending", done=i, total=len(windows), result=result
            )
            listed.update(r.refund_id for r in window.items)
            self._writer.submit(self._store_window, window, result)
        self._writer.drain()
        # waiting in the store, created inside the swept range, but not on the platform's list
        vanished = [
            r
            for r in open_waiting
            if r.refund_id not in listed and begin <= (r.create_time or r.submit_time or now) <= end
        ]
        for i, r in enumerate(vanished):
            if not self._may_call():
                log.info("%d vanished requests left for the next sync", len(vanished) - i)
                break
            self._check_cancel()
            try:
                detail = self.client.refund_detail(r.refund_id)
            except RequestError as exc:  # 300011 not found / 300012 not this shop's
                # the message, not the exception: a kept record (a log capture) would keep its traceback
                # and the HTTP connection its frames still hold
                log.warning(
                    "refund %s is gone from the platform (%s): out of the queue", r.refund_id, str(exc)
                )
                self.store.refunds.mark_gone(self.shop_id, r.refund_id, at=self._server_ms())
                continue
            except ParseError as exc:  # that one refund: kept as it was stored, the sync goes on
                result.note_unreadable(r.refund_id, exc)
                continue
            finally:
                result.details_fetched += 1
            with self.store.transaction():
                stats = self.store.refunds.upsert(
                    self.shop_id,
                    [detail],
                    seen_at=self._server_ms(),
                    source="detail",
                    merchant_turn=waits_on_merchant,
                )
                self._closed_seen.update(stats.closed)
                self._classify_batch(self.store.classification.unclassified(self.shop_id), result)
            result.add(stats)
            self._report("details", i + 1, len(vanished), result)

    def _note_roles(self, history: list[Any]) -> None:
        """Log each negotiation-history role value the first time a run meets it: the platform
        does not document them, so a seller can report what was seen (and the rules file's
        ``classify.system_roles`` can name the system's)."""
        for c in history:
            role = getattr(c, "role", None)
            if role is not None and role not in self._roles_seen:
                self._roles_seen.add(role)
                log.info("negotiation-history role %r seen (entry %r)", role, (c.title or "")[:60])

    def _may_call(self) -> bool:
        if self._extra_calls >= self.max_extra_calls:
            return False
        self._extra_calls += 1
        return True

    # ------------------------------------------------------------------ classification

    def _classify(self, result: SyncResult) -> None:
        """Classify what is left unclassified (e.g. after a migration), then refine with histories
        (not in the run of the first sweep, which the user waits for: the next runs do it)."""
        while True:
            batch = self.store.classification.unclassified(self.shop_id, limit=2000)
            if not batch:
                break
            self._classify_batch(batch, result)
        if not result.swept:
            self._refine(result, self.client.server_clock_offset_ms or 0)

    def _classify_batch(self, refunds: list[StoredRefund], result: SyncResult) -> None:
        """Classify closed requests and open ones seen waiting on the merchant (their auto-approved
        steps are recorded as soon as they leave the merchant's turn), in the caller's transaction."""
        if not refunds:
            return
        decisions = self._decide(refunds, self.client.server_clock_offset_ms or 0)
        # news: a step not recorded before (one already reported by an earlier run is not; a first
        # sweep's closed history is decided as it is inserted and never comes here)
        fresh = []
        for d in decisions:
            if d.steps and d.refund_id not in result.auto_approved:
                stored = {
                    s.at
                    for s in self.store.classification.auto_approvals(self.shop_id, refund_id=d.refund_id)
                }
                if any(step.at not in stored for step in d.steps):
                    fresh.append(d.refund_id)
        self.store.classification.save(self.shop_id, decisions, at=self._local_ms())
        result.classified += len(decisions)
        result.auto_approved.extend(fresh)

    def _decide_new(self, record: Any, seen_at: int) -> Decision | None:
        """The outcome of a closed request seen for the first time (its only observation is this
        one; the app cannot have acted on it), written with it: a first sweep's history needs no
        second pass."""
        if record.status not in CLOSED_STATUSES:
            return None
        self._decided_on_insert += 1
        # the Decision that _decision() makes of the classification this stands for, built from the
        # plain fields (thousands per first sweep, on the writer thread, holding the GIL)
        first = decide_closed_first_seen(record, self.rules)
        if first.outcome is not Outcome.AUTO_APPROVED_OVERDUE:
            return Decision(
                record.refund_id,
                _OUTCOME_TEXT[first.outcome],
                first.rule,
                first.certainty,
                first.deadline_ms,
                None,
                first.decided_at_ms,
                first.first_action_ms,
                (),
            )
        # its one step (no stage: the times alone decided), counted at its deadline
        deadline, decided_at = first.deadline_ms, first.decided_at_ms
        at = deadline if deadline is not None else decided_at
        steps = (
            (AutoStep(at, first.certainty or "likely", first.rule, None, deadline, decided_at),)
            if at is not None
            else ()
        )
        return Decision(
            record.refund_id,
            _OUTCOME_TEXT[first.outcome],
            first.rule,
            first.certainty,
            deadline,
            deadline,
            decided_at,
            first.first_action_ms,
            steps,
        )

    def _decide(self, refunds: list[StoredRefund], offset: int) -> list[Decision]:
        ids = [r.refund_id for r in refunds]
        history = self.store.history.observations_for(self.shop_id, ids)
        actions = self.store.journal.action_times(self.shop_id, ids)
        fetched = [r.refund_id for r in refunds if r.comments_fetched_at is not None]
        comments = self.store.history.comments_for(self.shop_id, fetched)
        decisions = []
        for r in refunds:
            snaps = list(history.get(r.refund_id, ()))
            snaps.extend(self._last_seen_waiting(r, snaps))
            # observations are on the platform's clock already; the journal is on the local one
            cls = classify(
                snaps,
                r,
                self.rules,
                comments=[NegotiationComment(**c) for c in comments[r.refund_id]]
                if r.refund_id in comments
                else None,
                app_actions_ms=[a + offset for a in actions.get(r.refund_id, ())],
                server_offset_ms=0,
            )
            decisions.append(_decision(r.refund_id, cls))
        return decisions

    @staticmethod
    def _last_seen_waiting(r: StoredRefund, snaps: list[Any]) -> list[Any]:
        """Observations only record changes; the last time the request was *seen* waiting (unchanged)
        is on the refund row. Give it to the classifier as one more snapshot of that state."""
        if r.last_pending_seen_at is None:
            return []
        before = [s for s in snaps if s.seen_at <= r.last_pending_seen_at]
        if not before or before[-1].seen_at == r.last_pending_seen_at:
            return []
        last = before[-1]
        return [
            _Snapshot(
                last.status, last.negotiate_status, last.expire_time, last.update_time, r.last_pending_seen_at
            )
        ]

    def _refine(self, result: SyncResult, offset: int) -> None:
        """Recent closes that the times alone left open get their negotiation history (bounded)."""
        since = self._server_ms() - self.refine_ms
        budget = self.max_extra_calls - self._extra_calls
        if budget <= 0:
            return
        candidates = self.store.classification.needing_history(
            self.shop_id, rules=_REFINE_RULES, closed_since=since, limit=budget
        )
        for i, r in enumerate(candidates):
            if not self._may_call():
                break
            self._check_cancel()
            history = self.client.negotiation_history(r.refund_id)
            result.histories_fetched += 1
            self._note_roles(history)
            with self.store.transaction():
                self.store.history.save_comments(self.shop_id, r.refund_id, history, at=self._local_ms())
                fresh = self.store.refunds.get(self.shop_id, r.refund_id)
                assert fresh is not None
                (decision,) = self._decide([fresh], offset)
                self.store.classification.save(self.shop_id, [decision], at=self._local_ms())
            if r.refund_id in self._closed_seen:
                auto = decision.outcome == Outcome.AUTO_APPROVED_OVERDUE
                if auto and r.refund_id not in result.auto_approved:
                    result.auto_approved.append(r.refund_id)
                elif not auto and r.refund_id in result.auto_approved:
                    result.auto_approved.remove(r.refund_id)
            self._report("details", i + 1, len(candidates), result)


#: the stored text of each outcome (a plain dict lookup: a first sweep decides thousands)
_OUTCOME_TEXT = {o: o.value for o in Outcome}


def _decision(refund_id: int, cls: Classification) -> Decision:
    if cls.outcome is not Outcome.AUTO_APPROVED_OVERDUE:
        return Decision(
            refund_id,
            _OUTCOME_TEXT[cls.outcome],
            cls.rule,
            cls.certainty,
            cls.deadline_ms,
            None,
            cls.decided_at_ms,
            cls.first_action_ms,
            (),
        )
    steps = tuple(
        AutoStep(
            s.at_ms,
            s.certainty,
            s.rule,
            s.stage.value if s.stage is not None else None,
            s.deadline_ms,
            s.decided_at_ms,
        )
        for s in cls.steps
        if s.at_ms is not None
    )
    return Decision(
        refund_id,
        cls.outcome.value,
        cls.rule,
        cls.certainty,
        deadline_at=cls.deadline_ms,
        overdue_at=cls.deadline_ms,
        decided_at=cls.decided_at_ms,
        first_action_at=cls.first_action_ms,
        steps=steps,
    )


class _WindowWriter:
    """Writes windows on one background thread while the next windows are fetched: a sweep waits on
    the network, and SQLite releases the GIL while it works. Writes run one at a time, in order;
    up to ``depth`` fetched windows wait for the writer, so the listing does not stop for each
    write (the writer shares the GIL with the listing thread and falls behind now and then; with
    one window in flight the listing waited for it, a fifth of a first sweep). A failed write is
    raised by the next :meth:`submit` or by :meth:`drain`, and no window queued after it is
    written: each window's transaction moves the sync's position past it, so a later one committed
    after a failed one would skip the failed window."""

    def __init__(self, depth: int = 4) -> None:
        self._jobs: queue.Queue[tuple[Callable[..., Any], tuple, dict] | None] = queue.Queue(maxsize=depth)
        self._thread: threading.Thread | None = None  # started by the first submit
        self._error: BaseException | None = None  # sticky: nothing is written after a failure
        self._raised = False

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                if job is None:
                    return
                if self._error is None:
                    fn, args, kwargs = job
                    try:
                        fn(*args, **kwargs)
                    except BaseException as exc:
                        self._error = exc
            finally:
                self._jobs.task_done()

    def _raise_error(self) -> None:
        if self._error is not None and not self._raised:
            self._raised = True
            raise self._error

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Queue a write (waits while ``depth`` writes are queued already)."""
        self._raise_error()
        if self._error is not None:
            raise RuntimeError("a window write failed: no further windows are written")
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="sync-writer", daemon=True)
            self._thread.start()
        self._jobs.put((fn, args, kwargs))

    def drain(self) -> None:
        """Wait for every queued write (re-raising a write's error)."""
        if self._thread is not None:
            self._jobs.join()
        self._raise_error()

    def close(self, *, failing: bool = False) -> None:
        """Let the queued writes finish (each is a whole window: committing them keeps the store
        consistent), then stop the thread. ``failing``: the caller is already raising an error, so
        a write error is logged instead of replacing it."""
        try:
            self.drain()
        except Exception:
            if not failing:
                raise
            log.exception("a window write failed while the sync was already failing")
        finally:
            if self._thread is not None:
                self._jobs.put(None)
                self._thread.join()
                self._thread = None


@dataclass(frozen=True, slots=True)
class _Window:
    """One window's refunds as listed, and the bodies of its pages when the client kept them."""

    items: list[Any]
    pages: list[tuple[bytes, str]] | None


@dataclass(frozen=True, slots=True)
class _Snapshot:
    status: int | None
    negotiate_status: int | None
    expire_time: int | None
    update_time: int | None
    seen_at: int
