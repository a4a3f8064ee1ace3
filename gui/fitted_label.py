"""``FittedLabel``: a one-line label of a fixed size whose text shrinks to fit rather than being
cut off — for numbers that change every frame (a label that changed size would lay the whole
window out again each time) and must stay whole at any text size."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel


class FittedLabel(QLabel):
    def text_scale(self):
        """How much the text is shrunk to fit: 1 when it fits as it is."""
        need = self.fontMetrics().horizontalAdvance(self.text())
        room = self.contentsRect().width()
        return 1.0 if need <= room or need == 0 else room / need

    def drawn_text_width(self):
        """The width the text is drawn at (never more than the label's room)."""
        return self.fontMetrics().horizontalAdvance(self.text()) * self.text_scale()

    def paintEvent(self, event):
        scale = self.text_scale()
        if scale >= 1.0:
            super().paintEvent(event)
            return
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        rect = self.contentsRect()
        painter.translate(rect.left(), rect.center().y())
        painter.scale(scale, scale)
        height = self.fontMetrics().height()
        painter.drawText(0, -height // 2, round(rect.width() / scale), height,
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.text())
