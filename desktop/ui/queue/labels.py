"""User-facing names of the queue's keys and money/time formatting at the edge.

Kinds, stages and urgency tiers are the domain's one vocabulary (:mod:`desktop.core.labels`, shared
with the ``check`` report); statuses, deadline sources and consequences are the queue's own texts
(Qt Linguist, context "Queue"). Call the functions again after a language change (they build fresh
dictionaries)."""

from __future__ import annotations

import datetime as _dt

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPalette, QPen, QPixmap, QPolygonF

# the queue's names of kinds, stages, urgency tiers and levels (re-exported: the views read them here)
from desktop.core.labels import kind_names as kind_names
from desktop.core.labels import level_names as level_names
from desktop.core.labels import stage_names as stage_names
from desktop.core.labels import urgency_names as urgency_names


def stage_consequences() -> dict[str, str]:
    """What happens when the stage's deadline passes (rules doc §2, "when it runs out")."""
    auto_agree = QCoreApplication.translate("Queue", "The system agrees automatically and refunds the buyer.")
    return {
        "review_refund_only": auto_agree,
        "review_return": QCoreApplication.translate(
            "Queue", "The system agrees to the return automatically."
        ),
        "review_exchange": QCoreApplication.translate(
            "Queue", "The system is assumed to agree automatically."
        ),
        "review_resend": QCoreApplication.translate("Queue", "The system is assumed to agree automatically."),
        "review_repair": QCoreApplication.translate("Queue", "The system is assumed to agree automatically."),
        "confirm_receipt": QCoreApplication.translate(
            "Queue", "The system confirms receipt and refunds the buyer."
        ),
        "reject_intercept": QCoreApplication.translate("Queue", "The system refunds the buyer."),
        "buyer_return": QCoreApplication.translate("Queue", "The request closes; no risk for the shop."),
        "buyer_modify": QCoreApplication.translate("Queue", "It is the buyer's turn; no risk for the shop."),
        "buyer_receipt": QCoreApplication.translate("Queue", "It is the buyer's turn; no risk for the shop."),
        "refund_executing": QCoreApplication.translate("Queue", "The platform executes the refund."),
        "needs_review": QCoreApplication.translate("Queue", "Unknown state: check it in the seller backend."),
        "dispute": QCoreApplication.translate("Queue", "The platform decides; this is not the shop's clock."),
        "fast_refund": QCoreApplication.translate(
            "Queue", "Refunded on application; never counts as overdue."
        ),
    }


def status_names() -> dict[int, str]:
    """Both documented versions of ``status`` (spec §5), by number."""
    return {
        10: QCoreApplication.translate("Queue", "Waiting for the seller"),
        11: QCoreApplication.translate("Queue", "Buyer requested a return"),
        12: QCoreApplication.translate("Queue", "Seller rejected, buyer to modify"),
        20: QCoreApplication.translate("Queue", "Platform intervening"),
        21: QCoreApplication.translate("Queue", "Platform intervening (return)"),
        22: QCoreApplication.translate("Queue", "Platform confirmed the return"),
        23: QCoreApplication.translate("Queue", "Platform intervening"),
        30: QCoreApplication.translate("Queue", "Waiting for the buyer's return"),
        40: QCoreApplication.translate("Queue", "Waiting for the seller to confirm receipt"),
        45: QCoreApplication.translate("Queue", "Waiting for the buyer to confirm receipt"),
        50: QCoreApplication.translate("Queue", "Refund executing"),
        60: QCoreApplication.translate("Queue", "Refund succeeded"),
        70: QCoreApplication.translate("Queue", "Closed"),
    }


def unknown_value(value: object) -> str:
    return QCoreApplication.translate("Queue", "unknown ({value})").format(value=value)


def source_names() -> dict[str, str]:
    return {
        "platform": QCoreApplication.translate("Queue", "Platform deadline"),
        "rule": QCoreApplication.translate("Queue", "Estimated from the stage limit in the rules file"),
        "none": QCoreApplication.translate("Queue", "No deadline"),
    }


# -------------------------------------------------------------------------------- formatting
def format_fen(fen: int | None) -> str:
    """¥1,234.50 from integer fen; "—" when unknown."""
    if fen is None:
        return "—"
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}¥{yuan:,}.{cents:02d}"


