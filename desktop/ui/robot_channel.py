"""The dialog that adds or edits one phone-alert robot channel (:class:`ChannelDialog`), and the
robot kinds' names. The address and the secret are checked in the dialog (no I/O); the settings page
(:mod:`desktop.ui.robots`) saves them to the keychain in the background."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.core.robots.channels import (
    DINGTALK,
    FEISHU,
    KINDS,
    SIGNING_KINDS,
    WECOM,
    Channel,
    ChannelError,
    check_secret,
    check_url,
    example_url,
)
from desktop.ui.i18n import fill


def kind_labels() -> dict[str, str]:
    return {
        WECOM: QCoreApplication.translate("RobotSettingsPage", "WeCom group robot"),
        DINGTALK: QCoreApplication.translate("RobotSettingsPage", "DingTalk robot"),
        FEISHU: QCoreApplication.translate("RobotSettingsPage", "Feishu / Lark bot"),
    }


@dataclass(frozen=True, slots=True)
class ChannelEntry:
    """What the channel dialog's fields hold, checked (``url``/``secret`` ``None``: keep the saved one,
    or none given)."""

    kind: str
    name: str
    url: str | None
    secret: str | None


class ChannelDialog(QDialog):
    """Add or edit one channel. The address and the secret are checked here (no I/O); when editing,
    empty fields keep what the keychain has."""

    def __init__(
        self, channel: Channel | None = None, masked: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.channel = channel
        self.setWindowTitle(self.tr("Robot channel") if channel is None else self.tr("Edit robot channel"))
        self.setMinimumWidth(520)
        self.kind = QComboBox()
        labels = kind_labels()
        for kind in KINDS:
            self.kind.addItem(labels[kind], kind)
        self.name = QLineEdit(channel.name if channel else "")
        self.name.setPlaceholderText(self.tr("e.g. After-sale team"))
        self.url = QLineEdit()
        self.url.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setTextFormat(Qt.TextFormat.PlainText)
        self.error.setStyleSheet("color: #b3261e;")
        self.error.hide()
        if channel is not None:
            self.kind.setCurrentIndex(self.kind.findData(channel.kind))
            self.kind.setEnabled(False)
            self.url.setPlaceholderText(fill(self.tr("Saved: %1 (leave empty to keep)"), masked))
            if channel.signed:
                self.secret.setPlaceholderText(self.tr("Saved (leave empty to keep)"))
        form = QFormLayout()
        form.addRow(self.tr("Type:"), self.kind)
        form.addRow(self.tr("Name:"), self.name)
        form.addRow(self.tr("Webhook address:"), self.url)
        form.addRow(self.tr("Signing secret:"), self.secret)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._kind_changed()

    def current_kind(self) -> str:
        return str(self.kind.currentData())

    def _kind_changed(self) -> None:
        kind = self.current_kind()
        self.secret.setEnabled(kind in SIGNING_KINDS)
        if kind == WECOM:
            hint = self.tr(
                "In the WeCom group: Group settings → Group robots → Add → copy the webhook address. "
                "WeCom robots have no signing secret."
            )
        elif kind == DINGTALK:
            hint = self.tr(
                "In the DingTalk group: Group settings → Robots → Add robot → Custom. For security choose "
                "“Sign” (加签) and paste the secret that starts with SEC here; with a keyword instead, "
                "use 售后守望 (every message contains it)."
            )
        else:
            hint = self.tr(
                "In the Feishu or Lark group: Settings → Bots → Add bot → Custom bot. If you turn on "
                "“Set signature verification”, paste that secret here."
            )
        self.hint.setText(hint + "\n" + fill(self.tr("The address looks like %1"), example_url(kind)))

    def values(self) -> ChannelEntry:
        """What was entered, checked: raises ChannelError with the user's message."""
        kind = self.current_kind()
        url = self.url.text().strip()
        if url or self.channel is None:
            url = check_url(kind, url)
        secret = check_secret(kind, self.secret.text()) if kind in SIGNING_KINDS else None
        return ChannelEntry(kind, self.name.text().strip(), url or None, secret)

    def accept(self) -> None:
        try:
            self.values()
        except ChannelError as exc:
            self.error.setText(str(exc))
            self.error.show()
            return
        super().accept()
