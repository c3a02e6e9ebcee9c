"""``aftersale-watch sandbox``: starts, prints working credentials and hand-call commands, stops on Ctrl-C."""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys

import pytest
import requests

from desktop.sandbox import DEMO_CREDENTIALS

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="sends SIGINT to the child process")


def test_sandbox_command_prints_credentials_and_commands_that_work(app_home):
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "desktop",
            "--data-dir",
            str(app_home),
            "sandbox",
            "--port",
            "0",
            "--seed",
            "3",
            "--wire-shape",
            "text",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        env=env,
    )
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line.rstrip("\n"))
            if "Ctrl-C" in line:
                break
        text = "\n".join(lines)
        assert "http://127.0.0.1:" in text, text + proc.stderr.read()
        assert (
            "ks689012345678901234" in text and DEMO_CREDENTIALS.sign_secret in text and "HMAC_SHA256" in text
        )
        python_line = next(line.strip() for line in lines if " -c " in line)
        done = subprocess.run(
            shlex.split(python_line), capture_output=True, text=True, encoding="utf-8", timeout=60
        )
        assert '"result":1' in done.stdout and "山河优选生活馆" in done.stdout, done.stderr
        curl_line = next(line.strip() for line in lines if line.strip().startswith("curl "))
        words = shlex.split(curl_line)
        url = words[2]
        params = dict(w.split("=", 1) for w in words[3:] if w != "--data-urlencode")
        seller = requests.get(url, params=params, timeout=5).json()
        assert seller["result"] == 1
        assert seller["data"]["sellerId"] == str(DEMO_CREDENTIALS.seller_id)  # --wire-shape text
    finally:
        proc.send_signal(signal.SIGINT)
        out, _err = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert "沙箱已停止" in out or "Sandbox stopped" in out


def test_a_port_in_use_is_a_usage_error(capsys):
    import argparse

    from desktop.cli import EXIT_USAGE
    from desktop.cli import sandbox as command
    from desktop.sandbox import Sandbox

    parser = argparse.ArgumentParser()
    command.configure(parser)
    with Sandbox(demo_data=False) as busy:
        port = busy.port
        assert command.run(parser.parse_args(["--port", str(port), "--empty"])) == EXIT_USAGE
    assert f"127.0.0.1:{port}" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:  # refused with the flags, before anything starts
        parser.parse_args(["--port", "70000"])
    assert info.value.code == EXIT_USAGE