class DurationFormat:
    """Formats seconds left with the current language's patterns (fetched once per language)."""

    def __init__(self) -> None:
        self.retranslate()

    def retranslate(self) -> None:
        self._dh = QCoreApplication.translate("Queue", "{d}d {h}h")
        self._hm = QCoreApplication.translate("Queue", "{h}h {m}m")
        self._ms = QCoreApplication.translate("Queue", "{m}m {s}s")
        self._overdue = QCoreApplication.translate("Queue", "Overdue {t}")
        self.none = "—"

    def __call__(self, seconds: int | None) -> str:
        if seconds is None:
            return self.none
        if seconds < 0:
            return self._overdue.format(t=self._span(-seconds))
        return self._span(seconds)

    def _span(self, s: int) -> str:
        if s >= 86_400:
            d, rest = divmod(s, 86_400)
            return self._dh.format(d=d, h=rest // 3600)
        if s >= 3600:
            h, rest = divmod(s, 3600)
            return self._hm.format(h=h, m=rest // 60)
        m, sec = divmod(s, 60)
        return self._ms.format(m=m, s=f"{sec:02d}")


def format_local_time(ms: int | None, *, with_year: bool = False) -> str:
    """Local wall time of an epoch-ms instant ("11-26 14:05")."""
    if ms is None:
        return "—"
    t = _dt.datetime.fromtimestamp(ms / 1000)
    return t.strftime("%Y-%m-%d %H:%M" if with_year else "%m-%d %H:%M")


def secondary_text(palette: QPalette) -> QColor:
    """The colour of secondary text (notes, captions): the window text blended a third of the way
    towards the window, so it reads as quieter yet keeps a strong contrast in light and dark themes
    (the palette's "mid" or "dark" greys are too faint on a light window)."""
    text = palette.color(QPalette.ColorRole.WindowText)
    back = palette.color(QPalette.ColorRole.Window)
    mix = 0.32
    return QColor(
        round(text.red() + (back.red() - text.red()) * mix),
        round(text.green() + (back.green() - text.green()) * mix),
        round(text.blue() + (back.blue() - text.blue()) * mix),
    )


# ------------------------------------------------------------------------------ urgency look
#: background tints (light, with dark text forced on them) and the marker colours
URGENCY_BACKGROUND = {
    "overdue": QColor("#f6d5d8"),
    "critical": QColor("#fbdcc4"),
    "urgent": QColor("#fdf0c2"),
    "warn": QColor("#e3ecfa"),
}
URGENCY_MARK = {
    "overdue": QColor("#b3261e"),
    "critical": QColor("#d05a00"),
    "urgent": QColor("#9a7400"),
    "warn": QColor("#2f5fb3"),
    "info": QColor("#6b7280"),
}
DARK_TEXT = QColor("#1f2328")

_icons: dict[tuple[str, int], QIcon] = {}


def urgency_icon(urgency: str, size: int = 14) -> QIcon:
    """A distinct *shape* per tier (cross, triangle, diamond, dot, ring), so colour is never the
    only cue: overdue ✕, critical ▲, urgent ◆, due today ●, not urgent ○."""
    key = (urgency, size)
    icon = _icons.get(key)
    if icon is not None:
        return icon
    icon = QIcon()
    for scale in (1, 2):
        px = QPixmap(size * scale, size * scale)
        px.setDevicePixelRatio(scale)
        px.fill(Qt.GlobalColor.transparent)
        p = QPainter(px)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        colour = URGENCY_MARK.get(urgency, URGENCY_MARK["info"])
        r = QRectF(1.5, 1.5, size - 3, size - 3)
        c = r.center()
        if urgency == "overdue":
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(colour)
            p.drawEllipse(r)
            pen = QPen(QColor("white"), size / 7)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            p.setPen(pen)
            d = size * 0.2
            p.drawLine(QPointF(c.x() - d, c.y() - d), QPointF(c.x() + d, c.y() + d))
            p.drawLine(QPointF(c.x() - d, c.y() + d), QPointF(c.x() + d, c.y() - d))
        elif urgency == "critical":
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(colour)
            p.drawPolygon(QPolygonF([QPointF(c.x(), r.top()), r.bottomRight(), r.bottomLeft()]))
        elif urgency == "urgent":
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(colour)
            path = QPainterPath()
            path.moveTo(c.x(), r.top())
            path.lineTo(r.right(), c.y())
            path.lineTo(c.x(), r.bottom())
            path.lineTo(r.left(), c.y())
            path.closeSubpath()
            p.drawPath(path)
        elif urgency == "warn":
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(colour)
            p.drawEllipse(r.adjusted(1.5, 1.5, -1.5, -1.5))
        else:
            p.setPen(QPen(colour, 1.5))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawEllipse(r.adjusted(1.5, 1.5, -1.5, -1.5))
        p.end()
        icon.addPixmap(px)
    _icons[key] = icon
    return icon
