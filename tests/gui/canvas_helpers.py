"""Driving the canvas as a user would: where to click, how a real double-click arrives."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtWidgets import QApplication


def at(view, item, point=None):
    """Viewport position of an item's centre (or of a scene point)."""
    p = item.sceneBoundingRect().center() if point is None else point
    return view.mapFromScene(p)


def double_click(qtbot, view, pos):
    """What a real double-click delivers: press, release, double-click, release (QTest's
    mouseDClick alone sends only the double-click event)."""
    left = Qt.MouseButton.LeftButton
    qtbot.mouseClick(view.viewport(), left, pos=pos)
    qtbot.mouseDClick(view.viewport(), left, pos=pos)
    qtbot.mouseRelease(view.viewport(), left, pos=pos)


def digits_px(view):
    """How tall the canvas's numbers' digits are on screen, in pixels."""
    return view.fonts.digit_height("label") * view.transform().m11()


def wheel(view, notches, pos):
    """Turn the mouse wheel ``notches`` (negative: towards the user) over viewport ``pos``."""
    pos = QPointF(pos)
    event = QWheelEvent(pos, QPointF(view.viewport().mapToGlobal(pos.toPoint())), QPoint(0, 0),
                        QPoint(0, round(120 * notches)), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(view.viewport(), event)


def drag(qtbot, view, start, end):
    """Drag from viewport ``start`` to ``end`` with the left button held, as a hand on the
    mouse does (QTest's mouseMove carries no button)."""
    vp = view.viewport()
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    steps = [(QEvent.Type.MouseButtonPress, start, left, left)]
    steps += [(QEvent.Type.MouseMove, start + (end - start) * k / 5, none, left)
              for k in range(1, 6)]
    steps += [(QEvent.Type.MouseButtonRelease, end, left, none)]
    for kind, pos, button, buttons in steps:
        p = QPointF(pos)
        QApplication.sendEvent(vp, QMouseEvent(kind, p, vp.mapToGlobal(p), button, buttons,
                                               Qt.KeyboardModifier.NoModifier))
        qtbot.wait(5)


def edit_label(qtbot, view, key, typed, final=Qt.Key.Key_Return):
    label = view.labels[key]
    double_click(qtbot, view, at(view, label))
    assert label.editing
    qtbot.keyClicks(view.viewport(), typed)
    qtbot.keyClick(view.viewport(), final)
    return label


def free_point_on_edge(view, edge):
    """A point on the edge where the edge itself is the top item (no label or circle over it)."""
    line = edge.line
    for t in np.linspace(0.05, 0.95, 91):
        p = line.pointAt(float(t))
        items = view.scene().items(p)
        if items and items[0] is edge:
            return p
    raise AssertionError(f"edge {edge.key} is covered everywhere")
