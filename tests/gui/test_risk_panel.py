"""The risk panel reflects a shop seeded in a real store: level, tagged reasons, score, forecast, chart."""

from __future__ import annotations

import pytest

from desktop.core.kuaishou.models import Refund, ScoreDimension, ScoreSummary, ShopScore
from desktop.core.rulesfile import load_default_rules
from desktop.core.store import Decision, open_store
from desktop.core.store.risk_queries import estimate_shop
from desktop.ui.queue.risk_panel import RiskPanel

NOW = 1_790_000_000_000
H = 3_600_000
D = 24 * H


def seeded_estimate(path, *, n_auto: int, auto_every_days: int, auto_from_days: int, n_pending: int):
    """A shop in a real store: ``n_auto`` auto-approved requests, 20 handled in time, pending ones due
    within hours, and the platform's score; its estimate."""
    rules = load_default_rules()
    store = open_store(path)
    shop = store.shops.add(base_url="http://127.0.0.1:1", seller_id=9, name="晨光小铺")
    refunds, decisions = [], []
    for i in range(n_auto):
        rid = 2_100_000_000_000_000 + i
        submit = NOW - (auto_from_days + auto_every_days * i) * D
        deadline = submit + 48 * H
        refunds.append(
            Refund(
                rid,
                handling_way=10 if i % 3 else 1,
                status=60,
                negotiate_status=2,
                submit_time=submit,
                update_time=deadline + H,
                end_time=deadline + H,
                refund_fee=1990,
                expire_time=deadline,
            )
        )
        decisions.append(
            Decision(
                rid,
                "auto_approved_overdue",
                "observed",
                "certain",
                deadline_at=deadline,
                overdue_at=deadline,
                decided_at=deadline + H,
                first_action_at=None,
            )
        )
    for i in range(20):
        rid = 2_100_000_000_100_000 + i
        submit = NOW - (1 + 4 * i) * D
        refunds.append(
            Refund(
                rid,
                handling_way=10,
                status=60,
                negotiate_status=2,
                submit_time=submit,
                update_time=submit + H,
                end_time=submit + H,
                refund_fee=990,
                expire_time=submit + 48 * H,
            )
        )
        decisions.append(
            Decision(
                rid,
                "handled_in_time",
                "observed",
                None,
                deadline_at=submit + 48 * H,
                overdue_at=None,
                decided_at=submit + H,
                first_action_at=submit + H,
            )
        )
    for k in range(n_pending):
        rid = 2_200_000_000_000_000 + k
        expire = NOW + (k + 1) * 3 * H
        refunds.append(
            Refund(
                rid,
                handling_way=10,
                status=10,
                negotiate_status=1,
                submit_time=expire - 48 * H,
                update_time=expire - 48 * H,
                expire_time=expire,
                refund_fee=5000,
            )
        )
    store.refunds.upsert(shop.id, refunds, seen_at=NOW - H)
    store.classification.save(shop.id, decisions, at=NOW)
    store.scores.add(
        shop.id,
        ShopScore(True, ScoreSummary("店铺体验分", "4.62"), (ScoreDimension("售后服务", "4.10"),)),
        at=NOW,
    )
    est = estimate_shop(store, shop.id, rules, now_ms=NOW, server_offset_ms=0)
    store.close()
    return est


@pytest.fixture
def estimate(tmp_path):
    return seeded_estimate(
        tmp_path / "high.sqlite3", n_auto=12, auto_every_days=2, auto_from_days=2, n_pending=3
    )


@pytest.fixture
def rescuable(tmp_path):
    """Elevated today; the pending requests would make it high within a day."""
    return seeded_estimate(
        tmp_path / "elev.sqlite3", n_auto=6, auto_every_days=1, auto_from_days=15, n_pending=5
    )


def test_the_panel_reflects_the_seeded_shop(qtbot, estimate):
    assert estimate.level == "high"
    panel = RiskPanel()
    qtbot.addWidget(panel)
    assert panel.rescue_buttons == []
    panel.set_estimate(estimate)
    assert panel.badge.text() == panel.tr("Risk: %1").replace("%1", panel.tr("High"))
    reasons = panel.reasons.text()
    assert all(r.text in reasons or r.text.replace("'", "&#x27;") in reasons for r in estimate.reasons)
    tags = reasons.count("[" + panel.tr("assumed") + "]") + reasons.count("[" + panel.tr("sourced") + "]")
    assert tags >= len([r for r in estimate.reasons if r.basis])
    # the platform's own score is beside the estimate, not in it
    assert "4.62" in panel.score.text() and "售后服务" in panel.score.text()
    assert "4.62" not in reasons
    # the 90-day chart: three stacked kinds + the handled-in-time line
    assert len(panel.chart.series()) == 4
    assert len(estimate.daily) >= 30
    # a long series is drawn per week: fewer, readable points that keep every count
    line = panel.chart.series()[-1]
    assert line.count() == (len(estimate.daily) + 6) // 7
    assert sum(p.y() for p in line.points()) == sum(p.handled_in_time for p in estimate.daily)
    assert "per week" in panel.chart.title()


