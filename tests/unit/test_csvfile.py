"""The one CSV writer of the app: texts never evaluated, ids kept whole as text, numbers as numbers."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from desktop.core import csvfile


def _read(path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline="")))


@pytest.mark.parametrize(
    "hostile",
    [
        "=1+1",
        "+1+1",
        "-1+1",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        "\n=1",
        "＝1+1",
        "－2",
        "＠x",
        "  =1+1",
        "\u3000=cmd|' /C calc'!A0",
        '=HYPERLINK("http://x","y")',
    ],
)
def test_formula_leading_texts_are_written_as_text(tmp_path, hostile):
    path = tmp_path / "t.csv"
    csvfile.write_csv(path, ["h"], [[hostile]])
    assert _read(path)[1] == ["'" + hostile]


def test_ordinary_texts_ids_and_numbers(tmp_path):
    path = tmp_path / "t.csv"
    rows = [
        [
            "保温杯, 500ml",
            csvfile.ident(2100000012345678),
            csvfile.number("-12.50"),
            -300,
            7,
            Decimal("1.25"),
            None,
            csvfile.ident(None),
            'say "hi"',
        ]
    ]
    assert csvfile.write_csv(path, ["a", "=b"], rows) == 1
    header, row = _read(path)
    assert header == ["a", "'=b"]
    assert row == ["保温杯, 500ml", '="2100000012345678"', "-12.50", "-300", "7", "1.25", "", "", 'say "hi"']


def test_cells_refuse_what_they_cannot_write_safely():
    with pytest.raises(ValueError):
        csvfile.ident("12=3")
    with pytest.raises(ValueError):
        csvfile.number("=1+1")
    with pytest.raises(TypeError):
        csvfile.number(True)


def test_a_failed_write_leaves_the_old_file_and_no_part(tmp_path):
    path = tmp_path / "out.csv"
    path.write_text("old", encoding="utf-8")

    def rows():
        yield ["1"]
        raise OSError("disk full")

    with pytest.raises(OSError):
        csvfile.write_csv(path, ["a"], rows())
    assert path.read_text(encoding="utf-8") == "old"
    assert not (tmp_path / "out.csv.part").exists()
