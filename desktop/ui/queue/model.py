"""The queue's table model: one row per :class:`~desktop.core.queue_rows.QueueRow`.

* Column constants (``COL_*``); ``SORT_ROLE`` gives native values (seconds left, fen, ids),
  ``ROW_ROLE`` the record, ``URGENCY_ROLE`` the urgency key.
* Deadlines are stored absolute; time left and urgency are computed when a cell is asked for, from
  the injected clock plus the server clock offset.
* One model-owned ``QTimer`` ticks the countdown: each tick emits ``dataChanged`` for the time-left
  column only (views repaint only the visible cells). When a row crosses an urgency tier — found in
  O(log n) from the sorted deadlines, not by scanning rows — the model also emits ``dataChanged`` for
  all columns (the row colours) and :attr:`QueueModel.urgencyChanged`.
* The model never sorts or filters: :class:`~desktop.ui.queue.proxy.QueueProxyModel` does, from the
  precomputed keys of :meth:`QueueModel.sort_keys`.
"""

from __future__ import annotations

import bisect
import time
from collections.abc import Callable, Iterable, Sequence
from typing import cast

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont

from desktop.core.queue_rows import QueueRow, UrgencyScale
from desktop.ui.queue import labels

COL_TIME_LEFT = 0
COL_URGENCY = 1
COL_DEADLINE = 2
COL_KIND = 3
COL_STAGE = 4
COL_STATUS = 5
COL_AMOUNT = 6
COL_REASON = 7
COL_PRODUCT = 8
COL_ORDER = 9
COL_REMINDERS = 10
COL_SHOP = 11
COL_REFUND = 12
COLUMN_COUNT = 13

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ROW_ROLE = Qt.ItemDataRole.UserRole + 2
URGENCY_ROLE = Qt.ItemDataRole.UserRole + 3

#: default urgency tiers (the shipped rules file's values); pass the loaded rules' scale instead
DEFAULT_SCALE = UrgencyScale(2 * 3600, 6 * 3600, 24 * 3600)
#: sort key of a row without a deadline: after every real one
NO_DEADLINE = 2**62

#: the sort keys of one column, one per model row: ints (times, money, ids) or texts (names)
SortKeys = list[int] | list[str]

_DISPLAY = Qt.ItemDataRole.DisplayRole
_BACKGROUND = Qt.ItemDataRole.BackgroundRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_DECORATION = Qt.ItemDataRole.DecorationRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_FONT = Qt.ItemDataRole.FontRole
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_NUMERIC = frozenset({COL_TIME_LEFT, COL_AMOUNT, COL_REMINDERS})


