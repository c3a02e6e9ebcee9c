"""The sandbox's HTTP transport: a threaded server on loopback and its request handler.

The handler decodes a request (query string and form body; a chunked or oversized body is refused),
routes it by path to the :class:`Gateway` — the OAuth pages, the token endpoints, the evidence
pictures or a business method — and writes the gateway's :class:`Answer` back, honouring an answer's
delay or dropped connection (the fault plan's). What a path means is the gateway's business
(:mod:`desktop.sandbox.server`); this module knows HTTP only.
"""

from __future__ import annotations

import hashlib
import json
import logging
import socket
import struct
import threading
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

from desktop.sandbox import errors as E

log = logging.getLogger(__name__)

MAX_BODY = 1_000_000


@dataclass
class Answer:
    """What the handler writes back."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json;charset=UTF-8"
    headers: tuple[tuple[str, str], ...] = ()
    drop: bool = False
    delay_s: float = 0.0


def json_body(body: Mapping[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def png_picture(name: str, size: int = 96) -> bytes:
    """A small solid-colour PNG, its colour derived from ``name``."""
    rgb = hashlib.md5(name.encode("utf-8")).digest()[:3]
    raw = (b"\x00" + rgb * size) * size

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def html_page(title: str, text: str) -> bytes:
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><h1>{title}</h1><p>{text}</p></body></html>"
    ).encode()


class Gateway(Protocol):
    """What the transport hands requests to (:class:`desktop.sandbox.server.Sandbox`)."""

    def now_ms(self) -> int:
        """The gateway's clock (epoch ms), for the ``Date`` header."""
        ...

    def request_id(self) -> str: ...

    def pause(self, seconds: float) -> None:
        """Wait ``seconds``, or less when the gateway is stopping."""
        ...

    def handle_api(self, path: str, verb: str, params: dict[str, str]) -> Answer: ...

    def handle_authorize(self, verb: str, params: dict[str, str]) -> Answer: ...

    def handle_token(self, endpoint: str, params: dict[str, str]) -> Answer: ...


class LoopbackServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], gateway: Gateway) -> None:
        self.gateway = gateway
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """End the kept-alive connections too, so stop() leaves nothing listening or open."""
        with self._connections_lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("sandbox connection error from %s", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    """One connection: decode the request, route it to the gateway, write its answer."""

    protocol_version = "HTTP/1.1"
    server_version = "KwaiOpenGateway-Sandbox/1.0"
    sys_version = ""
    timeout = 120  # an idle kept-alive connection is closed after this
    disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms stall between
    server: LoopbackServer

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    def date_time_string(self, timestamp: float | None = None) -> str:
        return formatdate(self.server.gateway.now_ms() / 1000, usegmt=True)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    def _read_body(self) -> bytes | None:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self.close_connection = True
            return None
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            self.close_connection = True
            return None
        if length > MAX_BODY or length < 0:
            self.close_connection = True
            return None
        return self.rfile.read(length) if length else b""

    def _dispatch(self, verb: str) -> None:
        gateway = self.server.gateway
        try:
            url = urlsplit(self.path)
            params = _params(url.query)
            body = self._read_body()
            if body is None:
                self._send(Answer(status=413, body=b"request body refused", content_type="text/plain"))
                return
            if body:
                content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
                if content_type != "application/x-www-form-urlencoded":
                    failure = E.param_error("Content-Type 必须是 application/x-www-form-urlencoded")
                    self._send(Answer(body=json_body(failure.envelope(gateway.request_id()))))
                    return
                params.update(_params(body.decode("utf-8", errors="replace")))
            path = url.path
            if path == "/oauth/authorize":
                answer = gateway.handle_authorize(verb, params)
            elif path in ("/oauth2/access_token", "/oauth2/refresh_token"):
                answer = gateway.handle_token(path.strip("/").replace("/", "."), params)
            elif path.startswith("/sandbox/pictures/") and verb == "GET":
                answer = Answer(body=png_picture(path.rsplit("/", 1)[-1]), content_type="image/png")
            else:
                answer = gateway.handle_api(path, verb, params)
        except Exception:
            log.exception("sandbox handler failed")
            answer = Answer(status=500, body=b"sandbox error", content_type="text/plain")
        self._send(answer)

    def _send(self, answer: Answer) -> None:
        if answer.delay_s:
            self.server.gateway.pause(answer.delay_s)
        try:
            if answer.drop:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            for key, value in answer.headers:
                self.send_header(key, value)
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(answer.body)
        except OSError:  # the client went away (timed out, or the sandbox is stopping)
            self.close_connection = True


def _params(text: str) -> dict[str, str]:
    """Decode a query string or form body; the first value of a repeated name wins."""
    out: dict[str, str] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        out.setdefault(key, value)
    return out
