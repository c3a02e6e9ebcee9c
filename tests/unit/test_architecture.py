"""The shape of the code (architecture doc): a Qt-free core, one direction of imports."""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
PKG = ROOT / "desktop"


def _imports(file: pathlib.Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _files(*parts: str):
    return sorted((PKG.joinpath(*parts)).rglob("*.py"))


def test_nothing_below_the_qt_boundary_imports_qt():
    offenders = [
        f"{f.relative_to(ROOT)}: {name}"
        for part in ("core", "sandbox", "cli")
        for f in _files(part)
        for name in _imports(f)
        if name.split(".")[0] in ("PySide6", "shiboken6")
    ]
    assert not offenders, offenders


def test_domain_imports_only_itself_and_the_text_catalog():
    allowed = ("desktop.core.domain", "desktop.core.i18n")
    offenders = [
        f"{f.relative_to(ROOT)}: {name}"
        for f in _files("core", "domain")
        for name in _imports(f)
        if name.startswith("desktop") and not name.startswith(allowed)
    ]
    assert not offenders, offenders


def test_core_never_imports_the_ui():
    offenders = [
        f"{f.relative_to(ROOT)}: {name}"
        for part in ("core", "sandbox")
        for f in _files(part)
        for name in _imports(f)
        if name.startswith("desktop.ui") or name == "desktop.app"
    ]
    assert not offenders, offenders


def test_importing_every_core_module_loads_no_qt():
    modules = [
        ".".join(f.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for part in ("core", "sandbox")
        for f in _files(part)
    ]
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'shiboken6'))]\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
