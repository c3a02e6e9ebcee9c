"""Unexpected errors: ``sys.excepthook`` and ``threading.excepthook`` → the log and ONE dialog.

Every uncaught exception, in the UI thread or any other, is logged (with its traceback, secrets
redacted by the log filter) and shown in a single error dialog with copyable details and the log
file's path. Further errors while the dialog is open are appended to it rather than stacking new
dialogs. With ``show_dialogs=False`` (``--no-error-dialogs``, the test suite, the frozen self-test)
errors are only logged.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from desktop import __version__
from desktop.core import logsetup, paths
from desktop.ui.i18n import fill

log = logging.getLogger(__name__)


def format_exception(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> str:
    """The traceback as text, secrets redacted (what the dialog shows and the user may copy)."""
    text = "".join(traceback.format_exception(exc_type, exc, tb))
    return logsetup.redact(f"AfterSale Watch {__version__}\n{text}")


class ErrorDialog(QDialog):
    """ "Something went wrong": a short message, the details (copyable) and where the log is."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Unexpected error"))
        self.setMinimumSize(560, 360)
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(32, 32))
        self.message = QLabel(
            self.tr(
                "Something went wrong that the app did not expect. Your data is safe; the app keeps "
                "running, but the last action may not have completed."
            )
        )
        self.message.setWordWrap(True)
        self.log_label = QLabel(fill(self.tr("Log file: %1"), paths.log_file()))
        self.log_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.log_label.setWordWrap(True)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton(self.tr("Copy details"))
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)
        head = QHBoxLayout()
        head.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        head.addWidget(self.message, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.details, 1)
        layout.addWidget(self.log_label)
        layout.addWidget(buttons)

    def add_error(self, text: str) -> None:
        if self.details.toPlainText():
            self.details.appendPlainText("\n" + "-" * 60 + "\n")
        self.details.appendPlainText(text)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(f"{self.details.toPlainText()}\n{self.log_label.text()}")


class ErrorReporter(QObject):
    """Installs the hooks; marshals errors from any thread to the one dialog in the UI thread."""

    reported = Signal(str)  # the redacted details of each error
    # set by the GUI test fixtures: no dialog whatever the flag given at construction
    force_no_dialogs = False

    def __init__(self, *, show_dialogs: bool = True) -> None:
        super().__init__()
        self.show_dialogs = show_dialogs
        self.dialog: ErrorDialog | None = None
        self._previous_hooks: (
            tuple[
                Callable[[type[BaseException], BaseException, TracebackType | None], object],
                Callable[[threading.ExceptHookArgs], object],
            ]
            | None
        ) = None
        self.reported.connect(self._show)

    @property
    def dialogs_enabled(self) -> bool:
        return self.show_dialogs and not self.force_no_dialogs

    def install(self) -> None:
        if self._previous_hooks is None:
            self._previous_hooks = (sys.excepthook, threading.excepthook)
        sys.excepthook = self.excepthook
        threading.excepthook = self.thread_excepthook

    def uninstall(self) -> None:
        if self._previous_hooks is not None:
            sys.excepthook, threading.excepthook = self._previous_hooks
            self._previous_hooks = None

    def excepthook(self, exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            QApplication.quit()
            return
        log.critical("unexpected error", exc_info=(exc_type, exc, tb))
        self.reported.emit(format_exception(exc_type, exc, tb))  # queued when not the UI thread

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        name = args.thread.name if args.thread is not None else "?"
        if args.exc_value is None:  # an exception class raised without an instance: nothing to show
            log.critical("unexpected error in thread %s: %s", name, args.exc_type.__name__)
            return
        log.critical(
            "unexpected error in thread %s",
            name,
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
        )
        self.reported.emit(format_exception(args.exc_type, args.exc_value, args.exc_traceback))

    @Slot(str)
    def _show(self, details: str) -> None:
        if not self.dialogs_enabled or QApplication.instance() is None:
            return
        if self.dialog is None:
            self.dialog = ErrorDialog(QApplication.activeWindow())
            self.dialog.finished.connect(self._closed)
        self.dialog.add_error(details)
        self.dialog.show()
        self.dialog.raise_()

    def _closed(self) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
            self.dialog = None
