"""Headless sub-commands. Each module named in :data:`COMMANDS` provides

* ``HELP``: a one-line description,
* ``configure(parser)``: adds its arguments to an ``argparse`` sub-parser,
* ``run(args) -> int``: does the work and returns the process exit code.

Exit codes shared by every command (documented in the README):
0 done · 2 usage or configuration error · 3 authorisation problem · 4 network/API failure ·
5 some actions failed.
"""

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
