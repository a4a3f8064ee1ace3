"""Keyboard use and accessibility of the main window.

**Space steps from everywhere.** Space is the Step shortcut, but a focused line edit or spin box
takes every printable key first, so Space used to step only while the canvas or a list had the
focus. No field of the window takes a space (they hold numbers), so in a number field
(``SpaceCommits``: the η and inspector fields, the sample table's cell editor, every spin box)
Space commits what was typed, as Return would, and then steps. The one field that keeps its space
is the Predict panel's answer: a Step there would change the very number being predicted.

**Focus shows.** ``FocusRing`` draws a frame in the palette's highlight colour around the widget
that received the focus from the keyboard (Tab, Shift+Tab, an Alt+letter), for the plots and the
canvas, which draw no focus of their own, and for every other focusable widget alike.

**Names.** Every control made here gets an accessible name (what a screen reader says) and a
description; ``name_toolbar`` keeps the toolbar buttons' names with their actions' texts (Train
becomes Pause), and the window names the tab bars Qt makes for tabbed panels as they appear.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt
from PySide6.QtGui import QPainter, QPalette, QPen, QRegion
from PySide6.QtWidgets import QAbstractSpinBox, QLineEdit, QTabBar, QToolButton, QWidget
from shiboken6 import isValid

RING_PX = 3  # the focus ring's width: readable from the back of a lecture hall
KEYBOARD_REASONS = (Qt.FocusReason.TabFocusReason, Qt.FocusReason.BacktabFocusReason,
                    Qt.FocusReason.ShortcutFocusReason)
TAB_BAR_NAME = "Panel tabs"
TAB_BAR_TIP = "Panels sharing this place: Left and Right arrows switch between them"


def is_plain_space(event):
    """A key event of Space without Ctrl, Alt, Shift or Meta (Ctrl+Space is Next Phase)."""
    mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    return event.key() == Qt.Key.Key_Space and mods == Qt.KeyboardModifier.NoModifier


class SpaceCommits(QObject):
    """An event filter for a number field: Space commits what was typed (``commit(field)``) and
    is left to the window's shortcuts (Step). The field never receives the space.

    Qt first offers a key to the focused widget as a ShortcutOverride; a line edit accepts it
    for any printable key, which keeps shortcuts away. Here the override is refused (after the
    commit), so the shortcut fires; when no shortcut takes Space (a panel outside the window),
    the key press itself is dropped."""

    def __init__(self, commit, parent=None):
        super().__init__(parent)
        self.commit = commit

    def eventFilter(self, obj, event):
        kind = event.type()
        if kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) and is_plain_space(event):
            if kind == QEvent.Type.ShortcutOverride:
                self.commit(obj)
                event.ignore()  # not the field's: Qt goes on to the shortcuts
            return True
        return False


def commit_spin_box(spin):
    spin.interpretText()


class FocusRing(QWidget):
    """A frame around the widget that got the keyboard focus from the keyboard. It is a child of
    the window drawn over the docks (transparent to the mouse, masked to the frame itself), so it
    needs nothing from the widgets it frames: ``watch(widget)`` is all."""

    def __init__(self, window):
        super().__init__(window)
        self.setObjectName("focusRing")
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.target = None
        self.hide()

    def watch(self, widget):
        widget.installEventFilter(self)

    def eventFilter(self, obj, event):
        kind = event.type()
        if kind == QEvent.Type.FocusIn:
            if event.reason() in KEYBOARD_REASONS:
                self.frame(obj)
            elif obj is not self.target:
                self.frame(None)
        elif obj is self.target:
            if kind in (QEvent.Type.FocusOut, QEvent.Type.Hide):
                # a window that merely lost activation keeps its focus widget: keep the ring
                if not (kind == QEvent.Type.FocusOut
                        and event.reason() == Qt.FocusReason.ActiveWindowFocusReason):
                    self.frame(None)
            elif kind in (QEvent.Type.Move, QEvent.Type.Resize):
                self._place()
        return False

    def frame(self, widget):
        """Draw the ring around ``widget`` (None: nowhere)."""
        self.target = widget
        if widget is None or widget.window() is not self.window():
            self.target = None
            self.hide()
            return
        self._place()

    def _place(self):
        w = self.target
        top_left = w.mapTo(self.window(), QPoint(0, 0))
        outer = QRect(top_left, w.size()).adjusted(-RING_PX, -RING_PX, RING_PX, RING_PX)
        self.setGeometry(outer)
        local = QRect(0, 0, outer.width(), outer.height())
        inner = local.adjusted(RING_PX, RING_PX, -RING_PX, -RING_PX)
        self.setMask(QRegion(local).subtracted(QRegion(inner)))
        self.raise_()
        self.show()
        self.update()

    def paintEvent(self, event):
        p = QPainter(self)
        color = self.palette().color(QPalette.ColorRole.Highlight)
        p.fillRect(self.rect(), color)
        pen = QPen(self.palette().color(QPalette.ColorRole.Window))
        pen.setWidth(1)
        p.setPen(pen)  # a thin line of the background inside, so the ring stands off the widget
        p.drawRect(self.rect().adjusted(RING_PX - 1, RING_PX - 1, -RING_PX, -RING_PX))
        p.end()


def name_action_widget(widget, action):
    """Keep ``widget`` (a toolbar button) named after ``action``: its text, its tooltip."""
    def sync():
        if not isValid(widget):  # the toolbar goes first as the window is destroyed
            return
        widget.setAccessibleName(action.text().replace("&", ""))
        widget.setAccessibleDescription(action.toolTip())
    sync()
    action.changed.connect(sync)


def name_toolbar(toolbar):
    toolbar.setAccessibleName(toolbar.windowTitle() + " toolbar")
    toolbar.setAccessibleDescription("The actions used most, each also in a menu with its "
                                     "shortcut")
    for action in toolbar.actions():
        widget = toolbar.widgetForAction(action)
        if widget is not None and not action.isSeparator():
            name_action_widget(widget, action)


def name_tab_bar(bar):
    if isinstance(bar, QTabBar) and not bar.accessibleName():
        bar.setAccessibleName(TAB_BAR_NAME)
        bar.setAccessibleDescription(TAB_BAR_TIP)
        for button in bar.findChildren(QToolButton):  # Qt names its scroll arrows
            button.setAccessibleDescription("Show more tabs")


def name_dock(dock):
    """A dock's accessible name and description: its title."""
    dock.setAccessibleName(f"{dock.windowTitle()} panel")
    dock.setAccessibleDescription(f"The {dock.windowTitle()} panel (View menu: show or hide it)")


