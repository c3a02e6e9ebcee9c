"""``aftersale-watch guard --once [--dry-run] [--json] [--lead-minutes M] [--max-fee-fen N]
[--stages S1,S2] [--api-base URL] [--data-dir DIR]`` and ``aftersale-watch guard --backtest``.

The guard (售后兜底) for a scheduler or an always-on machine: sync each shop (credentials exactly as
for ``check``: the signed-in shops, or ``KS_APP_KEY``, ``KS_SIGN_SECRET``, ``KS_ACCESS_TOKEN``,
``KS_SIGN_METHOD``), then agree the requests inside the shop's guard policy whose deadline is within
the lead time — through the same journaled action engine as ``approve`` (see
:mod:`desktop.core.guard`). The flags override the saved policy for this run; with no saved policy
and no flags nothing is done (exit 2).

Output: one line per request considered, or with ``--json`` one JSON object per line:
``refund_id`` (string), ``stage``, ``refund_fee_fen``, ``seconds_left``, ``outcome`` (``approved``,
``would_approve`` under ``--dry-run``, ``held``, ``skipped``, ``changed``, ``failed``) and ``reason``.
``--backtest`` prints, per shop, what the policy would have done over the stored 90-day history.

Exit codes: 0 everything it meant to do was done · 5 something failed · 2 usage, or no policy ·
3 authorisation · 4 network/platform failure (as ``check``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
import time
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TextIO, TypedDict

from desktop.cli import EXIT_AUTH, EXIT_NETWORK, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE
from desktop.cli.actions import add_reconcile_arguments, print_result
from desktop.cli.common import (
    ENV_NAMES,
    SessionError,
    add_connection_arguments,
    apply_global_options,
    make_client,
    number,
    open_session,
    resolve_shop,
)
from desktop.core.i18n import tr

if TYPE_CHECKING:
    from desktop.core.domain.rules import Rules
    from desktop.core.guard import Backtest, Considered, GuardPolicy, NoticeBus
    from desktop.core.robots.service import RobotAlerts
    from desktop.core.store import Shop, Store


class PolicyOverrides(TypedDict, total=False):
    """The policy fields set by this run's flags."""

    lead_minutes: int
    max_fee_fen: int
    stages: tuple[str, ...]


log = logging.getLogger(__name__)

HELP = "agree requests shortly before their deadline, inside the guard policy (售后兜底)"


def _stages(text: str) -> tuple[str, ...]:
    from desktop.core.domain.rules import GUARD_STAGES

    stages = tuple(dict.fromkeys(s.strip() for s in text.split(",") if s.strip()))
    if not stages:
        raise argparse.ArgumentTypeError("give at least one stage")
    for s in stages:
        if s not in GUARD_STAGES:
            raise argparse.ArgumentTypeError(f"unknown stage {s!r}; choose from {', '.join(GUARD_STAGES)}")
    return stages


def configure(parser: argparse.ArgumentParser) -> None:
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--once", action="store_true", help="sync, act on what is due now, then exit")
    mode.add_argument(
        "--backtest",
        action="store_true",
        help="sync, then show what the policy would have done over the last 90 days",
    )
    parser.add_argument("--dry-run", action="store_true", help="say what would be agreed; send nothing")
    parser.add_argument("--json", action="store_true", help="print JSON (one object per line)")
    parser.add_argument(
        "--lead-minutes",
        type=number(int, "--lead-minutes", minimum=1, maximum=24 * 60),
        metavar="M",
        help="agree this many minutes before the deadline (default: the policy's, 45)",
    )
    parser.add_argument(
        "--max-fee-fen",
        type=number(int, "--max-fee-fen", minimum=1, maximum=10**11),
        metavar="N",
        help="the largest refund amount per request, in fen (default: the policy's)",
    )
    parser.add_argument(
        "--stages",
        type=_stages,
        metavar="S1,S2",
        help="stages to guard: review_refund_only, review_return, review_exchange, confirm_receipt",
    )
    add_reconcile_arguments(parser)
    add_connection_arguments(parser)


def _overrides(args: argparse.Namespace) -> PolicyOverrides:
    out: PolicyOverrides = {}
    if args.lead_minutes is not None:
        out["lead_minutes"] = args.lead_minutes
    if args.max_fee_fen is not None:
        out["max_fee_fen"] = args.max_fee_fen
    if args.stages is not None:
        out["stages"] = args.stages
    return out


