"""The icon writers of build/icons.py: .ico and .icns files that Windows, macOS and Qt can read."""

from __future__ import annotations

import importlib.util
import struct
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("build_icons", ROOT / "build" / "icons.py")
icons = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(icons)

SVG = ROOT / "resources" / "icons" / "app.svg"


@pytest.fixture(scope="module")
def pngs(qapp) -> dict[int, bytes]:
    return icons.render_pngs(SVG, {*icons.ICO_SIZES, *icons.ICNS_TYPES.values(), icons.PNG_SIZE})


def _read_ico(data: bytes) -> dict[int, bytes]:
    reserved, kind, count = struct.unpack_from("<HHH", data, 0)
    assert (reserved, kind) == (0, 1)
    images = {}
    for i in range(count):
        w, h, colours, res, planes, bpp, size, offset = struct.unpack_from("<BBBBHHII", data, 6 + 16 * i)
        assert (colours, res, planes, bpp) == (0, 0, 1, 32)
        assert w == h
        images[w or 256] = data[offset : offset + size]
    return images


def _read_icns(data: bytes) -> dict[bytes, bytes]:
    assert data[:4] == b"icns"
    assert struct.unpack_from(">I", data, 4)[0] == len(data)
    elements, pos = {}, 8
    while pos < len(data):
        kind, length = struct.unpack_from(">4sI", data, pos)
        assert length >= 8 and pos + length <= len(data)
        elements[kind] = data[pos + 8 : pos + length]
        pos += length
    assert pos == len(data)
    return elements


def _png_size(data: bytes) -> tuple[int, int]:
    return struct.unpack(">II", data[16:24])


def test_rendered_pngs_have_the_asked_sizes_and_are_not_blank(qapp, pngs):
    from PySide6.QtGui import QImage

    for size, data in pngs.items():
        assert _png_size(data) == (size, size)
        image = QImage.fromData(data, "PNG")
        assert not image.isNull()
        # transparent corners (rounded tile), opaque centre: the SVG really was drawn
        assert image.pixelColor(0, 0).alpha() == 0
        assert image.pixelColor(size // 2, size // 2).alpha() == 255


def test_ico_directory_points_at_each_png_unchanged(pngs):
    wanted = {s: pngs[s] for s in icons.ICO_SIZES}
    data = icons.write_ico(wanted)
    assert _read_ico(data) == wanted


def test_qt_reads_every_image_of_the_ico(qapp, pngs, tmp_path):
    from PySide6.QtGui import QImageReader

    path = tmp_path / "app.ico"
    path.write_bytes(icons.write_ico({s: pngs[s] for s in icons.ICO_SIZES}))
    reader = QImageReader(str(path))
    sizes = []
    for i in range(reader.imageCount()):
        reader.jumpToImage(i)
        sizes.append(reader.read().width())
    assert sorted(sizes) == sorted(icons.ICO_SIZES)


def test_icns_holds_every_type_with_the_png_of_its_size(pngs):
    data = icons.write_icns(pngs)
    elements = _read_icns(data)
    assert set(elements) == set(icons.ICNS_TYPES)
    for kind, payload in elements.items():
        assert payload == pngs[icons.ICNS_TYPES[kind]]


@pytest.mark.parametrize(
    ("images", "message"),
    [
        ({}, "at least one"),
        ({300: b""}, "1..256"),
        ({16: b"not a png at all, clearly"}, "not a PNG"),
    ],
)
def test_ico_writer_rejects_bad_input(images, message):
    with pytest.raises(ValueError, match=message):
        icons.write_ico(images)


def test_writers_reject_a_png_of_the_wrong_size(pngs):
    with pytest.raises(ValueError, match="32 px image is 16x16"):
        icons.write_ico({32: pngs[16]})
    with pytest.raises(ValueError, match="needs PNGs of sizes"):
        icons.write_icns({16: pngs[16]})


def test_generate_writes_the_three_files(qapp, tmp_path):
    out = icons.generate(SVG, tmp_path / "icons")
    assert {k: p.name for k, p in out.items()} == {"png": "app.png", "ico": "app.ico", "icns": "app.icns"}
    assert _png_size(out["png"].read_bytes()) == (icons.PNG_SIZE, icons.PNG_SIZE)
    assert _read_ico(out["ico"].read_bytes())
    assert _read_icns(out["icns"].read_bytes())


@pytest.mark.qt_log_ignore("Cannot read file")
def test_an_invalid_svg_is_named(qapp, tmp_path):
    bad = tmp_path / "broken.svg"
    bad.write_text("<svg", encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.svg is not a valid SVG"):
        icons.render_pngs(bad, {16})
