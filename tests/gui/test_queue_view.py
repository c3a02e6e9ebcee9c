"""The queue view: filter bar, search, empty state, selection, the buyer/platform tab."""

from __future__ import annotations

import time

import pytest
from queue_helpers import HOUR_MS, make_row

from desktop.core.kuaishou.models import Refund
from desktop.core.queue_rows import UrgencyScale, build_queue_rows
from desktop.core.rulesfile import load_default_rules
from desktop.ui.queue.model import COL_TIME_LEFT, ROW_ROLE
from desktop.ui.queue.view import QueueView, QueueWidget


def now_ms() -> int:
    return int(time.time() * 1000)


@pytest.fixture
def rows():
    now = now_ms()
    return [
        make_row(11, expire_at_ms=now + 5 * HOUR_MS, kind="refund_only", product="不锈钢保温杯 500ml"),
        make_row(12, expire_at_ms=now - HOUR_MS, kind="return_refund", reason="尺码不合适"),
        make_row(13, expire_at_ms=now + 50 * HOUR_MS, kind="exchange", shop_id=2, shop_name="山野茶舍"),
        make_row(
            14,
            expire_at_ms=now + 90 * HOUR_MS,
            kind="refund_only",
            clock_owner="buyer",
            stage="buyer_return",
            status=30,
        ),
    ]


def visible_ids(view: QueueView) -> list[int]:
    return [r.refund_id for r in view.proxy.visible_rows()]


def test_the_merchant_queue_and_the_other_clocks_are_separate(qtbot, rows):
    w = QueueWidget()
    qtbot.addWidget(w)
    w.set_rows(rows)
    assert visible_ids(w.merchant_view) == [12, 11, 13]  # time left ascending, overdue first
    assert visible_ids(w.others_view) == [14]
    assert "3" in w.tabText(0) and "1" in w.tabText(1)
    assert w.merchant_view.legend.isVisibleTo(w.merchant_view)
    assert not w.others_view.legend.isVisibleTo(w.others_view)
    # the other tab's rows are not tinted by urgency: not the shop's clock
    assert w.others_view.proxy.index(0, 0).data(8) is None  # BackgroundRole


def test_filter_bar_and_search_with_counts(qtbot, rows):
    view = QueueView()
    qtbot.addWidget(view)
    view.set_rows(rows[:3])
    assert view.shop_filter.isVisibleTo(view)  # two shops → the shop filter shows
    view.kind_filter.setCurrentIndex(view.kind_filter.findData("refund_only"))
    assert visible_ids(view) == [11]
    assert view.count_label.text() != ""
    view.kind_filter.setCurrentIndex(0)
    view.urgency_filter.setCurrentIndex(view.urgency_filter.findData("overdue"))
    assert visible_ids(view) == [12]
    view.urgency_filter.setCurrentIndex(0)
    view.shop_filter.setCurrentIndex(view.shop_filter.findData(2))
    assert visible_ids(view) == [13]
    view.shop_filter.setCurrentIndex(0)
    view.search.setText("保温杯")
    qtbot.waitUntil(lambda: visible_ids(view) == [11], timeout=2000)  # debounced


def test_empty_states(qtbot, rows):
    view = QueueView()
    qtbot.addWidget(view)
    view.set_rows([])
    assert view.stack.currentIndex() == 1
    assert not view.clear_button.isVisibleTo(view)
    nothing = view.empty_title.text()
    view.set_rows(rows[:2])
    assert view.stack.currentIndex() == 0
    view.search.setText("没有这个商品")
    view.search.returnPressed.emit()
    assert view.stack.currentIndex() == 1
    assert view.empty_title.text() != nothing
    assert view.clear_button.isVisibleTo(view)
    view.clear_button.click()
    assert visible_ids(view) == [12, 11]
    assert view.search.text() == ""


def test_selection_reads_records_through_the_proxy(qtbot, rows):
    view = QueueView()
    qtbot.addWidget(view)
    view.set_rows(rows[:3])
    got = []
    view.selectedRowsChanged.connect(got.append)
    view.kind_filter.setCurrentIndex(view.kind_filter.findData("refund_only"))
    assert view.select_refunds([13, 12]) == 2  # hidden by the filter: the filter is cleared
    assert view.proxy.is_filtered is False
    assert [r.refund_id for r in view.selected_rows()] == [12, 13]
    assert [r.refund_id for r in got[-1]] == [12, 13]
    assert view.current_row().refund_id == 12
    assert view.table.currentIndex().data(ROW_ROLE).refund_id == 12
    view.table.selectAll()
    assert len(view.selected_rows()) == 3


