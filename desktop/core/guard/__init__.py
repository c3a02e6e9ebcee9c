"""The guard (售后兜底): no request is left to expire while the app runs — opt-in, capped, explained.

Why it is safe: when a request waiting on the merchant reaches its deadline, the platform agrees it
in the merchant's place (the buyer gets the refund, or returns the goods, all the same) *and* the
shop collects an overdue auto-approval, the violation the notice of 2023-05-09 punishes. Agreed by
the shop shortly before the deadline, the money and goods go exactly the same way, but the request
was handled in time. The seller keeps the whole window to look, reject or negotiate; the guard acts
only in the last minutes (``lead_minutes``), only inside the limits of the shop's policy, and says
so before it acts (a pre-notice ``pre_notice_minutes`` earlier).

Pieces (Qt-free; the app and ``aftersale-watch guard`` use the same), one module each, all
importable from here:

* :mod:`.policy` — :class:`GuardPolicy`, per shop, off by default, kept in the store's settings
  (never secrets): :func:`load_policy` / :func:`save_policy`; holds ("暂不兜底") per request:
  :func:`holds`, :func:`set_hold`.
* :mod:`.selection` — :func:`select`: which waiting requests are due and whether the policy allows
  each (pure).
* :mod:`.run` — :class:`Guard`: one run: re-read the due requests and agree them through the
  :class:`~desktop.core.actions.ActionEngine` (journaled first, one call per refund, the journal
  entry marked as the guard's with the policy that allowed it), never on stale data, never past a
  cap, never on a held request; :class:`WatchGuard` for the always-on watcher.
* :mod:`.notices` — :func:`pre_notice` / :func:`result_notice` and :class:`NoticeBus`: the
  notifications; channels (the tray, the alert center, the phone robots) attach to the bus.
* :mod:`.history` — :func:`backtest`: what the policy would have done over the stored 90-day
  history; :func:`guarded_ids` + :func:`desktop.core.domain.risk.guarded_forecast`: the forecast
  with it.

Clocks: the store keeps platform times; "now" here is the local clock, and deadlines are moved to
it with the shop's measured server-clock offset. A day (for the caps) is a Beijing calendar day.
"""

from __future__ import annotations

from desktop.core.guard.history import (
    Backtest,
    backtest,
    guarded_forecast_levels,
    guarded_ids,
)
from desktop.core.guard.notices import (
    GuardNotice,
    NoticeBus,
    pre_notice,
    pre_notice_minutes,
    result_notice,
    upcoming,
)
from desktop.core.guard.policy import (
    APPROVED,
    CHANGED,
    DUE,
    FAILED,
    HELD,
    HISTORY_DAYS,
    HOLDS_KEY,
    MINUTE_MS,
    ORIGIN,
    POLICY_KEY,
    PRE_NOTICE_KEY,
    SKIPPED,
    WOULD_APPROVE,
    GuardPolicy,
    PolicyError,
    describe_origin,
    holds,
    load_policy,
    save_policy,
    set_hold,
    setting_name,
)
from desktop.core.guard.run import Guard, GuardReport, WatchGuard, next_wakeups, watch_guard
from desktop.core.guard.selection import Considered, Usage, beijing_day_start_local, select, usage_today

__all__ = [
    "APPROVED",
    "CHANGED",
    "DUE",
    "FAILED",
    "HELD",
    "HISTORY_DAYS",
    "HOLDS_KEY",
    "MINUTE_MS",
    "ORIGIN",
    "POLICY_KEY",
    "PRE_NOTICE_KEY",
    "SKIPPED",
    "WOULD_APPROVE",
    "Backtest",
    "Considered",
    "Guard",
    "GuardNotice",
    "GuardPolicy",
    "GuardReport",
    "NoticeBus",
    "PolicyError",
    "Usage",
    "WatchGuard",
    "backtest",
    "beijing_day_start_local",
    "describe_origin",
    "guarded_forecast_levels",
    "guarded_ids",
    "holds",
    "load_policy",
    "next_wakeups",
    "pre_notice",
    "pre_notice_minutes",
    "result_notice",
    "save_policy",
    "select",
    "set_hold",
    "setting_name",
    "upcoming",
    "usage_today",
    "watch_guard",
]
