"""The SQL side of the risk estimate agrees with the pure reference computation, uses the indexes,
and reads the store's pending requests, clock offset and shop score."""

from __future__ import annotations

import random

import pytest
from risk_oracle import ClosedRecord, inputs_from_records

from desktop.core.domain.classify import Outcome
from desktop.core.domain.risk import PendingItem, estimate
from desktop.core.kuaishou.models import Refund, ScoreDimension, ScoreSummary, ShopScore
from desktop.core.rulesfile import load_default_rules
from desktop.core.store import Decision, open_store
from desktop.core.store.risk_queries import estimate_shop, risk_inputs

H = 3_600_000
D = 24 * H
NOW = 1_764_000_000_000 + 5 * H + 17_000


@pytest.fixture(scope="module")
def rules():
    return load_default_rules()


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "risk.sqlite3")
    yield s
    s.close()


def _populate(store, rules, seed: int, *, n_closed=400, n_pending=25):
    """Random classified and pending refunds in the store; returns the same data as plain records."""
    rnd = random.Random(seed)
    shop = store.shops.add(base_url="http://127.0.0.1:1", seller_id=seed + 1, name="shop")
    outcomes = [o.value for o in Outcome if o is not Outcome.PENDING]
    weights = [8 if o == "auto_approved_overdue" else 30 if o == "handled_in_time" else 5 for o in outcomes]
    refunds, decisions, closed = [], [], []
    for i in range(n_closed):
        rid = 2_100_000_000_000_000 + seed * 10_000 + i
        hw = rnd.choice([10, 10, 1, 3, 5])
        submit = NOW - rnd.randint(0, 100 * D)
        end = submit + rnd.randint(1000, 4 * D)
        if end > NOW + 2 * D:
            end = NOW - 1000
        outcome = rnd.choices(outcomes, weights)[0]
        deadline = submit + 48 * H
        if outcome == "auto_approved_overdue":  # the system agrees at the deadline: it closes after it
            end = min(deadline + rnd.randint(0, 2 * H), NOW - 1000)
            if end < deadline:
                outcome = "handled_in_time"
        first_action = submit + rnd.randint(0, 47 * H) if rnd.random() < 0.9 else None
        certainty = rnd.choice(["certain", "likely"]) if outcome == "auto_approved_overdue" else None
        refunds.append(
            Refund(
                rid,
                handling_way=hw,
                status=60,
                negotiate_status=2,
                submit_time=submit,
                create_time=submit,
                update_time=end,
                end_time=end,
                refund_fee=rnd.randint(100, 9999),
                expire_time=deadline,
            )
        )
        decisions.append(
            Decision(
                rid,
                outcome,
                "observed",
                certainty,
                deadline_at=deadline,
                overdue_at=deadline if outcome == "auto_approved_overdue" else None,
                decided_at=end,
                first_action_at=first_action,
            )
        )
        kind = {10: "refund_only", 1: "return_refund", 3: "exchange", 5: "repair"}[hw]
        response = (
            (deadline - submit)
            if outcome == "auto_approved_overdue"
            else (first_action - submit if first_action is not None else None)
        )
        closed.append(
            ClosedRecord(
                rid,
                kind,
                outcome,
                end,
                certainty,
                deadline if outcome == "auto_approved_overdue" else None,
                response,
            )
        )
    pending = []
    for i in range(n_pending):
        rid = 2_200_000_000_000_000 + seed * 10_000 + i
        expire = NOW + rnd.randint(-3 * H, 60 * H)
        fee = rnd.randint(100, 9999)
        refunds.append(
            Refund(
                rid,
                handling_way=10,
                status=10,
                negotiate_status=1,
                submit_time=expire - 48 * H,
                update_time=expire - 48 * H,
                expire_time=expire,
                refund_fee=fee,
            )
        )
        pending.append(PendingItem(rid, "refund_only", expire, fee))
    store.refunds.upsert(shop.id, refunds, seen_at=NOW - H)
    store.classification.save(shop.id, decisions, at=NOW)
    return shop, closed, pending


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sql_inputs_equal_the_reference_computation(store, rules, seed):
    shop, closed, pending = _populate(store, rules, seed)
    got = risk_inputs(store, shop.id, rules, now_ms=NOW, server_offset_ms=0)
    want = inputs_from_records(NOW, closed, pending, rules)
    assert got.windows == want.windows
    assert sorted(got.auto_approvals, key=lambda a: (a.at_ms, a.refund_id)) == sorted(
        want.auto_approvals, key=lambda a: (a.at_ms, a.refund_id)
    )
    assert got.m2_leaving_ms == want.m2_leaving_ms
    assert got.response == want.response and got.response.count > 0
    assert got.has_history and want.has_history
    assert got.daily == want.daily and sum(p.handled_in_time for p in got.daily) > 0
    assert sorted(got.pending, key=lambda p: p.refund_id) == sorted(want.pending, key=lambda p: p.refund_id)
    # and so the whole estimate agrees
    assert estimate(got, rules).to_json() == estimate(want, rules).to_json()


