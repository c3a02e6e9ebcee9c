"""Sync against the embedded sandbox over real HTTP: first sweep, incremental, pending sweep,
failures half-way, cancellation, auto-approval classification, and nothing secret in the database."""

from __future__ import annotations

import sqlite3

import pytest

from desktop.core.domain.deadlines import waits_on_merchant
from desktop.core.kuaishou.client import LIST_REFUNDS, Credentials, KuaishouClient
from desktop.core.kuaishou.errors import AuthError, TransportError
from desktop.core.kuaishou.models import Refund, parse
from desktop.core.rulesfile import load_default_rules
from desktop.core.store import open_store
from desktop.core.sync import Syncer
from desktop.sandbox import Sandbox
from desktop.sandbox.catalog import is_waiting

DAYS = 5  # a short first sweep keeps the tests fast; the demo shop's pending requests are younger


@pytest.fixture(scope="module")
def rules():
    return load_default_rules()


@pytest.fixture
def sandbox():
    with Sandbox(seed=7) as sb:
        yield sb


def client_for(sb: Sandbox, **kw) -> KuaishouClient:
    c = sb.credentials
    creds = Credentials(
        app_key=c.app_key,
        sign_secret=c.sign_secret,
        access_token=c.access_token,
        sign_method=c.sign_method,
        app_secret=c.app_secret,
        refresh_token=c.refresh_token,
    )
    kw.setdefault("qps", 500.0)
    return KuaishouClient(creds, base_url=sb.base_url, **kw)


@pytest.fixture
def client(sandbox):
    with client_for(sandbox) as c:
        yield c


@pytest.fixture
def store(tmp_path, sandbox):
    with open_store(tmp_path / "sync.sqlite3") as s:
        yield s


@pytest.fixture
def shop(store, sandbox):
    return store.shops.add(base_url=sandbox.base_url, seller_id=sandbox.credentials.seller_id)


def syncer(client, store, rules, shop, **kw) -> Syncer:
    kw.setdefault("days", DAYS)
    return Syncer(client, store, rules, shop_id=shop.id, **kw)


def sandbox_ids_since(sb: Sandbox, since_ms: int) -> set[int]:
    """What a sweep from ``since_ms`` must have stored: every refund created since, and the older
    ones that still wait on the merchant (the platform's ``type`` 8)."""
    return {rid for rid, r in sb.refunds.items() if r["createTime"] >= since_ms or is_waiting(r)}


def list_calls(sb: Sandbox) -> list[dict]:
    return [c for c in sb.call_log if c["method"] == LIST_REFUNDS]


def assert_consistent(store) -> None:
    with store.transaction() as conn:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        orphans = conn.execute(
            "SELECT count(*) FROM refunds r LEFT JOIN refund_raw w USING (shop_id, refund_id) "
            "WHERE w.refund_id IS NULL"
        ).fetchone()[0]
        assert orphans == 0
        no_history = conn.execute(
            "SELECT count(*) FROM refunds r WHERE NOT EXISTS (SELECT 1 FROM observations o "
            "WHERE o.shop_id = r.shop_id AND o.refund_id = r.refund_id)"
        ).fetchone()[0]
        assert no_history == 0


def test_the_first_sweep_stores_every_refund_the_platform_has(sandbox, client, store, shop, rules):
    reports = []
    result = syncer(client, store, rules, shop).run(progress=reports.append)
    assert result.completed and result.swept and result.first_sweep_done

    stored = {r.refund_id: r for r in store.refunds.all(shop.id)}
    sweep = store.shops.get(shop.id)
    assert set(stored) == sandbox_ids_since(sandbox, sweep.sweep_begin_ms)
    for rid, r in stored.items():
        truth = sandbox.refunds[rid]
        assert (r.status, r.negotiate_status, r.expire_time, r.refund_fee) == (
            truth["status"],
            truth["negotiateStatus"],
            truth.get("expireTime"),
            truth["refundFee"],
        )
        assert r.merchant_turn == waits_on_merchant(parse(Refund, truth))
    assert store.history.observation_count(shop.id) == len(stored)
    # every closed request got an outcome; the sweep's list calls were by create time, all refunds
    assert store.classification.unclassified(shop.id) == []
    sweep_calls = [
        c["params"] for c in list_calls(sandbox) if c["params"]["type"] == 9 and c["params"]["queryType"] == 1
    ]
    assert len(sweep_calls) >= DAYS
    assert min(p["beginTime"] for p in sweep_calls) == sweep.sweep_begin_ms
    # the older days of a short sweep: only their waiting requests, listed once
    older = [c["params"] for c in list_calls(sandbox) if c["params"]["type"] == 8]
    assert older and max(p["endTime"] for p in older) == sweep.sweep_begin_ms
    # progress: windows counted up to the total; the score snapshot and the clock offset are kept
    sweep_reports = [p for p in reports if p.phase == "sweep"]
    assert sweep_reports[-1].windows_done == sweep_reports[-1].windows_total >= DAYS
    assert [p.windows_done for p in sweep_reports] == sorted(p.windows_done for p in sweep_reports)
    assert sweep_reports[-1].refunds == len(
        {rid for rid, r in sandbox.refunds.items() if r["createTime"] >= sweep.sweep_begin_ms}
    )
    assert store.scores.latest(shop.id).score_str
    assert sweep.server_clock_offset_ms is not None and abs(sweep.server_clock_offset_ms) < 2000
    assert sweep.last_success_at == sweep.last_sync_at and sweep.last_error is None
    assert_consistent(store)


