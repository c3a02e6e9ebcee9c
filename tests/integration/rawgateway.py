"""A raw socket server on 127.0.0.1 that answers HTTP the way broken or hostile gateways do:
trickling, huge, compressed past reason, redirecting. Each connection is answered by a scripted
function that gets the socket after the request has been read completely; every request received
is recorded, so a test can tell whether something arrived at all."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable


class RawGateway:
    def __init__(self, answer: Callable[[socket.socket, bytes], None]) -> None:
        self.answer = answer
        self.received: list[bytes] = []
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._accepter = threading.Thread(target=self._accept, name="raw-gateway", daemon=True)
        self._accepter.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            t = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(t)
            t.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(5)
            try:
                request = _read_request(conn)
                if not request:
                    return
                self.received.append(request)
                self.answer(conn, request)
            except OSError:
                pass  # the client gave up (what most of these tests want)

    def stopped(self) -> bool:
        return self._stop.is_set()

    def close(self) -> None:
        self._stop.set()
        self._accepter.join()
        self._sock.close()
        for t in self._threads:
            t.join(timeout=10)


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def trickle(conn: socket.socket, data: bytes, every_s: float, stop: Callable[[], bool]) -> None:
    """Send ``data`` one byte at a time, ``every_s`` apart (until sent or ``stop()``)."""
    for i in range(len(data)):
        if stop():
            return
        conn.sendall(data[i : i + 1])
        time.sleep(every_s)


def head(status: str = "200 OK", **headers: str) -> bytes:
    lines = [f"HTTP/1.1 {status}"] + [f"{k.replace('_', '-')}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")