class QueueModel(QAbstractTableModel):
    """Table of queue rows with a live countdown.

    ``clock`` returns local epoch seconds (injectable for tests); ``set_server_offset_ms`` sets the
    server clock minus the local clock, measured at sync.
    """

    #: emitted after a row changed urgency tier (the proxy re-filters when it filters by urgency)
    urgencyChanged = Signal()
    #: emitted on every countdown tick with the server-clock "now" in epoch ms
    ticked = Signal(object)
    #: bracket an incremental :meth:`set_rows` (rows removed, updated in place, appended): a proxy
    #: treats everything between them as one layout change
    updateStarted = Signal()
    updateFinished = Signal()

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        scale: UrgencyScale = DEFAULT_SCALE,
        clock: Callable[[], float] = time.time,
        tick_ms: int = 1000,
    ) -> None:
        super().__init__(parent)
        self._rows: list[QueueRow] = []
        self._index: dict[tuple[int, int], int] | None = None  # built on first use
        self._by_deadline: list[int] = []  # rows with a deadline, soonest first
        self._sorted_deadlines: list[int] = []  # their deadlines, ascending
        self._next_change_ms: int | None = None
        self._checked_ms = 0  # "now" of the last tier check
        self._scale = scale
        self._clock = clock
        self._offset_ms = 0
        self._updating = False
        self._colours = True
        self._key_cache: dict[int, SortKeys] = {}
        self._order_cache: dict[tuple[int, bool], list[int]] = {}
        self._duration = labels.DurationFormat()
        self._retranslate()
        self._font_bold = QFont()
        self._font_bold.setBold(True)
        self._timer = QTimer(self)
        self._timer.setInterval(tick_ms)
        self._timer.timeout.connect(self.tick)
        self._timer.start()

    # ------------------------------------------------------------------------------ public API
    @property
    def timer(self) -> QTimer:
        """The one countdown timer (stop it to freeze the countdown, e.g. while hidden)."""
        return self._timer

    @property
    def scale(self) -> UrgencyScale:
        return self._scale

    def set_scale(self, scale: UrgencyScale) -> None:
        self._scale = scale
        self._refresh_all()

    def set_urgency_colours(self, on: bool) -> None:
        """Tint rows by urgency (off for requests on someone else's clock)."""
        self._colours = on
        self._refresh_all()

    def set_server_offset_ms(self, offset_ms: int | None) -> None:
        """Server clock minus local clock (from the client's ``server_clock_offset_ms``)."""
        self._offset_ms = int(offset_ms or 0)
        self._refresh_all()

    def now_ms(self) -> int:
        """ "Now" on the server's clock, epoch ms."""
        return int(self._clock() * 1000) + self._offset_ms

    @property
    def updating(self) -> bool:
        """True inside an incremental :meth:`set_rows` (between updateStarted and updateFinished)."""
        return self._updating

    def rows(self) -> Sequence[QueueRow]:
        """All rows, in model order (read-only view; do not mutate)."""
        return self._rows

    def row_of(self, shop_id: int, refund_id: int) -> int | None:
        """The model row of a request, or None."""
        return self._index_map().get((shop_id, refund_id))

    def set_rows(self, rows: Iterable[QueueRow]) -> None:
        """Show ``rows`` (unique per shop and refund id). Requests already shown keep their place, so
        selections survive a sync: vanished ones are removed, changed ones updated, new ones appended.
        A first load (or a wholesale change) is a model reset."""
        new = list(rows)
        if not self._rows or not new:
            self._reset(new)
            return
        new_index = {(r.shop_id, r.refund_id): i for i, r in enumerate(new)}
        if len(new_index) != len(new):
            raise ValueError("queue rows must be unique per (shop, refund id)")
        removed = [i for i, r in enumerate(self._rows) if (r.shop_id, r.refund_id) not in new_index]
        if len(removed) > 1000:  # a wholesale change: a reset is cheaper than thousands of signals
            self._reset(new)
            return
        self._updating = True
        self.updateStarted.emit()
        for first, last in reversed(_ranges(removed)):
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._rows[first : last + 1]
            self._index = None
            self.endRemoveRows()
        kept = set()
        changed = False
        for i, r in enumerate(self._rows):
            key = (r.shop_id, r.refund_id)
            kept.add(key)
            fresh = new[new_index[key]]
            if fresh != r:
                self._rows[i] = fresh
                changed = True
        added = [r for r in new if (r.shop_id, r.refund_id) not in kept]
        if added:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(added) - 1)
            self._rows.extend(added)
            self._rebuild_derived()
            self.endInsertRows()
        else:
            self._rebuild_derived()
        if changed:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, COLUMN_COUNT - 1), [])
        self._updating = False
        self.updateFinished.emit()

    def _reset(self, rows: list[QueueRow]) -> None:
        self.beginResetModel()
        self._rows = rows
        self._rebuild_derived()
        self.endResetModel()

    def seconds_left(self, row: QueueRow, now_ms: int | None = None) -> int | None:
        """Whole seconds until the deadline (negative once past), on the server's clock."""
        if row.expire_at_ms is None:
            return None
        return (row.expire_at_ms - (self.now_ms() if now_ms is None else now_ms)) // 1000

    def urgency(self, row: QueueRow, now_ms: int | None = None) -> str:
        return self._scale.of(self.seconds_left(row, now_ms))

    def sort_order(self, column: int, descending: bool = False) -> list[int]:
        """All model rows in order of ``column`` (cached until the rows change). Rows with the same
        value keep the order of their time left (the most urgent first) in either direction, so a
        column with many equal values (amount, kind, stage) still lists the pressing requests first.
        Do not mutate the list."""
        cache_key = (column, descending)
        order = self._order_cache.get(cache_key)
        if order is not None:
            return order
        keys = self.sort_keys(column)
        if column == COL_TIME_LEFT or column not in _TIE_BY_TIME_LEFT:
            base = None
        else:
            base = self.sort_order(COL_TIME_LEFT)
        if not descending:
            if base is None:
                order = (
                    _int_order(self._int_keys(column))
                    if column in _INT_KEYED
                    else sorted(range(len(keys)), key=keys.__getitem__)
                )
            else:
                # the rows already in time-left order, sorted stably: ties keep that order
                if column in _INT_KEYED:
                    ints = self._int_keys(column)
                    rank = _int_order([ints[r] for r in base])
                    order = [base[i] for i in rank]
                else:
                    order = sorted(base, key=keys.__getitem__)
        else:
            ascending = self.sort_order(column)
            order = ascending[::-1]
            if base is not None:
                order = _ties_restored(order, keys)
        self._order_cache[cache_key] = order
        return order

    def sort_keys(self, column: int) -> SortKeys:
        """Native sort keys of every model row for ``column`` (what ``SORT_ROLE`` returns, with
        ``None`` mapped to a value that sorts last). Time left and urgency sort by the absolute
        deadline: the order is the same at every instant, so the countdown never re-sorts."""
        keys = self._key_cache.get(column)
        if keys is None:
            keys = self._key_cache[column] = self._compute_keys(column)
        return keys

    def _int_keys(self, column: int) -> list[int]:
        """The sort keys of a column of ``_INT_KEYED``: ints only (see :meth:`_compute_keys`)."""
        return cast("list[int]", self.sort_keys(column))

    # ------------------------------------------------------------------------------- countdown
    def tick(self) -> None:
        """One countdown step: repaint the time-left column; when rows crossed an urgency tier since
        the last step, repaint those rows (their colours) and emit :attr:`urgencyChanged`."""
        n = len(self._rows)
        if not n:
            return
        now = self.now_ms()
        self.dataChanged.emit(
            self.index(0, COL_TIME_LEFT), self.index(n - 1, COL_TIME_LEFT), [_DISPLAY, SORT_ROLE]
        )
        if self._next_change_ms is not None and now >= self._next_change_ms:
            self._emit_tier_changes(self._checked_ms, now)
        self._checked_ms = now
        self.ticked.emit(now)

    def _emit_tier_changes(self, since_ms: int, now_ms: int) -> None:
        changed: set[int] = set()
        deadlines, by_deadline = self._sorted_deadlines, self._by_deadline
        for bound_s in self._scale_bounds():
            shift = bound_s * 1000 - 1
            lo = bisect.bisect_right(deadlines, since_ms + shift)
            hi = bisect.bisect_right(deadlines, now_ms + shift)
            changed.update(by_deadline[lo:hi])
            if len(changed) > 200:
                break
        self._next_change_ms = self._scale.next_change_ms(deadlines, now_ms)
        if not changed:
            return
        last_col = COLUMN_COUNT - 1
        if len(changed) > 200:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, last_col), [])
        else:
            for r in sorted(changed):
                self.dataChanged.emit(self.index(r, 0), self.index(r, last_col), [])
        self.urgencyChanged.emit()

    def _scale_bounds(self) -> tuple[int, ...]:
        s = self._scale
        return (0, s.critical_s + 1, s.urgent_s + 1, s.warn_s + 1)

    # ------------------------------------------------------------------------------- Qt model
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else COLUMN_COUNT

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return _FLAGS

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> str | None:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < COLUMN_COUNT:
            return None
        if role == _DISPLAY:
            return self._headers[section]
        if role == _TOOLTIP:
            return self._header_tips.get(section)
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = _DISPLAY) -> object:
        if not index.isValid():
            return None
        return self.cell(index.row(), index.column(), role)

    def cell(self, r: int, col: int, role: int = _DISPLAY) -> object:
        """``data()`` by row and column numbers (the proxy calls it without building an index)."""
        if not 0 <= r < len(self._rows):
            return None
        row = self._rows[r]
        if role == _DISPLAY:
            return self._display(row, col)
        if role == _BACKGROUND:
            return labels.URGENCY_BACKGROUND.get(self.urgency(row)) if self._colours else None
        if role == _FOREGROUND:
            if self._colours and self.urgency(row) in labels.URGENCY_BACKGROUND:
                return labels.DARK_TEXT
            return None
        if role == _DECORATION:
            if col == COL_URGENCY:
                return labels.urgency_icon(self.urgency(row))
            return None
        if role == _ALIGN:
            return _RIGHT if col in _NUMERIC else None
        if role == SORT_ROLE:
            return self._native(row, col)
        if role == ROW_ROLE:
            return row
        if role == URGENCY_ROLE:
            return self.urgency(row)
        if role == _TOOLTIP:
            return self._tooltip(row, col)
        if role == _FONT:
            if col == COL_TIME_LEFT and self._colours and self.urgency(row) in ("overdue", "critical"):
                return self._font_bold
            return None
        return None

    # ------------------------------------------------------------------------------- internals
    def _display(self, row: QueueRow, col: int) -> str | None:
        if col == COL_TIME_LEFT:
            return self._duration(self.seconds_left(row))
        if col == COL_URGENCY:
            return self._urgency_names[self.urgency(row)]
        if col == COL_DEADLINE:
            text = labels.format_local_time(row.expire_at_ms)
            return f"≈ {text}" if row.estimated else text
        if col == COL_KIND:
            return self._kind_names.get(row.kind, row.kind)
        if col == COL_STAGE:
            return self._stage_names.get(row.stage) or row.stage
        if col == COL_STATUS:
            if row.status is None:
                return "—"
            return self._status_names.get(row.status) or labels.unknown_value(row.status)
        if col == COL_AMOUNT:
            return labels.format_fen(row.refund_fee)
        if col == COL_REASON:
            return row.reason
        if col == COL_PRODUCT:
            return row.product
        if col == COL_ORDER:
            return "" if row.order_id is None else str(row.order_id)
        if col == COL_REMINDERS:
            return str(row.urge_times) if row.urge_times else ""
        if col == COL_SHOP:
            return row.shop_name
        if col == COL_REFUND:
            return str(row.refund_id)
        return None

    def _native(self, row: QueueRow, col: int) -> int | str | None:
        if col in (COL_TIME_LEFT, COL_URGENCY):
            return self.seconds_left(row)
        if col == COL_DEADLINE:
            return row.expire_at_ms
        if col == COL_AMOUNT:
            return row.refund_fee
        if col == COL_ORDER:
            return row.order_id
        if col == COL_REMINDERS:
            return row.urge_times
        if col == COL_REFUND:
            return row.refund_id
        if col == COL_STATUS:
            return row.status
        return self._display(row, col)

    def _compute_keys(self, col: int) -> SortKeys:
        rows = self._rows
        if col in (COL_TIME_LEFT, COL_URGENCY, COL_DEADLINE):
            return [NO_DEADLINE if r.expire_at_ms is None else r.expire_at_ms for r in rows]
        if col == COL_AMOUNT:
            return [-1 if r.refund_fee is None else r.refund_fee for r in rows]
        if col == COL_ORDER:
            return [-1 if r.order_id is None else r.order_id for r in rows]
        if col == COL_REMINDERS:
            return [r.urge_times for r in rows]
        if col == COL_REFUND:
            return [r.refund_id for r in rows]
        if col == COL_STATUS:
            return [-1 if r.status is None else r.status for r in rows]
        if col == COL_KIND:
            names = self._kind_names
            return [names.get(r.kind, r.kind) for r in rows]
        if col == COL_STAGE:
            names = self._stage_names
            return [names.get(r.stage) or r.stage for r in rows]
        if col == COL_REASON:
            return [r.reason for r in rows]
        if col == COL_PRODUCT:
            return [r.product for r in rows]
        if col == COL_SHOP:
            return [r.shop_name for r in rows]
        raise IndexError(f"no column {col}")

    def _tooltip(self, row: QueueRow, col: int) -> str | None:
        if col in (COL_TIME_LEFT, COL_DEADLINE, COL_URGENCY):
            when = labels.format_local_time(row.expire_at_ms, with_year=True)
            return f"{when}\n{self._source_names.get(row.deadline_source, row.deadline_source)}"
        if col in (COL_REASON, COL_PRODUCT) and (row.reason if col == COL_REASON else row.product):
            return row.reason if col == COL_REASON else row.product
        return None

    def _index_map(self) -> dict[tuple[int, int], int]:
        if self._index is None:
            self._index = {(r.shop_id, r.refund_id): i for i, r in enumerate(self._rows)}
        return self._index

    def _rebuild_derived(self) -> None:
        self._index = None
        self._key_cache.clear()
        self._order_cache.clear()
        order = self.sort_order(COL_TIME_LEFT)
        keys = self._int_keys(COL_TIME_LEFT)
        dated = len(order) - keys.count(NO_DEADLINE)  # rows without a deadline sort last
        self._by_deadline = order[:dated]
        self._sorted_deadlines = sorted(k for k in keys if k != NO_DEADLINE)
        self._checked_ms = self.now_ms()
        self._next_change_ms = self._scale.next_change_ms(self._sorted_deadlines, self._checked_ms)

    def _refresh_all(self) -> None:
        self._checked_ms = self.now_ms()
        self._next_change_ms = self._scale.next_change_ms(self._sorted_deadlines, self._checked_ms)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, COLUMN_COUNT - 1), [])
            self.urgencyChanged.emit()

    def retranslate(self) -> None:
        """Re-read the texts after a language change (the view calls it on ``LanguageChange``)."""
        self._retranslate()
        for col in (COL_KIND, COL_STAGE):  # sorted by their translated names
            self._key_cache.pop(col, None)
            self._order_cache.pop((col, False), None)
            self._order_cache.pop((col, True), None)
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, COLUMN_COUNT - 1)
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, COLUMN_COUNT - 1), [])

    def _retranslate(self) -> None:
        self._headers = [
            self.tr("Time left"),
            self.tr("Urgency"),
            self.tr("Deadline"),
            self.tr("Kind"),
            self.tr("Stage"),
            self.tr("Status"),
            self.tr("Amount"),
            self.tr("Reason"),
            self.tr("Product"),
            self.tr("Order"),
            self.tr("Reminders"),
            self.tr("Shop"),
            self.tr("Refund ID"),
        ]
        self._header_tips = {
            COL_TIME_LEFT: self.tr("Time until the platform acts on its own (server clock)"),
            COL_DEADLINE: self.tr("Local time of the deadline; ≈ marks a deadline estimated from the rules"),
            COL_REMINDERS: self.tr("How many times the buyer urged the shop"),
        }
        self._kind_names = labels.kind_names()
        self._stage_names = labels.stage_names()
        self._status_names = labels.status_names()
        self._urgency_names = labels.urgency_names()
        self._source_names = labels.source_names()
        self._duration.retranslate()


