"""The guard (售后兜底): no request is left to expire while the app runs — opt-in, capped, explained.

Why it is safe: when a request waiting on the merchant reaches its deadline, the platform agrees it
in the merchant's place (the buyer gets the refund, or returns the goods, all the same) *and* the
shop collects an overdue auto-approval, the violation the notice of 2023-05-09 punishes. Agreed by
the shop shortly before the deadline, the money and goods go exactly the same way, but the request
was handled in time. The seller keeps the whole window to look, reject or negotiate; the guard acts
only in the last minutes (``lead_minutes``), only inside the limits of the shop's policy, and says
so before it acts (a pre-notice ``pre_notice_minutes`` earlier).

Pieces (Qt-free; the app and ``aftersale-watch guard`` use the same):

* :class:`GuardPolicy` — per shop, off by default, kept in the store's settings (never secrets);
  :func:`load_policy` / :func:`save_policy`; holds ("暂不兜底") per request: :func:`holds`,
  :func:`set_hold`.
* :func:`select` — which waiting requests are due and whether the policy allows each (pure).
* :class:`Guard` — one run: re-read the due requests and agree them through the
  :class:`~desktop.core.actions.ActionEngine` (journaled first, one call per refund, the journal
  entry marked as the guard's with the policy that allowed it), never on stale data, never past a
  cap, never on a held request.
* :func:`pre_notice` / :func:`result_notice` and :class:`NoticeBus` — the notifications; channels
  (the tray and alert center today, phone robots later) attach to the bus.
* :func:`backtest` — what the policy would have done over the stored 90-day history;
  :func:`guarded_ids` + :func:`desktop.core.domain.risk.guarded_forecast` — the forecast with it.

Clocks: the store keeps platform times; "now" here is the local clock, and deadlines are moved to
it with the shop's measured server-clock offset. A day (for the caps) is a Beijing calendar day.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from desktop.core.domain.deadlines import MERCHANT_STAGES, deadline_of, stage_of
from desktop.core.domain.risk import BEIJING_OFFSET_MS, day_start
from desktop.core.domain.rules import DAY_MS, GUARD_STAGES, Rules
from desktop.core.i18n import tr

log = logging.getLogger(__name__)

POLICY_KEY = "guard.policy.{shop_id}"
HOLDS_KEY = "guard.holds.{shop_id}"
#: the ``notifications`` threshold key of a request's pre-notice (each request pre-noticed once)
PRE_NOTICE_KEY = "guard-pre"
#: the journal ``origin.by`` of the guard's actions
ORIGIN = "guard"
HISTORY_DAYS = 90
MINUTE_MS = 60_000

#: outcomes of one considered request (``guard --json``)
APPROVED, WOULD_APPROVE, HELD, SKIPPED, CHANGED, FAILED = (
    "approved",
    "would_approve",
    "held",
    "skipped",
    "changed",
    "failed",
)
#: internal: inside the policy and due, not yet acted on
DUE = "due"


class PolicyError(ValueError):
    """A policy value that cannot be used; ``key`` names it, the message says why (translated)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


def setting_name(key: str) -> str:
    """The seller's name of a policy setting (the messages never show the stored key)."""
    return {
        "policy": tr("the guard policy"),
        "enabled": tr("the guard switch"),
        "stages": tr("the guarded stages"),
        "lead_minutes": tr("the lead time"),
        "max_fee_fen": tr("the largest amount per request"),
        "daily_count": tr("the daily count cap"),
        "daily_fen": tr("the daily money cap"),
    }.get(key, key)


