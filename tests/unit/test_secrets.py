"""The secrets wrapper: the keychain when there is one, memory for the session when there is none."""

from __future__ import annotations

import json
import logging

import keyring.backend
import keyring.backends.fail
import keyring.errors
import pytest

from desktop.core import logsetup
from desktop.core.secrets import ACCESS_TOKEN, REFRESH_TOKEN, MemoryKeyring, SecretStore


class LockedKeyring(MemoryKeyring):
    """A keychain that exists but refuses every access (locked, user said no)."""

    def get_password(self, service, username):
        raise keyring.errors.KeyringLocked("the collection is locked")

    def set_password(self, service, username, password):
        raise keyring.errors.KeyringLocked("the collection is locked")


class FailsOnWrite(MemoryKeyring):
    def set_password(self, service, username, password):
        raise keyring.errors.PasswordSetError("write refused")


def test_values_go_to_the_keychain_as_one_entry_per_account():
    backend = MemoryKeyring()
    store = SecretStore(backend=backend)
    assert store.persistent and store.problem is None
    store.update("1001", {ACCESS_TOKEN: "token-aaaaaa", REFRESH_TOKEN: "refresh-bbbbbb"})
    store.set("1002", ACCESS_TOKEN, "token-cccccc")
    assert json.loads(backend.entries[("AfterSaleWatch", "1001")]) == {
        ACCESS_TOKEN: "token-aaaaaa",
        REFRESH_TOKEN: "refresh-bbbbbb",
    }
    # a new wrapper (a restart) reads them back from the keychain
    again = SecretStore(backend=backend)
    assert again.get("1001", REFRESH_TOKEN) == "refresh-bbbbbb"
    assert again.get("1002", ACCESS_TOKEN) == "token-cccccc"
    assert again.get("1002", REFRESH_TOKEN) is None


def test_setting_none_removes_and_delete_account_forgets_everything():
    backend = MemoryKeyring()
    store = SecretStore(backend=backend)
    store.update("7", {ACCESS_TOKEN: "token-aaaaaa", REFRESH_TOKEN: "refresh-bbbbbb"})
    store.set("7", REFRESH_TOKEN, None)
    assert SecretStore(backend=backend).get("7", REFRESH_TOKEN) is None
    store.set("8", ACCESS_TOKEN, "other-shop-token")
    store.delete_account("7")
    assert store.get("7", ACCESS_TOKEN) is None
    assert ("AfterSaleWatch", "7") not in backend.entries
    assert SecretStore(backend=backend).get("8", ACCESS_TOKEN) == "other-shop-token"
    store.delete_account("never-stored")  # forgetting nothing is not an error


@pytest.mark.parametrize(
    "backend",
    [keyring.backends.fail.Keyring(), LockedKeyring()],
    ids=["no-backend", "locked"],
)
def test_without_a_usable_keychain_secrets_live_in_memory_for_the_session(backend):
    store = SecretStore(backend=backend)
    assert not store.persistent
    assert store.problem is not None and "本次运行" in store.problem  # Chinese by default
    assert store.backend_name != "memory (demo and tests)"
    store.set("1", ACCESS_TOKEN, "session-token-1")
    assert store.get("1", ACCESS_TOKEN) == "session-token-1"
    store.delete_account("1")
    assert store.get("1", ACCESS_TOKEN) is None


def test_default_detection_in_this_environment_is_reported_plainly(monkeypatch):
    monkeypatch.setattr(keyring, "get_keyring", keyring.backends.fail.Keyring)
    store = SecretStore()
    assert not store.persistent
    assert "{detail}" not in store.problem
    assert "系统钥匙串" in store.problem  # Chinese by default
    assert "backend" not in store.problem  # no developer's words for the seller


def test_no_keychain_is_said_in_chinese_without_english(monkeypatch):
    from desktop.core import i18n

    monkeypatch.setattr(keyring, "get_keyring", keyring.backends.fail.Keyring)
    i18n.set_language("zh_CN")
    try:
        problem = SecretStore().problem
    finally:
        i18n.set_language(i18n.DEFAULT_LANGUAGE)
    assert "系统钥匙串" in problem
    assert not any("a" <= ch.lower() <= "z" for ch in problem)


def test_detection_crash_falls_back_to_memory(monkeypatch):
    def boom():
        raise keyring.errors.InitError("broken keyring config")

    monkeypatch.setattr(keyring, "get_keyring", boom)
    store = SecretStore()
    assert not store.persistent and "InitError" in store.problem
    store.set("1", ACCESS_TOKEN, "still-works-in-memory")
    assert store.get("1", ACCESS_TOKEN) == "still-works-in-memory"


