"""Shop profiles for ``check``: credentials from the environment, and stored profiles whose refreshed
tokens go back to the keychain (never to the database)."""

from __future__ import annotations

import pytest

from desktop.core.kuaishou.client import Credentials
from desktop.core.kuaishou.models import OAuthToken, SellerInfo
from desktop.core.profiles import ProfileError, ShopManager, SignInResult, credentials_from_env
from desktop.core.secrets import MemoryKeyring, SecretStore
from desktop.core.store import open_store

ENV = {"KS_APP_KEY": "ks7001", "KS_SIGN_SECRET": "sign-secret-1234", "KS_ACCESS_TOKEN": "access-token-5678"}


def test_credentials_from_the_environment():
    assert credentials_from_env({}) is None
    creds = credentials_from_env(ENV)
    assert (creds.app_key, creds.sign_method, creds.app_secret, creds.refresh_token) == (
        "ks7001",
        "HMAC_SHA256",
        None,
        None,
    )
    md5 = credentials_from_env(
        {
            **ENV,
            "KS_SIGN_METHOD": "md5",
            "KS_APP_SECRET": "app-secret-9",
            "KS_REFRESH_TOKEN": "refresh-token-9",
        }
    )
    assert md5.sign_method == "MD5" and md5.can_refresh
    assert "sign-secret-1234" not in repr(creds) and "access-token-5678" not in repr(creds)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"KS_APP_KEY": "ks1"}, "KS_SIGN_SECRET"),
        ({**ENV, "KS_ACCESS_TOKEN": " "}, "KS_ACCESS_TOKEN"),
        ({**ENV, "KS_SIGN_METHOD": "SHA1"}, "KS_SIGN_METHOD"),
        ({**ENV, "KS_APP_SECRET": "app-secret-9"}, "KS_REFRESH_TOKEN"),
    ],
)
def test_incomplete_or_invalid_environments_are_refused_naming_the_variable(env, named):
    with pytest.raises(ProfileError, match=named):
        credentials_from_env(env)


def test_a_refreshed_token_pair_goes_to_the_keychain_not_the_database(tmp_path):
    keyring = MemoryKeyring()
    path = tmp_path / "p.sqlite3"
    with open_store(path) as store:
        manager = ShopManager(store, SecretStore(backend=keyring))
        shop = manager.save_sign_in(
            SignInResult(
                seller=SellerInfo(name="小店", seller_id=77),
                credentials=Credentials(
                    app_key="ks7001",
                    sign_secret="sign-secret-1234",
                    access_token="access-token-5678",
                    app_secret="app-secret-9",
                    refresh_token="refresh-token-9",
                ),
                base_url="https://openapi.kwaixiaodian.com",
                auth_mode="oauth",
            )
        )
        assert (shop.name, shop.auth_mode, shop.app_key) == ("小店", "oauth", "ks7001")
        manager.save_refreshed_tokens(
            shop.id,
            OAuthToken(
                access_token="access-token-NEW1", refresh_token="refresh-token-NEW1", expires_in=172800
            ),
        )
        creds = manager.credentials(shop.id)
        assert (creds.access_token, creds.refresh_token, creds.app_secret) == (
            "access-token-NEW1",
            "refresh-token-NEW1",
            "app-secret-9",
        )
        assert store.shops.get(shop.id).token_expires_at is not None
        manager.rename(shop.id, " 旗舰店 ")
        assert store.shops.get(shop.id).label == "旗舰店"
    blob = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    for secret in (
        "sign-secret-1234",
        "access-token-5678",
        "app-secret-9",
        "refresh-token-9",
        "access-token-NEW1",
        "refresh-token-NEW1",
    ):
        assert secret.encode() not in blob

    with open_store(path) as store:
        manager = ShopManager(store, SecretStore(backend=keyring))
        manager.sign_out(shop.id)
        assert manager.credentials(shop.id) is None and store.shops.get(shop.id) is not None
        manager.remove(shop.id)
        assert store.shops.all() == []


def test_signing_in_again_with_another_spelling_of_the_gateway_is_the_same_shop(tmp_path):
    with open_store(tmp_path / "p.sqlite3") as store:
        manager = ShopManager(store, SecretStore(backend=MemoryKeyring()))
        # a shop stored under a loose spelling, as an earlier version kept it
        legacy = store.shops.add(base_url="https://OpenAPI.kwaixiaodian.com:443/", seller_id=77, name="小店")
        ids = set()
        for url in (
            "https://openapi.kwaixiaodian.com",
            "https://openapi.kwaixiaodian.com/",
            "HTTPS://OPENAPI.KWAIXIAODIAN.COM:443",
        ):
            shop = manager.save_sign_in(
                SignInResult(
                    seller=SellerInfo(name="小店", seller_id=77),
                    credentials=Credentials(
                        app_key="ks7001", sign_secret="sign-secret-1234", access_token="access-token-5678"
                    ),
                    base_url=url,
                    auth_mode="token",
                )
            )
            ids.add(shop.id)
        assert ids == {legacy.id} and len(store.shops.all()) == 1
        new = manager.save_sign_in(
            SignInResult(
                seller=SellerInfo(name="店", seller_id=78),
                credentials=Credentials(
                    app_key="ks7001", sign_secret="sign-secret-1234", access_token="access-token-5678"
                ),
                base_url="http://LOCALHOST:18900/",
                auth_mode="token",
            )
        )
        assert store.shops.get(new.id).base_url == "http://127.0.0.1:18900"
