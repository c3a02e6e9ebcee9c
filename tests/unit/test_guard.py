"""The guard's policy and its choice of due requests (pure parts of desktop.core.guard)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from desktop.core.guard import DUE, GuardPolicy, PolicyError, Usage, select
from desktop.core.rulesfile import load_default_rules

NOW = 1_800_000_000_000
MIN = 60_000


def refund(rid, *, way=10, status=10, fee=1_000, left_min=30, expire=True):
    return SimpleNamespace(
        refund_id=rid,
        handling_way=way,
        status=status,
        negotiate_status=1,
        refund_fee=fee,
        submit_time=NOW - 47 * 3_600_000,
        create_time=None,
        update_time=None,
        negotiate_update_time=None,
        end_time=None,
        expire_time=NOW + left_min * MIN if expire else None,
    )


@pytest.fixture(scope="module")
def rules():
    return load_default_rules()


def test_defaults_come_from_the_rules_file_and_are_off(rules):
    p = GuardPolicy.defaults(rules)
    assert (p.enabled, p.stages, p.lead_minutes, p.max_fee_fen, p.daily_count, p.daily_fen) == (
        False,
        ("review_refund_only",),
        45,
        20_000,
        20,
        200_000,
    )
    assert rules.guard.rule.basis == "sourced" and rules.guard.lead_minutes.basis == "assumed"


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"enabled": "yes"}, "enabled"),
        ({"stages": ["review_resend"]}, "stages"),
        ({"stages": "review_return"}, "stages"),
        ({"lead_minutes": 0}, "lead_minutes"),
        ({"lead_minutes": 45.5}, "lead_minutes"),
        ({"max_fee_fen": True}, "max_fee_fen"),
        ({"daily_count": -1}, "daily_count"),
        ({"daily_fen": 0}, "daily_fen"),
    ],
)
def test_a_bad_policy_value_is_named(data, key):
    with pytest.raises(PolicyError) as err:
        GuardPolicy.from_json(data)
    assert err.value.key == key


def test_policy_round_trips():
    p = GuardPolicy(True, ("review_return", "confirm_receipt"), 30, 5_000, 3, 9_000)
    assert GuardPolicy.from_json(p.to_json()) == p


def test_select_decides_each_request_in_deadline_order(rules):
    policy = GuardPolicy(enabled=True, daily_count=2, daily_fen=10_000)
    rows = [
        refund(1, left_min=10),
        refund(2, way=1, status=11, left_min=11),  # a return: stage not guarded
        refund(3, fee=20_001, left_min=12),  # above ¥200
        refund(4, left_min=13),  # held
        refund(5, left_min=14, fee=8_000),  # the second of the day (¥10 + ¥80 ≤ ¥100)
        refund(6, left_min=15),  # past the count cap
        refund(7, left_min=60),  # not within the lead time: not considered
        refund(8, left_min=20, expire=False),  # estimated deadline: never acted on
        refund(9, left_min=-1),  # already past
    ]
    got = select(rows, rules, policy, {4}, now_ms=NOW)
    assert [(c.refund_id, c.outcome, c.code) for c in got] == [
        (9, "skipped", "overdue"),
        (1, DUE, ""),
        (2, "skipped", "stage"),
        (3, "skipped", "amount"),
        (4, "held", "held"),
        (5, DUE, ""),
        (6, "skipped", "cap"),
    ]
    assert all(c.reason for c in got if c.outcome != DUE)


def test_select_counts_what_the_guard_already_did_today_and_the_money_cap(rules):
    policy = GuardPolicy(enabled=True, daily_count=20, daily_fen=5_000)
    rows = [refund(1, fee=3_000), refund(2, fee=1_500, left_min=31), refund(3, fee=100, left_min=32)]
    got = select(rows, rules, policy, now_ms=NOW, used=Usage(1, 1_000))
    assert [(c.refund_id, c.code) for c in got] == [(1, ""), (2, "cap"), (3, "")]


def test_select_moves_deadlines_by_the_server_clock_offset(rules):
    policy = GuardPolicy(enabled=True)
    # the platform's clock is 20 minutes ahead: 60 minutes left on its clock is 40 on ours
    row = refund(1, left_min=60)
    row.expire_time += 20 * MIN
    assert select([row], rules, policy, now_ms=NOW, server_offset_ms=20 * MIN) == []
    assert [
        c.outcome
        for c in select([refund(1, left_min=60)], rules, policy, now_ms=NOW, server_offset_ms=20 * MIN)
    ] == [DUE]


# ------------------------------------------------------------------------------------ backtest
DAY = 86_400_000


@pytest.fixture
def history(app_home):
    """A store with eight overdue auto-approvals over three Beijing days (refund-only unless noted)."""
    from desktop.core.store import open_store

    store = open_store()
    shop = store.shops.add(base_url="http://127.0.0.1:1", seller_id=1, name="店")
    # 10:00 Beijing time, 20 days ago and the two days after
    day1 = (NOW // DAY - 20) * DAY + 2 * 3_600_000
    rows = [  # refund id, at, stage, handling way, fee
        (1, day1, "review_refund_only", 10, 5_000),
        (2, day1 + 60_000, "review_refund_only", 10, 5_000),
        (3, day1 + 120_000, "review_refund_only", 10, 1_000),  # third of the day: count cap
        (4, day1 + 180_000, "review_return", 1, 2_000),  # stage not guarded
        (5, day1 + DAY, "review_refund_only", 10, 20_000),  # above ¥100
        (6, day1 + DAY + 60_000, "review_refund_only", 10, 9_000),
        (7, day1 + DAY + 120_000, "review_refund_only", 10, 7_000),  # ¥90 + ¥70 > ¥150: money cap
        (8, day1 + 2 * DAY, None, 10, 100),  # stage not recorded: from the handling way
    ]
    with store.transaction() as conn:
        for rid, at, stage, way, fee in rows:
            conn.execute(
                "INSERT INTO refunds (shop_id, refund_id, handling_way, refund_fee, status, "
                "first_seen_at, last_seen_at) VALUES (?, ?, ?, ?, 60, ?, ?)",
                (shop.id, rid, way, fee, at, at),
            )
            conn.execute(
                "INSERT INTO auto_approvals (shop_id, refund_id, at, stage, handling_way, "
                "certainty, decided_by, recorded_at) VALUES (?, ?, ?, ?, ?, 'certain', 'test', ?)",
                (shop.id, rid, at, stage, way, at),
            )
    yield store, shop.id
    store.close()


def test_backtest_replays_the_history_through_the_policy_with_daily_caps(rules, history):
    from desktop.core.guard import backtest

    store, shop_id = history
    policy = GuardPolicy(enabled=False, max_fee_fen=10_000, daily_count=2, daily_fen=15_000)
    bt = backtest(store, shop_id, rules, policy, now_ms=NOW)
    assert (bt.total, bt.total_fen) == (8, 49_100)
    assert (bt.caught, bt.caught_fen) == (4, 19_100)  # 1, 2, 6, 8
    assert bt.missed == {"stage": (1, 2_000), "amount": (1, 20_000), "cap": (2, 8_000)}
    levels = ("low", "watch", "elevated", "high")
    assert levels.index(bt.level_with_guard) <= levels.index(bt.level)
    assert bt.to_json()["caught"] == {"count": 4, "money_fen": 19_100}


def test_a_policy_catching_every_auto_approval_clears_them_from_the_risk(rules, history):
    from desktop.core.guard import backtest

    store, shop_id = history
    policy = GuardPolicy(
        stages=("review_refund_only", "review_return"), max_fee_fen=10**9, daily_count=100, daily_fen=10**9
    )
    bt = backtest(store, shop_id, rules, policy, now_ms=NOW)
    assert (bt.caught, sum(c for c, _ in bt.missed.values())) == (8, 0)
    assert bt.level != "low" and bt.level_with_guard == "low"


def test_result_notice_warns_loudly_past_a_cap():
    from desktop.core.guard import Considered, GuardReport, result_notice

    report = GuardReport(
        1,
        GuardPolicy(enabled=True),
        [
            Considered(1, "review_refund_only", 5_000, NOW, 600, "approved"),
            Considered(2, "review_refund_only", 1_000, NOW, 700, "skipped", "x", "cap"),
        ],
    )
    notice = result_notice(report)
    assert notice.urgent and notice.refund_ids == (2, 1)
    assert "每日上限" in notice.text and "售后兜底已在截止前同意 1 个售后申请（¥50）" in notice.text
    quiet = GuardReport(
        1,
        GuardPolicy(enabled=True),
        [Considered(3, "review_return", 1_000, NOW, 700, "skipped", "x", "stage")],
    )
    assert result_notice(quiet) is None  # nothing done, nothing the seller must do now
