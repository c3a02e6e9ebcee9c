"""The guard's notifications: the pre-notice before it acts, the result after, and the bus the
channels (the tray, the alert center, the phone robots) attach to."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop.core.domain.rules import Rules
from desktop.core.guard.policy import (
    APPROVED,
    DUE,
    FAILED,
    MINUTE_MS,
    PRE_NOTICE_KEY,
    GuardPolicy,
    _money,
    holds,
)
from desktop.core.guard.selection import Considered, select, usage_today
from desktop.core.i18n import tr

if TYPE_CHECKING:
    from desktop.core.guard.run import GuardReport
    from desktop.core.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class GuardNotice:
    """One notification of the guard (pre-notice, result or cap warning), already translated."""

    kind: str  # "pre_notice" | "result" | "cap"
    shop_id: int
    title: str
    text: str
    refund_ids: tuple[int, ...] = ()
    money_fen: int = 0
    urgent: bool = False


class NoticeBus:
    """Where the guard's notifications go: every attached channel gets each one (the tray and the
    alert center today; phone robots attach here too). A failing channel is logged and does not
    keep the others from the notice."""

    def __init__(self) -> None:
        self._channels: list[Callable[[GuardNotice], None]] = []
        self._lock = threading.Lock()

    def attach(self, channel: Callable[[GuardNotice], None]) -> None:
        with self._lock:
            self._channels.append(channel)

    def send(self, notice: GuardNotice) -> None:
        with self._lock:
            channels = list(self._channels)
        for channel in channels:
            try:
                channel(notice)
            except Exception:
                log.exception("a guard notification channel failed")


def upcoming(
    store: Store,
    shop_id: int,
    rules: Rules,
    policy: GuardPolicy,
    *,
    now_ms: int,
    pre_notice_ms: int | None = None,
) -> list[Considered]:
    """The requests the guard will agree within the pre-notice time but not yet (inside the policy
    and the caps, not held), soonest first. Those already due are acted on now, not announced."""
    if not policy.enabled:
        return []
    shop = store.shops.get(shop_id)
    offset = (shop.server_clock_offset_ms if shop else None) or 0
    if pre_notice_ms is None:
        pre_notice_ms = pre_notice_minutes(rules) * MINUTE_MS
    used = usage_today(store, shop_id, now_ms=now_ms, server_offset_ms=offset)
    return [
        c
        for c in select(
            store.refunds.waiting(shop_id),
            rules,
            policy,
            holds(store, shop_id),
            now_ms=now_ms,
            server_offset_ms=offset,
            used=used,
            within_ms=policy.lead_ms + pre_notice_ms,
        )
        if c.outcome == DUE and c.expire_at_ms is not None and c.expire_at_ms - now_ms > policy.lead_ms
    ]


def pre_notice_minutes(rules: Rules) -> int:
    return int(rules.guard.pre_notice_minutes.value) if rules.guard else 15


def pre_notice(
    store: Store,
    shop_id: int,
    rules: Rules,
    policy: GuardPolicy,
    *,
    now_ms: int,
) -> GuardNotice | None:
    """The pre-notice of the requests the guard will agree within the pre-notice time that were not
    announced yet (each request is announced once); ``None`` when there is nothing new."""
    fresh = [
        c
        for c in upcoming(store, shop_id, rules, policy, now_ms=now_ms)
        if store.notifications.mark(shop_id, c.refund_id, PRE_NOTICE_KEY, at=now_ms)
    ]
    if not fresh:
        return None
    money = sum(c.refund_fee_fen or 0 for c in fresh)
    first_act = min(c.expire_at_ms or now_ms for c in fresh) - policy.lead_ms
    minutes = max(1, -(-(first_act - now_ms) // MINUTE_MS))
    return GuardNotice(
        "pre_notice",
        shop_id,
        tr("The guard will act soon"),
        tr(
            "In {minutes} minutes {count} after-sale requests ({money}) will be agreed automatically "
            "so they do not expire, unless you handle them first",
            minutes=minutes,
            count=len(fresh),
            money=_money(money),
        ),
        tuple(c.refund_id for c in fresh),
        money,
    )


def result_notice(report: GuardReport) -> GuardNotice | None:
    """One notification of what a run did (and, loudly, of a cap or a failure); ``None`` when it
    did nothing worth saying."""
    done = [c for c in report.considered if c.outcome == APPROVED]
    failed = [c for c in report.considered if c.outcome == FAILED]
    capped = [c for c in report.considered if c.code == "cap"]
    stale = [c for c in report.considered if c.code == "stale"]
    parts = []
    money = sum(c.refund_fee_fen or 0 for c in done)
    if done:
        parts.append(
            tr(
                "The guard agreed {count} after-sale requests ({money}) before their deadline.",
                count=len(done),
                money=_money(money),
            )
        )
    if failed:
        parts.append(tr("{count} could not be agreed: handle them now.", count=len(failed)))
    if capped:
        parts.append(
            tr(
                "The guard's daily cap is reached: {count} requests will expire unless you handle them now.",
                count=len(capped),
            )
        )
    if stale:
        parts.append(
            tr(
                "The shop's data is out of date, so the guard did not act on {count} "
                "requests: handle them now.",
                count=len(stale),
            )
        )
    if not parts:
        return None
    urgent = bool(failed or capped or stale)
    ids = tuple(c.refund_id for c in (*failed, *capped, *stale, *done))
    return GuardNotice(
        "cap" if urgent and not done else "result",
        report.shop_id,
        tr("The guard needs you") if urgent else tr("The guard acted"),
        " ".join(parts),
        ids,
        money,
        urgent,
    )