def test_the_clock_offset_and_the_shop_score(store, rules):
    shop, _closed, _pending = _populate(store, rules, 7, n_closed=50, n_pending=5)
    store.shops.update(shop.id, server_clock_offset_ms=90_000)
    inputs = risk_inputs(store, shop.id, rules, now_ms=NOW - 90_000)  # local clock 90 s behind
    assert inputs.now_ms == NOW
    assert inputs.shop_score is None
    store.scores.add(
        shop.id,
        ShopScore(True, ScoreSummary("店铺体验分", "4.62"), (ScoreDimension("售后服务", "4.1"),)),
        at=NOW,
    )
    est = estimate_shop(store, shop.id, rules, now_ms=NOW, server_offset_ms=0)
    assert est.shop_score.after_sale == ("售后服务", "4.1")
    assert est.to_json()["shop_score"]["score"] == "4.62"


def test_an_empty_shop_is_low_with_no_history(store, rules):
    shop = store.shops.add(base_url="http://127.0.0.1:1", seller_id=99, name="new")
    est = estimate_shop(store, shop.id, rules, now_ms=NOW)
    assert est.level == "low" and est.no_history
    assert [r.metric for r in est.reasons] == ["history"]


def test_the_queries_walk_indexes_without_sorting(store, rules):
    from desktop.core.store import risk_queries, schema

    shop, _, _ = _populate(store, rules, 5, n_closed=20, n_pending=2)

    def plan(sql, params):
        return " | ".join(row[-1] for row in store.read("EXPLAIN QUERY PLAN " + sql, params))

    counts = plan(
        "SELECT COUNT(*) FROM refunds WHERE shop_id = ? AND outcome = 'handled_in_time' "
        "AND handling_way = 10 AND closed_at > ? AND closed_at <= ?",
        (shop.id, 0, NOW),
    )
    assert "COVERING INDEX refunds_risk_kind" in counts, counts
    m5 = plan(
        f"SELECT {risk_queries.RESPONSE_SQL} AS ms FROM refunds INDEXED BY refunds_risk_response "
        "WHERE shop_id = ? AND outcome IN ('auto_approved_overdue', 'handled_in_time', 'rejected_closed') "
        f"AND closed_at IS NOT NULL AND {risk_queries.RESPONSE_SQL} IS NOT NULL AND closed_at > ? "
        "AND closed_at <= ? ORDER BY ms LIMIT 1 OFFSET 3",
        (shop.id, 0, NOW),
    )
    assert "refunds_risk_response" in m5 and "TEMP B-TREE" not in m5, m5
    # the index is built on the very expression the query orders by
    squash = lambda text: " ".join(text.split()).replace("( ", "(").replace(" )", ")")  # noqa: E731
    assert squash(risk_queries.RESPONSE_SQL) in squash(schema.V3)
