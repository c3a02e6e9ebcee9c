"""The parts of a queue view: the table that repaints only what the countdown changed, and the
urgency legend (shape, name and bound of each tier, so colour is never the only cue)."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QRect
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QLabel, QTableView, QWidget

from desktop.core.queue_rows import URGENCIES, UrgencyScale
from desktop.ui.queue import labels


class QueueTable(QTableView):
    """A table view that repaints only the visible part of a column when a whole column changes
    (the countdown tick), instead of the whole viewport."""

    def dataChanged(
        self,
        top_left: QModelIndex | QPersistentModelIndex,
        bottom_right: QModelIndex | QPersistentModelIndex,
        roles: Sequence[int] = (),
    ) -> None:
        if top_left == bottom_right or self.state() == QAbstractItemView.State.EditingState:
            super().dataChanged(top_left, bottom_right, roles)
            return
        viewport = self.viewport()
        height = viewport.height()
        # rows: their band, clipped to the viewport (a whole column: the full height)
        top = self.rowViewportPosition(top_left.row())
        bottom = self.rowViewportPosition(bottom_right.row())
        if top_left.row() == 0 and bottom_right.row() == self.model().rowCount() - 1:
            y0, y1 = 0, height
        else:
            y0 = top if top >= 0 else 0
            y1 = bottom + self.rowHeight(bottom_right.row()) if bottom >= 0 else height
            if top > height or (bottom >= 0 and y1 < 0):
                return  # entirely outside the visible rows
        # columns: one column's band, or the full width
        col = top_left.column()
        if col == bottom_right.column():
            if self.isColumnHidden(col):
                return
            x0, width = self.columnViewportPosition(col), self.columnWidth(col)
        else:
            x0, width = 0, viewport.width()
        rect = QRect(x0, y0, width, max(0, y1 - y0)).intersected(viewport.rect())
        if not rect.isEmpty():
            viewport.update(rect)


class UrgencyLegend(QWidget):
    """The urgency tiers as shape + name + bound, so colour is never the only cue."""

    def __init__(self, scale: UrgencyScale, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._scale = scale
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(12)
        self._build()

    def set_scale(self, scale: UrgencyScale) -> None:
        self._scale = scale
        self._build()

    def _build(self) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        title = QLabel(self.tr("Legend:"))
        self._layout.addWidget(title)
        names = labels.urgency_names()
        bounds = self._bounds()
        for key in URGENCIES:
            icon = QLabel()
            icon.setPixmap(labels.urgency_icon(key).pixmap(14, 14))
            icon.setAccessibleName(names[key])
            text = QLabel(f"{names[key]} {bounds[key]}")
            text.setObjectName(f"legend-{key}")
            box = QWidget()
            row = QHBoxLayout(box)
            row.setContentsMargins(6, 1, 6, 1)
            row.setSpacing(4)
            row.addWidget(icon)
            row.addWidget(text)
            bg = labels.URGENCY_BACKGROUND.get(key)
            if bg is not None:
                box.setAutoFillBackground(True)
                pal = box.palette()
                pal.setColor(box.backgroundRole(), bg)
                pal.setColor(text.foregroundRole(), labels.DARK_TEXT)
                box.setPalette(pal)
                text.setPalette(pal)
            self._layout.addWidget(box)
        self._layout.addStretch(1)

    def _bounds(self) -> dict[str, str]:
        hours = self.tr("{n} h")

        def h(seconds: int) -> str:
            value = seconds / 3600
            return hours.format(n=f"{value:g}")

        s = self._scale
        return {
            "overdue": self.tr("(past the deadline)"),
            "critical": f"(≤ {h(s.critical_s)})",
            "urgent": f"(≤ {h(s.urgent_s)})",
            "warn": f"(≤ {h(s.warn_s)})",
            "info": f"(> {h(s.warn_s)})",
        }

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._build()
        super().changeEvent(event)
