"""Every resource the code asks for exists and ships in the bundle; no used Qt module is left out.

The code reaches resources only through ``paths.resource(...)`` (convention 7). This test finds every
such call in ``desktop/`` (literal arguments, or a module-level tuple of literals passed as
``*NAME``), and checks it against the data list of the PyInstaller spec
(``build/bundle_contents.resource_datas``, which the spec passes to ``Analysis``) and against the
spec's exclusion rules.
"""

from __future__ import annotations

import ast
import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DESKTOP = ROOT / "desktop"
SPEC = ROOT / "build" / "aftersale-watch.spec"

_spec = importlib.util.spec_from_file_location("bundle_contents", ROOT / "build" / "bundle_contents.py")
contents = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(contents)


@dataclass(frozen=True)
class Reference:
    where: str  # "desktop/core/rulesfile.py:17"
    parts: tuple[str, ...]  # the literal leading path parts
    complete: bool  # False when later arguments are computed at run time


def _module_tuples(tree: ast.Module) -> dict[str, tuple[str, ...]]:
    """Module-level ``NAME = ("a", "b")`` assignments of string literals."""
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Tuple):
            values = node.value.elts
            if all(isinstance(v, ast.Constant) and isinstance(v.value, str) for v in values):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        found[target.id] = tuple(v.value for v in values)
    return found


def _is_resource_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Attribute) and func.attr == "resource") or (
        isinstance(func, ast.Name) and func.id == "resource"
    )


def find_references(package: Path = DESKTOP) -> list[Reference]:
    refs = []
    for file in sorted(package.rglob("*.py")):
        if file == package / "core" / "paths.py":  # the definition itself
            continue
        tree = ast.parse(file.read_text(encoding="utf-8"), str(file))
        tuples = _module_tuples(tree)
        for node in ast.walk(tree):
            if not _is_resource_call(node):
                continue
            where = f"{file.relative_to(ROOT).as_posix()}:{node.lineno}"
            parts: list[str] = []
            complete = True
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    parts.append(arg.value)
                elif (
                    isinstance(arg, ast.Starred)
                    and isinstance(arg.value, ast.Name)
                    and arg.value.id in tuples
                ):
                    parts.extend(tuples[arg.value.id])
                else:
                    complete = False
                    break
            refs.append(Reference(where, tuple(parts), complete))
    return refs


def shipped() -> set[str]:
    return contents.bundled_names(contents.resource_datas())


def test_the_code_references_resources_at_all():
    # guards the scanner: the rules file and the app icon are read through paths.resource
    found = {ref.parts for ref in find_references()}
    assert ("rules", "kuaishou.toml") in found
    assert ("icons", "app.svg") in found


def test_every_referenced_resource_exists_and_is_in_the_spec_data():
    problems = []
    bundle = shipped()
    for ref in find_references():
        if not ref.parts:
            problems.append(f"{ref.where}: paths.resource() needs a literal first part to be checked")
            continue
        source = contents.RESOURCES.joinpath(*ref.parts)
        bundled = "resources/" + "/".join(ref.parts)
        if not source.exists():
            problems.append(f"{ref.where}: resources/{'/'.join(ref.parts)} does not exist")
        elif source.is_file():
            if not ref.complete:
                problems.append(f"{ref.where}: computed parts after the file {bundled}")
            elif bundled not in bundle:
                problems.append(f"{ref.where}: {bundled} is not in the spec's data list")
        else:  # a folder (e.g. translations): each of its files ships, except the .ts sources
            for file in source.rglob("*"):
                name = "resources/" + file.relative_to(contents.RESOURCES).as_posix()
                if file.is_file() and file.suffix != ".ts" and name not in bundle:
                    problems.append(f"{ref.where}: {name} is not in the spec's data list")
    assert not problems, "\n".join(problems)


def test_every_file_below_resources_ships_except_translation_sources():
    on_disk = {
        "resources/" + p.relative_to(contents.RESOURCES).as_posix()
        for p in contents.RESOURCES.rglob("*")
        if p.is_file() and p.suffix != ".ts" and "__pycache__" not in p.parts
    }
    assert on_disk <= shipped()


