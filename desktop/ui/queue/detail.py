"""The detail pane: the whole of one request.

Public API::

    pane = DetailPane(backend_url="https://s.kwaixiaodian.com/zone/refund/detail?refundId={refund_id}")
    pane.show_row(row)            # QueueRow | None: the headline at once (no I/O)
    pane.set_detail(detail)       # RefundDetail (from desktop.core.queue_rows.load_detail, background)
    pane.update_time(now_ms)      # connect QueueModel.ticked: the time left stays live
    pane.openRequested(str)       # emitted with the URL just opened in the browser

The seller-backend link opens with ``QDesktopServices`` (the system browser); its URL is a template
with ``{refund_id}`` and ``{order_id}`` (the ``backend_url`` argument), :data:`DEFAULT_BACKEND_URL` by default.

Everything here comes from the platform or the user, so every label is plain text (Qt's
auto-detected rich text drew a product name with markup large and red, and loaded ``<img src=file:…>``);
the three composed sections build their markup from escaped, neutralised texts
(:mod:`desktop.core.textsafe`: no bidirectional overrides). Picture links are made and opened only
for ``https`` addresses; a click is checked again before the browser is asked.
"""

from __future__ import annotations

import html
from collections.abc import Mapping

from PySide6.QtCore import QEvent, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from desktop.core.queue_rows import QueueRow, RefundDetail
from desktop.core.textsafe import https_link, neutralise
from desktop.ui.i18n import fill
from desktop.ui.queue import labels

#: the Kuaishou seller backend's after-sale detail page (快手小店商家后台 · 售后详情)
DEFAULT_BACKEND_URL = "https://s.kwaixiaodian.com/zone/refund/detail?refundId={refund_id}"


def _italic(text: str) -> str:
    return f"<i>{html.escape(text)}</i>"


def _esc(value: object) -> str:
    """A platform or user text for a rich-text label: neutralised, then escaped."""
    return html.escape(neutralise(value))


def _plain_label(text: str = "") -> QLabel:
    label = QLabel()
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    return label


def backend_url(template: str, row: QueueRow) -> str:
    """The seller-backend URL of a request from a ``{refund_id}`` / ``{order_id}`` template."""
    return template.format(refund_id=row.refund_id, order_id=row.order_id or "")


