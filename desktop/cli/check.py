"""``aftersale-watch check``: sync, then print the requests waiting on the merchant and the risk.

Credentials: the ``KS_*`` environment variables when set (see
:func:`desktop.core.profiles.credentials_from_env`), else every stored shop profile (secrets from the
system keychain); ``--demo`` runs against the embedded sandbox with a throwaway store.

Exit codes: 0 done · 2 usage or configuration error · 3 authorisation problem · 4 network/API failure.
With 3 or 4 the last cached report is printed, marked stale (``"stale": true``).

``--json`` prints one object::

    {"generated_at": ISO, "stale": bool,
     "shops": [{"seller_id": "…", "name": "…", "last_sync_at": ISO|null, "stale": bool, "error": str|null,
                "pending": [{"refund_id", "order_id", "kind", "handling_way", "status", "negotiate_status",
                             "stage", "expire_at", "seconds_left", "deadline_source", "estimated",
                             "urgency", "refund_fee_fen", "sku", "reason", "urge_times"}],
                "unreadable": [{"refund_id", "field", "backend_url"}],
                "risk": {"level", "reasons": [{"metric", "value", "threshold", "basis", "text", …}],
                         "metrics": {…}, "forecast": [{"horizon_hours", "level", "would_auto_approve",
                         "rescue", …}], "exposure", "shop_score", "no_history",
                         "history": {"complete", "swept_days", "sweep_days", "to_refine"}}}]}

The ``risk`` object is :meth:`desktop.core.risk_answer.RiskAnswer.to_json` — the same answer the
window shows: the estimate, and how complete the history behind it is (``history.complete`` false:
the first sweep or the recent closes' negotiation histories are still being fetched, and the level
may still change by itself). While the shop's guard is on it also carries ``forecast_with_guard``: ``[{"horizon_hours", "level", "would_auto_approve",
"guarded"}]``, the level per horizon with the guard as configured (see :mod:`desktop.core.guard`).

Ids are strings, times ISO 8601 with the local offset, ``seconds_left`` negative once past (``null``
with ``expire_at`` when no deadline is known). Deadlines are corrected by the server clock offset
measured at the last sync.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from desktop.cli import EXIT_AUTH, EXIT_NETWORK, EXIT_OK, EXIT_USAGE
from desktop.cli.common import (
    ENV_NAMES,
    SessionError,
    Target,
    add_connection_arguments,
    apply_global_options,
    make_client,
    open_session,
    resolve_shop,
)
from desktop.core.i18n import tr
from desktop.core.labels import kind_names, level_names, money_text, stage_names, urgency_names

if TYPE_CHECKING:
    from desktop.core.domain.rules import Rules
    from desktop.core.store import Shop, Store

log = logging.getLogger(__name__)

HELP = "sync, then list the after-sale requests waiting on you and the shop's risk"

DAY_MS = 86_400_000


# ---------------------------------------------------------------------------------- arguments
def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of days, got {text!r}") from None
    if not 1 <= value <= 90:
        raise argparse.ArgumentTypeError(
            f"must be between 1 and 90 (the platform keeps 90 days), got {value}"
        )
    return value


def configure(parser: argparse.ArgumentParser) -> None:
    add_connection_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--days",
        type=_days,
        default=90,
        metavar="N",
        help="how many days of history the first sync fetches (1-90, default 90)",
    )
    parser.add_argument(
        "--notify",
        action="store_true",
        help="also send one digest of what is within the alert times to every robot channel "
        "(each request once per warning time, as the app does)",
    )


# ---------------------------------------------------------------------------------- formatting
def iso(ms: int | None) -> str | None:
    """Epoch ms as ISO 8601 in the local time zone, with its offset."""
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000).astimezone().isoformat(timespec="seconds")


def display_width(text: str) -> int:
    """Terminal columns of ``text`` (CJK wide and full-width characters take two)."""
    return sum(
        2 if unicodedata.east_asian_width(c) in ("W", "F") else 0 if unicodedata.combining(c) else 1
        for c in text
    )


def fit(text: str, width: int) -> str:
    """``text`` cut (with …) or padded to exactly ``width`` columns."""
    if display_width(text) > width:
        out, used = "", 0
        for c in text:
            w = display_width(c)
            if used + w > width - 1:
                break
            out, used = out + c, used + w
        text = out + "…"
    return text + " " * (width - display_width(text))


def time_left_text(seconds: int | None) -> str:
    if seconds is None:
        return tr("no deadline")
    past = seconds < 0
    s = abs(seconds)
    days, hours, minutes = s // 86400, s % 86400 // 3600, s % 3600 // 60
    if days:
        span = tr("{days} d {hours} h", days=days, hours=hours)
    elif hours:
        span = tr("{hours} h {minutes} min", hours=hours, minutes=minutes)
    else:
        span = tr("{minutes} min", minutes=minutes)
    return tr("overdue {span}", span=span) if past else span


# ---------------------------------------------------------------------------------- the report
def pending_items(store: Store, shop: Shop, rules: Rules, now_ms: int) -> list[dict[str, Any]]:
    """The shop's requests waiting on the merchant, soonest deadline first (none last)."""
    from desktop.core.domain.deadlines import deadline_of, kind_of, urgency_of

    offset = shop.server_clock_offset_ms or 0
    items = []
    for r in store.refunds.waiting(shop.id):
        deadline = deadline_of(r, rules, server_offset_ms=offset)
        left = deadline.seconds_left(now_ms)
        items.append(
            {
                "refund_id": str(r.refund_id),
                "order_id": None if r.order_id is None else str(r.order_id),
                "kind": kind_of(r),
                "handling_way": r.handling_way,
                "status": r.status,
                "negotiate_status": r.negotiate_status,
                "stage": deadline.stage.value,
                "expire_at": iso(deadline.expire_at_ms),
                "seconds_left": left,
                "deadline_source": deadline.source if deadline.expire_at_ms is not None else None,
                "estimated": deadline.estimated,
                "urgency": urgency_of(left, rules),
                "refund_fee_fen": r.refund_fee,
                "sku": r.sku_nick,
                "reason": r.refund_reason_desc or (None if r.refund_reason is None else str(r.refund_reason)),
                "urge_times": r.urge_times or 0,
                "_expire_ms": deadline.expire_at_ms,
            }
        )
    items.sort(key=lambda i: (i["_expire_ms"] is None, i["_expire_ms"] or 0, i["refund_id"]))
    for item in items:
        del item["_expire_ms"]
    return items


