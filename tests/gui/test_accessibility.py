"""Accessibility of the real window: every control has a name and a description a screen reader
can say, the keyboard reaches every panel (Tab, Alt+1 … Alt+5, Alt+letter), and the focus shows
where it is."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton, QAbstractItemView, QAbstractScrollArea, QAbstractSlider, QAbstractSpinBox,
    QApplication, QComboBox, QDockWidget, QGraphicsView, QLineEdit, QMenuBar, QPlainTextEdit,
    QProgressBar, QScrollArea, QTabBar, QTextEdit, QToolBar, QWidget,
)

from gui.crash import CrashDialog

ALT = Qt.KeyboardModifier.AltModifier
CONTROLS = (QAbstractButton, QAbstractItemView, QAbstractSlider, QAbstractSpinBox, QComboBox,
            QDockWidget, QGraphicsView, QLineEdit, QMenuBar, QPlainTextEdit, QProgressBar,
            QTabBar, QTextEdit, QToolBar)


def internal(widget, top):
    """Part of a control that Qt makes and names for itself (a spin box's line edit, a scroll
    area's viewport and scroll bars, a dock's title buttons, a table's headers, a combo box's
    list)."""
    w = widget
    while w is not None and w is not top:
        parent = w.parentWidget()
        # a scroll area's viewport is Qt's, but what a QScrollArea holds in it is ours (the
        # panels scroll rather than grow the window)
        holder = isinstance(parent, QScrollArea) and w is parent.viewport()
        if w.objectName().startswith("qt_") and not (holder and w is not widget):
            return True
        if isinstance(parent, QAbstractScrollArea) and w is parent.viewport() and w is widget:
            return True
        if isinstance(parent, QAbstractItemView) and w is not parent.viewport():
            return True  # headers, corner button
        if isinstance(parent, QComboBox):
            return True  # the list it pops up
        w = parent
    return False


def interactive(widget):
    return isinstance(widget, CONTROLS) or bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)


def controls(top):
    """Every control of ``top`` and the dialogs it owns (hidden ones too: a panel behind a tab
    is as much the window's as the one in front)."""
    return [w for w in top.findChildren(QWidget)
            if interactive(w) and not internal(w, top) and w.objectName() != "focusRing"]


def unnamed(widgets):
    missing = []
    for w in widgets:
        if not w.accessibleName().strip():
            missing.append(f"{type(w).__name__} {w.objectName()!r}: no accessible name")
        elif not (w.toolTip().strip() or w.accessibleDescription().strip()):
            missing.append(f"{type(w).__name__} {w.accessibleName()!r}: no tooltip or "
                           "description")
    return missing


def test_every_control_has_an_accessible_name_and_a_description(qtbot, window):
    # open everything that makes widgets: Predict, Train N…, Gradient Check, an error report
    qtbot.keyClick(window, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window, Qt.Key.Key_A,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
    window.activateWindow()  # back from the Architecture dialog, as a click would
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_T,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    crash = CrashDialog(window)
    crash.set_report("summary", "note", "traceback")
    found = controls(window)
    kinds = {type(w).__name__ for w in found}
    # the walk sees what it should: the canvas, plots, fields, lists, docks, dialogs' inputs
    for kind in ("NetworkView", "PlotWidget", "NumberEdit", "QSpinBox", "QSlider", "QCheckBox",
                 "CurveList", "QTableWidget", "QDockWidget", "QComboBox", "QPushButton",
                 "QToolButton", "QTextBrowser", "QPlainTextEdit", "QTabBar"):
        assert kind in kinds, kind
    assert window.findChild(QWidget, "gradCheckTable") in found
    assert window.findChild(QWidget, "layerSize1") in found  # the Architecture dialog
    assert len(found) > 45
    missing = unnamed(found)
    assert missing == [], "\n".join(missing)


def test_toolbar_names_follow_their_actions(qtbot, window):
    button = window.findChild(QToolBar, "mainToolBar").widgetForAction(window.actionTrain)
    assert button.accessibleName() == "Train"
    window.controller.set_speed(0)
    qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert button.accessibleName() == "Pause"
    qtbot.keyClick(window, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert button.accessibleName() == "Train"
    undo = window.findChild(QToolBar, "mainToolBar").widgetForAction(window.actionUndo)
    window.controller.step()
    assert undo.accessibleDescription() == "Undo Step 1 (Ctrl+Z)"


def tab_chain(qtbot, window, start, presses=60):
    start.setFocus()
    seen = []
    for _ in range(presses):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    return seen


def test_tab_reaches_every_panel_and_the_focus_shows(qtbot, window):
    seen = tab_chain(qtbot, window, window.view)
    names = {w.objectName() for w in seen}
    for name in ("networkView", "lossPlotView", "logScaleCheck", "logStepsCheck",
                 "weightPlotView", "parameterList", "outputPlotView", "decimalsSpin",
                 "mathBrowser"):
        assert name in names, name
    assert seen.count(window.view) >= 2  # round and back to the canvas: nothing traps Tab
    # the Lesson panel is behind the Math tab: Alt+1 brings it to the front (it used to close it)
    lesson = window.docks["lesson"]
    assert lesson.visibleRegion().isEmpty()
    qtbot.keyClick(window, Qt.Key.Key_1, ALT)
    assert lesson.isVisible() and not lesson.visibleRegion().isEmpty()
    names = {w.objectName() for w in tab_chain(qtbot, window, window.view)}
    for name in ("sampleTable", "learningRateEdit", "batchSizeSpin", "speedSlider"):
        assert name in names, name
    qtbot.keyClick(window, Qt.Key.Key_1, ALT)  # in front: Alt+1 closes it
    assert not lesson.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_1, ALT)
    assert lesson.isVisible() and not lesson.visibleRegion().isEmpty()
    # focus from the keyboard is framed; the frame follows it and leaves with it
    ring = window.focus_ring
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Tab)
    while QApplication.focusWidget() is not window.loss_plot.plot:
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    plot = window.loss_plot.plot
    assert ring.isVisible() and ring.target is plot
    framed = ring.geometry()
    inner = plot.rect().translated(plot.mapTo(window, plot.rect().topLeft()))
    assert framed.contains(inner) and framed != inner
    image = window.grab().toImage()
    highlight = ring.palette().color(ring.palette().ColorRole.Highlight)
    assert image.pixelColor(framed.left() + 1, framed.center().y()) == highlight
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton)  # the mouse: no frame
    assert not ring.isVisible()


