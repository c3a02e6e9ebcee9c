"""Shop profiles: the non-secret fields in the store, the secrets in :mod:`desktop.core.secrets`.

:class:`ShopManager` creates/updates a shop from a sign-in, rebuilds its client credentials, keeps a
refreshed token pair, renames, signs out (secrets forgotten, cached data kept) and removes (both).
Qt-free and blocking (SQLite, keychain): call it off the UI thread. The keychain account of a shop is
its local id as text.

For scripting, :func:`credentials_from_env` reads the ``KS_*`` environment variables instead.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from desktop.core import secrets as secret_keys
from desktop.core.i18n import tr
from desktop.core.kuaishou.client import Credentials
from desktop.core.kuaishou.models import SellerInfo
from desktop.core.kuaishou.transport import canonical_base_url, same_gateway
from desktop.core.logsetup import register_secret
from desktop.core.secrets import SecretStore
from desktop.core.store import Shop, Store

log = logging.getLogger(__name__)


def find_shop(store: Store, base_url: str, seller_id: int) -> Shop | None:
    """The stored shop of ``seller_id`` on the gateway ``base_url``, whatever spelling of the
    gateway's address it was stored under (one gateway is one gateway: ``…:443/``, upper case,
    ``localhost`` are all the same)."""
    shop = store.shops.find(canonical_base_url(base_url), seller_id)
    if shop is not None:
        return shop
    for shop in store.shops.all():  # stored under another spelling by an earlier version
        if shop.seller_id == seller_id and same_gateway(shop.base_url, base_url):
            return shop
    return None


ENV_APP_KEY = "KS_APP_KEY"
ENV_SIGN_SECRET = "KS_SIGN_SECRET"
ENV_ACCESS_TOKEN = "KS_ACCESS_TOKEN"
ENV_SIGN_METHOD = "KS_SIGN_METHOD"
ENV_APP_SECRET = "KS_APP_SECRET"
ENV_REFRESH_TOKEN = "KS_REFRESH_TOKEN"
ENV_REQUIRED = (ENV_APP_KEY, ENV_SIGN_SECRET, ENV_ACCESS_TOKEN)
SIGN_METHODS = ("HMAC_SHA256", "MD5")


class ProfileError(ValueError):
    """The credentials configuration is incomplete or invalid (the message says what to fix)."""


@dataclass(frozen=True)
class SignInResult:
    """What a successful sign-in produced (secrets inside ``credentials``; never logged)."""

    seller: SellerInfo
    credentials: Credentials
    base_url: str
    auth_mode: str  # "oauth" | "token"
    token_expires_at_ms: int | None = None
    refresh_expires_at_ms: int | None = None

    def __repr__(self) -> str:
        return f"SignInResult(seller={self.seller.name!r}, base_url={self.base_url!r}, mode={self.auth_mode})"


def expiry_ms(seconds: int | None, now_ms: int | None = None) -> int | None:
    """``expires_in`` seconds from now as epoch ms (``None`` stays ``None``)."""
    if not seconds:
        return None
    return (now_ms if now_ms is not None else int(time.time() * 1000)) + int(seconds) * 1000


def credentials_from_env(environ: Mapping[str, str] | None = None) -> Credentials | None:
    """Credentials from ``KS_APP_KEY``, ``KS_SIGN_SECRET``, ``KS_ACCESS_TOKEN`` (required together),
    ``KS_SIGN_METHOD`` (``HMAC_SHA256`` default, or ``MD5``), ``KS_APP_SECRET`` + ``KS_REFRESH_TOKEN``
    (optional, together: lets the client refresh the token).

    ``None`` when none of the required variables is set; :class:`ProfileError` for a partial or
    invalid set.
    """
    env = os.environ if environ is None else environ
    values = {
        name: (env.get(name) or "").strip()
        for name in (*ENV_REQUIRED, ENV_SIGN_METHOD, ENV_APP_SECRET, ENV_REFRESH_TOKEN)
    }
    for name in (ENV_SIGN_SECRET, ENV_ACCESS_TOKEN, ENV_APP_SECRET, ENV_REFRESH_TOKEN):
        register_secret(values[name])
    given = [n for n in ENV_REQUIRED if values[n]]
    if not given:
        return None
    missing = [n for n in ENV_REQUIRED if not values[n]]
    if missing:
        raise ProfileError(
            tr("Incomplete credentials in the environment: {missing} not set.", missing=", ".join(missing))
        )
    method = values[ENV_SIGN_METHOD].upper() or "HMAC_SHA256"
    if method not in SIGN_METHODS:
        raise ProfileError(
            tr(
                "{name} must be HMAC_SHA256 or MD5, not {value!r}.",
                name=ENV_SIGN_METHOD,
                value=values[ENV_SIGN_METHOD],
            )
        )
    if bool(values[ENV_APP_SECRET]) != bool(values[ENV_REFRESH_TOKEN]):
        raise ProfileError(
            tr(
                "{first} and {second} must be set together (they let the token be refreshed).",
                first=ENV_APP_SECRET,
                second=ENV_REFRESH_TOKEN,
            )
        )
    return Credentials(
        app_key=values[ENV_APP_KEY],
        sign_secret=values[ENV_SIGN_SECRET],
        access_token=values[ENV_ACCESS_TOKEN],
        sign_method=method,
        app_secret=values[ENV_APP_SECRET] or None,
        refresh_token=values[ENV_REFRESH_TOKEN] or None,
    )


class ShopManager:
    """Shop profiles (store) + their secrets (keychain). Blocking: call off the UI thread."""

    def __init__(self, store: Store, secrets: SecretStore) -> None:
        self.store = store
        self.secrets = secrets

    @staticmethod
    def account(shop_id: int) -> str:
        """The keychain account of a shop."""
        return str(int(shop_id))

    def shops(self) -> list[Shop]:
        return self.store.shops.all()

    def save_sign_in(self, result: SignInResult) -> Shop:
        """Create or update the shop of ``result`` and store its secrets; returns the ``Shop``."""
        seller = result.seller
        if seller.seller_id is None:
            raise ValueError("the gateway did not say which shop this is (no sellerId in the seller info)")
        creds = result.credentials
        fields: dict[str, Any] = {
            "name": seller.name or "",
            "app_key": creds.app_key,
            "sign_method": creds.sign_method,
            "auth_mode": result.auth_mode,
            "token_expires_at": result.token_expires_at_ms,
            "refresh_expires_at": result.refresh_expires_at_ms,
        }
        base_url = canonical_base_url(result.base_url)
        shop = find_shop(self.store, base_url, seller.seller_id)
        if shop is None:
            shop = self.store.shops.add(base_url=base_url, seller_id=seller.seller_id, **fields)
        else:
            self.store.shops.update(shop.id, **fields)
        self.secrets.delete_account(self.account(shop.id))  # nothing stale from an older sign-in
        self.secrets.update(
            self.account(shop.id),
            {
                secret_keys.SIGN_SECRET: creds.sign_secret,
                secret_keys.ACCESS_TOKEN: creds.access_token,
                secret_keys.APP_SECRET: creds.app_secret,
                secret_keys.REFRESH_TOKEN: creds.refresh_token,
            },
        )
        log.info("signed in to shop %s (%s mode)", shop.id, result.auth_mode)
        saved = self.store.shops.get(shop.id)
        assert saved is not None
        return saved

    def credentials(self, shop_id: int) -> Credentials | None:
        """The shop's client credentials, or ``None`` when its secrets are gone (sign in again)."""
        shop = self.store.shops.get(shop_id)
        if shop is None:
            return None
        account = self.account(shop_id)
        access_token = self.secrets.get(account, secret_keys.ACCESS_TOKEN)
        sign_secret = self.secrets.get(account, secret_keys.SIGN_SECRET)
        if not access_token or not sign_secret:
            return None
        return Credentials(
            app_key=shop.app_key,
            sign_secret=sign_secret,
            access_token=access_token,
            sign_method=shop.sign_method,
            app_secret=self.secrets.get(account, secret_keys.APP_SECRET),
            refresh_token=self.secrets.get(account, secret_keys.REFRESH_TOKEN),
        )

    def save_refreshed_tokens(self, shop_id: int, token: Any) -> None:
        """Persist a refreshed token pair at once (the old refresh token dies within minutes)."""
        self.secrets.update(
            self.account(shop_id),
            {
                secret_keys.ACCESS_TOKEN: token.access_token,
                secret_keys.REFRESH_TOKEN: token.refresh_token,
            },
        )
        fields: dict[str, Any] = {}
        if getattr(token, "expires_in", None):
            fields["token_expires_at"] = expiry_ms(token.expires_in)
        shop = self.store.shops.get(shop_id)
        if (
            shop is not None
            and shop.refresh_expires_at is None
            and getattr(token, "refresh_token_expires_in", None)
        ):
            # known from now on; a known expiry is kept: refreshing does not extend the grant
            fields["refresh_expires_at"] = expiry_ms(token.refresh_token_expires_in)
        if fields:
            self.store.shops.update(shop_id, **fields)

    def rename(self, shop_id: int, name: str) -> None:
        name = name.strip()
        self.store.shops.update(shop_id, display_name=name or None)

    def sign_out(self, shop_id: int) -> None:
        """Forget the shop's secrets; its cached requests stay until it is removed."""
        self.secrets.delete_account(self.account(shop_id))
        log.info("signed out of shop %s", shop_id)

    def remove(self, shop_id: int) -> None:
        """Forget the shop's secrets and everything stored of it."""
        self.sign_out(shop_id)
        self.store.shops.delete(shop_id)
        log.info("removed shop %s", shop_id)

    def signed_in(self, shop_id: int) -> bool:
        return bool(self.secrets.get(self.account(shop_id), secret_keys.ACCESS_TOKEN))
