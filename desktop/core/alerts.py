"""When to warn before an auto-approval (Qt-free; the tray and notifier in ``desktop/ui`` show them).

The planner is a pure function of: the pending requests that wait on the merchant (each with its
deadline already on the local clock), what was already alerted (from the store, so it survives
restarts), the time now, and the policy (thresholds, quiet hours, pause). It returns the digests to
show and the (refund, key) pairs to remember. Rules:

* Each (request, threshold) is alerted exactly once. When a request is first seen already inside
  several thresholds (say 1 h left: inside 24 h, 6 h and 2 h), only the tightest one is shown and the
  looser ones are remembered as passed, so they never fire later.
* Several alerts due at once become one digest ("5 requests expire within 2 h, ¥1,230"; with
  several tiers: "12 requests near their deadline, ¥2,340: 5 within 2 h, 7 within 24 h").
* Paused or inside quiet hours: nothing is shown and nothing is remembered, so what is still relevant
  fires as soon as the pause or the quiet hours end (stale looser thresholds are skipped then).
* Before quiet hours begin (``pre_quiet_lead``), one digest lists every request whose deadline falls
  inside the coming quiet hours: the overnight auto-approval is the classic way sellers get caught.
* A request the sync classified as auto-approved after its deadline gets one "expired and
  auto-approved" alert, so the seller learns of it the same day.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from desktop.core.i18n import tr

if TYPE_CHECKING:
    from desktop.core.queue_rows import QueueRow

HOUR_MS = 3_600_000
MINUTE_MS = 60_000

#: store key of the pre-quiet digest for one night (``prequiet:2026-11-26``)
PRE_QUIET_PREFIX = "prequiet:"
AUTO_APPROVED_KEY = "auto_approved"


def threshold_key(threshold_ms: int) -> str:
    """The store key of a threshold (``"t7200"`` for 2 h): stable when the tiers are edited."""
    return f"t{threshold_ms // 1000}"


@dataclass(frozen=True, slots=True)
class AlertItem:
    """A request waiting on the merchant, as the planner needs it."""

    shop_id: int
    refund_id: int
    deadline_ms: int  # on the local clock (already corrected by the server clock offset)
    refund_fee: int = 0  # fen
    title: str = ""


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily quiet period in local time; ``start > end`` spans midnight (22:00–08:00)."""

    start: dt.time
    end: dt.time

    def contains(self, moment: dt.datetime) -> bool:
        t = moment.timetz().replace(tzinfo=None)
        if self.start <= self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end

    def next_period(self, moment: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """The next quiet period that has not ended yet at ``moment`` (local, aware datetimes)."""
        day = moment.date() - dt.timedelta(days=1)
        for _ in range(3):
            begin = dt.datetime.combine(day, self.start, tzinfo=moment.tzinfo)
            end_day = day if self.start < self.end else day + dt.timedelta(days=1)
            end = dt.datetime.combine(end_day, self.end, tzinfo=moment.tzinfo)
            if end > moment:
                return begin, end
            day += dt.timedelta(days=1)
        raise AssertionError("unreachable: a quiet period ends within two days")


@dataclass(frozen=True, slots=True)
class AlertPolicy:
    thresholds_ms: tuple[int, ...] = (24 * HOUR_MS, 6 * HOUR_MS, 2 * HOUR_MS, 30 * MINUTE_MS)
    quiet: QuietHours | None = None
    pre_quiet_lead_ms: int = 30 * MINUTE_MS
    paused_until_ms: int | None = None

    def __post_init__(self) -> None:
        if not self.thresholds_ms or any(t <= 0 for t in self.thresholds_ms):
            raise ValueError("alert thresholds must be positive")
        # loosest first
        object.__setattr__(self, "thresholds_ms", tuple(sorted(set(self.thresholds_ms), reverse=True)))


@dataclass(frozen=True, slots=True)
class Digest:
    """One notification: one or more requests sharing a reason.

    ``keys[i]`` is what the store remembers for ``items[i]``; for a threshold digest ``tiers[i]`` is
    the warning time (ms) that item crossed — one digest covers every tier crossed at once.
    """

    kind: str  # "threshold" | "pre_quiet" | "auto_approved"
    items: tuple[AlertItem, ...]
    keys: tuple[str, ...]
    tiers: tuple[int, ...] = ()
    quiet_begin: dt.datetime | None = None
    quiet_end: dt.datetime | None = None

    @property
    def threshold_ms(self) -> int | None:
        """The tightest warning time in the digest."""
        return min(self.tiers) if self.tiers else None

    @property
    def total_fee(self) -> int:
        return sum(i.refund_fee for i in self.items)

    @property
    def critical(self) -> bool:
        tightest = self.threshold_ms
        return self.kind == "auto_approved" or (tightest is not None and tightest <= 2 * HOUR_MS)

    def keep(self, wanted: set[tuple[int, int, str]]) -> Digest | None:
        """This digest with only the entries whose (shop, refund, key) is in ``wanted``."""
        picked = [
            n
            for n, (i, k) in enumerate(zip(self.items, self.keys, strict=False))
            if (i.shop_id, i.refund_id, k) in wanted
        ]
        if not picked:
            return None
        return dataclasses.replace(
            self,
            items=tuple(self.items[n] for n in picked),
            keys=tuple(self.keys[n] for n in picked),
            tiers=tuple(self.tiers[n] for n in picked) if self.tiers else (),
        )

    def title(self) -> str:
        if self.kind == "auto_approved":
            return tr("Auto-approved after the deadline")
        if self.kind == "pre_quiet":
            return tr("Deadlines during your quiet hours")
        return tr("After-sale deadline approaching")

    def text(self) -> str:
        n = len(self.items)
        money = format_fen(self.total_fee)
        if self.kind == "auto_approved":
            return tr(
                "{count} request(s) expired and were auto-approved by the platform, {money}",
                count=n,
                money=money,
            )
        if self.kind == "pre_quiet":
            return tr(
                "{count} request(s) expire between {begin} and {end}, {money}: handle them before you stop",
                count=n,
                money=money,
                begin=self.quiet_begin.strftime("%H:%M") if self.quiet_begin else "",
                end=self.quiet_end.strftime("%H:%M") if self.quiet_end else "",
            )
        counts = collections.Counter(self.tiers)
        if len(counts) == 1:
            return tr(
                "{count} request(s) expire within {within}, {money}",
                count=n,
                within=format_duration(self.threshold_ms or 0),
                money=money,
            )
        parts = tr(", ").join(
            tr("{count} within {within}", count=counts[t], within=format_duration(t)) for t in sorted(counts)
        )
        return tr(
            "{count} request(s) near their deadline, {money}: {parts}", count=n, money=money, parts=parts
        )


@dataclass(frozen=True, slots=True)
class AlertPlan:
    digests: tuple[Digest, ...] = ()
    #: (shop_id, refund_id, key) to remember as alerted (shown or deliberately skipped)
    remember: tuple[tuple[int, int, str], ...] = ()
    #: why nothing was shown although something was due ("paused" | "quiet" | "")
    held_back: str = ""
    held_items: tuple[AlertItem, ...] = field(default=())


def format_fen(fen: int) -> str:
    return f"¥{fen / 100:,.2f}"


def format_duration(ms: int) -> str:
    if ms >= HOUR_MS and ms % HOUR_MS == 0:
        return tr("{hours} h", hours=ms // HOUR_MS)
    return tr("{minutes} min", minutes=round(ms / MINUTE_MS))


def plan_alerts(
    pending: Iterable[AlertItem],
    alerted: set[tuple[int, int, str]],
    now: dt.datetime,
    policy: AlertPolicy,
    *,
    auto_approved: Sequence[AlertItem] = (),
) -> AlertPlan:
    """What to show now. ``now`` is an aware local datetime; ``alerted`` holds (shop, refund, key)."""
    pending = list(pending)
    now_ms = int(now.timestamp() * 1000)
    due: list[tuple[AlertItem, int]] = []  # (item, the tightest warning time it is inside)
    remember: list[tuple[int, int, str]] = []
    for item in pending:
        left = item.deadline_ms - now_ms
        if left < 0:
            continue  # overdue: the sync tells whether it was auto-approved
        inside = [t for t in policy.thresholds_ms if left <= t]
        if not inside:
            continue
        tightest = inside[-1]
        key = threshold_key(tightest)
        if (item.shop_id, item.refund_id, key) in alerted:
            continue
        due.append((item, tightest))
        remember.extend((item.shop_id, item.refund_id, threshold_key(t)) for t in inside)
    fresh_auto = [i for i in auto_approved if (i.shop_id, i.refund_id, AUTO_APPROVED_KEY) not in alerted]

    pre_quiet: Digest | None = None
    if policy.quiet is not None:
        begin, end = policy.quiet.next_period(now)
        night_key = PRE_QUIET_PREFIX + begin.date().isoformat()
        lead_start = begin - dt.timedelta(milliseconds=policy.pre_quiet_lead_ms)
        if lead_start <= now < begin:
            begin_ms, end_ms = int(begin.timestamp() * 1000), int(end.timestamp() * 1000)
            night = [
                i
                for i in pending
                if begin_ms <= i.deadline_ms < end_ms and (i.shop_id, i.refund_id, night_key) not in alerted
            ]
            if night:
                night.sort(key=lambda i: i.deadline_ms)
                pre_quiet = Digest(
                    "pre_quiet", tuple(night), (night_key,) * len(night), quiet_begin=begin, quiet_end=end
                )
                remember.extend((i.shop_id, i.refund_id, night_key) for i in night)

    digests: list[Digest] = []
    if pre_quiet is not None:
        digests.append(pre_quiet)
    if due:
        entries = sorted(due, key=lambda e: e[0].deadline_ms)  # soonest first
        digests.append(
            Digest(
                "threshold",
                tuple(i for i, _ in entries),
                tuple(threshold_key(t) for _, t in entries),
                tuple(t for _, t in entries),
            )
        )
    if fresh_auto:
        digests.append(Digest("auto_approved", tuple(fresh_auto), (AUTO_APPROVED_KEY,) * len(fresh_auto)))
        remember.extend((i.shop_id, i.refund_id, AUTO_APPROVED_KEY) for i in fresh_auto)

    held = ""
    if policy.paused_until_ms is not None and now_ms < policy.paused_until_ms:
        held = "paused"
    elif policy.quiet is not None and policy.quiet.contains(now):
        held = "quiet"
    if held:
        items = tuple(i for d in digests for i in d.items)
        return AlertPlan(held_back=held if items else "", held_items=items)
    return AlertPlan(tuple(digests), tuple(dict.fromkeys(remember)))


def items_from_rows(rows: Iterable[QueueRow], server_offset_ms: int | None = 0) -> list[AlertItem]:
    """Alert items for the queue rows that wait on the merchant and have a deadline.

    ``rows`` are :class:`desktop.core.queue_rows.QueueRow`: deadlines on the platform's
    clock, converted here to the local clock with the measured offset (server − local).
    """
    offset = server_offset_ms or 0
    return [
        AlertItem(r.shop_id, r.refund_id, r.expire_at_ms - offset, r.refund_fee or 0, r.product)
        for r in rows
        if r.waits_on_merchant and r.expire_at_ms is not None
    ]


OK, WARN, CRITICAL = "ok", "warn", "critical"


def summarize(items: Iterable[AlertItem], now_ms: int, *, critical_ms: int, warn_ms: int) -> tuple[str, int]:
    """The tray's state: ``critical`` (with how many are critical or overdue), ``warn`` or ``ok``."""
    critical = warn = 0
    for item in items:
        left = item.deadline_ms - now_ms
        if left <= critical_ms:
            critical += 1
        elif left <= warn_ms:
            warn += 1
    if critical:
        return CRITICAL, critical
    return (WARN, 0) if warn else (OK, 0)
