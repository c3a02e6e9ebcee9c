"""How requests ended: the classification columns of ``refunds`` and the ``auto_approvals`` table.

The sync classifies the requests that closed, or changed while seen waiting on the merchant
(:meth:`ClassificationRepository.unclassified`), and writes the decisions with the merchant steps
the platform auto-approved (:meth:`ClassificationRepository.save`). A change seen by
:meth:`~desktop.core.store.refunds.RefundRepository.upsert` clears a decision for a new one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from desktop.core.store.records import AutoStep, Decision, StoredAutoStep, StoredRefund
from desktop.core.store.refunds import INSERT_STEP_SQL, REFUND_SELECT, stored_refund
from desktop.core.store.sql import Repository, SqlValue, marks

_STEP_COLUMNS = (
    "shop_id",
    "refund_id",
    "at",
    "stage",
    "deadline_at",
    "decided_at",
    "handling_way",
    "certainty",
    "decided_by",
    "recorded_at",
)
#: refunds to classify: closed ones and those ever seen waiting on the merchant, not classified since
#: their last change (written as in the partial index refunds_unclassified, schema V4)
_UNCLASSIFIED_WHERE = "classified_at IS NULL AND (closed_at IS NOT NULL OR last_pending_seen_at IS NOT NULL)"


def _step_rows(
    shop_id: int, refund_id: int, steps: Iterable[AutoStep], at: int
) -> list[tuple[SqlValue, ...]]:
    return [
        (shop_id, refund_id, s.at, s.stage, s.deadline_at, s.decided_at, s.certainty, s.decided_by, at)
        for s in steps
    ]


class ClassificationRepository(Repository):
    """``store.classification``: the decisions of how requests ended, and the auto-approved steps."""

    __slots__ = ()

    def unclassified(self, shop_id: int, *, limit: int | None = None) -> list[StoredRefund]:
        """Refunds to classify: closed ones whose outcome is not decided yet, and open ones the app
        saw waiting on the merchant (a step of theirs may have been auto-approved since), not
        classified since their last change."""
        sql = f"{REFUND_SELECT} WHERE shop_id = ? AND {_UNCLASSIFIED_WHERE}"
        params: list[SqlValue] = [shop_id]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [stored_refund(r) for r in self._store.read(sql, params)]

    def save(self, shop_id: int, decisions: Iterable[Decision], *, at: int) -> int:
        """Store how requests ended (or stand, still open) and replace their auto-approved steps
        (:meth:`Decision.auto_steps`) — a step is one row whatever classified it, however often;
        returns how many decisions were written."""
        decisions = list(decisions)
        rows = [
            (
                d.outcome,
                d.certainty,
                d.decided_by,
                d.overdue_at,
                d.deadline_at,
                d.decided_at,
                d.first_action_at,
                at,
                shop_id,
                d.refund_id,
            )
            for d in decisions
        ]
        steps = [row for d in decisions for row in _step_rows(shop_id, d.refund_id, d.auto_steps(), at)]
        with self._store.transaction() as conn, self._store.guard():
            conn.executemany(
                "UPDATE refunds SET outcome = ?, certainty = ?, decided_by = ?, overdue_at = ?, "
                "deadline_at = ?, decided_at = ?, first_action_at = ?, classified_at = ? "
                "WHERE shop_id = ? AND refund_id = ?",
                rows,
            )
            conn.executemany(
                "DELETE FROM auto_approvals WHERE shop_id = ? AND refund_id = ?",
                [(shop_id, d.refund_id) for d in decisions],
            )
            conn.executemany(INSERT_STEP_SQL, steps)
        return len(rows)

    def auto_approvals(
        self,
        shop_id: int,
        *,
        refund_id: int | None = None,
        since: int | None = None,
        until: int | None = None,
    ) -> list[StoredAutoStep]:
        """The auto-approved merchant steps of a shop (optionally of one refund, or with ``since`` <
        ``at`` ≤ ``until``), in the order they count."""
        where: list[str] = ["shop_id = ?"]
        params: list[SqlValue] = [shop_id]
        for clause, value in (("refund_id = ?", refund_id), ("at > ?", since), ("at <= ?", until)):
            if value is not None:
                where.append(clause)
                params.append(value)
        rows = self._store.read(
            f"SELECT {', '.join(_STEP_COLUMNS)} FROM auto_approvals WHERE {' AND '.join(where)} "
            "ORDER BY at, refund_id",
            params,
        )
        return [StoredAutoStep(*r) for r in rows]

    def needing_history(
        self, shop_id: int, *, rules: Sequence[str], closed_since: int, limit: int
    ) -> list[StoredRefund]:
        """Closed refunds decided by one of ``rules`` whose negotiation history was never fetched,
        closed at or after ``closed_since``; the most recent first."""
        rows = self._store.read(
            f"{REFUND_SELECT} WHERE shop_id = ? AND closed_at >= ? AND decided_by IN ({marks(len(rules))}) "
            "AND comments_fetched_at IS NULL ORDER BY closed_at DESC LIMIT ?",
            (shop_id, closed_since, *rules, limit),
        )
        return [stored_refund(r) for r in rows]

    def history_to_fetch(self, shop_id: int, *, rules: Sequence[str], closed_since: int) -> int:
        """How many refunds :meth:`needing_history` would return without a limit."""
        return int(
            self._store.read(
                f"SELECT COUNT(*) FROM refunds WHERE shop_id = ? AND closed_at >= ? AND decided_by IN ({marks(len(rules))}) "
                "AND comments_fetched_at IS NULL",
                (shop_id, closed_since, *rules),
            )[0][0]
        )
