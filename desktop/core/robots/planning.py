"""Which notices are due for the robots now, from the store alone (the app and the watcher alike).

:func:`evaluate` is one evaluation: it reads the requests waiting on the merchant, the recent
auto-approvals and the shops' sync state, plans per channel what that channel has not had yet,
queues it and sends each channel one digest (:class:`~desktop.core.robots.dispatch.RobotDispatcher`).

* **Alert tiers** (24 h / 6 h / 2 h / 30 min by default — the same as the pop-ups): each request once
  per deadline, tier and channel (a new stage's deadline is announced again). A request first seen inside several tiers is announced for the tightest one;
  the looser ones are remembered as passed and never sent later.
* **Auto-approvals** the sync recorded with a deadline in the last day: once per step and channel.
* **A sync failing for more than an hour**: once per outage and channel (the outage starts at the
  first failure this app saw after the last success; kept in the store's settings).
* **Quiet hours for robots** (their own switch; off by default): inside them only requests within
  the last ``night_ring`` minutes (30 by default) ring; everything else waits, not remembered, and is
  announced when the quiet hours end if it is still relevant.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from desktop.core.alerts import HOUR_MS, MINUTE_MS, QuietHours, threshold_key
from desktop.core.robots.channels import ResolvedChannel
from desktop.core.robots.messages import AUTO_APPROVED, SYNC_FAILED, TIER, Notice

log = logging.getLogger(__name__)

POLICY_KEY = "robots.policy"
FAILING_SINCE_KEY = "robots.sync_failing_since"
DEFAULT_THRESHOLDS_MIN = (24 * 60, 6 * 60, 2 * 60, 30)
DEFAULT_QUIET = ("22:00", "08:00")
AUTO_APPROVED_LOOKBACK_MS = 24 * HOUR_MS


@dataclass(frozen=True, slots=True)
class RobotPolicy:
    thresholds_ms: tuple[int, ...] = tuple(m * MINUTE_MS for m in DEFAULT_THRESHOLDS_MIN)
    quiet: QuietHours | None = None
    night_ring_ms: int = 30 * MINUTE_MS
    sync_failure_after_ms: int = HOUR_MS

    def __post_init__(self) -> None:
        if not self.thresholds_ms or any(t <= 0 for t in self.thresholds_ms):
            raise ValueError("alert thresholds must be positive")
        object.__setattr__(self, "thresholds_ms", tuple(sorted(set(self.thresholds_ms), reverse=True)))


@dataclass(frozen=True, slots=True)
class PolicySettings:
    """The robots' own settings as kept in the store (``robots.policy``); never secrets."""

    quiet_enabled: bool = False
    quiet_start: str = DEFAULT_QUIET[0]
    quiet_end: str = DEFAULT_QUIET[1]
    night_ring_min: int = 30
    #: the pop-ups' warning times, copied here by the app so the watcher uses the same ones
    thresholds_min: tuple[int, ...] | None = None

    @classmethod
    def load(cls, store: Any) -> PolicySettings:
        raw = store.settings.get(POLICY_KEY, {})
        raw = raw if isinstance(raw, dict) else {}
        base = cls()
        try:
            thresholds = raw.get("thresholds_min")
            parsed = (
                tuple(int(m) for m in thresholds) if isinstance(thresholds, list) and thresholds else None
            )
            if parsed is not None and not all(1 <= m <= 7 * 24 * 60 for m in parsed):
                parsed = None
            start, end = (
                str(raw.get("quiet_start", base.quiet_start)),
                str(raw.get("quiet_end", base.quiet_end)),
            )
            dt.time.fromisoformat(start), dt.time.fromisoformat(end)
            ring = int(raw.get("night_ring_min", base.night_ring_min))
        except (TypeError, ValueError):
            log.warning("ignoring unreadable robot settings in the store")
            return base
        return cls(bool(raw.get("quiet_enabled", False)), start, end, min(max(ring, 0), 24 * 60), parsed)

    def save(self, store: Any) -> None:
        store.settings.set(
            POLICY_KEY,
            {
                "quiet_enabled": self.quiet_enabled,
                "quiet_start": self.quiet_start,
                "quiet_end": self.quiet_end,
                "night_ring_min": self.night_ring_min,
                "thresholds_min": list(self.thresholds_min) if self.thresholds_min else None,
            },
        )

    def policy(self, default_thresholds_min: Sequence[int] = DEFAULT_THRESHOLDS_MIN) -> RobotPolicy:
        quiet = None
        if self.quiet_enabled:
            start, end = dt.time.fromisoformat(self.quiet_start), dt.time.fromisoformat(self.quiet_end)
            quiet = QuietHours(start, end) if start != end else None
        minutes = self.thresholds_min or tuple(default_thresholds_min)
        return RobotPolicy(tuple(m * MINUTE_MS for m in minutes), quiet, self.night_ring_min * MINUTE_MS)


