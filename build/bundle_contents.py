"""What goes into the bundle: the data files, the version, and the Qt modules left out.

Shared by the PyInstaller spec (``build/aftersale-watch.spec``) and the tests
(``tests/unit/test_resources.py``), so the test checks exactly the list the spec ships.
Plain Python: importing it needs neither PyInstaller nor Qt.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESOURCES = ROOT / "resources"

#: the macOS bundle identifier (how macOS, its keychain and notarisation tell the app apart)
BUNDLE_ID = "com.aftersalewatch.desktop"

#: Qt Linguist sources: compiled to ``.qm`` before the build and shipped only in compiled form
TRANSLATION_SOURCE_SUFFIX = ".ts"
COMPILED_TRANSLATION_SUFFIX = ".qm"

#: Qt modules the app uses (and everything they link to, e.g. QtOpenGL and QtDBus below QtCharts
#: and QtGui, is kept)
USED_QT_MODULES = ("QtCore", "QtGui", "QtWidgets", "QtCharts", "QtSvg", "QtNetwork")

#: name prefixes of Qt modules the app does not use: their Python bindings, shared libraries,
#: frameworks, plugins, translations and data are all left out. A prefix covers the family
#: (``QtQuick`` also drops QtQuickControls2, QtQuick3D…, ``QtWebEngine`` drops QtWebEngineCore…).
EXCLUDED_QT_MODULES = (
    "Qt3D",
    "QtAxContainer",
    "QtBluetooth",
    "QtCanvasPainter",
    "QtConcurrent",
    "QtDataVisualization",
    "QtDesigner",
    "QtGraphs",
    "QtHelp",
    "QtHttpServer",
    "QtLabs",
    "QtLocation",
    "QtMultimedia",
    "QtNetworkAuth",
    "QtNfc",
    "QtPdf",
    "QtPositioning",
    "QtPrintSupport",
    "QtQml",
    "QtQuick",
    "QtRemoteObjects",
    "QtScxml",
    "QtSensors",
    "QtSerialBus",
    "QtSerialPort",
    "QtShaderTools",
    "QtSpatialAudio",
    "QtSql",
    "QtStateMachine",
    "QtTest",
    "QtTextToSpeech",
    "QtUiTools",
    "QtVirtualKeyboard",
    "QtWebChannel",
    "QtWebEngine",
    "QtWebSockets",
    "QtWebView",
)

#: the languages the app ships; Qt's own catalogs of other languages are left out
LANGUAGES = ("zh_CN", "en")

#: Qt plugin folders that only serve excluded modules (collected by some hooks all the same)
EXCLUDED_QT_PLUGIN_DIRS = (
    "assetimporters",
    "canbus",
    "designer",
    "geometryloaders",
    "geoservices",
    "multimedia",
    "position",
    "qmltooling",
    "renderers",
    "renderplugins",
    "sceneparsers",
    "sensors",
    "sqldrivers",
    "texttospeech",
    "webview",
)

# "libQt6Pdf.so.6", "Qt6Pdf.dll", "QtPdf.framework", "QtPdf.abi3.so", "qtwebengine_zh_CN.qm",
# "QtWebEngineProcess" -> the Qt module name ("QtPdf", "QtWebEngine…")
_QT_NAME_RE = re.compile(r"^(?:lib)?Qt6?(?P<module>[A-Za-z0-9]+)", re.IGNORECASE)
_EXCLUDED_LOWER = tuple(name.lower() for name in EXCLUDED_QT_MODULES)


def read_version(root: Path = ROOT) -> str:
    """``__version__`` from ``desktop/_version.py`` (read, not imported: the one version source)."""
    source = (root / "desktop" / "_version.py").read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "__version__" for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            return node.value.value
    raise ValueError("desktop/_version.py does not define __version__ = '<version>'")


def windows_version_tuple(version: str) -> tuple[int, int, int, int]:
    """``"1.2.3"`` -> ``(1, 2, 3, 0)`` for the Windows version resource (the release numbers only:
    ``"1.2.3rc1"`` and ``"1.2.3+local"`` give ``(1, 2, 3, 0)`` too)."""
    release = re.match(r"\d+(?:\.\d+){0,3}", version)
    if not release:
        raise ValueError(f"version {version!r} does not start with a release number")
    major, minor, patch, build = ([int(n) for n in release.group().split(".")] + [0] * 4)[:4]
    return major, minor, patch, build


def is_excluded_qt_name(name: str) -> bool:
    """True when a file or module name belongs to an excluded Qt module (see the regex above)."""
    match = _QT_NAME_RE.match(name)
    if not match:
        return False
    module = "qt" + match.group("module").lower()
    return module.startswith(_EXCLUDED_LOWER)


def is_excluded_path(dest: str) -> bool:
    """True when a file collected into the bundle at ``dest`` belongs to an unused Qt module."""
    parts = re.split(r"[\\/]", dest)
    if any(is_excluded_qt_name(part) for part in parts):
        return True
    if "plugins" in parts:
        below = parts[parts.index("plugins") + 1 :]
        return bool(below) and below[0] in EXCLUDED_QT_PLUGIN_DIRS
    if len(parts) >= 2 and parts[-2] == "translations" and "Qt" in parts:  # Qt's own catalogs
        return not parts[-1].endswith(tuple(f"_{lang}.qm" for lang in LANGUAGES))
    return False


def excluded_python_modules(pyside_dir: Path) -> list[str]:
    """``PySide6.<Module>`` names of the installed bindings that the bundle leaves out."""
    stems = {p.name.split(".")[0] for p in pyside_dir.iterdir() if p.name.startswith("Qt")}
    return sorted(f"PySide6.{stem}" for stem in stems if is_excluded_qt_name(stem))


def translation_sources(resources: Path = RESOURCES) -> list[Path]:
    return sorted(resources.rglob(f"*{TRANSLATION_SOURCE_SUFFIX}"))


def stale_translations(resources: Path = RESOURCES) -> list[Path]:
    """Translation sources whose compiled ``.qm`` is missing or older than the source."""
    stale = []
    for source in translation_sources(resources):
        compiled = source.with_suffix(COMPILED_TRANSLATION_SUFFIX)
        if not compiled.is_file() or compiled.stat().st_mtime < source.stat().st_mtime:
            stale.append(source)
    return stale


def resource_files(resources: Path = RESOURCES) -> list[Path]:
    """Every file below ``resources/`` that the bundle ships (translation sources excepted)."""
    return sorted(
        p
        for p in resources.rglob("*")
        if p.is_file()
        and p.suffix != TRANSLATION_SOURCE_SUFFIX
        and "__pycache__" not in p.parts
        and not p.name.startswith(".")
    )


def check_translations_compiled(resources: Path = RESOURCES) -> None:
    """Raise ``RuntimeError`` naming the sources when a translation has not been compiled, so a
    bundle is never built without (or with outdated) translations."""
    stale = stale_translations(resources)
    if stale:
        names = ", ".join(str(p.relative_to(resources)) for p in stale)
        raise RuntimeError(
            f"translations not compiled (or older than their source): {names}; "
            "build with `python build/make.py`, which compiles them first"
        )


def resource_datas(resources: Path = RESOURCES) -> list[tuple[str, str]]:
    """The spec's data list for ``resources/``: ``(source file, folder in the bundle)`` pairs."""
    return [
        (str(p), str(Path("resources") / p.parent.relative_to(resources))) for p in resource_files(resources)
    ]


def bundled_names(datas: Iterable[tuple[str, str]]) -> set[str]:
    """Bundle-relative POSIX paths of the files in a data list (``resources/rules/x.toml``…)."""
    return {(Path(dest) / Path(src).name).as_posix() for src, dest in datas}
