"""Sign-in against the sandbox: browser authorisation (loopback catch and pasted redirect) and a pasted
access token; state checks; failures explained; secrets in the keychain wrapper; shops managed."""

from __future__ import annotations

import time
import urllib.parse

import keyring.backends.fail
import pytest
import requests

from desktop.core import secrets as keys
from desktop.core.profiles import ShopManager
from desktop.core.secrets import SecretStore
from desktop.ui.login_dialog import LoginDialog, fetch_directly
from desktop.ui.workers import run_in_background

SIGN_IN_TIMEOUT_MS = 15_000


@pytest.fixture
def shops(store, secret_store) -> ShopManager:
    return ShopManager(store, secret_store)


def make_dialog(qtbot, shops, **kw) -> LoginDialog:
    dialog = LoginDialog(shops, **kw)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _seller_name(sandbox) -> str:
    from desktop.core.kuaishou.client import Credentials, KuaishouClient

    c = sandbox.credentials
    client = KuaishouClient(
        Credentials(c.app_key, c.sign_secret, c.access_token, c.sign_method), base_url=sandbox.base_url
    )
    return client.seller_info().name


def _stored_shop_is_verified(shops, shop, sandbox) -> None:
    from desktop.core.kuaishou.client import KuaishouClient

    assert shop.seller_id == sandbox.credentials.seller_id
    assert shop.name == _seller_name(sandbox)
    creds = shops.credentials(shop.id)
    assert creds is not None
    # the stored credentials work: the shop answers with them
    assert KuaishouClient(creds, base_url=shop.base_url).seller_info().seller_id == shop.seller_id


# ---------------------------------------------------------------------------- mode 1: loopback
def test_browser_authorisation_caught_on_the_loopback(qtbot, sandbox, shops, memory_keyring, wait_background):
    dialog = make_dialog(qtbot, shops, open_url=fetch_directly)
    dialog.fill_from_sandbox(sandbox)
    with qtbot.waitSignal(dialog.signed_in, timeout=SIGN_IN_TIMEOUT_MS) as blocker:
        dialog.start_authorization()
    shop = blocker.args[0]
    assert shop.auth_mode == "oauth"
    _stored_shop_is_verified(shops, shop, sandbox)
    # the exchange's answer has no refresh_token_expires_in: the grant's 180 days
    expected = time.time() * 1000 + 180 * 86_400_000
    assert abs(shops.store.shops.get(shop.id).refresh_expires_at - expected) < 120_000
    endpoints = [e["endpoint"] for e in sandbox.oauth_log]
    assert endpoints[0] == "oauth.authorize" and any("access_token" in e for e in endpoints)
    # the tokens the exchange produced are in the keychain, as one entry of that shop
    assert shops.secrets.get(str(shop.id), keys.ACCESS_TOKEN)
    assert ("AfterSaleWatch", str(shop.id)) in memory_keyring.entries
    assert shops.secrets.get(str(shop.id), keys.REFRESH_TOKEN)
    assert shops.secrets.get(str(shop.id), keys.APP_SECRET) == sandbox.credentials.app_secret
    assert not dialog.isVisible()  # accepted
    wait_background()


@pytest.mark.sockets_left_known(
    "one connection of the redirect chain to the sandbox stays open in CLOSE_WAIT after the "
    "test; not yet traced to its owner"
)
def test_forged_loopback_requests_are_ignored_until_the_real_redirect(
    qtbot, sandbox, shops, store, memory_keyring, wait_background
):
    """Any web page can send requests to the loopback port: a forged code, a bare ``?error=x`` or an
    old attempt's state must neither end the sign-in nor make the browser say it is done."""
    answers: list[requests.Response] = []

    def forged_then_real_browser(url: str) -> bool:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
        callback = query["redirect_uri"][0]

        def visit() -> None:
            for forged in (
                {"code": "stolen-code", "state": "not-ours"},
                {"error": "x"},
                {"code": "no-state-code"},
            ):
                answers.append(requests.get(callback + "?" + urllib.parse.urlencode(forged), timeout=5))
            answers.append(requests.get(url, timeout=10, allow_redirects=True))  # the user agrees

        run_in_background(visit)
        return True

    dialog = make_dialog(qtbot, shops, open_url=forged_then_real_browser)
    dialog.fill_from_sandbox(sandbox)
    with qtbot.waitSignal(dialog.signed_in, timeout=SIGN_IN_TIMEOUT_MS) as blocker:
        dialog.start_authorization()
    assert blocker.args[0].auth_mode == "oauth"
    assert [r.status_code for r in answers] == [400, 400, 400, 200]
    for forged in answers[:3]:
        assert "已忽略" in forged.text and "授权完成" not in forged.text
    assert "授权完成" in answers[3].text
    # only the real code was exchanged
    assert sum("access_token" in e["endpoint"] for e in sandbox.oauth_log) == 1
    assert [s.id for s in store.shops.all()] == [blocker.args[0].id]
    wait_background()
    for answer in answers:  # the redirects' responses too: each holds its connection until closed
        for response in (*answer.history, answer):
            response.close()


