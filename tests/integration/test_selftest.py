"""``aftersale-watch --self-test``: the checks CI also runs on the frozen bundle."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from desktop import selftest

ROOT = Path(__file__).resolve().parents[2]
LINE = re.compile(r"^(ok|FAILED)\s+(.+?)\s+(\d+) ms  (.*)$")


def test_self_test_passes_from_the_source_tree(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "AFTERSALE_WATCH_HOME": str(tmp_path / "home")}
    env.pop("DISPLAY", None)  # proves it needs no display
    env.pop("WAYLAND_DISPLAY", None)
    done = subprocess.run(
        [sys.executable, "-m", "desktop", "--self-test"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    report = done.stdout.splitlines()
    checks = {m.group(2): (m.group(1), m.group(4)) for m in map(LINE.match, report) if m}
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    assert set(checks) == {name for name, _ in selftest.CHECKS}
    assert all(status == "ok" for status, _ in checks.values()), done.stdout
    assert report[-1].startswith(f"self-test passed: {len(selftest.CHECKS)} checks in ")
    assert "round trip: seller " in checks["sandbox"][1]
    # everything it wrote went to a temporary folder, not to the app home
    assert not (tmp_path / "home" / "data").exists()


def test_a_failing_check_is_named_and_fails_the_run(monkeypatch, capsys):
    def broken(ctx):
        raise OSError("disk on fire")

    monkeypatch.setattr(selftest, "CHECKS", (("fine", lambda ctx: "all good"), ("store", broken)))
    assert selftest.run() == selftest.EXIT_FAILED
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert LINE.match(lines[1]).group(1, 2, 4) == ("ok", "fine", "all good")
    assert LINE.match(lines[2]).group(1, 2, 4) == ("FAILED", "store", "OSError: disk on fire")
    assert lines[-1].startswith("self-test FAILED in ") and lines[-1].endswith(": store")
    assert "Traceback" in captured.err and "disk on fire" in captured.err  # for the CI log