def test_a_failing_write_switches_to_memory_and_says_so():
    store = SecretStore(backend=FailsOnWrite())
    assert store.persistent
    store.set("1", ACCESS_TOKEN, "token-written-later")
    assert not store.persistent
    assert "PasswordSetError" in store.problem
    assert store.get("1", ACCESS_TOKEN) == "token-written-later"


def test_an_unreadable_entry_is_ignored_not_fatal(caplog):
    backend = MemoryKeyring()
    backend.entries[("AfterSaleWatch", "1")] = "not json"
    with caplog.at_level(logging.ERROR):
        assert SecretStore(backend=backend).get("1", ACCESS_TOKEN) is None
    assert "not readable" in caplog.text


def test_every_value_is_registered_for_redaction():
    backend = MemoryKeyring()
    SecretStore(backend=backend).set("1", ACCESS_TOKEN, "fresh-token-123456")
    assert logsetup.redact("calling with fresh-token-123456") == "calling with ***"
    backend.entries[("AfterSaleWatch", "2")] = json.dumps({ACCESS_TOKEN: "read-back-7890abc"})
    SecretStore(backend=backend).get("2", ACCESS_TOKEN)
    assert "read-back-7890abc" not in logsetup.redact("x read-back-7890abc")


def test_bad_input_is_refused_clearly():
    store = SecretStore(backend=MemoryKeyring())
    with pytest.raises(ValueError, match="non-empty"):
        store.set(" ", ACCESS_TOKEN, "x")
    with pytest.raises(TypeError, match="str or None"):
        store.set("1", ACCESS_TOKEN, 12345)  # type: ignore[arg-type]


def test_the_memory_backend_is_never_picked_by_keyring_itself():
    viable = set(keyring.backend.KeyringBackend.get_viable_backends())
    assert MemoryKeyring not in viable
    assert LockedKeyring not in viable


def test_secret_store_never_writes_files(app_home):
    store = SecretStore(backend=keyring.backends.fail.Keyring())
    store.set("1", ACCESS_TOKEN, "memory-only-secret-xyz")
    written = [p for p in app_home.rglob("*") if p.is_file()] if app_home.exists() else []
    assert all("memory-only-secret-xyz" not in p.read_text(errors="ignore") for p in written)


class PlaintextKeyring(MemoryKeyring):
    """Looks like keyrings.alt's plaintext file keyring (it writes every secret into a file)."""

    file_path = "keyring_pass.cfg"


PlaintextKeyring.__module__ = "keyrings.alt.file"


class EncryptedKeyring(MemoryKeyring):
    """Looks like keyrings.alt's encrypted file keyring (a file, and a password typed on a terminal)."""


EncryptedKeyring.__module__ = "keyrings.alt.file"


@pytest.mark.parametrize("backend_class", [PlaintextKeyring, EncryptedKeyring])
def test_a_file_keyring_is_not_a_keychain_and_the_user_is_told(backend_class):
    backend = backend_class()
    store = SecretStore(backend=backend)
    assert not store.persistent
    assert backend_class.__name__ in store.problem and "普通文件" in store.problem
    store.set("1", ACCESS_TOKEN, "never-in-a-file-token")
    assert store.get("1", ACCESS_TOKEN) == "never-in-a-file-token"
    assert backend.entries == {}  # nothing reached the file backend


def test_a_chain_that_writes_to_a_plaintext_file_is_refused_but_a_keychain_first_is_kept():
    class Chain(MemoryKeyring):
        """Stands in for keyring's chainer, which writes to its first backend."""

        def __init__(self, backends):
            super().__init__()
            self.backends = backends

    Chain.__module__ = "keyring.backends.chainer"

    plaintext = PlaintextKeyring()
    store = SecretStore(backend=Chain([plaintext, MemoryKeyring()]))
    assert not store.persistent and "PlaintextKeyring" in store.problem
    store.set("1", ACCESS_TOKEN, "kept-in-memory-token")
    assert plaintext.entries == {}

    store = SecretStore(backend=Chain([MemoryKeyring(), PlaintextKeyring()]))
    assert store.persistent and store.problem is None


def test_a_plaintext_backend_in_english_says_so_in_english():
    from desktop.core import i18n

    i18n.set_language("en")
    try:
        store = SecretStore(backend=PlaintextKeyring())
    finally:
        i18n.set_language("zh_CN")
    assert "keeps secrets in a plain file" in store.problem
