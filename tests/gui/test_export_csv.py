"""CSV export of the current view: UTF-8 with BOM, CRLF, quoting, visible rows in view order."""

from __future__ import annotations

import csv
import io
import time

from PySide6.QtCore import Qt
from queue_helpers import HOUR_MS, make_row

from desktop.ui.queue.export import export_view, write_csv
from desktop.ui.queue.model import COL_AMOUNT
from desktop.ui.queue.view import QueueView


def test_export_writes_the_visible_rows_in_view_order(qtbot, tmp_path):
    now = int(time.time() * 1000)
    view = QueueView()
    qtbot.addWidget(view)
    view.set_rows(
        [
            make_row(
                2100000012345671, expire_at_ms=now + 3 * HOUR_MS, refund_fee=1990, product="保温杯, 500ml"
            ),
            make_row(2100000012345672, expire_at_ms=now + 1 * HOUR_MS, refund_fee=129_900, reason='说"坏了"'),
            make_row(2100000012345673, expire_at_ms=now + 2 * HOUR_MS, kind="return_refund", refund_fee=5),
            make_row(2100000012345674, expire_at_ms=now - HOUR_MS, refund_fee=700, reason="=HYPERLINK(1)"),
        ]
    )
    view.kind_filter.setCurrentIndex(view.kind_filter.findData("refund_only"))  # hides …673
    view.table.horizontalHeader().setSortIndicator(COL_AMOUNT, Qt.SortOrder.DescendingOrder)
    path = tmp_path / "队列.csv"
    done = []
    export_view(view.proxy, path, on_done=done.append)
    qtbot.waitUntil(lambda: bool(done), timeout=5000)
    assert done == [3]

    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\r\n") == 4 and raw.replace(b"\r\n", b"").count(b"\n") == 0
    rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline="")))
    header, body = rows[0], rows[1:]
    assert len(header) == len(body[0]) == 15
    # view order (amount descending), ids kept whole for Excel
    assert [r[0] for r in body] == ['="2100000012345672"', '="2100000012345671"', '="2100000012345674"']
    assert [r[11] for r in body] == ["1299.00", "19.90", "7.00"]
    assert body[1][13] == "保温杯, 500ml"  # quoted: the comma survives
    assert body[0][12] == '说"坏了"'
    assert body[2][12] == "'=HYPERLINK(1)"  # never run as a formula
    assert int(body[2][8]) < 0  # seconds left, negative once overdue


def test_write_csv_replaces_the_file_atomically(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("old", encoding="utf-8")
    assert write_csv(path, ["a", "b"], [["1", "二"]]) == 1
    assert path.read_bytes() == "\ufeffa,b\r\n1,二\r\n".encode("utf-8")
    assert not (tmp_path / "out.csv.part").exists()
