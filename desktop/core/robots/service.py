"""The robots of one process (the app or the watcher): channels, dispatcher and policy together.

    robots = RobotAlerts(store, rules, channels_fn)
    robots.evaluate()          # the alert tiers, auto-approvals, long sync failures: due ones sent
    robots.notify(notices)     # anything else that should ring the phone (the guard's pre-notice
                               # and result): queued once per channel, sent as the channel's digest
    robots.close()

The guard's notices (``desktop.core.guard.GuardNotice``: kind, shop_id, title, text, refund_ids,
money_fen) become robot notices with :func:`notice_from_guard`; :meth:`RobotAlerts.guard_channel` is
a callable to attach to the guard's notice bus (``bus.attach(robots.guard_channel())``).

Blocking (store, keychain, network): off the UI thread.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable, Sequence
from typing import Any

from desktop.core.robots.channels import ResolvedChannel
from desktop.core.robots.dispatch import Delivery, RobotDispatcher
from desktop.core.robots.messages import GUARD_PRE_NOTICE, GUARD_RESULT, Notice
from desktop.core.robots.planning import (
    Evaluation,
    PolicySettings,
    RobotPolicy,
    evaluate,
    rules_thresholds_min,
)


class RobotAlerts:
    def __init__(
        self,
        store: Any,
        rules: Any,
        channels_fn: Callable[[], Sequence[ResolvedChannel]],
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        transport: Any = None,
        retry_pauses_s: Sequence[float] | None = None,
    ) -> None:
        self.store = store
        self.rules = rules
        self.clock = clock
        options: dict[str, Any] = {}
        if retry_pauses_s is not None:
            options["retry_pauses_s"] = retry_pauses_s
        self.dispatcher = RobotDispatcher(
            store, channels_fn, transport=transport, clock=clock, sleep=sleep, **options
        )

    def close(self) -> None:
        self.dispatcher.close()

    def policy(self) -> RobotPolicy:
        return PolicySettings.load(self.store).policy(rules_thresholds_min(self.rules))

    def channels(self) -> list[ResolvedChannel]:
        return list(self.dispatcher.channels_fn())

    def evaluate(self, now: dt.datetime | None = None, *, deliver: bool = True) -> Evaluation:
        """One evaluation: what is due for each channel is queued and sent as one digest each."""
        when = now if now is not None else dt.datetime.fromtimestamp(self.clock()).astimezone()
        return evaluate(self.store, self.dispatcher, self.rules, self.policy(), when, deliver=deliver)

    def notify(self, notices: Sequence[Notice]) -> list[Delivery]:
        """The one entry point for anything else that should reach the phone (see module doc)."""
        return self.dispatcher.notify(notices)

    def guard_channel(self, *, deliver: bool = True) -> Callable[[Any], None]:
        """A channel for the guard's notice bus: each guard notice queued (and sent) to every robot."""

        def channel(guard_notice: Any) -> None:
            shop = self.store.shops.get(guard_notice.shop_id)
            notice = notice_from_guard(guard_notice, shop.label if shop is not None else "")
            if deliver:
                self.notify([notice])
            else:
                self.dispatcher.submit([notice])

        return channel


def notice_from_guard(guard_notice: Any, shop_name: str = "") -> Notice:
    """A robot notice of one guard notice (its own translated title and text; the refund ids only
    make the key, so the same notice is never sent twice to a channel)."""
    kind = GUARD_PRE_NOTICE if guard_notice.kind == "pre_notice" else GUARD_RESULT
    ids = ",".join(str(i) for i in sorted(guard_notice.refund_ids))
    digest = hashlib.sha1(f"{guard_notice.kind}|{ids}|{guard_notice.text}".encode()).hexdigest()[:16]
    return Notice(
        kind,
        f"guard:{guard_notice.shop_id}:{digest}",
        guard_notice.shop_id,
        shop_name,
        amount_fen=getattr(guard_notice, "money_fen", None) or None,
        text=f"{guard_notice.title}: {guard_notice.text}",
    )
