"""The main window: the canvas in the middle, the plots and panels in docks, actions with
shortcuts in the toolbar and menus, the step count, loss and speed in the status bar.

What the window remembers between runs (``settings()``): the training speed, the plots' Log
scale and Log steps, the last Train N. A new window starts at ``DEFAULT_SPEED``."""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialogButtonBox, QDockWidget, QInputDialog, QLabel, QMainWindow, QProgressBar, QPushButton,
    QScrollArea, QSpinBox, QToolBar,
)

from engine.lesson import load_preset, preset_names

from . import (architecture_panel, autosave, boundary, classroom, compare, crash, data_panel,
               exercise_dialog, file_actions, keyboard, script_player, teaching, timeline)
from .canvas.view import NetworkView
from .fitted_label import FittedLabel
from .controller import Controller
from .settings import settings
from .training import DEFAULT_SPEED, MAX_STEPS, SPEEDS, count_text, speed_text
from .panels import InspectorPanel, LessonPanel
from .plots import LossPlot, OutputPlot, ParameterPlot
from .style import MISMATCH, fmt

MESSAGE_MS = 10_000  # how long a message stays in the status bar
PROGRESS_STEPS = 1000  # the progress bar counts in thousandths (any N fits Qt's int)
KEY_TRAIN_N = "training/trainN"
RIGHT_SHARE, BOTTOM_SHARE = 0.26, 0.27  # of the window: the panel column, the plot band
MIN_DOCK_CONTENT = (120, 80)  # px: the least a dock's content asks for
DEFAULT_TRAIN_N = 1000
KEY_SPEED = "training/speed"        # steps per second, or "max"
KEY_LOG_SCALE = "plots/logScale"    # the loss plot's y axis
KEY_LOG_STEPS = "plots/logSteps"    # the loss and parameter plots' step axis
ERROR_STYLE = "color: #CC3311; font-weight: bold;"


def remembered_train_n():
    """The N that Train N… offers: the last one chosen."""
    try:
        n = int(settings().value(KEY_TRAIN_N, DEFAULT_TRAIN_N))
    except (TypeError, ValueError):
        return DEFAULT_TRAIN_N
    return min(max(n, 1), MAX_STEPS)


def remember_train_n(n):
    s = settings()
    s.setValue(KEY_TRAIN_N, int(n))
    s.sync()


def remembered_speed_index():
    """The index into SPEEDS of the speed last chosen (``DEFAULT_SPEED`` at first, or when the
    saved one is not offered any more)."""
    saved = str(settings().value(KEY_SPEED, "")).strip()
    for index, speed in enumerate(SPEEDS):
        if saved == ("max" if speed is None else str(speed)):
            return index
    return SPEEDS.index(DEFAULT_SPEED)


def remember_speed(index):
    speed = SPEEDS[index]
    settings().setValue(KEY_SPEED, "max" if speed is None else str(speed))


def remembered_flag(key):
    return settings().value(key, False, type=bool)


