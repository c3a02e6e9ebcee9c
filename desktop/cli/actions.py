"""What ``aftersale-watch approve`` and ``aftersale-watch reject`` share: arguments, the shop to act
on, the engine run, and the output.

Credentials and the gateway come exactly as for ``check`` (the ``KS_*`` environment variables, else
the stored shop profile; ``--demo`` for the embedded sandbox shop; ``--api-base``; ``--data-dir``),
through the same helpers. Every run first settles what an interrupted earlier run left open in the
action journal (reported as ``reconciled`` lines), then reads every refund afresh, plans, and sends.
A send without a clear answer is never sent again by itself: its refund is read until it shows the
action applied or impossible; if it still looks unchanged, the line says ``unknown`` with the evidence,
and the refund is not acted on again until the seller, having checked the seller backend, runs the
command again with ``--act-again-on-undecided``.

Output: one line per refund — ``REFUND_ID<TAB>OUTCOME<TAB>ACTION<TAB>MESSAGE`` — or with ``--json``
one JSON object per line (``refundId`` as a string, ``outcome``, ``action``, ``message``…).
Exit codes: 0 every refund done · 5 some not done (failed, skipped, changed…) · 2 usage or local
problem · 3 authorisation · 4 network/platform (quota) failure before anything could be decided.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TextIO

from desktop.cli import EXIT_AUTH, EXIT_NETWORK, EXIT_OK, EXIT_PARTIAL, EXIT_USAGE
from desktop.cli.common import (
    ENV_NAMES,
    MAX_ID,
    Num,
    SessionError,
    Target,
    add_connection_arguments,
    apply_global_options,
    make_client,
    number,
    open_session,
    resolve_shop,
)
from desktop.core.i18n import tr

if TYPE_CHECKING:
    from desktop.core.actions import Intent, ItemResult, PlannedAction, Skip
    from desktop.core.store import Store

#: how long after an interrupted send the refund is first read, by default (seconds)
DEFAULT_SETTLE_S = 10.0
#: how long after it the refund is read again before the seller is asked to decide (seconds)
DEFAULT_PATIENCE_S = 60.0


#: the most calls per second --qps accepts: the platform's default cap is 100 per API, and higher
#: tiers are granted on request
MAX_QPS = 1000.0


def _refund_id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a refund id is a whole number, got {text!r}") from None
    if not 0 < value <= MAX_ID:
        raise argparse.ArgumentTypeError(f"a refund id is a positive 64-bit number, got {value}")
    return value


def _positive(kind: type[Num], what: str, maximum: float = MAX_ID) -> Callable[[str], Num]:
    return number(kind, what, minimum=1 if kind is int else 0.01, maximum=maximum)


def _non_negative_seconds(text: str) -> float:
    return number(float, "--settle", minimum=0, maximum=600)(text)


def add_reconcile_arguments(parser: argparse.ArgumentParser) -> None:
    """How long a send without a clear answer is followed up (``approve``, ``reject``, ``guard``)."""
    parser.add_argument(
        "--settle",
        type=_non_negative_seconds,
        default=DEFAULT_SETTLE_S,
        metavar="SECONDS",
        help="after a send without a clear answer, wait this long before reading "
        f"the refund to see whether it landed (default {DEFAULT_SETTLE_S:g})",
    )
    parser.add_argument(
        "--patience",
        type=number(float, "--patience", minimum=0, maximum=3600),
        default=DEFAULT_PATIENCE_S,
        metavar="SECONDS",
        help="keep reading such a refund this long after the send while it looks "
        "unchanged; then it is reported undecided, for you to check "
        f"(default {DEFAULT_PATIENCE_S:g})",
    )


def configure_common(parser: argparse.ArgumentParser) -> None:
    """The arguments both commands take (the connection ones are ``check``'s)."""
    from desktop.core.actions import DEFAULT_QPS

    parser.add_argument(
        "refund_ids",
        metavar="REFUND_ID",
        nargs="+",
        type=_refund_id,
        help="the after-sale requests to act on",
    )
    add_connection_arguments(parser)
    parser.add_argument("--json", action="store_true", help="print one JSON object per refund")
    parser.add_argument(
        "--shop",
        type=_positive(int, "--shop"),
        metavar="SELLER_ID",
        help="the stored shop to act for, when several are stored",
    )
    parser.add_argument(
        "--qps",
        type=_positive(float, "--qps", MAX_QPS),
        default=DEFAULT_QPS,
        metavar="N",
        help=f"calls per second at most (default {DEFAULT_QPS:g}; the platform "
        f"allows 100 unless it granted more; at most {MAX_QPS:g})",
    )
    add_reconcile_arguments(parser)
    parser.add_argument(
        "--act-again-on-undecided",
        action="store_true",
        help="you checked the seller backend: the undecided earlier actions on "
        "these refunds were not applied there, so act on them again",
    )


def print_result(result: ItemResult, *, as_json: bool, out: TextIO) -> None:
    from desktop.core.actions.audit import kind_text, outcome_text

    if as_json:
        out.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
        return
    outcome = ("reconciled " if result.reconciled else "") + result.outcome.value
    action = result.kind.value if result.kind else "-"
    label = outcome_text(result.outcome.value, result.outcome.value)
    text = f"{label} · {kind_text(action)}: {result.message}" if result.kind else f"{label}: {result.message}"
    out.write(f"{result.refund_id}\t{outcome}\t{action}\t{text}\n")


def print_planned(action: PlannedAction, *, as_json: bool, out: TextIO) -> None:
    """A dry-run line: what would be sent."""
    from desktop.core.actions.audit import kind_text

    if as_json:
        out.write(
            json.dumps(
                {
                    "refundId": str(action.refund_id),
                    "outcome": "planned",
                    "action": action.kind.value,
                    "method": action.method,
                    "params": {k: str(v) if k == "refundId" else v for k, v in action.params.items()},
                    "amountFen": action.amount,
                    "warnings": [w.value for w in action.warnings],
                },
                ensure_ascii=False,
            )
            + "\n"
        )
        return
    params = json.dumps(dict(action.params), ensure_ascii=False, sort_keys=True)
    warn = f" [{', '.join(w.value for w in action.warnings)}]" if action.warnings else ""
    out.write(
        f"{action.refund_id}\tplanned\t{action.kind.value}\t{kind_text(action.kind.value)}: "
        f"{action.method} {params}{warn}\n"
    )


def skip_result(skip: Skip) -> ItemResult:
    from desktop.core.actions import ItemResult, Outcome

    return ItemResult(skip.refund_id, Outcome.SKIPPED, skip.reason, after=skip.state)


def _select_target(targets: Sequence[Target], store: Store, seller_id: int | None) -> Target:
    """The one shop to act for (several stored shops need ``--shop``)."""
    if seller_id is not None:
        by_id = {s.id: s for s in store.shops.all()}
        chosen = [
            t
            for t in targets
            if t.shop_id is not None and getattr(by_id.get(t.shop_id), "seller_id", None) == seller_id
        ]
        if not chosen:
            raise _Usage(tr("No stored shop has seller id {id}.", id=seller_id))
        return chosen[0]
    if len(targets) > 1:
        raise _Usage(tr("Several shops are stored: choose one with --shop SELLER_ID."))
    return targets[0]


class _Usage(Exception):
    pass


def run_command(
    args: argparse.Namespace, intent: Intent, *, dry_run: bool = False, out: TextIO | None = None
) -> int:
    """Run one bulk action from the command line; returns the exit code."""
    from desktop.core.actions import ActionEngine, ActionsCancelled, Outcome
    from desktop.core.kuaishou.errors import AuthError, KuaishouError, OAuthError, credential_problem
    from desktop.core.store import StoreError

    out = out or sys.stdout
    demo = apply_global_options(args)
    try:
        with open_session(args, demo=demo) as session:
            store, targets = session.store, session.targets
            if not targets:
                print(
                    tr(
                        "No shop to act for: sign in with the app first, or set {names} (see --help).",
                        names=ENV_NAMES,
                    ),
                    file=sys.stderr,
                )
                return EXIT_USAGE
            target = _select_target(targets, store, args.shop)
            if target.problem is not None:
                print(target.problem, file=sys.stderr)
                return EXIT_AUTH
            with contextlib.closing(make_client(target, qps=max(args.qps, 1.0))) as client:
                try:
                    shop_id = resolve_shop(store, client, target)
                    engine = ActionEngine(
                        client,
                        store,
                        shop_id=shop_id,
                        qps=args.qps,
                        settle_s=args.settle,
                        patience_s=args.patience,
                    )
                    # what an interrupted earlier run left open is settled and reported first
                    printed = set()
                    for result in engine.reconcile():
                        print_result(result, as_json=args.json, out=out)
                        printed.add((result.journal_id, result.outcome))
                    plan = engine.prepare(
                        args.refund_ids, intent, release_uncertain=args.act_again_on_undecided
                    )
                    for result in plan.reconciled:
                        if (result.journal_id, result.outcome) not in printed:  # said once
                            print_result(result, as_json=args.json, out=out)
                    if dry_run:
                        for action in plan.actions:
                            print_planned(action, as_json=args.json, out=out)
                        for skip in plan.skipped:
                            print_result(skip_result(skip), as_json=args.json, out=out)
                        return EXIT_OK if not plan.skipped else EXIT_PARTIAL
                    report = engine.execute(plan)
                except (AuthError, OAuthError) as exc:
                    print(credential_problem(exc), file=sys.stderr)
                    return EXIT_AUTH
                except ActionsCancelled:
                    return EXIT_PARTIAL
                except KuaishouError as exc:
                    print(tr("Network or platform failure: {error}", error=str(exc)), file=sys.stderr)
                    return EXIT_NETWORK
    except (SessionError, _Usage) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except StoreError as exc:
        print(exc.message, file=sys.stderr)
        return EXIT_USAGE
    by_id = {r.refund_id: r for r in report.results}
    by_id.update({s.refund_id: skip_result(s) for s in plan.skipped})
    for rid in dict.fromkeys(args.refund_ids):
        print_result(by_id[rid], as_json=args.json, out=out)
    if report.stopped:
        print(tr("Stopped: {reason}", reason=report.stopped), file=sys.stderr)
    ok = all(by_id[rid].outcome is Outcome.DONE for rid in args.refund_ids)
    return EXIT_OK if ok else EXIT_PARTIAL
