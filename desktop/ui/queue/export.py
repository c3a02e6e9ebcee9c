"""Export of the current queue view (its order and filters) to a CSV file Excel opens correctly.

Written by the app's one CSV writer (:mod:`desktop.core.csvfile`): UTF-8 with a byte-order mark,
CRLF line ends, RFC 4180 quoting; long ids as ``="2100000012345678"`` so Excel keeps every digit;
texts that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``… first) prefixed with an
apostrophe; amounts and seconds as numbers.

On the UI thread :func:`snapshot` copies the visible records and the translated labels (cheap, no
I/O); formatting and writing run in the background::

    export_view(queue_view.proxy, path, on_done=lambda n: ..., on_error=...)
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication

from desktop.core import csvfile
from desktop.core.queue_rows import QueueRow
from desktop.ui.queue import labels
from desktop.ui.queue.proxy import QueueProxyModel
from desktop.ui.workers import Task, run_in_background


@dataclass(frozen=True, slots=True)
class ExportSnapshot:
    """What to write: records in view order plus everything needed to format them off the UI thread."""

    rows: tuple[QueueRow, ...]
    now_ms: int  # server clock
    header: tuple[str, ...]
    kinds: dict[str, str]
    stages: dict[str, str]
    statuses: dict[int, str]
    urgencies: dict[str, str]
    sources: dict[str, str]
    unknown: str  # "unknown ({value})" pattern
    urgency_of: Callable[[int | None], str]
    duration: Callable[[int | None], str]


def snapshot(proxy: QueueProxyModel) -> ExportSnapshot:
    """The visible rows of ``proxy`` in view order (UI thread; no I/O)."""
    model = proxy.queue_model
    return ExportSnapshot(
        rows=tuple(proxy.visible_rows()),
        now_ms=model.now_ms(),
        header=(
            QCoreApplication.translate("QueueExport", "Refund ID"),
            QCoreApplication.translate("QueueExport", "Order"),
            QCoreApplication.translate("QueueExport", "Shop"),
            QCoreApplication.translate("QueueExport", "Kind"),
            QCoreApplication.translate("QueueExport", "Stage"),
            QCoreApplication.translate("QueueExport", "Status"),
            QCoreApplication.translate("QueueExport", "Urgency"),
            QCoreApplication.translate("QueueExport", "Time left"),
            QCoreApplication.translate("QueueExport", "Seconds left"),
            QCoreApplication.translate("QueueExport", "Deadline"),
            QCoreApplication.translate("QueueExport", "Deadline source"),
            QCoreApplication.translate("QueueExport", "Amount (CNY)"),
            QCoreApplication.translate("QueueExport", "Reason"),
            QCoreApplication.translate("QueueExport", "Product"),
            QCoreApplication.translate("QueueExport", "Buyer reminders"),
        ),
        kinds=labels.kind_names(),
        stages=labels.stage_names(),
        statuses=labels.status_names(),
        urgencies=labels.urgency_names(),
        sources=labels.source_names(),
        unknown=labels.unknown_value("{value}"),
        urgency_of=model.scale.of,
        duration=labels.DurationFormat(),
    )


_text = csvfile.text
_id = csvfile.ident


def _yuan(fen: int | None) -> str:
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return csvfile.number(f"{sign}{yuan}.{cents:02d}")


def format_rows(snap: ExportSnapshot) -> list[list[str]]:
    """The CSV cells, each a text guarded against formulas, an id kept as text or a number (pure)."""
    out: list[list[str]] = []
    for r in snap.rows:
        left = None if r.expire_at_ms is None else (r.expire_at_ms - snap.now_ms) // 1000
        status = (
            "" if r.status is None else snap.statuses.get(r.status) or snap.unknown.format(value=r.status)
        )
        out.append(
            [
                _id(r.refund_id),
                _id(r.order_id),
                _text(r.shop_name),
                snap.kinds.get(r.kind, r.kind),
                snap.stages.get(r.stage) or r.stage,
                status,
                snap.urgencies.get(snap.urgency_of(left), ""),
                snap.duration(left) if left is not None else "",
                csvfile.number(left),
                labels.format_local_time(r.expire_at_ms, with_year=True) if r.expire_at_ms else "",
                snap.sources.get(r.deadline_source, r.deadline_source),
                _yuan(r.refund_fee),
                _text(r.reason),
                _text(r.product),
                csvfile.number(r.urge_times),
            ]
        )
    return out


def write_csv(path: str | os.PathLike[str], header: Sequence[str], rows: Sequence[Sequence[str]]) -> int:
    """Write atomically (a temporary file renamed into place); returns the number of data rows."""
    return csvfile.write_csv(path, header, rows)


def export_snapshot(snap: ExportSnapshot, path: str | os.PathLike[str]) -> int:
    """Format and write (background)."""
    return write_csv(path, snap.header, format_rows(snap))


def export_view(
    proxy: QueueProxyModel,
    path: str | os.PathLike[str],
    *,
    on_done: Callable[[int], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
) -> Task:
    """Export what ``proxy`` shows, in its order, to ``path`` in the background; ``on_done(count)``."""
    snap = snapshot(proxy)
    return run_in_background(lambda: export_snapshot(snap, path), on_done, on_error)