def rules_thresholds_min(rules: Any) -> tuple[int, ...]:
    """The rules file's default warning times (``warnings.alert_hours``) in minutes."""
    return tuple(round(h * 60) for h in rules.warnings.alert_hours.value)


@dataclass(frozen=True, slots=True)
class Waiting:
    """A request waiting on the merchant (deadline on the local clock)."""

    shop_id: int
    shop_name: str
    refund_id: int
    deadline_ms: int
    kind: str = "unknown"
    amount_fen: int | None = None
    product: str = ""
    platform_deadline_ms: int | None = None  # as the platform (or the rules' estimate) gives it

    def __post_init__(self) -> None:
        if self.platform_deadline_ms is None:
            object.__setattr__(self, "platform_deadline_ms", self.deadline_ms)


@dataclass
class Plan:
    """For one channel: the notices to queue, and keys to remember as passed without a message."""

    notices: list[Notice] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (shop_id, key)
    held: int = 0  # due, but waiting for the end of the quiet hours


def tier_key(threshold_ms: int, shop_id: int, refund_id: int, platform_deadline_ms: int) -> str:
    """Once per request, deadline and tier: a request that reaches a new stage (or whose deadline the
    platform moves) is announced again for its new deadline, never twice for the same one."""
    return f"{threshold_key(threshold_ms)}:{shop_id}:{refund_id}:{platform_deadline_ms}"


def plan_channel(
    waiting: Iterable[Waiting],
    events: Sequence[Notice],
    sent: set[str],
    now: dt.datetime,
    policy: RobotPolicy,
) -> Plan:
    """What one channel gets now. ``events`` are notices that are not tiers (auto-approvals, sync
    failures); ``sent`` are the keys the channel already has (sent or queued)."""
    now_ms = int(now.timestamp() * 1000)
    quiet = policy.quiet is not None and policy.quiet.contains(now)
    plan = Plan()
    for w in waiting:
        left = w.deadline_ms - now_ms
        if left < 0:
            continue
        inside = [t for t in policy.thresholds_ms if left <= t]
        if not inside:
            continue
        tightest = inside[-1]
        key = tier_key(tightest, w.shop_id, w.refund_id, w.platform_deadline_ms)
        if key in sent:
            continue
        if quiet and tightest > policy.night_ring_ms:
            plan.held += 1
            continue
        plan.notices.append(
            Notice(
                TIER,
                key,
                w.shop_id,
                w.shop_name,
                w.refund_id,
                w.kind,
                w.amount_fen,
                w.deadline_ms,
                w.product,
                tightest,
            )
        )
        plan.skipped.extend(
            (w.shop_id, k)
            for t in inside[:-1]
            if (k := tier_key(t, w.shop_id, w.refund_id, w.platform_deadline_ms)) not in sent
        )
    for event in events:
        if event.key in sent:
            continue
        if quiet:
            plan.held += 1
            continue
        plan.notices.append(event)
    return plan


# ---------------------------------------------------------------------------------- from the store
def waiting_from_store(store: Any, rules: Any) -> list[Waiting]:
    from desktop.core.queue_rows import rows_from_store

    offsets = {s.id: s.server_clock_offset_ms or 0 for s in store.shops.all()}
    return [
        Waiting(
            r.shop_id,
            r.shop_name,
            r.refund_id,
            r.expire_at_ms - offsets.get(r.shop_id, 0),
            r.kind,
            r.refund_fee,
            r.product,
            r.expire_at_ms,
        )
        for r in rows_from_store(store, rules)
        if r.waits_on_merchant and r.expire_at_ms is not None
    ]


