"""Driving the canvas as a user would: where to click, how a real double-click arrives."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt


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
