"""The robot channels: which robots to post to, and where their credentials live.

A channel is a kind (``wecom``, ``dingtalk``, ``feishu`` — Lark is ``feishu`` on its own host), a name
the user gave it and an on/off switch: kept in the store's settings (:data:`SETTINGS_KEY`), never a
secret. The robot URL (whoever has it can post into the group) and, for signed robots, the signing
secret are credentials: kept in the OS keychain through :class:`desktop.core.secrets.SecretStore`
(account ``robot:<id>``), registered with the log redaction as soon as they are seen, and only shown
masked (:func:`mask_url`).

Only ``https`` to the documented hosts is accepted (``qyapi.weixin.qq.com``, ``oapi.dingtalk.com``,
``open.feishu.cn``, ``open.larksuite.com``) with the documented path; plain ``http`` only to a
loopback address (tests, a local relay).

:func:`env_channels` reads ``AW_WECOM_URL``, ``AW_DINGTALK_URL`` + ``AW_DINGTALK_SECRET`` and
``AW_FEISHU_URL`` + ``AW_FEISHU_SECRET`` for the headless watcher (kept in memory only).
"""

from __future__ import annotations

import secrets as _random
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any
from urllib.parse import parse_qs, urlsplit

from desktop.core.i18n import tr
from desktop.core.logsetup import register_secret

WECOM, DINGTALK, FEISHU = "wecom", "dingtalk", "feishu"
KINDS: tuple[str, ...] = (WECOM, DINGTALK, FEISHU)

HOSTS: dict[str, tuple[str, ...]] = {
    WECOM: ("qyapi.weixin.qq.com",),
    DINGTALK: ("oapi.dingtalk.com",),
    FEISHU: ("open.feishu.cn", "open.larksuite.com"),
}
PATHS: dict[str, str] = {
    WECOM: "/cgi-bin/webhook/send",
    DINGTALK: "/robot/send",
    FEISHU: "/open-apis/bot/v2/hook/",
}
#: the channel kinds that can sign their messages (the secret is optional for them)
SIGNING_KINDS = (DINGTALK, FEISHU)

SETTINGS_KEY = "robots.channels"
URL_KEY = "url"
SECRET_KEY = "secret"

ENV_URLS = {WECOM: "AW_WECOM_URL", DINGTALK: "AW_DINGTALK_URL", FEISHU: "AW_FEISHU_URL"}
ENV_SECRETS = {DINGTALK: "AW_DINGTALK_SECRET", FEISHU: "AW_FEISHU_SECRET"}


def kind_names() -> dict[str, str]:
    return {WECOM: tr("WeCom group robot"), DINGTALK: tr("DingTalk robot"), FEISHU: tr("Feishu / Lark bot")}


class ChannelError(ValueError):
    """A channel that cannot be used as given; the message is for the user (their language)."""


@dataclass(frozen=True, slots=True)
class Channel:
    """A robot channel's non-secret settings."""

    id: str
    kind: str
    name: str
    enabled: bool = True
    signed: bool = False  # a signing secret is kept for it
    created_at: int = 0  # epoch ms

    def label(self) -> str:
        return self.name or kind_names().get(self.kind, self.kind)


@dataclass(frozen=True, slots=True)
class ResolvedChannel:
    """A channel with its credentials, ready to send (in memory only, never written anywhere)."""

    channel: Channel
    url: str
    secret: str | None = None

    @property
    def id(self) -> str:
        return self.channel.id

    @property
    def kind(self) -> str:
        return self.channel.kind

    def __repr__(self) -> str:  # the URL and the secret must never reach a log or a crash report
        return (
            f"ResolvedChannel({self.channel!r}, url=<hidden>, secret={'<hidden>' if self.secret else None})"
        )


def is_loopback_host(host: str) -> bool:
    return host == "localhost" or host == "::1" or host.startswith("127.")


def robot_token(kind: str, url: str) -> str:
    """The part of a robot URL that is its key (WeCom ``key``, DingTalk ``access_token``, Feishu's
    last path segment); ``""`` when there is none."""
    parts = urlsplit(url)
    if kind == FEISHU:
        prefix = PATHS[FEISHU]
        return parts.path[len(prefix) :] if parts.path.startswith(prefix) else ""
    name = "key" if kind == WECOM else "access_token"
    values = parse_qs(parts.query).get(name) or [""]
    return values[0].strip()