def policy_for_run(
    store: Store, shop_id: int, rules: Rules, overrides: PolicyOverrides
) -> GuardPolicy | None:
    """The policy of this run: the saved one with the flags on top (the flags alone enable it);
    ``None`` when there is nothing to run (no saved policy, or one that is off, and no flags)."""
    from desktop.core.guard import GuardPolicy, load_policy

    saved = load_policy(store, shop_id)
    if not overrides:
        return saved if saved is not None and saved.enabled else None
    base = saved if saved is not None else GuardPolicy.defaults(rules)
    return replace(base, enabled=True, **overrides)


def _print_item(c: Considered, *, as_json: bool, out: TextIO) -> None:
    if as_json:
        out.write(json.dumps(c.to_json(), ensure_ascii=False) + "\n")
        return
    from desktop.cli.check import time_left_text
    from desktop.core.labels import money_text

    out.write(
        f"{c.refund_id}\t{c.outcome}\t{c.stage}\t{money_text(c.refund_fee_fen)}\t"
        f"{time_left_text(c.seconds_left)}\t{c.reason}\n"
    )


def _print_backtest(
    shop: Shop, bt: Backtest, forecast: list[dict[str, Any]], *, as_json: bool, out: TextIO
) -> None:
    from desktop.core.labels import level_names, money_text

    if as_json:
        out.write(
            json.dumps(
                {
                    "seller_id": None if shop.seller_id is None else str(shop.seller_id),
                    "name": shop.label,
                    **bt.to_json(),
                    "forecast_with_guard": forecast,
                },
                ensure_ascii=False,
            )
            + "\n"
        )
        return
    levels = level_names()
    out.write(tr("Shop: {name}", name=shop.label) + "\n")
    out.write(
        "  "
        + tr(
            "Over the last {days} days the guard would have turned {count} of {total} "
            "overdue auto-approvals ({money}) into timely approvals.",
            days=bt.days,
            count=bt.caught,
            total=bt.total,
            money=money_text(bt.caught_fen),
        )
        + "\n"
    )
    names = {
        "stage": tr("stage not guarded"),
        "amount": tr("above the amount limit"),
        "cap": tr("past a daily cap"),
    }
    for key, (count, fen) in bt.missed.items():
        if count:
            out.write(
                "  "
                + tr(
                    "Not caught, {why}: {count} ({money})", why=names[key], count=count, money=money_text(fen)
                )
                + "\n"
            )
    out.write(
        "  "
        + tr(
            "Risk level: {level} now; with the guard it would have been {guarded}.",
            level=levels.get(bt.level, bt.level),
            guarded=levels.get(bt.level_with_guard, bt.level_with_guard),
        )
        + "\n"
    )
    if forecast:
        out.write(
            "  "
            + tr(
                "With the guard: {levels}",
                levels=tr(", ").join(
                    tr(
                        "in {hours} h {level}",
                        hours=f["horizon_hours"],
                        level=levels.get(f["level"], f["level"]),
                    )
                    for f in forecast
                ),
            )
            + "\n"
        )


