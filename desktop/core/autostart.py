"""Start at login (off by default): the Windows Run key, a macOS LaunchAgent, an XDG autostart entry.

The app is started with ``--hidden`` so it goes straight to the tray. When the app's home is
overridden (``AFTERSALE_WATCH_HOME`` / ``--data-dir``, as in tests and the demo), the entries are
written below that home instead of the real user locations, so nothing outside it is touched.
"""

from __future__ import annotations

import importlib
import logging
import os
import plistlib
import shlex
import sys
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

from desktop import APP_NAME
from desktop.core import paths

log = logging.getLogger(__name__)

RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
AGENT_LABEL = "com.aftersalewatch.desktop"


class AutostartError(OSError):
    pass


def launch_command() -> list[str]:
    """How to start this app in the tray (the frozen executable, or this Python with ``-m``)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "--hidden"]
    return [sys.executable, "-m", "desktop", "--hidden"]


def _platform() -> str:
    if sys.platform.startswith("win"):
        return "windows"
    if sys.platform == "darwin":
        return "macos"
    return "xdg"


def _fake_root() -> Path | None:
    home = paths.home_override()
    return home / "autostart" if home else None


def _macos_plist_path() -> Path:
    root = _fake_root() or Path.home()
    return root / "Library" / "LaunchAgents" / f"{AGENT_LABEL}.plist"


def _xdg_path() -> Path:
    root = _fake_root()
    base = root / ".config" if root else Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "autostart" / "aftersale-watch.desktop"


def _windows_fake_path() -> Path | None:
    root = _fake_root()
    return root / "windows-run-key.txt" if root else None


def is_enabled(platform: str | None = None) -> bool:
    platform = platform or _platform()
    if platform == "macos":
        return _macos_plist_path().exists()
    if platform == "xdg":
        return _xdg_path().exists()
    fake = _windows_fake_path()
    if fake is not None:
        return fake.exists()
    return _run_key_present()


def set_enabled(enabled: bool, platform: str | None = None, command: list[str] | None = None) -> None:
    """Turn start-at-login on or off; raises :class:`AutostartError` with a clear message."""
    platform = platform or _platform()
    command = command or launch_command()
    try:
        if platform == "macos":
            _write_or_remove(
                _macos_plist_path(),
                plistlib.dumps(
                    {
                        "Label": AGENT_LABEL,
                        "ProgramArguments": command,
                        "RunAtLoad": True,
                        "ProcessType": "Interactive",
                    }
                )
                if enabled
                else None,
            )
        elif platform == "xdg":
            text = (
                "[Desktop Entry]\nType=Application\nName=AfterSale Watch\nName[zh_CN]=售后守望\n"
                f"Exec={shlex.join(command)}\nX-GNOME-Autostart-enabled=true\n"
            )
            _write_or_remove(_xdg_path(), text.encode("utf-8") if enabled else None)
        else:
            line = " ".join(f'"{c}"' for c in command)
            fake = _windows_fake_path()
            if fake is not None:
                _write_or_remove(fake, line.encode("utf-8") if enabled else None)
                return
            _set_run_key(line if enabled else None)
    except OSError as exc:
        raise AutostartError(f"cannot change start at login: {exc}") from exc
    log.info("start at login %s (%s)", "enabled" if enabled else "disabled", platform)


def _write_or_remove(path: Path, data: bytes | None) -> None:
    if data is None:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


class _Registry(Protocol):
    """The part of Windows' ``winreg`` used here (typed once: its stubs exist on Windows only)."""

    HKEY_CURRENT_USER: int
    KEY_SET_VALUE: int
    REG_SZ: int

    def OpenKey(  # noqa: N802 - winreg's name
        self, key: int, sub_key: str, reserved: int = 0, access: int = ...
    ) -> AbstractContextManager[object]: ...
    def QueryValueEx(self, key: object, name: str) -> tuple[object, int]: ...  # noqa: N802
    def SetValueEx(self, key: object, name: str, reserved: int, type: int, value: str) -> None: ...  # noqa: N802
    def DeleteValue(self, key: object, value: str) -> None: ...  # noqa: N802


def _registry() -> _Registry:
    registry: _Registry = importlib.import_module("winreg")
    return registry


def _run_key_present() -> bool:
    """The app's value under the current user's Run key exists (Windows only)."""
    winreg = _registry()
    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY) as key:
            winreg.QueryValueEx(key, APP_NAME)
            return True
    except FileNotFoundError:
        return False


def _set_run_key(line: str | None) -> None:
    """Write the app's command ``line`` under the current user's Run key, or remove it (``None``)."""
    winreg = _registry()
    with winreg.OpenKey(winreg.HKEY_CURRENT_USER, RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
        if line is not None:
            winreg.SetValueEx(key, APP_NAME, 0, winreg.REG_SZ, line)
        else:
            try:
                winreg.DeleteValue(key, APP_NAME)
            except FileNotFoundError:
                pass