# ------------------------------------------------------------------------------------ policy
@dataclass(frozen=True, slots=True)
class GuardPolicy:
    """What the guard may do for one shop. Money in fen, the lead time in minutes."""

    enabled: bool = False
    stages: tuple[str, ...] = ("review_refund_only",)
    lead_minutes: int = 45
    max_fee_fen: int = 20_000
    daily_count: int = 20
    daily_fen: int = 200_000

    @classmethod
    def defaults(cls, rules: Rules) -> GuardPolicy:
        """The rules file's defaults (off)."""
        g = rules.guard
        if g is None:
            return cls()
        return cls(
            False,
            tuple(g.default_stages.value),
            int(g.lead_minutes.value),
            round(g.max_fee_yuan.value * 100),
            int(g.daily_count.value),
            round(g.daily_yuan.value * 100),
        )

    def __post_init__(self) -> None:
        _check_policy(self)

    @property
    def lead_ms(self) -> int:
        return self.lead_minutes * MINUTE_MS

    def to_json(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "stages": list(self.stages),
            "lead_minutes": self.lead_minutes,
            "max_fee_fen": self.max_fee_fen,
            "daily_count": self.daily_count,
            "daily_fen": self.daily_fen,
        }

    @classmethod
    def from_json(cls, data: Any) -> GuardPolicy:
        """A policy from its JSON form; raises :class:`PolicyError` naming the bad key."""
        if not isinstance(data, Mapping):
            raise PolicyError("policy", tr("The guard policy is not a table."))
        values: dict[str, Any] = {}
        enabled = data.get("enabled", False)
        if not isinstance(enabled, bool):
            raise PolicyError(
                "enabled", tr("The guard policy's {key} is not valid.", key=setting_name("enabled"))
            )
        values["enabled"] = enabled
        stages = data.get("stages", ["review_refund_only"])
        if not isinstance(stages, (list, tuple)) or not all(isinstance(s, str) for s in stages):
            raise PolicyError(
                "stages", tr("The guard policy's {key} is not valid.", key=setting_name("stages"))
            )
        values["stages"] = tuple(dict.fromkeys(stages))
        for key in ("lead_minutes", "max_fee_fen", "daily_count", "daily_fen"):
            if key in data:
                v = data[key]
                if not isinstance(v, int) or isinstance(v, bool):
                    raise PolicyError(
                        key, tr("The guard policy's {key} is not valid.", key=setting_name(key))
                    )
                values[key] = v
        return cls(**values)


def _check_policy(p: GuardPolicy) -> None:
    for stage in p.stages:
        if stage not in GUARD_STAGES:
            raise PolicyError(
                "stages",
                tr(
                    "Unknown stage {stage}; the guard knows {names}.",
                    stage=stage,
                    names=", ".join(GUARD_STAGES),
                ),
            )
    if not 1 <= p.lead_minutes <= 24 * 60:
        raise PolicyError("lead_minutes", tr("The lead time must be between 1 minute and 24 hours."))
    for key, value in (
        ("max_fee_fen", p.max_fee_fen),
        ("daily_count", p.daily_count),
        ("daily_fen", p.daily_fen),
    ):
        if value < 1:
            raise PolicyError(
                key, tr("The guard policy's {key} must be greater than 0.", key=setting_name(key))
            )


def load_policy(store: Any, shop_id: int) -> GuardPolicy | None:
    """The shop's saved policy, ``None`` when none was ever saved. A damaged one is logged and
    read as "off" (the guard never acts on a policy it cannot read)."""
    raw = store.settings.get(POLICY_KEY.format(shop_id=shop_id))
    if raw is None:
        return None
    try:
        return GuardPolicy.from_json(raw)
    except PolicyError as exc:
        log.error("the saved guard policy of shop %s is unusable (%s): guard off", shop_id, exc.key)
        return GuardPolicy(enabled=False)


def save_policy(store: Any, shop_id: int, policy: GuardPolicy) -> None:
    store.settings.set(POLICY_KEY.format(shop_id=shop_id), policy.to_json())


def holds(store: Any, shop_id: int) -> frozenset[int]:
    """The requests the seller put on hold ("暂不兜底")."""
    raw = store.settings.get(HOLDS_KEY.format(shop_id=shop_id)) or []
    out = set()
    for v in raw if isinstance(raw, list) else []:
        try:
            out.add(int(v))
        except (TypeError, ValueError):
            continue
    return frozenset(out)


_holds_lock = threading.Lock()


def set_hold(store: Any, shop_id: int, refund_ids: Iterable[int], held: bool = True) -> frozenset[int]:
    """Put requests on hold (or release them); returns the shop's holds afterwards."""
    with _holds_lock:
        current = set(holds(store, shop_id))
        ids = {int(r) for r in refund_ids}
        current = current | ids if held else current - ids
        store.settings.set(HOLDS_KEY.format(shop_id=shop_id), [str(r) for r in sorted(current)])
        return frozenset(current)


# --------------------------------------------------------------------------------- selection
@dataclass(frozen=True, slots=True)
class Considered:
    """One request the guard looked at, and what became of it."""

    refund_id: int
    stage: str
    refund_fee_fen: int | None
    expire_at_ms: int | None  # local clock
    seconds_left: int | None
    outcome: str
    reason: str = ""
    #: why it was left alone, as a stable code: stage, amount, cap, held, no_deadline, overdue,
    #: stale, unreadable, changed, failed, undecided (empty when acted on or due)
    code: str = ""
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "refund_id": str(self.refund_id),
            "stage": self.stage,
            "refund_fee_fen": self.refund_fee_fen,
            "seconds_left": self.seconds_left,
            "outcome": self.outcome,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class Usage:
    """What the guard already did today (for the daily caps)."""

    count: int = 0
    fen: int = 0


