"""``aftersale-watch check`` against the sandbox: the JSON matches the sandbox's own truth, exit codes,
the stale cached report when the network is down, stored profiles, and the human table."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from desktop.__main__ import main
from desktop.cli.check import display_width
from desktop.core import i18n
from desktop.core.domain.deadlines import kind_of, waits_on_merchant
from desktop.core.kuaishou.client import Credentials, KuaishouClient
from desktop.core.kuaishou.models import Refund, SellerInfo, parse
from desktop.core.profiles import ShopManager, SignInResult
from desktop.core.secrets import MemoryKeyring, SecretStore
from desktop.core.store import open_store
from desktop.sandbox import Sandbox

DAYS = "3"


@pytest.fixture
def sandbox():
    with Sandbox(seed=7) as sb:
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
    return c


def check(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["check", *args])
    out, err = capsys.readouterr()
    return code, out, err


def check_json(capsys, sandbox, *extra: str) -> tuple[int, dict]:
    code, out, _err = check(capsys, "--json", "--api-base", sandbox.base_url, "--days", DAYS, *extra)
    return code, json.loads(out)


def test_check_json_matches_the_sandboxs_truth(capsys, sandbox, env):
    code, report = check_json(capsys, sandbox)
    assert code == 0
    assert report["stale"] is False
    datetime.fromisoformat(report["generated_at"])
    (shop,) = report["shops"]
    assert shop["seller_id"] == str(sandbox.credentials.seller_id)
    assert shop["name"] and shop["stale"] is False
    datetime.fromisoformat(shop["last_sync_at"])

    truth = {rid: r for rid, r in sandbox.refunds.items() if waits_on_merchant(parse(Refund, r))}
    # the sandbox's own "waiting on the merchant" (what type=8 lists) is all in the report
    reviewing = {
        rid for rid, r in sandbox.refunds.items() if r["status"] in (10, 11) and r["negotiateStatus"] == 1
    }
    pending = shop["pending"]
    ids = [int(p["refund_id"]) for p in pending]
    assert set(ids) == set(truth) and reviewing <= set(ids) and len(ids) == len(set(ids))
    for p in pending:
        r = truth[int(p["refund_id"])]
        assert p["order_id"] == str(r["oid"])
        assert (p["handling_way"], p["status"], p["negotiate_status"]) == (
            r["handlingWay"],
            r["status"],
            r["negotiateStatus"],
        )
        assert p["kind"] == kind_of(parse(Refund, r))
        assert p["refund_fee_fen"] == r["refundFee"] and p["sku"] == r["skuNick"]
        assert p["reason"] == r["refundReasonDesc"] and p["urge_times"] == r.get("urgeTimes", 0)
        expire = r.get("expireTime")
        if expire:
            assert p["deadline_source"] == "platform" and p["estimated"] is False
            at_ms = datetime.fromisoformat(p["expire_at"]).timestamp() * 1000
            assert abs(at_ms - expire) <= 2000  # corrected by the measured clock offset (±1 s)
            assert abs(p["seconds_left"] - (expire - sandbox.now_ms()) / 1000) <= 10
        else:
            assert p["deadline_source"] == "rule" and p["estimated"] is True
        assert p["urgency"] in ("overdue", "critical", "urgent", "warn", "info")
    lefts = [p["seconds_left"] for p in pending if p["seconds_left"] is not None]
    assert lefts == sorted(lefts), "soonest deadline first"
    assert {"level", "reasons", "metrics", "forecast"} <= set(shop["risk"])
    assert shop["risk"]["level"] in ("low", "watch", "elevated", "high")
    for reason in shop["risk"]["reasons"]:
        assert {"metric", "value", "threshold", "basis", "text"} <= set(reason)
        assert reason["basis"] in ("sourced", "assumed")


def test_with_the_network_down_the_cached_report_is_printed_stale_with_exit_4(
    capsys, sandbox, env, monkeypatch
):
    monkeypatch.setattr(KuaishouClient, "BACKOFF_BASE_S", 0.001)  # the retries need not wait here
    code, fresh = check_json(capsys, sandbox)
    assert code == 0
    base_url = sandbox.base_url
    sandbox.stop()

    code, out, err = check(capsys, "--json", "--api-base", base_url, "--days", DAYS)
    assert code == 4
    stale = json.loads(out)
    assert stale["stale"] is True and stale["shops"][0]["stale"] is True
    assert stale["shops"][0]["error"]
    assert [p["refund_id"] for p in stale["shops"][0]["pending"]] == [
        p["refund_id"] for p in fresh["shops"][0]["pending"]
    ]
    assert stale["shops"][0]["last_sync_at"] == fresh["shops"][0]["last_sync_at"]
    assert err.strip()

    code, out, _err = check(capsys, "--api-base", base_url, "--days", DAYS)
    assert code == 4
    assert "数据已过时" in out and fresh["shops"][0]["pending"][0]["refund_id"] in out


def test_a_revoked_token_exits_3(capsys, sandbox, env):
    assert check_json(capsys, sandbox)[0] == 0
    sandbox.revoke_access_token()
    code, report = check_json(capsys, sandbox)
    assert code == 3
    assert report["stale"] is True and report["shops"][0]["pending"]


def test_configuration_errors_exit_2(capsys, sandbox, monkeypatch):
    for name in (
        "KS_APP_KEY",
        "KS_SIGN_SECRET",
        "KS_ACCESS_TOKEN",
        "KS_SIGN_METHOD",
        "KS_APP_SECRET",
        "KS_REFRESH_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr("desktop.core.secrets.SecretStore", lambda: SecretStore(backend=MemoryKeyring()))
    code, out, err = check(capsys, "--api-base", sandbox.base_url)
    assert code == 2 and out == "" and "KS_APP_KEY" in err  # nothing configured

    monkeypatch.setenv("KS_APP_KEY", "ks123")
    code, _out, err = check(capsys)
    assert code == 2 and "KS_SIGN_SECRET" in err and "KS_ACCESS_TOKEN" in err

    monkeypatch.setenv("KS_SIGN_SECRET", "s" * 16)
    monkeypatch.setenv("KS_ACCESS_TOKEN", "t" * 16)
    monkeypatch.setenv("KS_SIGN_METHOD", "SHA1")
    code, _out, err = check(capsys)
    assert code == 2 and "KS_SIGN_METHOD" in err

    monkeypatch.setenv("KS_SIGN_METHOD", "MD5")
    code, _out, err = check(capsys, "--api-base", "http://example.com")  # plain http off loopback
    assert code == 2 and err

    with pytest.raises(SystemExit) as info:
        main(["check", "--days", "91"])
    assert info.value.code == 2


def test_stored_shop_profiles_are_checked_with_their_keychain_secrets(capsys, sandbox, monkeypatch, app_home):
    for name in ("KS_APP_KEY", "KS_SIGN_SECRET", "KS_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    keyring = MemoryKeyring()
    monkeypatch.setattr("desktop.core.secrets.SecretStore", lambda: SecretStore(backend=keyring))
    c = sandbox.credentials
    with open_store() as store:
        manager = ShopManager(store, SecretStore(backend=keyring))
        manager.save_sign_in(
            SignInResult(
                seller=SellerInfo(name="山河优选生活馆", seller_id=c.seller_id),
                credentials=Credentials(
                    app_key=c.app_key,
                    sign_secret=c.sign_secret,
                    access_token=c.access_token,
                    sign_method=c.sign_method,
                ),
                base_url=sandbox.base_url,
                auth_mode="token",
            )
        )
    code, report = check_json(capsys, sandbox)
    assert code == 0 and report["shops"][0]["name"] == "山河优选生活馆" and report["shops"][0]["pending"]

    with open_store() as store:  # signed out: its secrets are gone, the cached report stays
        ShopManager(store, SecretStore(backend=keyring)).sign_out(store.shops.all()[0].id)
    code, report = check_json(capsys, sandbox)
    assert code == 3 and report["stale"] is True and report["shops"][0]["pending"]


def test_the_human_table_is_chinese_and_aligned(capsys, sandbox, env):
    i18n.set_language("zh_CN")
    code, out, _err = check(capsys, "--api-base", sandbox.base_url, "--days", DAYS)
    assert code == 0
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("紧急程度"))
    assert "剩余时间" in lines[header] and "退款单号" in lines[header]
    rows = lines[header + 2 :]
    rows = rows[
        : next(
            (i for i, line in enumerate(rows) if not line[:1].strip() or line.startswith(("*", "风险"))),
            len(rows),
        )
    ]
    assert rows
    # the refund id column starts at the same display column on every line (CJK counts double)
    column = display_width(lines[header][: lines[header].index("退款单号")])
    for row in rows:
        rid = row.split()[-1]
        assert rid.isdigit()
        assert display_width(row[: row.rindex(rid)]) == column
    assert "风险等级" in out


def test_demo_runs_on_the_embedded_sandbox_and_leaves_nothing_behind(capsys, app_home, monkeypatch):
    for name in ("KS_APP_KEY", "KS_SIGN_SECRET", "KS_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    code, out, _err = check(capsys, "--demo", "--json", "--days", DAYS)
    assert code == 0
    report = json.loads(out)
    assert report["shops"][0]["pending"]
    assert not list(app_home.rglob("*.sqlite3")), "the demo keeps no database in the data dir"


@pytest.mark.parametrize(
    ("fields", "name"),
    [
        ({"expireTime": 10**18}, "expireTime"),
        ({"refundFee": 10**30}, "refundFee"),
        ({"refundId": 2**64}, "refundId"),
    ],
)
def test_a_refund_with_an_absurd_decision_field_is_named_not_a_traceback(
    app_home, capsys, monkeypatch, fields, name
):
    """check used to die with OverflowError (SQLite) or "year … is out of range" on these."""
    from desktop.__main__ import main
    from desktop.sandbox import Sandbox

    with Sandbox(demo_data=False, buyer_ships_after_s=None) as sb:
        c = sb.credentials
        for key, value in (
            ("KS_APP_KEY", c.app_key),
            ("KS_SIGN_SECRET", c.sign_secret),
            ("KS_ACCESS_TOKEN", c.access_token),
        ):
            monkeypatch.setenv(key, value)
        created = sb.now_ms() - 3_600_000
        good = sb.add_refund(handlingWay=10, refundFee=990, createTime=created)["refundId"]
        if name == "refundId":
            bad = sb.add_refund(handlingWay=10, createTime=created)
            sb.shop.refunds[2**64] = {**sb.shop.refunds.pop(bad["refundId"]), "refundId": 2**64}
            sb.settle()
        else:
            sb.add_refund(handlingWay=10, createTime=created, **fields)
        code = main(["check", "--json", "--days", "2", "--api-base", sb.base_url])
    out = capsys.readouterr()
    assert code == 0, out.err
    shop = json.loads(out.out)["shops"][0]
    assert [p["refund_id"] for p in shop["pending"]] == [str(good)]  # the rest goes on
    (unreadable,) = shop["unreadable"]
    assert unreadable["field"].endswith(name)
    if name != "refundId":
        assert unreadable["backend_url"] and unreadable["refund_id"]
