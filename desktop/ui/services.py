"""What the main window and its shop sessions work with, handed in by the composition root
(``desktop/app.py``). Every call on these blocks (disk, network), so the UI calls them in workers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from desktop.core.domain.rules import Rules
    from desktop.core.kuaishou.client import Credentials, KuaishouClient
    from desktop.core.profiles import ShopManager
    from desktop.core.queue_rows import QueueRow, RefundDetail
    from desktop.core.risk_answer import RiskAnswer
    from desktop.core.store import Shop, Store
    from desktop.core.sync import SyncProgress, SyncResult


class SyncRun(Protocol):
    """A sync of one shop (:class:`desktop.core.sync.Syncer`, or one gated by
    :class:`desktop.ui.shop_watch.SyncGate`)."""

    def run(
        self,
        progress: Callable[[SyncProgress], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> SyncResult: ...


@dataclass
class Services:
    """What the window works with; every call on these blocks, so the window calls them in workers."""

    # None for a moment at start-up, while the keychain is found (the shell sets it, then reloads)
    shops: ShopManager | None
    store: Store
    rules: Rules
    # (shop, credentials) -> API client
    make_client: Callable[[Shop, Credentials], KuaishouClient]
    # (client, store, rules, shop_id) -> the shop's sync
    make_syncer: Callable[[KuaishouClient, Store, Rules, int], SyncRun]
    # (store, rules, shop) -> the rows the queue widget shows (built in the background)
    load_rows: Callable[[Store, Rules, Shop], Sequence[QueueRow]] | None = None
    # (store, row, rules) -> the full detail of a row (built in the background)
    load_detail: Callable[[Store, QueueRow, Rules], RefundDetail] | None = None
    # (store, rules, shop id) -> the shop's risk answer (desktop.core.risk_answer.risk_answer)
    estimate_risk: Callable[[Store, Rules, int], RiskAnswer] | None = None