def _money(fen: int) -> str:
    return f"¥{fen / 100:,.2f}".replace(".00", "")


def beijing_day_start_local(now_ms: int, server_offset_ms: int) -> int:
    """The start of the platform's (Beijing) day containing ``now_ms``, on the local clock."""
    return day_start(now_ms + server_offset_ms, BEIJING_OFFSET_MS) - server_offset_ms


def usage_today(store: Any, shop_id: int, *, now_ms: int, server_offset_ms: int = 0) -> Usage:
    """The guard's actions of today (sent, done or of unknown delivery: each may have paid out)."""
    since = beijing_day_start_local(now_ms, server_offset_ms)
    count = fen = 0
    for e in store.journal.entries(shop_id, since=since):
        origin = (e.params or {}).get("origin") or {}
        if origin.get("by") != ORIGIN or e.state not in ("sent", "done", "unknown"):
            continue
        result = e.result if isinstance(e.result, dict) else {}
        if e.state != "sent" and result.get("outcome") not in (None, "done", "unknown"):
            continue
        count += 1
        fen += int(origin.get("refund_fee_fen") or 0)
    return Usage(count, fen)


def select(
    refunds: Iterable[Any],
    rules: Rules,
    policy: GuardPolicy,
    held: Iterable[int] = (),
    *,
    now_ms: int,
    server_offset_ms: int = 0,
    used: Usage = Usage(),
    within_ms: int | None = None,
) -> list[Considered]:
    """The requests waiting on the merchant whose deadline falls within ``within_ms`` (default: the
    policy's lead time) from ``now_ms``, soonest first, each ``due`` (inside the policy and the
    caps) or left alone with the reason. Only a platform deadline counts (an estimated one is never
    acted on); the caps are taken in deadline order on top of ``used``."""
    held = set(held)
    within = policy.lead_ms if within_ms is None else within_ms
    items: list[tuple[int, Any, Any]] = []
    for r in refunds:
        stage = stage_of(r)
        if stage not in MERCHANT_STAGES:
            continue
        d = deadline_of(r, rules, server_offset_ms=server_offset_ms)
        if d.expire_at_ms is None or d.estimated:
            continue
        if d.expire_at_ms - now_ms > within:
            continue
        items.append((d.expire_at_ms, r, stage))
    items.sort(key=lambda t: (t[0], t[1].refund_id))
    out = []
    count, fen = used.count, used.fen
    for expire, r, stage in items:
        left = (expire - now_ms) // 1000
        fee = r.refund_fee if isinstance(r.refund_fee, int) and not isinstance(r.refund_fee, bool) else None

        def item(outcome: str, code: str = "", reason: str = "") -> Considered:
            # called within this iteration only
            return Considered(r.refund_id, stage.value, fee, expire, left, outcome, reason, code)  # noqa: B023

        if expire <= now_ms:
            out.append(item(SKIPPED, "overdue", tr("The deadline has passed.")))
        elif stage.value not in policy.stages:
            out.append(item(SKIPPED, "stage", tr("This stage is not guarded by the policy.")))
        elif fee is None or fee < 0:
            out.append(item(SKIPPED, "amount", tr("The refund amount is missing or invalid.")))
        elif fee > policy.max_fee_fen:
            out.append(
                item(
                    SKIPPED,
                    "amount",
                    tr(
                        "The amount {amount} is above the guard's limit of {limit}.",
                        amount=_money(fee),
                        limit=_money(policy.max_fee_fen),
                    ),
                )
            )
        elif r.refund_id in held:
            out.append(item(HELD, "held", tr("On hold: the seller asked the guard to leave it.")))
        elif count + 1 > policy.daily_count:
            out.append(
                item(
                    SKIPPED,
                    "cap",
                    tr("The daily cap of {count} requests is reached.", count=policy.daily_count),
                )
            )
        elif fen + fee > policy.daily_fen:
            out.append(
                item(
                    SKIPPED,
                    "cap",
                    tr("The daily cap of {amount} is reached.", amount=_money(policy.daily_fen)),
                )
            )
        else:
            count += 1
            fen += fee
            out.append(item(DUE))
    return out


# ---------------------------------------------------------------------------------- notices
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

    def detach(self, channel: Callable[[GuardNotice], None]) -> None:
        with self._lock:
            if channel in self._channels:
                self._channels.remove(channel)

    def send(self, notice: GuardNotice) -> None:
        with self._lock:
            channels = list(self._channels)
        for channel in channels:
            try:
                channel(notice)
            except Exception:
                log.exception("a guard notification channel failed")


