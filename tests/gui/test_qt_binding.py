"""Regression guard for the Qt pin: PySide6-Essentials 6.12.0 on Python < 3.12 drops a reference
to None on every Python QGraphicsItem.paint call (and True/False in setData) until the
interpreter aborts with ``Fatal Python error: none_dealloc``. pyproject.toml keeps 6.12 out
there; this test fails if a binding with that bug comes back."""
import gc
import sys

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene

REPAINTS = 300


class Box(QGraphicsItem):
    painted = 0

    def boundingRect(self):
        return QRectF(0, 0, 10, 10)

    def paint(self, painter, option, widget=None):
        Box.painted += 1
        painter.drawRect(self.boundingRect())


def test_repainting_python_items_and_plots_keeps_none_alive(qtbot):
    scene = QGraphicsScene()
    scene.addItem(Box())
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    curves = [plot.plot() for _ in range(15)]
    image = QImage(200, 200, QImage.Format.Format_ARGB32)
    x = np.arange(100.0)

    def repaint(times):
        for k in range(times):
            for c in curves:
                c.setData(x, np.sin(x + k), skipFiniteCheck=True)
            painter = QPainter(image)
            scene.render(painter)
            painter.end()
            plot.grab()
        gc.collect()  # objects freed for other reasons must not look like a leak

    repaint(20)
    before = {v: sys.getrefcount(v) for v in (None, True, False)}
    repaint(REPAINTS)
    assert Box.painted >= REPAINTS  # our paint override really ran
    if sys.version_info >= (3, 12):
        return  # None, True and False are immortal there
    for v, count in before.items():
        # the leak loses a reference per item per repaint: ≥ 16 × REPAINTS here
        assert sys.getrefcount(v) > count - REPAINTS, f"references to {v} are leaking"