def auto_approved_from_store(store: Any, now_ms: int) -> list[Notice]:
    """Auto-approved steps whose deadline passed within the last day (the sync records them)."""
    from desktop.core.domain.deadlines import kind_of

    out = []
    for shop in store.shops.all():
        offset = shop.server_clock_offset_ms or 0
        for step in store.classification.auto_approvals(
            shop.id, since=now_ms + offset - AUTO_APPROVED_LOOKBACK_MS
        ):
            refund = store.refunds.get(shop.id, step.refund_id)
            out.append(
                Notice(
                    AUTO_APPROVED,
                    f"auto:{shop.id}:{step.refund_id}:{step.at}",
                    shop.id,
                    shop.label,
                    step.refund_id,
                    kind_of(refund) if refund is not None else "unknown",
                    refund.refund_fee if refund is not None else None,
                    step.at - offset,
                    (refund.sku_nick or "") if refund is not None else "",
                )
            )
    return out


def sync_failures_from_store(store: Any, now_ms: int, policy: RobotPolicy) -> list[Notice]:
    """A notice per shop whose sync has failed for longer than ``policy.sync_failure_after_ms``."""
    from desktop.core.i18n import tr

    since = store.settings.get(FAILING_SINCE_KEY, {})
    since = dict(since) if isinstance(since, dict) else {}
    changed = False
    out = []
    shops = store.shops.all()
    for shop in shops:
        sid = str(shop.id)
        failing = shop.last_error_at is not None and (
            shop.last_success_at is None or shop.last_error_at > shop.last_success_at
        )
        if not failing:
            changed |= since.pop(sid, None) is not None
            continue
        if sid not in since:
            since[sid] = shop.last_error_at
            changed = True
        start = int(since[sid])
        if now_ms - start >= policy.sync_failure_after_ms:
            hours = max(1, (now_ms - start) // HOUR_MS)
            text = tr(
                "{shop}: no successful sync for {hours} h or more. Check the network and the sign-in.",
                shop=shop.label or str(shop.id),
                hours=hours,
            )
            out.append(Notice(SYNC_FAILED, f"syncfail:{shop.id}:{start}", shop.id, shop.label, text=text))
    known = {str(s.id) for s in shops}
    for sid in [s for s in since if s not in known]:
        del since[sid]
        changed = True
    if changed:
        store.settings.set(FAILING_SINCE_KEY, since)
    return out


@dataclass
class Evaluation:
    queued: int = 0
    held: int = 0
    deliveries: list[Any] = field(default_factory=list)


def evaluate(
    store: Any,
    dispatcher: Any,
    rules: Any,
    policy: RobotPolicy,
    now: dt.datetime,
    *,
    channels: Sequence[ResolvedChannel] | None = None,
    deliver: bool = True,
) -> Evaluation:
    """One evaluation for every channel: plan, queue, and (``deliver``) send one digest each."""
    chans = list(dispatcher.channels_fn() if channels is None else channels)
    result = Evaluation()
    if not chans:
        return result
    now_ms = int(now.timestamp() * 1000)
    waiting = waiting_from_store(store, rules)
    events = auto_approved_from_store(store, now_ms) + sync_failures_from_store(store, now_ms, policy)
    for channel in chans:
        plan = plan_channel(waiting, events, dispatcher.sent_keys(channel.id), now, policy)
        result.held += plan.held
        by_shop: dict[int, list[str]] = {}
        for shop_id, key in plan.skipped:
            by_shop.setdefault(shop_id, []).append(key)
        for shop_id, keys in by_shop.items():
            dispatcher.remember(channel.id, keys, shop_id=shop_id)
        result.queued += dispatcher.submit(plan.notices, channels=[channel])
    if deliver:
        result.deliveries = dispatcher.deliver(chans)
    return result