def test_stopping_ends_the_loopback_wait_at_once(qtbot, sandbox, shops, wait_background):
    opened: list[str] = []
    dialog = make_dialog(qtbot, shops, open_url=lambda url: opened.append(url) or True)
    dialog.fill_from_sandbox(sandbox)
    dialog.start_authorization()
    qtbot.waitUntil(lambda: bool(opened) and dialog._catcher is not None)
    assert dialog.authorize_link.text() == opened[0]
    dialog.stop()
    assert not dialog._busy and dialog.authorize_button.isEnabled()
    wait_background(3000)  # the worker waiting on the browser returned, not after 5 minutes


# ---------------------------------------------------------------------------- mode 1: pasted
def _authorise_like_a_browser(sandbox, authorize_url: str) -> dict[str, str]:
    """The user agrees in the browser; the sandbox only redirects to loopback, so take the code and
    state from its redirect and build what the browser would show at the registered https callback."""
    parts = urllib.parse.urlsplit(authorize_url)
    query = dict(urllib.parse.parse_qsl(parts.query))
    query["redirect_uri"] = "http://127.0.0.1:9/callback"
    answer = requests.get(sandbox.authorize_url, params=query, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(answer.headers["Location"]).query))


def test_browser_authorisation_with_a_pasted_redirect(qtbot, sandbox, shops, wait_background):
    opened: list[str] = []
    dialog = make_dialog(qtbot, shops, open_url=lambda url: opened.append(url) or True)
    dialog.fill_from_sandbox(sandbox)
    dialog.redirect_uri.setText("https://seller.example.com/callback")
    dialog.start_authorization()
    assert opened and "redirect_uri=https%3A%2F%2Fseller.example.com%2Fcallback" in opened[0]
    assert dialog.pasted.isEnabled() and dialog.paste_button.isEnabled()
    redirect = _authorise_like_a_browser(sandbox, opened[0])

    # a redirect of another attempt (wrong state) is refused before anything is sent
    dialog.pasted.setText(f"https://seller.example.com/callback?code={redirect['code']}&state=old")
    dialog.continue_with_pasted()
    assert "state" in dialog.status.text() and not dialog._busy

    dialog.pasted.setText("https://seller.example.com/callback?" + urllib.parse.urlencode(redirect))
    with qtbot.waitSignal(dialog.signed_in, timeout=SIGN_IN_TIMEOUT_MS) as blocker:
        dialog.continue_with_pasted()
    _stored_shop_is_verified(shops, blocker.args[0], sandbox)
    wait_background()


def test_a_used_code_is_explained(qtbot, sandbox, shops, wait_background):
    opened: list[str] = []
    dialog = make_dialog(qtbot, shops, open_url=lambda url: opened.append(url) or True)
    dialog.fill_from_sandbox(sandbox)
    dialog.redirect_uri.setText("https://seller.example.com/callback")
    dialog.start_authorization()
    redirect = _authorise_like_a_browser(sandbox, opened[0])
    requests.get(
        sandbox.base_url + "/oauth2/access_token",
        timeout=5,
        params={
            "app_id": sandbox.credentials.app_key,
            "app_secret": sandbox.credentials.app_secret,
            "grant_type": "code",
            "code": redirect["code"],
        },
    ).close()  # somebody used it already
    dialog.pasted.setText(redirect["code"])  # a bare code is accepted too
    dialog.continue_with_pasted()
    qtbot.waitUntil(lambda: not dialog._busy, timeout=SIGN_IN_TIMEOUT_MS)
    assert "authorisation server refused" in dialog.status.text()
    assert shops.shops() == []
    wait_background()


# ---------------------------------------------------------------------------- mode 2
def _fill_token(dialog, sandbox, *, access_token=None, sign_secret=None) -> None:
    c = sandbox.credentials
    dialog.tabs.setCurrentIndex(1)
    dialog.app_key.setText(c.app_key)
    dialog.sign_secret.setText(sign_secret or c.sign_secret)
    dialog.access_token.setText(access_token or c.access_token)
    dialog.base_url.setText(sandbox.base_url)


def test_pasted_access_token(qtbot, sandbox, shops, wait_background):
    dialog = make_dialog(qtbot, shops)
    _fill_token(dialog, sandbox)
    with qtbot.waitSignal(dialog.signed_in, timeout=SIGN_IN_TIMEOUT_MS) as blocker:
        dialog.token_button.click()
    shop = blocker.args[0]
    assert shop.auth_mode == "token"
    _stored_shop_is_verified(shops, shop, sandbox)
    assert shops.secrets.get(str(shop.id), keys.REFRESH_TOKEN) is None
    wait_background()


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("access_token", "not-a-valid-token-123", "token"),
        ("sign_secret", "wrong-sign-secret-123", "signature"),
    ],
)
def test_a_refused_credential_is_explained_and_nothing_is_stored(
    qtbot, sandbox, shops, field, value, expected, wait_background
):
    dialog = make_dialog(qtbot, shops)
    _fill_token(dialog, sandbox, **{field: value})
    dialog.token_button.click()
    qtbot.waitUntil(lambda: not dialog._busy, timeout=SIGN_IN_TIMEOUT_MS)
    assert expected in dialog.status.text(), dialog.status.text()
    assert shops.shops() == []
    assert dialog.isVisible()
    wait_background()


