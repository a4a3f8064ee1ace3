"""The timeline: a scrubber over every step of the lesson's training, and Resume from here.

A bar under the plots (a slider and a step field) shows the network exactly as it was at any
step recorded (``Controller.show_step``: checkpoints and the engine's replay,
``engine/timeline.py``), with a vertical marker at that step on the loss and parameter plots.
Keys, from anywhere in the window: Home / End the first / latest step, Shift+← / Shift+→ one
step, PageUp / PageDown a screenful (the steps the loss plot shows). A text field keeps its own
Home, End and Shift+arrows.

Step, Train or an edit while a past step is shown asks whether to discard the later steps
(``ask_discard_later``; "Always discard" remembers the answer): that is one undo command, so
Undo brings them back.
"""
from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt
from shiboken6 import isValid
from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QLabel, QMessageBox, QSlider, QSpinBox,
                               QToolBar, QWidget)

from . import file_actions
from .panels import describe
from .settings import settings

KEY_ALWAYS_DISCARD = "timeline/alwaysDiscard"
MARKER_COLOR = "#CC79A7"  # Okabe–Ito reddish purple: apart from every curve's colour

#: (objectName, text, shortcut, what it does); the slot is TimelineBar.<method>
KEYS = (
    ("actionTimelineFirst", "First Step", "Home", "first", "Show the first step recorded"),
    ("actionTimelineLast", "Latest Step", "End", "last", "Back to the latest step"),
    ("actionTimelineBack", "One Step Back", "Shift+Left", "back", "Show the step before"),
    ("actionTimelineForward", "One Step Forward", "Shift+Right", "forward",
     "Show the step after"),
    ("actionTimelinePageBack", "A Screenful Back", "PgUp", "page_back",
     "Back by the steps the loss plot shows"),
    ("actionTimelinePageForward", "A Screenful Forward", "PgDown", "page_forward",
     "Forward by the steps the loss plot shows"),
)


def always_discard():
    return settings().value(KEY_ALWAYS_DISCARD, False, type=bool)


def set_always_discard(on):
    settings().setValue(KEY_ALWAYS_DISCARD, bool(on))


