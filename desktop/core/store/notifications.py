"""The ``notifications`` table: which (request, threshold) alerts were sent, so each goes once."""

from __future__ import annotations

from desktop.core.store.sql import Repository


class NotificationRepository(Repository):
    """``store.notifications``: the deadline alerts already sent."""

    __slots__ = ()

    def mark(self, shop_id: int, refund_id: int, threshold: str, *, at: int) -> bool:
        """Remember that (refund, threshold) was notified; ``False`` if it already was."""
        with self._store.transaction() as conn:
            cur = conn.execute(
                "INSERT OR IGNORE INTO notifications (shop_id, refund_id, threshold, sent_at) "
                "VALUES (?, ?, ?, ?)",
                (shop_id, refund_id, threshold, at),
            )
            return cur.rowcount == 1

    def was_sent(self, shop_id: int, refund_id: int, threshold: str) -> bool:
        """Whether (refund, threshold) was notified."""
        return bool(
            self._store.read(
                "SELECT 1 FROM notifications WHERE shop_id = ? AND refund_id = ? AND threshold = ?",
                (shop_id, refund_id, threshold),
            )
        )

    def sent(self, shop_id: int) -> set[tuple[int, str]]:
        """Every (refund_id, threshold) already notified for the shop."""
        rows = self._store.read(
            "SELECT refund_id, threshold FROM notifications WHERE shop_id = ?", (shop_id,)
        )
        return {(r[0], r[1]) for r in rows}
