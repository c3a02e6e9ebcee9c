"""Entry point: ``aftersale-watch`` / ``python -m desktop``.

Without a sub-command the desktop app starts (``--demo`` runs it on the embedded sandbox shop).
Sub-commands run headless; see ``aftersale-watch --help``.
"""

from __future__ import annotations

import argparse
import sys

from desktop import __version__
from desktop.cli import COMMANDS, EXIT_USAGE, load_command


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aftersale-watch",
        description="售后守望 AfterSale Watch — after-sale deadline watch for Kuaishou shops",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    from desktop.cli.common import folder

    parser.add_argument(
        "--data-dir", metavar="DIR", type=folder, help="keep all data, settings and logs below DIR"
    )
    parser.add_argument(
        "--demo", action="store_true", help="run on the embedded demo shop (no account needed)"
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check that the app can start (resources, keyring, store, one signed call), then exit",
    )
    parser.add_argument("--hidden", action="store_true", help="start in the tray without showing the window")
    parser.add_argument("--lang", choices=("zh_CN", "en"), help="language of the interface")
    parser.add_argument(
        "--no-error-dialogs",
        action="store_true",
        help="log unexpected errors instead of showing a dialog (for automation)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = load_command(name)
        module.configure(sub.add_parser(name, help=module.HELP, description=module.HELP))
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.data_dir:
        from desktop.core import paths

        paths.set_home(args.data_dir)
    if args.command:
        from desktop.core.logsetup import close_logging

        command = load_command(args.command)
        try:
            return int(command.run(args) or 0)
        finally:
            close_logging()
    if args.self_test:
        try:
            from desktop.selftest import run as self_test
        except ImportError:
            print("self-test is not available in this build", file=sys.stderr)
            return EXIT_USAGE
        return self_test(args)
    from desktop.app import main as gui_main

    return gui_main(args)


if __name__ == "__main__":
    sys.exit(main())
