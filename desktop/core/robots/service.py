"""The robots of one process (the app or the watcher): channels, dispatcher and policy together.

    robots = RobotAlerts(store, rules, channels_fn)
    robots.evaluate()          # the alert tiers, auto-approvals, long sync failures: due ones sent
    robots.notify(notices)     # anything else that should ring the phone (the guard's pre-notice
                               # and result): queued once per channel, sent as the channel's digest
    robots.close()

Blocking (store, keychain, network): off the UI thread.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from typing import Any

from desktop.core.robots.channels import ResolvedChannel
from desktop.core.robots.dispatch import Delivery, RobotDispatcher
from desktop.core.robots.messages import Notice
from desktop.core.robots.planning import Evaluation, PolicySettings, RobotPolicy, evaluate, rules_thresholds_min


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
        self.dispatcher = RobotDispatcher(store, channels_fn, transport=transport, clock=clock, sleep=sleep,
                                          **options)

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
