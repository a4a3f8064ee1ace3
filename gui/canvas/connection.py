"""``ConnectionItem``: the edge i → j. Its colour shows the sign of w_ij (blue +, vermillion −),
its width |w_ij|; a frozen weight is dashed grey; the selected one gets a halo under it,
so its sign colour stays visible; an edge the current phase works on gets a bluish-green halo
inside that."""
from __future__ import annotations

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem

from . import phase_mark, theme
from .hover import TooltipOnHover
from .marks import Marks

HALO_PX = 7.0  # how far the selection halo reaches beyond the line on each side


class ConnectionItem(Marks, TooltipOnHover, QGraphicsItem):
    def __init__(self, i, j, parent=None):
        super().__init__(parent)
        self.i, self.j = i, j
        self.key = ("w", i, j)
        self.line = QLineF()
        self.weight = 0.0
        self.frozen = False
        self.highlighted = False
        self.phase = False  # the current phase works on this edge
        self._pen = theme.edge_pen(0.0)
        self.setZValue(theme.Z_EDGE)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def set_line(self, p0, p1):
        """From the edge of circle i to the edge of circle j, in scene coordinates."""
        line = QLineF(QPointF(*p0), QPointF(*p1))
        if line != self.line:
            self.prepareGeometryChange()
            self.line = line

    def set_weight(self, value, frozen=False, force=False):
        """The weight drawn (``force``: restyle even if it did not change — new line widths)."""
        if (value, frozen) == (self.weight, self.frozen) and not force:
            return
        pen = theme.edge_pen(value, frozen)
        if pen.widthF() != self._pen.widthF():
            self.prepareGeometryChange()
        self.weight, self.frozen, self._pen = value, frozen, pen
        self.update()

    def pen(self):
        """The pen the edge is drawn with (tests read its colour, width and style)."""
        return QPen(self._pen)

    def _reach(self):
        return max(self._pen.widthF() / 2 + HALO_PX * theme.LINE_SCALE,
                   theme.EDGE_HIT_PX * theme.LINE_SCALE / 2) + 1

    def boundingRect(self):
        m = self._reach()
        return QRectF(self.line.p1(), self.line.p2()).normalized().adjusted(-m, -m, m, m)

    def shape(self):
        # wider than the line itself, so a thin edge is still easy to click
        path = QPainterPath(self.line.p1())
        path.lineTo(self.line.p2())
        stroker = QPainterPathStroker()
        stroker.setWidth(max(theme.EDGE_HIT_PX * theme.LINE_SCALE, self._pen.widthF()))
        return stroker.createStroke(path)

    def paint(self, painter, option, widget=None):
        if self.highlighted:
            halo = QPen(theme.SELECTED, self._pen.widthF() + 2 * HALO_PX * theme.LINE_SCALE)
            halo.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(halo)
            painter.drawLine(self.line)
        if self.phase:
            halo = QPen(phase_mark.PHASE, self._pen.widthF()
                        + 2 * phase_mark.EDGE_HALO_PX * theme.LINE_SCALE)
            halo.setCapStyle(Qt.PenCapStyle.RoundCap)
            painter.setPen(halo)
            painter.drawLine(self.line)
        painter.setPen(self._pen)
        painter.drawLine(self.line)
