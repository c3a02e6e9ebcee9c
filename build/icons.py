"""Render the app icon for every OS from its one SVG source.

    python build/icons.py SOURCE.svg OUT_DIR      # writes app.png, app.ico and app.icns into OUT_DIR

The PNGs are rendered with Qt (``QSvgRenderer`` onto a transparent ``QImage``); the ``.ico`` and
``.icns`` containers are written here, holding those PNGs unchanged (PNG entries are valid in ICO
since Windows Vista, the ``ic07``..``ic14`` ICNS types since macOS 10.7), so no image library beyond Qt is needed.
"""

from __future__ import annotations

import os
import struct
import sys
from collections.abc import Mapping
from pathlib import Path

#: sizes stored in the Windows .ico (Explorer picks the closest one per view and DPI)
ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)

#: ICNS element type -> pixel size of the PNG it holds: the PNG-only types of macOS 10.7+ (the
#: older ``icp4``/``icp5``/``icp6`` are left out: Finder scales the 16 and 32 pt icons from the @2x ones)
ICNS_TYPES: dict[bytes, int] = {
    b"ic07": 128,
    b"ic08": 256,
    b"ic09": 512,
    b"ic10": 1024,  # 512 pt @2x
    b"ic11": 32,  # 16 pt @2x
    b"ic12": 64,  # 32 pt @2x
    b"ic13": 256,  # 128 pt @2x
    b"ic14": 512,  # 256 pt @2x
}

#: the PNG shipped as data and used as the window icon on Linux
PNG_SIZE = 256

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def write_ico(pngs: Mapping[int, bytes]) -> bytes:
    """An ICO file holding one PNG per size (``size -> PNG bytes``, sizes 1..256)."""
    if not pngs:
        raise ValueError("an .ico needs at least one image")
    sizes = sorted(pngs)
    for size in sizes:
        if not 1 <= size <= 256:
            raise ValueError(f"ICO images are 1..256 px wide, not {size}")
        _check_png(pngs[size], size)
    header = struct.pack("<HHH", 0, 1, len(sizes))  # reserved, type 1 = icon, count
    offset = len(header) + 16 * len(sizes)
    entries, images = [], []
    for size in sizes:
        data = pngs[size]
        dim = 0 if size == 256 else size  # 0 means 256 in the directory entry
        # width, height, palette colours, reserved, colour planes, bits per pixel, bytes, offset
        entries.append(struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(data), offset))
        images.append(data)
        offset += len(data)
    return header + b"".join(entries) + b"".join(images)


def write_icns(pngs: Mapping[int, bytes]) -> bytes:
    """An ICNS file with every element of :data:`ICNS_TYPES` (``pngs`` must hold each size)."""
    missing = sorted(set(ICNS_TYPES.values()) - set(pngs))
    if missing:
        raise ValueError(f".icns needs PNGs of sizes {missing}")
    elements = []
    for kind, size in ICNS_TYPES.items():
        _check_png(pngs[size], size)
        elements.append((kind, pngs[size]))
    # no table of contents: it is optional, and readers scan the elements anyway
    body = b"".join(kind + struct.pack(">I", 8 + len(data)) + data for kind, data in elements)
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def _check_png(data: bytes, size: int) -> None:
    if not data.startswith(_PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError(f"the {size} px image is not a PNG")
    width, height = struct.unpack(">II", data[16:24])
    if (width, height) != (size, size):
        raise ValueError(f"the {size} px image is {width}x{height}")


def render_pngs(svg: Path, sizes: set[int]) -> dict[int, bytes]:
    """Render ``svg`` as square PNGs of the given sizes (needs a ``QGuiApplication``)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not a valid SVG image")
    renderer.setAspectRatioMode(Qt.AspectRatioMode.KeepAspectRatio)
    pngs: dict[int, bytes] = {}
    for size in sorted(sizes):
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        # PySide6's stub types the format as bytes; at run time it takes only str
        if not image.save(buffer, "PNG"):  # type: ignore[call-overload]
            raise RuntimeError(f"cannot encode the {size} px icon as PNG")
        buffer.close()
        pngs[size] = bytes(data.data())
    return pngs


def generate(svg: Path, out_dir: Path) -> dict[str, Path]:
    """Write ``app.png``, ``app.ico`` and ``app.icns`` rendered from ``svg`` into ``out_dir``."""
    from PySide6.QtGui import QGuiApplication

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    pngs = render_pngs(svg, {PNG_SIZE, *ICO_SIZES, *ICNS_TYPES.values()})
    out_dir.mkdir(parents=True, exist_ok=True)
    outputs = {
        "png": (out_dir / "app.png", pngs[PNG_SIZE]),
        "ico": (out_dir / "app.ico", write_ico({s: pngs[s] for s in ICO_SIZES})),
        "icns": (out_dir / "app.icns", write_icns(pngs)),
    }
    for path, data in outputs.values():
        path.write_bytes(data)
    return {kind: path for kind, (path, _) in outputs.items()}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python build/icons.py SOURCE.svg OUT_DIR", file=sys.stderr)
        return 2
    for kind, path in generate(Path(argv[0]), Path(argv[1])).items():
        print(f"icon {kind}: {path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