def risk_object(store: Store, shop: Shop, rules: Rules, now_ms: int) -> dict[str, Any]:
    """The shop's risk estimate (:mod:`desktop.core.domain.risk`) as the report's ``risk`` object."""
    from desktop.core.risk_answer import risk_answer

    # the window's function too: the same level from the same store and clock
    return risk_answer(
        store, shop.id, rules, now_ms=now_ms, server_offset_ms=shop.server_clock_offset_ms or 0
    ).to_json()


@dataclass
class ShopState:
    shop_id: int | None  # None: a shop with no stored profile that could not be identified
    stale: bool = False
    error: str | None = None
    #: requests the platform's answer could not be read for: (refund id or None, the field)
    unreadable: list[tuple[int | None, str]] = field(default_factory=list)


def build_report(
    store: Store, states: Sequence[ShopState], rules: Rules, now_ms: int, *, failed: bool = False
) -> dict[str, Any]:
    """The report of ``states``; ``failed``: the run could not sync everything, so the report is
    stale even when no cached shop could be matched to what failed."""
    shops: list[dict[str, Any]] = []
    for state in states:
        shop = None if state.shop_id is None else store.shops.get(state.shop_id)
        if shop is None:
            continue
        pending = pending_items(store, shop, rules, now_ms)
        shops.append(
            {
                "seller_id": None if shop.seller_id is None else str(shop.seller_id),
                "name": shop.label,
                "last_sync_at": iso(shop.last_success_at),
                "stale": state.stale,
                "error": state.error,
                "pending": pending,
                "unreadable": [unreadable_item(rid, name) for rid, name in state.unreadable],
                "risk": risk_object(store, shop, rules, now_ms),
            }
        )
    stale = failed or any(s.stale for s in states)
    return {"generated_at": iso(now_ms), "stale": stale, "shops": shops}