def upcoming(
    store: Any,
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
    store: Any,
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


# ------------------------------------------------------------------------------------ acting
@dataclass
class GuardReport:
    shop_id: int
    policy: GuardPolicy
    considered: list[Considered] = field(default_factory=list)
    reconciled: list[Any] = field(default_factory=list)  # ItemResult of earlier interrupted runs
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

    def __init__(self, engine: Any, rules: Rules, *, clock: Callable[[], float] = time.time) -> None:
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

    def run(self, policy: GuardPolicy, *, dry_run: bool = False, cancelled: Any = None) -> GuardReport:
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

    def _run(self, policy: GuardPolicy, dry_run: bool, cancelled: Any) -> GuardReport:
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
            results = []
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

    def run(self, *, store: Any, shop_id: int, client: Any, rules: Rules, now_ms: int) -> list[Any]:
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


def watch_guard(store: Any) -> WatchGuard | None:
    """The guard for the always-on watcher when some shop of ``store`` has it enabled, else
    ``None`` (a policy enabled later is picked up when the watcher starts again)."""
    for shop in store.shops.all():
        policy = load_policy(store, shop.id)
        if policy is not None and policy.enabled:
            return WatchGuard()
    return None


def next_wakeups(store: Any, shop_id: int, rules: Rules, policy: GuardPolicy, *, now_ms: int) -> list[int]:
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


# ---------------------------------------------------------------------------------- forecast
def guarded_ids(
    store: Any,
    shop_id: int,
    rules: Rules,
    policy: GuardPolicy | None,
    *,
    now_ms: int,
    horizon_hours: int | None = None,
) -> frozenset[int]:
    """The waiting requests the guard as configured would agree before their deadline within the
    longest forecast horizon (stage, amount, holds and the daily caps, day by day)."""
    if policy is None or not policy.enabled:
        return frozenset()
    hours = horizon_hours or max(rules.forecast_horizons_hours.value)
    shop = store.shops.get(shop_id)
    offset = (shop.server_clock_offset_ms if shop else None) or 0
    held = holds(store, shop_id)
    used = usage_today(store, shop_id, now_ms=now_ms, server_offset_ms=offset)
    rows = []
    for r in store.refunds.waiting(shop_id):
        d = deadline_of(r, rules, server_offset_ms=offset)
        if d.expire_at_ms is None or d.estimated or d.expire_at_ms <= now_ms:
            continue
        if d.expire_at_ms - now_ms > hours * 3_600_000:
            continue
        rows.append((d.expire_at_ms, r))
    rows.sort(key=lambda t: (t[0], t[1].refund_id))
    out: set[int] = set()
    today = beijing_day_start_local(now_ms, offset)
    per_day: dict[int, Usage] = {today: used}
    for expire, r in rows:
        act = max(now_ms, expire - policy.lead_ms)
        day = beijing_day_start_local(act, offset)
        u = per_day.get(day, Usage())
        picked = select(
            [r], rules, policy, held, now_ms=act, server_offset_ms=offset, used=u, within_ms=policy.lead_ms
        )
        if picked and picked[0].outcome == DUE:
            out.add(r.refund_id)
            per_day[day] = Usage(u.count + 1, u.fen + (picked[0].refund_fee_fen or 0))
    return frozenset(out)


def guard_forecast(store: Any, shop_id: int, rules: Rules, inputs: Any) -> tuple[Any, ...] | None:
    """The forecast with the shop's guard as configured (``None`` while it is off), from the same
    risk inputs as the estimate (``inputs.now_ms`` is on the platform clock)."""
    from desktop.core.domain.risk import guarded_forecast

    policy = load_policy(store, shop_id)
    if policy is None or not policy.enabled:
        return None
    shop = store.shops.get(shop_id)
    offset = (shop.server_clock_offset_ms if shop else None) or 0
    ids = guarded_ids(store, shop_id, rules, policy, now_ms=inputs.now_ms - offset)
    return guarded_forecast(inputs, rules, ids)


def guarded_forecast_levels(
    store: Any, shop_id: int, rules: Rules, policy: GuardPolicy | None, *, now_ms: int
) -> list[dict[str, Any]]:
    """The forecast's second line: for each horizon, the level with the guard as configured."""
    from desktop.core.domain.risk import guarded_forecast
    from desktop.core.store.risk_queries import risk_inputs

    inputs = risk_inputs(store, shop_id, rules, now_ms=now_ms)
    ids = guarded_ids(store, shop_id, rules, policy, now_ms=now_ms)
    return [
        {
            "horizon_hours": f.horizon_hours,
            "level": f.level,
            "would_auto_approve": [str(r) for r in f.would_auto_approve],
            "guarded": len(ids),
        }
        for f in guarded_forecast(inputs, rules, ids)
    ]


# ---------------------------------------------------------------------------------- backtest
_STAGE_BY_WAY = {10: "review_refund_only", 1: "review_return", 3: "review_exchange"}


@dataclass(frozen=True, slots=True)
class Backtest:
    """What a policy would have done over the stored history."""

    days: int
    total: int  # overdue auto-approvals in the history
    total_fen: int
    caught: int
    caught_fen: int
    missed: Mapping[str, tuple[int, int]]  # reason -> (count, fen): stage, amount, cap
    level: str  # the risk level now
    level_with_guard: str  # the level the shop would have had with the guard

    def to_json(self) -> dict[str, Any]:
        return {
            "days": self.days,
            "auto_approvals": {"count": self.total, "money_fen": self.total_fen},
            "caught": {"count": self.caught, "money_fen": self.caught_fen},
            "missed": {k: {"count": c, "money_fen": f} for k, (c, f) in self.missed.items()},
            "level": self.level,
            "level_with_guard": self.level_with_guard,
        }


def backtest(
    store: Any,
    shop_id: int,
    rules: Rules,
    policy: GuardPolicy,
    *,
    now_ms: int | None = None,
    days: int = HISTORY_DAYS,
) -> Backtest:
    """Replay the stored overdue auto-approvals of the last ``days`` (platform clock) through
    ``policy`` (as if enabled): which it would have turned into timely approvals, in time order
    with the daily caps, and the risk level the shop would have had instead. Holds are not
    replayed (they are the seller's choice of today)."""
    from desktop.core.domain.risk import estimate
    from desktop.core.store.risk_queries import risk_inputs

    local_now = int(time.time() * 1000) if now_ms is None else now_ms
    shop = store.shops.get(shop_id)
    offset = (shop.server_clock_offset_ms if shop else None) or 0
    now = local_now + offset
    rows = store.read(
        "SELECT a.refund_id, a.at, a.stage, a.handling_way, r.refund_fee FROM auto_approvals a "
        "LEFT JOIN refunds r ON r.shop_id = a.shop_id AND r.refund_id = a.refund_id "
        "WHERE a.shop_id = ? AND a.at > ? AND a.at <= ? ORDER BY a.at, a.refund_id",
        (shop_id, now - days * DAY_MS, now),
    )
    caught: set[tuple[int, int]] = set()
    missed: dict[str, list[int]] = {"stage": [0, 0], "amount": [0, 0], "cap": [0, 0]}
    per_day: dict[int, list[int]] = {}
    total_fen = caught_fen = 0
    for rid, at, stored_stage, way, stored_fee in rows:
        fee = stored_fee if isinstance(stored_fee, int) and stored_fee >= 0 else None
        stage = stored_stage or _STAGE_BY_WAY.get(way, "")
        total_fen += fee or 0
        reason = None
        if stage not in policy.stages:
            reason = "stage"
        elif fee is None or fee > policy.max_fee_fen:
            reason = "amount"
        else:
            used = per_day.setdefault(day_start(at, BEIJING_OFFSET_MS), [0, 0])
            if used[0] + 1 > policy.daily_count or used[1] + fee > policy.daily_fen:
                reason = "cap"
            else:
                used[0] += 1
                used[1] += fee
        if reason is None:
            caught.add((rid, at))
            caught_fen += fee or 0
        else:
            missed[reason][0] += 1
            missed[reason][1] += fee or 0
    inputs = risk_inputs(store, shop_id, rules, now_ms=local_now, server_offset_ms=offset)
    level = estimate(inputs, rules).level
    kept = tuple(a for a in inputs.auto_approvals if (a.refund_id, a.at_ms) not in caught)
    level_with = estimate(replace(inputs, auto_approvals=kept), rules).level
    return Backtest(
        days,
        len(rows),
        total_fen,
        len(caught),
        caught_fen,
        {k: (v[0], v[1]) for k, v in missed.items()},
        level,
        level_with,
    )


def describe_origin(origin: Mapping[str, Any] | None) -> str | None:
    """The journal origin of a guard action as a short text for the action log, else ``None``."""
    if not origin or origin.get("by") != ORIGIN:
        return None
    p = origin.get("policy") or {}
    try:
        return tr(
            "By the guard (lead {minutes} min, at most {amount} per request)",
            minutes=int(p.get("lead_minutes")),
            amount=_money(int(p.get("max_fee_fen"))),
        )
    except (TypeError, ValueError):
        return tr("By the guard")