def test_an_incremental_sync_fetches_only_what_changed(sandbox, client, store, shop, rules):
    syncer(client, store, rules, shop).run()
    sandbox.clear_call_log()
    observations = store.history.observation_count(shop.id)

    new = sandbox.add_refund(refundFee=3990)
    waiting = next(r for r in store.refunds.waiting(shop.id) if r.handling_way == 10 and r.status == 10)
    client.approve_refund(waiting.refund_id, waiting.refund_fee)
    # the server clock is read from the whole-second HTTP Date header: let the changes be a
    # couple of seconds old so that "now" on the platform's clock surely covers them
    sandbox.advance(2)
    sandbox.clear_call_log()

    result = syncer(client, store, rules, shop).run()
    assert result.completed and not result.swept
    calls = [c["params"] for c in list_calls(sandbox)]
    incremental = [p for p in calls if p["queryType"] == 2]
    assert incremental and all(p["type"] == 9 for p in incremental)
    assert len(incremental) <= 2, "only the time since the last sync (plus the overlap) is listed"
    assert result.new == 1 and result.changed == 1
    assert store.refunds.get(shop.id, new["refundId"]).refund_fee == 3990
    approved = store.refunds.get(shop.id, waiting.refund_id)
    assert approved.negotiate_status == sandbox.refunds[waiting.refund_id]["negotiateStatus"] == 2
    assert not approved.merchant_turn
    assert store.history.observation_count(shop.id) == observations + 2

    # nothing changed: the next sync stores nothing new (idempotent)
    again = syncer(client, store, rules, shop).run()
    assert (again.new, again.changed) == (0, 0)
    assert store.history.observation_count(shop.id) == observations + 2
    assert_consistent(store)


def test_the_pending_sweep_catches_a_change_the_update_time_did_not_show(sandbox, client, store, shop, rules):
    syncer(client, store, rules, shop).run()
    target = next(r for r in store.refunds.waiting(shop.id) if r.status == 10)
    # the platform closes it without moving updateTime (so the incremental listing cannot see it)
    sandbox.refunds[target.refund_id].update(status=70, negotiateStatus=0)
    sandbox.settle()
    sandbox.clear_call_log()

    result = syncer(client, store, rules, shop).run()
    assert result.details_fetched == 1
    assert any(c["params"]["type"] == 8 for c in list_calls(sandbox))
    closed = store.refunds.get(shop.id, target.refund_id)
    assert closed.status == 70 and not closed.merchant_turn and closed.outcome is not None
    assert target.refund_id not in {r.refund_id for r in store.refunds.waiting(shop.id)}


def test_a_failure_half_way_leaves_the_store_consistent_and_the_next_sync_completes_it(
    sandbox, store, shop, rules
):
    sandbox.seed_bulk(400, days=DAYS)
    client = client_for(sandbox, max_retries=0)
    fail_after = 3

    def inject(progress):
        if progress.phase == "sweep" and progress.windows_done == fail_after:
            sandbox.inject_fault(LIST_REFUNDS, "http500", times=None)

    with pytest.raises(TransportError):
        syncer(client, store, rules, shop).run(progress=inject)
    half = store.shops.get(shop.id)
    assert not half.first_sweep_done and half.last_error and "TransportError" in half.last_error
    assert half.last_success_at is None
    assert_consistent(store)
    # exactly the windows committed before the failure are stored, nothing of the failed one
    stored = {r.refund_id for r in store.refunds.all(shop.id)}
    expected = {
        rid
        for rid, r in sandbox.refunds.items()
        if half.sweep_begin_ms <= r["createTime"] < half.sweep_next_ms
    }
    assert expected
    boundary = {rid for rid, r in sandbox.refunds.items() if r["createTime"] == half.sweep_next_ms}
    assert expected <= stored <= expected | boundary
    assert half.sweep_next_ms == half.sweep_begin_ms + fail_after * 86_400_000

    sandbox.clear_faults()
    sandbox.clear_call_log()
    result = syncer(client, store, rules, shop).run()
    assert result.completed and result.first_sweep_done
    resumed = [c["params"] for c in list_calls(sandbox) if c["params"]["queryType"] == 1]
    assert resumed[0]["beginTime"] == half.sweep_next_ms, "the sweep continues where it stopped"
    done = store.shops.get(shop.id)
    assert {r.refund_id for r in store.refunds.all(shop.id)} == sandbox_ids_since(
        sandbox, done.sweep_begin_ms
    )
    assert done.last_error is None and done.last_success_at is not None
    assert_consistent(store)


