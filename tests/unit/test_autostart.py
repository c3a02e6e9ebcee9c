import plistlib

import pytest

from desktop.core import autostart


@pytest.mark.parametrize("platform", ["macos", "xdg", "windows"])
def test_start_at_login_on_and_off_stays_inside_the_app_home(platform, app_home):
    assert not autostart.is_enabled(platform)
    autostart.set_enabled(True, platform, command=["/opt/app/AfterSale Watch", "--hidden"])
    assert autostart.is_enabled(platform)
    written = [p for p in app_home.rglob("*") if p.is_file() and "autostart" in p.parts]
    assert len(written) == 1
    if platform == "macos":
        plist = plistlib.loads(written[0].read_bytes())
        assert plist["ProgramArguments"] == ["/opt/app/AfterSale Watch", "--hidden"]
        assert plist["RunAtLoad"] is True
    elif platform == "xdg":
        assert "Exec='/opt/app/AfterSale Watch' --hidden" in written[0].read_text()
    autostart.set_enabled(False, platform)
    assert not autostart.is_enabled(platform)
    autostart.set_enabled(False, platform)  # turning off twice is fine


def test_launch_command_starts_hidden():
    assert autostart.launch_command()[-1] == "--hidden"
