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
                "risk": {"level", "reasons": [{"metric", "value", "threshold", "basis", "text", …}],
                         "metrics": {…}, "forecast": [{"horizon_hours", "level", "would_auto_approve",
                         "rescue", …}], "exposure", "shop_score", "no_history"}}]}

The ``risk`` object is :meth:`desktop.core.domain.risk.RiskEstimate.to_json`.

Ids are strings, times ISO 8601 with the local offset, ``seconds_left`` negative once past (``null``
with ``expire_at`` when no deadline is known). Deadlines are corrected by the server clock offset
measured at the last sync.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit
from typing import Any

from desktop.cli import EXIT_AUTH, EXIT_NETWORK, EXIT_OK, EXIT_USAGE
from desktop.core import i18n, paths
from desktop.core.i18n import tr

log = logging.getLogger(__name__)

HELP = "sync, then list the after-sale requests waiting on you and the shop's risk"

DAY_MS = 86_400_000
#: a gateway on this machine (the embedded sandbox, a local relay) is called at the platform's
#: documented per-API cap; the real gateway at the client's more cautious default
LOOPBACK_QPS = 100.0


# ---------------------------------------------------------------------------------- arguments
def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number of days, got {text!r}") from None
    if not 1 <= value <= 90:
        raise argparse.ArgumentTypeError(f"must be between 1 and 90 (the platform keeps 90 days), got {value}")
    return value


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--demo", dest="check_demo", action="store_true",
                        help="run against the embedded demo shop (no account needed, nothing kept)")
    parser.add_argument("--api-base", metavar="URL",
                        help="gateway base URL (default: the Kuaishou open platform)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--data-dir", dest="check_data_dir", metavar="DIR",
                        help="keep all data, settings and logs below DIR")
    parser.add_argument("--days", type=_days, default=90, metavar="N",
                        help="how many days of history the first sync fetches (1-90, default 90)")


# ---------------------------------------------------------------------------------- formatting
def iso(ms: int | None) -> str | None:
    """Epoch ms as ISO 8601 in the local time zone, with its offset."""
    if ms is None:
        return None
    return datetime.fromtimestamp(ms / 1000).astimezone().isoformat(timespec="seconds")


def display_width(text: str) -> int:
    """Terminal columns of ``text`` (CJK wide and full-width characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 0 if unicodedata.combining(c) else 1
               for c in text)


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


def money_text(fen: int | None) -> str:
    return "—" if fen is None else f"¥{fen / 100:,.2f}"


def kind_label(kind: str) -> str:
    labels = {
        "refund_only": tr("Refund only"),
        "return_refund": tr("Return and refund"),
        "exchange": tr("Exchange"),
        "resend": tr("Resend"),
        "repair": tr("Repair"),
    }
    return labels.get(kind, tr("Unknown"))


def stage_label(stage: str) -> str:
    labels = {
        "review_refund_only": tr("Review refund request"),
        "review_return": tr("Review return request"),
        "review_exchange": tr("Review exchange request"),
        "review_resend": tr("Review resend request"),
        "review_repair": tr("Review repair request"),
        "confirm_receipt": tr("Confirm returned goods"),
        "reject_intercept": tr("Refund after parcel refusal"),
        "needs_review": tr("Unknown state: check it"),
    }
    return labels.get(stage, stage)


def urgency_label(urgency: str) -> str:
    labels = {
        "overdue": tr("Overdue"),
        "critical": tr("Critical"),
        "urgent": tr("Urgent"),
        "warn": tr("Soon"),
        "info": tr("OK"),
    }
    return labels.get(urgency, urgency)


def level_label(level: str) -> str:
    labels = {"low": tr("Low"), "watch": tr("Watch"), "elevated": tr("Elevated"), "high": tr("High")}
    return labels.get(level, level)


# ---------------------------------------------------------------------------------- the report
def pending_items(store: Any, shop: Any, rules: Any, now_ms: int) -> list[dict[str, Any]]:
    """The shop's requests waiting on the merchant, soonest deadline first (none last)."""
    from desktop.core.domain.deadlines import deadline_of, kind_of, urgency_of

    offset = shop.server_clock_offset_ms or 0
    items = []
    for r in store.waiting_refunds(shop.id):
        deadline = deadline_of(r, rules, server_offset_ms=offset)
        left = deadline.seconds_left(now_ms)
        items.append({
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
        })
    items.sort(key=lambda i: (i["_expire_ms"] is None, i["_expire_ms"] or 0, i["refund_id"]))
    for item in items:
        del item["_expire_ms"]
    return items