def unreadable_item(refund_id: int | None, name: str) -> dict[str, Any]:
    """A request whose answer could not be read: to be opened in the seller backend."""
    from desktop.core.actions.planner import backend_url

    return {
        "refund_id": None if refund_id is None else str(refund_id),
        "field": name.split(".", 1)[1] if name.startswith("data.") else name,
        "backend_url": None if refund_id is None else backend_url(refund_id),
    }


def _short_time(iso_text: str) -> str:
    """``2026-11-26T10:00:00+08:00`` as ``2026-11-26 10:00`` (the local time the report uses)."""
    return iso_text[:16].replace("T", " ")


def render_text(report: dict[str, Any]) -> str:
    """The report as a readable table in the user's language."""
    kinds, stages, urgencies, levels = kind_names(), stage_names(), urgency_names(), level_names()
    out = [tr("AfterSale Watch self-check · {time}", time=_short_time(report["generated_at"]))]
    if report["stale"]:
        out.append(tr("Could not sync: showing the last cached data, which may be out of date."))
    if not report["shops"]:
        out.append(tr("No shop data yet."))
    # (title, widest allowed): each column is as wide as its widest cell, up to that
    columns = [
        (tr("Urgency"), 8),
        (tr("Time left"), 16),
        (tr("Deadline"), 17),
        (tr("Kind"), 12),
        (tr("Stage"), 20),
        (tr("Amount"), 12),
        (tr("Reason"), 20),
        (tr("Product"), 24),
        (tr("Refund ID"), 20),
    ]
    for shop in report["shops"]:
        out.append("")
        last = _short_time(shop["last_sync_at"]) if shop["last_sync_at"] else tr("never")
        line = tr(
            "Shop: {name} (seller {seller})  ·  last synced {time}",
            name=shop["name"] or "—",
            seller=shop["seller_id"] or "—",
            time=last,
        )
        if shop["stale"]:
            line += "  " + tr("[STALE]")
        out.append(line)
        if shop["error"]:
            out.append("  " + tr("Sync failed: {error}", error=shop["error"]))
        pending = shop["pending"]
        out.append(tr("Waiting on you: {count}", count=len(pending)))
        if pending:
            rows = []
            for p in pending:
                deadline = _short_time(p["expire_at"]) if p["expire_at"] else "—"
                if p["estimated"]:
                    deadline += "*"
                rows.append(
                    [
                        urgencies.get(p["urgency"], p["urgency"]),
                        time_left_text(p["seconds_left"]),
                        deadline,
                        kinds.get(p["kind"], kinds["unknown"]),
                        stages.get(p["stage"], p["stage"]),
                        money_text(p["refund_fee_fen"]),
                        p["reason"] or "—",
                        p["sku"] or "—",
                        p["refund_id"],
                    ]
                )
            widths = [
                min(cap, max(display_width(title), *(display_width(row[i]) for row in rows)))
                for i, (title, cap) in enumerate(columns)
            ]
            out.append(
                "  ".join(fit(title, w) for (title, _cap), w in zip(columns, widths, strict=False)).rstrip()
            )
            out.append("  ".join("-" * w for w in widths))
            for row in rows:
                out.append("  ".join(fit(cell, w) for cell, w in zip(row, widths, strict=False)).rstrip())
            if any(p["estimated"] for p in pending):
                out.append(tr("* estimated from the stage's time limit: the platform gave no deadline."))
        for item in shop.get("unreadable") or ():
            out.append(
                "  "
                + tr(
                    "Could not be read (field {field}): open request {refund} in the seller backend: {url}",
                    field=item["field"],
                    refund=item["refund_id"] or "—",
                    url=item["backend_url"] or "—",
                )
            )
        risk = shop["risk"]
        out.append(
            tr(
                "Risk level: {level} (an estimate by this app, not the platform's own score)",
                level=levels.get(risk["level"], risk["level"]),
            )
        )
        history = risk.get("history") or {}
        if history and not history.get("complete", True):
            if history.get("swept_days", 0) < history.get("sweep_days", 0):
                out.append(
                    "  "
                    + tr(
                        "Partial: {done} of {days} days of history downloaded; the level may still change.",
                        done=history["swept_days"],
                        days=history["sweep_days"],
                    )
                )
            else:
                out.append(
                    "  "
                    + tr(
                        "Partial: {count} recent close(s) still to be checked by the next syncs; the "
                        "level may still change.",
                        count=history.get("to_refine", 0),
                    )
                )
        for r in risk["reasons"]:  # each text names its threshold's basis (sourced / assumed)
            out.append(f"  · {r['text']}")
        exposure = risk.get("exposure")
        if exposure and exposure.get("sanctions"):
            out.append(
                "  "
                + tr(
                    "Possible sanctions under the notice: {sanctions}",
                    sanctions=tr(", ").join(s["text"] for s in exposure["sanctions"]),
                )
            )
        for f in risk.get("forecast") or ():
            if f["level"] != risk["level"] and f["would_auto_approve"]:
                out.append(
                    "  "
                    + tr(
                        "If nothing is done, in {hours} h: {level} ({count} more auto-approvals); handling "
                        "{rescue} requests first avoids it.",
                        hours=f["horizon_hours"],
                        level=levels.get(f["level"], f["level"]),
                        count=len(f["would_auto_approve"]),
                        rescue=len(f["rescue"]),
                    )
                )
        guarded = risk.get("forecast_with_guard")
        if guarded:
            out.append(
                "  "
                + tr(
                    "With the guard: {levels}",
                    levels=tr(", ").join(
                        tr(
                            "in {hours} h {level}",
                            hours=f["horizon_hours"],
                            level=levels.get(f["level"], f["level"]),
                        )
                        for f in guarded
                    ),
                )
            )
        score = risk.get("shop_score")
        if score and score.get("score"):
            out.append("  " + tr("The platform's own shop score: {score}", score=score["score"]))
    return "\n".join(out)


