"""Fake group robots of WeCom, DingTalk and Feishu on loopback, checking what the real services check.

Each :class:`FakeRobot` is a real HTTP server on 127.0.0.1 and verifies, per the phone-alerts spec:
the verb and the path with the robot's key (WeCom ``?key=``, DingTalk ``?access_token=``, Feishu the
last path segment), ``Content-Type: application/json``, the JSON shape of each message type, the
content's byte limit, the signatures (DingTalk: ms timestamp, HMAC-SHA256 keyed with the secret over
``timestamp\\nsecret``, Base64 in the query; Feishu: s timestamp, HMAC-SHA256 keyed with
``timestamp\\nsecret`` over nothing, Base64 in the body — both within an hour of the fake's clock),
and the rate limits (WeCom and DingTalk 20 a minute, DingTalk then throttled for 10 minutes; Feishu
5 a second and 100 a minute). The signatures are computed here from the spec, independently of the
app's code. Answers use the platforms' codes; :meth:`FakeRobot.script` makes the next answers fail.

    with FakeRobot("dingtalk", secret="SEC…") as robot:
        url = robot.url          # paste into a channel
        robot.accepted           # the messages it took: [{"body": {...}, "text": "…"}]
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

WECOM_MARKDOWN_BYTES = 4096
WECOM_TEXT_BYTES = 2048
DINGTALK_CONTENT_BYTES = 20000
FEISHU_BODY_BYTES = 20 * 1024


def spec_dingtalk_sign(secret: str, ts_ms: str) -> str:
    mac = hmac.new(secret.encode(), f"{ts_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def spec_feishu_sign(secret: str, ts_s: str) -> str:
    mac = hmac.new(f"{ts_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


class FakeRobot:
    def __init__(
        self,
        kind: str,
        *,
        secret: str | None = None,
        clock: Callable[[], float] = time.time,
        host: str = "127.0.0.1",
    ) -> None:
        assert kind in ("wecom", "dingtalk", "feishu")
        self.kind = kind
        self.secret = secret
        self.clock = clock
        self.token = secrets.token_hex(16)
        self.accepted: list[dict] = []  # {"body", "text", "at"}
        self.refused: list[dict] = []  # {"code", "why"}
        self.requests = 0
        self._script: deque[str] = deque()
        self._times: deque[float] = deque()
        self._throttled_until = 0.0
        self._lock = threading.Lock()
        robot = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                self._answer(405, {"errcode": 405, "errmsg": "method not allowed"})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                status, answer = robot._handle(self.path, self.headers.get("Content-Type", ""), raw)
                if status == 0:  # drop the connection
                    self.close_connection = True
                    return
                self._answer(status, answer)

            def _answer(self, status: int, body: dict | str) -> None:
                data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header(
                    "Content-Type", "application/json" if isinstance(body, dict) else "text/html"
                )
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, name=f"fake-{kind}", daemon=True)

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> FakeRobot:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(5)

    def __enter__(self) -> FakeRobot:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        if self.kind == "wecom":
            return f"{base}/cgi-bin/webhook/send?key={self.token}"
        if self.kind == "dingtalk":
            return f"{base}/robot/send?access_token={self.token}"
        return f"{base}/open-apis/bot/v2/hook/{self.token}"

    def script(self, *answers: str) -> None:
        """The next answers: "rate_limit", "http500", "busy", "html", "drop", "bad_key"."""
        with self._lock:
            self._script.extend(answers)

    def texts(self) -> list[str]:
        return [m["text"] for m in self.accepted]

    # ------------------------------------------------------------------ checks
    def _err(self, code: int, why: str) -> tuple[int, dict]:
        self.refused.append({"code": code, "why": why})
        if self.kind == "feishu":
            return 200, {"code": code, "msg": why, "data": {}}
        return 200, {"errcode": code, "errmsg": why}

    def _rate_limited(self) -> tuple[int, dict]:
        code = {"wecom": 45009, "dingtalk": 130101, "feishu": 9499}[self.kind]
        return self._err(code, "rate limited")

    def _handle(self, path: str, ctype: str, raw: bytes) -> tuple[int, dict | str]:
        with self._lock:
            self.requests += 1
            scripted = self._script.popleft() if self._script else None
            now = self.clock()
            if scripted == "drop":
                return 0, {}
            if scripted == "http500":
                return 502, "<html>bad gateway</html>"
            if scripted == "html":
                return 200, "<html>portal login</html>"
            if scripted == "busy":
                return self._err(-1, "system busy")
            if scripted == "rate_limit":
                if self.kind == "dingtalk":
                    self._throttled_until = now + 600
                return self._rate_limited()
            if scripted == "bad_key":
                code = {"wecom": 93000, "dingtalk": 300001, "feishu": 19001}[self.kind]
                return self._err(code, "invalid token")
            parts = urlsplit(path)
            query = parse_qs(parts.query)
            if "application/json" not in ctype:
                return self._err(40001 if self.kind != "feishu" else 19002, f"content type {ctype!r}")
            try:
                body = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                return self._err(40001 if self.kind != "feishu" else 19002, "body is not JSON")
            if not isinstance(body, dict):
                return self._err(40001, "body is not an object")
            check = getattr(self, f"_check_{self.kind}")
            verdict = check(parts.path, query, body, raw, now)
            if verdict is not None:
                return verdict
            # rate limits, as the services count them
            if self.kind == "dingtalk" and now < self._throttled_until:
                return self._rate_limited()
            windows = {"wecom": ((20, 60),), "dingtalk": ((20, 60),), "feishu": ((5, 1), (100, 60))}[
                self.kind
            ]
            for count, seconds in windows:
                if sum(1 for t in self._times if t > now - seconds) >= count:
                    if self.kind == "dingtalk":
                        self._throttled_until = now + 600
                    return self._rate_limited()
            self._times.append(now)
            while self._times and self._times[0] < now - 120:
                self._times.popleft()
            self.accepted.append({"body": body, "text": self._text_of(body), "at": now})
            if self.kind == "feishu":
                return 200, {"code": 0, "msg": "success", "data": {}}
            return 200, {"errcode": 0, "errmsg": "ok"}

    def _text_of(self, body: dict) -> str:
        if self.kind == "feishu":
            return body["content"]["text"]
        msgtype = body["msgtype"]
        if msgtype == "text":
            return body["text"]["content"]
        return body["markdown"]["content" if self.kind == "wecom" else "text"]

    def _check_wecom(self, path, query, body, raw, now):
        if path != "/cgi-bin/webhook/send" or query.get("key") != [self.token]:
            return self._err(93000, "invalid webhook url, hint: key")
        msgtype = body.get("msgtype")
        if msgtype == "text":
            content = (body.get("text") or {}).get("content")
            limit = WECOM_TEXT_BYTES
        elif msgtype == "markdown":
            content = (body.get("markdown") or {}).get("content")
            limit = WECOM_MARKDOWN_BYTES
        else:
            return self._err(40008, f"invalid message type {msgtype!r}")
        if not isinstance(content, str) or not content:
            return self._err(44004, "empty content")
        if len(content.encode("utf-8")) > limit:
            return self._err(40058, f"content exceeds {limit} bytes")
        return None

    def _check_dingtalk(self, path, query, body, raw, now):
        if path != "/robot/send" or query.get("access_token") != [self.token]:
            return self._err(300001, "token is not exist")
        if self.secret is not None:
            ts, sign = (query.get("timestamp") or [""])[0], (query.get("sign") or [""])[0]
            if not ts.isdigit() or len(ts) < 13:
                return self._err(310000, "timestamp missing or not in milliseconds")
            if abs(int(ts) / 1000 - now) > 3600:
                return self._err(310000, "timestamp out of range")
            if not hmac.compare_digest(sign, spec_dingtalk_sign(self.secret, ts)):
                return self._err(310000, "sign not match")
        msgtype = body.get("msgtype")
        if msgtype == "text":
            content = (body.get("text") or {}).get("content")
        elif msgtype == "markdown":
            md = body.get("markdown") or {}
            content = md.get("text")
            if not isinstance(md.get("title"), str) or not md["title"]:
                return self._err(40035, "markdown title missing")
        else:
            return self._err(40035, f"msgtype {msgtype!r}")
        if not isinstance(content, str) or not content:
            return self._err(40035, "content missing")
        if len(content.encode("utf-8")) > DINGTALK_CONTENT_BYTES:
            return self._err(460101, "message too long")
        return None

    def _check_feishu(self, path, query, body, raw, now):
        if path != f"/open-apis/bot/v2/hook/{self.token}":
            return self._err(19001, "param invalid: incoming webhook access token invalid")
        if len(raw) > FEISHU_BODY_BYTES:
            return self._err(9499, "request body too large")
        if self.secret is not None:
            ts, sign = body.get("timestamp"), body.get("sign")
            if not isinstance(ts, str) or not ts.isdigit() or len(ts) > 11:
                return self._err(
                    19021, "sign match fail or timestamp is not within one hour from current time"
                )
            if (
                abs(int(ts) - now) > 3600
                or not isinstance(sign, str)
                or not hmac.compare_digest(sign, spec_feishu_sign(self.secret, ts))
            ):
                return self._err(
                    19021, "sign match fail or timestamp is not within one hour from current time"
                )
        msg_type = body.get("msg_type")
        if msg_type != "text":
            return self._err(19002, f"msg_type {msg_type!r} not checked by this fake")
        text = (body.get("content") or {}).get("text")
        if not isinstance(text, str) or not text:
            return self._err(19002, "content.text missing")
        return None
