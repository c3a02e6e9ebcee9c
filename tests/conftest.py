"""Suite-wide test set-up.

* Qt runs on the offscreen platform.
* Every test gets its own app home (``AFTERSALE_WATCH_HOME`` and :func:`paths.set_home`), so nothing
  is written to the real home directory, settings or logs.
* No test reaches the network: the sandbox runs on loopback.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# a suite-wide fallback home, before anything imports the app's paths module
os.environ["AFTERSALE_WATCH_HOME"] = tempfile.mkdtemp(prefix="aftersale-watch-tests-")

import pytest  # noqa: E402

from desktop.core import paths  # noqa: E402


@pytest.fixture(autouse=True)
def app_home(tmp_path, monkeypatch):
    """A fresh app home for every test."""
    home = tmp_path / "home"
    monkeypatch.setenv(paths.ENV_HOME, str(home))
    paths.set_home(home)
    yield home
    paths.set_home(None)