def test_the_keyboard_switches_what_space_cannot(qtbot, window):
    """Space steps everywhere, so check boxes and list rows have keys of their own."""
    c = window.controller
    qtbot.keyClick(window, Qt.Key.Key_L, ALT)  # Log scale
    qtbot.waitUntil(lambda: window.loss_plot.log_scale)  # a mnemonic clicks after 100 ms
    qtbot.keyClick(window, Qt.Key.Key_O, ALT)  # the parameter plot's Log steps
    qtbot.waitUntil(lambda: window.weight_plot.log_steps)
    assert window.loss_plot.log_steps
    c.select(("w", 3, 5))
    qtbot.keyClick(window, Qt.Key.Key_Z, ALT)  # Frozen
    qtbot.waitUntil(lambda: window.network.is_weight_frozen(3, 5))
    plot_list = window.weight_plot.list
    plot_list.setFocus()
    qtbot.keyClick(plot_list, Qt.Key.Key_Return)  # the current row: w35, selected above
    assert not window.weight_plot.is_parameter_visible(c.param_index(("w", 3, 5)))
    qtbot.keyClick(plot_list, Qt.Key.Key_Space)  # steps, as everywhere
    assert c.step_count == 1
    qtbot.keyClick(plot_list, Qt.Key.Key_Return)
    assert window.weight_plot.is_parameter_visible(c.param_index(("w", 3, 5)))
