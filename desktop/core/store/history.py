"""A request's history: the ``observations`` of its state and its negotiation ``comments``.

Observations are written by :meth:`~desktop.core.store.refunds.RefundRepository.upsert` (one per
change it sees, in the same transaction); imports and fixtures add them here. The negotiation
history is fetched on demand and cached per request (``comments_fetched_at`` of its refund).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, TypedDict

from desktop.core.store.records import Observation, RoleSeen
from desktop.core.store.sql import Repository, Row, chunks, marks

if TYPE_CHECKING:
    from desktop.core.kuaishou.models import NegotiationComment


class StoredComment(TypedDict):
    """One entry of a cached negotiation history (the names of ``NegotiationComment``)."""

    title: str | None
    role: int | str | None
    create_time: int | None
    staff_account_id: int | None
    staff_account_name: str | None


#: an observation to add: (shop_id, refund_id, status, negotiate_status, handling_way,
#: expire_time, update_time, seen_at)
ObservationRow = tuple[int, int, int | None, int | None, int | None, int | None, int | None, int]

_COMMENT_KEYS = ("title", "role", "create_time", "staff_account_id", "staff_account_name")
_OBSERVATION_SELECT = (
    "SELECT id, shop_id, refund_id, status, negotiate_status, handling_way, expire_time, "
    "update_time, seen_at FROM observations"
)


def _comment(values: Row) -> StoredComment:
    title, role, create_time, staff_account_id, staff_account_name = values
    return StoredComment(
        title=title,
        role=role,
        create_time=create_time,
        staff_account_id=staff_account_id,
        staff_account_name=staff_account_name,
    )


class HistoryRepository(Repository):
    """``store.history``: what the app saw of each request over time, and its negotiation history."""

    __slots__ = ()

    # ------------------------------------------------------------------ observations

    def add_observations(self, rows: Iterable[ObservationRow]) -> None:
        """Bulk-insert observations for refunds already stored (imports, fixtures)."""
        with self._store.transaction() as conn, self._store.guard():
            conn.executemany(
                "INSERT INTO observations (shop_id, refund_id, status, negotiate_status, handling_way, "
                "expire_time, update_time, seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )

    def observations(self, shop_id: int, refund_id: int) -> list[Observation]:
        """A refund's observations, oldest first."""
        rows = self._store.read(
            f"{_OBSERVATION_SELECT} WHERE shop_id = ? AND refund_id = ? ORDER BY seen_at, id",
            (shop_id, refund_id),
        )
        return [Observation(*r) for r in rows]

    def observations_for(self, shop_id: int, refund_ids: Iterable[int]) -> dict[int, list[Observation]]:
        """The observations of several refunds at once (oldest first per refund)."""
        found: dict[int, list[Observation]] = {}
        for chunk in chunks(list(refund_ids), 500):
            rows = self._store.read(
                f"{_OBSERVATION_SELECT} WHERE shop_id = ? AND refund_id IN ({marks(len(chunk))}) "
                "ORDER BY refund_id, seen_at, id",
                (shop_id, *chunk),
            )
            for row in rows:
                found.setdefault(row[2], []).append(Observation(*row))
        return found

    def observation_count(self, shop_id: int | None = None) -> int:
        if shop_id is None:
            return int(self._store.read("SELECT count(*) FROM observations")[0][0])
        return int(self._store.read("SELECT count(*) FROM observations WHERE shop_id = ?", (shop_id,))[0][0])

    # ------------------------------------------------------------------ negotiation comments

    def save_comments(
        self, shop_id: int, refund_id: int, comments: Sequence[NegotiationComment], *, at: int
    ) -> None:
        """Replace the cached negotiation history of a refund (fetched at ``at``)."""
        with self._store.transaction() as conn, self._store.guard():
            conn.execute("DELETE FROM comments WHERE shop_id = ? AND refund_id = ?", (shop_id, refund_id))
            conn.executemany(
                "INSERT INTO comments (shop_id, refund_id, seq, title, role, create_time, "
                "staff_account_id, staff_account_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        shop_id,
                        refund_id,
                        i,
                        c.title,
                        c.role,
                        c.create_time,
                        c.staff_account_id,
                        c.staff_account_name,
                    )
                    for i, c in enumerate(comments)
                ],
            )
            conn.execute(
                "UPDATE refunds SET comments_fetched_at = ? WHERE shop_id = ? AND refund_id = ?",
                (at, shop_id, refund_id),
            )

    def comments(self, shop_id: int, refund_id: int) -> list[StoredComment]:
        """The cached negotiation history, oldest first."""
        rows = self._store.read(
            f"SELECT {', '.join(_COMMENT_KEYS)} FROM comments WHERE shop_id = ? AND refund_id = ? "
            "ORDER BY seq",
            (shop_id, refund_id),
        )
        return [_comment(r) for r in rows]

    def comments_for(self, shop_id: int, refund_ids: Iterable[int]) -> dict[int, list[StoredComment]]:
        """The cached histories of several refunds; a refund whose history was fetched and found
        empty maps to ``[]``, one never fetched is absent."""
        found: dict[int, list[StoredComment]] = {}
        for chunk in chunks(list(refund_ids), 500):
            for (refund_id,) in self._store.read(
                f"SELECT refund_id FROM refunds WHERE shop_id = ? AND comments_fetched_at IS NOT NULL "
                f"AND refund_id IN ({marks(len(chunk))})",
                (shop_id, *chunk),
            ):
                found[refund_id] = []
            for refund_id, *values in self._store.read(
                f"SELECT refund_id, {', '.join(_COMMENT_KEYS)} FROM comments WHERE shop_id = ? AND "
                f"refund_id IN ({marks(len(chunk))}) ORDER BY refund_id, seq",
                (shop_id, *chunk),
            ):
                found.setdefault(refund_id, []).append(_comment(tuple(values)))
        return found

    def role_values(self, shop_id: int | None = None) -> list[RoleSeen]:
        """Every negotiation-history ``role`` value in the cached histories (of one shop or all):
        how often it was seen, on how many requests, the latest time and the commonest titles.
        The platform does not document the values; this is what a seller can report."""
        where, params = ("WHERE shop_id = ?", (shop_id,)) if shop_id is not None else ("", ())
        out = {
            role: RoleSeen(role, entries, requests, last, [])
            for role, entries, requests, last in self._store.read(
                f"SELECT role, count(*), count(DISTINCT shop_id || ':' || refund_id), max(create_time) "
                f"FROM comments {where} GROUP BY role",
                params,
            )
        }
        for role, title, _count in self._store.read(
            f"SELECT role, title, count(*) AS n FROM comments {where} GROUP BY role, title "
            f"ORDER BY n DESC, title",
            params,
        ):
            seen = out.get(role)
            if seen is not None and title and len(seen.titles) < 3:
                seen.titles.append(title)
        return sorted(out.values(), key=lambda s: (-s.entries, str(s.role)))