class MainWindow(QMainWindow):
    def __init__(self, lesson=None, parent=None):
        super().__init__(parent)
        self.controller = Controller(lesson, parent=self)
        c = self.controller
        self.setWindowTitle("Backprop Lab")
        self.view = NetworkView(c)
        self.view.setAccessibleName("Network diagram")
        self.view.setAccessibleDescription(
            "The network's neurons, weights and biases with their numbers. Click to select, "
            "double-click a number to edit it, right-click for more; Space steps.")
        self.setCentralWidget(self.view)
        self.loss_plot = LossPlot(c)
        self.weight_plot = ParameterPlot(c)
        self.output_plot = OutputPlot(c)
        self.lesson_panel = LessonPanel(c)
        self.inspector = InspectorPanel(c)
        self.docks = {}
        self.train_n_dialog = None  # made when Train N… first asks
        self.close_guards = []  # callables → bool; any False keeps the window open
        self.replace_guards = []  # callables → bool; any False keeps the document (load_preset)
        self.close_hooks = []   # callables run when the window does close
        right = Qt.DockWidgetArea.RightDockWidgetArea
        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        self.add_dock("lesson", "Lesson", self.lesson_panel, right, scroll=True)
        self.add_dock("inspector", "Inspector", self.inspector, right, scroll=True)
        for name, title, widget in (("loss", "Loss", self.loss_plot),
                                    ("parameters", "Weights and biases", self.weight_plot),
                                    ("outputs", "Outputs vs targets", self.output_plot)):
            self.add_dock(name, title, widget, bottom)
        self._make_actions()
        self._make_status_bar()
        self._error_shown = self._error_new = False  # a red message is up; shown this turn
        c.trainingStateChanged.connect(self._training_state)
        c.changed.connect(self._update_status)
        c.revealChanged.connect(self._update_status)
        c.message.connect(self.show_message)
        c.progressChanged.connect(self._progress)
        # the speed: remembered, and shown at once, training or not
        c.set_speed(remembered_speed_index())
        c.speedChanged.connect(self._speed_changed)
        # an action that succeeds ends the error message of an earlier one
        c.undo_stack.indexChanged.connect(self._action_succeeded)
        c.trainingStateChanged.connect(lambda running: running and self._action_succeeded())
        c.phaseChanged.connect(self._action_succeeded)
        # the plots' axis switches: one Log steps for both step plots; both remembered
        self.loss_plot.set_log_scale(remembered_flag(KEY_LOG_SCALE))
        self.loss_plot.logScaleChanged.connect(lambda on: settings().setValue(KEY_LOG_SCALE, on))
        self._set_log_steps(remembered_flag(KEY_LOG_STEPS))
        for plot in (self.loss_plot, self.weight_plot):
            plot.logStepsChanged.connect(self._set_log_steps)
        self.setGeometry(classroom.default_geometry(self.screen().availableGeometry()))
        self.size_docks()
        # features that add their own docks, actions and menus (and may size them after ours)
        for feature in (teaching, file_actions, autosave, architecture_panel, boundary, data_panel,
                        script_player, classroom, crash, compare, timeline, keyboard,
                        exercise_dialog):
            feature.install(self)
        self._update_status()

    def add_dock(self, name, title, widget, area, scroll=False):
        """A dock ``name`` (``docks[name]``) holding ``widget``. ``scroll``: a panel of fields
        and text, which scrolls when its dock is smaller than it — so larger text never makes
        the window grow past the screen."""
        dock = QDockWidget(title, self, objectName=f"{name}Dock")
        if scroll:
            area_widget = QScrollArea(objectName=f"{name}Scroll", widgetResizable=True)
            area_widget.setFrameShape(QScrollArea.Shape.NoFrame)
            area_widget.setAccessibleName(f"{title} panel")
            area_widget.setAccessibleDescription(f"The {title} panel; it scrolls when it is "
                                                 "larger than its place")
            area_widget.setWidget(widget)
            widget = area_widget
        # a panel may get small (it scrolls, a plot squeezes) but never widens the window
        widget.setMinimumSize(*MIN_DOCK_CONTENT)
        dock.setWidget(widget)
        keyboard.name_dock(dock)
        self.addDockWidget(area, dock)
        self.docks[name] = dock
        return dock

    def size_docks(self):
        """The default share of the window: the canvas, what the class looks at, gets most of
        it; the panels a column on the right, the plots a band at the bottom."""
        size = self.size()
        self.resizeDocks([self.docks[n] for n in ("loss", "parameters", "outputs")],
                         [round(size.height() * BOTTOM_SHARE)] * 3, Qt.Orientation.Vertical)
        self.resizeDocks([self.docks["lesson"], self.docks["inspector"]],
                         [round(size.width() * RIGHT_SHARE)] * 2, Qt.Orientation.Horizontal)

    @property
    def network(self):
        """The engine Network the window drives."""
        return self.controller.network

    # -- actions -----------------------------------------------------------------------------
    def add_action(self, name, text, shortcut, slot, tip="", checkable=False):
        """A window action, the hook every feature adds its commands through: its shortcut
        works wherever the focus is, its tooltip names the shortcut, and ``slot`` is called
        with no arguments (a checkable action's slot gets the new checked state)."""
        a = QAction(text, self, objectName=name)
        if shortcut:
            a.setShortcut(QKeySequence(shortcut))
        a.setToolTip(f"{tip or text} ({QKeySequence(shortcut).toString()})" if shortcut else tip)
        a.setCheckable(checkable)
        # triggered(bool) passes "checked" along: only a checkable action's slot wants it
        a.triggered.connect(slot if checkable else lambda *_: slot())
        self.addAction(a)  # shortcuts work wherever the focus is in the window
        return a

    def _make_actions(self):
        c = self.controller
        self.actionStep = self.add_action("actionStep", "Step", "Space", c.step,
                                       "One forward pass, one backward pass, one update")
        self.actionTrain = self.add_action("actionTrain", "Train", "Ctrl+T", c.toggle_training,
                                        "Train until paused", checkable=True)
        self.actionTrainN = self.add_action("actionTrainN", "Train N…", "Ctrl+Shift+T",
                                         self.train_n, "Train a given number of steps")
        self.actionReset = self.add_action("actionReset", "Reset", "Ctrl+R", c.reset,
                                        "Back to the lesson's initial values")
        self.actionRandomize = self.add_action("actionRandomize", "Randomize", "Ctrl+Shift+R",
                                            c.randomize, "New random weights (seeded)")
        # fixed texts keep the toolbar still; the tooltip names what would be undone
        self.actionUndo = self.add_action("actionUndo", "Undo", "Ctrl+Z", c.undo)
        self.actionRedo = self.add_action("actionRedo", "Redo", "Ctrl+Shift+Z", c.redo)
        self.actionRedo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        c.undo_stack.canUndoChanged.connect(self.actionUndo.setEnabled)
        c.undo_stack.canRedoChanged.connect(self.actionRedo.setEnabled)
        c.undo_stack.undoTextChanged.connect(lambda t: self.actionUndo.setToolTip(
            f"Undo {t} (Ctrl+Z)" if t else "Undo (Ctrl+Z)"))
        c.undo_stack.redoTextChanged.connect(lambda t: self.actionRedo.setToolTip(
            f"Redo {t} (Ctrl+Shift+Z)" if t else "Redo (Ctrl+Shift+Z)"))
        self.actionUndo.setEnabled(False)
        self.actionRedo.setEnabled(False)
        self.actionDerivatives = self.add_action(
            "actionShowDerivatives", "Show Err, δ, ∂L/∂w", "Ctrl+D",
            lambda on: self.view.set_show_derivatives(on),
            "Show the backward pass's numbers on the canvas", checkable=True)
        self.actionDerivatives.setChecked(True)
        self.actionShowNet = self.add_action(
            "actionShowNet", "Show net", "Ctrl+Shift+D", lambda on: self.view.set_show_net(on),
            "net_j = Σ y_i w_ij + b_j under every neuron, beside δ_j", checkable=True)
        self.actionFaster = self.add_action("actionFaster", "Faster", "Ctrl+]",
                                         lambda: c.set_speed(c.speed_index + 1))
        self.actionSlower = self.add_action("actionSlower", "Slower", "Ctrl+[",
                                         lambda: c.set_speed(c.speed_index - 1))

        tb = QToolBar("Training", objectName="mainToolBar")
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for a in (self.actionStep, self.actionTrain, self.actionTrainN, None, self.actionReset,
                  self.actionRandomize, None, self.actionUndo, self.actionRedo, None,
                  self.actionSlower, self.actionFaster, None, self.actionDerivatives,
                  self.actionShowNet):
            tb.addSeparator() if a is None else tb.addAction(a)
        self.addToolBar(tb)
        keyboard.name_toolbar(tb)

        menu = self.menuBar()
        menu.setAccessibleName("Menu bar")
        menu.setAccessibleDescription("Every action of the window, each with its shortcut")
        m = menu.addMenu("&Network")
        for a in (self.actionStep, self.actionTrain, self.actionTrainN, self.actionReset,
                  self.actionRandomize):
            m.addAction(a)
        m = menu.addMenu("&Edit")
        m.addAction(self.actionUndo)
        m.addAction(self.actionRedo)
        m = menu.addMenu("&Presets")
        self.preset_actions = {}
        for number, name in enumerate(preset_names(), start=1):
            lesson = load_preset(name)
            a = self.add_action(f"actionPreset_{name}", lesson.name or name,
                             f"Ctrl+{number}" if number <= 9 else None,
                             lambda _=False, n=name: self.load_preset(n), lesson.description)
            m.addAction(a)
            self.preset_actions[name] = a
        m = menu.addMenu("&View")
        m.addAction(self.actionDerivatives)
        m.addAction(self.actionShowNet)
        m.addAction(self.actionFaster)
        m.addAction(self.actionSlower)
        for number, dock in enumerate(self.docks.values(), start=1):
            toggle = keyboard.panel_toggle(dock)
            toggle.setShortcut(QKeySequence(f"Alt+{number}"))
            toggle.setToolTip(f"Show or hide the {dock.windowTitle()} panel (Alt+{number})")
            self.addAction(toggle)
            m.addAction(toggle)

    def set_derivatives_concealed(self, concealed):
        """While Predict hides the backward pass, the Show Err, δ, ∂L/∂w button shows it is
        off and cannot be pressed; afterwards it shows the canvas's own setting again."""
        a = self.actionDerivatives
        a.setEnabled(not concealed)
        a.setChecked(self.view.show_derivatives and not concealed)
        a.setToolTip("Hidden until you check your prediction (Predict panel) (Ctrl+D)"
                     if concealed else "Show the backward pass's numbers on the canvas (Ctrl+D)")

    def _set_log_steps(self, on):
        """Both step plots on a logarithmic (``on``) or linear step axis; remembered."""
        for plot in (self.loss_plot, self.weight_plot):
            plot.set_log_steps(on)
        settings().setValue(KEY_LOG_STEPS, bool(on))

    def childEvent(self, event):
        super().childEvent(event)
        # tabbed panels get a tab bar from Qt whenever docks are tabbed together
        if event.polished():
            keyboard.name_tab_bar(event.child())

    def load_preset(self, name):
        """Replace the document with the preset ``name`` unless a replace guard (unsaved
        changes: Cancel) keeps it; True when it was loaded."""
        if not all(guard() for guard in self.replace_guards):
            return False
        self.controller.load_lesson(load_preset(name))
        self.show_message(f"Loaded preset “{self.controller.lesson.name or name}”.")
        return True

    def train_n(self, steps=None):
        """Train ``steps`` steps with a progress bar and Cancel; without ``steps``, ask how many
        first (the dialog remembers the last answer)."""
        if steps is not None:
            self.controller.start_training(int(steps))
            return
        dialog = self.train_n_dialog
        if dialog is None:
            dialog = self.train_n_dialog = QInputDialog(self, objectName="trainNDialog")
            dialog.setWindowTitle("Train N steps")
            dialog.setInputMode(QInputDialog.InputMode.IntInput)
            dialog.setIntRange(1, MAX_STEPS)
            dialog.setIntStep(100)
            dialog.setLabelText(f"Number of steps (1 to {MAX_STEPS:,}):")
            dialog.intValueSelected.connect(self._train_n_chosen)
        dialog.setIntValue(remembered_train_n())
        dialog.open()  # window-modal, non-blocking: training and repaints go on meanwhile
        if not dialog.property("named"):  # its widgets exist once it is first shown
            dialog.setProperty("named", True)
            spin = dialog.findChild(QSpinBox)
            spin.setAccessibleName("Number of steps")
            spin.setAccessibleDescription(f"How many steps to train, 1 to {MAX_STEPS:,}")
            box = dialog.findChild(QDialogButtonBox)
            buttons = QDialogButtonBox.StandardButton
            for role, text in ((buttons.Ok, "Train that many steps"),
                               (buttons.Cancel, "Close, training nothing")):
                button = box.button(role)
                button.setAccessibleName(button.text().replace("&", ""))
                button.setAccessibleDescription(text)

    def _train_n_chosen(self, steps):
        remember_train_n(steps)
        self.controller.start_training(steps)

    # -- status bar ------------------------------------------------------------------------------
    def _make_status_bar(self):
        sb = self.statusBar()
        self.step_label = FittedLabel(objectName="stepLabel")
        self.loss_label = FittedLabel(objectName="lossLabel")
        self.speed_label = FittedLabel(objectName="speedLabel")
        self.message_label = QLabel(objectName="messageLabel")
        self.dead_label = QLabel(objectName="deadLabel")
        palette = self.dead_label.palette()  # not a style sheet: it would pin the font size
        palette.setColor(self.dead_label.foregroundRole(), MISMATCH)
        self.dead_label.setPalette(palette)
        self.dead_label.setToolTip("ReLU neurons whose net is ≤ 0 for every sample: they output "
                                   "0 and no gradient reaches their weights (hatched on the "
                                   "canvas)")
        self.progress = QProgressBar(objectName="trainProgress")
        self.progress.setMaximumWidth(220)
        self.progress.setAccessibleName("Train N progress")
        self.progress.setAccessibleDescription("Steps done of the steps asked for")
        self.cancel_button = QPushButton("Cancel", objectName="cancelTrainButton")
        self.cancel_button.setAccessibleName("Cancel Train N")
        self.cancel_button.setToolTip("Stop training here; the steps done stay (Ctrl+T)")
        self.cancel_button.setAccessibleDescription(self.cancel_button.toolTip())
        self.cancel_button.clicked.connect(self.controller.pause)
        for label, name in ((self.step_label, "Step count"), (self.loss_label, "Loss"),
                            (self.speed_label, "Training speed"),
                            (self.message_label, "Message")):
            label.setAccessibleName(name)
        self._fit_status_labels()
        sb.addWidget(self.message_label, 1)
        for w in (self.dead_label, self.progress, self.cancel_button, self.step_label,
                  self.loss_label, self.speed_label):
            sb.addPermanentWidget(w)
        self.dead_label.hide()
        self.progress.hide()
        self.cancel_button.hide()
        self._message_timer = QTimer(self, singleShot=True, interval=MESSAGE_MS)
        self._message_timer.timeout.connect(self.clear_message)

    def _fit_status_labels(self):
        # sizes fixed for the longest text: a label whose size can change asks the whole
        # window to lay out again, and its numbers change every frame while training; at
        # large text they take at most a share of the screen's width and shrink their text
        screen = self.screen().availableGeometry().width()
        for label, widest, share in ((self.step_label, "step 10,000,000", 0.14),
                                     (self.loss_label, "L = −1.000000e+100", 0.16),
                                     (self.speed_label,
                                      "1,000,000 steps/s  (speed: 10,000 steps/s)", 0.22)):
            fm = label.fontMetrics()
            label.setFixedSize(min(fm.horizontalAdvance(widest) + 8, round(share * screen)),
                               fm.height() + 4)

    def changeEvent(self, event):
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:  # larger text (classroom mode)
            self._fit_status_labels()

    def show_message(self, text, error=False):
        """``text`` in the status bar for ``MESSAGE_MS``; an ``error`` in red, until then or until
        a later action succeeds."""
        self.message_label.setStyleSheet(ERROR_STYLE if error else "")
        self.message_label.setText(text)
        self._message_timer.start()
        self._error_shown = self._error_new = bool(error)
        if error:  # an action that succeeds in this same turn is the one that failed
            QTimer.singleShot(0, self, self._error_settled)

    def _error_settled(self):
        self._error_new = False

    def clear_message(self):
        self.message_label.clear()
        self.message_label.setStyleSheet("")
        self._error_shown = self._error_new = False

    def _action_succeeded(self, *_):
        """An edit was accepted, a Step taken, training started …: an error message left by an
        earlier action no longer applies. One shown while this action ran stays (a run that
        stopped because it diverged is pushed as a success right after saying so)."""
        if self._error_shown and not self._error_new:
            self.clear_message()

    def _speed_changed(self, index):
        remember_speed(index)
        self._update_status()

    def _update_status(self):
        c = self.controller
        dead = ", ".join(c.network.layout.neuron_label(j) for j in sorted(c.dead))
        text = f"dead ReLU: {dead}" if dead else ""
        if self.dead_label.text() != text:
            self.dead_label.setText(text)
            self.dead_label.setVisible(bool(dead))
        # L at the parameters shown; a phase walk computes it in its loss phase
        known = c.reveal().loss or (c.walk is not None and c.walk.taken)
        loss = fmt(c.record.loss, 6) if known else "?"
        speed = speed_text(SPEEDS[c.speed_index], short=True)
        rate = count_text(round(c.steps_per_second)) + "/s" if c.training else "paused"
        for label, text in ((self.step_label, f"step {c.step_count:,}"),
                            (self.loss_label, f"L = {loss}"),
                            (self.speed_label, f"{rate}  (speed: {speed})")):
            if label.text() != text:
                label.setText(text)

    def _training_state(self, running):
        self.actionTrain.setChecked(running)
        self.actionTrain.setText("Pause" if running else "Train")
        self._update_status()

    def _progress(self, done, total):
        running = total > 0
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        if running:
            self.progress.setRange(0, PROGRESS_STEPS)
            self.progress.setValue(done * PROGRESS_STEPS // total)
            self.progress.setFormat(f"{done:,} of {total:,}")

    def closeEvent(self, event):
        # a guard may veto closing (unsaved changes: the user chose Cancel)
        if not all(guard() for guard in self.close_guards):
            event.ignore()
            return
        self.controller.pause()
        for hook in self.close_hooks:  # e.g. remembering the window layout
            hook()
        super().closeEvent(event)
