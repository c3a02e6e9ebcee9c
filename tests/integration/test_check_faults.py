"""``check`` against a broken or hostile gateway (the sandbox over loopback): credential mistakes
named and exit 3, secrets echoed by the gateway kept out of everything, one shop per gateway
whatever the spelling of its address, a failing run always showing the cached report stale."""

from __future__ import annotations

import json
import sqlite3

import pytest

from desktop.__main__ import main
from desktop.core import paths
from desktop.core.kuaishou.client import KuaishouClient
from desktop.sandbox import Sandbox

DAYS = "2"


@pytest.fixture
def sandbox():
    with Sandbox(seed=11) as sb:
        yield sb


@pytest.fixture
def env(monkeypatch, sandbox):
    c = sandbox.credentials
    monkeypatch.setenv("KS_APP_KEY", c.app_key)
    monkeypatch.setenv("KS_SIGN_SECRET", c.sign_secret)
    monkeypatch.setenv("KS_ACCESS_TOKEN", c.access_token)
    monkeypatch.setenv("KS_SIGN_METHOD", c.sign_method)
    for name in ("KS_APP_SECRET", "KS_REFRESH_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(KuaishouClient, "BACKOFF_BASE_S", 0.001)
    return c


def check(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


# ------------------------------------------------------------------------ credential mistakes
def test_a_wrong_sign_secret_is_named_and_exits_3(capsys, sandbox, env, monkeypatch):
    monkeypatch.setenv("KS_SIGN_SECRET", "a-wrong-sign-secret-123")
    code, out, err = check(capsys, "--json", "--api-base", sandbox.base_url, "--days", DAYS)
    assert code == 3
    assert "签名密钥" in err and "签名方法" in err
    assert json.loads(out)["stale"] is True


def test_a_wrong_app_key_is_named_and_exits_3(capsys, sandbox, env, monkeypatch):
    monkeypatch.setenv("KS_APP_KEY", "ks000000000000000000")
    code, _out, err = check(capsys, "--json", "--api-base", sandbox.base_url, "--days", DAYS)
    assert code == 3
    assert "应用标识" in err


def test_a_garbage_token_is_called_invalid_not_expired(capsys, sandbox, env, monkeypatch):
    monkeypatch.setenv("KS_ACCESS_TOKEN", "not-a-token-at-all-xyz")
    code, _out, err = check(capsys, "--json", "--api-base", sandbox.base_url, "--days", DAYS)
    assert code == 3
    assert "不是有效的令牌" in err
    assert "48" not in err and "过期" not in err


def test_an_expired_pasted_token_is_still_called_expired(capsys, sandbox, env):
    sandbox.expire_access_token()
    code, _out, err = check(capsys, "--json", "--api-base", sandbox.base_url, "--days", DAYS)
    assert code == 3 and "48" in err


# ------------------------------------------------------------------- secrets echoed by the gateway
def test_a_secret_echoed_by_the_gateway_is_never_stored_printed_or_logged(capsys, sandbox, env):
    assert check(capsys, "--json", "--api-base", sandbox.base_url, "--days", DAYS)[0] == 0
    c = sandbox.credentials
    sandbox.inject_fault(
        "open.seller.order.refund.pcursor.list",
        "result",
        result=21,
        times=None,
        error_msg=f"请求被拒绝 token {c.access_token} 签名 {c.sign_secret}",
    )
    code, out, err = check(capsys, "--json", "--api-base", sandbox.base_url, "--days", DAYS)
    assert code == 4
    report = json.loads(out)
    assert report["stale"] is True and "请求被拒绝" in report["shops"][0]["error"]
    db = paths.database_path()
    with sqlite3.connect(db) as conn:
        (last_error,) = conn.execute("SELECT last_error FROM shops").fetchone()
    assert "请求被拒绝" in last_error and "***" in last_error
    stored = b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))
    logged = paths.log_file().read_text(encoding="utf-8")
    for secret in (c.access_token, c.sign_secret):
        assert secret not in out and secret not in err and secret not in last_error
        assert secret.encode() not in stored
        assert secret not in logged


