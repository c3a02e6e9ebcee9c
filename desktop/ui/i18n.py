"""Qt Linguist translations of the widgets (the Qt-free core uses :mod:`desktop.core.i18n`).

Texts with values use Qt's numbered placeholders and :func:`fill` (one pass, like ``QString.arg``
with several arguments, so a value that itself contains ``%2`` stays as it is)::

    fill(self.tr("%1 of %2 requests approved"), done, total)

Sources: ``resources/translations/aftersale-watch_<lang>.ts`` (English is the source language, so
only the other languages have a ``.ts`` file). Widgets use ``self.tr("…")`` or
``QCoreApplication.translate("Context", "…")``.

    python -m desktop.ui.i18n update    # lupdate: collect every tr() of desktop/ui (+ app.py) into the .ts
    python -m desktop.ui.i18n compile [OUT_DIR]   # lrelease: .ts -> .qm (default: next to the .ts)

A bundle ships the compiled ``.qm`` files in ``resources/translations``. Run from a checkout, the app
compiles them on start into the cache dir when they are missing or older than their ``.ts`` source
(:func:`ensure_compiled`, a few milliseconds; run it off the UI thread).
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.core import i18n as core_i18n
from desktop.core import paths

if TYPE_CHECKING:
    from PySide6.QtCore import QCoreApplication, QTranslator

log = logging.getLogger(__name__)

CATALOG = "aftersale-watch"
DEFAULT_LANGUAGE = core_i18n.DEFAULT_LANGUAGE
LANGUAGES = core_i18n.LANGUAGES
# languages with a .ts file (English is the source language)
TRANSLATED = tuple(lang for lang in LANGUAGES if lang != "en")

_UI_ROOT = Path(__file__).resolve().parent


_PLACEHOLDER = re.compile(r"%([1-9][0-9]?)")


def fill(text: str, *values: object) -> str:
    """``text`` with ``%1``, ``%2``, … replaced by ``values`` in one pass.

    A value is inserted as it is (``str(value)``) and never searched for placeholders again: a shop
    named "双11%2折" stays "双11%2折". A placeholder without a value (``%3`` with two values) is left
    in place, as Qt does, so a translation with a missing value shows the gap instead of hiding it.
    """

    def value(match: re.Match[str]) -> str:
        n = int(match.group(1))
        return str(values[n - 1]) if n <= len(values) else match.group(0)

    return _PLACEHOLDER.sub(value, text)


class TranslationToolError(RuntimeError):
    """lupdate/lrelease is missing or failed."""


def ts_dir() -> Path:
    return paths.resource("translations")


def ts_file(lang: str) -> Path:
    return ts_dir() / f"{CATALOG}_{lang}.ts"


def qm_name(lang: str) -> str:
    return f"{CATALOG}_{lang}.qm"


def _tool(name: str) -> str:
    """The path of PySide6's bundled ``lupdate``/``lrelease`` executable."""
    import PySide6

    base = Path(PySide6.__file__).resolve().parent
    for candidate in (base / name, base / f"{name}.exe", base / "Qt" / "libexec" / name):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise TranslationToolError(f"{name} not found in the PySide6 installation at {base}")


def _run(cmd: list[str]) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    except OSError as exc:
        raise TranslationToolError(f"cannot run {cmd[0]}: {exc}") from exc
    if done.returncode != 0:
        raise TranslationToolError(
            f"{Path(cmd[0]).name} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}"
        )
    return done.stdout


def compile_translations(out_dir: Path | None = None) -> list[Path]:
    """lrelease every ``.ts`` into ``out_dir`` (default: next to the sources); the ``.qm`` paths."""
    lrelease = _tool("lrelease")
    written = []
    for lang in TRANSLATED:
        source = ts_file(lang)
        if not source.is_file():
            raise TranslationToolError(f"translation source missing: {source}")
        target = (out_dir or source.parent) / qm_name(lang)
        target.parent.mkdir(parents=True, exist_ok=True)
        _run([lrelease, "-silent", str(source), "-qm", str(target)])
        written.append(target)
    return written