def test_empty_fields_are_named(qtbot, shops):
    dialog = make_dialog(qtbot, shops)
    dialog.tabs.setCurrentIndex(1)
    dialog.token_button.click()
    assert dialog.status.text() == "Please fill in: App key"
    assert not dialog._busy


# ---------------------------------------------------------------------------- keychain
def test_without_a_keychain_the_dialog_says_so_and_signing_in_still_works(
    qtbot, sandbox, store, wait_background
):
    session_only = SecretStore(backend=keyring.backends.fail.Keyring())
    shops = ShopManager(store, session_only)
    dialog = make_dialog(qtbot, shops)
    assert dialog.secret_note.text() == session_only.problem
    _fill_token(dialog, sandbox)
    with qtbot.waitSignal(dialog.signed_in, timeout=SIGN_IN_TIMEOUT_MS) as blocker:
        dialog.token_button.click()
    assert shops.credentials(blocker.args[0].id) is not None  # kept for this session
    wait_background()


def test_with_a_keychain_the_dialog_names_it(qtbot, shops):
    dialog = make_dialog(qtbot, shops)
    assert "memory (demo and tests)" in dialog.secret_note.text()


# ---------------------------------------------------------------------------- several shops
def test_rename_sign_out_and_remove(qtbot, sandbox, shops, store, wait_background):
    dialog = make_dialog(qtbot, shops)
    _fill_token(dialog, sandbox)
    with qtbot.waitSignal(dialog.signed_in, timeout=SIGN_IN_TIMEOUT_MS) as blocker:
        dialog.token_button.click()
    shop = blocker.args[0]
    wait_background()
    shops.rename(shop.id, "  我的小店  ")
    assert store.shops.get(shop.id).label == "我的小店"
    shops.sign_out(shop.id)
    assert shops.credentials(shop.id) is None and not shops.signed_in(shop.id)
    assert ("AfterSaleWatch", str(shop.id)) not in shops.secrets._backend.entries
    assert store.shops.get(shop.id) is not None  # the cached data stays
    shops.remove(shop.id)
    assert store.shops.get(shop.id) is None


@pytest.mark.parametrize("how", ["stop", "close"])
def test_a_sign_in_stopped_while_the_shop_is_checked_stores_nothing(
    qtbot, sandbox, shops, store, memory_keyring, wait_background, how
):
    """The verification answers only after the user pressed Stop (or closed the dialog): neither
    the shop nor its secrets may be stored."""
    import threading

    from desktop.ui.login_dialog import default_client_factory

    asked, answer = threading.Event(), threading.Event()

    class SlowClient:
        def __init__(self, credentials, base_url):
            self.inner = default_client_factory(credentials, base_url)

        def seller_info(self):
            asked.set()
            answer.wait(10)
            return self.inner.seller_info()

        def close(self):
            self.inner.close()

    dialog = make_dialog(qtbot, shops, client_factory=SlowClient)
    _fill_token(dialog, sandbox)
    signed: list = []
    dialog.signed_in.connect(signed.append)
    dialog.token_button.click()
    qtbot.waitUntil(asked.is_set, timeout=SIGN_IN_TIMEOUT_MS)
    if how == "stop":
        assert dialog.cancel_button.text() == "Stop"
        dialog.cancel_button.click()
        assert dialog.isVisible() and not dialog._busy
    else:
        dialog.close()
        assert not dialog.isVisible()
    answer.set()
    wait_background()
    assert signed == []
    assert shops.shops() == [] and store.shops.all() == []
    assert memory_keyring.entries == {}


@pytest.mark.parametrize(
    ("app_key", "token", "expected"),
    [
        ("ks000000000000000000", None, "does not know the app key"),
        (None, "garbage-token-123456", "not a valid token"),
    ],
)
def test_a_wrong_app_key_or_a_garbage_token_is_named_not_called_expired(
    qtbot, sandbox, shops, app_key, token, expected, wait_background
):
    dialog = make_dialog(qtbot, shops)
    _fill_token(dialog, sandbox, access_token=token)
    if app_key:
        dialog.app_key.setText(app_key)
    dialog.token_button.click()
    qtbot.waitUntil(lambda: not dialog._busy, timeout=SIGN_IN_TIMEOUT_MS)
    assert expected in dialog.status.text(), dialog.status.text()
    assert "expired" not in dialog.status.text()
    assert shops.shops() == []
    wait_background()
