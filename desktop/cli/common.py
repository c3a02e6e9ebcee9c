"""What the headless commands share: the connection arguments, the shops to work on and their
credentials, the local store, and the embedded sandbox for ``--demo``.

Credentials come from the ``KS_*`` environment variables when set (see
:func:`desktop.core.profiles.credentials_from_env`), else from every stored shop profile (secrets from
the system keychain); ``--demo`` runs against the embedded sandbox with a throwaway store.

    with open_session(args) as session:       # store opened, sandbox started for --demo
        for target in session.targets: ...
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import math
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlsplit

from desktop.core import i18n, paths
from desktop.core.i18n import tr

if TYPE_CHECKING:  # the commands import these when they run, so that --help stays quick
    from desktop.core.kuaishou.client import Credentials, KuaishouClient
    from desktop.core.kuaishou.models import OAuthToken
    from desktop.core.store import ShopProfile, Store
    from desktop.sandbox import Sandbox

Num = TypeVar("Num", int, float)

#: a gateway on this machine (the embedded sandbox, a local relay) is called at the platform's
#: documented per-API cap; the real gateway at the client's more cautious default
LOOPBACK_QPS = 100.0
ENV_NAMES = "KS_APP_KEY, KS_SIGN_SECRET, KS_ACCESS_TOKEN"


#: the largest id the platform uses (ids are signed 64-bit integers)
MAX_ID = 2**63 - 1


def number(kind: type[Num], what: str, *, minimum: float, maximum: float) -> Callable[[str], Num]:
    """An ``argparse`` type: a finite ``kind`` (int or float) within [minimum, maximum], else a
    usage error naming the flag and the range (never a traceback later on)."""

    def parse(text: str) -> Num:
        try:
            value = kind(text.strip())
        except (ValueError, AttributeError):
            noun = "a whole number" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"{what} must be {noun}, got {text!r}") from None
        if (kind is float and not math.isfinite(value)) or not minimum <= value <= maximum:
            raise argparse.ArgumentTypeError(
                f"{what} must be between {minimum:g} and {maximum:g}, got {text!r}"
            )
        return value

    return parse


def folder(text: str) -> str:
    """An ``argparse`` type for ``--data-dir``: not empty, and not an existing file."""
    if not text.strip():
        raise argparse.ArgumentTypeError("the data folder must not be empty")
    path = Path(text).expanduser()
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a file, not a folder")
    return text


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    """``--demo``, ``--api-base`` and ``--data-dir``, as every headless command takes them."""
    parser.add_argument(
        "--demo",
        dest="check_demo",
        action="store_true",
        help="run against the embedded demo shop (no account needed, nothing kept)",
    )
    parser.add_argument(
        "--api-base", metavar="URL", help="gateway base URL (default: the Kuaishou open platform)"
    )
    parser.add_argument(
        "--data-dir",
        dest="check_data_dir",
        metavar="DIR",
        type=folder,
        help="keep all data, settings and logs below DIR",
    )


def secrets_missing_text() -> str:
    return tr("The secrets of this shop are not in the system keychain: sign in again in the app.")


@dataclass
class Target:
    """One shop to work on: its credentials and gateway; ``shop_id`` when it has a stored profile."""

    credentials: Credentials | None  # None only with a ``problem``
    base_url: str
    shop_id: int | None = None
    save_tokens: Callable[[OAuthToken], None] | None = None
    problem: str | None = None  # a stored shop that cannot be used (secrets gone)

    def usable_credentials(self) -> Credentials:
        """The credentials to call with; :class:`SessionError` with the ``problem`` when there are none."""
        if self.credentials is None:
            raise SessionError(self.problem or secrets_missing_text())
        return self.credentials


@dataclass
class Session:
    store: Store
    targets: list[Target] = field(default_factory=list)
    sandbox: Sandbox | None = None


class SessionError(Exception):
    """The store or the profiles cannot be used (exit code 2); the message is for the user."""


def is_loopback(base_url: str) -> bool:
    from desktop.core.kuaishou.transport import is_loopback_host

    return is_loopback_host(urlsplit(base_url).hostname or "")


def apply_global_options(args: argparse.Namespace) -> bool:
    """Data dir, language and logging from ``args``; returns whether ``--demo`` was asked for."""
    from desktop.core.logsetup import setup_logging

    data_dir = getattr(args, "check_data_dir", None)
    if data_dir:
        paths.set_home(data_dir)
    if getattr(args, "lang", None):
        i18n.set_language(args.lang)
    setup_logging()
    return bool(getattr(args, "check_demo", False) or getattr(args, "demo", False))


def open_store(path: Path | None) -> Store:
    """The local store; a damaged one is moved aside (and said so) and a fresh one created."""
    from desktop.core.store import StoreDamaged, rebuild_store
    from desktop.core.store import open_store as _open

    try:
        return _open(path)
    except StoreDamaged as exc:
        store, moved = rebuild_store(path)
        print(exc.message, file=sys.stderr)
        print(
            tr("A fresh local database was created; the damaged one was kept as {path}.", path=str(moved)),
            file=sys.stderr,
        )
        return store


def find_targets(args: argparse.Namespace, store: Store, sandbox: Sandbox | None) -> list[Target]:
    from desktop.core.kuaishou.client import DEFAULT_BASE_URL, Credentials
    from desktop.core.kuaishou.transport import canonical_base_url, same_gateway
    from desktop.core.profiles import ShopManager, credentials_from_env

    if sandbox is not None:
        c = sandbox.credentials
        creds = Credentials(
            app_key=c.app_key,
            sign_secret=c.sign_secret,
            access_token=c.access_token,
            sign_method=c.sign_method,
            app_secret=c.app_secret,
            refresh_token=c.refresh_token,
        )
        return [Target(creds, sandbox.base_url)]
    env = credentials_from_env()
    if env is not None:
        return [Target(env, canonical_base_url(args.api_base or DEFAULT_BASE_URL))]
    from desktop.core.secrets import SecretStore

    manager = ShopManager(store, SecretStore())
    shops = [s for s in store.shops.all() if not args.api_base or same_gateway(s.base_url, args.api_base)]
    targets = []
    for shop in shops:
        stored = manager.credentials(shop.id)
        problem = None if stored is not None else secrets_missing_text()
        targets.append(
            Target(
                stored,
                shop.base_url,
                shop.id,
                save_tokens=functools.partial(manager.save_refreshed_tokens, shop.id),
                problem=problem,
            )
        )
    return targets


@contextlib.contextmanager
def open_session(args: argparse.Namespace, *, demo: bool) -> Iterator[Session]:
    """The store and the targets (the sandbox started for ``--demo``), closed afterwards.

    Raises :class:`SessionError` when the store or the profiles cannot be used.
    """
    from desktop.core.profiles import ProfileError
    from desktop.core.store import StoreError

    with contextlib.ExitStack() as stack:
        sandbox = None
        db_path = None
        if demo:
            from desktop.sandbox import Sandbox

            scratch = stack.enter_context(tempfile.TemporaryDirectory(prefix="aftersale-watch-demo-"))
            db_path = Path(scratch) / "demo.sqlite3"
            sandbox = Sandbox()
            sandbox.start()
            stack.callback(sandbox.stop)
        try:
            store = open_store(db_path)
        except StoreError as exc:
            raise SessionError(exc.message) from exc
        stack.callback(store.close)
        try:
            targets = find_targets(args, store, sandbox)
        except (StoreError, ProfileError) as exc:
            raise SessionError(getattr(exc, "message", None) or str(exc)) from exc
        yield Session(store, targets, sandbox)


def make_client(target: Target, *, qps: float | None = None) -> KuaishouClient:
    """The API client for ``target`` (loopback gateways at the platform's cap unless ``qps``).

    Raises :class:`SessionError` when the gateway address cannot be used.
    """
    from desktop.core.kuaishou.client import KuaishouClient

    if qps is None and is_loopback(target.base_url):
        qps = LOOPBACK_QPS
    try:
        client = functools.partial(
            KuaishouClient,
            target.usable_credentials(),
            base_url=target.base_url,
            on_tokens_refreshed=target.save_tokens,
        )
        return client() if qps is None else client(qps=qps)
    except ValueError as exc:  # e.g. a plain-http base URL that is not loopback
        raise SessionError(str(exc)) from exc


def resolve_shop(store: Store, client: KuaishouClient, target: Target) -> int:
    """The local shop of a target: its stored id, or found/created from the token's seller info."""
    if target.shop_id is not None:
        return target.shop_id
    from desktop.core.kuaishou.errors import MalformedResponse

    seller = client.seller_info()
    if seller.seller_id is None:
        raise MalformedResponse("the seller info names no shop (no sellerId)", method="open.user.seller.get")
    from desktop.core.profiles import find_shop

    shop = find_shop(store, target.base_url, seller.seller_id)
    credentials = target.usable_credentials()
    fields: ShopProfile = {
        "name": seller.name or "",
        "app_key": credentials.app_key,
        "sign_method": credentials.sign_method,
        "auth_mode": "oauth" if credentials.refresh_token else "token",
    }
    if shop is None:
        return store.shops.add(base_url=target.base_url, seller_id=seller.seller_id, **fields).id
    store.shops.update(shop.id, **fields)
    return shop.id
