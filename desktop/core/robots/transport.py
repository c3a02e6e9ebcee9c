"""One POST to a group robot, signed where the robot wants it, and its answer in plain words.

Signing (``docs``: phone-alerts spec):

* DingTalk "加签": ``timestamp`` in **milliseconds**; HMAC-SHA256 keyed with the secret over
  ``timestamp + "\\n" + secret``; Base64; URL-encoded; ``&timestamp=…&sign=…`` appended to the URL.
* Feishu/Lark: ``timestamp`` in **seconds** (a string); HMAC-SHA256 whose **key** is
  ``timestamp + "\\n" + secret`` over an **empty** message; Base64, not URL-encoded; both in the body.

Answers: WeCom and DingTalk ``{"errcode": 0}``, Feishu ``{"code": 0}`` (older: ``"StatusCode": 0``).
Each answer becomes a :class:`SendResult`: ``ok``, ``rate_limited`` (try later, coalesced into a later
digest), ``transient`` (network, timeouts, the platform's 5xx or a proxy's page: retried with backoff)
or ``rejected`` (the robot refuses this configuration: wrong key, signature, keyword, IP). The
message says what happened in the user's words and never contains the URL (requests' own exception
texts do, so they are never used).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from desktop.core.i18n import tr
from desktop.core.robots.channels import DINGTALK, FEISHU, WECOM, ResolvedChannel

log = logging.getLogger(__name__)

OK, RATE_LIMITED, TRANSIENT, REJECTED = "ok", "rate_limited", "transient", "rejected"
TIMEOUT_S = (5.0, 10.0)
MAX_ANSWER_BYTES = 64 * 1024


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's ``sign`` parameter, already URL-encoded."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest).decode("ascii"))


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu's ``sign`` body field (the string to sign is the key; the message is empty)."""
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


@dataclass(frozen=True, slots=True)
class SendResult:
    outcome: str  # OK | RATE_LIMITED | TRANSIENT | REJECTED
    message: str = ""  # in the user's words; "" when ok
    code: str | None = None  # the platform's error code, when it gave one

    @property
    def ok(self) -> bool:
        return self.outcome == OK


def _platform_words(kind: str, code: int, text: str) -> tuple[str, str]:
    """(outcome, plain words) for a platform error code."""
    if kind == WECOM:
        if code == 45009:
            return RATE_LIMITED, tr(
                "WeCom: too many messages (at most 20 a minute); sent later as one digest."
            )
        if code == 93000:
            return REJECTED, tr(
                "WeCom: the robot's key is not valid (the robot was removed or the address is wrong)."
            )
        if code == -1:
            return TRANSIENT, tr("WeCom: the service is busy; tried again later.")
    if kind == DINGTALK:
        if code == 130101:
            return RATE_LIMITED, tr(
                "DingTalk: sending too fast (at most 20 a minute, then 10 minutes' pause); sent later as one digest."
            )
        if code == 310000:
            return REJECTED, tr(
                "DingTalk: the robot's security check failed (signing secret, keyword or IP allow-list)."
            )
        if code in (300001, 400013, 400101, 400102):
            return REJECTED, tr(
                "DingTalk: the access token is not valid (the robot was removed or the address is wrong)."
            )
        if code == -1:
            return TRANSIENT, tr("DingTalk: the service is busy; tried again later.")
    if kind == FEISHU:
        if code in (9499, 11232):
            return RATE_LIMITED, tr(
                "Feishu: too many messages (at most 5 a second, 100 a minute); sent later as one digest."
            )
        if code == 19021:
            return REJECTED, tr(
                "Feishu: the signature or its time was rejected (check the signing secret and this computer's clock)."
            )
        if code == 19024:
            return REJECTED, tr(
                "Feishu: the message has none of the robot's keywords (robot security settings)."
            )
        if code == 19022:
            return REJECTED, tr("Feishu: this computer's IP address is not on the robot's allow-list.")
        if code in (19001, 19002):
            return REJECTED, tr(
                "Feishu: the robot address is not valid (the robot was removed or the address is wrong)."
            )
    return REJECTED, tr("The robot refused the message: {code} {text}", code=code, text=text[:200])