def _attach_robots(bus: NoticeBus, store: Store, rules: Rules) -> RobotAlerts | None:
    """The robot channels (``AW_*`` variables, else the app's settings) on the run's notice bus;
    the :class:`~desktop.core.robots.service.RobotAlerts` to close, or ``None`` without channels."""
    from desktop.cli.watch import robot_channels
    from desktop.core.robots.channels import ChannelError
    from desktop.core.robots.service import RobotAlerts

    try:
        channels = robot_channels(store)
    except ChannelError as exc:
        print(tr("Configuration error: {error}", error=str(exc)), file=sys.stderr)
        return None
    except Exception as exc:
        log.warning("guard: robot channels unavailable: %s", exc)
        return None
    if not channels:
        return None
    robots = RobotAlerts(store, rules, lambda: channels)
    bus.attach(robots.guard_channel())
    return robots


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    from desktop.core.actions import ActionEngine
    from desktop.core.domain.rules import RulesError
    from desktop.core.guard import (
        Guard,
        GuardPolicy,
        NoticeBus,
        PolicyError,
        backtest,
        guarded_forecast_levels,
        pre_notice,
        result_notice,
    )
    from desktop.core.kuaishou.errors import AuthError, KuaishouError, OAuthError
    from desktop.core.rulesfile import load_default_rules
    from desktop.core.store import StoreError
    from desktop.core.sync import Syncer

    out = out or sys.stdout
    demo = apply_global_options(args)
    try:
        rules = load_default_rules()
    except RulesError as exc:
        print(tr("The rules file is invalid: {error}", error=str(exc)), file=sys.stderr)
        return EXIT_USAGE
    overrides = _overrides(args)
    if overrides:
        try:
            replace(GuardPolicy.defaults(rules), enabled=True, **overrides)
        except PolicyError as exc:
            print(exc.message, file=sys.stderr)
            return EXIT_USAGE
    bus = NoticeBus()  # the headless run's notifications go to the robot channels, when any
    codes: list[int] = []
    try:
        with open_session(args, demo=demo) as session, contextlib.ExitStack() as stack:
            store = session.store
            if not session.targets:
                print(
                    tr(
                        "No shop to guard: sign in with the app first, or set {names} (see --help).",
                        names=ENV_NAMES,
                    ),
                    file=sys.stderr,
                )
                return EXIT_USAGE
            ran_any = False
            robots = _attach_robots(bus, store, rules) if args.once and not args.dry_run else None
            if robots is not None:
                stack.callback(robots.close)
            for target in session.targets:
                if target.problem is not None:
                    print(target.problem, file=sys.stderr)
                    codes.append(EXIT_AUTH)
                    continue
                try:
                    client = make_client(target)
                except SessionError as exc:
                    print(tr("Configuration error: {error}", error=str(exc)), file=sys.stderr)
                    return EXIT_USAGE
                with contextlib.closing(client):
                    try:
                        shop_id = resolve_shop(store, client, target)
                        policy = policy_for_run(store, shop_id, rules, overrides)
                        if policy is None and not args.backtest:
                            shop = store.shops.get(shop_id)
                            print(
                                tr(
                                    "The guard is not enabled for {shop} and no policy flags were "
                                    "given: nothing was done.",
                                    shop=shop.label if shop else shop_id,
                                ),
                                file=sys.stderr,
                            )
                            continue
                        ran_any = True
                        Syncer(client, store, rules, shop_id=shop_id).run()
                        if args.backtest or policy is None:  # no policy: only with --backtest
                            policy = policy or GuardPolicy.defaults(rules)
                            bt = backtest(store, shop_id, rules, policy)
                            fc = guarded_forecast_levels(
                                store,
                                shop_id,
                                rules,
                                replace(policy, enabled=True),
                                now_ms=int(time.time() * 1000),
                            )
                            shop = store.shops.get(shop_id)
                            if shop is None:  # resolved or created above; gone only if deleted meanwhile
                                raise SessionError(tr("The shop is no longer stored."))
                            _print_backtest(shop, bt, fc, as_json=args.json, out=out)
                            codes.append(EXIT_OK)
                            continue
                        engine = ActionEngine(
                            client, store, shop_id=shop_id, settle_s=args.settle, patience_s=args.patience
                        )
                        report = Guard(engine, rules).run(policy, dry_run=args.dry_run)
                    except (AuthError, OAuthError) as exc:
                        print(
                            tr(
                                "Authorisation problem: {error}. Sign in again (or renew the access token).",
                                error=exc.message,
                            ),
                            file=sys.stderr,
                        )
                        codes.append(EXIT_AUTH)
                        continue
                    except KuaishouError as exc:
                        print(tr("Network or platform failure: {error}", error=str(exc)), file=sys.stderr)
                        codes.append(EXIT_NETWORK)
                        continue
                for result in report.reconciled:
                    print_result(result, as_json=args.json, out=out)
                for c in report.considered:
                    _print_item(c, as_json=args.json, out=out)
                if report.stopped:
                    print(tr("Stopped: {reason}", reason=report.stopped), file=sys.stderr)
                if not args.dry_run:
                    for notice in (
                        result_notice(report),
                        pre_notice(store, shop_id, rules, policy, now_ms=int(time.time() * 1000)),
                    ):
                        if notice is not None:
                            bus.send(notice)
                            if not args.json:
                                print(notice.text, file=sys.stderr)
                codes.append(EXIT_PARTIAL if report.failed else EXIT_OK)
            if not ran_any and not codes:
                return EXIT_USAGE
    except SessionError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except StoreError as exc:
        print(exc.message, file=sys.stderr)
        return EXIT_USAGE
    if not codes:
        return EXIT_USAGE
    for code in (EXIT_AUTH, EXIT_NETWORK, EXIT_PARTIAL):
        if code in codes:
            return code
    return EXIT_OK
