"""The preview of a bulk action: how many of each kind, the money, the warnings that matter, what is
skipped and why — and the choices that change the plan (return address, confirming returns whose
goods are not back, unticking requests). Re-planning uses the reads the plan already holds
(:func:`desktop.core.actions.planner.replan`): nothing is fetched while the user decides."""

from __future__ import annotations

import dataclasses
import html

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.actions import (
    ActionKind,
    Approve,
    Plan,
    PlannedAction,
    Reject,
    WarningCode,
    freight_refusal_problem,
)
from desktop.core.actions.model import MAX_FREIGHT_REJECT_DESC, MAX_IMAGES
from desktop.core.actions.planner import UNRETURNED_STATUSES, backend_url, replan
from desktop.ui.actions.texts import kind_name, warning_short, warning_text
from desktop.ui.i18n import fill
from desktop.ui.queue.labels import format_fen

#: an exchange is agreed with the return call, but the seller agrees to an exchange, not a return
EXCHANGE = "approve_exchange"
_KIND_ORDER = (
    ActionKind.APPROVE_REFUND,
    ActionKind.APPROVE_RETURN,
    EXCHANGE,
    ActionKind.CONFIRM_RECEIPT,
    ActionKind.REJECT,
)
_HW_EXCHANGE = 3


def category(action: PlannedAction) -> ActionKind | str:
    """The line of the preview's summary an action counts in (exchanges apart from returns)."""
    if action.kind is ActionKind.APPROVE_RETURN and action.handling_way == _HW_EXCHANGE:
        return EXCHANGE
    return action.kind


def category_name(key: ActionKind | str) -> str:
    if isinstance(key, ActionKind):
        return kind_name(key)
    return QCoreApplication.translate("Actions", "Agree exchange")


def row_facts(plan: Plan, refund_id: int) -> tuple[str, str]:
    """(product, buyer's reason) of a request: as listed when the list had it, else as read."""
    for source in (plan.listed.get(refund_id), plan.refunds.get(refund_id)):
        if source is None:
            continue
        product = getattr(source, "product", None) or getattr(source, "sku_nick", None) or ""
        reason = getattr(source, "reason", None) or getattr(source, "refund_reason_desc", None) or ""
        if product or reason:
            return str(product), str(reason)
    return "", ""


_SEVERE = (WarningCode.SHIPPED_REFUND_ONLY, WarningCode.CHANGED_SINCE_LOADED, WarningCode.UNRETURNED)


def _address_text(address: object) -> str:
    info = getattr(address, "base_info", None)
    parts = [getattr(info, "consignee", None), getattr(info, "address", None)] if info else []
    return " · ".join(p for p in parts if p) or str(getattr(address, "address_id", ""))


