"""Choosing one reject reason for several requests.

The allowed reasons are fetched per request in the background (paced); the dialog offers the ones
every request shares, marks those that need a description or pictures, and lists — with a link to
the seller backend — the requests that would need pictures, to be rejected one by one there."""

from __future__ import annotations

import html
import threading
from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.actions import ActionEngine, ActionsCancelled, ReasonsSummary, Reject
from desktop.core.actions.planner import backend_url
from desktop.core.actions.reasons import SharedReason
from desktop.ui.i18n import fill
from desktop.ui.workers import run_in_background

MAX_DESC = 500


class RejectReasonDialog(QDialog):
    """Fetches the reasons of ``refund_ids`` with ``engine`` and lets the user pick one.

    After ``accept()``: :meth:`intent` is the :class:`Reject` to plan, :attr:`summary` the reasons
    per request (handed to the engine so it does not fetch them again).
    """

    def __init__(
        self, engine: ActionEngine, refund_ids: Sequence[int], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Reject requests"))
        self.setMinimumSize(560, 460)
        self._engine = engine
        self._ids = list(refund_ids)
        self._cancel = threading.Event()
        self.summary: ReasonsSummary | None = None

        self.status = QLabel(fill(self.tr("Reading the reasons allowed for %1 request(s)…"), len(self._ids)))
        self.status.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.setRange(0, len(self._ids))
        self.reasons = QListWidget()
        self.reasons.currentItemChanged.connect(self._reason_changed)
        self.tip = QLabel()
        self.tip.setWordWrap(True)
        self.desc = QPlainTextEdit()
        self.desc.setPlaceholderText(self.tr("Description for the buyer"))
        self.desc.setMaximumHeight(90)
        self.desc.textChanged.connect(self._validate)
        self.manual = QLabel()
        self.manual.setWordWrap(True)
        self.manual.setTextFormat(Qt.TextFormat.RichText)
        self.manual.setOpenExternalLinks(True)
        self.unavailable = QLabel()
        self.unavailable.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button: QPushButton = self.buttons.addButton(
            self.tr("Continue…"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.ok_button.setEnabled(False)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for w in (self.status, self.bar, self.reasons, self.tip, self.desc, self.manual, self.unavailable):
            layout.addWidget(w)
        layout.addWidget(self.buttons)
        for w in (self.reasons, self.tip, self.desc, self.manual, self.unavailable):
            w.setVisible(False)

    def start(self) -> None:
        engine, ids, cancel = self._engine, self._ids, self._cancel
        run_in_background(
            lambda progress: engine.reject_reasons(ids, cancelled=cancel, progress=progress),
            self._loaded,
            self._failed,
            on_progress=lambda done, total: self.bar.setValue(done),
        )

    def intent(self) -> Reject | None:
        item = self.reasons.currentItem()
        if item is None:
            return None
        return Reject(int(item.data(Qt.ItemDataRole.UserRole)), desc=self.desc.toPlainText().strip() or None)

    # ------------------------------------------------------------------------------ internals
    def _loaded(self, summary: ReasonsSummary) -> None:
        self.summary = summary
        self.bar.setVisible(False)
        readable = len(summary.per_refund)
        if not summary.shared:
            self.status.setText(
                self.tr(
                    "These requests share no reject reason: reject them in smaller groups of the same kind."
                )
                if readable
                else self.tr("None of these requests can be rejected now.")
            )
        else:
            self.status.setText(fill(self.tr("Reasons allowed for all %1 request(s):"), readable))
        for reason in summary.shared:
            marks = []
            if reason.needs_desc:
                marks.append(self.tr("description required"))
            if reason.needs_images:
                marks.append(fill(self.tr("pictures required for %1"), len(reason.image_refunds)))
            text = reason.desc + (f"  〔{'，'.join(marks)}〕" if marks else "")
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, reason.code)
            if reason.needs_images:
                item.setForeground(Qt.GlobalColor.darkYellow)
            self.reasons.addItem(item)
        if summary.unavailable:
            self.unavailable.setText(
                fill(
                    self.tr("Cannot be rejected now: %1"),
                    (
                        self.tr("; ").join(
                            fill(self.tr("%1 (%2)"), rid, msg) for rid, msg in summary.unavailable.items()
                        )
                    ),
                )
            )
        self.unavailable.setVisible(bool(summary.unavailable))
        self.reasons.setVisible(bool(summary.shared))
        self.desc.setVisible(bool(summary.shared))
        if summary.shared:
            self.reasons.setCurrentRow(0)

    def _failed(self, exc: BaseException) -> None:
        self.bar.setVisible(False)
        if isinstance(exc, ActionsCancelled):
            self.status.setText(self.tr("Cancelled."))
            return
        self.status.setText(fill(self.tr("The reasons could not be read: %1"), exc))

    def _reason_changed(self, current: QListWidgetItem | None, _previous: object = None) -> None:
        reason = self._selected()
        if reason is None:
            return
        self.tip.setText(reason.tip or "")
        self.tip.setVisible(bool(reason.tip))
        if reason.needs_images:
            links = "<br>".join(
                f'<a href="{html.escape(backend_url(rid))}">{rid}</a>' for rid in reason.image_refunds
            )
            self.manual.setText(
                self.tr(
                    "This reason needs pictures for these requests; they are not sent here. "
                    "Reject them one by one in the seller backend:"
                )
                + "<br>"
                + links
            )
        self.manual.setVisible(reason.needs_images)
        self._validate()

    def _selected(self) -> SharedReason | None:
        item = self.reasons.currentItem()
        if item is None or self.summary is None:
            return None
        return self.summary.reason(int(item.data(Qt.ItemDataRole.UserRole)))

    def _validate(self) -> None:
        reason = self._selected()
        text = self.desc.toPlainText().strip()
        ok = reason is not None and len(text) <= MAX_DESC and (bool(text) or not reason.needs_desc)
        if (
            reason is not None
            and reason.needs_images
            and len(reason.image_refunds) == len(self.summary.per_refund if self.summary else ())
        ):
            ok = False  # every request would need pictures: nothing could be sent
        self.ok_button.setEnabled(ok)

    def reject(self) -> None:
        self._cancel.set()
        super().reject()
