"""An unwritable log folder or home never stops the CLI at logging set-up: the log falls back to the
console (said once), the command carries on, and a store that cannot be created is named."""

from __future__ import annotations

import json
import logging

import pytest

from desktop.__main__ import main
from desktop.core import logsetup, paths


@pytest.fixture(autouse=True)
def fresh_logging():
    yield
    root = logging.getLogger()
    if logsetup._configured is not None:
        root.removeHandler(logsetup._configured)
        logsetup._configured.close()
    logsetup._configured = None
    logsetup._fallback_target = None


def test_an_unwritable_log_folder_falls_back_to_the_console_and_check_runs(capsys, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "logs").write_text("a file where the log folder should be")
    code = main(["check", "--demo", "--json", "--data-dir", str(home)])
    out, err = capsys.readouterr()
    assert code == 0 and json.loads(out)["shops"]
    assert "日志" in err and str(home / "logs") in err  # said, in the user's language
    assert err.count("日志文件") == 1
    assert "Traceback" not in err


def test_an_unwritable_home_is_named_and_check_exits_2_without_a_traceback(capsys, tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    home = blocker / "home"  # a folder below a file: nothing can be created there
    code = main(["check", "--json", "--data-dir", str(home)])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert "Traceback" not in err
    assert str(home / "data") in err  # the store names the folder it cannot use


def test_a_log_write_failure_is_said_once_without_logging_error_tracebacks(capsys, tmp_path, monkeypatch):
    paths.set_home(tmp_path / "h")
    handler = logsetup.setup_logging()
    capsys.readouterr()
    import errno

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(handler, "_open", full)
    handler.stream.close()
    handler.stream = None
    log = logging.getLogger("desktop.test")
    for i in range(5):
        log.warning("record %d", i)
    err = capsys.readouterr().err
    assert "--- Logging error ---" not in err and "Traceback" not in err
    assert err.count("磁盘已满") == 1
    monkeypatch.undo()
    log.warning("after the space came back")
    handler.flush()
    assert "after the space came back" in paths.log_file().read_text(encoding="utf-8")
    logsetup.close_logging()  # the log file is not left open behind the test