class DetailPane(QScrollArea):
    """Read-only view of one request; empty state when nothing is selected."""

    openRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, backend_url: str = DEFAULT_BACKEND_URL) -> None:
        super().__init__(parent)
        self._template = backend_url
        self._row: QueueRow | None = None
        self._detail: RefundDetail | None = None
        self._now_ms: int | None = None
        self._duration = labels.DurationFormat()
        self.setWidgetResizable(True)
        self.setMinimumWidth(320)

        body = QWidget()
        self._layout = QVBoxLayout(body)
        self.title = _plain_label()
        self.title.setObjectName("detail-title")
        self.title.setWordWrap(True)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.title.setFont(font)
        self.countdown = _plain_label()
        self.countdown.setObjectName("detail-countdown")
        self.countdown.setWordWrap(True)
        self.consequence = _plain_label()
        self.consequence.setObjectName("detail-consequence")
        self.consequence.setWordWrap(True)
        self.open_button = QPushButton()
        self.open_button.clicked.connect(self.open_in_backend)

        self.facts_box = QGroupBox()
        self.facts = QFormLayout(self.facts_box)
        self.facts.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.buyer_box = QGroupBox()
        self.buyer = QLabel()
        self.buyer.setWordWrap(True)
        self.buyer.setOpenExternalLinks(False)  # every click goes through open_picture's check
        self.buyer.setTextFormat(Qt.TextFormat.RichText)
        self.buyer.linkActivated.connect(self.open_picture)
        QVBoxLayout(self.buyer_box).addWidget(self.buyer)
        self.timeline_box = QGroupBox()
        self.timeline = QLabel()
        self.timeline.setWordWrap(True)
        self.timeline.setTextFormat(Qt.TextFormat.RichText)
        QVBoxLayout(self.timeline_box).addWidget(self.timeline)
        self.history_box = QGroupBox()
        self.history = QLabel()
        self.history.setWordWrap(True)
        self.history.setTextFormat(Qt.TextFormat.RichText)
        QVBoxLayout(self.history_box).addWidget(self.history)
        self.empty = _plain_label()
        self.empty.setObjectName("detail-empty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)

        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignTop)
        self._layout.addLayout(head)
        self._layout.addWidget(self.countdown)
        self._layout.addWidget(self.consequence)
        for w in (self.facts_box, self.buyer_box, self.timeline_box, self.history_box):
            self._layout.addWidget(w)
        self._layout.addWidget(self.empty, 1)
        self._layout.addStretch(1)
        self.setWidget(body)
        self._retranslate()
        self._render()

    # --------------------------------------------------------------------------------- public
    @property
    def row(self) -> QueueRow | None:
        return self._row

    @property
    def refund_detail(self) -> RefundDetail | None:
        """The full detail shown (``None`` until :meth:`set_detail` delivered the row's)."""
        return self._detail

    def show_row(self, row: QueueRow | None) -> None:
        """Show the request's headline at once; the rest arrives with :meth:`set_detail`."""
        if row is None or self._row is None or row.key != self._row.key:
            self._detail = None
        self._row = row
        self._render()

    def set_detail(self, detail: RefundDetail) -> None:
        """The full detail (ignored when the selection moved on meanwhile)."""
        if self._row is not None and detail.row.key != self._row.key:
            return
        self._row = detail.row
        self._detail = detail
        self._render()

    def update_time(self, now_ms: int) -> None:
        """Refresh the time left (server-clock ``now``, e.g. from ``QueueModel.ticked``)."""
        self._now_ms = now_ms
        if self._row is not None:
            self._render_countdown()

    def current_backend_url(self) -> str | None:
        return backend_url(self._template, self._row) if self._row is not None else None

    def open_in_backend(self) -> None:
        url = self.current_backend_url()
        if not url:
            return
        if QDesktopServices.openUrl(QUrl(url)):
            self.openRequested.emit(url)
            return
        # no browser opened: the address goes to the clipboard, and the seller is told so
        QGuiApplication.clipboard().setText(url)
        QMessageBox.warning(
            self,
            self.tr("No browser opened"),
            fill(
                self.tr(
                    "The system did not open a browser for the request. Its address was copied to "
                    "the clipboard: paste it into your browser's address bar.\n\n%1"
                ),
                url,
            ),
        )

    def open_picture(self, url: str) -> bool:
        """Open a buyer's picture in the browser, only when it is an ``https`` address."""
        safe = https_link(url)
        if safe is None:
            return False
        QDesktopServices.openUrl(QUrl(safe))
        self.openRequested.emit(safe)
        return True

    # ------------------------------------------------------------------------------- rendering
    def _render(self) -> None:
        row = self._row
        shown = row is not None
        for w in (
            self.title,
            self.countdown,
            self.consequence,
            self.open_button,
            self.facts_box,
            self.buyer_box,
        ):
            w.setVisible(shown)
        self.empty.setVisible(not shown)
        has_detail = self._detail is not None
        self.timeline_box.setVisible(shown and has_detail)
        self.history_box.setVisible(shown and has_detail)
        if row is None:
            return
        kinds = labels.kind_names()
        stages = labels.stage_names()
        self.title.setText(
            f"{kinds.get(row.kind, row.kind)} · {labels.format_fen(row.refund_fee)} · "
            f"{neutralise(row.product) or '—'}"
        )
        self._render_countdown()
        consequence = labels.stage_consequences().get(row.stage, "")
        if self._detail is not None and self._detail.stage_basis:
            basis = self.tr("sourced") if self._detail.stage_basis == "sourced" else self.tr("assumed")
            consequence = f"{consequence} [{basis}]"
        self.consequence.setText(
            fill(self.tr("When the deadline passes: %1"), consequence) if consequence else ""
        )

        while self.facts.rowCount():
            self.facts.removeRow(0)
        status = (
            labels.status_names().get(row.status) or labels.unknown_value(row.status)
            if row.status is not None
            else "—"
        )
        refund = self._detail.refund if self._detail is not None else None
        detail = self._detail.detail if self._detail is not None else {}
        facts: list[tuple[str, str]] = [
            (self.tr("Refund ID"), str(row.refund_id)),
            (self.tr("Order"), str(row.order_id) if row.order_id else "—"),
            (self.tr("Shop"), neutralise(row.shop_name) or "—"),
            (self.tr("Stage"), stages.get(row.stage) or row.stage),
            (self.tr("Status"), status),
            (self.tr("Refund amount"), labels.format_fen(row.refund_fee)),
        ]
        freight = self._detail.return_freight_fen if self._detail is not None else None
        if freight is not None:
            facts.append((self.tr("Return freight"), labels.format_fen(freight)))
        count = detail.get("productNum") if isinstance(detail, Mapping) else None
        if count:
            facts.append((self.tr("Quantity"), neutralise(count)))
        if row.submit_time:
            facts.append((self.tr("Submitted"), labels.format_local_time(row.submit_time, with_year=True)))
        if row.urge_times:
            facts.append((self.tr("Buyer reminders"), str(row.urge_times)))
        for name, value in facts:
            label = _plain_label(value)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setWordWrap(True)
            self.facts.addRow(name, label)

        no_reason = self.tr("No reason given")
        reason_parts = [f"<b>{_esc(row.reason or no_reason)}</b>"]
        desc = getattr(refund, "refund_desc", None) or (
            detail.get("refundDesc") if isinstance(detail, Mapping) else None
        )
        if desc:
            reason_parts.append(_esc(desc))
        negotiate = detail.get("negotiateReason") if isinstance(detail, Mapping) else None
        if negotiate:
            reason_parts.append(_esc(fill(self.tr("Negotiation: %1"), neutralise(negotiate))))
        pictures = self._detail.pictures if self._detail is not None else ()
        if pictures:
            picture = self.tr("Picture %1")
            refused = self.tr("Picture %1 (not opened: not an https address)")
            links = []
            for i, url in enumerate(pictures, start=1):
                safe = https_link(url)
                if safe is None:
                    links.append(html.escape(fill(refused, i)))
                else:
                    links.append(
                        f'<a href="{html.escape(safe, quote=True)}">{html.escape(fill(picture, i))}</a>'
                    )
            reason_parts.append(" · ".join(links))
        elif self._detail is not None:
            reason_parts.append(_italic(self.tr("No pictures")))
        self.buyer.setText("<br>".join(reason_parts))

        if self._detail is not None:
            self.timeline.setText(self._timeline_html(self._detail))
            self.history.setText(self._history_html(self._detail))

    def _render_countdown(self) -> None:
        row = self._row
        if row is None:
            return
        if row.expire_at_ms is None:
            self.countdown.setText(self.tr("No deadline known for this stage."))
            return
        when = labels.format_local_time(row.expire_at_ms, with_year=True)
        source = labels.source_names().get(row.deadline_source, "")
        if self._now_ms is None:
            text = fill(self.tr("Deadline %1"), when)
        else:
            left = self._duration((row.expire_at_ms - self._now_ms) // 1000)
            text = fill(self.tr("%1 left · deadline %2"), left, when)
        self.countdown.setText(f"{text}\n{source}")

    def _timeline_html(self, detail: RefundDetail) -> str:
        if not detail.observations:
            return _italic(self.tr("No observation recorded yet"))
        statuses = labels.status_names()
        lines = []
        for ob in detail.observations:
            status = getattr(ob, "status", None)
            if status is None:
                text = "—"
            else:
                text = (statuses.get(status) if isinstance(status, int) else None) or labels.unknown_value(
                    status
                )
            expire = getattr(ob, "expire_time", None)
            extra = fill(self.tr("deadline %1"), labels.format_local_time(expire)) if expire else ""
            seen = labels.format_local_time(getattr(ob, "seen_at", None), with_year=True)
            lines.append(
                f"<tr><td style='padding-right:8px;white-space:nowrap'>{seen}</td>"
                f"<td>{_esc(text)}</td><td style='padding-left:8px'>{_esc(extra)}</td></tr>"
            )
        return "<table>" + "".join(lines) + "</table>"

    def _history_html(self, detail: RefundDetail) -> str:
        if not detail.comments:
            return _italic(self.tr("No negotiation history fetched"))
        lines = []
        for c in detail.comments:
            when = labels.format_local_time(c.get("create_time"), with_year=True)
            who = c.get("staff_account_name") or (
                fill(self.tr("role %1"), c.get("role")) if c.get("role") is not None else ""
            )
            lines.append(
                f"<tr><td style='padding-right:8px;white-space:nowrap'>{when}</td>"
                f"<td>{_esc(c.get('title') or '')}</td>"
                f"<td style='padding-left:8px;color:#555'>{_esc(who)}</td></tr>"
            )
        return "<table>" + "".join(lines) + "</table>"

    def _retranslate(self) -> None:
        self.open_button.setText(self.tr("Open in the Kuaishou seller backend"))
        self.open_button.setToolTip(self.tr("Opens the request in your browser"))
        self.facts_box.setTitle(self.tr("Request"))
        self.buyer_box.setTitle(self.tr("Buyer's reason and pictures"))
        self.timeline_box.setTitle(self.tr("What the app observed"))
        self.history_box.setTitle(self.tr("Negotiation history"))
        self.empty.setText(self.tr("Select a request to see its details."))
        self._duration.retranslate()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            self._render()
        super().changeEvent(event)