# --------------------------------------------------------------------------- gateway address
def test_every_spelling_of_the_gateway_address_is_one_shop(capsys, sandbox, env):
    port = sandbox.port
    spellings = [
        f"http://127.0.0.1:{port}",
        f"http://127.0.0.1:{port}/",
        f"http://localhost:{port}",
        f"HTTP://LOCALHOST:{port}//",
    ]
    for url in spellings:
        code, out, _err = check(capsys, "--json", "--api-base", url, "--days", DAYS)
        assert code == 0
        assert len(json.loads(out)["shops"]) == 1
    with sqlite3.connect(paths.database_path()) as conn:
        rows = conn.execute("SELECT base_url FROM shops").fetchall()
    assert rows == [(f"http://127.0.0.1:{port}",)]


def test_a_failing_run_always_shows_the_cached_report_marked_stale(capsys, sandbox, env):
    code, out, _err = check(capsys, "--json", "--api-base", sandbox.base_url, "--days", DAYS)
    assert code == 0
    fresh = json.loads(out)
    sandbox.inject_fault("*", "http500", times=None)
    # another spelling of the same gateway, which fails before the shop is identified
    code, out, err = check(
        capsys, "--json", "--api-base", f"http://localhost:{sandbox.port}/", "--days", DAYS
    )
    assert code == 4 and err.strip()
    stale = json.loads(out)
    assert stale["stale"] is True
    assert [s["seller_id"] for s in stale["shops"]] == [s["seller_id"] for s in fresh["shops"]]
    assert stale["shops"][0]["stale"] is True


def test_a_failing_run_with_nothing_cached_is_still_marked_stale(capsys, sandbox, env):
    sandbox.inject_fault("*", "http500", times=None)
    code, out, _err = check(capsys, "--json", "--api-base", sandbox.base_url, "--days", DAYS)
    assert code == 4
    report = json.loads(out)
    assert report["stale"] is True and report["shops"] == []


# -------------------------------------------------------------------------------- rules file
@pytest.mark.parametrize(
    ("content", "named"),
    [
        (lambda b: b.decode("utf-8").encode("utf-16"), "UTF-16"),
        (
            lambda b: b"\xef\xbb\xbf" + b.replace(b"limit_hours = 48", b"limit_hours = 1e12", 1),
            "stages.review_refund_only.limit_hours",
        ),
        (
            lambda b: b.replace(b"series_days = { value = 90", b"series_days = { value = 100000000", 1),
            "risk.windows.series_days",
        ),
        (lambda b: b"\x00\x01\x02" * 100, "二进制"),
        (lambda b: b"a = " + b"[" * 50_000 + b"]" * 50_000, "嵌套"),
    ],
)
def test_a_bad_rules_file_is_named_with_its_key_and_check_exits_2(
    capsys, sandbox, env, monkeypatch, tmp_path, content, named
):
    from desktop.core import rulesfile

    bad = tmp_path / "kuaishou.toml"
    bad.write_bytes(content(rulesfile.default_rules_path().read_bytes()))
    monkeypatch.setattr(rulesfile, "default_rules_path", lambda: bad)
    code, out, err = check(capsys, "--json", "--api-base", sandbox.base_url, "--days", DAYS)
    assert code == 2 and out == ""
    assert str(bad) in err and named in err and "Traceback" not in err


def test_approve_with_a_wrong_sign_secret_exits_3_naming_it(capsys, sandbox, env, monkeypatch):
    monkeypatch.setenv("KS_SIGN_SECRET", "a-wrong-sign-secret-123")
    rid = next(iter(sandbox.refunds))
    code = main(["approve", str(rid), "--api-base", sandbox.base_url, "--settle", "0"])
    _out, err = capsys.readouterr()
    assert code == 3 and "签名密钥" in err


def test_a_url_encoded_echo_of_a_secret_is_redacted_too():
    import urllib.parse

    from desktop.core.logsetup import redact, register_secret

    secret = "sign/secret+with=specials-42"  # characters that URL-encoding changes
    register_secret(secret)
    echoed = urllib.parse.quote(secret, safe="")
    assert redact(f"bad request {echoed} / {secret}") == "bad request *** / ***"
