"""The release pipeline for Windows and macOS, and the code paths only those systems take, checked here.

The bundles themselves are built on each system by ``.github/workflows/release.yml``; these tests keep
the workflow, the installer recipes, the wheel check and the README in step with the project, and run
the Windows- and macOS-only branches of the app with the platform faked.
"""

from __future__ import annotations

import importlib
import re
import sys
import types
from pathlib import Path

import platformdirs
import platformdirs.windows
import pytest
import yaml

from desktop import APP_NAME
from desktop.core import autostart, paths

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "build"
sys.path.insert(0, str(BUILD))
import check_wheels  # noqa: E402  (build/check_wheels.py)
import make  # noqa: E402  (build/make.py)

# --- the workflow -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def workflow() -> dict:
    return yaml.safe_load((ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8"))


def _steps_text(job: dict) -> str:
    return "\n".join(str(step.get("run", "")) + str(step.get("uses", "")) for step in job["steps"])


def test_the_workflow_builds_and_tests_on_every_system_we_ship(workflow):
    bundle = workflow["jobs"]["bundle"]
    runners = {entry["os"] for entry in bundle["strategy"]["matrix"]["include"]}
    # Windows, Apple silicon (macos-14), Intel Macs (macos-13) and Linux
    assert any(r.startswith("windows") for r in runners)
    assert "macos-14" in runners and "macos-13" in runners
    assert any(r.startswith("ubuntu") for r in runners)
    steps = _steps_text(bundle)
    for needed in (
        'pip install -e ".[test,build]"',
        "python -m pytest",
        "python build/make.py",
        "--self-test",
        "actions/upload-artifact",
        "ISCC.exe",
        "make-dmg.sh",
    ):
        assert needed in steps, needed
    assert "python build/check_wheels.py" in _steps_text(workflow["jobs"]["wheels"])


def test_the_workflow_refers_only_to_files_that_exist(workflow):
    text = (ROOT / ".github" / "workflows" / "release.yml").read_text(encoding="utf-8")
    for path in sorted(set(re.findall(r"build[/\\][\w./\\-]+\.(?:py|sh|iss)", text))):
        assert (ROOT / path.replace("\\", "/")).is_file(), path


def test_signing_steps_run_only_when_their_secrets_exist(workflow):
    for step in workflow["jobs"]["bundle"]["steps"]:
        if str(step.get("name", "")).startswith("Sign"):
            assert "!= ''" in step["if"], step["name"]


# --- the installers -----------------------------------------------------------------------------


def test_windows_installer_is_per_user_and_matches_the_bundle():
    iss = (BUILD / "windows" / "AfterSaleWatch.iss").read_text(encoding="utf-8")
    assert re.search(r"^PrivilegesRequired=lowest$", iss, re.M)
    assert re.search(r"^DefaultDirName=\{localappdata\}", iss, re.M)
    assert f'#define AppExe "{make.APP_NAME}.exe"' in iss
    assert rf'#define BundleDir "..\..\dist\{make.APP_NAME}"' in iss
    assert "{uninstallexe}" in iss and "{group}" in iss
    # the start-at-login value the app writes is removed with the program
    assert f'ValueName: "{APP_NAME}"' in iss and autostart.RUN_KEY in iss
    # the oldest Windows it accepts is the one the README and the wheel check state
    assert "MinVersion=10.0.17763" in iss and "1809" in check_wheels.QT6_OLDEST_WINDOWS


def test_macos_scripts_are_executable_and_safe():
    for name in ("make-dmg.sh", "sign-and-notarise.sh"):
        script = BUILD / "macos" / name
        assert script.stat().st_mode & 0o111, f"{name} is not executable"
        assert "set -euo pipefail" in script.read_text(encoding="utf-8")


# --- the wheel check ----------------------------------------------------------------------------


def test_wheel_check_reads_the_dependencies_of_pyproject():
    requirements = check_wheels.runtime_requirements()
    assert any(r.startswith("PySide6-Essentials") for r in requirements)
    assert any(r.startswith("keyring") for r in requirements)


def test_wheel_check_takes_the_newest_macos_tag_as_the_oldest_supported_system():
    report = {
        "install": [
            {
                "download_info": {
                    "url": "https://x/pyside6_essentials-6.11.3-cp310-abi3-macosx_13_0_universal2.whl"
                }
            },
            {"download_info": {"url": "https://x/cffi-2.1.1-cp312-cp312-macosx_11_0_arm64.whl"}},
            {"download_info": {"url": "https://x/requests-2.34.2-py3-none-any.whl"}},
        ]
    }
    wheels = check_wheels.wheel_names(report)
    assert check_wheels.oldest_macos(wheels) == (13, 0)
    assert check_wheels.oldest_macos(["requests-2.34.2-py3-none-any.whl"]) is None


def test_wheel_check_fails_when_one_target_does_not_resolve():
    ok = check_wheels.Resolution("macosx_13_0_arm64", "3.11", wheels=["a-1-cp311-abi3-macosx_12_0_arm64.whl"])
    bad = check_wheels.Resolution("win_amd64", "3.13", error="ERROR: No matching distribution")
    summary = check_wheels.summary([ok, bad])
    assert summary["all_resolved"] is False
    assert summary["oldest_macos"] == "macOS 12.0"
    assert check_wheels.summary([ok])["all_resolved"] is True


def test_readme_states_the_oldest_systems_the_wheel_check_finds():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    macos_floor = min(
        int(re.match(r"macosx_(\d+)", p)[1]) for p in check_wheels.PLATFORMS if p.startswith("macosx")
    )
    assert f"macOS {macos_floor}" in readme
    assert check_wheels.QT6_OLDEST_WINDOWS in readme


# --- Windows- and macOS-only code paths, with the platform faked ---------------------------------


class FakeWinreg(types.ModuleType):
    """Just enough of ``winreg`` for the Run key: values per key path, in memory."""

    HKEY_CURRENT_USER = "HKCU"
    KEY_SET_VALUE = 2
    REG_SZ = 1

    def __init__(self) -> None:
        super().__init__("winreg")
        self.keys: dict[str, dict[str, str]] = {autostart.RUN_KEY: {}}

    class _Key:
        def __init__(self, values):
            self.values = values

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def OpenKey(self, root, path, reserved=0, access=0):
        assert root == self.HKEY_CURRENT_USER
        return self._Key(self.keys[path])

    def QueryValueEx(self, key, name):
        try:
            return key.values[name], self.REG_SZ
        except KeyError:
            raise FileNotFoundError(name) from None

    def SetValueEx(self, key, name, reserved, kind, value):
        assert kind == self.REG_SZ
        key.values[name] = value

    def DeleteValue(self, key, name):
        try:
            del key.values[name]
        except KeyError:
            raise FileNotFoundError(name) from None


@pytest.fixture
def no_home_override(monkeypatch):
    """The real per-user locations (as an installed app has them), not the test home."""
    monkeypatch.delenv(paths.ENV_HOME, raising=False)
    paths.set_home(None)


def test_windows_start_at_login_writes_the_run_key(monkeypatch, no_home_override):
    fake = FakeWinreg()
    monkeypatch.setitem(sys.modules, "winreg", fake)
    command = [r"C:\Users\seller\AppData\Local\Programs\AfterSaleWatch\AfterSaleWatch.exe", "--hidden"]
    assert not autostart.is_enabled("windows")
    autostart.set_enabled(True, "windows", command=command)
    assert fake.keys[autostart.RUN_KEY][APP_NAME] == " ".join(f'"{c}"' for c in command)
    assert autostart.is_enabled("windows")
    autostart.set_enabled(False, "windows", command=command)
    assert APP_NAME not in fake.keys[autostart.RUN_KEY]
    autostart.set_enabled(False, "windows", command=command)  # already off: no error
    assert not autostart.is_enabled("windows")


def test_macos_start_at_login_writes_a_launch_agent_in_the_users_library(
    monkeypatch, tmp_path, no_home_override
):
    monkeypatch.setattr(Path, "home", classmethod(lambda cls: tmp_path))
    autostart.set_enabled(
        True, "macos", command=["/Applications/AfterSaleWatch.app/Contents/MacOS/AfterSaleWatch", "--hidden"]
    )
    plist = tmp_path / "Library" / "LaunchAgents" / f"{autostart.AGENT_LABEL}.plist"
    assert plist.is_file() and autostart.is_enabled("macos")
    autostart.set_enabled(False, "macos")
    assert not plist.exists()


@pytest.fixture
def platformdirs_as(monkeypatch, no_home_override):
    """Reload platformdirs as if on another system; restored afterwards."""

    def use(system: str):
        monkeypatch.setattr(sys, "platform", system)
        importlib.reload(platformdirs)

    yield use
    monkeypatch.undo()
    importlib.reload(platformdirs)


def test_windows_data_and_logs_go_where_the_readme_says(platformdirs_as, monkeypatch, tmp_path):
    local = tmp_path / "AppData" / "Local"
    monkeypatch.setenv("LOCALAPPDATA", str(local))
    monkeypatch.setenv("APPDATA", str(tmp_path / "AppData" / "Roaming"))
    platformdirs_as("win32")
    # Windows asks the shell for the known folders; here the same folders come from the environment
    monkeypatch.setattr(
        platformdirs.windows, "get_win_folder", platformdirs.windows.get_win_folder_from_env_vars
    )
    assert paths.data_dir() == local / APP_NAME
    assert paths.config_dir() == local / APP_NAME
    assert paths.log_dir() == local / APP_NAME / "Logs"


def test_macos_data_and_logs_go_where_the_readme_says(platformdirs_as, monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    platformdirs_as("darwin")
    assert paths.data_dir() == tmp_path / "Library" / "Application Support" / APP_NAME
    assert paths.config_dir() == tmp_path / "Library" / "Application Support" / APP_NAME
    assert paths.log_dir() == tmp_path / "Library" / "Logs" / APP_NAME


@pytest.mark.parametrize("system", ["win32", "darwin"])
def test_single_instance_name_fits_the_systems_local_socket_limits(
    platformdirs_as, monkeypatch, tmp_path, system
):
    from desktop.ui import single_instance

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "AppData" / "Local"))
    platformdirs_as(system)
    if system == "win32":
        monkeypatch.setattr(
            platformdirs.windows, "get_win_folder", platformdirs.windows.get_win_folder_from_env_vars
        )
    name = single_instance.server_name()
    # macOS puts the socket in $TMPDIR (about 50 characters) and sun_path holds 104 bytes;
    # Windows pipe names allow 256. The name is also the same for the same user and data folder only.
    assert re.fullmatch(r"aftersale-watch-[0-9a-f]{16}", name)
    assert len("/var/folders/xx/xxxxxxxxxxxxxxxxxxxxxxxxxxxx/T/") + len(name) < 104
    other = tmp_path / "other"
    paths.set_home(other)
    assert single_instance.server_name() != name


def test_selftest_expects_each_systems_native_plugin_and_keychain():
    from desktop import selftest

    assert selftest.NATIVE_PLATFORM_PLUGINS["win32"] == "qwindows"
    assert selftest.NATIVE_PLATFORM_PLUGINS["darwin"] == "qcocoa"
    # keyring ships these backends on every system (imported, not used): a renamed one fails here
    for system in ("win32", "darwin"):
        importlib.import_module(selftest.NATIVE_KEYRING_BACKENDS[system])
