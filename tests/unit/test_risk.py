"""The risk estimator (issue 4): threshold edges, the minimum sample, the forecast and its rescue
list, no history, the daily series and the JSON shape."""

from __future__ import annotations

import itertools
import json
from datetime import UTC

import pytest
from risk_oracle import ClosedRecord, inputs_from_records

from desktop.core import i18n
from desktop.core.domain import risk
from desktop.core.domain.risk import PendingItem, ShopScoreView, estimate, level_rank
from desktop.core.domain.rules import RulesError, load_rules
from desktop.core.rulesfile import default_rules_path, load_default_rules

H = 3_600_000
D = 24 * H
NOW = 1_764_000_000_000
S = 1000


@pytest.fixture(scope="module")
def rules():
    return load_default_rules()


@pytest.fixture
def english():
    i18n.set_language("en")
    yield
    i18n.set_language(i18n.DEFAULT_LANGUAGE)


_ids = itertools.count(1)


def auto(at, kind="refund_only", certainty="certain") -> ClosedRecord:
    return ClosedRecord(next(_ids), kind, "auto_approved_overdue", at + H, certainty, at, 48 * H)


def handled(closed_at, kind="refund_only", response=H) -> ClosedRecord:
    return ClosedRecord(next(_ids), kind, "handled_in_time", closed_at, response_ms=response)


def autos_at(days_ago) -> list[ClosedRecord]:
    return [auto(NOW - d * D) for d in days_ago]


def fillers(n, *, days_ago=2) -> list[ClosedRecord]:
    """``n`` actionable requests handled in time (M2's denominator), closed ``days_ago``."""
    return [handled(NOW - days_ago * D) for _ in range(n)]


def pend(hours_left, fee=1000, rid=None) -> PendingItem:
    return PendingItem(
        rid if rid is not None else next(_ids), "refund_only", NOW + round(hours_left * H), fee
    )


def run(rules, closed=(), pending=(), **kw):
    return estimate(inputs_from_records(NOW, list(closed), list(pending), rules, **kw), rules)


def metrics_of(est):
    return {r.metric for r in est.reasons}


# ---------------------------------------------------------------------------- threshold edges
# each case: (rule, [below, at, above] closed records / pending, expected levels, metric that decides)
def _spread(n, first=8, last=29):
    """n auto-approvals between ``first`` and ``last`` days ago, none in the newest 7-day block."""
    if n == 0:
        return []
    step = (last - first) / max(1, n - 1)
    return autos_at([first + i * step for i in range(n)])


EDGE_CASES = {
    # rule: (builder(n) -> closed records, (below, at, above) values of n, expected levels, metric)
    "high.m1_long": (_spread, (9, 10, 11), ("elevated", "high", "high"), "M1_30d"),
    "high.m1_short": (
        lambda n: autos_at([0.5 + i * 0.5 for i in range(n)]),
        (4, 5, 6),
        ("elevated", "high", "high"),
        "M1_7d",
    ),
    # rate over 100 actionable: 4 %, 5 %, 6 % (M1 alone would be elevated at most)
    "high.m2_rate": (
        lambda n: _spread(n, 10, 12) + fillers(100 - n),
        (4, 5, 6),
        ("elevated", "high", "high"),
        "M2",
    ),
    "high.m4_weeks": (
        lambda n: autos_at([0.5 + 7 * i for i in range(n)]),
        (3, 4, 5),
        ("elevated", "high", "high"),
        "M4",
    ),
    "elevated.m1_long": (_spread, (4, 5, 6), ("watch", "elevated", "elevated"), "M1_30d"),
    "elevated.m1_short": (
        lambda n: autos_at([1 + i for i in range(n)]),
        (2, 3, 4),
        ("watch", "elevated", "elevated"),
        "M1_7d",
    ),
    # rate over 200 actionable: 0.5 %, 1 %, 1.5 %
    "elevated.m2_rate": (
        lambda n: _spread(n, 10, 12) + fillers(200 - n),
        (1, 2, 3),
        ("watch", "elevated", "elevated"),
        "M2",
    ),
    "elevated.m4_weeks": (
        lambda n: autos_at([0.5 + 7 * i for i in range(n)]),
        (1, 2, 3),
        ("watch", "elevated", "elevated"),
        "M4",
    ),
    "watch.m1_long": (lambda n: _spread(n) + fillers(5), (0, 1, 2), ("low", "watch", "watch"), "M1_30d"),
}


