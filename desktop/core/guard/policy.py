"""The guard's policy per shop (off by default, kept in the store's settings, never secrets), the
seller's holds ("暂不兜底") and the journal origin of the guard's actions."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from desktop.core.domain.rules import GUARD_STAGES, Rules
from desktop.core.i18n import tr

if TYPE_CHECKING:
    from desktop.core.store import Store

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


def _money(fen: int) -> str:
    return f"¥{fen / 100:,.2f}".replace(".00", "")


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
    def from_json(cls, data: object) -> GuardPolicy:
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


def load_policy(store: Store, shop_id: int) -> GuardPolicy | None:
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


def save_policy(store: Store, shop_id: int, policy: GuardPolicy) -> None:
    store.settings.set(POLICY_KEY.format(shop_id=shop_id), policy.to_json())


def holds(store: Store, shop_id: int) -> frozenset[int]:
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


def set_hold(store: Store, shop_id: int, refund_ids: Iterable[int], held: bool = True) -> frozenset[int]:
    """Put requests on hold (or release them); returns the shop's holds afterwards."""
    with _holds_lock:
        current = set(holds(store, shop_id))
        ids = {int(r) for r in refund_ids}
        current = current | ids if held else current - ids
        store.settings.set(HOLDS_KEY.format(shop_id=shop_id), [str(r) for r in sorted(current)])
        return frozenset(current)


def describe_origin(origin: Mapping[str, Any] | None) -> str | None:
    """The journal origin of a guard action as a short text for the action log, else ``None``."""
    if not origin or origin.get("by") != ORIGIN:
        return None
    p = origin.get("policy")
    minutes = p.get("lead_minutes") if isinstance(p, Mapping) else None
    fee = p.get("max_fee_fen") if isinstance(p, Mapping) else None
    try:
        if not isinstance(minutes, int | str) or not isinstance(fee, int | str):
            raise TypeError("not a number")
        return tr(
            "By the guard (lead {minutes} min, at most {amount} per request)",
            minutes=int(minutes),
            amount=_money(int(fee)),
        )
    except (TypeError, ValueError):
        return tr("By the guard")
