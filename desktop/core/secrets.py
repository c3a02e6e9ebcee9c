"""The one place secrets live: the OS keychain through ``keyring``, or memory for this session.

Every shop (an *account*, its shop id as text) has a few secrets (``app_secret``, ``sign_secret``,
``access_token``, ``refresh_token``). They are kept as ONE keychain entry per shop (a small JSON object
under the service name), so that a refreshed token pair is written atomically and signing a shop out
forgets everything of it in one step.

When no usable keychain exists (no backend, the fail/null backends, a backend that writes a file such
as keyrings.alt's plaintext keyring, a locked or broken keychain), the
secrets are kept in memory for the session only: :attr:`SecretStore.persistent` is then ``False`` and
:attr:`SecretStore.problem` says, in the user's language, what happened. Secrets are never written to a
file, the database, the settings or the logs: every value is registered with
:func:`desktop.core.logsetup.register_secret` as soon as it is seen.

Qt-free. Keychain calls may block (an unlock prompt, D-Bus): call them off the UI thread.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

import keyring
import keyring.backend
import keyring.errors
from keyring.compat import properties

from desktop.core.i18n import tr
from desktop.core.logsetup import register_secret

log = logging.getLogger(__name__)

SERVICE = "AfterSaleWatch"

#: the secret keys the app uses (others are allowed; these are the ones the app knows about)
APP_SECRET = "app_secret"
SIGN_SECRET = "sign_secret"
ACCESS_TOKEN = "access_token"
REFRESH_TOKEN = "refresh_token"

# keyring backends that never store anything
_USELESS_MODULES = ("keyring.backends.fail", "keyring.backends.null")
# keyring backends that write the secrets into a file of their own (keyrings.alt's plaintext and
# "encrypted" files, keyrings.cryptfile): not a keychain. A file one can copy is exactly what the
# secrets must never be; the encrypted variants also ask for their password on a terminal.
_FILE_MODULES = ("keyrings.alt.file", "keyrings.alt.pyfs", "keyrings.cryptfile")
# a friendly display name per backend module
_FRIENDLY_NAMES = {
    "keyring.backends.macOS": "macOS Keychain",
    "keyring.backends.Windows": "Windows Credential Manager",
    "keyring.backends.SecretService": "Secret Service (GNOME Keyring / KWallet)",
    "keyring.backends.libsecret": "Secret Service (libsecret)",
    "keyring.backends.kwallet": "KWallet",
}
_PROBE_ACCOUNT = "__probe__"


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring backend that keeps everything in a dict (tests, and nothing else).

    Never chosen by keyring's auto-detection: its priority is not viable. Pass it explicitly:
    ``SecretStore(backend=MemoryKeyring())``.
    """

    @properties.classproperty
    def priority(cls) -> float:  # noqa: N805 - a classproperty; keyring treats a raising priority as "not viable"
        raise RuntimeError("MemoryKeyring is for tests; pass it explicitly")

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.entries[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError("not found") from None


def _friendly_name(backend: keyring.backend.KeyringBackend) -> str:
    module = type(backend).__module__
    for prefix, name in _FRIENDLY_NAMES.items():
        if module.startswith(prefix):
            return name
    if type(backend) is MemoryKeyring:  # not its subclasses: they stand in for other backends
        return tr("memory (demo and tests)")
    return str(getattr(backend, "name", type(backend).__name__))


def _keeps_a_file(backend: object) -> bool:
    """True for a backend that writes the secrets into a file (plaintext or its own encryption)."""
    for cls in type(backend).__mro__:
        if cls.__module__.startswith(_FILE_MODULES) or "plaintext" in cls.__name__.lower():
            return True
    return False


def _unusable_reason(backend: keyring.backend.KeyringBackend) -> tuple[str, str | None] | None:
    """Why ``backend`` cannot keep secrets — ``(for the log, for the user)``, the user's text
    ``None`` when the system simply offers no keychain — or ``None`` when it looks usable."""
    module = type(backend).__module__
    if module.startswith(_USELESS_MODULES):
        return "no keychain backend available", None
    if module.startswith("keyring.backends.chainer"):
        chained = list(getattr(backend, "backends", None) or [])
        if not chained:
            return "no keychain backend available", None
        # the chainer writes to its first (highest priority) backend
        backend = chained[0]
    if _keeps_a_file(backend):
        name = _friendly_name(backend)
        return (
            f"{name} writes secrets into a file",
            tr(
                "the keyring backend {name} keeps secrets in a plain file, which is not a keychain", name=name
            ),
        )
    return None


class SecretStore:
    """Secrets of every shop, in the OS keychain or (failing that) in memory for this session.

    Thread-safe. ``backend=None`` uses keyring's detected backend.
    """

    def __init__(self, service: str = SERVICE, backend: keyring.backend.KeyringBackend | None = None) -> None:
        self.service = service
        self._lock = threading.RLock()
        self._cache: dict[str, dict[str, str]] = {}  # account -> {key: value}
        self._problem: str | None = None
        self._backend: keyring.backend.KeyringBackend | None
        try:
            chosen = backend if backend is not None else keyring.get_keyring()
        except Exception as exc:  # keyring's discovery itself failed (broken config, plugin…)
            log.warning("keyring backend detection failed: %s", exc)
            self._fall_back(f"{type(exc).__name__}: {exc}")
            return
        self._backend = chosen
        self._backend_name = _friendly_name(chosen)
        unusable = _unusable_reason(chosen)
        if unusable:
            logged, shown = unusable
            self._fall_back(shown, logged)
            return
        # a harmless read tells a locked or broken keychain from a working one
        try:
            chosen.get_password(self.service, _PROBE_ACCOUNT)
        except Exception as exc:
            self._fall_back(f"{self._backend_name}: {type(exc).__name__}: {exc}")
            return
        log.info("secrets are kept in %s", self._backend_name)

    # -- status ---------------------------------------------------------------------------------

    @property
    def persistent(self) -> bool:
        """``True`` when secrets survive a restart (a working OS keychain is in use)."""
        return self._backend is not None

    @property
    def backend_name(self) -> str:
        """The store in use, for display (e.g. "macOS Keychain", "memory (this session only)")."""
        return self._backend_name

    @property
    def problem(self) -> str | None:
        """Why secrets are kept for this session only (in the user's language), or ``None``."""
        return self._problem

    def _fall_back(self, detail: str | None, logged: str | None = None) -> None:
        """Keep secrets in memory; ``detail`` (an error's text) is shown, ``None`` when the system
        simply has no keychain (then only ``logged`` goes to the log)."""
        self._backend = None
        self._backend_name = tr("memory (this session only)")
        if detail is None:
            self._problem = tr(
                "This computer offers no system keychain. Your shop's secrets are kept in memory "
                "for this session only: you will have to sign in again after the app closes."
            )
        else:
            self._problem = tr(
                "No usable system keychain was found ({detail}). Your shop's secrets are kept in memory "
                "for this session only: you will have to sign in again after the app closes.",
                detail=detail,
            )
        log.warning("no usable keychain (%s): secrets are kept in memory for this session", detail or logged)

    # -- access ---------------------------------------------------------------------------------

    @staticmethod
    def _check_account(account: str) -> str:
        account = str(account).strip()
        if not account:
            raise ValueError("account must be a non-empty shop identifier")
        if account == _PROBE_ACCOUNT:
            raise ValueError(f"{_PROBE_ACCOUNT!r} is reserved")
        return account

    def _load(self, account: str) -> dict[str, str]:
        """The account's secrets (cached after the first read). Caller holds the lock."""
        cached = self._cache.get(account)
        if cached is not None:
            return cached
        values: dict[str, str] = {}
        if self._backend is not None:
            try:
                raw = self._backend.get_password(self.service, account)
            except Exception as exc:
                self._fall_back(f"{self._backend_name}: {type(exc).__name__}: {exc}")
                raw = None
            if raw:
                values = self._decode(account, raw)
        for value in values.values():
            register_secret(value)
        self._cache[account] = values
        return values

    @staticmethod
    def _decode(account: str, raw: str) -> dict[str, str]:
        try:
            data: Any = json.loads(raw)
        except ValueError:
            data = None
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()
        ):
            log.error("the keychain entry of account %s is not readable; ignoring it", account)
            return {}
        return dict(data)

    def _save(self, account: str, values: dict[str, str]) -> None:
        """Write the account's entry to the keychain (or keep it in memory). Caller holds the lock."""
        self._cache[account] = values
        if self._backend is None:
            return
        try:
            if values:
                self._backend.set_password(self.service, account, json.dumps(values))
            else:
                try:
                    self._backend.delete_password(self.service, account)
                except keyring.errors.PasswordDeleteError:
                    pass  # nothing stored: nothing to forget
        except Exception as exc:
            self._fall_back(f"{self._backend_name}: {type(exc).__name__}: {exc}")

    def get(self, account: str, key: str) -> str | None:
        """The secret ``key`` of ``account``, or ``None`` when not stored."""
        account = self._check_account(account)
        with self._lock:
            return self._load(account).get(key)

    def set(self, account: str, key: str, value: str | None) -> None:
        """Store (``value=None``: remove) the secret ``key`` of ``account``."""
        self.update(account, {key: value})

    def update(self, account: str, values: dict[str, str | None]) -> None:
        """Store several secrets of ``account`` at once (one keychain write; ``None`` removes)."""
        account = self._check_account(account)
        for value in values.values():
            if value is not None and not isinstance(value, str):
                raise TypeError("secret values must be str or None")
            register_secret(value)
        with self._lock:
            merged = dict(self._load(account))
            for key, value in values.items():
                if value is None or value == "":
                    merged.pop(key, None)
                else:
                    merged[key] = value
            self._save(account, merged)

    def delete_account(self, account: str) -> None:
        """Forget every secret of ``account`` (sign-out)."""
        account = self._check_account(account)
        with self._lock:
            self._cache.pop(account, None)
            self._save(account, {})
            self._cache.pop(account, None)