@pytest.mark.parametrize("rule", sorted(EDGE_CASES))
def test_each_threshold_edge(rules, rule):
    build, values, levels, metric = EDGE_CASES[rule]
    got = []
    for n in values:
        est = run(rules, build(n))
        got.append(est.level)
        if est.level == levels[1] and n >= values[1]:
            assert metric in metrics_of(est), (rule, n, est.reasons)
    assert tuple(got) == levels, rule
    # the threshold cited is the rules file's, with its basis and key
    est = run(rules, build(values[1]))
    reason = next(r for r in est.reasons if r.metric == metric)
    assert reason.threshold == _param(rules, rule).value
    assert reason.basis == _param(rules, rule).basis == "assumed"
    assert reason.key == f"risk.{rule}"


def _param(rules, rule):
    level, name = rule.split(".")
    return getattr(getattr(rules.risk, level), name)


def test_watch_pending_hours_left_edge(rules):
    assert run(rules, fillers(3), [pend(6 + 1 / 3600)]).level == "low"  # one second more than 6 h
    at = run(rules, fillers(3), [pend(6)])
    assert at.level == "watch" and metrics_of(at) == {"M3_6h"}
    assert run(rules, fillers(3), [pend(6 - 1 / 3600)]).level == "watch"
    assert run(rules, fillers(3), [pend(-5)]).level == "watch"  # overdue, not yet settled


def test_watch_first_action_p90_edge(rules):
    def with_p90(ms):
        return run(rules, [handled(NOW - D, response=ms) for _ in range(10)])

    assert with_p90(36 * H - S).level == "low"
    assert with_p90(36 * H).level == "low"  # "P90 > 36 h": at the threshold it is not reached
    above = with_p90(36 * H + S)
    assert above.level == "watch" and metrics_of(above) == {"M5_p90"}


def test_minimum_sample_for_the_overdue_rate(rules):
    # 1 overdue among 19 actionable (5.3 %): too few to judge the rate, M1 = 1 gives "watch"
    below = run(rules, _spread(1) + fillers(18))
    assert below.level == "watch" and "M2" not in metrics_of(below)
    assert below.metrics.m2_rate is None and not below.metrics.m2_judged
    assert below.metrics.to_json()["m2"] == {
        "days": 30,
        "auto_approved": 1,
        "actionable": 19,
        "min_sample": 20,
        "judged": False,
        "rate": None,
    }
    # 1 among 20 (exactly 5 %): judged, and 5 % reaches "high"
    at = run(rules, _spread(1) + fillers(19))
    assert at.level == "high" and metrics_of(at) == {"M2"}
    assert at.metrics.to_json()["m2"]["rate"] == 0.05
    # 1 among 21 (4.8 %): judged, "elevated"
    assert run(rules, _spread(1) + fillers(20)).level == "elevated"


def test_no_history_is_low_with_a_reason_not_an_error(rules, english):
    est = run(rules)
    assert est.level == "low" and est.no_history
    assert [r.metric for r in est.reasons] == ["history"]
    assert "No history yet" in est.reasons[0].text
    assert est.exposure is None
    assert all(f.level == "low" and not f.would_auto_approve for f in est.forecast)
    assert len(est.daily) == 90 and all(p.auto_refund_only == p.handled_in_time == 0 for p in est.daily)
    js = est.to_json()
    assert js["level"] == "low" and js["reasons"][0]["metric"] == "history"
    # a shop with history but nothing wrong is low without that reason
    assert run(rules, fillers(3)).reasons == ()


def test_m1_counts_certain_and_likely_split_by_kind(rules):
    closed = [
        auto(NOW - 1 * D, "refund_only", "certain"),
        auto(NOW - 2 * D, "refund_only", "likely"),
        auto(NOW - 3 * D, "return_refund", "likely"),
        auto(NOW - 20 * D, "return_refund", "certain"),
        auto(NOW - 60 * D, "exchange", "likely"),
        auto(NOW - 95 * D, "refund_only", "certain"),  # outside every window
    ]
    m = run(rules, closed).metrics
    assert (m.m1_short, m.m1_long) == (3, 4)
    w = m.to_json()["windows"]
    assert w["7"]["auto_approved"]["total"] == 3
    assert (w["7"]["auto_approved"]["certain"], w["7"]["auto_approved"]["likely"]) == (1, 2)
    assert w["7"]["auto_approved"]["refund_only"] == {"total": 2, "certain": 1, "likely": 1}
    assert w["30"]["auto_approved"]["return_refund"] == {"total": 2, "certain": 1, "likely": 1}
    assert w["90"]["auto_approved"]["other"] == {"total": 1, "certain": 0, "likely": 1}
    assert w["90"]["auto_approved"]["total"] == 5


