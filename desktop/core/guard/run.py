"""One guard run: re-read the due requests and agree them through the action engine (journaled
first, one call per refund, the journal entry marked as the guard's with the policy that allowed
it), never on stale data, never past a cap, never on a held request; the always-on watcher's guard
and the app's wake-up times."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from desktop.core.domain.deadlines import deadline_of, stage_of
from desktop.core.domain.rules import Rules
from desktop.core.guard.notices import pre_notice, pre_notice_minutes, result_notice
from desktop.core.guard.policy import (
    APPROVED,
    CHANGED,
    DUE,
    FAILED,
    MINUTE_MS,
    ORIGIN,
    SKIPPED,
    WOULD_APPROVE,
    GuardPolicy,
    holds,
    load_policy,
)
from desktop.core.guard.selection import Considered, select, usage_today
from desktop.core.i18n import tr

if TYPE_CHECKING:
    from desktop.core.actions import ActionEngine, ItemResult
    from desktop.core.actions.throttle import Cancelled
    from desktop.core.kuaishou.client import KuaishouClient
    from desktop.core.robots.messages import Notice
    from desktop.core.store import Store

log = logging.getLogger(__name__)


@dataclass
class GuardReport:
    shop_id: int
    policy: GuardPolicy
    considered: list[Considered] = field(default_factory=list)
    #: results of earlier interrupted runs, settled before this one
    reconciled: list[ItemResult] = field(default_factory=list)
    stopped: str | None = None
    dry_run: bool = False

    @property
    def failed(self) -> bool:
        return bool(self.stopped) or any(c.outcome == FAILED for c in self.considered)

    def count(self, outcome: str) -> int:
        return sum(1 for c in self.considered if c.outcome == outcome)


class Guard:
    """One shop's guard runs. ``engine``: the shop's :class:`~desktop.core.actions.ActionEngine`
    (its client and store); ``clock``: local epoch seconds. Runs are serialised per instance."""

    def __init__(self, engine: ActionEngine, rules: Rules, *, clock: Callable[[], float] = time.time) -> None:
        self.engine = engine
        self.store = engine.store
        self.shop_id = engine.shop_id
        self.rules = rules
        self._clock = clock
        self._lock = threading.Lock()

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)

    def stale_ms(self) -> int:
        return (int(self.rules.guard.stale_minutes.value) if self.rules.guard else 5) * MINUTE_MS

    def run(
        self,
        policy: GuardPolicy,
        *,
        dry_run: bool = False,
        cancelled: Cancelled | threading.Event | None = None,
    ) -> GuardReport:
        with self._lock:
            report = self._run(policy, dry_run, cancelled)
        log.info(
            "guard run for shop %s%s: %s",
            self.shop_id,
            " (dry run)" if dry_run else "",
            ", ".join(
                f"{c.refund_id} {c.outcome}{' (' + c.code + ')' if c.code else ''}" for c in report.considered
            )
            or "nothing due",
        )
        return report

    def _run(
        self, policy: GuardPolicy, dry_run: bool, cancelled: Cancelled | threading.Event | None
    ) -> GuardReport:
        from desktop.core.actions import Approve, Outcome, Skip

        report = GuardReport(self.shop_id, policy, dry_run=dry_run)
        if not dry_run:
            # what a killed earlier run left open is settled first (never sent again)
            report.reconciled = self.engine.reconcile(cancelled=cancelled)
        now = self._now_ms()
        shop = self.store.shops.get(self.shop_id)
        offset = (shop.server_clock_offset_ms if shop else None) or 0
        used = usage_today(self.store, self.shop_id, now_ms=now, server_offset_ms=offset)
        considered = select(
            self.store.refunds.waiting(self.shop_id),
            self.rules,
            policy,
            holds(self.store, self.shop_id),
            now_ms=now,
            server_offset_ms=offset,
            used=used,
        )
        due = [c for c in considered if c.outcome == DUE]
        last_ok = shop.last_success_at if shop else None
        if due and (last_ok is None or now - last_ok > self.stale_ms()):
            reason = tr(
                "The last successful read of the shop is older than {minutes} minutes; the "
                "guard does not act on stale data.",
                minutes=self.stale_ms() // MINUTE_MS,
            )
            considered = [
                replace(c, outcome=SKIPPED, code="stale", reason=reason) if c.outcome == DUE else c
                for c in considered
            ]
            report.considered = considered
            return report
        if not due:
            report.considered = considered
            return report

        plan = self.engine.prepare([c.refund_id for c in due], Approve(), cancelled=cancelled)
        by_id = {c.refund_id: c for c in considered}
        skips: dict[int, Skip] = {s.refund_id: s for s in plan.skipped}
        # an earlier action whose delivery stays undecided: never sent again by the guard; the
        # seller must look (the deadline is close), so it counts as failed and is said loudly
        undecided = {
            r.refund_id for r in (*report.reconciled, *plan.reconciled) if r.outcome is Outcome.UNKNOWN
        }
        for rid, s in skips.items():
            c = by_id[rid]
            if rid in undecided:
                by_id[rid] = replace(c, outcome=FAILED, code="undecided", reason=s.reason)
            elif s.state is None:  # not read
                by_id[rid] = replace(c, outcome=SKIPPED, code="unreadable", reason=s.reason)
            else:
                by_id[rid] = replace(c, outcome=CHANGED, code="changed", reason=s.reason)
        # the fresh reads decide again: stage, amount and deadline as they are now, caps in order
        fresh_ok = select(
            [plan.refunds[a.refund_id] for a in plan.actions],
            self.rules,
            policy,
            holds(self.store, self.shop_id),
            now_ms=now,
            server_offset_ms=offset,
            used=used,
        )
        fresh_by_id = {c.refund_id: c for c in fresh_ok}
        drop = []
        for action in plan.actions:
            fresh = fresh_by_id.get(action.refund_id)
            if fresh is None or fresh.outcome != DUE:
                drop.append(action.refund_id)
                c = by_id[action.refund_id]
                if fresh is None:
                    by_id[action.refund_id] = replace(
                        c,
                        outcome=CHANGED,
                        code="changed",
                        reason=tr("The request changed meanwhile; it is no longer due."),
                    )
                else:  # now outside the policy (held, other stage, amount, cap, overdue)
                    by_id[action.refund_id] = fresh
        plan = plan.without(drop)
        if dry_run:
            for action in plan.actions:
                c = fresh_by_id[action.refund_id]
                by_id[action.refund_id] = replace(c, outcome=WOULD_APPROVE, reason=tr("Would be agreed now."))
            report.considered = [by_id[c.refund_id] for c in considered]
            return report
        if plan.actions:
            fees = {a.refund_id: fresh_by_id[a.refund_id].refund_fee_fen or 0 for a in plan.actions}
            # one journal origin per action: the fee counted against the daily money cap
            results: list[ItemResult] = []
            stopped = None
            for action in plan.actions:
                origin = {"by": ORIGIN, "policy": policy.to_json(), "refund_fee_fen": fees[action.refund_id]}
                batch = self.engine.execute(
                    replace(plan, actions=(action,)), cancelled=cancelled, origin=origin
                )
                results.extend(batch.results)
                if batch.stopped:
                    stopped = batch.stopped
                    break
            report.stopped = stopped
            done_ids = {r.refund_id for r in results}
            for r in results:
                c = fresh_by_id[r.refund_id]
                if r.outcome is Outcome.DONE:
                    by_id[r.refund_id] = replace(c, outcome=APPROVED, reason=r.message)
                elif r.outcome is Outcome.CHANGED:
                    by_id[r.refund_id] = replace(c, outcome=CHANGED, code="changed", reason=r.message)
                else:
                    by_id[r.refund_id] = replace(c, outcome=FAILED, code="failed", reason=r.message)
            for action in plan.actions:
                if action.refund_id not in done_ids:
                    c = fresh_by_id[action.refund_id]
                    by_id[action.refund_id] = replace(
                        c,
                        outcome=FAILED,
                        code="failed",
                        reason=tr("Not sent: {reason}", reason=stopped or tr("cancelled.")),
                    )
        report.considered = [by_id[c.refund_id] for c in considered]
        return report


class WatchGuard:
    """The guard as the always-on watcher (``aftersale-watch watch``) runs it after each sync of a
    shop (:func:`desktop.core.watcher.find_guard`): the shop's saved policy, when enabled; returns
    the robot notices of the result and of the pre-notice."""

    def run(
        self, *, store: Store, shop_id: int, client: KuaishouClient, rules: Rules, now_ms: int
    ) -> list[Notice]:
        from desktop.core.actions import ActionEngine
        from desktop.core.robots.service import notice_from_guard

        policy = load_policy(store, shop_id)
        if policy is None or not policy.enabled:
            return []
        # the watcher's clock (``now_ms``), running on from this call
        skew_s = now_ms / 1000 - time.time()

        def clock() -> float:
            return time.time() + skew_s

        engine = ActionEngine(client, store, shop_id=shop_id, clock=clock)
        report = Guard(engine, rules, clock=clock).run(policy)
        shop = store.shops.get(shop_id)
        label = shop.label if shop is not None else ""
        notices = (result_notice(report), pre_notice(store, shop_id, rules, policy, now_ms=now_ms))
        return [notice_from_guard(n, label) for n in notices if n is not None]


def watch_guard(store: Store) -> WatchGuard | None:
    """The guard for the always-on watcher when some shop of ``store`` has it enabled, else
    ``None`` (a policy enabled later is picked up when the watcher starts again)."""
    for shop in store.shops.all():
        policy = load_policy(store, shop.id)
        if policy is not None and policy.enabled:
            return WatchGuard()
    return None


def next_wakeups(store: Store, shop_id: int, rules: Rules, policy: GuardPolicy, *, now_ms: int) -> list[int]:
    """Local times (ms, ascending) at which the app should run the guard or send a pre-notice for
    the shop's waiting requests inside the policy: each request's act time (deadline − lead) and
    its pre-notice time, those still ahead of ``now_ms``."""
    if not policy.enabled:
        return []
    shop = store.shops.get(shop_id)
    offset = (shop.server_clock_offset_ms if shop else None) or 0
    pre = pre_notice_minutes(rules) * MINUTE_MS
    out = set()
    held = holds(store, shop_id)
    for r in store.refunds.waiting(shop_id):
        stage = stage_of(r)
        if stage.value not in policy.stages or r.refund_id in held:
            continue
        d = deadline_of(r, rules, server_offset_ms=offset)
        if d.expire_at_ms is None or d.estimated:
            continue
        act = d.expire_at_ms - policy.lead_ms
        for t in (act - pre, act):
            if t > now_ms:
                out.add(t)
    return sorted(out)
