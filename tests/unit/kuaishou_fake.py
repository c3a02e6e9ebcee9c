"""A scriptable fake gateway on 127.0.0.1 for the client's unit tests.

It records every request exactly as received (verb, path, raw query, raw body, headers) and answers
from a queue of scripted replies, or from a handler function. It knows nothing of the real protocol:
the tests decide what it answers, so the client's parsing is tested against precise bytes.
"""

from __future__ import annotations

import json
import socket
import threading
import urllib.parse
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Recorded:
    verb: str
    path: str
    raw_query: str
    raw_body: bytes
    headers: dict[str, str]

    @property
    def query(self) -> dict[str, str]:
        return dict(urllib.parse.parse_qsl(self.raw_query, keep_blank_values=True))

    @property
    def form(self) -> dict[str, str]:
        return dict(urllib.parse.parse_qsl(self.raw_body.decode("ascii"), keep_blank_values=True))

    @property
    def params(self) -> dict[str, str]:
        """The protocol parameters wherever they were sent (query for GET, body for POST; a POST
        without a body carries them in the query, as the token refresh does)."""
        return self.query if self.verb == "GET" or not self.raw_body else self.form

    @property
    def business(self) -> dict[str, Any]:
        return json.loads(self.params["param"])


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # close the connection without answering


def ok(data: Any = None, **extra: Any) -> Reply:
    return envelope({"result": 1, "data": data, "error_msg": "", **extra})


def envelope(obj: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return Reply(
        status,
        json.dumps(obj, ensure_ascii=False).encode("utf-8"),
        {"Content-Type": "application/json;charset=UTF-8", **(headers or {})},
    )


def fail(result: Any, msg: str = "", **extra: Any) -> Reply:
    return envelope({"result": result, "error_msg": msg, **extra})


DROP = Reply(drop=True)

Handler = Callable[[Recorded], Reply]


class _TrackingServer(ThreadingHTTPServer):
    """Knows its open connections, so closing the gateway ends the kept-alive ones too."""

    def __init__(self, *args: Any) -> None:
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(*args)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self.connections_lock:
            connections = list(self.connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class FakeGateway:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.replies: deque[Reply] = deque()
        self.handler: Handler | None = None
        self.lock = threading.Lock()
        gateway = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path, _, query = self.path.partition("?")
                rec = Recorded(self.command, path, query, body, dict(self.headers.items()))
                with gateway.lock:
                    gateway.requests.append(rec)
                    reply = gateway.replies.popleft() if gateway.replies else None
                if reply is None:
                    reply = gateway.handler(rec) if gateway.handler else ok({})
                if reply.drop:
                    self.close_connection = True
                    self.connection.close()
                    return
                if "Date" in reply.headers:  # a scripted Date replaces the real one
                    self.send_response_only(reply.status)
                else:
                    self.send_response(reply.status)
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                self.wfile.write(reply.body)

            do_GET = do_POST = _serve

            def log_message(self, *args: Any) -> None:
                pass

        self.server = _TrackingServer(("127.0.0.1", 0), _H)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def queue(self, *replies: Reply) -> None:
        with self.lock:
            self.replies.extend(replies)

    def close(self) -> None:
        self.server.shutdown()
        self.server.close_connections()  # the kept-alive ones: their handler threads end too
        self.server.server_close()
        self.thread.join(5)