def risk_object(store: Any, shop: Any, rules: Any, now_ms: int) -> dict[str, Any]:
    """The shop's risk estimate (:mod:`desktop.core.domain.risk`) as the report's ``risk`` object."""
    from desktop.core.store.risk_queries import estimate_shop

    return estimate_shop(store, shop.id, rules, now_ms=now_ms,
                         server_offset_ms=shop.server_clock_offset_ms or 0).to_json()


@dataclass
class ShopState:
    shop_id: int
    stale: bool = False
    error: str | None = None


def build_report(store: Any, states: Sequence[ShopState], rules: Any, now_ms: int) -> dict[str, Any]:
    shops = []
    for state in states:
        shop = store.shop(state.shop_id)
        if shop is None:
            continue
        pending = pending_items(store, shop, rules, now_ms)
        shops.append({
            "seller_id": None if shop.seller_id is None else str(shop.seller_id),
            "name": shop.label,
            "last_sync_at": iso(shop.last_success_at),
            "stale": state.stale,
            "error": state.error,
            "pending": pending,
            "risk": risk_object(store, shop, rules, now_ms),
        })
    return {"generated_at": iso(now_ms), "stale": any(s.stale for s in states), "shops": shops}


def _short_time(iso_text: str) -> str:
    """``2026-11-26T10:00:00+08:00`` as ``2026-11-26 10:00`` (the local time the report uses)."""
    return iso_text[:16].replace("T", " ")


def render_text(report: dict[str, Any]) -> str:
    """The report as a readable table in the user's language."""
    out = [tr("AfterSale Watch self-check · {time}", time=_short_time(report["generated_at"]))]
    if report["stale"]:
        out.append(tr("Could not sync: showing the last cached data, which may be out of date."))
    if not report["shops"]:
        out.append(tr("No shop data yet."))
    # (title, widest allowed): each column is as wide as its widest cell, up to that
    columns = [
        (tr("Urgency"), 8), (tr("Time left"), 16), (tr("Deadline"), 17), (tr("Kind"), 12),
        (tr("Stage"), 20), (tr("Amount"), 12), (tr("Reason"), 20), (tr("Product"), 24),
        (tr("Refund ID"), 20),
    ]
    for shop in report["shops"]:
        out.append("")
        last = _short_time(shop["last_sync_at"]) if shop["last_sync_at"] else tr("never")
        line = tr("Shop: {name} (seller {seller})  ·  last synced {time}", name=shop["name"] or "—",
                  seller=shop["seller_id"] or "—", time=last)
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
                rows.append([urgency_label(p["urgency"]), time_left_text(p["seconds_left"]), deadline,
                             kind_label(p["kind"]), stage_label(p["stage"]), money_text(p["refund_fee_fen"]),
                             p["reason"] or "—", p["sku"] or "—", p["refund_id"]])
            widths = [
                min(cap, max(display_width(title), *(display_width(row[i]) for row in rows)))
                for i, (title, cap) in enumerate(columns)
            ]
            out.append("  ".join(fit(title, w) for (title, _cap), w in zip(columns, widths)).rstrip())
            out.append("  ".join("-" * w for w in widths))
            for row in rows:
                out.append("  ".join(fit(cell, w) for cell, w in zip(row, widths)).rstrip())
            if any(p["estimated"] for p in pending):
                out.append(tr("* estimated from the stage's time limit: the platform gave no deadline."))
        risk = shop["risk"]
        out.append(tr("Risk level: {level} (an estimate by this app, not the platform's own score)",
                      level=level_label(risk["level"])))
        for r in risk["reasons"]:  # each text names its threshold's basis (sourced / assumed)
            out.append(f"  · {r['text']}")
        exposure = risk.get("exposure")
        if exposure and exposure.get("sanctions"):
            out.append("  " + tr("Possible sanctions under the notice: {sanctions}",
                                 sanctions=tr(", ").join(s["text"] for s in exposure["sanctions"])))
        for f in risk.get("forecast") or ():
            if f["level"] != risk["level"] and f["would_auto_approve"]:
                out.append("  " + tr(
                    "If nothing is done, in {hours} h: {level} ({count} more auto-approvals); handling "
                    "{rescue} requests first avoids it.", hours=f["horizon_hours"], level=level_label(f["level"]),
                    count=len(f["would_auto_approve"]), rescue=len(f["rescue"])))
        score = risk.get("shop_score")
        if score and score.get("score"):
            out.append("  " + tr("The platform's own shop score: {score}", score=score["score"]))
    return "\n".join(out)