def ask_discard_later(parent, k, last):
    """True to discard steps k + 1 … last and go on from step k. "Always discard" (remembered)
    stops the question; where no one can answer (off-screen), True — Undo brings them back."""
    if always_discard() or not file_actions.interactive():
        return True
    n = last - k
    box = QMessageBox(QMessageBox.Icon.Question, file_actions.APP_TITLE,
                      f"Go on from step {k:,} and discard the {n:,} later "
                      f"step{'s' if n != 1 else ''} ({k + 1:,}–{last:,})?", parent=parent)
    box.setInformativeText("Undo brings them back.")
    discard = box.addButton("Discard Later Steps", QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(discard)
    box.setEscapeButton(cancel)
    check = QCheckBox("Always discard (don't ask again)")
    box.setCheckBox(check)
    box.exec()
    yes = box.clickedButton() is discard
    if yes and check.isChecked():
        set_always_discard(True)
    return yes


class TimelineBar(QWidget):
    """The slider and the step field; they follow the controller and move it."""

    def __init__(self, window, parent=None):
        super().__init__(parent)
        self.main = window  # (not ``window``: QWidget.window() is the widget's top level)
        self.controller = c = window.controller
        self._updating = False
        self.setObjectName("timelineBar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        self.title = QLabel("Timeline")
        self.slider = QSlider(Qt.Orientation.Horizontal, objectName="timelineSlider")
        self.slider.setTracking(True)
        describe(self.slider, "Timeline", "Drag to show the network as it was at any step "
                 "(Home, End, Shift+←/→, PageUp/PageDown). Step or Train from a past step asks "
                 "whether to discard the later steps.")
        self.field = QSpinBox(objectName="timelineStep")
        self.field.setKeyboardTracking(False)
        self.field.setGroupSeparatorShown(True)
        describe(self.field, "Step shown", "The step whose network is shown; type a step and "
                 "press Return")
        self.of = QLabel(objectName="timelineLast")
        describe(self.of, "Latest step", "The latest step; a past step is shown while this "
                 "says so")
        self.title.setBuddy(self.field)
        layout.addWidget(self.title)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.field)
        layout.addWidget(self.of)
        self.slider.valueChanged.connect(self._moved)
        self.field.valueChanged.connect(self._moved)
        for signal in (c.changed, c.timelineChanged, c.historyChanged, c.structureChanged):
            signal.connect(self.follow)
        self.follow()

    def follow(self, *_):
        """Show the controller's range and step."""
        c = self.controller
        first, last = c.timeline_range()
        k = last if c.viewing is None else c.viewing
        self._updating = True
        try:
            for w in (self.slider, self.field):
                w.setRange(min(first, 2**31 - 1), min(last, 2**31 - 1))
                w.setValue(min(k, 2**31 - 1))
            self.slider.setPageStep(max(1, self.page()))
            self.field.setEnabled(last > first)
            self.slider.setEnabled(last > first)
        finally:
            self._updating = False
        text = f"of {last:,}"
        if c.viewing is not None:
            text += " (past step: End returns)"
        self.of.setText(text)

    def _moved(self, value):
        if not self._updating:
            self.show_step(value)

    # -- moving -----------------------------------------------------------------------------------
    def show_step(self, k):
        self.controller.show_step(k)

    def current(self):
        c = self.controller
        return c.timeline_range()[1] if c.viewing is None else c.viewing

    def page(self):
        """A screenful: the steps the loss plot shows (at least 1)."""
        plot = getattr(self.main, "loss_plot", None)
        if plot is None:
            return 10
        lo, hi = plot.plot.getPlotItem().viewRange()[0]
        if plot.log_steps:
            lo, hi = 10 ** min(lo, 12), 10 ** min(hi, 12)
        span = hi - lo
        return max(1, int(span)) if math.isfinite(span) else 10

    def first(self):
        self.show_step(self.controller.timeline_range()[0])

    def last(self):
        self.show_step(self.controller.timeline_range()[1])

    def back(self):
        self.show_step(self.current() - 1)

    def forward(self):
        self.show_step(self.current() + 1)

    def page_back(self):
        self.show_step(self.current() - self.page())

    def page_forward(self):
        self.show_step(self.current() + self.page())


class Markers:
    """A vertical line at the step shown on each step plot (while a past step is shown)."""

    def __init__(self, window):
        self.window = window
        self.lines = {}
        for name in ("loss_plot", "weight_plot"):
            plot = getattr(window, name, None)
            if plot is None:
                continue
            line = pg.InfiniteLine(angle=90, movable=False,
                                   pen=pg.mkPen(MARKER_COLOR, width=2))
            line.setZValue(100)
            line.hide()
            plot.plot.getPlotItem().addItem(line, ignoreBounds=True)
            self.lines[name] = line
            plot.logStepsChanged.connect(self.update)
        c = window.controller
        for signal in (c.timelineChanged, c.changed, c.historyChanged):
            signal.connect(self.update)

    def position(self, name, k):
        """Where step k goes on that plot: the loss step k + 1 starts from (at k, or k + 1 on
        the log axis), the parameters after step k (at k)."""
        plot = getattr(self.window, name)
        if not plot.log_steps:
            return float(k)
        x = k + 1 if name == "loss_plot" else k
        return math.log10(max(x, 1))

    def update(self, *_):
        k = self.window.controller.viewing
        for name, line in self.lines.items():
            if k is None:
                line.hide()
            else:
                line.setValue(self.position(name, k))
                line.show()


class _ActionWatcher(QObject):
    """Calls ``changed()`` when an action of the watched widget is added, changed or removed."""

    KINDS = (QEvent.Type.ActionAdded, QEvent.Type.ActionChanged, QEvent.Type.ActionRemoved)

    def __init__(self, changed, parent):
        super().__init__(parent)
        self.changed = changed

    def eventFilter(self, obj, event):
        if event.type() in self.KINDS:
            self.changed()
        return False


class Timeline:
    def __init__(self, window):
        self.window = window
        c = window.controller
        self.bar = TimelineBar(window)
        tb = QToolBar("Timeline", objectName="timelineToolBar")
        tb.setMovable(False)
        tb.setAccessibleName("Timeline toolbar")
        tb.setAccessibleDescription("The scrubber over every step of the training")
        tb.addWidget(self.bar)
        window.addToolBar(Qt.ToolBarArea.BottomToolBarArea, tb)
        self.toolbar = tb
        self.markers = Markers(window)
        self.actions = {}
        for name, text, shortcut, slot, tip in KEYS:
            a = window.add_action(name, text, shortcut, getattr(self.bar, slot), tip)
            self.actions[name] = a
        self.actionAlwaysDiscard = window.add_action(
            "actionTimelineAlwaysDiscard", "Always Discard Later Steps", "Ctrl+Alt+L",
            set_always_discard, "Step or Train from a past step discards the later steps "
            "without asking (Undo still brings them back)", checkable=True)
        self.actionAlwaysDiscard.setChecked(always_discard())
        menu = self._network_menu()
        if menu is not None:
            sub = menu.addMenu("Time&line")
            for a in list(self.actions.values()) + [self.actionAlwaysDiscard]:
                sub.addAction(a)
        c.resume_question = self.ask
        # PgUp/PgDown of another feature (a script player): the window hears of every action
        # added, changed (enabled) or removed
        self._watcher = _ActionWatcher(self._page_keys, window)
        window.installEventFilter(self._watcher)

    def ask(self, k, last):
        yes = ask_discard_later(self.window, k, last)
        self.actionAlwaysDiscard.setChecked(always_discard())
        return yes

    def _network_menu(self):
        for a in self.window.menuBar().actions():
            if a.text().replace("&", "") == "Network" and a.menu() is not None:
                return a.menu()
        return None

    def _page_keys(self):
        """Two enabled actions on one key would both go silent: PageUp/PageDown yield to
        another feature's while it has them enabled."""
        if not isValid(self.window) or len(self.actions) < len(KEYS):
            return  # the window is going, or this is still being made
        mine = (self.actions["actionTimelinePageBack"], self.actions["actionTimelinePageForward"])
        for own in mine:
            key = own.shortcut()
            taken = any(a.isEnabled() and a not in mine and key in a.shortcuts()
                        for a in self.window.actions())
            if own.isEnabled() == taken:
                own.setEnabled(not taken)


def install(window):
    """Add the timeline bar, its keys and the plots' markers to ``window`` (a MainWindow)."""
    window.timeline = Timeline(window)
    return window.timeline

