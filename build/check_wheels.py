"""Prove, from any OS, that the app's runtime dependencies install as binary wheels on the systems we ship.

    python build/check_wheels.py            # every target below, a table and the oldest OS versions
    python build/check_wheels.py --json     # the same as JSON

PyInstaller does not cross-compile, so the Windows and macOS bundles are built on those systems (see
``.github/workflows/release.yml``). What *can* be checked anywhere is that pip resolves the
dependencies of ``pyproject.toml`` to wheels for each target (``pip install --dry-run
--only-binary=:all: --platform … --python-version …``): a dependency that needs a compiler there, or a
version range that no wheel of that system satisfies, fails here first. The oldest macOS and Windows
versions the bundle supports follow from the platform tags of the wheels actually resolved (the README
states them; ``tests/unit/test_release.py`` keeps the two in step).

Exit 0 when every target resolves, 1 otherwise (each failure printed with pip's reason).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

PYTHONS = ("3.11", "3.12", "3.13")
#: pip platform tag -> the system it stands for
PLATFORMS = {
    "win_amd64": "Windows x86-64",
    "macosx_13_0_arm64": "macOS arm64",
    "macosx_13_0_x86_64": "macOS x86-64",
}
#: what a dependency pulls in only on one system (pip evaluates environment markers for the machine
#: it runs on, not for --platform): keyring's Windows Credential Manager backend
EXTRA_REQUIREMENTS = {"win_amd64": ["pywin32-ctypes>=0.2.0"]}

#: Qt 6 for Windows needs Windows 10 1809 or later (x86-64); no wheel tag says so, Qt's documentation does
QT6_OLDEST_WINDOWS = "Windows 10 (1809)"

_MACOS_TAG = re.compile(r"macosx_(\d+)_(\d+)_(\w+)")


@dataclass
class Resolution:
    platform: str
    python: str
    wheels: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def runtime_requirements(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    """The ``[project] dependencies`` of ``pyproject.toml``, as written there."""
    with pyproject.open("rb") as fh:
        return list(tomllib.load(fh)["project"]["dependencies"])


def wheel_names(report: Mapping[str, Any]) -> list[str]:
    """The file names of the wheels in a ``pip install --report`` document."""
    names = []
    for item in report.get("install", []):
        url = (item.get("download_info") or {}).get("url", "")
        names.append(url.rsplit("/", 1)[-1])
    return sorted(names)


def oldest_macos(wheels: list[str]) -> tuple[int, int] | None:
    """The newest ``macosx_X_Y`` among the wheels: the oldest macOS on which all of them load."""
    versions = [(int(m[1]), int(m[2])) for name in wheels for m in _MACOS_TAG.finditer(name)]
    return max(versions) if versions else None


def resolve(requirements: list[str], platform: str, python: str) -> Resolution:
    result = Resolution(platform, python)
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.json"
        cmd = [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--dry-run",
            "--ignore-installed",
            "--quiet",
            "--disable-pip-version-check",
            "--only-binary=:all:",
            "--platform",
            platform,
            "--python-version",
            python,
            "--report",
            str(report),
            *requirements,
            *EXTRA_REQUIREMENTS.get(platform, []),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0 or not report.exists():
            lines = [ln for ln in (proc.stderr or proc.stdout).splitlines() if ln.startswith("ERROR")]
            result.error = "\n".join(lines) or f"pip exited {proc.returncode}"
            return result
        result.wheels = wheel_names(json.loads(report.read_text(encoding="utf-8")))
    return result


def summary(results: list[Resolution]) -> dict[str, Any]:
    macs = [oldest_macos(r.wheels) for r in results if r.ok and r.platform.startswith("macosx")]
    mac = max((m for m in macs if m), default=None)
    return {
        "all_resolved": all(r.ok for r in results),
        "oldest_macos": f"macOS {mac[0]}.{mac[1]}" if mac else None,
        "oldest_windows": QT6_OLDEST_WINDOWS,
        "targets": [
            {"platform": r.platform, "python": r.python, "ok": r.ok, "wheels": r.wheels, "error": r.error}
            for r in results
        ],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    requirements = runtime_requirements()
    targets = [(p, v) for p in PLATFORMS for v in PYTHONS]
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda t: resolve(requirements, *t), targets))
    report = summary(results)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for r in results:
            qt = next((w for w in r.wheels if w.lower().startswith("pyside6_essentials")), "")
            state = "ok    " if r.ok else "FAILED"
            print(f"{state} {PLATFORMS[r.platform]:15} Python {r.python}  {len(r.wheels):2} wheels  {qt}")
            if r.error:
                print("       " + r.error.replace("\n", "\n       "))
        print(f"oldest systems supported: {report['oldest_macos']}, {report['oldest_windows']}")
    return 0 if report["all_resolved"] else 1


if __name__ == "__main__":
    sys.exit(main())