# ---------------------------------------------------------------------------------- running
@dataclass
class Target:
    """One shop to check: its credentials and gateway; ``shop_id`` when it has a stored profile."""

    credentials: Any
    base_url: str
    shop_id: int | None = None
    save_tokens: Callable[[Any], None] | None = None
    problem: str | None = None  # a stored shop that cannot be checked (secrets gone)


class ConfigurationError(Exception):
    """The command line or the environment asks for something impossible (exit code 2)."""


@dataclass
class Outcome:
    exit_code: int = EXIT_OK
    states: list[ShopState] = field(default_factory=list)


def _is_loopback(base_url: str) -> bool:
    host = urlsplit(base_url).hostname or ""
    return host == "localhost" or host == "::1" or host.startswith("127.")


def _now_ms() -> int:
    return int(time.time() * 1000)


def _open_store(path: Path | None) -> Any:
    from desktop.core.store import StoreDamaged, open_store, rebuild_store

    try:
        return open_store(path)
    except StoreDamaged as exc:
        store, moved = rebuild_store(path)
        print(exc.message, file=sys.stderr)
        print(tr("A fresh local database was created; the damaged one was kept as {path}.",
                 path=str(moved)), file=sys.stderr)
        return store


def _targets(args: argparse.Namespace, store: Any, sandbox: Any) -> list[Target]:
    from desktop.core.kuaishou.client import DEFAULT_BASE_URL, Credentials
    from desktop.core.profiles import ShopManager, credentials_from_env

    if sandbox is not None:
        c = sandbox.credentials
        creds = Credentials(app_key=c.app_key, sign_secret=c.sign_secret, access_token=c.access_token,
                            sign_method=c.sign_method, app_secret=c.app_secret, refresh_token=c.refresh_token)
        return [Target(creds, sandbox.base_url)]
    env = credentials_from_env()
    if env is not None:
        return [Target(env, args.api_base or DEFAULT_BASE_URL)]
    from desktop.core.secrets import SecretStore

    manager = ShopManager(store, SecretStore())
    shops = [s for s in store.shops() if not args.api_base or s.base_url == args.api_base.rstrip("/")]
    targets = []
    for shop in shops:
        creds = manager.credentials(shop.id)
        problem = None if creds is not None else tr(
            "The secrets of this shop are not in the system keychain: sign in again in the app.")
        targets.append(Target(creds, shop.base_url, shop.id,
                              save_tokens=lambda token, sid=shop.id: manager.save_refreshed_tokens(sid, token),
                              problem=problem))
    return targets


def _resolve_shop(store: Any, client: Any, target: Target) -> int:
    """The local shop of an unstored target: found or created from the token's seller info."""
    from desktop.core.kuaishou.errors import MalformedResponse

    seller = client.seller_info()
    if seller.seller_id is None:
        raise MalformedResponse("the seller info names no shop (no sellerId)", method="open.user.seller.get")
    shop = store.find_shop(target.base_url, seller.seller_id)
    fields = dict(name=seller.name or "", app_key=target.credentials.app_key,
                  sign_method=target.credentials.sign_method,
                  auth_mode="oauth" if target.credentials.refresh_token else "token")
    if shop is None:
        return store.add_shop(base_url=target.base_url, seller_id=seller.seller_id, **fields).id
    store.update_shop(shop.id, **fields)
    return shop.id