def test_the_spec_excludes_none_of_the_resources():
    excluded = sorted(name for name in shipped() if contents.is_excluded_path(name))
    assert not excluded


def test_the_spec_analyses_with_this_data_list_and_checks_translations():
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)]
    analysis = [c for c in calls if isinstance(c.func, ast.Name) and c.func.id == "Analysis"]
    assert len(analysis) == 1
    datas = next(k.value for k in analysis[0].keywords if k.arg == "datas")
    assert ast.unparse(datas) == "contents.resource_datas()"
    assert any(ast.unparse(c.func) == "contents.check_translations_compiled" for c in calls)


def test_translations_ship_compiled_and_only_compiled(tmp_path):
    res = tmp_path / "resources"
    (res / "translations").mkdir(parents=True)
    ts = res / "translations" / "aftersale-watch_zh_CN.ts"
    ts.write_text("<TS/>", encoding="utf-8")
    (res / "translations" / "core-x.zh_CN.json").write_text("{}", encoding="utf-8")

    with pytest.raises(RuntimeError, match=r"translations[/\\]aftersale-watch_zh_CN.ts"):
        contents.check_translations_compiled(res)

    qm = ts.with_suffix(".qm")
    qm.write_bytes(b"qm")
    contents.check_translations_compiled(res)
    assert contents.bundled_names(contents.resource_datas(res)) == {
        "resources/translations/aftersale-watch_zh_CN.qm",
        "resources/translations/core-x.zh_CN.json",
    }

    older = ts.stat().st_mtime - 60
    os.utime(qm, (older, older))  # an outdated catalog is as bad as none
    with pytest.raises(RuntimeError, match="older than their source"):
        contents.check_translations_compiled(res)


def _qt_modules_imported_by_the_app() -> dict[str, str]:
    """``QtWidgets`` -> first place it is imported, over every module of ``desktop/``."""
    found: dict[str, str] = {}
    for file in sorted(DESKTOP.rglob("*.py")):
        tree = ast.parse(file.read_text(encoding="utf-8"), str(file))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            for name in names:
                bits = name.split(".")
                if len(bits) >= 2 and bits[0] == "PySide6" and bits[1].startswith("Qt"):
                    found.setdefault(bits[1], f"{file.relative_to(ROOT).as_posix()}:{node.lineno}")
    return found


def test_no_qt_module_the_app_imports_is_excluded_from_the_bundle():
    used = _qt_modules_imported_by_the_app()
    excluded = {m: where for m, where in used.items() if contents.is_excluded_qt_name(m)}
    assert not excluded, f"excluded in build/bundle_contents.py but imported: {excluded}"
    assert not [m for m in contents.USED_QT_MODULES if contents.is_excluded_qt_name(m)]


@pytest.mark.parametrize(
    ("dest", "excluded"),
    [
        ("PySide6/Qt/lib/libQt6WebEngineCore.so.6", True),
        ("PySide6/Qt/lib/QtPdf.framework/Versions/A/QtPdf", True),
        ("PySide6/Qt6Quick.dll", True),
        ("PySide6/QtQml.abi3.so", True),
        ("PySide6/Qt/libexec/QtWebEngineProcess", True),
        ("PySide6/Qt/plugins/sqldrivers/libqsqlite.so", True),
        ("PySide6/Qt/translations/qtbase_de.qm", True),
        ("PySide6/Qt/translations/qtbase_zh_CN.qm", False),
        ("PySide6/Qt/lib/libQt6Charts.so.6", False),
        ("PySide6/Qt/lib/libQt6OpenGLWidgets.so.6", False),
        ("PySide6/Qt/lib/libQt6Svg.so.6", False),
        ("PySide6/Qt/lib/libQt6Network.so.6", False),
        ("PySide6/Qt/plugins/imageformats/libqtiff.so", False),
        ("PySide6/Qt/plugins/platforms/qwindows.dll", False),
        ("resources/translations/aftersale-watch_zh_CN.qm", False),
    ],
)
def test_exclusion_rules(dest, excluded):
    assert contents.is_excluded_path(dest) is excluded