def test_cancelling_stops_before_the_next_page_and_the_next_run_resumes(sandbox, client, store, shop, rules):
    pages = []

    def cancelled():
        return len(pages) >= 2

    result = syncer(client, store, rules, shop).run(progress=pages.append, cancelled=cancelled)
    assert result.cancelled and not result.completed and not result.first_sweep_done
    assert not store.shops.get(shop.id).first_sweep_done
    assert_consistent(store)
    result = syncer(client, store, rules, shop).run()
    assert result.completed and result.first_sweep_done
    assert {r.refund_id for r in store.refunds.all(shop.id)} == sandbox_ids_since(
        sandbox, store.shops.get(shop.id).sweep_begin_ms
    )


def test_a_request_left_past_its_deadline_is_classified_auto_approved_certain(
    sandbox, client, store, shop, rules
):
    syncer(client, store, rules, shop).run()
    now = sandbox.now_ms()
    short = sandbox.add_refund(createTime=now - 60_000, expireTime=now + 90_000, refundFee=5600)
    handled = sandbox.add_refund(createTime=now - 60_000, expireTime=now + 90_000, refundFee=1200)
    first = syncer(client, store, rules, shop).run()
    assert first.new == 2
    assert store.refunds.get(shop.id, short["refundId"]).merchant_turn
    client.approve_refund(handled["refundId"], 1200)  # this one the merchant handles in time

    sandbox.advance(300)  # the deadline passes: the platform agrees it by itself
    assert sandbox.refunds[short["refundId"]]["negotiateStatus"] == 2
    result = syncer(client, store, rules, shop).run()

    auto = store.refunds.get(shop.id, short["refundId"])
    assert (auto.outcome, auto.certainty, auto.decided_by) == ("auto_approved_overdue", "certain", "observed")
    assert auto.overdue_at == short["expireTime"] and auto.deadline_at == short["expireTime"]
    assert short["refundId"] in result.auto_approved
    in_time = store.refunds.get(shop.id, handled["refundId"])
    assert in_time.outcome in (None, "handled_in_time", "pending")
    assert handled["refundId"] not in result.auto_approved


def test_authorisation_and_network_failures_keep_the_cache(sandbox, client, store, shop, rules):
    syncer(client, store, rules, shop).run()
    before = [(r.refund_id, r.status, r.last_seen_at) for r in store.refunds.all(shop.id)]
    observations = store.history.observation_count(shop.id)

    sandbox.revoke_access_token()
    with pytest.raises(AuthError):
        syncer(client, store, rules, shop).run()
    assert "AuthorizationRevoked" in store.shops.get(shop.id).last_error

    sandbox.stop()
    with pytest.raises(TransportError):
        syncer(client_for(sandbox_stub(sandbox), max_retries=0), store, rules, shop).run()
    assert [(r.refund_id, r.status, r.last_seen_at) for r in store.refunds.all(shop.id)] == before
    assert store.history.observation_count(shop.id) == observations
    assert store.shops.get(shop.id).last_success_at is not None


class sandbox_stub:  # noqa: N801 - stands in for a stopped sandbox's address
    def __init__(self, sb: Sandbox) -> None:
        self.credentials = sb.credentials
        self.base_url = "http://127.0.0.1:9"  # discard port: nothing listens


def test_nothing_secret_reaches_the_database_files(sandbox, client, store, shop, rules, tmp_path):
    syncer(client, store, rules, shop).run()
    store.journal.plan(shop.id, 1, "approve_refund", {"refund_amount": 100})
    c = sandbox.credentials
    secrets = [c.access_token, c.sign_secret, c.app_secret, c.refresh_token]
    blobs = b"".join(p.read_bytes() for p in tmp_path.glob("sync.sqlite3*"))
    assert blobs, "the database files exist"
    for secret in secrets:
        assert secret and secret.encode() not in blobs
    conn = sqlite3.connect(tmp_path / "sync.sqlite3")
    try:
        dump = "\n".join(conn.iterdump())
    finally:
        conn.close()
    for secret in secrets:
        assert secret not in dump


def test_a_waiting_request_the_platform_no_longer_knows_leaves_the_queue(sandbox, client, store, shop, rules):
    syncer(client, store, rules, shop).run()
    now = sandbox.now_ms()
    ghost = parse(
        Refund,
        {
            "refundId": 2_199_999_999_999_999,
            "handlingWay": 10,
            "status": 10,
            "negotiateStatus": 1,
            "createTime": now - 3_600_000,
            "submitTime": now - 3_600_000,
            "updateTime": now - 3_600_000,
            "expireTime": now + 3_600_000,
        },
    )
    store.refunds.upsert(shop.id, [ghost], seen_at=now - 3_600_000, merchant_turn=waits_on_merchant)

    result = syncer(client, store, rules, shop).run()
    assert result.completed
    gone = store.refunds.get(shop.id, ghost.refund_id)
    assert not gone.merchant_turn and (gone.outcome, gone.decided_by) == ("unknown", "not_found")
    assert ghost.refund_id not in {r.refund_id for r in store.refunds.waiting(shop.id)}
