"""Crash benchmark: at least 100 seeded kill points of ``approve`` (runs and restarts) against a slow
sandbox, counting every call the gateway received.

    python tests/benchmarks/bench_actions_crash.py [--kills N] [--seed S] [--max-hold SECONDS] [--mutant]

Each round approves three refunds (refund-only, return, receipt) through the real CLI in a subprocess;
the sandbox holds every action before carrying it out (or answers late after it) for a seeded time; the
run is killed with SIGKILL at a seeded moment after it read or sent something, and restarts are killed
too until one is left to finish (see ``tests/integration/crash_harness.py``). Prints the tally: kill
points, rounds, calls received, sent twice, lost, undecided (reported to the seller, never at the
gateway) and problems. Targets: sent twice 0, lost 0, problems 0.

``--mutant`` runs the CLI with the write-ahead ``sent`` mark removed: the tally must then show requests
sent twice (exit status 0 when the mutation is caught). Exit status 1 when a target is missed. Not part
of the test run (its seeded small version is ``tests/integration/test_actions_crash.py``).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

from crash_harness import run

from desktop.sandbox import Sandbox


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=100, help="kill points at least (default 100)")
    parser.add_argument("--seed", type=int, default=20_240_509)
    parser.add_argument("--max-hold", type=float, default=1.5, help="longest hold of an action (s)")
    parser.add_argument("--mutant", action="store_true", help="remove the write-ahead 'sent' mark")
    args = parser.parse_args(argv)
    started = time.monotonic()
    with (
        tempfile.TemporaryDirectory(prefix="crash-bench-") as tmp,
        Sandbox(demo_data=False, buyer_ships_after_s=None) as sb,
    ):
        tally = run(
            sb,
            Path(tmp),
            kill_points=args.kills,
            seed=args.seed,
            max_hold_s=args.max_hold,
            mutant=args.mutant,
            log=lambda line: print(line, flush=True),
        )
    elapsed = time.monotonic() - started
    print(
        f"kill points {tally.kill_points} (restarts {tally.restart_kills}) in {tally.rounds} rounds, "
        f"{elapsed:.0f} s; requests held when killed {tally.held_when_killed}"
    )
    print(
        f"calls received {tally.received} · sent twice {tally.sent_twice} · lost {tally.lost} · "
        f"undecided (reported to the seller) {tally.undecided} · problems {len(tally.problems)}"
    )
    for problem in tally.problems:
        print("  problem:", problem)
    if args.mutant:
        caught = tally.sent_twice > 0
        print("mutation caught" if caught else "MUTATION NOT CAUGHT")
        return 0 if caught else 1
    ok = tally.sent_twice == 0 and tally.lost == 0 and not tally.problems
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
