"""The code gates: what CI runs is the developer's one command, with the tools it needs and the
contracts that hold the architecture in place (the gates themselves run in CI, not here)."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


def _load_gates() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ci_gates", ROOT / ".ci" / "gates.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("ci_gates", module)
    spec.loader.exec_module(module)
    return module


gates = _load_gates()


@pytest.fixture(scope="module")
def pyproject() -> dict:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        return tomllib.load(fh)


def _run_lines() -> list[str]:
    text = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def _index(lines: list[str], needle: str) -> int:
    found = [i for i, line in enumerate(lines) if needle in line]
    assert found, f".ci/run has no line with {needle!r}"
    return found[0]


# --- CI runs the developer's command, first -------------------------------------------------------


def test_ci_installs_the_dev_tools_and_runs_the_gates_before_the_bundle_and_the_tests():
    lines = _run_lines()
    install = _index(lines, "pip install -q -e")
    assert "dev" in re.search(r'"\.\[([^\]]*)\]"', lines[install]).group(1).split(",")
    gate_run = _index(lines, ".ci/gates.py")
    assert lines[gate_run].startswith(".venv/bin/python ")  # the project's interpreter, with its tools
    assert install < gate_run < _index(lines, "build/check_wheels.py")
    assert gate_run < _index(lines, "build/ci-bundle.sh")
    assert gate_run < _index(lines, "-m pytest")


def test_the_release_workflow_gates_its_bundles_with_the_same_script():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8"))
    job = workflow["jobs"]["gates"]
    steps = "\n".join(str(step.get("run", "")) for step in job["steps"])
    assert "python .ci/gates.py" in steps
    assert re.search(r'pip install -e "\.\[[^\]]*\bdev\b[^\]]*\]"', steps)
    assert "gates" in workflow["jobs"]["bundle"]["needs"]


def test_the_readme_documents_the_one_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    development = readme[readme.index("## For developers") :]
    assert "python .ci/gates.py" in development
    assert '".[test,dev]"' in development


# --- the command has what it needs ----------------------------------------------------------------


def _requirement_name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0].lower()


def test_every_tool_the_gates_run_comes_with_the_dev_extra(pyproject):
    dev = {_requirement_name(r) for r in pyproject["project"]["optional-dependencies"]["dev"]}
    assert set(gates.TOOLS.values()) <= dev
    assert "types-requests" in dev  # mypy checks the client's requests calls against their types


def test_the_gates_lint_every_code_folder_and_check_the_types_of_what_pyproject_names(pyproject):
    for path in gates.LINTED:
        assert (ROOT / path).exists(), path
    for path in pyproject["tool"]["mypy"]["files"]:
        assert (ROOT / path).exists(), path
    names = [gate.name for gate in gates.gates()]
    assert names == ["ruff check", "ruff format", "mypy", "import contracts"]
    assert "--check" in gates.gates()[1].args  # CI checks the format, it never rewrites the code


def test_a_missing_tool_is_named_with_the_command_that_installs_it(monkeypatch, capsys):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        gates.importlib.util, "find_spec", lambda name: None if name == "importlinter" else real(name)
    )
    ran = []
    monkeypatch.setattr(gates, "run", lambda gate, python: ran.append(gate) or (True, 0.0))
    assert gates.main([]) == 2
    err = capsys.readouterr().err
    assert "import-linter" in err and 'pip install -e ".[dev]"' in err
    assert ran == []  # nothing half-run


def test_every_gate_runs_and_any_failure_fails_the_command(monkeypatch, capsys):
    ran = []

    def fake_run(gate, python):
        ran.append(gate.name)
        return gate.name != "mypy", 0.1

    monkeypatch.setattr(gates, "run", fake_run)
    assert gates.main([]) == 1
    assert ran == ["ruff check", "ruff format", "mypy", "import contracts"]  # mypy failing stops nothing
    assert "gates failed: mypy" in capsys.readouterr().err


def test_fix_formats_before_it_checks(monkeypatch):
    ran = []
    monkeypatch.setattr(gates, "run", lambda gate, python: ran.append(gate.args) or (True, 0.0))
    assert gates.main(["--fix"]) == 0
    assert ran[0][:3] == ["-m", "ruff", "format"] and "--check" not in ran[0]
    assert ran[1][:4] == ["-m", "ruff", "check", "--fix"]
    assert ran[2:] == [gate.args for gate in gates.gates()]


# --- the contracts name the layers ----------------------------------------------------------------


def _contracts(pyproject) -> list[dict]:
    return pyproject["tool"]["importlinter"]["contracts"]


def _layers(contract: dict) -> list[set[str]]:
    return [{part.strip() for part in re.split(r"[|:]", layer)} for layer in contract["layers"]]


def _position(layers: list[set[str]], name: str) -> int:
    return next(i for i, layer in enumerate(layers) if name in layer)


def test_the_core_is_below_the_window_the_command_line_and_the_sandbox(pyproject):
    [contract] = [
        c for c in _contracts(pyproject) if c["type"] == "layers" and c.get("containers") == ["desktop"]
    ]
    layers = _layers(contract)
    core = _position(layers, "core")
    assert core == len(layers) - 1
    for shell in ("ui", "cli", "sandbox", "app", "selftest", "__main__"):
        assert _position(layers, shell) < core, shell
    # the window and the command line are independent of each other, and the sandbox imports neither
    assert _position(layers, "ui") == _position(layers, "cli")
    assert "|" in contract["layers"][_position(layers, "ui")]
    assert _position(layers, "sandbox") > _position(layers, "ui")


def test_qt_is_forbidden_under_the_core_and_import_linter_can_see_it(pyproject):
    # PySide6 is not part of the project: import-linter only knows it with external packages on
    assert pyproject["tool"]["importlinter"]["include_external_packages"] is True
    forbidding_qt = [
        c
        for c in _contracts(pyproject)
        if c["type"] == "forbidden" and {"PySide6", "shiboken6"} <= set(c["forbidden_modules"])
    ]
    assert forbidding_qt
    sources = set().union(*(set(c["source_modules"]) for c in forbidding_qt))
    assert {"desktop.core", "desktop.cli", "desktop.sandbox"} <= sources
    assert not any(c.get("allow_indirect_imports") for c in forbidding_qt)


def test_inside_the_core_the_client_is_below_the_store_and_the_domain_at_the_bottom(pyproject):
    [contract] = [
        c for c in _contracts(pyproject) if c["type"] == "layers" and c.get("containers") == ["desktop.core"]
    ]
    layers = _layers(contract)
    assert _position(layers, "domain") == len(layers) - 1
    assert _position(layers, "store") < _position(layers, "kuaishou") < _position(layers, "domain")
    for workflow in ("sync", "actions", "guard", "watcher"):
        assert _position(layers, workflow) < _position(layers, "store"), workflow
    # every exception is spelled out, with the reason beside it in pyproject.toml
    assert all(" -> " in ignored for ignored in contract.get("ignore_imports", []))


# --- the contracts catch what they are written against --------------------------------------------


def _lint_imports(project: Path) -> subprocess.CompletedProcess[str]:
    [gate] = [g for g in gates.gates() if g.name == "import contracts"]
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run(
        [sys.executable, *gate.args], cwd=project, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    pytest.importorskip("importlinter", reason="the dev extra's import-linter")
    shutil.copytree(ROOT / "desktop", tmp_path / "desktop", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _append(file: Path, line: str) -> None:
    with file.open("a", encoding="utf-8") as fh:
        fh.write(f"\n{line}\n")


@pytest.mark.parametrize(
    ("module", "line", "contract", "named"),
    [
        (
            "desktop/core/textsafe.py",
            "import PySide6.QtCore",
            "No Qt under the core, the command line or the sandbox",
            "desktop.core.textsafe -> PySide6",
        ),
        (
            "desktop/sandbox/wire.py",
            "from PySide6.QtCore import QObject",
            "No Qt under the core, the command line or the sandbox",
            "desktop.sandbox.wire -> PySide6",
        ),
        (
            "desktop/ui/errors.py",
            "from desktop.cli import check",
            "The Qt-free core sits below the window, the command line and the sandbox",
            "desktop.ui.errors -> desktop.cli.check",
        ),
        (
            "desktop/core/kuaishou/errors.py",
            "from desktop.core.store import errors",
            "Inside the core",
            "desktop.core.kuaishou.errors -> desktop.core.store",
        ),
    ],
)
def test_the_contracts_refuse_an_import_against_the_layers(project_copy, module, line, contract, named):
    clean = _lint_imports(project_copy)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    _append(project_copy / module, line)
    broken = _lint_imports(project_copy)
    assert broken.returncode != 0
    report = " ".join(broken.stdout.split())  # the report wraps long contract names
    assert f"{contract}" in report and "BROKEN" in report
    assert named in report
