"""Build the desktop bundle for the current OS with PyInstaller.

    python build/make.py            # dist/AfterSaleWatch/ (Windows, Linux) or dist/AfterSaleWatch.app (macOS)
    python build/make.py --clean    # also throw away PyInstaller's cache first

The recipe is ``build/aftersale-watch.spec``; it calls :func:`prepare` (icons rendered from
``resources/icons/app.svg``, translations compiled) before the analysis. PyInstaller's scratch
folder (``.pyi-work/``) and its output (``dist/``) live at the project root, outside ``build/``.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "build" / "aftersale-watch.spec"
WORK_DIR = ROOT / ".pyi-work"
DIST_DIR = ROOT / "dist"
APP_ICON_SVG = ROOT / "resources" / "icons" / "app.svg"
TRANSLATIONS_DIR = ROOT / "resources" / "translations"

#: the name of the app's executable and of the bundle folder
APP_NAME = "AfterSaleWatch"
#: the console executable beside it (sub-commands, ``--self-test``; what a terminal or CI runs)
CLI_NAME = "aftersale-watch"


def bundle_path(dist_dir: Path = DIST_DIR) -> Path:
    """Where the finished bundle is: the ``.app`` on macOS, the onedir folder elsewhere."""
    if sys.platform == "darwin":
        return dist_dir / f"{APP_NAME}.app"
    return dist_dir / APP_NAME


def executable_path(name: str = APP_NAME, dist_dir: Path = DIST_DIR) -> Path:
    """One of the bundle's executables (:data:`APP_NAME` or :data:`CLI_NAME`)."""
    folder = bundle_path(dist_dir)
    if sys.platform == "darwin":
        folder = folder / "Contents" / "MacOS"
    return folder / (f"{name}.exe" if os.name == "nt" else name)


def _run(cmd: list[str], what: str) -> None:
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        raise SystemExit(f"{what} failed (exit {result.returncode}): {' '.join(cmd)}\n{detail}")


def generate_icons(out_dir: Path) -> dict[str, Path]:
    """``app.png``, ``app.ico`` and ``app.icns`` rendered from the one SVG (in a child process,
    so Qt does not start inside PyInstaller's process)."""
    if not APP_ICON_SVG.is_file():
        raise SystemExit(f"the app icon source is missing: {APP_ICON_SVG.relative_to(ROOT)}")
    _run([sys.executable, str(ROOT / "build" / "icons.py"), str(APP_ICON_SVG), str(out_dir)], "icons")
    return {kind: out_dir / f"app.{kind}" for kind in ("png", "ico", "icns")}


def compile_translations() -> None:
    """Compile ``resources/translations/*.ts`` to ``.qm`` beside them (ignored by git) with the
    app's own ``python -m desktop.ui.i18n compile``, so a bundle and a checkout compile alike."""
    if not any(TRANSLATIONS_DIR.glob("*.ts")):
        print("note: no Qt translation sources (resources/translations/*.ts) to compile")
        return
    _run([sys.executable, "-m", "desktop.ui.i18n", "compile"], "translation compile")


def prepare(work_dir: Path) -> dict[str, Path]:
    """Everything generated before PyInstaller's analysis; returns the icon paths by kind."""
    compile_translations()
    return generate_icons(work_dir / "icons")


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def build(*, clean: bool = False, work_dir: Path = WORK_DIR, dist_dir: Path = DIST_DIR) -> Path:
    """Run PyInstaller on the spec; returns the bundle path."""
    if importlib.util.find_spec("PyInstaller") is None:
        raise SystemExit('PyInstaller is not installed: pip install -e ".[build]"')
    cmd = [
        sys.executable, "-m", "PyInstaller", str(SPEC), "--noconfirm",
        "--workpath", str(work_dir), "--distpath", str(dist_dir),
    ]  # fmt: skip
    if clean:
        cmd.append("--clean")
    started = time.monotonic()
    result = subprocess.run(cmd, cwd=ROOT)
    if result.returncode != 0:
        raise SystemExit(f"PyInstaller failed (exit {result.returncode})")
    bundle = bundle_path(dist_dir)
    print(f"bundle: {bundle} — {dir_size(bundle) / 1e6:.1f} MB, built in {time.monotonic() - started:.0f} s")
    return bundle


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the AfterSale Watch bundle for this OS.")
    parser.add_argument("--clean", action="store_true", help="clear PyInstaller's cache first")
    args = parser.parse_args(argv)
    build(clean=args.clean)
    return 0


if __name__ == "__main__":
    sys.exit(main())