def check_url(kind: str, url: str) -> str:
    """``url`` (trimmed) when it is a usable robot URL of ``kind``; else :class:`ChannelError` saying
    what is wrong, in the user's words."""
    if kind not in KINDS:
        raise ChannelError(tr("Unknown channel type {kind}.", kind=kind))
    url = (url or "").strip()
    if not url:
        raise ChannelError(tr("Paste the robot's webhook address."))
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise ChannelError(tr("This is not a web address.")) from None
    if parts.scheme not in ("http", "https") or not host:
        raise ChannelError(tr("This is not a web address."))
    if parts.username or parts.password:
        raise ChannelError(tr("The address must not contain a user name or password."))
    loopback = is_loopback_host(host)
    if not loopback:
        if parts.scheme != "https":
            raise ChannelError(tr("The address must start with https://."))
        if host not in HOSTS[kind] or parts.port not in (None, 443):
            raise ChannelError(
                tr(
                    "A {channel} address goes to {hosts}, not {host}.",
                    channel=kind_names()[kind],
                    hosts=tr(" or ").join(HOSTS[kind]),
                    host=host,
                )
            )
    path = parts.path
    expected = PATHS[kind]
    if (kind == FEISHU and not path.startswith(expected)) or (
        kind != FEISHU and path.rstrip("/") != expected
    ):
        raise ChannelError(
            tr(
                "This is not a {channel} webhook address (it should look like {example}).",
                channel=kind_names()[kind],
                example=example_url(kind),
            )
        )
    token = robot_token(kind, url)
    if not token or (kind == FEISHU and "/" in token):
        raise ChannelError(
            tr(
                "The address has no robot key: copy the whole webhook address ({example}).",
                example=example_url(kind),
            )
        )
    register_secret(url)
    register_secret(token)
    return url


def example_url(kind: str) -> str:
    return {
        WECOM: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…",
        DINGTALK: "https://oapi.dingtalk.com/robot/send?access_token=…",
        FEISHU: "https://open.feishu.cn/open-apis/bot/v2/hook/…",
    }[kind]


def check_secret(kind: str, secret: str | None) -> str | None:
    """The signing secret (trimmed; ``None`` when not used), or :class:`ChannelError`."""
    secret = (secret or "").strip() or None
    if secret is None:
        return None
    if kind not in SIGNING_KINDS:
        raise ChannelError(tr("A WeCom robot has no signing secret: leave it empty."))
    if kind == DINGTALK and not secret.startswith("SEC"):
        raise ChannelError(tr("A DingTalk signing secret starts with SEC (robot security settings, 加签)."))
    if any(c.isspace() for c in secret):
        raise ChannelError(tr("The signing secret must not contain spaces."))
    register_secret(secret)
    return secret