#: columns whose sort keys are all ints (sorted by packing key and row into one int)
_INT_KEYED = frozenset(
    {COL_TIME_LEFT, COL_URGENCY, COL_DEADLINE, COL_AMOUNT, COL_ORDER, COL_REMINDERS, COL_REFUND, COL_STATUS}
)


#: columns whose equal values fall back to the time left (the others are unique per row)
_TIE_BY_TIME_LEFT = frozenset(
    {
        COL_URGENCY,
        COL_DEADLINE,
        COL_KIND,
        COL_STAGE,
        COL_STATUS,
        COL_AMOUNT,
        COL_REASON,
        COL_PRODUCT,
        COL_ORDER,
        COL_REMINDERS,
        COL_SHOP,
    }
)


def _ties_restored(order: list[int], keys: SortKeys) -> list[int]:
    """``order`` (a reversed ascending order) with each run of equal keys turned back, so ties keep
    their ascending tie-break order."""
    out: list[int] = []
    i, n = 0, len(order)
    while i < n:
        j = i + 1
        key = keys[order[i]]
        while j < n and keys[order[j]] == key:
            j += 1
        out.extend(reversed(order[i:j]) if j - i > 1 else order[i:j])
        i = j
    return out


def _int_order(keys: list[int]) -> list[int]:
    """Row numbers in ascending, stable order of integer ``keys``: each key is packed with its row
    number into one int so the sort compares plain ints (no key function: ~3x faster)."""
    shift = max(len(keys).bit_length(), 1)
    mask = (1 << shift) - 1
    packed = [k << shift | i for i, k in enumerate(keys)]
    packed.sort()
    return [p & mask for p in packed]


def _ranges(sorted_rows: list[int]) -> list[tuple[int, int]]:
    """Contiguous (first, last) runs of ascending row numbers."""
    out: list[tuple[int, int]] = []
    for r in sorted_rows:
        if out and out[-1][1] == r - 1:
            out[-1] = (out[-1][0], r)
        else:
            out.append((r, r))
    return out
