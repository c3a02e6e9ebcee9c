"""The one module that owns the app's paths.

Everything the app writes goes below the directories returned here. ``AFTERSALE_WATCH_HOME`` (or the
``--data-dir`` flag, which calls :func:`set_home`) puts all of them below one folder; the test suite
always does that, so nothing under pytest touches the real home directory.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

from desktop import APP_NAME

ENV_HOME = "AFTERSALE_WATCH_HOME"

_home_override: Path | None = None


def set_home(path: str | os.PathLike[str] | None) -> None:
    """Put every directory of the app below ``path`` (``None`` restores the platform defaults)."""
    global _home_override
    _home_override = Path(path).expanduser().resolve() if path is not None else None


def home_override() -> Path | None:
    if _home_override is not None:
        return _home_override
    env = os.environ.get(ENV_HOME)
    return Path(env).expanduser().resolve() if env else None


def _ensure(path: Path) -> Path:
    """``path``, created when it can be. A folder that cannot be created (a read-only home, no
    permission, a file in the way) is not an error here: whatever needs a file in it says so
    where it fails (the log falls back to the console, the store names the folder)."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass
    return path


def data_dir() -> Path:
    """The database and other state."""
    home = home_override()
    return _ensure(home / "data" if home else Path(platformdirs.user_data_dir(APP_NAME, False)))


def config_dir() -> Path:
    """Settings (QSettings ini file)."""
    home = home_override()
    return _ensure(home / "config" if home else Path(platformdirs.user_config_dir(APP_NAME, False)))


def log_dir() -> Path:
    return _ensure(_log_dir())


def _log_dir() -> Path:
    home = home_override()
    return home / "logs" if home else Path(platformdirs.user_log_dir(APP_NAME, False))


def cache_dir() -> Path:
    home = home_override()
    return _ensure(home / "cache" if home else Path(platformdirs.user_cache_dir(APP_NAME, False)))


def export_dir() -> Path:
    """Default folder offered for exports (the user may pick any other)."""
    home = home_override()
    if home:
        return _ensure(home / "exports")
    return Path(platformdirs.user_documents_dir())


def resources_dir() -> Path:
    """Read-only resources: the source tree's ``resources/`` or the bundle's copy of it."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)


def database_path() -> Path:
    return data_dir() / "aftersale-watch.sqlite3"


def log_file() -> Path:
    return log_dir() / "aftersale-watch.log"


def log_file_path() -> Path:
    """Where the log file is meant to be, without creating its folder."""
    return _log_dir() / "aftersale-watch.log"
