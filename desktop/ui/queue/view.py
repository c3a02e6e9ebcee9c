"""The queue widgets: the table with its filter bar, search, urgency legend and empty state
(:class:`QueueView`), and the two-tab :class:`QueueWidget` that keeps requests on the buyer's or the
platform's clock apart from the merchant's own queue. The table and the legend themselves:
:mod:`desktop.ui.queue.widgets`.

Public API (for the main window)::

    queue = QueueWidget(scale=UrgencyScale.from_rules(rules))
    queue.set_rows(rows)                      # list[QueueRow] from build_queue_rows (background)
    queue.set_server_offset_ms(client.server_clock_offset_ms)
    queue.currentRequestChanged.connect(detail.show_row)      # QueueRow | None
    queue.selectedRowsChanged.connect(...)            # list[QueueRow]
    queue.requestActivated.connect(...)                       # QueueRow (double click / Enter)
    queue.selected_rows(); queue.select_refunds([...])
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    Qt,
    QTimer,
    Signal,
    SignalInstance,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core.queue_rows import KINDS, MERCHANT, URGENCIES, QueueRow, UrgencyScale
from desktop.ui.i18n import fill
from desktop.ui.queue import labels
from desktop.ui.queue.model import (
    COL_AMOUNT,
    COL_DEADLINE,
    COL_KIND,
    COL_ORDER,
    COL_PRODUCT,
    COL_REASON,
    COL_REFUND,
    COL_REMINDERS,
    COL_SHOP,
    COL_STAGE,
    COL_STATUS,
    COL_TIME_LEFT,
    COL_URGENCY,
    DEFAULT_SCALE,
    ROW_ROLE,
    QueueModel,
)
from desktop.ui.queue.proxy import QueueProxyModel
from desktop.ui.queue.widgets import QueueTable, UrgencyLegend


def _row_of(index: QModelIndex) -> QueueRow | None:
    """The queue row behind a table index (the model's ``ROW_ROLE``)."""
    row = index.data(ROW_ROLE)
    return row if isinstance(row, QueueRow) else None


# widths of the free-text columns (reason, product, shop) in Chinese characters (their texts come
# from the buyers and the shop, in Chinese whatever the interface language)
_TEXT_COLUMNS = {COL_REASON: 8, COL_PRODUCT: 12, COL_SHOP: 6}
# a column sized from its labels is never wider than this many average characters (long English)
_MAX_CHARS = 18
SEARCH_DELAY_MS = 250
#: columns a laptop screen cannot afford by default (the detail pane shows them; the search finds
#: them); the header's context menu shows them again
HIDDEN_BY_DEFAULT = (COL_ORDER, COL_REMINDERS, COL_REFUND)


class QueueView(QWidget):
    """One queue: filter bar + search, legend, the table (multi-select), and an empty state.

    ``merchant=False`` makes the view for requests on the buyer's or the platform's clock: no urgency
    colours, legend or urgency filter (their time left is not the shop's to lose).
    """

    currentRequestChanged = Signal(object)  # QueueRow | None
    selectedRowsChanged = Signal(list)  # list[QueueRow], in view order
    requestActivated = Signal(object)  # QueueRow (double click / Enter)
    countsChanged = Signal(int, int)  # shown, total

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        merchant: bool = True,
        scale: UrgencyScale = DEFAULT_SCALE,
        model: QueueModel | None = None,
    ) -> None:
        super().__init__(parent)
        self._merchant = merchant
        self.model = model or QueueModel(self, scale=scale)
        self.proxy = QueueProxyModel(self)
        self.proxy.setSourceModel(self.model)

        # filter bar
        self.kind_filter = QComboBox()
        self.stage_filter = QComboBox()
        self.urgency_filter = QComboBox()
        self.shop_filter = QComboBox()
        for combo in (self.kind_filter, self.stage_filter, self.urgency_filter, self.shop_filter):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            combo.currentIndexChanged.connect(self._filters_edited)
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(220)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_search)
        self.search.textChanged.connect(self._search_timer.start)
        self.search.returnPressed.connect(self._apply_search)
        self.count_label = QLabel()
        self.count_label.setObjectName("queue-count")

        bar = QHBoxLayout()
        bar.setSpacing(6)
        for w in (self.kind_filter, self.stage_filter, self.urgency_filter, self.shop_filter):
            bar.addWidget(w)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.count_label)

        self.legend = UrgencyLegend(self.model.scale)
        self.legend.setVisible(merchant)
        self.urgency_filter.setVisible(merchant)
        self.model.set_urgency_colours(merchant)

        # table
        self.table = QueueTable()
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COL_TIME_LEFT, Qt.SortOrder.AscendingOrder)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self._size_columns()
        self.table.setColumnHidden(COL_URGENCY, not merchant)
        for col in HIDDEN_BY_DEFAULT:
            self.table.setColumnHidden(col, True)
        header.setStretchLastSection(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.table.selectionModel().currentRowChanged.connect(self._on_current)
        # the request the detail pane shows: re-decided whenever rows go, hide or come back
        self._shown_request: QueueRow | None = None
        self._selected_keys: list[tuple[int, int]] = []
        self.proxy.modelReset.connect(self._after_layout)
        self.proxy.rowsRemoved.connect(self._after_layout)
        self.table.activated.connect(self._on_activated)

        # empty state
        self.empty_title = QLabel()
        self.empty_title.setObjectName("queue-empty-title")
        self.empty_title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.empty_title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.empty_title.setFont(font)
        self.empty_hint = QLabel()
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.setWordWrap(True)
        self.clear_button = QPushButton()
        self.clear_button.clicked.connect(self.clear_filters)
        empty = QWidget()
        ev = QVBoxLayout(empty)
        ev.addStretch(1)
        ev.addWidget(self.empty_title)
        ev.addWidget(self.empty_hint)
        ev.addWidget(self.clear_button, 0, Qt.AlignmentFlag.AlignHCenter)
        ev.addStretch(2)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(empty)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.legend)
        layout.addWidget(self.stack, 1)

        self._last_synced_ms: int | None = None
        self._stages_present: list[str] = []
        self._shops_present: dict[int, str] = {}
        self.proxy.layoutRefreshed.connect(self._update_state)
        self.proxy.layoutRefreshed.connect(self._after_layout)
        self._retranslate()
        self._update_state()

    def _size_columns(self) -> None:
        """Initial column widths from the current language's labels and the fonts in use, so no
        label (urgency, stage, status…) is cut and no column wastes the laptop screen's width. The
        user's own widths replace these (the columns stay resizable)."""
        cell = self.table.fontMetrics()
        head = self.table.horizontalHeader().fontMetrics()
        pad = 2 * self.table.style().pixelMetric(self.table.style().PixelMetric.PM_FocusFrameHMargin) + 12
        arrow = 18  # the header's sort indicator
        icon = 14 + 6  # the urgency marker

        def fit(*texts: str, extra: int = 0) -> int:
            width = max(cell.horizontalAdvance(t) for t in texts) + pad + extra
            return min(width, cell.averageCharWidth() * _MAX_CHARS + pad + extra)

        fmt = labels.DurationFormat()
        samples = {
            COL_TIME_LEFT: [
                fmt(29 * 86_400 + 23 * 3600),
                fmt(23 * 3600 + 59 * 60),
                fmt(59 * 60 + 59),
                fmt(-(23 * 3600 + 59 * 60)),
            ],
            COL_URGENCY: list(labels.urgency_names().values()),
            COL_DEADLINE: ["≈ " + labels.format_local_time(0).replace("01-01", "12-31")],
            COL_KIND: list(labels.kind_names().values()),
            COL_STAGE: list(labels.stage_names().values()),
            COL_STATUS: [t for k, t in labels.status_names().items() if k in (10, 11, 30, 40)],
            COL_AMOUNT: [labels.format_fen(9_999_900)],
            COL_ORDER: ["2314765147827166"],
            COL_REFUND: ["2100000000000000000"],
            COL_REMINDERS: ["99"],
        }
        for col in range(self.model.columnCount()):
            title = str(self.model.headerData(col, Qt.Orientation.Horizontal) or "")
            header_width = head.horizontalAdvance(title) + pad + arrow
            if col in _TEXT_COLUMNS:
                width = cell.horizontalAdvance("中" * _TEXT_COLUMNS[col]) + pad
            else:
                width = fit(*samples[col], extra=icon if col == COL_URGENCY else 0)
            self.table.setColumnWidth(col, max(width, header_width))

    def column_menu(self) -> QMenu:
        """The header's context menu: one checkable entry per column (shop and urgency follow the
        data and the tab, so they are not offered)."""
        menu = QMenu(self)
        for col in range(self.model.columnCount()):
            if col in (COL_SHOP, COL_URGENCY, COL_TIME_LEFT):
                continue
            title = str(self.model.headerData(col, Qt.Orientation.Horizontal) or "")
            action = menu.addAction(title)
            action.setCheckable(True)
            action.setChecked(not self.table.isColumnHidden(col))
            action.toggled.connect(lambda on, col=col: self.table.setColumnHidden(col, not on))
        return menu

    def _column_menu(self, pos: QPoint) -> None:
        menu = self.column_menu()
        menu.exec(self.table.horizontalHeader().mapToGlobal(pos))
        menu.deleteLater()

    # --------------------------------------------------------------------------------- public
    def set_rows(self, rows: Iterable[QueueRow]) -> None:
        rows = list(rows)
        self.model.set_rows(rows)
        stages = sorted({r.stage for r in rows})
        shops = {r.shop_id: r.shop_name for r in rows}
        if stages != self._stages_present or shops != self._shops_present:
            self._stages_present = stages
            self._shops_present = dict(sorted(shops.items(), key=lambda kv: kv[1]))
            self._fill_combos()
        multi_shop = len(self._shops_present) > 1
        self.shop_filter.setVisible(multi_shop)
        self.table.setColumnHidden(COL_SHOP, not multi_shop)
        self._update_state()

    def set_server_offset_ms(self, offset_ms: int | None) -> None:
        self.model.set_server_offset_ms(offset_ms)

    def set_last_synced(self, ms: int | None) -> None:
        """When the shop was last brought up to date (epoch ms): the empty state says it."""
        if ms != self._last_synced_ms:
            self._last_synced_ms = ms
            self._update_state()

    def set_scale(self, scale: UrgencyScale) -> None:
        self.model.set_scale(scale)
        self.legend.set_scale(scale)

    def selected_rows(self) -> list[QueueRow]:
        """The selected requests in view order (read through the proxy's selection)."""
        sel = self.table.selectionModel()
        rows = sorted(index.row() for index in sel.selectedRows(COL_TIME_LEFT))
        return [self.proxy.index(r, COL_TIME_LEFT).data(ROW_ROLE) for r in rows]

    def current_row(self) -> QueueRow | None:
        """The request to show in detail: the current row when it is selected, else the first
        selected row; ``None`` when nothing visible is selected (a request that was acted on, went
        away or is hidden by a filter or the search is never the one shown)."""
        sel = self.table.selectionModel()
        index = self.table.currentIndex()
        if index.isValid() and sel.isRowSelected(index.row(), QModelIndex()):
            return _row_of(index)
        rows = sel.selectedRows(COL_TIME_LEFT)
        if not rows:
            return None
        return _row_of(min(rows, key=lambda i: i.row()))

    def select_refunds(self, refund_ids: Iterable[int]) -> int:
        """Select these requests (any shop), clearing filters that hide them; returns how many were
        found. The first one becomes current and is scrolled into view."""
        wanted = set(refund_ids)
        source_rows = [i for i, r in enumerate(self.model.rows()) if r.refund_id in wanted]
        if not source_rows:
            return 0
        if any(self.proxy.proxy_row_of(i) < 0 for i in source_rows):
            self.clear_filters()
        proxy_rows = sorted(self.proxy.proxy_row_of(i) for i in source_rows)
        selection = QItemSelection()
        last_col = self.proxy.columnCount() - 1
        for r in proxy_rows:
            selection.select(self.proxy.index(r, 0), self.proxy.index(r, last_col))
        sel = self.table.selectionModel()
        first = self.proxy.index(proxy_rows[0], COL_TIME_LEFT)
        sel.setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)
        sel.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.table.scrollTo(first, QAbstractItemView.ScrollHint.PositionAtCenter)
        return len(proxy_rows)

    def clear_filters(self) -> None:
        for combo in (self.kind_filter, self.stage_filter, self.urgency_filter, self.shop_filter):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self._search_timer.stop()
        self.proxy.clear_filters()

    # ------------------------------------------------------------------------------- internals
    def _fill_combos(self) -> None:
        def populate(combo: QComboBox, all_text: str, items: Iterable[tuple[str, object]]) -> None:
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(all_text, None)
            for text, data in items:
                combo.addItem(text, data)
            at = combo.findData(current) if current is not None else 0
            combo.setCurrentIndex(max(at, 0))
            combo.blockSignals(False)

        kinds = labels.kind_names()
        stages = labels.stage_names()
        urgencies = labels.urgency_names()
        populate(self.kind_filter, self.tr("All kinds"), ((kinds[k], k) for k in KINDS))
        populate(
            self.stage_filter,
            self.tr("All stages"),
            ((stages.get(s, s), s) for s in self._stages_present),
        )
        populate(self.urgency_filter, self.tr("Any urgency"), ((urgencies[u], u) for u in URGENCIES))
        for i, key in enumerate(URGENCIES, start=1):
            self.urgency_filter.setItemIcon(i, labels.urgency_icon(key))
        populate(
            self.shop_filter, self.tr("All shops"), ((name, sid) for sid, name in self._shops_present.items())
        )
        self._filters_edited()

    def _filters_edited(self) -> None:
        def one(combo: QComboBox) -> tuple[str, ...] | None:
            data = combo.currentData()
            return None if data is None else (str(data),)

        shop = self.shop_filter.currentData()
        self.proxy.set_filters(
            kinds=one(self.kind_filter),
            stages=one(self.stage_filter),
            urgencies=one(self.urgency_filter) if self._merchant else None,
            shops=None if shop is None else (int(shop),),
        )

    def _apply_search(self) -> None:
        self._search_timer.stop()
        self.proxy.set_search(self.search.text())

    def _update_state(self) -> None:
        shown, total = self.proxy.rowCount(), self.proxy.total_count()
        if shown == total:
            self.count_label.setText(self.tr("%n request(s)", "", total))
        else:
            self.count_label.setText(fill(self.tr("%1 of %2 shown"), shown, total))
        if shown:
            self.stack.setCurrentIndex(0)
        else:
            if total == 0:
                if self._last_synced_ms:
                    synced = fill(
                        self.tr("Last synced %1."),
                        labels.format_local_time(self._last_synced_ms, with_year=True),
                    )
                else:
                    synced = self.tr("Not synced yet.")
                if self._merchant:
                    self.empty_title.setText(self.tr("Nothing waits on you"))
                    self.empty_hint.setText(
                        self.tr(
                            "No after-sale request needs the shop's action right now. New ones appear here after each sync."
                        )
                        + "\n"
                        + synced
                    )
                else:
                    self.empty_title.setText(self.tr("Nothing on the buyer's or the platform's side"))
                    self.empty_hint.setText(
                        self.tr(
                            "Requests waiting for the buyer (a return, a modification) or for the platform show here."
                        )
                    )
                self.clear_button.hide()
            else:
                self.empty_title.setText(self.tr("No request matches the filters"))
                self.empty_hint.setText(
                    self.tr("%n request(s) are hidden by the filters or the search.", "", total)
                )
                self.clear_button.show()
            self.stack.setCurrentIndex(1)
        self.countsChanged.emit(shown, total)

    def _on_selection(self, *_: QItemSelection) -> None:
        rows = self.selected_rows()
        self._selected_keys = [r.key for r in rows]
        self.selectedRowsChanged.emit(rows)
        self._update_shown()

    def _after_layout(self, *_: object) -> None:
        """Rows went, were hidden or came back: the selection and the request shown follow."""
        rows = self.selected_rows()
        if [r.key for r in rows] != self._selected_keys:
            self._selected_keys = [r.key for r in rows]
            self.selectedRowsChanged.emit(rows)
        self._update_shown()

    def _on_current(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._update_shown()

    def _update_shown(self, *_: object) -> None:
        """Emit :attr:`currentRequestChanged` when the request to show changed (another one, none,
        or the same one with fresh data after a sync)."""
        row = self.current_row()
        if row != self._shown_request:
            self._shown_request = row
            self.currentRequestChanged.emit(row)

    def _on_activated(self, index: QModelIndex) -> None:
        row = index.data(ROW_ROLE)
        if row is not None:
            self.requestActivated.emit(row)

    def _retranslate(self) -> None:
        self.search.setPlaceholderText(self.tr("Search refund or order id, product, reason…"))
        self.clear_button.setText(self.tr("Clear filters"))
        self.kind_filter.setToolTip(self.tr("Kind of request"))
        self.stage_filter.setToolTip(self.tr("Stage"))
        self.urgency_filter.setToolTip(self.tr("Urgency"))
        self.shop_filter.setToolTip(self.tr("Shop"))
        self._fill_combos()
        self._update_state()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.model.retranslate()
            self._retranslate()
        super().changeEvent(event)


class QueueWidget(QTabWidget):
    """The merchant's queue and, on a second tab, the requests on the buyer's or platform's clock.

    Signals come from whichever tab they happen in."""

    currentRequestChanged = Signal(object)  # QueueRow | None
    selectedRowsChanged = Signal(list)
    requestActivated = Signal(object)

    def __init__(self, parent: QWidget | None = None, *, scale: UrgencyScale = DEFAULT_SCALE) -> None:
        super().__init__(parent)
        self.merchant_view = QueueView(merchant=True, scale=scale)
        self.others_view = QueueView(merchant=False, scale=scale)
        self.addTab(self.merchant_view, "")
        self.addTab(self.others_view, "")
        for view in (self.merchant_view, self.others_view):
            # only the tab shown speaks for the detail pane and the actions (a sync changes both)
            view.currentRequestChanged.connect(
                lambda row, v=view: self._relay(v, self.currentRequestChanged, row)
            )
            view.selectedRowsChanged.connect(
                lambda rows, v=view: self._relay(v, self.selectedRowsChanged, rows)
            )
            view.requestActivated.connect(self.requestActivated)
            view.countsChanged.connect(self._update_titles)
        self.tabBar().currentChanged.connect(self._tab_switched)
        self._update_titles()

    def set_rows(self, rows: Iterable[QueueRow]) -> None:
        """All open requests: the merchant's go to the first tab, the rest to the second."""
        rows = rows if isinstance(rows, list) else list(rows)
        mine = [r for r in rows if r.clock_owner == MERCHANT]
        others = [r for r in rows if r.clock_owner != MERCHANT] if len(mine) != len(rows) else []
        self.merchant_view.set_rows(mine)
        self.others_view.set_rows(others)

    def set_server_offset_ms(self, offset_ms: int | None) -> None:
        self.merchant_view.set_server_offset_ms(offset_ms)
        self.others_view.set_server_offset_ms(offset_ms)

    def set_last_synced(self, ms: int | None) -> None:
        self.merchant_view.set_last_synced(ms)
        self.others_view.set_last_synced(ms)

    def set_scale(self, scale: UrgencyScale) -> None:
        self.merchant_view.set_scale(scale)
        self.others_view.set_scale(scale)

    def _relay(self, view: QueueView, signal: SignalInstance, value: object) -> None:
        """Repeat a view's signal when it is the tab shown: only it speaks for the detail pane and
        the actions."""
        if view is self.current_view():
            signal.emit(value)

    def current_view(self) -> QueueView:
        return self.merchant_view if self.currentIndex() == 0 else self.others_view

    def selected_rows(self) -> list[QueueRow]:
        return self.current_view().selected_rows()

    def select_refunds(self, refund_ids: Iterable[int]) -> int:
        """Show the merchant's tab and select these requests there (the risk panel's rescue list)."""
        self.setCurrentIndex(0)
        return self.merchant_view.select_refunds(refund_ids)

    def _tab_switched(self, _index: int) -> None:
        self.currentRequestChanged.emit(self.current_view().current_row())
        self.selectedRowsChanged.emit(self.current_view().selected_rows())

    def _update_titles(self, *_: int) -> None:
        mine = self.merchant_view.model.rowCount()
        others = self.others_view.model.rowCount()
        self.setTabText(0, fill(self.tr("Waiting on me (%1)"), mine))
        self.setTabText(1, fill(self.tr("Buyer / platform side (%1)"), others))
        self.setTabToolTip(
            1, self.tr("Requests on the buyer's or the platform's clock: nothing for the shop to do yet")
        )

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._update_titles()
        super().changeEvent(event)
