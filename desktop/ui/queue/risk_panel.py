"""The risk panel: the shop's estimated exposure under the 2023-05-09 notice.

Public API::

    panel = RiskPanel()
    panel.set_estimate(estimate)        # desktop.core.domain.risk.RiskEstimate (computed in the background)
    panel.rescueRequested.connect(queue.select_refunds)   # list[int] refund ids, deadline order

Shows the level as a badge (colour *and* words), the reasons each tagged sourced/assumed, the notice's
sanctions for the level, the forecast per horizon with its rescue list (a button selects those
requests in the queue), the platform's own experience score beside the estimate (never mixed into
it), and a QtCharts chart of the 90-day daily series.

The parts a seller acts on come first (a laptop's dock shows the top of the panel): the badge beside
the score, the forecast with its rescue buttons, the reasons (the note on sourced/assumed thresholds
closes them), then the chart.
The chart (and the QtCharts module) is only created once there is a daily series to draw, so the
panel costs the app's start-up next to nothing.
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QDateTime, QEvent, QMargins, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.ui.i18n import fill
from desktop.ui.queue import labels

if TYPE_CHECKING:
    from PySide6.QtCharts import QChart, QChartView

    from desktop.core.domain.risk import DailyPoint, Forecast, RiskEstimate, ShopScoreView
    from desktop.core.risk_answer import HistoryProgress, RiskAnswer

LEVEL_COLOURS = {
    "low": ("#1e7b34", "#dff3e4"),
    "watch": ("#8a6d00", "#fdf3c8"),
    "elevated": ("#b45309", "#fde3cf"),
    "high": ("#b3261e", "#f8d7da"),
}


# height of the chart: enough for its axes, legend and a readable series in the dock
CHART_HEIGHT = 240
#: a longer daily series is drawn as weekly sums: 90 daily spikes of 0–2 read as noise in a dock
WEEKLY_AFTER_DAYS = 31


def weekly(daily: Sequence[DailyPoint]) -> tuple[DailyPoint, ...]:
    """The daily points summed per 7 days (the last week may be shorter), each at its first day."""
    out = []
    for start in range(0, len(daily), 7):
        chunk = daily[start : start + 7]
        out.append(
            dataclasses.replace(
                chunk[0],
                **{
                    name: sum(getattr(p, name) for p in chunk)
                    for name in ("auto_refund_only", "auto_return_refund", "auto_other", "handled_in_time")
                },
            )
        )
    return tuple(out)


def _italic(text: str) -> str:
    return f"<i>{html.escape(text)}</i>"


class RiskPanel(QWidget):
    """Read-only view of a ``RiskEstimate``."""

    rescueRequested = Signal(list)  # refund ids

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._estimate: RiskEstimate | None = None
        self._history: HistoryProgress | None = None  # None: not known
        self._guarded: dict[int, Forecast] = {}  # the forecast with the guard, by horizon

        self.badge = QLabel()
        self.badge.setObjectName("risk-badge")
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.badge.setMinimumWidth(120)
        # a narrow panel wraps the badge's words ("27 close(s) to check") instead of cutting them off
        self.badge.setWordWrap(True)
        self.score_box = QGroupBox()
        self.score = QLabel()
        self.score.setObjectName("risk-score")
        self.score.setWordWrap(True)
        self.score.setTextFormat(Qt.TextFormat.RichText)
        QVBoxLayout(self.score_box).addWidget(self.score)

        self.reasons_box = QGroupBox()
        self.reasons = QLabel()
        self.reasons.setObjectName("risk-reasons")
        self.reasons.setWordWrap(True)
        self.reasons.setTextFormat(Qt.TextFormat.RichText)
        self.caveat = QLabel()
        self.caveat.setWordWrap(True)
        self.caveat.setObjectName("risk-caveat")
        small = self.caveat.font()
        small.setPointSizeF(small.pointSizeF() * 0.9)
        self.caveat.setFont(small)
        reasons_layout = QVBoxLayout(self.reasons_box)
        reasons_layout.addWidget(self.reasons)
        reasons_layout.addWidget(self.caveat)

        self.forecast_box = QGroupBox()
        self.forecast_grid = QGridLayout(self.forecast_box)
        self.forecast_grid.setColumnStretch(1, 1)
        self.rescue_buttons: list[QPushButton] = []

        # the chart is built with the first daily series (see _ensure_chart); a note stands in for it
        self.chart: QChart | None = None
        self.chart_view: QChartView | None = None
        self.chart_note = QLabel()
        self.chart_note.setObjectName("risk-chart-note")
        self.chart_note.setAlignment(Qt.AlignmentFlag.AlignCenter)

        top = QHBoxLayout()
        top.addWidget(self.badge, 1, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.score_box, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.forecast_box)
        layout.addWidget(self.reasons_box)
        layout.addWidget(self.chart_note)
        layout.addStretch(1)
        self._layout = layout
        self._apply_secondary_colour()
        self._retranslate()
        self._render()

    # --------------------------------------------------------------------------------- public
    def set_estimate(self, estimate: RiskEstimate | None, guarded: Sequence[Forecast] | None = None) -> None:
        """Show a ``RiskEstimate`` (``None``: not computed yet). ``guarded``: the forecast with the
        guard as configured (one per horizon; ``None`` while the guard is off), shown as a second
        line under each horizon."""
        self._estimate = estimate
        self._history = None
        self._guarded = {f.horizon_hours: f for f in guarded or ()}
        self._render()

    def set_answer(self, answer: RiskAnswer | None) -> None:
        """Show a ``RiskAnswer`` (:mod:`desktop.core.risk_answer`): while its history is not
        complete, the badge says the estimate is partial and how far the history got instead of a
        level that would change by itself."""
        self._estimate = answer.estimate if answer is not None else None
        self._history = answer.history if answer is not None else None
        self._guarded = {f.horizon_hours: f for f in (answer.guarded if answer is not None else None) or ()}
        self._render()

    @property
    def partial(self) -> bool:
        return self._history is not None and not self._history.complete

    @property
    def estimate(self) -> RiskEstimate | None:
        return self._estimate

    # ------------------------------------------------------------------------------- rendering
    def _level_names(self) -> dict[str, str]:
        return labels.level_names()

    def _basis_tag(self, basis: str | None) -> str:
        if basis == "sourced":
            text = self.tr("sourced")
            return f"<span style='color:#1e7b34'>[{html.escape(text)}]</span>"
        if basis == "assumed":
            text = self.tr("assumed")
            return f"<span style='color:#8a6d00'>[{html.escape(text)}]</span>"
        return ""

    def _render(self) -> None:
        est = self._estimate
        names = self._level_names()
        if est is None:
            self.badge.setText(self.tr("Risk: not estimated yet"))
            self.badge.setStyleSheet("QLabel#risk-badge { padding: 6px 12px; border-radius: 6px; }")
            self.reasons.setText(_italic(self.tr("The estimate appears after the first sync.")))
            self.score.setText(_italic(self.tr("Not fetched yet")))
            self._render_forecast(())
            self._render_chart(())
            return
        level = est.level
        fg, bg = LEVEL_COLOURS.get(level, ("#333333", "#eeeeee"))
        self.badge.setText(fill(self.tr("Risk: %1"), names.get(level, level)))
        history = self._history
        if history is not None and not history.complete:
            fg, bg = "#555555", "#eeeeee"
            if not history.swept:
                got = fill(self.tr("history %1 of %2 days"), history.swept_days, history.sweep_days)
            else:
                got = self.tr("%n close(s) to check", "", history.to_refine)
            self.badge.setText(self.tr("Risk: partial") + "\n" + got)
            self.badge.setToolTip(
                self.tr(
                    "The level is shown once the shop's 90-day history is complete: first its download, then "
                    "the recent closes whose outcome needs their negotiation history (a few each sync)."
                )
            )
        else:
            self.badge.setToolTip("")
        self.badge.setStyleSheet(
            f"QLabel#risk-badge {{ color: {fg}; background: {bg}; border: 1px solid {fg};"
            " border-radius: 6px; padding: 6px 12px; font-weight: bold; font-size: 15px; }"
        )
        self.badge.setAccessibleName(self.badge.text())

        parts = []
        for r in est.reasons:
            parts.append(f"• {html.escape(r.text)} {self._basis_tag(r.basis)}")
        if not parts:
            parts.append(html.escape(self.tr("No rule of the model is reached.")))
        if est.exposure is not None and est.exposure.sanctions:
            sanctions = self.tr(", ").join(html.escape(s.text) for s in est.exposure.sanctions)
            parts.append(
                "<br><b>"
                + html.escape(self.tr("Sanctions the notice lists at this level (not a prediction):"))
                + f"</b> {sanctions} {self._basis_tag(est.exposure.basis)}"
            )
        self.reasons.setText("<br>".join(parts))
        self._render_score(est.shop_score)
        self._render_forecast(est.forecast)
        self._render_chart(est.daily)

    def _render_score(self, score: ShopScoreView | None) -> None:
        if score is None:
            self.score.setText(_italic(self.tr("Not fetched yet")))
            return
        if not score.has_data:
            body = html.escape(self.tr("The platform has no score for this shop yet."))
        else:
            names = self._platform_names()
            body = (
                f"<span style='font-size:18px;font-weight:bold'>{html.escape(score.score_str or '—')}</span>"
                f" {html.escape(names.get(score.show_name or '', score.show_name or ''))}"
            )
            after = score.after_sale
            if after:
                name = names.get(after[0] or "", after[0] or "")
                body += f"<br>{html.escape(fill(self.tr('%1:'), name))} <b>{html.escape(after[1] or '—')}</b>"
        fetched = labels.format_local_time(score.fetched_at_ms, with_year=True)
        note = fill(self.tr("The platform's own figure, fetched %1; not part of this estimate."), fetched)
        grey = labels.secondary_text(self.palette()).name()
        self.score.setText(f"{body}<br><small style='color:{grey}'>{html.escape(note)}</small>")

    def _platform_names(self) -> dict[str, str]:
        """The platform's names of its score and dimensions (it sends them in Chinese), in the
        interface's language; a name not listed here is shown as sent."""
        return {
            "店铺体验分": self.tr("Shop experience score"),
            "售后体验": self.tr("After-sale experience"),
            "商品体验": self.tr("Product experience"),
            "物流体验": self.tr("Logistics experience"),
            "服务体验": self.tr("Service experience"),
            "客服体验": self.tr("Customer service experience"),
        }

    def _render_forecast(self, forecasts: Sequence[Forecast]) -> None:
        while self.forecast_grid.count():
            item = self.forecast_grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.rescue_buttons = []
        names = self._level_names()
        if not forecasts:
            self.forecast_grid.addWidget(QLabel(self.tr("No forecast yet.")), 0, 0)
            return
        for i, f in enumerate(forecasts):
            head = QLabel(fill(self.tr("In %1 h"), f.horizon_hours))
            head.setStyleSheet("font-weight: bold")
            text = fill(self.tr("Level %1"), names.get(f.level, f.level))
            if f.changes_at_ms is not None and f.changes_to is not None:
                text += " · " + fill(
                    self.tr("becomes %1 at %2"),
                    names.get(f.changes_to, f.changes_to),
                    labels.format_local_time(f.changes_at_ms),
                )
            if f.would_auto_approve:
                text += " · " + fill(
                    self.tr("%1 would be auto-approved (%2)"),
                    len(f.would_auto_approve),
                    labels.format_fen(f.money_at_stake_fen),
                )
            else:
                text += " · " + self.tr("nothing expires")
            g = self._guarded.get(f.horizon_hours)
            if g is not None:
                text += "\n" + fill(self.tr("With the guard: level %1"), names.get(g.level, g.level))
                if g.would_auto_approve:
                    text += " · " + fill(self.tr("%1 still auto-approved"), len(g.would_auto_approve))
            body = QLabel(text)
            body.setWordWrap(True)
            row = 2 * i
            self.forecast_grid.addWidget(head, row, 0, Qt.AlignmentFlag.AlignTop)
            self.forecast_grid.addWidget(body, row, 1)
            if f.rescue:
                button = QPushButton(
                    fill(
                        self.tr("Select the %1 to handle (%2)"),
                        len(f.rescue),
                        labels.format_fen(f.rescue_money_fen),
                    )
                )
                tip = (
                    self.tr("Handling these keeps the current level")
                    if f.rescue_keeps_level
                    else self.tr("Even handling all of these cannot keep the current level")
                )
                button.setToolTip(tip)
                ids = list(f.rescue)
                button.clicked.connect(lambda _checked=False, ids=ids: self.rescueRequested.emit(ids))
                # under its line, not beside it: the line keeps the dock's width and reads as one
                self.forecast_grid.addWidget(button, row + 1, 1, Qt.AlignmentFlag.AlignLeft)
                self.rescue_buttons.append(button)

    def _ensure_chart(self) -> tuple[QChart, QChartView]:
        """The chart and its view, created (and QtCharts imported) on first use."""
        if self.chart is None or self.chart_view is None:
            from PySide6.QtCharts import QChart, QChartView

            self.chart = QChart()
            self.chart.setMargins(QMargins(4, 4, 4, 4))
            self.chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
            self.chart_view = QChartView(self.chart)
            self.chart_view.setRenderHint(QPainter.RenderHint.Antialiasing)
            self.chart_view.setMinimumHeight(CHART_HEIGHT)
            self._layout.insertWidget(self._layout.indexOf(self.chart_note), self.chart_view, 1)
        return self.chart, self.chart_view

    def _render_chart(self, daily: Sequence[DailyPoint]) -> None:
        if not daily:
            self.chart_note.setText(self.tr("No daily history yet"))
            self.chart_note.setVisible(True)
            if self.chart_view is not None:
                self.chart_view.setVisible(False)
            return
        from PySide6.QtCharts import QAreaSeries, QDateTimeAxis, QLineSeries, QValueAxis

        chart, view = self._ensure_chart()
        self.chart_note.setVisible(False)
        view.setVisible(True)
        chart.removeAllSeries()
        # QAreaSeries does not own its boundary lines: keep them alive as long as the areas
        self._area_bounds: list[QLineSeries] = []
        for axis in chart.axes():
            chart.removeAxis(axis)  # the chart gives up its ownership: the old axis is deleted here
            axis.deleteLater()
        days = len(daily)
        daily = weekly(daily) if days > WEEKLY_AFTER_DAYS else tuple(daily)
        if days > WEEKLY_AFTER_DAYS:
            chart.setTitle(
                self.tr(
                    "Last %n day(s), per week: auto-approved (areas) and handled in time (line)", "", days
                )
            )
        else:
            chart.setTitle(
                self.tr("Last %n day(s): auto-approved (areas) and handled in time (line)", "", days)
            )
        # stacked areas: refund-only at the bottom, then return-and-refund, then the other kinds;
        # short legend names (the title says what the areas are): they must fit the dock's width
        keys = (
            ("auto_refund_only", self.tr("Refund only"), QColor("#d05a00")),
            ("auto_return_refund", self.tr("Return and refund"), QColor("#b3261e")),
            ("auto_other", self.tr("Other kinds"), QColor("#7a3e9d")),
        )
        x_axis = QDateTimeAxis()
        x_axis.setFormat("MM-dd")
        x_axis.setTickCount(7)
        y_axis = QValueAxis()
        y_axis.setLabelFormat("%d")
        y_axis.setLabelsColor(QColor("#b3261e"))  # left: auto-approvals (the areas)
        y2_axis = QValueAxis()
        y2_axis.setLabelFormat("%d")
        y2_axis.setLabelsColor(QColor("#2f5fb3"))  # right: handled in time (the line)
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        chart.addAxis(y2_axis, Qt.AlignmentFlag.AlignRight)
        base = [0] * len(daily)
        top_value = 1
        for attr, name, colour in keys:
            lower = QLineSeries()
            upper = QLineSeries()
            for i, p in enumerate(daily):
                x = p.day_start_ms
                value = base[i] + getattr(p, attr)
                lower.append(x, base[i])
                upper.append(x, value)
                base[i] = value
                top_value = max(top_value, value)
            area = QAreaSeries(upper, lower)
            self._area_bounds += [upper, lower]
            area.setName(name)
            brush = QColor(colour)
            brush.setAlpha(170)
            area.setBrush(brush)
            area.setPen(QPen(colour, 1))
            chart.addSeries(area)
            area.attachAxis(x_axis)
            area.attachAxis(y_axis)
        handled = QLineSeries()
        handled.setName(self.tr("Handled in time"))
        handled.setPen(QPen(QColor("#2f5fb3"), 1.5))
        top_handled = 1
        for p in daily:
            handled.append(p.day_start_ms, p.handled_in_time)
            top_handled = max(top_handled, p.handled_in_time)
        chart.addSeries(handled)
        handled.attachAxis(x_axis)
        handled.attachAxis(y2_axis)
        x_axis.setRange(
            QDateTime.fromMSecsSinceEpoch(daily[0].day_start_ms),
            QDateTime.fromMSecsSinceEpoch(daily[-1].day_start_ms),
        )
        for axis, top in ((y_axis, top_value), (y2_axis, top_handled)):
            axis.setRange(0, max(top, 4))  # whole counts: at least 0..4 so the %d labels stay distinct
            axis.applyNiceNumbers()

    def _apply_secondary_colour(self) -> None:
        """Notes in the secondary text colour of the current palette (light or dark theme)."""
        grey = labels.secondary_text(self.palette()).name()
        self.caveat.setStyleSheet(f"QLabel#risk-caveat {{ color: {grey}; }}")
        self.chart_note.setStyleSheet(f"QLabel#risk-chart-note {{ color: {grey}; }}")

    def _retranslate(self) -> None:
        self.caveat.setText(
            self.tr(
                "An estimate by this app: the notice of 2023-05-09 publishes no thresholds, so each rule "
                "below says whether its threshold is sourced or assumed."
            )
        )
        self.score_box.setTitle(self.tr("Platform experience score"))
        self.reasons_box.setTitle(self.tr("Why"))
        self.forecast_box.setTitle(self.tr("If nothing is done"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            self._render()
        elif event.type() == QEvent.Type.PaletteChange:
            self._apply_secondary_colour()
            self._render()
        super().changeEvent(event)
