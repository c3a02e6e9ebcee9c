"""Which waiting requests the guard is due to agree, and which it leaves alone and why (pure, but
for the day's usage read from the journal)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from desktop.core.domain.deadlines import MERCHANT_STAGES, RefundLike, Stage, deadline_of, stage_of
from desktop.core.domain.risk import BEIJING_OFFSET_MS, day_start
from desktop.core.domain.rules import Rules
from desktop.core.guard.policy import DUE, HELD, ORIGIN, SKIPPED, GuardPolicy, _money
from desktop.core.i18n import tr

if TYPE_CHECKING:
    from desktop.core.store import Store


class GuardedRefund(RefundLike, Protocol):
    """A waiting request as the guard reads it: the domain's fields and the amount."""

    @property
    def refund_fee(self) -> int | None: ...


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


def beijing_day_start_local(now_ms: int, server_offset_ms: int) -> int:
    """The start of the platform's (Beijing) day containing ``now_ms``, on the local clock."""
    return day_start(now_ms + server_offset_ms, BEIJING_OFFSET_MS) - server_offset_ms


def usage_today(store: Store, shop_id: int, *, now_ms: int, server_offset_ms: int = 0) -> Usage:
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
    refunds: Iterable[GuardedRefund],
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
    items: list[tuple[int, GuardedRefund, Stage]] = []
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