def update_sources() -> list[Path]:
    """lupdate: collect the ``tr()`` texts of ``desktop/ui`` (and the composition root, ``desktop/app.py``)
    into the ``.ts`` files."""
    lupdate = _tool("lupdate")
    sources = [*sorted(str(p) for p in _UI_ROOT.rglob("*.py")), str(_UI_ROOT.parent / "app.py")]
    targets = []
    for lang in TRANSLATED:
        target = ts_file(lang)
        target.parent.mkdir(parents=True, exist_ok=True)
        _run(
            [
                lupdate,
                *sources,
                "-locations",
                "relative",
                "-no-obsolete",
                "-target-language",
                lang,
                "-ts",
                str(target),
            ]
        )
        targets.append(target)
    return targets


def qm_file(lang: str) -> Path | None:
    """The compiled catalog to load for ``lang``, or ``None`` (English, or nothing available).

    Prefers an up-to-date ``.qm`` beside the sources (a bundle, or a checkout after ``compile``),
    then the cache dir's copy (compiled by :func:`ensure_compiled`).
    """
    if lang not in TRANSLATED:
        return None
    source = ts_file(lang)
    source_mtime = source.stat().st_mtime if source.is_file() else None
    for folder in (ts_dir(), paths.cache_dir() / "translations"):
        candidate = folder / qm_name(lang)
        if candidate.is_file() and (source_mtime is None or candidate.stat().st_mtime >= source_mtime):
            return candidate
    return None


def ensure_compiled(lang: str) -> Path | None:
    """The ``.qm`` for ``lang``, compiling it into the cache dir when missing or outdated.

    Disk and a subprocess: call it off the UI thread. Never raises: a missing tool only means the
    interface stays in English (logged).
    """
    if lang not in TRANSLATED:
        return None
    found = qm_file(lang)
    if found is not None:
        return found
    source = ts_file(lang)
    if not source.is_file():
        log.error("no translation source for %s at %s", lang, source)
        return None
    target = paths.cache_dir() / "translations" / qm_name(lang)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _run([_tool("lrelease"), "-silent", str(source), "-qm", str(target)])
    except (TranslationToolError, OSError) as exc:
        log.error("cannot compile the %s translation: %s", lang, exc)
        return None
    log.info("compiled the %s translation into %s", lang, target)
    return target


def qt_base_qm_dir() -> str:
    """Where Qt's own catalogs (``qtbase_zh_CN.qm``: standard buttons and dialogs) are."""
    from PySide6.QtCore import QLibraryInfo

    return QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)


def install_translators(app: QCoreApplication, lang: str, qm: Path | None) -> list[QTranslator]:
    """Install the app's catalog (``qm``) and Qt's own for ``lang``; set the core language too.

    Returns the installed ``QTranslator`` objects (keep them alive). UI thread; reads two small files.
    """
    from PySide6.QtCore import QLocale, QTranslator

    core_i18n.set_language(lang)
    installed: list[QTranslator] = []
    if lang == "en":
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        return installed
    QLocale.setDefault(QLocale(lang))
    qt_translator = QTranslator(app)
    if qt_translator.load(QLocale(lang), "qtbase", "_", qt_base_qm_dir()):
        app.installTranslator(qt_translator)
        installed.append(qt_translator)
    if qm is not None:
        translator = QTranslator(app)
        if translator.load(str(qm)):
            app.installTranslator(translator)
            installed.append(translator)
        else:
            log.error("cannot load the translation %s", qm)
    else:
        log.warning("no compiled translation for %s: the interface shows English", lang)
    return installed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m desktop.ui.i18n", description="Update or compile the Qt Linguist translations."
    )
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("update", help="collect tr() texts from desktop/ui into the .ts sources (lupdate)")
    comp = sub.add_parser("compile", help="compile the .ts sources into .qm files (lrelease)")
    comp.add_argument(
        "out_dir", nargs="?", type=Path, help="where to write the .qm (default: beside the .ts)"
    )
    args = parser.parse_args(argv)
    try:
        if args.action == "update":
            for path in update_sources():
                print(f"updated {path}")
        else:
            for path in compile_translations(args.out_dir):
                print(f"compiled {path}")
    except TranslationToolError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