def mask_url(url: str) -> str:
    """The URL as it may be shown: scheme and host, the key replaced by its last four characters."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return "••••"
    for kind in KINDS:
        token = robot_token(kind, url)
        if token:
            return f"{parts.scheme}://{host}/…{'•' * 4}{token[-4:] if len(token) > 8 else ''}"
    return f"{parts.scheme}://{host}/…"


def account(channel_id: str) -> str:
    """The keychain account of a channel."""
    return f"robot:{channel_id}"


class ChannelBook:
    """The configured channels: settings in the store, credentials in the keychain.

    Blocking (store and keychain): call it off the UI thread.
    """

    def __init__(self, store: Any, secrets: Any) -> None:
        self.store = store
        self.secrets = secrets

    def channels(self) -> list[Channel]:
        raw = self.store.settings.get(SETTINGS_KEY, [])
        out = []
        for entry in raw if isinstance(raw, list) else []:
            if not isinstance(entry, dict) or entry.get("kind") not in KINDS or not entry.get("id"):
                continue
            out.append(
                Channel(
                    id=str(entry["id"]),
                    kind=entry["kind"],
                    name=str(entry.get("name") or ""),
                    enabled=bool(entry.get("enabled", True)),
                    signed=bool(entry.get("signed", False)),
                    created_at=int(entry.get("created_at") or 0),
                )
            )
        return out

    def channel(self, channel_id: str) -> Channel | None:
        return next((c for c in self.channels() if c.id == channel_id), None)

    def _write(self, channels: list[Channel]) -> None:
        self.store.settings.set(SETTINGS_KEY, [asdict(c) for c in channels])

    def add(self, kind: str, name: str, url: str, secret: str | None = None) -> Channel:
        """A new channel (validated; credentials to the keychain first, then the settings)."""
        url = check_url(kind, url)
        secret = check_secret(kind, secret)
        channel = Channel(
            id=_random.token_hex(6),
            kind=kind,
            name=name.strip(),
            enabled=True,
            signed=secret is not None,
            created_at=int(time.time() * 1000),
        )
        self.secrets.update(account(channel.id), {URL_KEY: url, SECRET_KEY: secret})
        self._write([*self.channels(), channel])
        return channel

    def update(
        self,
        channel_id: str,
        *,
        name: str | None = None,
        enabled: bool | None = None,
        url: str | None = None,
        secret: str | None = None,
        clear_secret: bool = False,
    ) -> Channel:
        """Change a channel; ``url`` / ``secret`` ``None`` keep the stored ones."""
        channels = self.channels()
        current = next((c for c in channels if c.id == channel_id), None)
        if current is None:
            raise ChannelError(tr("This channel no longer exists."))
        values: dict[str, str | None] = {}
        if url is not None and url.strip():
            values[URL_KEY] = check_url(current.kind, url)
        if clear_secret:
            values[SECRET_KEY] = None
        elif secret is not None and secret.strip():
            values[SECRET_KEY] = check_secret(current.kind, secret)
        if values:
            self.secrets.update(account(channel_id), values)
        signed = current.signed if SECRET_KEY not in values else values[SECRET_KEY] is not None
        changed = replace(
            current,
            name=current.name if name is None else name.strip(),
            enabled=current.enabled if enabled is None else enabled,
            signed=signed,
        )
        self._write([changed if c.id == channel_id else c for c in channels])
        return changed

    def remove(self, channel_id: str) -> None:
        """Forget the channel: its credentials, its settings (and, by the caller, its queue)."""
        self.secrets.delete_account(account(channel_id))
        self._write([c for c in self.channels() if c.id != channel_id])

    def credentials(self, channel_id: str) -> tuple[str, str | None] | None:
        """(url, secret) from the keychain, or ``None`` when the keychain has none."""
        url = self.secrets.get(account(channel_id), URL_KEY)
        if not url:
            return None
        return url, self.secrets.get(account(channel_id), SECRET_KEY)

    def resolved(self, *, enabled_only: bool = True) -> list[ResolvedChannel]:
        """The channels with their credentials (those whose keychain entry is gone are left out)."""
        out = []
        for channel in self.channels():
            if enabled_only and not channel.enabled:
                continue
            creds = self.credentials(channel.id)
            if creds is not None:
                out.append(ResolvedChannel(channel, creds[0], creds[1]))
        return out


def env_channels(environ: Mapping[str, str]) -> list[ResolvedChannel]:
    """Channels from ``AW_*_URL`` (+ ``AW_*_SECRET``); :class:`ChannelError` naming a bad variable."""
    out = []
    for kind in KINDS:
        url = (environ.get(ENV_URLS[kind]) or "").strip()
        secret_name = ENV_SECRETS.get(kind)
        secret = (environ.get(secret_name) or "").strip() if secret_name else ""
        if secret:
            register_secret(secret)
        if not url:
            if secret:
                raise ChannelError(
                    tr("{name} is set but {url_name} is not.", name=secret_name, url_name=ENV_URLS[kind])
                )
            continue
        register_secret(url)
        try:
            url = check_url(kind, url)
        except ChannelError as exc:
            raise ChannelError(f"{ENV_URLS[kind]}: {exc}") from None
        try:
            checked = check_secret(kind, secret) if secret_name else None
        except ChannelError as exc:
            raise ChannelError(f"{secret_name}: {exc}") from None
        channel = Channel(id=f"env-{kind}", kind=kind, name=ENV_URLS[kind], signed=checked is not None)
        out.append(ResolvedChannel(channel, url, checked))
    return out