def interpret(kind: str, status: int, body: bytes) -> SendResult:
    """A robot's HTTP answer as a :class:`SendResult`."""
    data: object = None
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        data = None
    if status == 429:
        return SendResult(
            RATE_LIMITED, tr("The robot answered: too many requests; sent later as one digest."), "429"
        )
    if status >= 500:
        return SendResult(
            TRANSIENT,
            tr("The robot's service had an error (HTTP {status}); tried again later.", status=status),
            str(status),
        )
    if not isinstance(data, dict):
        if status >= 400:
            return SendResult(
                REJECTED,
                tr("The robot address was refused (HTTP {status}): check the address.", status=status),
                str(status),
            )
        return SendResult(
            TRANSIENT,
            tr("The robot's answer was not readable (a proxy or a network page?); tried again later."),
        )
    if kind == FEISHU:
        raw = data.get("code", data.get("StatusCode"))
        text = str(data.get("msg", data.get("StatusMessage", "")) or "")
    else:
        raw = data.get("errcode")
        text = str(data.get("errmsg", "") or "")
    try:
        if not isinstance(raw, int | str) or isinstance(raw, bool):
            raise TypeError(f"not a code: {raw!r}")
        code = int(raw)
    except (TypeError, ValueError):
        if status < 400:
            return SendResult(
                TRANSIENT,
                tr("The robot's answer was not readable (a proxy or a network page?); tried again later."),
            )
        return SendResult(
            REJECTED,
            tr("The robot address was refused (HTTP {status}): check the address.", status=status),
            str(status),
        )
    if code == 0 and status < 400:
        return SendResult(OK)
    outcome, words = _platform_words(kind, code, text)
    return SendResult(outcome, words, str(code))


class RobotTransport:
    """Posts to robots over one ``requests.Session`` (owned: :meth:`close` it)."""

    def __init__(
        self, *, clock: Callable[[], float] = time.time, timeout: tuple[float, float] = TIMEOUT_S
    ) -> None:
        self.clock = clock
        self.timeout = timeout
        self.session = requests.Session()
        self.session.trust_env = True

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> RobotTransport:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def prepare(self, channel: ResolvedChannel, body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """The URL and body to post (signed when the channel has a secret)."""
        url, body = channel.url, dict(body)
        if channel.secret and channel.kind == DINGTALK:
            ts = int(self.clock() * 1000)
            url += (
                "&" if urllib.parse.urlsplit(url).query else "?"
            ) + f"timestamp={ts}&sign={dingtalk_sign(channel.secret, ts)}"
        elif channel.secret and channel.kind == FEISHU:
            ts = int(self.clock())
            body = {"timestamp": str(ts), "sign": feishu_sign(channel.secret, ts), **body}
        return url, body

    def post(self, channel: ResolvedChannel, body: dict[str, Any]) -> SendResult:
        """One attempt; never raises for network trouble (a :class:`SendResult` says what happened)."""
        url, body = self.prepare(channel, body)
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        try:
            with self.session.post(
                url,
                data=data,
                headers={"Content-Type": "application/json; charset=utf-8"},
                timeout=self.timeout,
                allow_redirects=False,
                stream=True,
            ) as answer:
                content = answer.raw.read(MAX_ANSWER_BYTES + 1, decode_content=True)
                status = answer.status_code
        except requests.Timeout:
            return SendResult(TRANSIENT, tr("The robot did not answer in time; tried again later."))
        except requests.exceptions.SSLError:
            return SendResult(
                TRANSIENT,
                tr("The secure connection to the robot failed (certificate or proxy); tried again later."),
            )
        except requests.ConnectionError:
            return SendResult(
                TRANSIENT, tr("No connection to the robot's service (network down?); tried again later.")
            )
        except requests.RequestException as exc:
            log.warning("robot post of channel %s failed: %s", channel.id, type(exc).__name__)
            return SendResult(
                TRANSIENT,
                tr("The message could not be sent ({error}); tried again later.", error=type(exc).__name__),
            )
        if 300 <= status < 400:
            return SendResult(
                REJECTED,
                tr("The robot address redirects elsewhere: copy the webhook address again."),
                str(status),
            )
        if len(content) > MAX_ANSWER_BYTES:
            return SendResult(
                TRANSIENT,
                tr("The robot's answer was not readable (a proxy or a network page?); tried again later."),
            )
        return interpret(channel.kind, status, content)
