import datetime as dt

import pytest
from PySide6.QtCore import QSettings, QTime

from desktop.core import autostart, paths
from desktop.ui.alert_settings import AlertPrefs, AlertSettingsPage, format_thresholds, parse_thresholds


def test_threshold_text_round_trip_and_errors():
    assert parse_thresholds("24h, 6h，2h, 30m") == (1440, 360, 120, 30)
    assert format_thresholds((1440, 360, 120, 30)) == "24h, 6h, 2h, 30m"
    with pytest.raises(ValueError, match="“soon”"):
        parse_thresholds("24h, soon")
    with pytest.raises(ValueError, match="at least one"):
        parse_thresholds(" , ")


def test_warning_times_as_a_seller_types_them_in_chinese_or_english():
    assert parse_thresholds("1天，6小时、2个小时；30分钟") == (1440, 360, 120, 30)
    assert parse_thresholds("1 day, 6 hours, 90 min, 45") == (1440, 360, 90, 45)
    assert parse_thresholds("1.5h, 1d") == (1440, 90)
    with pytest.raises(ValueError, match="1 minute and 7 days"):
        parse_thresholds("8天")


def test_the_field_shows_and_errors_in_chinese_when_the_interface_is_chinese(qtbot, monkeypatch):
    from PySide6.QtWidgets import QApplication, QMessageBox

    from desktop.ui import i18n

    translators = i18n.install_translators(QApplication.instance(), "zh_CN", i18n.ensure_compiled("zh_CN"))
    try:
        shown = []
        monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
        page = AlertSettingsPage(_prefs())
        qtbot.addWidget(page)
        assert page.thresholds.text() == "1天，6小时，2小时，30分钟"
        page.thresholds.clear()
        qtbot.keyClicks(page.thresholds, "1x")
        assert not page.save()
        assert "1x" in shown[0] and "1天" in shown[0]
        assert not any(w in shown[0] for w in ("time span", "e.g.", "24h"))
        page.thresholds.setText("1天，3小时")
        assert page.save()
        assert _prefs().thresholds_min() == (1440, 180)
    finally:
        for translator in translators:
            QApplication.instance().removeTranslator(translator)


def _prefs():
    return AlertPrefs(QSettings(str(paths.config_dir() / "settings.ini"), QSettings.Format.IniFormat))


def test_defaults_come_from_the_rules_and_quiet_hours_are_off():
    prefs = _prefs()
    policy = prefs.policy()
    assert policy.thresholds_ms == (86_400_000, 21_600_000, 7_200_000, 1_800_000)
    assert policy.quiet is None and policy.paused_until_ms is None
    assert not autostart.is_enabled()


def test_page_saves_quiet_hours_thresholds_and_autostart(qtbot):
    prefs = _prefs()
    page = AlertSettingsPage(prefs)
    qtbot.addWidget(page)
    page.thresholds.setText("12h, 1h")
    page.quiet_on.setChecked(True)
    page.quiet_start.setTime(QTime(23, 0))
    page.quiet_end.setTime(QTime(7, 30))
    page.autostart.setChecked(True)
    assert page.save()
    reread = _prefs()
    assert reread.thresholds_min() == (720, 60)
    assert reread.quiet().start == dt.time(23, 0) and reread.quiet().end == dt.time(7, 30)
    assert autostart.is_enabled()


def test_page_refuses_bad_thresholds(qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: shown.append(a[2]))
    page = AlertSettingsPage(_prefs())
    qtbot.addWidget(page)
    page.thresholds.setText("later")
    assert not page.save()
    assert "later" in shown[0]
    assert _prefs().thresholds_min() == (1440, 360, 120, 30)  # nothing half-written