def test_header_click_sorts_and_time_left_is_the_default(qtbot, rows):
    view = QueueView()
    qtbot.addWidget(view)
    view.set_rows(rows[:3])
    header = view.table.horizontalHeader()
    assert header.sortIndicatorSection() == COL_TIME_LEFT
    header.setSortIndicator(COL_TIME_LEFT, header.sortIndicatorOrder().__class__.DescendingOrder)
    assert visible_ids(view) == [13, 11, 12]


def test_rows_built_from_refunds_with_the_domain(qtbot):
    rules = load_default_rules()
    now = now_ms()
    refunds = [
        Refund(
            1,
            handling_way=10,
            status=10,
            negotiate_status=1,
            refund_fee=1990,
            expire_time=now + HOUR_MS,
            submit_time=now - HOUR_MS,
            sku_nick="保温杯",
            refund_reason_desc="不想要了",
        ),
        Refund(
            2,
            handling_way=1,
            status=30,
            negotiate_status=2,
            submit_time=now - HOUR_MS,
            update_time=now - HOUR_MS,
        ),
        Refund(3, handling_way=1, status=10, negotiate_status=1, submit_time=now - HOUR_MS),  # no expireTime
        Refund(4, handling_way=10, status=60, negotiate_status=2, end_time=now),  # closed: not shown
    ]
    rows = build_queue_rows(refunds, rules, shop_names={0: "晨光小铺"})
    by_id = {r.refund_id: r for r in rows}
    assert set(by_id) == {1, 2, 3}
    assert by_id[1].kind == "refund_only" and by_id[1].stage == "review_refund_only"
    assert by_id[1].deadline_source == "platform" and by_id[1].waits_on_merchant
    assert not by_id[2].waits_on_merchant
    assert by_id[3].estimated and by_id[3].expire_at_ms == now - HOUR_MS + 48 * HOUR_MS
    w = QueueWidget(scale=UrgencyScale.from_rules(rules))
    qtbot.addWidget(w)
    w.set_rows(rows)
    assert visible_ids(w.merchant_view) == [1, 3] and visible_ids(w.others_view) == [2]


def test_the_scale_agrees_with_the_domain_at_every_edge():
    from desktop.core.domain.deadlines import urgency_of

    rules = load_default_rules()
    scale = UrgencyScale.from_rules(rules)
    for edge in (0, scale.critical_s, scale.urgent_s, scale.warn_s):
        for s in (edge - 1, edge, edge + 1):
            assert scale.of(s) == urgency_of(s, rules), s


def test_next_change_predicts_the_tier_change():
    scale = UrgencyScale(7200, 21600, 86400)
    deadline = 10_000_000
    now = deadline - 7201 * 1000  # urgent; critical from the moment 7200 whole seconds are left
    at = scale.next_change_ms([deadline], now)
    assert scale.of((deadline - at) // 1000) == "critical"
    assert scale.of((deadline - (at - 1)) // 1000) == "urgent"


def test_the_label_columns_fit_their_labels(qtbot):
    """No urgency name, kind, countdown, deadline or amount is cut off at the initial widths."""
    from desktop.ui.queue import labels
    from desktop.ui.queue.model import COL_AMOUNT, COL_DEADLINE, COL_KIND, COL_URGENCY

    view = QueueView()
    qtbot.addWidget(view)
    table = view.table
    fm = table.fontMetrics()

    def fits(col: int, texts, extra: int = 0) -> bool:
        return all(fm.horizontalAdvance(t) + extra + 8 <= table.columnWidth(col) for t in texts)

    fmt = labels.DurationFormat()
    assert fits(COL_URGENCY, labels.urgency_names().values(), extra=14)  # the shape marker beside it
    assert fits(COL_KIND, labels.kind_names().values())
    assert fits(COL_TIME_LEFT, [fmt(-(23 * 3600 + 59 * 60)), fmt(9 * 86_400 + 23 * 3600)])
    assert fits(COL_DEADLINE, ["≈ 12-31 23:59"])
    assert fits(COL_AMOUNT, [labels.format_fen(9_999_900)])
    # and the table does not waste a laptop screen: the first eight columns (English labels, the
    # longest; Chinese ones are narrower) fit the 1366 px screen's width beside the right-hand docks
    assert sum(table.columnWidth(c) for c in range(8)) <= 960
