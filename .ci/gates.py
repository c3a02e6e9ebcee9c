#!/usr/bin/env python3
"""The code gates: lint, format, types and the import contracts, as configured in ``pyproject.toml``.

    python .ci/gates.py          # run every gate, report each one, exit 1 when any of them failed
    python .ci/gates.py --fix    # first let ruff format the code and apply its safe fixes, then check

Run it with the project's interpreter, after ``pip install -e ".[test,dev]"`` (the ``dev`` extra brings
ruff, mypy and import-linter); ``.ci/run`` runs the same script before it builds the bundle and runs the
tests. Every gate runs even when an earlier one failed, so one run shows everything there is to fix.
Nothing here reaches the network or writes outside the tools' own caches.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# what ruff looks at (mypy's files are in pyproject.toml's [tool.mypy])
LINTED = ["desktop", "tests", "build", ".ci/gates.py"]

# the import name of each tool of the "dev" extra, and the name to install it by
TOOLS = {"ruff": "ruff", "mypy": "mypy", "importlinter": "import-linter"}


@dataclass(frozen=True)
class Gate:
    name: str
    args: list[str]  # run as: python <args>, from the project's root


def _lint_imports_args() -> list[str]:
    # import-linter's own command line, through this interpreter (no reliance on a script on PATH);
    # no cache: the graph is rebuilt in a second or two and nothing is left in the clone
    code = "from importlinter.cli import lint_imports_command; lint_imports_command(['--no-cache'])"
    return ["-c", code]


def gates() -> list[Gate]:
    return [
        Gate("ruff check", ["-m", "ruff", "check", *LINTED]),
        Gate("ruff format", ["-m", "ruff", "format", "--check", *LINTED]),
        Gate("mypy", ["-m", "mypy"]),
        Gate("import contracts", _lint_imports_args()),
    ]


def fixes() -> list[Gate]:
    return [
        Gate("ruff format (fix)", ["-m", "ruff", "format", *LINTED]),
        Gate("ruff check (fix)", ["-m", "ruff", "check", "--fix", *LINTED]),
    ]


def missing_tools() -> list[str]:
    return [dist for module, dist in TOOLS.items() if importlib.util.find_spec(module) is None]


def run(gate: Gate, python: str) -> tuple[bool, float]:
    print(f"==> {gate.name}", flush=True)
    env = dict(os.environ)
    # the package is imported from this clone even where it was not installed (import-linter, mypy)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    started = time.monotonic()
    result = subprocess.run([python, *gate.args], cwd=ROOT, env=env)
    return result.returncode == 0, time.monotonic() - started


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the code gates (ruff, mypy, import-linter).")
    parser.add_argument(
        "--fix", action="store_true", help="format the code and apply ruff's safe fixes before checking"
    )
    args = parser.parse_args(argv)

    missing = missing_tools()
    if missing:
        print(
            f"gates: {', '.join(missing)} not installed for {sys.executable}; "
            'install the development tools with: pip install -e ".[dev]"',
            file=sys.stderr,
        )
        return 2

    for gate in fixes() if args.fix else []:
        run(gate, sys.executable)

    results = [(gate.name, *run(gate, sys.executable)) for gate in gates()]
    print("\ngates:")
    for name, passed, seconds in results:
        print(f"  {name:<18} {'passed' if passed else 'FAILED'}  ({seconds:.1f} s)")
    failed = [name for name, passed, _ in results if not passed]
    if failed:
        print(f"gates failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
