"""``aftersale-watch watch``: the always-on watcher without a window (see :mod:`desktop.core.watcher`).

Watches every signed-in shop (or the ``KS_*`` environment credentials): syncs, keeps the store, sends
the robot alerts, runs the guard when it is enabled. Robot channels come from the app's settings, or
— when any is set — from ``AW_WECOM_URL``, ``AW_DINGTALK_URL`` + ``AW_DINGTALK_SECRET``,
``AW_FEISHU_URL`` + ``AW_FEISHU_SECRET``. Logs to the log folder (rotated). Stops cleanly on SIGTERM
or Ctrl+C. One watcher per data folder; do not run the desktop app on the same data folder at once.

Exit codes: 0 stopped · 2 usage or configuration error (also: another watcher on this data folder).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
from collections.abc import Iterator, Mapping, Sequence
from types import FrameType
from typing import TYPE_CHECKING

from desktop.cli import EXIT_OK, EXIT_USAGE
from desktop.cli.common import (
    ENV_NAMES,
    SessionError,
    Target,
    add_connection_arguments,
    apply_global_options,
    make_client,
    number,
    open_session,
    resolve_shop,
)
from desktop.core.i18n import tr

if TYPE_CHECKING:
    from desktop.core.robots.channels import ResolvedChannel
    from desktop.core.store import Store
    from desktop.core.watcher import Watcher

log = logging.getLogger(__name__)

HELP = "run until stopped: sync every shop, send phone alerts through group robots, run the guard"


def configure(parser: argparse.ArgumentParser) -> None:
    add_connection_arguments(parser)
    parser.add_argument(
        "--interval",
        type=number(int, "--interval", minimum=1, maximum=120),
        default=5,
        metavar="MIN",
        help="minutes between syncs (1-120, default 5; every minute near a deadline)",
    )


def robot_channels(store: Store, environ: Mapping[str, str] | None = None) -> list[ResolvedChannel]:
    """The robot channels to use: the ``AW_*`` variables when any is set, else the app's settings.

    Raises :class:`desktop.core.robots.channels.ChannelError` naming a bad variable.
    """
    from desktop.core.robots.channels import ENV_SECRETS, ENV_URLS, ChannelBook, env_channels

    env = os.environ if environ is None else environ
    if any(env.get(n) for n in (*ENV_URLS.values(), *ENV_SECRETS.values())):
        return env_channels(env)
    from desktop.core.secrets import SecretStore

    return ChannelBook(store, SecretStore()).resolved()


@contextlib.contextmanager
def _signals(watcher: Watcher) -> Iterator[None]:
    """SIGTERM and Ctrl+C ask the watcher to stop (instead of killing it half-way)."""

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("watch: signal %s received, stopping", signum)
        watcher.stop()

    names = ["SIGINT", "SIGTERM"] + (["SIGBREAK"] if os.name == "nt" else [])
    previous = {}
    for name in names:
        sig = getattr(signal, name, None)
        if sig is not None:
            previous[sig] = signal.signal(sig, stop)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run(args: argparse.Namespace, *, max_cycles: int | None = None) -> int:
    demo = apply_global_options(args)

    from desktop.core import paths
    from desktop.core.domain.rules import RulesError
    from desktop.core.polling import PollPolicy
    from desktop.core.robots.channels import ChannelError
    from desktop.core.robots.service import RobotAlerts
    from desktop.core.rulesfile import load_default_rules
    from desktop.core.store import StoreError
    from desktop.core.watcher import FolderLock, LockedError, Watcher, find_guard

    try:
        rules = load_default_rules()
    except RulesError as exc:
        print(tr("The rules file is invalid: {error}", error=str(exc)), file=sys.stderr)
        return EXIT_USAGE
    lock = FolderLock(paths.data_dir())
    try:
        lock.acquire()
    except LockedError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:  # a data folder that cannot be written
        print(
            tr(
                "The data folder {path} cannot be used: {error}",
                path=str(paths.data_dir()),
                error=exc.strerror or type(exc).__name__,
            ),
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        with open_session(args, demo=demo) as session:
            store = session.store
            targets = [t for t in session.targets if t.problem is None]
            for t in session.targets:
                if t.problem is not None:
                    print(tr("Shop {shop}: {problem}", shop=t.shop_id, problem=t.problem), file=sys.stderr)
            if not targets:
                print(
                    tr(
                        "No shop to watch: sign in with the app first, or set {names} (see --help).",
                        names=ENV_NAMES,
                    ),
                    file=sys.stderr,
                )
                return EXIT_USAGE
            try:
                channels = robot_channels(store)
            except ChannelError as exc:
                print(tr("Configuration error: {error}", error=str(exc)), file=sys.stderr)
                return EXIT_USAGE
            robots = RobotAlerts(store, rules, lambda: channels)
            interval = args.interval * 60
            watcher = Watcher(
                store,
                targets,
                rules,
                make_client=make_client,
                resolve_shop=lambda client, target: resolve_shop(store, client, target),
                robots=robots,
                guard=find_guard(store),
                poll=PollPolicy(
                    interval_s=interval, near_interval_s=min(60, interval), max_backoff_s=max(1800, interval)
                ),
            )
            _announce(targets, channels, watcher.guard is not None)
            try:
                with _signals(watcher):
                    watcher.run(max_cycles=max_cycles)
            except SessionError as exc:
                print(tr("Configuration error: {error}", error=str(exc)), file=sys.stderr)
                return EXIT_USAGE
            finally:
                robots.close()
            log.info("watch: stopped after %d cycle(s)", watcher.cycles)
            print(tr("Watcher stopped."), file=sys.stderr)
            return EXIT_OK
    except SessionError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except StoreError as exc:
        print(exc.message, file=sys.stderr)
        return EXIT_USAGE
    finally:
        lock.release()


def _announce(targets: Sequence[Target], channels: Sequence[ResolvedChannel], guard: bool) -> None:
    from desktop.core.robots.channels import kind_names

    names = kind_names()
    lines = [
        tr(
            "Watching {count} shop(s); robot channels: {channels}.",
            count=len(targets),
            channels=tr(", ").join(f"{c.channel.label()} ({names[c.kind]})" for c in channels) or tr("none"),
        )
    ]
    lines.append(
        tr("The guard runs after each sync.")
        if guard
        else tr("The guard is not available or not enabled: only alerts are sent.")
    )
    lines.append(tr("Press Ctrl+C to stop."))
    print("\n".join(lines), file=sys.stderr, flush=True)
    log.info(
        "watch: %d shop(s), %d robot channel(s), guard %s",
        len(targets),
        len(channels),
        "on" if guard else "off",
    )
