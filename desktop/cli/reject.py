"""``aftersale-watch reject REFUND_ID... --reason-code N [--desc TEXT] [--json]``.

The reason must be allowed for each refund (``open.refund.reject.reason``); a refund for which it is
not, or which it requires a description or pictures for that were not given, is skipped with the
reason (pictures: reject it in the seller backend). See :mod:`desktop.cli.actions`.
"""

from __future__ import annotations

import argparse

from desktop.cli import actions

HELP = "reject after-sale requests with one reason (journaled, paced, safe to interrupt)"


def configure(parser: argparse.ArgumentParser) -> None:
    actions.configure_common(parser)
    parser.add_argument(
        "--reason-code",
        type=actions._positive(int, "--reason-code"),
        required=True,
        metavar="N",
        help="the reject reason (from the reasons the platform allows the refund)",
    )
    parser.add_argument("--desc", metavar="TEXT", help="the rejection description")


def run(args: argparse.Namespace) -> int:
    from desktop.core.actions import Reject

    return actions.run_command(args, Reject(args.reason_code, desc=args.desc))
