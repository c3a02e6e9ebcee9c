"""The ``QApplication`` set-up: names, high-DPI policy, icon, Qt's messages routed into logging."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QMessageLogContext, Qt, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from desktop import APP_DISPLAY_NAME, APP_NAME, ORG_NAME, __version__

log = logging.getLogger("qt")

_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def qt_message_handler(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """Qt's own warnings (``qWarning`` & co) go to the app log like everything else."""
    where = f" ({context.category})" if context.category and context.category != "default" else ""
    log.log(_LEVELS.get(mode, logging.WARNING), "%s%s", message, where)


def set_application_names() -> None:
    QCoreApplication.setOrganizationName(ORG_NAME)
    QCoreApplication.setApplicationName(APP_NAME)
    QCoreApplication.setApplicationVersion(__version__)


def create_application(argv: list[str]) -> QApplication:
    """The app's ``QApplication`` (or the existing one, e.g. under pytest-qt), fully set up."""
    from desktop.ui.icons import app_icon

    set_application_names()
    app = QApplication.instance()
    if app is None:
        # fractional scale factors (125 %, 150 %) as they are, not rounded: crisp text on laptops
        QGuiApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        qInstallMessageHandler(qt_message_handler)
        app = QApplication(argv)
    assert isinstance(app, QApplication)
    app.setApplicationDisplayName(APP_DISPLAY_NAME)
    app.setWindowIcon(app_icon())
    return app
