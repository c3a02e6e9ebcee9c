"""``aftersale-watch approve REFUND_ID... [--address-id N] [--dry-run] [--json]``.

Agrees each request at the step it is at: refund-only → refund; return/exchange → agree the return
(to ``--address-id`` or the shop's default return address); returned goods → confirm receipt
(accepting a return-freight claim when there is one). See :mod:`desktop.cli.actions`.
"""

from __future__ import annotations

import argparse

from desktop.cli import actions

HELP = "approve after-sale requests (journaled, paced, safe to interrupt)"


def configure(parser: argparse.ArgumentParser) -> None:
    actions.configure_common(parser)
    parser.add_argument("--address-id", type=actions._positive(int, "--address-id"), metavar="N",
                        help="return address for returns (default: the shop's default return address)")
    parser.add_argument("--dry-run", action="store_true",
                        help="read the requests and print what would be sent; send nothing")


def run(args: argparse.Namespace) -> int:
    from desktop.core.actions import Approve

    return actions.run_command(args, Approve(address_id=args.address_id), dry_run=args.dry_run)