def test_the_platforms_chinese_names_read_in_english_and_the_forecast_keeps_its_lines_whole(qtbot, rescuable):
    from PySide6.QtWidgets import QPushButton

    panel = RiskPanel()
    qtbot.addWidget(panel)
    panel.resize(380, 700)
    panel.set_estimate(rescuable)
    assert "Shop experience score" in panel.score.text() and "店铺体验分" not in panel.score.text()
    # each rescue button sits under its line, in the text's column, not squeezing it
    grid = panel.forecast_grid
    for button in panel.rescue_buttons:
        row, col, _rs, _cs = grid.getItemPosition(grid.indexOf(button))
        assert col == 1 and isinstance(button, QPushButton)
        assert grid.itemAtPosition(row - 1, 1) is not None


def test_a_rescue_click_asks_for_those_requests(qtbot, rescuable):
    estimate = rescuable
    assert estimate.level == "elevated"
    panel = RiskPanel()
    qtbot.addWidget(panel)
    panel.set_estimate(estimate)
    with_rescue = [f for f in estimate.forecast if f.rescue]
    assert with_rescue and len(panel.rescue_buttons) == len(with_rescue)
    with qtbot.waitSignal(panel.rescueRequested) as sig:
        panel.rescue_buttons[0].click()
    assert sig.args == [list(with_rescue[0].rescue)]


def test_before_the_first_estimate(qtbot):
    panel = RiskPanel()
    qtbot.addWidget(panel)
    panel.set_estimate(None)
    assert panel.chart is None  # nothing to chart: no chart built, a note says so
    assert panel.chart_note.text() != ""
    assert panel.badge.text() != ""


def test_a_partial_history_shows_how_far_it_got_instead_of_a_level(qtbot, estimate):
    from desktop.core.risk_answer import HistoryProgress, RiskAnswer

    panel = RiskPanel()
    qtbot.addWidget(panel)
    panel.set_answer(RiskAnswer(estimate, HistoryProgress(swept_days=37, sweep_days=90, to_refine=0)))
    assert panel.partial
    text = panel.badge.text()
    assert text.startswith(panel.tr("Risk: partial")) and "37 of 90 days" in text
    assert panel.tr("High") not in text  # no level that the rest of the sweep may still change
    panel.set_answer(RiskAnswer(estimate, HistoryProgress(swept_days=90, sweep_days=90, to_refine=4)))
    assert "4 close(s) to check" in panel.badge.text() and panel.partial
    panel.set_answer(RiskAnswer(estimate, HistoryProgress(swept_days=90, sweep_days=90, to_refine=0)))
    assert not panel.partial
    assert panel.badge.text() == panel.tr("Risk: %1").replace("%1", panel.tr("High"))


def test_each_new_estimate_replaces_the_charts_axes_and_deletes_the_old_ones(qtbot, estimate):
    """Each load of the rows renders the chart again (every poll of a tray app running for weeks):
    the axes it removes must be deleted, not kept."""
    from PySide6.QtCore import QCoreApplication, QEvent
    from shiboken6 import Shiboken

    panel = RiskPanel()
    qtbot.addWidget(panel)
    panel.set_estimate(estimate)
    old = panel.chart.axes()
    assert len(old) == 3
    for _ in range(5):
        panel.set_estimate(estimate)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert len(panel.chart.axes()) == 3
    assert not any(Shiboken.isValid(axis) for axis in old)


def test_the_partial_badge_is_shown_whole_in_a_narrow_panel(qtbot, estimate):
    """In English the partial badge's second line is wider than the badge gets beside the platform's
    score in a 360-pixel panel: its words wrap instead of being cut off at the badge's edge."""
    from PySide6.QtCore import Qt as _Qt

    from desktop.core.risk_answer import HistoryProgress, RiskAnswer

    panel = RiskPanel()
    qtbot.addWidget(panel)
    panel.resize(360, 800)
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_answer(RiskAnswer(estimate, HistoryProgress(swept_days=90, sweep_days=90, to_refine=27)))
    qtbot.wait(20)
    badge = panel.badge
    room = badge.contentsRect()
    needed = badge.fontMetrics().boundingRect(
        room, int(_Qt.AlignmentFlag.AlignCenter | _Qt.TextFlag.TextWordWrap), badge.text()
    )
    assert "27 close(s) to check" in badge.text()
    assert needed.width() <= room.width() and needed.height() <= room.height(), (needed, room)
