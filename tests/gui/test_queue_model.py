"""The queue's table model and proxy: order, countdown signals, tiers, incremental updates."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QTableView
from queue_helpers import HOUR_MS, make_row, random_rows

from desktop.core.queue_rows import UrgencyScale
from desktop.ui.queue.model import (
    COL_AMOUNT,
    COL_TIME_LEFT,
    COL_URGENCY,
    COLUMN_COUNT,
    ROW_ROLE,
    SORT_ROLE,
    URGENCY_ROLE,
    QueueModel,
)
from desktop.ui.queue.proxy import QueueProxyModel

NOW = 1_790_000_000_000


class Clock:
    def __init__(self, ms: int = NOW) -> None:
        self.ms = ms

    def __call__(self) -> float:
        return self.ms / 1000


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def model(qtbot, clock):
    m = QueueModel(clock=clock)
    m.timer.stop()  # ticks driven by the tests
    return m


def proxy_over(model):
    p = QueueProxyModel()
    p.setSourceModel(model)
    return p


def ids(proxy):
    return [proxy.index(r, 0).data(ROW_ROLE).refund_id for r in range(proxy.rowCount())]


def test_model_and_proxy_pass_the_model_tester(qtmodeltester, model):
    model.set_rows(random_rows(60, NOW))
    qtmodeltester.check(model)
    qtmodeltester.check(proxy_over(model))


def test_sorted_by_time_left_by_default_overdue_first_no_deadline_last(model):
    model.set_rows(
        [
            make_row(1, expire_at_ms=NOW + 5 * HOUR_MS),
            make_row(2, expire_at_ms=None),
            make_row(3, expire_at_ms=NOW - 2 * HOUR_MS),
            make_row(4, expire_at_ms=NOW + 30 * 60_000),
        ]
    )
    proxy = proxy_over(model)
    assert ids(proxy) == [3, 4, 1, 2]
    lefts = [proxy.index(r, COL_TIME_LEFT).data(SORT_ROLE) for r in range(4)]
    assert lefts == [-7200, 1800, 18000, None]
    assert proxy.index(0, COL_URGENCY).data(URGENCY_ROLE) == "overdue"
    proxy.sort(COL_TIME_LEFT, Qt.SortOrder.DescendingOrder)
    assert ids(proxy) == [2, 1, 4, 3]


def test_sort_by_amount_uses_fen(model):
    model.set_rows(
        [
            make_row(1, expire_at_ms=NOW, refund_fee=990),
            make_row(2, expire_at_ms=NOW, refund_fee=10_000),
            make_row(3, expire_at_ms=NOW, refund_fee=None),
        ]
    )
    proxy = proxy_over(model)
    proxy.sort(COL_AMOUNT, Qt.SortOrder.AscendingOrder)
    assert ids(proxy) == [3, 1, 2]
    assert proxy.index(2, COL_AMOUNT).data(SORT_ROLE) == 10_000
    assert proxy.index(2, COL_AMOUNT).data() == "¥100.00"


def test_a_tick_changes_only_the_countdown_column_without_reset_or_layout_change(qtbot, model, clock):
    # deadlines 7 h to 15 h away: no row crosses a tier edge during the tick
    model.set_rows([make_row(i, expire_at_ms=NOW + 7 * HOUR_MS + i * 60_000) for i in range(500)])
    proxy = proxy_over(model)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(proxy)
    changed, structural = [], []
    for m in (model, proxy):
        m.dataChanged.connect(
            lambda tl, br, roles, m=m: changed.append((m, tl.row(), br.row(), tl.column(), br.column()))
        )
        for sig in (m.modelReset, m.layoutChanged, m.rowsInserted, m.rowsRemoved):
            sig.connect(lambda *a, sig=sig: structural.append(sig))
    before = proxy.index(0, COL_TIME_LEFT).data()
    clock.ms += 1000
    model.tick()
    assert structural == []
    assert sorted(changed, key=lambda c: c[0] is proxy) == [
        (model, 0, 499, COL_TIME_LEFT, COL_TIME_LEFT),
        (proxy, 0, 499, COL_TIME_LEFT, COL_TIME_LEFT),
    ]
    assert proxy.index(0, COL_TIME_LEFT).data() != before  # computed at data time from the clock


def test_crossing_a_tier_repaints_that_row_and_signals_it(qtbot, model, clock):
    model.set_scale(UrgencyScale(2 * 3600, 6 * 3600, 24 * 3600))
    model.set_rows(
        [make_row(1, expire_at_ms=NOW + 2 * HOUR_MS + 1500), make_row(2, expire_at_ms=NOW + 10 * HOUR_MS)]
    )
    row = model.row_of(1, 1)
    assert model.index(row, 0).data(URGENCY_ROLE) == "urgent"
    clock.ms += 1000  # 2 h 0.5 s left: 7200 whole seconds, ≤ 2 h → critical
    changes = []
    model.dataChanged.connect(
        lambda tl, br, roles: changes.append((tl.row(), br.row(), tl.column(), br.column()))
    )
    with qtbot.waitSignal(model.urgencyChanged, timeout=100):
        model.tick()
    assert model.index(row, 0).data(URGENCY_ROLE) == "critical"
    assert (row, row, 0, COLUMN_COUNT - 1) in changes
    other = model.row_of(1, 2)
    assert all(not (tl <= other <= br and c1 != c2) for tl, br, c1, c2 in changes)


def test_server_clock_offset_is_applied(model, clock):
    model.set_rows([make_row(1, expire_at_ms=NOW + 3600_000)])
    assert model.index(0, COL_TIME_LEFT).data(SORT_ROLE) == 3600
    model.set_server_offset_ms(60_000)  # the server is a minute ahead: one minute less left
    assert model.index(0, COL_TIME_LEFT).data(SORT_ROLE) == 3540


def test_filters_and_search(model):
    model.set_rows(
        [
            make_row(
                1, expire_at_ms=NOW + HOUR_MS, kind="refund_only", product="不锈钢保温杯 500ml", shop_id=1
            ),
            make_row(
                2, expire_at_ms=NOW + 30 * HOUR_MS, kind="return_refund", reason="尺码不合适", shop_id=2
            ),
            make_row(3, expire_at_ms=NOW - HOUR_MS, kind="refund_only", shop_id=2),
        ]
    )
    proxy = proxy_over(model)
    proxy.set_filters(kinds={"refund_only"})
    assert ids(proxy) == [3, 1]
    proxy.set_filters(kinds={"refund_only"}, urgencies={"critical"})
    assert ids(proxy) == [1]
    proxy.set_filters(shops={2})
    assert ids(proxy) == [3, 2]
    proxy.clear_filters()
    proxy.set_search("保温杯")
    assert ids(proxy) == [1]
    proxy.set_search(str(2))  # an id fragment matches refund and order ids
    assert 2 in ids(proxy)
    proxy.set_search("尺码 不合适")  # every term must match
    assert ids(proxy) == [2]
    proxy.set_search("不存在的商品")
    assert ids(proxy) == []


def test_selection_survives_sorting_filtering_and_an_incremental_sync(qtbot, model):
    rows = [make_row(i, expire_at_ms=NOW + i * HOUR_MS, refund_fee=1000 - i) for i in range(1, 8)]
    model.set_rows(rows)
    proxy = proxy_over(model)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(proxy)
    sel = view.selectionModel()
    sel.select(
        proxy.index(2, 0), QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    )
    selected = lambda: sorted(proxy.index(i.row(), 0).data(ROW_ROLE).refund_id for i in sel.selectedRows())  # noqa: E731
    assert selected() == [3]
    proxy.sort(COL_AMOUNT)
    assert selected() == [3]
    # a sync: 1 gone, 3 changed, 9 new
    new = [r for r in rows if r.refund_id not in (1, 3)] + [
        make_row(3, expire_at_ms=NOW + 3 * HOUR_MS, refund_fee=5),
        make_row(9, expire_at_ms=NOW),
    ]
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    model.set_rows(new)
    assert resets == []
    assert selected() == [3]
    assert sorted(ids(proxy)) == [2, 3, 4, 5, 6, 7, 9]
    assert ids(proxy)[0] == 3  # re-sorted by amount: its new fee is the smallest


def test_duplicate_rows_are_refused(model):
    model.set_rows([make_row(1, expire_at_ms=NOW)])
    with pytest.raises(ValueError, match="unique"):
        model.set_rows([make_row(1, expire_at_ms=NOW), make_row(1, expire_at_ms=NOW)])
