"""Headless sub-commands. Each module named in :data:`COMMANDS` provides

* ``HELP``: a one-line description,
* ``configure(parser)``: adds its arguments to an ``argparse`` sub-parser,
* ``run(args) -> int``: does the work and returns the process exit code.

Exit codes shared by every command (documented in the README):
0 done · 2 usage or configuration error · 3 authorisation problem · 4 network/API failure ·
5 some actions failed.
"""

from __future__ import annotations

import argparse
import importlib
from typing import TYPE_CHECKING, Protocol, cast

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_AUTH = 3
EXIT_NETWORK = 4
EXIT_PARTIAL = 5

#: sub-command name -> module (imported only when that command runs, to keep start-up light)
COMMANDS: dict[str, str] = {
    "sandbox": "desktop.cli.sandbox",
    "check": "desktop.cli.check",
    "approve": "desktop.cli.approve",
    "reject": "desktop.cli.reject",
    "guard": "desktop.cli.guard",
    "watch": "desktop.cli.watch",
}


class Command(Protocol):
    """What a sub-command module provides (the modules of :data:`COMMANDS` are checked against it)."""

    HELP: str

    def configure(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


def load_command(name: str) -> Command:
    """The module of the sub-command ``name`` (one of :data:`COMMANDS`), imported now."""
    # a module object is typed as ModuleType; the type checker holds each of them to Command below
    return cast(Command, importlib.import_module(COMMANDS[name]))


if TYPE_CHECKING:  # every module of COMMANDS provides what Command names
    from desktop.cli import approve, check, guard, reject, sandbox, watch

    _COMMAND_MODULES: tuple[Command, ...] = (sandbox, check, approve, reject, guard, watch)