# ---------------------------------------------------------------------------------- running
class ConfigurationError(Exception):
    """The command line or the environment asks for something impossible (exit code 2)."""


@dataclass
class Outcome:
    exit_code: int = EXIT_OK
    states: list[ShopState] = field(default_factory=list)


def _now_ms() -> int:
    return int(time.time() * 1000)


def _cached_shops(store: Store, target: Target) -> list[int]:
    """The stored shops a target that could not be identified online may be (same gateway and app)."""
    from desktop.core.kuaishou.transport import same_gateway

    if target.shop_id is not None:
        return [target.shop_id]
    return [
        s.id
        for s in store.shops.all()
        if same_gateway(s.base_url, target.base_url)
        and target.credentials is not None
        and s.app_key == target.credentials.app_key
    ]


def check_shops(store: Store, targets: Sequence[Target], rules: Rules, days: int) -> Outcome:
    from desktop.core.kuaishou.errors import AuthError, KuaishouError, OAuthError, credential_problem
    from desktop.core.sync import Syncer

    outcome = Outcome()
    codes = []
    for target in targets:
        if target.problem is not None:
            outcome.states.append(ShopState(target.shop_id, stale=True, error=target.problem))
            codes.append(EXIT_AUTH)
            continue
        try:
            client = make_client(target)
        except SessionError as exc:
            raise ConfigurationError(str(exc)) from exc
        shop_id = target.shop_id
        try:
            shop_id = resolve_shop(store, client, target)
            result = Syncer(client, store, rules, shop_id=shop_id, days=days).run()
            outcome.states.append(ShopState(shop_id, unreadable=list(result.unreadable)))
            codes.append(EXIT_OK)
        except (AuthError, OAuthError) as exc:
            log.warning("check: authorisation problem: %s", exc)
            message = credential_problem(exc)
            print(message, file=sys.stderr)
            for sid in [shop_id] if shop_id is not None else _cached_shops(store, target):
                outcome.states.append(ShopState(sid, stale=True, error=message))
            codes.append(EXIT_AUTH)
        except KuaishouError as exc:
            log.warning("check: sync failed: %s", exc)
            message = tr("Network or platform failure: {error}", error=str(exc))
            print(message, file=sys.stderr)
            for sid in [shop_id] if shop_id is not None else _cached_shops(store, target):
                outcome.states.append(ShopState(sid, stale=True, error=message))
            codes.append(EXIT_NETWORK)
        finally:
            client.close()
    outcome.exit_code = (
        EXIT_AUTH if EXIT_AUTH in codes else EXIT_NETWORK if EXIT_NETWORK in codes else EXIT_OK
    )
    return outcome


