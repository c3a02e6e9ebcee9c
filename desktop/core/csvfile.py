"""The one CSV writer every export of the app uses (the queue view, the action log…).

Spreadsheets open a CSV without asking what its cells are, so a file the app writes must not let
them guess:

* **Texts never run as formulas.** A platform's error text, a product name, a reason — anything
  that came from outside — may start with ``=``, ``+``, ``-``, ``@`` (or a tab, a carriage return,
  their full-width forms, or spaces before them). Such a cell gets a leading apostrophe, which Excel,
  LibreOffice and WPS read as "this is text" (``=HYPERLINK(…)`` stays visible text, never a live link).
* **Ids stay text.** A 16-digit refund or order id written as a number is rounded to 15 significant
  digits by Excel (``2100000012345678`` → ``2100000012345670``); :func:`ident` writes it as
  ``="2100000012345678"``, which every spreadsheet shows as the exact digits.
* **Numbers stay numbers** only when they are numbers: :func:`number` (or a plain ``int``/``float``
  /``Decimal``) is written as is, so amounts and seconds still sum.

Every cell passes through :func:`cell`: a plain ``str`` is a text (guarded), :class:`Cell` values
(from :func:`ident` and :func:`number`) were made safe by construction. Files are UTF-8 with a BOM
(Excel's cue for UTF-8, so Chinese shows correctly), CRLF line ends, RFC 4180 quoting, written to a
temporary file and moved into place so a failed export never leaves half a file under the name.

Qt-free.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path

#: first characters a spreadsheet may evaluate (ASCII and full-width forms; tab and CR start DDE tricks)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


class Cell(str):
    """A cell already safe to write as it is (an id as text, a number)."""

    __slots__ = ()


def text(value: object) -> str:
    """A free-text cell a spreadsheet will not evaluate."""
    s = "" if value is None else str(value)
    if s.lstrip(" \u3000").startswith(FORMULA_START):
        return "'" + s
    return s


def ident(value: int | str | None) -> Cell:
    """An id (64-bit) as text with every digit kept; ``None`` → an empty cell."""
    if value is None or value == "":
        return Cell("")
    s = str(value).strip()
    if not s.isdigit():
        raise ValueError(f"an id must be digits, got {value!r}")
    return Cell(f'="{s}"')


def number(value: int | float | Decimal | str | None) -> Cell:
    """A number written as a number (``None`` → empty); a text that is not a plain number is refused."""
    if value is None or value == "":
        return Cell("")
    if isinstance(value, bool):
        raise TypeError("a yes/no value is not a number")
    s = str(value)
    if not _NUMBER.fullmatch(s):
        raise ValueError(f"not a plain number: {value!r}")
    return Cell(s)


def cell(value: object) -> str:
    """What is written for ``value``: safe cells as they are, numbers as numbers, the rest as text."""
    if isinstance(value, Cell):
        return value
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return number(value)
    return text(value)


def write_csv(
    path: str | os.PathLike[str], header: Sequence[object], rows: Iterable[Sequence[object]]
) -> int:
    """Write ``header`` and ``rows`` to ``path`` atomically, every cell guarded; returns the rows written."""
    target = Path(path)
    tmp = target.with_name(target.name + ".part")
    count = 0
    try:
        with open(tmp, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh, dialect="excel", lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
            writer.writerow([cell(v) for v in header])
            for row in rows:
                writer.writerow([cell(v) for v in row])
                count += 1
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return count
