"""``FlowLayout``: widgets in a row that wraps onto more rows when the row is too narrow (Qt's
flow layout example), so controls above a plot stay whole at any text size instead of being
cut off."""
from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QLayout


class FlowLayout(QLayout):
    def __init__(self, parent=None, spacing=6, align_right=False):
        super().__init__(parent)
        self._items = []
        self._spacing = spacing
        self._right = align_right  # rows pushed to the right edge (controls above a plot)

    def addItem(self, item):
        self._items.append(item)

    def count(self):
        return len(self._items)

    def itemAt(self, index):
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index):
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self):
        return Qt.Orientation(0)

    def hasHeightForWidth(self):
        return True

    def heightForWidth(self, width):
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect):
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self):
        return self.minimumSize()

    def minimumSize(self):
        size = QSize()
        for item in self._items:
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _place(self, rect, move):
        """Lay the items out in rows within ``rect``; returns the height used."""
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        rows, row, width = [], [], 0
        for item in self._items:
            if item.isEmpty():
                continue
            w = item.sizeHint().width()
            if row and width + self._spacing + w > area.width():
                rows.append(row)
                row, width = [], 0
            width += (self._spacing if row else 0) + w
            row.append(item)
        if row:
            rows.append(row)
        y = area.y()
        for row in rows:
            height = max(item.sizeHint().height() for item in row)
            used = sum(item.sizeHint().width() for item in row) + self._spacing * (len(row) - 1)
            x = area.x() + (max(area.width() - used, 0) if self._right else 0)
            for item in row:
                hint = item.sizeHint()
                if move:
                    item.setGeometry(QRect(QPoint(x, y + (height - hint.height()) // 2), hint))
                x += hint.width() + self._spacing
            y += height + self._spacing
        return y - area.y() - (self._spacing if rows else 0) + m.top() + m.bottom()