def notify_robots(store: Store, rules: Rules) -> int:
    """``--notify``: one robot evaluation (one digest per channel); says on stderr what was sent.

    Returns 0, 2 (a bad ``AW_*`` variable) or 4 (a channel could not be sent to; its alerts stay
    queued for the next run)."""
    from desktop.cli.watch import robot_channels
    from desktop.core.robots.channels import ChannelError
    from desktop.core.robots.service import RobotAlerts

    try:
        channels = robot_channels(store)
    except ChannelError as exc:
        print(tr("Configuration error: {error}", error=str(exc)), file=sys.stderr)
        return EXIT_USAGE
    if not channels:
        print(
            tr(
                "No robot channel is set up: add one in the app's settings, or set AW_WECOM_URL, "
                "AW_DINGTALK_URL or AW_FEISHU_URL."
            ),
            file=sys.stderr,
        )
        return EXIT_USAGE
    robots = RobotAlerts(store, rules, lambda: channels)
    try:
        evaluation = robots.evaluate()
    finally:
        robots.close()
    code = EXIT_OK
    labels = {c.id: c.channel.label() for c in channels}
    for d in evaluation.deliveries:
        name = labels.get(d.channel, d.channel)
        if d.result is None and not d.waiting:
            print(tr("{channel}: nothing new to send.", channel=name), file=sys.stderr)
        elif d.result is None:
            print(
                tr(
                    "{channel}: {count} alert(s) wait (the robot's rate limit, or a pause after a failed send); "
                    "sent at a later run.",
                    channel=name,
                    count=d.waiting,
                ),
                file=sys.stderr,
            )
        elif d.result.ok:
            print(
                tr("{channel}: sent {count} alert(s) in one message.", channel=name, count=len(d.sent)),
                file=sys.stderr,
            )
        else:
            print(
                tr(
                    "{channel}: not sent: {error} ({count} alert(s) kept for the next run)",
                    channel=name,
                    error=d.result.message,
                    count=d.waiting,
                ),
                file=sys.stderr,
            )
            code = EXIT_NETWORK
    return code


def run(args: argparse.Namespace) -> int:
    demo = apply_global_options(args)

    from desktop.core.domain.rules import RulesError
    from desktop.core.rulesfile import load_default_rules
    from desktop.core.store import StoreError

    try:
        rules = load_default_rules()
    except RulesError as exc:
        print(tr("The rules file is invalid: {error}", error=str(exc)), file=sys.stderr)
        return EXIT_USAGE
    try:
        with open_session(args, demo=demo) as session:
            store = session.store
            if not session.targets:
                print(
                    tr(
                        "No shop to check: sign in with the app first, or set {names} (see --help).",
                        names=ENV_NAMES,
                    ),
                    file=sys.stderr,
                )
                return EXIT_USAGE
            try:
                outcome = check_shops(store, session.targets, rules, args.days)
            except ConfigurationError as exc:
                print(tr("Configuration error: {error}", error=str(exc)), file=sys.stderr)
                return EXIT_USAGE
            report = build_report(
                store, outcome.states, rules, _now_ms(), failed=outcome.exit_code != EXIT_OK
            )
            if args.json:
                print(json.dumps(report, ensure_ascii=False, indent=2))
            else:
                print(render_text(report))
            if getattr(args, "notify", False):
                notified = notify_robots(store, rules)
                if notified != EXIT_OK:
                    return notified if outcome.exit_code == EXIT_OK else outcome.exit_code
            return outcome.exit_code
    except SessionError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except StoreError as exc:
        print(exc.message, file=sys.stderr)
        return EXIT_USAGE
