"""One risk answer: the window and ``check`` compute it by the same function from the same store and
clock, and it says it is partial — how far the history got — until the history behind the level is
complete, instead of a level that changes by itself after the next sync."""

from __future__ import annotations

import inspect

import pytest

from desktop.core.kuaishou.client import Credentials, KuaishouClient
from desktop.core.risk_answer import REFINE_DAYS, REFINED_RULES, risk_answer
from desktop.core.rulesfile import load_default_rules
from desktop.core.store import open_store
from desktop.core.sync import _REFINE_RULES, Syncer
from desktop.sandbox import Sandbox

DAYS = 10


@pytest.fixture
def sandbox():
    with Sandbox(seed=7) as sb:
        yield sb


@pytest.fixture
def client(sandbox):
    c = sandbox.credentials
    creds = Credentials(
        app_key=c.app_key, sign_secret=c.sign_secret, access_token=c.access_token, sign_method=c.sign_method
    )
    with KuaishouClient(creds, base_url=sandbox.base_url, qps=500.0) as cl:
        yield cl


@pytest.fixture
def store(tmp_path):
    with open_store(tmp_path / "risk.sqlite3") as st:
        yield st


def test_the_answer_follows_the_syncers_refinement():
    assert tuple(REFINED_RULES) == tuple(_REFINE_RULES)
    assert inspect.signature(Syncer).parameters["refine_days"].default == REFINE_DAYS


def test_partial_until_the_history_is_complete_then_the_level_holds(sandbox, client, store):
    rules = load_default_rules()
    shop = store.shops.add(base_url=sandbox.base_url, seller_id=sandbox.credentials.seller_id)
    before = risk_answer(store, shop.id, rules)
    assert before.partial and before.history.swept_days == 0 and not before.history.swept

    # a first sweep cancelled half-way: partial, and how far it got
    calls = {"n": 0}

    def cancel_after_some_pages() -> bool:
        calls["n"] += 1
        return calls["n"] > 4

    Syncer(client, store, rules, shop_id=shop.id, days=DAYS).run(cancelled=cancel_after_some_pages)
    half = risk_answer(store, shop.id, rules)
    assert half.partial and 0 < half.history.swept_days < half.history.sweep_days == DAYS
    assert half.to_json()["history"] == {
        "complete": False,
        "swept_days": half.history.swept_days,
        "sweep_days": DAYS,
        "to_refine": half.history.to_refine,
    }

    # the sweep ends; the closes that wait for their negotiation history are fetched a few per run
    runs = 0
    answers = []
    while True:
        Syncer(client, store, rules, shop_id=shop.id, days=DAYS, max_extra_calls=5).run()
        answers.append(risk_answer(store, shop.id, rules))
        runs += 1
        if not answers[-1].partial or runs > 40:
            break
    assert answers[0].history.swept
    assert not answers[-1].partial, answers[-1].history
    # the demo shop has closes that only their negotiation history settles: partial meanwhile
    assert len(answers) > 1 and answers[0].partial and answers[0].history.to_refine > 0
    # complete: a further sync of an unchanged shop does not move the level by itself
    Syncer(client, store, rules, shop_id=shop.id, days=DAYS).run()
    again = risk_answer(store, shop.id, rules)
    assert not again.partial and again.estimate.level == answers[-1].estimate.level


def test_check_reports_the_same_answer_as_the_window(sandbox, client, store):
    from desktop.app import estimate_risk
    from desktop.cli.check import risk_object

    rules = load_default_rules()
    shop = store.shops.add(base_url=sandbox.base_url, seller_id=sandbox.credentials.seller_id)
    Syncer(client, store, rules, shop_id=shop.id, days=DAYS).run()
    shop = store.shops.get(shop.id)
    import time

    now = int(time.time() * 1000)
    window = estimate_risk(store, rules, shop.id)  # what the window's session computes
    report = risk_object(store, shop, rules, now)
    assert report["level"] == window.estimate.level
    assert report["history"] == window.history.to_json()


def test_the_window_and_check_carry_the_same_forecast_with_the_guard(sandbox, client, store):
    """One function computes the answer with the guard's forecast for both: while the guard is on,
    check's ``forecast_with_guard`` is what the guard command computes for the same policy and what
    the window's answer carries; while it is off, neither has one."""
    import time

    from desktop.app import estimate_risk
    from desktop.cli.check import risk_object
    from desktop.core.domain.rules import GUARD_STAGES
    from desktop.core.guard import GuardPolicy, guarded_forecast_levels, save_policy

    rules = load_default_rules()
    shop = store.shops.add(base_url=sandbox.base_url, seller_id=sandbox.credentials.seller_id)
    Syncer(client, store, rules, shop_id=shop.id, days=DAYS).run()
    shop = store.shops.get(shop.id)
    now = int(time.time() * 1000)
    assert "forecast_with_guard" not in risk_object(store, shop, rules, now)
    assert estimate_risk(store, rules, shop.id).guarded is None

    policy = GuardPolicy(
        enabled=True, stages=GUARD_STAGES, max_fee_fen=10**9, daily_count=10_000, daily_fen=10**12
    )
    save_policy(store, shop.id, policy)
    now = int(time.time() * 1000)
    report = risk_object(store, shop, rules, now)
    expected = guarded_forecast_levels(store, shop.id, rules, policy, now_ms=now)
    assert report["forecast_with_guard"] == expected
    assert expected[0]["guarded"] > 0  # the demo shop has requests the guard would agree in time
    window = estimate_risk(store, rules, shop.id)
    assert window.guarded is not None and window.guarded_requests == expected[0]["guarded"]
    assert [(f.horizon_hours, f.level) for f in window.guarded] == [
        (f["horizon_hours"], f["level"]) for f in report["forecast_with_guard"]
    ]
    # the guard keeps the requests it agrees out of the would-be auto-approvals
    plain = {f["horizon_hours"]: f for f in report["forecast"]}
    for f in report["forecast_with_guard"]:
        assert set(f["would_auto_approve"]) <= set(plain[f["horizon_hours"]]["would_auto_approve"])