def _cached_shops(store: Any, target: Target) -> list[int]:
    """The stored shops a target that could not be identified online may be (same gateway and app)."""
    if target.shop_id is not None:
        return [target.shop_id]
    return [s.id for s in store.shops()
            if s.base_url == target.base_url and s.app_key == target.credentials.app_key]


def check_shops(store: Any, targets: Sequence[Target], rules: Any, days: int) -> Outcome:
    from desktop.core.kuaishou.client import KuaishouClient
    from desktop.core.kuaishou.errors import AuthError, KuaishouError, OAuthError
    from desktop.core.sync import Syncer

    outcome = Outcome()
    codes = []
    for target in targets:
        if target.problem is not None:
            outcome.states.append(ShopState(target.shop_id, stale=True, error=target.problem))
            codes.append(EXIT_AUTH)
            continue
        try:
            options = {"qps": LOOPBACK_QPS} if _is_loopback(target.base_url) else {}
            client = KuaishouClient(target.credentials, base_url=target.base_url,
                                    on_tokens_refreshed=target.save_tokens, **options)
        except ValueError as exc:  # e.g. a plain-http base URL that is not loopback
            raise ConfigurationError(str(exc)) from exc
        shop_id = target.shop_id
        try:
            if shop_id is None:
                shop_id = _resolve_shop(store, client, target)
            Syncer(client, store, rules, shop_id=shop_id, days=days).run()
            outcome.states.append(ShopState(shop_id))
            codes.append(EXIT_OK)
        except (AuthError, OAuthError) as exc:
            log.warning("check: authorisation problem: %s", exc)
            message = tr("Authorisation problem: {error}. Sign in again (or renew the access token).",
                         error=exc.message)
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
    outcome.exit_code = EXIT_AUTH if EXIT_AUTH in codes else EXIT_NETWORK if EXIT_NETWORK in codes else EXIT_OK
    return outcome


def run(args: argparse.Namespace) -> int:
    from desktop.core.logsetup import setup_logging

    data_dir = getattr(args, "check_data_dir", None)
    if data_dir:
        paths.set_home(data_dir)
    if getattr(args, "lang", None):
        i18n.set_language(args.lang)
    demo = bool(getattr(args, "check_demo", False) or getattr(args, "demo", False))
    setup_logging()

    from desktop.core.domain.rules import RulesError
    from desktop.core.profiles import ProfileError
    from desktop.core.rulesfile import load_default_rules
    from desktop.core.store import StoreError

    try:
        rules = load_default_rules()
    except RulesError as exc:
        print(tr("The rules file is invalid: {error}", error=str(exc)), file=sys.stderr)
        return EXIT_USAGE

    sandbox = None
    scratch = None
    store = None
    try:
        if demo:
            from desktop.sandbox import Sandbox

            scratch = tempfile.TemporaryDirectory(prefix="aftersale-watch-demo-")
            sandbox = Sandbox()
            sandbox.start()
        try:
            store = _open_store(Path(scratch.name) / "demo.sqlite3" if scratch else None)
            targets = _targets(args, store, sandbox)
        except StoreError as exc:
            print(exc.message, file=sys.stderr)
            return EXIT_USAGE
        except ProfileError as exc:
            print(str(exc), file=sys.stderr)
            return EXIT_USAGE
        if not targets:
            print(tr("No shop to check: sign in with the app first, or set {names} (see --help).",
                     names="KS_APP_KEY, KS_SIGN_SECRET, KS_ACCESS_TOKEN"), file=sys.stderr)
            return EXIT_USAGE
        try:
            outcome = check_shops(store, targets, rules, args.days)
        except ConfigurationError as exc:
            print(tr("Configuration error: {error}", error=str(exc)), file=sys.stderr)
            return EXIT_USAGE
        except StoreError as exc:
            print(exc.message, file=sys.stderr)
            return EXIT_USAGE
        report = build_report(store, outcome.states, rules, _now_ms())
        if args.json:
            print(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            print(render_text(report))
        return outcome.exit_code
    finally:
        if store is not None:
            store.close()
        if sandbox is not None:
            sandbox.stop()
        if scratch is not None:
            scratch.cleanup()