def panel_toggle(dock):
    """``dock``'s show/hide action, made to suit the keyboard: on a panel that is open but
    behind another one's tab it brings the panel to the front rather than closing it, and a
    panel it opens comes to the front."""
    action = dock.toggleViewAction()
    covered = [False]  # open but behind another tab (visibilityChanged tracks tab switches)

    def visibility(visible):
        if not dock.isHidden():  # closing keeps what it was: the action asks right after
            covered[0] = not visible
    dock.visibilityChanged.connect(visibility)

    def triggered(on):
        if not on and covered[0]:  # Qt just closed a panel the user could not see: reopen it
            dock.show()
            on = True
        if on:
            dock.raise_()
    action.triggered.connect(triggered)
    return action


def toggle_dock(dock, in_front):
    """A panel's own toggle (its feature's shortcut): closed, it opens in front; open behind
    another tab (``in_front`` False), it comes to the front; in front, it closes."""
    if dock.isHidden():
        dock.show()
        dock.raise_()
    elif not in_front:
        dock.raise_()
    else:
        dock.hide()


def focusable(widget):
    return bool(widget.focusPolicy() & Qt.FocusPolicy.TabFocus)


def install(window):
    """Space commits and steps from every number field of ``window``, focus rings for every
    focusable widget, names for the toolbar and the tab bars."""
    window.space_commits = SpaceCommits(commit_spin_box, window)
    window.focus_ring = ring = FocusRing(window)
    for widget in window.findChildren(QWidget):
        if widget.window() is not window or widget.objectName().startswith("qt_"):
            continue
        if isinstance(widget, QAbstractSpinBox):
            widget.installEventFilter(window.space_commits)
        if focusable(widget) and not isinstance(widget, (QLineEdit, QAbstractSpinBox)):
            ring.watch(widget)  # fields show their focus themselves: a frame and a cursor
    for bar in window.findChildren(QTabBar):
        name_tab_bar(bar)