class PreviewDialog(QDialog):
    """Shows a :class:`Plan`; :meth:`plan` is what the user accepted (options applied, unticked
    requests removed)."""

    def __init__(self, plan: Plan, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Preview"))
        self.setMinimumSize(640, 480)
        self.resize(880, 560)
        self._full = plan
        self._excluded: set[int] = set()
        approve = isinstance(plan.intent, Approve)

        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.count_labels: dict[ActionKind | str, QLabel] = {}
        self._summary = summary = QFormLayout()
        for kind in _KIND_ORDER:
            label = QLabel()
            self.count_labels[kind] = label
            summary.addRow(fill(self.tr("%1:"), category_name(kind)), label)
        # a rejection: the reason and the description chosen, repeated before anything is sent
        self.reject_reason_label = QLabel()
        self.reject_reason_label.setWordWrap(True)
        self.reject_reason_label.setTextFormat(Qt.TextFormat.PlainText)
        self.reject_reason_label.setObjectName("preview-reject-reason")
        summary.addRow(self.tr("Reason:"), self.reject_reason_label)
        self.reject_desc_label = QLabel()
        self.reject_desc_label.setWordWrap(True)
        self.reject_desc_label.setTextFormat(Qt.TextFormat.PlainText)
        summary.addRow(self.tr("Description:"), self.reject_desc_label)
        self._show_reject_choice(plan)
        self.total_label = QLabel()
        self.total_label.setStyleSheet("font-weight: bold;")
        summary.addRow(self.tr("Money paid out:"), self.total_label)

        self.warning_label = QLabel()
        self.warning_label.setWordWrap(True)
        self.warning_label.setTextFormat(Qt.TextFormat.RichText)
        self.warning_label.setStyleSheet(
            "QLabel { background: #FFF4E5; border: 1px solid #F0B46C; border-radius: 4px; "
            "padding: 6px; color: #5F3B00; }"
        )

        # options that change the plan
        self.address_combo = QComboBox()
        self.address_combo.addItem(self.tr("The shop's default return address"), None)
        for address in plan.addresses:
            self.address_combo.addItem(_address_text(address), address.address_id)
        index = self.address_combo.findData(plan.address_id)
        self.address_combo.setCurrentIndex(max(index, 0))
        self.address_combo.currentIndexChanged.connect(self._options_changed)
        self.address_row = QWidget()
        address_form = QFormLayout(self.address_row)
        address_form.setContentsMargins(0, 0, 0, 0)
        address_form.addRow(self.tr("Return address:"), self.address_combo)
        self.unreturned_check = QCheckBox(
            self.tr("Also confirm receipt of returns whose goods have not come back yet")
        )
        self.unreturned_check.setChecked(isinstance(plan.intent, Approve) and plan.intent.confirm_unreturned)
        self.unreturned_check.toggled.connect(self._options_changed)
        has_unreturned = approve and any(
            getattr(r, "status", None) in UNRETURNED_STATUSES for r in plan.refunds.values()
        )
        self.unreturned_check.setVisible(has_unreturned)

        # buyers' return-freight claims met on confirming receipt: paid, or refused with both a
        # description and pictures (the platform accepts a refusal only with both)
        self.freight_box = QGroupBox()
        self.freight_pay = QRadioButton()
        self.freight_refuse = QRadioButton()
        self._freight_choice = QButtonGroup(self)
        self._freight_choice.addButton(self.freight_pay)
        self._freight_choice.addButton(self.freight_refuse)
        self.freight_pay.setChecked(True)
        self.freight_desc = QLineEdit()
        self.freight_desc.setMaxLength(MAX_FREIGHT_REJECT_DESC - 1)
        self.freight_images = QPlainTextEdit()
        self.freight_images.setFixedHeight(64)
        self.freight_hint = QLabel()
        self.freight_hint.setWordWrap(True)
        self.freight_hint.setStyleSheet("color: #9B1C1C;")
        freight_layout = QVBoxLayout(self.freight_box)
        freight_layout.addWidget(self.freight_pay)
        freight_layout.addWidget(self.freight_refuse)
        self._freight_form = QWidget()
        freight_form = QFormLayout(self._freight_form)
        freight_form.setContentsMargins(16, 0, 0, 0)
        self._freight_desc_label = QLabel()
        self._freight_images_label = QLabel()
        freight_form.addRow(self._freight_desc_label, self.freight_desc)
        freight_form.addRow(self._freight_images_label, self.freight_images)
        freight_layout.addWidget(self._freight_form)
        self._freight_form.setEnabled(False)
        freight_layout.addWidget(self.freight_hint)
        self.freight_box.setVisible(
            approve
            and any(getattr(r, "return_freight_info", None) is not None for r in plan.refunds.values())
        )
        self.freight_refuse.toggled.connect(self._options_changed)
        self.freight_desc.textChanged.connect(self._options_changed)
        self.freight_images.textChanged.connect(self._options_changed)

        # the requests to send (tick to include)
        self.items = QTableWidget(0, 6)
        self.items.setHorizontalHeaderLabels(
            [
                self.tr("Refund"),
                self.tr("Product"),
                self.tr("Reason"),
                self.tr("Action"),
                self.tr("Amount"),
                self.tr("Warnings"),
            ]
        )
        self.items.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.items.setWordWrap(False)
        self.items.verticalHeader().setVisible(False)
        self.items.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.items.itemChanged.connect(self._item_ticked)

        self.skipped = QTableWidget(0, 2)
        self.skipped.setHorizontalHeaderLabels([self.tr("Refund"), self.tr("Why it is not sent")])
        self.skipped.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.skipped.verticalHeader().setVisible(False)
        self.skipped.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.skipped_box = QGroupBox()
        QVBoxLayout(self.skipped_box).addWidget(self.skipped)
        self.manual_label = QLabel()
        self.manual_label.setWordWrap(True)
        self.manual_label.setTextFormat(Qt.TextFormat.RichText)
        self.manual_label.setOpenExternalLinks(True)

        self.reconciled_label = QLabel()
        self.reconciled_label.setWordWrap(True)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok_button: QPushButton = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(summary)
        layout.addWidget(self.warning_label)
        layout.addWidget(self.address_row)
        layout.addWidget(self.unreturned_check)
        layout.addWidget(self.freight_box)
        layout.addWidget(self.items, 3)
        layout.addWidget(self.skipped_box, 2)
        layout.addWidget(self.manual_label)
        layout.addWidget(self.reconciled_label)
        layout.addWidget(self.buttons)
        self._retranslate_freight()
        self._show(plan)

    def _retranslate_freight(self) -> None:
        self.freight_box.setTitle(self.tr("Buyers' return-freight claims"))
        self.freight_pay.setText(self.tr("Pay the claimed return freight"))
        self.freight_refuse.setText(self.tr("Refuse the return freight"))
        self._freight_desc_label.setText(self.tr("Why:"))
        self.freight_desc.setPlaceholderText(fill(self.tr("Under %1 characters"), MAX_FREIGHT_REJECT_DESC))
        self._freight_images_label.setText(self.tr("Pictures:"))
        self.freight_images.setPlaceholderText(
            fill(self.tr("Links of 1 to %1 evidence pictures, one per line"), MAX_IMAGES)
        )

    def _freight_refusal(self) -> tuple[str, tuple[str, ...]]:
        images = tuple(
            line.strip() for line in self.freight_images.toPlainText().splitlines() if line.strip()
        )
        return self.freight_desc.text().strip(), images

    def _freight_problem(self) -> str | None:
        """Why the refusal the user chose cannot be sent yet (``None``: paying, or complete)."""
        if not self.freight_refuse.isChecked() or self.freight_box.isHidden():
            return None
        desc, images = self._freight_refusal()
        problem = freight_refusal_problem(desc, images)
        if problem is None:
            return None
        if not desc and not images:
            return fill(
                self.tr(
                    "Refusing the return freight needs a description and 1 to %1 pictures; "
                    "until both are given nothing is sent."
                ),
                MAX_IMAGES,
            )
        if not desc:
            return self.tr("Refusing the return freight needs a description.")
        if not images:
            return fill(
                self.tr("Refusing the return freight needs 1 to %1 pictures as evidence."), MAX_IMAGES
            )
        return fill(self.tr("At most %1 pictures can be sent."), MAX_IMAGES)

    # ---------------------------------------------------------------------------- state
    def plan(self) -> Plan:
        """The plan to send: the options applied, unticked requests left out."""
        return self._full.without(self._excluded)

    def _options_changed(self, *_: object) -> None:
        intent = self._full.intent
        if isinstance(intent, Approve):
            intent = dataclasses.replace(intent, confirm_unreturned=self.unreturned_check.isChecked())
            self._freight_form.setEnabled(self.freight_refuse.isChecked())
            if self.freight_refuse.isChecked() and self._freight_problem() is None:
                desc, images = self._freight_refusal()
                intent = dataclasses.replace(
                    intent, freight_accept=False, freight_reject_desc=desc, freight_reject_images=images
                )
            else:  # paying, or a refusal still incomplete: the claims stay paid in the plan
                intent = dataclasses.replace(
                    intent, freight_accept=True, freight_reject_desc=None, freight_reject_images=()
                )
        self._full = replan(self._full, intent, address_id=self.address_combo.currentData())
        self._show(self._full)

    def _item_ticked(self, item: QTableWidgetItem) -> None:
        if item.column() != 0:
            return
        rid = int(item.data(Qt.ItemDataRole.UserRole))
        if item.checkState() == Qt.CheckState.Checked:
            self._excluded.discard(rid)
        else:
            self._excluded.add(rid)
        self._update_summary(self.plan())

    # ---------------------------------------------------------------------------- showing
    def _show(self, full: Plan) -> None:
        self.address_row.setVisible(bool(full.count(ActionKind.APPROVE_RETURN)) and bool(full.addresses))
        self.items.blockSignals(True)
        self.items.setRowCount(len(full.actions))
        for row, action in enumerate(full.actions):
            tick = QTableWidgetItem(str(action.refund_id))
            tick.setData(Qt.ItemDataRole.UserRole, action.refund_id)
            tick.setFlags(
                Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable
            )
            excluded = action.refund_id in self._excluded
            tick.setCheckState(Qt.CheckState.Unchecked if excluded else Qt.CheckState.Checked)
            self.items.setItem(row, 0, tick)
            product, reason = row_facts(full, action.refund_id)
            for col, text in ((1, product), (2, reason)):
                cell = QTableWidgetItem(text or "—")
                cell.setToolTip(text)
                self.items.setItem(row, col, cell)
            self.items.setItem(row, 3, QTableWidgetItem(category_name(category(action))))
            amount = QTableWidgetItem(format_fen(action.amount) if action.amount else "—")
            amount.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.items.setItem(row, 4, amount)
            warned = self.tr("; ").join(warning_short(w) for w in action.warnings)
            cell = QTableWidgetItem(warned)
            if any(w in _SEVERE for w in action.warnings):
                cell.setForeground(Qt.GlobalColor.darkRed)
            self.items.setItem(row, 5, cell)
        for col in (0, 3, 4):
            self.items.resizeColumnToContents(col)
        for col, chars in ((1, 12), (2, 7)):
            self.items.setColumnWidth(col, self.items.fontMetrics().horizontalAdvance("中" * chars) + 12)
        self.items.blockSignals(False)

        self.skipped.setRowCount(len(full.skipped))
        for row, skip in enumerate(full.skipped):
            self.skipped.setItem(row, 0, QTableWidgetItem(str(skip.refund_id)))
            self.skipped.setItem(row, 1, QTableWidgetItem(skip.reason))
        self.skipped.resizeColumnToContents(0)
        self.skipped_box.setTitle(fill(self.tr("Not sent (%1)"), len(full.skipped)))
        self.skipped_box.setVisible(bool(full.skipped))

        manual = full.manual
        if manual:
            links = "<br>".join(
                f'<a href="{html.escape(backend_url(s.refund_id))}">{s.refund_id}</a>' for s in manual
            )
            self.manual_label.setText(
                self.tr("Handle these one by one in the seller backend:") + "<br>" + links
            )
        self.manual_label.setVisible(bool(manual))

        reconciled = full.reconciled
        if reconciled:
            lines = [f"{r.refund_id}: {r.message}" for r in reconciled]
            self.reconciled_label.setText(
                self.tr("Actions of an earlier, interrupted run were checked:") + "\n" + "\n".join(lines)
            )
        self.reconciled_label.setVisible(bool(reconciled))
        self._update_summary(self.plan())

    def _show_reject_choice(self, plan: Plan) -> None:
        intent = plan.intent
        reject = isinstance(intent, Reject)
        if isinstance(intent, Reject):
            name = ""
            for reasons in plan.reasons.values():
                for r in reasons or ():
                    if getattr(r, "code", None) == intent.reason_code and getattr(r, "desc", None):
                        name = str(r.desc)
                        break
                if name:
                    break
            self.reject_reason_label.setText(name or fill(self.tr("reason no. %1"), intent.reason_code))
            self.reject_desc_label.setText(intent.desc or self.tr("(none)"))
        for label in (self.reject_reason_label, self.reject_desc_label):
            label.setVisible(reject)
            buddy = self._summary.labelForField(label)
            if buddy is not None:
                buddy.setVisible(reject)

    def _update_summary(self, plan: Plan) -> None:
        approve = isinstance(plan.intent, Approve)
        total = len(plan.actions)
        self.heading.setText(
            fill(
                self.tr("Approve %1 of the %2 selected requests")
                if approve
                else self.tr("Reject %1 of the %2 selected requests"),
                total,
                len(plan.order),
            )
        )
        for kind, label in self.count_labels.items():
            actions = [a for a in plan.actions if category(a) == kind]
            count = len(actions)
            money = sum(a.amount for a in actions)
            label.setText(fill(self.tr("%1 (%2)"), count, format_fen(money)) if money else str(count))
            label.setVisible(bool(count))
            buddy = self._summary.labelForField(label)
            if buddy is not None:
                buddy.setVisible(bool(count))
        self.total_label.setText(format_fen(plan.total_amount))
        warnings = plan.warning_counts
        if warnings:
            parts = [
                ("<b>%s</b>" if code in _SEVERE else "%s") % html.escape(warning_text(code, n))
                for code, n in sorted(warnings.items(), key=lambda kv: kv[0] not in _SEVERE)
            ]
            self.warning_label.setText("<br>".join(parts))
        self.warning_label.setVisible(bool(warnings))
        self.ok_button.setText(fill(self.tr("Approve %1") if approve else self.tr("Reject %1"), total))
        problem = self._freight_problem()
        self.freight_hint.setText(problem or "")
        self.freight_hint.setVisible(problem is not None)
        # an incomplete refusal is not offered: nothing is sent until it is complete or paid
        self.ok_button.setEnabled(total > 0 and problem is None)
