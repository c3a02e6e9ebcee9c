"""``aftersale-watch approve REFUND_ID... [--address-id N] [--refuse-freight TEXT --freight-image URL...]
[--dry-run] [--json]``.

Agrees each request at the step it is at: refund-only → refund; return/exchange → agree the return
(to ``--address-id`` or the shop's default return address); returned goods → confirm receipt,
paying a return-freight claim when there is one — or refusing it with ``--refuse-freight`` (a
description under 300 characters), which needs 1–6 ``--freight-image`` pictures as evidence: without
both the refusal is not offered and the command says why. See :mod:`desktop.cli.actions`.
"""

from __future__ import annotations

import argparse

from desktop.cli import actions

HELP = "approve after-sale requests (journaled, paced, safe to interrupt)"


def configure(parser: argparse.ArgumentParser) -> None:
    actions.configure_common(parser)
    parser.add_argument(
        "--address-id",
        type=actions._positive(int, "--address-id"),
        metavar="N",
        help="return address for returns (default: the shop's default return address)",
    )
    parser.add_argument(
        "--refuse-freight",
        metavar="TEXT",
        help="on confirming receipt, refuse the buyer's return-freight claim with this "
        "description (under 300 characters; needs --freight-image)",
    )
    parser.add_argument(
        "--freight-image",
        metavar="URL",
        action="append",
        default=[],
        help="a picture (URL) as evidence for --refuse-freight; 1 to 6, repeat the option for each",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="read the requests and print what would be sent; send nothing"
    )


def run(args: argparse.Namespace) -> int:
    import sys

    from desktop.cli import EXIT_USAGE
    from desktop.core.actions import Approve, freight_refusal_problem
    from desktop.core.i18n import tr

    images = tuple(args.freight_image)
    if args.refuse_freight is None:
        if images:
            print(
                tr(
                    "--freight-image goes with --refuse-freight: pictures are sent only to refuse "
                    "a return-freight claim."
                ),
                file=sys.stderr,
            )
            return EXIT_USAGE
        intent = Approve(address_id=args.address_id)
    else:
        problem = freight_refusal_problem(args.refuse_freight, images)
        if problem is not None:
            print(tr("The return freight cannot be refused: {problem}", problem=problem), file=sys.stderr)
            return EXIT_USAGE
        intent = Approve(
            address_id=args.address_id,
            freight_accept=False,
            freight_reject_desc=args.refuse_freight.strip(),
            freight_reject_images=tuple(i.strip() for i in images),
        )
    return actions.run_command(args, intent, dry_run=args.dry_run)
