"""Icons rendered from the one SVG source (``resources/icons/app.svg``), sharp at every DPI.

The SVG is rendered with ``QSvgRenderer`` into a pixmap per size (and per 2× device pixel ratio), so
neither the icon-engine plugin nor pre-rendered PNGs are needed at run time.
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from desktop.core import paths

APP_ICON = ("icons", "app.svg")
# logical sizes an app icon is used at (title bars, task bars, docks, dialogs)
ICON_SIZES = (16, 20, 24, 32, 48, 64, 128, 256)


def render_svg(path: str, size: int, device_pixel_ratio: float = 1.0) -> QPixmap:
    """``path`` rendered into a transparent square pixmap of ``size`` logical pixels."""
    renderer = QSvgRenderer(path)
    if not renderer.isValid():
        raise ValueError(f"not a valid SVG image: {path}")
    pixels = max(1, round(size * device_pixel_ratio))
    image = QImage(pixels, pixels, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter, QRectF(0, 0, pixels, pixels))
    painter.end()
    pixmap = QPixmap.fromImage(image)
    pixmap.setDevicePixelRatio(device_pixel_ratio)
    return pixmap


@lru_cache(maxsize=1)
def app_icon() -> QIcon:
    """The application icon, with a crisp pixmap for every common size at 1× and 2×."""
    path = str(paths.resource(*APP_ICON))
    icon = QIcon()
    for size in ICON_SIZES:
        for ratio in (1.0, 2.0):
            icon.addPixmap(render_svg(path, size, ratio))
    return icon


def app_pixmap(size: int, device_pixel_ratio: float = 1.0) -> QPixmap:
    """The app icon as one pixmap (About box, sign-in dialog header)."""
    return app_icon().pixmap(QSize(size, size), device_pixel_ratio)