def test_backlog_and_exposure(rules, english):
    est = run(
        rules,
        fillers(2),
        [pend(-1, 100), pend(1, 200), pend(2, 400), pend(5, 800), pend(23, 1600), pend(30, 3200)],
    )
    assert [(b.hours, b.count, b.money_fen) for b in est.metrics.backlog] == [
        (24, 5, 3100),
        (6, 4, 1500),
        (2, 3, 700),
    ]
    assert (est.metrics.overdue_pending, est.metrics.overdue_pending_fen) == (1, 100)
    assert est.exposure.level == "watch" and [s.key for s in est.exposure.sanctions] == ["warning"]
    high = run(rules, autos_at([1, 2, 3, 4, 5]))
    assert high.level == "high"
    assert "refund_handling_removed" in [s.key for s in high.exposure.sanctions]
    assert high.exposure.basis == "assumed"


# ---------------------------------------------------------------------------------- forecast
def test_forecast_on_a_constructed_queue(rules):
    q = {h: pend(h, fee=100 * h, rid=1000 + h) for h in (1, 5, 7, 20, 30, 47, 50, 100)}
    est = run(rules, fillers(3), q.values())
    assert est.level == "watch"  # two requests with ≤ 6 h left
    f6, f24, f48 = est.forecast
    assert [f.horizon_hours for f in est.forecast] == [6, 24, 48]
    # deadlines inside each horizon are auto-approved; the ones after it are not
    assert f6.would_auto_approve == (1001, 1005)
    assert f24.would_auto_approve == (1001, 1005, 1007, 1020)
    assert f48.would_auto_approve == (1001, 1005, 1007, 1020, 1030, 1047)
    assert f48.money_at_stake_fen == 100 * (1 + 5 + 7 + 20 + 30 + 47)
    # 2 auto-approvals in 7 days: still "watch"; 4: "elevated" (M1 7 d ≥ 3); 6: "high" (M1 7 d ≥ 5)
    assert (f6.level, f24.level, f48.level) == ("watch", "elevated", "high")
    # it changes when the third deadline passes
    assert (f6.changes_at_ms, f6.changes_to) == (None, None)
    assert (f24.changes_at_ms, f24.changes_to, f24.changed_by) == (NOW + 7 * H, "elevated", 1007)
    assert (f48.changes_at_ms, f48.changes_to, f48.changed_by) == (NOW + 7 * H, "elevated", 1007)
    # rescue: keep "watch" = at most 2 auto-approvals; earliest deadlines first
    assert f6.rescue == ()
    assert f24.rescue == (1001, 1005) and f24.rescue_money_fen == 600
    assert f48.rescue == (1001, 1005, 1007, 1020) and f48.rescue_keeps_level


def test_forecast_rescue_includes_requests_falling_due_just_after_the_horizon(rules):
    # today low: nothing within 6 h. At +6 h the +10 h request has ≤ 6 h left: "watch" unless handled
    est = run(rules, fillers(3), [pend(10, rid=1), pend(30, rid=2)])
    assert est.level == "low"
    f6, f24, f48 = est.forecast
    assert (f6.level, f6.would_auto_approve, f6.rescue) == ("watch", (), (1,))
    assert (f24.level, f24.would_auto_approve, f24.rescue) == ("watch", (1,), (1, 2))
    assert (f48.would_auto_approve, f48.rescue) == ((1, 2), (1, 2))


def test_forecast_windows_slide(rules):
    # 5 auto-approvals 29.9 days ago: elevated today; in 6 h they have left the 30-day window
    closed = [
        ClosedRecord(
            next(_ids), "refund_only", "auto_approved_overdue", NOW - 29 * D, "certain", NOW - 29.9 * D
        )
        for _ in range(5)
    ]
    est = run(rules, closed)
    assert est.level == "elevated"
    assert [f.level for f in est.forecast] == ["low", "low", "low"]
    assert all(f.rescue == () and f.rescue_keeps_level for f in est.forecast)


def _level_if_handled(rules, closed, pending, handled_ids, horizon_index):
    kept = [p for p in pending if p.refund_id not in handled_ids]
    return run(rules, closed, kept).forecast[horizon_index].level


