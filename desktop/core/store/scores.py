"""The ``shop_scores`` table: snapshots of the platform's shop score."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from desktop.core.store.records import ScoreSnapshot
from desktop.core.store.sql import Repository, to_json

if TYPE_CHECKING:
    from desktop.core.kuaishou.models import ShopScore


class ScoreRepository(Repository):
    """``store.scores``: the shop score as the platform reported it, over time."""

    __slots__ = ()

    def add(self, shop_id: int, score: ShopScore, *, at: int) -> None:
        """Keep a snapshot of the platform's shop score."""
        dims = [[d.dim_name, d.dim_score_str] for d in (score.dimensions or ())]
        summary = score.summary
        with self._store.transaction() as conn:
            conn.execute(
                "INSERT INTO shop_scores (shop_id, fetched_at, has_data, show_name, score_str, "
                "dimensions) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    shop_id,
                    at,
                    None if score.has_data is None else int(score.has_data),
                    summary.show_name if summary else None,
                    summary.score_str if summary else None,
                    to_json(dims),
                ),
            )

    def latest(self, shop_id: int) -> ScoreSnapshot | None:
        """The last snapshot kept of the shop's score."""
        rows = self._store.read(
            "SELECT shop_id, fetched_at, has_data, show_name, score_str, dimensions FROM shop_scores "
            "WHERE shop_id = ? ORDER BY fetched_at DESC, id DESC LIMIT 1",
            (shop_id,),
        )
        if not rows:
            return None
        sid, at, has_data, show_name, score_str, dims = rows[0]
        return ScoreSnapshot(
            sid,
            at,
            None if has_data is None else bool(has_data),
            show_name,
            score_str,
            tuple((d[0], d[1]) for d in json.loads(dims)),
        )
