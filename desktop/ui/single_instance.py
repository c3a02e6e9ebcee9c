"""One running app per data home: a second launch brings the first window forward and exits.

The first instance listens on a ``QLocalServer`` whose name is derived from the data directory (so
the demo, the tests and a real profile never collide); a later launch connects, sends ``show`` and
quits. A stale socket left by a crashed instance is removed and taken over.
"""

from __future__ import annotations

import getpass
import hashlib
import logging

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from desktop.core import paths

log = logging.getLogger(__name__)

MESSAGE_SHOW = b"show\n"
_CONNECT_TIMEOUT_MS = 500


def server_name() -> str:
    """The local socket name for this user and data directory (short enough for Unix sockets)."""
    try:
        user = getpass.getuser()
    except Exception:  # no user name in this environment: the data dir alone still separates
        user = ""
    digest = hashlib.sha256(f"{user}\0{paths.data_dir()}".encode()).hexdigest()[:16]
    return f"aftersale-watch-{digest}"


class SingleInstance(QObject):
    """``claim()`` once at start; ``activation_requested`` fires when a later launch asks to show."""

    activation_requested = Signal()

    def __init__(self, name: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name or server_name()
        self._server: QLocalServer | None = None

    def claim(self) -> bool:
        """``True``: this is the first instance (now listening). ``False``: another one runs and was
        asked to come forward; this process should exit."""
        if self._notify_running_instance():
            log.info("another instance is running: asked it to show its window")
            return False
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            # a crashed instance left its socket behind: nobody answered above, so take it over
            QLocalServer.removeServer(self.name)
            if not server.listen(self.name):
                log.warning("single-instance guard unavailable: %s", server.errorString())
                return True
        server.newConnection.connect(self._on_connection)
        self._server = server
        return True

    def _notify_running_instance(self) -> bool:
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(_CONNECT_TIMEOUT_MS):
            return False
        socket.write(MESSAGE_SHOW)
        socket.waitForBytesWritten(_CONNECT_TIMEOUT_MS)
        socket.disconnectFromServer()
        if socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
            socket.waitForDisconnected(_CONNECT_TIMEOUT_MS)
        return True

    def _on_connection(self) -> None:
        assert self._server is not None
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            socket.readyRead.connect(self._on_ready_read)
            if socket.bytesAvailable():
                self._read(socket)

    def _on_ready_read(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket):
            self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        while socket.canReadLine():
            if bytes(socket.readLine().data()) == MESSAGE_SHOW:
                self.activation_requested.emit()
        if socket.state() == QLocalSocket.LocalSocketState.UnconnectedState:
            socket.deleteLater()

    def release(self) -> None:
        """Stop listening (at quit)."""
        if self._server is not None:
            self._server.close()
            self._server.deleteLater()
            self._server = None