@pytest.mark.parametrize("seed", range(10))
def test_the_rescue_list_is_minimal(rules, seed):
    import random

    rnd = random.Random(seed)
    recent = [
        ClosedRecord(next(_ids), "refund_only", "auto_approved_overdue", NOW - d * D, "likely", NOW - d * D)
        for d in (rnd.uniform(0.2, 6) for _ in range(rnd.randint(0, 2)))
    ]
    closed = _spread(rnd.randint(0, 1)) + fillers(rnd.randint(10, 60)) + recent
    pending = [pend(rnd.uniform(-2, 60), rid=i) for i in range(1, 9)]
    est = run(rules, closed, pending)
    current = level_rank(est.level)
    for hi, f in enumerate(est.forecast):
        # the rescue list does keep the level
        assert level_rank(_level_if_handled(rules, closed, pending, set(f.rescue), hi)) <= current
        # and no smaller set of pending requests does (handling more never raises the level, so
        # checking every set one smaller covers all smaller ones)
        if f.rescue:
            for subset in itertools.combinations([p.refund_id for p in pending], len(f.rescue) - 1):
                lv = _level_if_handled(rules, closed, pending, set(subset), hi)
                assert level_rank(lv) > current, (seed, f.horizon_hours, subset, f.rescue)
        # earliest deadline first among those that would be auto-approved
        would = list(f.would_auto_approve)
        chosen = [r for r in would if r in f.rescue]
        assert chosen == would[: len(chosen)]


# ------------------------------------------------------------------------ series, score, JSON
def test_daily_series(rules):
    day = risk.day_start(NOW)
    closed = [
        auto(day + H, "refund_only"),
        auto(day + 2 * H, "return_refund"),
        auto(day - D + H, "exchange"),
        handled(day + 3 * H),
        handled(day - 89 * D + H),
        handled(day - 90 * D + H),  # the last one is too old
    ]
    now = NOW + 12 * H  # midday
    assert risk.day_start(now) == day
    series = estimate(inputs_from_records(now, closed, [], rules), rules).daily
    assert len(series) == 90
    assert series[-1].day_start_ms == day and series[0].day_start_ms == day - 89 * D
    assert (series[-1].auto_refund_only, series[-1].auto_return_refund, series[-1].handled_in_time) == (
        1,
        1,
        1,
    )
    assert series[-2].auto_other == 1
    assert series[0].handled_in_time == 1
    assert sum(p.handled_in_time for p in series) == 2
    # days start at midnight Beijing time
    assert (day + 8 * H) % D == 0


def test_the_platform_score_is_carried_beside_never_mixed_in(rules):
    score = ShopScoreView(NOW, True, "店铺体验分", "4.62", (("商品体验", "4.7"), ("售后服务", "4.1")))
    with_score = run(rules, autos_at([1, 2, 3]), shop_score=score)
    without = run(rules, autos_at([1, 2, 3]))
    assert with_score.level == without.level and with_score.reasons == without.reasons
    js = with_score.to_json()
    assert js["shop_score"]["after_sale"] == {"name": "售后服务", "score": "4.1"}
    assert js["shop_score"]["score"] == "4.62"
    assert without.to_json()["shop_score"] is None


def test_to_json_has_the_check_shape(rules):
    est = run(
        rules, autos_at([1]) + fillers(3), [pend(3, rid=2100000012345678), pend(30, rid=2100000012345679)]
    )
    js = est.to_json(tz=UTC)
    json.dumps(js)  # serialisable
    assert js["level"] == "watch"
    assert {"level", "reasons", "metrics", "forecast"} <= js.keys()
    for r in js["reasons"]:
        assert {"metric", "value", "threshold", "basis", "text"} <= r.keys()
    f = js["forecast"][0]
    assert f["horizon_hours"] == 6
    assert f["would_auto_approve"] == ["2100000012345678"]  # ids as strings
    assert all(isinstance(x, str) for fc in js["forecast"] for x in fc["rescue"])
    assert js["forecast"][1]["at"].endswith("+00:00")


def test_reason_texts_are_in_the_users_language(rules):
    est = run(rules, autos_at([1, 2, 3]))
    assert est.level == "elevated"
    texts = [r.text for r in est.reasons]
    assert any("近 7 天有 3 个售后单逾期后被系统自动同意" in t and "假设值" in t for t in texts), texts


def test_a_rules_file_with_a_bad_threshold_is_refused_naming_it(tmp_path, english):
    bad = tmp_path / "kuaishou.toml"
    text = default_rules_path().read_text(encoding="utf-8")
    bad.write_text(text.replace("m1_short = { value = 3,", "m1_short = { value = 30,"), encoding="utf-8")
    with pytest.raises(RulesError) as err:
        load_rules(bad)
    assert err.value.key == "risk.elevated.m1_short"
    assert "risk.high.m1_short" in str(err.value)
    bad.write_text(
        text.replace("horizons_hours = { value = [6, 24, 48]", "horizons_hours = { value = [6, 24, 480]"),
        encoding="utf-8",
    )
    with pytest.raises(
        RulesError, match=r"^.*kuaishou\.toml: forecast\.horizons_hours: must not be longer than 168 h"
    ):
        load_rules(bad)
