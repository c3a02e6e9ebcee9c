"""The request the detail pane shows follows what the user sees: never one that was acted on, went
away, or is hidden by a filter or the search; and sorting by a column keeps ties in order of time left."""

from __future__ import annotations

import time

from PySide6.QtCore import QPoint, Qt
from queue_helpers import HOUR_MS, make_row

from desktop.ui.queue.detail import DetailPane
from desktop.ui.queue.model import COL_AMOUNT, COL_KIND, COL_TIME_LEFT
from desktop.ui.queue.view import QueueWidget


def _rows(now: int):
    return [
        make_row(11, expire_at_ms=now + 3 * HOUR_MS, product="保温杯"),
        make_row(12, expire_at_ms=now + 1 * HOUR_MS, product="T恤"),
        make_row(13, expire_at_ms=now + 2 * HOUR_MS, product="运动鞋"),
    ]


def _click_row(qtbot, view, proxy_row: int, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    table = view.table
    rect = table.visualRect(view.proxy.index(proxy_row, COL_TIME_LEFT))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def _widgets(qtbot):
    queue = QueueWidget()
    detail = DetailPane()
    queue.currentRequestChanged.connect(detail.show_row)
    qtbot.addWidget(queue)
    qtbot.addWidget(detail)
    queue.resize(900, 400)
    queue.show()
    qtbot.waitExposed(queue)
    return queue, detail


def _shown(detail):
    return None if detail.row is None else detail.row.refund_id


def test_a_request_acted_on_leaves_the_pane_and_nothing_unselected_takes_its_place(qtbot):
    now = int(time.time() * 1000)
    queue, detail = _widgets(qtbot)
    view = queue.merchant_view
    queue.set_rows(_rows(now))
    _click_row(qtbot, view, 0)  # 12 (1 h left) is the first row
    assert _shown(detail) == 12
    # approved: the next sync no longer lists it
    queue.set_rows([r for r in _rows(now) if r.refund_id != 12])
    assert view.selected_rows() == []
    assert _shown(detail) is None
    assert detail.empty.isVisibleTo(detail)


def test_a_rejected_request_with_another_selected_shows_the_one_still_selected(qtbot):
    now = int(time.time() * 1000)
    queue, detail = _widgets(qtbot)
    view = queue.merchant_view
    queue.set_rows(_rows(now))
    _click_row(qtbot, view, 0)  # 12
    _click_row(qtbot, view, 2, Qt.KeyboardModifier.ControlModifier)  # and 11; 11 is current
    assert _shown(detail) == 11
    queue.set_rows([r for r in _rows(now) if r.refund_id != 11])
    assert [r.refund_id for r in view.selected_rows()] == [12]
    assert _shown(detail) == 12


def test_a_search_or_filter_hiding_the_request_clears_the_pane(qtbot):
    now = int(time.time() * 1000)
    queue, detail = _widgets(qtbot)
    view = queue.merchant_view
    queue.set_rows(_rows(now))
    _click_row(qtbot, view, 0)  # 12, T恤
    assert _shown(detail) == 12
    selected = []
    queue.selectedRowsChanged.connect(selected.append)
    qtbot.keyClicks(view.search, "7000011")  # the order of 11
    qtbot.keyClick(view.search, Qt.Key.Key_Return)
    assert [r.refund_id for r in view.proxy.visible_rows()] == [11]
    assert _shown(detail) is None
    assert selected[-1] == []
    view.search.clear()
    qtbot.keyClick(view.search, Qt.Key.Key_Return)
    assert len(view.proxy.visible_rows()) == 3
    assert view.selected_rows() == [] and _shown(detail) is None  # hidden rows left the selection
    _click_row(qtbot, view, 0)
    assert _shown(detail) == 12
    view.kind_filter.setCurrentIndex(view.kind_filter.findData("exchange"))
    assert _shown(detail) is None and selected[-1] == []


def test_a_sync_of_the_other_tab_does_not_touch_the_pane(qtbot):
    now = int(time.time() * 1000)
    queue, detail = _widgets(qtbot)
    others = [make_row(21, expire_at_ms=now + HOUR_MS, clock_owner="buyer", stage="wait_buyer_return")]
    queue.set_rows(_rows(now) + others)
    _click_row(qtbot, queue.merchant_view, 0)
    assert _shown(detail) == 12
    queue.set_rows(_rows(now))  # the buyer's request went away
    assert _shown(detail) == 12


def test_sorting_by_amount_or_kind_keeps_ties_in_order_of_time_left_both_ways(qtbot):
    now = int(time.time() * 1000)
    queue, _detail = _widgets(qtbot)
    view = queue.merchant_view
    queue.set_rows(
        [
            make_row(1, expire_at_ms=now + 24 * HOUR_MS, refund_fee=5000),
            make_row(2, expire_at_ms=now + HOUR_MS // 3, refund_fee=5000),  # 20 minutes
            make_row(3, expire_at_ms=now + 5 * HOUR_MS, refund_fee=100),
            make_row(4, expire_at_ms=now + 2 * HOUR_MS, refund_fee=5000),
            make_row(5, expire_at_ms=None, refund_fee=100),
        ]
    )
    header = view.table.horizontalHeader()

    def click_header(col: int) -> None:
        x = header.sectionViewportPosition(col) + header.sectionSize(col) // 2
        qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))

    def order():
        return [r.refund_id for r in view.proxy.visible_rows()]

    click_header(COL_AMOUNT)
    assert header.sortIndicatorSection() == COL_AMOUNT
    first = order()
    click_header(COL_AMOUNT)
    second = order()
    ascending, descending = (first, second) if first[0] in (3, 5) else (second, first)
    assert ascending == [3, 5, 2, 4, 1]
    assert descending == [2, 4, 1, 3, 5]
    click_header(COL_KIND)  # one kind for all: plain time-left order
    assert order() in ([2, 4, 3, 1, 5],)


def test_an_empty_shop_says_so_in_words_with_when_it_last_synced(qtbot):
    queue, _detail = _widgets(qtbot)
    view = queue.merchant_view
    queue.set_rows([])
    assert view.stack.currentIndex() == 1
    assert view.empty_title.text() == "Nothing waits on you"
    assert "Not synced yet." in view.empty_hint.text()
    synced = int(time.mktime((2026, 3, 14, 9, 26, 0, 0, 0, -1)) * 1000)
    queue.set_last_synced(synced)
    assert "Last synced 2026-03-14 09:26." in view.empty_hint.text()
    assert view.empty_hint.isVisible() and not view.clear_button.isVisibleTo(view)


def test_order_reminders_and_refund_id_are_hidden_until_the_header_menu_shows_them(qtbot):
    from desktop.ui.queue.model import COL_ORDER, COL_PRODUCT, COL_REFUND

    queue, _detail = _widgets(qtbot)
    view = queue.merchant_view
    assert view.table.isColumnHidden(COL_ORDER) and view.table.isColumnHidden(COL_REFUND)
    assert not view.table.isColumnHidden(COL_PRODUCT)
    menu = view.column_menu()
    entry = next(a for a in menu.actions() if a.text() == "Refund ID")
    assert not entry.isChecked()
    entry.trigger()
    assert not view.table.isColumnHidden(COL_REFUND)
    next(a for a in view.column_menu().actions() if a.text() == "Product").trigger()
    assert view.table.isColumnHidden(COL_PRODUCT)
