"""The teaching tools around the canvas: the math panel (each derivative with the current
numbers), phase stepping, the gradient check, predict-then-reveal, freezing from the canvas, the
update order, and exporting a worked step — all in the Teach menu, each with a shortcut."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog
from shiboken6 import isValid

from engine.derivation import Explainer
from engine.render import render

from . import keyboard
from .file_actions import interactive
from .gradcheck_view import GradCheckDialog
from .math_panel import MathPanel
from .quiz import QuizPanel

MATH_WIDTH = 430  # px: "−[δ5 w35 + δ6 w36 + δ7 w37] · ReLU'(net3) · x1" on one line
EXPORT_FILTERS = {"md": "Markdown (*.md)", "html": "HTML page (*.html)", "tex": "LaTeX (*.tex)"}


def ask_export_path(parent, suggested):
    """(path, chosen filter) for a worked step, or (None, None); never blocks where nobody can
    answer (tests replace it)."""
    if not interactive():
        return None, None
    path, chosen = QFileDialog.getSaveFileName(parent, "Export worked step", suggested,
                                               ";;".join(EXPORT_FILTERS.values()))
    return path or None, chosen


class Teaching(QObject):
    """The teaching tools of one MainWindow."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        c = self.controller = window.controller
        self.math = MathPanel(c)
        self.quiz = QuizPanel(c)
        self.gradcheck = None  # the dialog, made when first opened
        right = Qt.DockWidgetArea.RightDockWidgetArea
        self.math_dock = window.add_dock("math", "Math", self.math, right, scroll=True)
        self.quiz_dock = window.add_dock("quiz", "Predict", self.quiz, right, scroll=True)
        # the math panel is what students read: it takes the lesson's place, in front, and the
        # column widens so a chain-rule line fits; the lesson is one tab away, the inspector stays
        window.tabifyDockWidget(window.docks["lesson"], self.math_dock)
        window.tabifyDockWidget(self.math_dock, self.quiz_dock)
        self.quiz_dock.hide()
        # a prediction is something the user starts, and it hides the backward pass: a window
        # never starts with Predict open, whatever the saved layout says (gui/classroom.py)
        self.quiz_dock.setProperty("closedAtStart", True)
        self.math_dock.raise_()
        window.resizeDocks([self.math_dock], [MATH_WIDTH], Qt.Orientation.Horizontal)

        self.math.decimalsChanged.connect(lambda n: setattr(self.quiz, "decimals", n))
        c.phaseChanged.connect(self._phase_changed)
        self.quiz.pendingChanged.connect(self._conceal)
        self.quiz_dock.toggleViewAction().toggled.connect(self._conceal)
        window.view.explainRequested.connect(self.explain)
        window.view.predictRequested.connect(self.predict)
        c.changed.connect(self._sync_order_action)
        self._make_actions()

    # -- actions ----------------------------------------------------------------------------------
    def _make_actions(self):
        w = self.window
        self.actionPhaseStep = w.add_action(
            "actionPhaseStep", "Next Phase", "N", lambda *_: self.controller.advance_phase(),
            "Walk through the next Step one phase at a time (the last phase takes the Step)")
        self.actionPhaseStep.setShortcuts([QKeySequence("N"), QKeySequence("Ctrl+Space")])
        self.actionGradientCheck = w.add_action(
            "actionGradientCheck", "Gradient Check…", "Ctrl+G", self.gradient_check,
            "Compare backprop with finite differences for every parameter")
        self.actionExportStep = w.add_action(
            "actionExportStep", "Export Worked Step…", "Ctrl+E", lambda *_: self.export_step(),
            "Every derivation of the step shown, as Markdown, HTML or LaTeX")
        self.actionUpdateOrder = w.add_action(
            "actionUpdateOrder", "Update Output Layer First", "Ctrl+U", self.set_output_first,
            "Off: simultaneous updates (default). On: each layer is updated before its δ is "
            "passed down, as some textbooks do", checkable=True)
        self.actionFreeze = w.add_action(
            "actionFreeze", "Freeze/Unfreeze Selected", "Ctrl+L", self.toggle_frozen,
            "A frozen weight or bias is never updated")
        self.actionShowMath = self._dock_action(self.math_dock, "actionShowMath", "Math Panel",
                                                "Ctrl+M")
        self.actionPredict = self._dock_action(self.quiz_dock, "actionPredict",
                                               "Predict Then Reveal", "Ctrl+P")
        menu = w.menuBar().addMenu("&Teach")
        menu.setObjectName("menuTeach")
        for a in (self.actionShowMath, self.actionPhaseStep, None, self.actionPredict,
                  self.actionGradientCheck, None, self.actionUpdateOrder, self.actionFreeze,
                  None, self.actionExportStep):
            menu.addSeparator() if a is None else menu.addAction(a)
        self.menu = menu
        self._sync_order_action()

    def _dock_action(self, dock, name, text, shortcut):
        a = keyboard.panel_toggle(dock)  # opens and raises; closes only a panel in front
        a.setObjectName(name)
        a.setText(text)
        a.setShortcut(QKeySequence(shortcut))
        a.setToolTip(f"{text} ({shortcut})")
        self.window.addAction(a)
        return a

    # -- the update order and freezing ------------------------------------------------------------
    def set_output_first(self, on):
        self.controller.edit(("order",), "output_first" if on else "simultaneous")

    def _sync_order_action(self):
        self.actionUpdateOrder.setChecked(self.controller.network.update_order == "output_first")

    def toggle_frozen(self):
        c = self.controller
        key = c.selection
        if key is None or key[0] not in ("w", "b"):
            self.window.show_message("Select a weight or bias to freeze it.", True)
            return
        c.set_frozen(key, not c.value(("frozen", c.param_index(key))))

    # -- explain, predict, phases -----------------------------------------------------------------
    def show_math(self):
        self.math_dock.show()
        self.math_dock.raise_()

    def explain(self, key):
        """Select ``key`` and show its derivation."""
        self.controller.select(key)
        self.show_math()

    def predict(self, key):
        """Open the quiz on ``key``: a neuron's δ, a weight's or bias's value after the Step."""
        self.quiz.ask("delta" if key[0] == "n" else "new", key)
        self.quiz_dock.show()
        self.quiz_dock.raise_()
        self.quiz.guess.setFocus()

    def _phase_changed(self):
        walk = self.controller.walk
        if walk is None:
            self.window.view.highlight_phase()
            return
        p = walk.phase
        self.window.view.highlight_phase(p.neurons, p.edges)
        self.show_math()
        k, n = walk.number
        tail = " — the Step is taken" if walk.taken else " (N: next phase)"
        self.window.show_message(f"Phase {k} of {n}: {p.text}{tail}")

    def _conceal(self, *_):
        """While a prediction is pending (the Predict panel open), hide the backward pass; the
        Show Err, δ, ∂L/∂w button says so."""
        if not isValid(self.window):  # the window hides its docks as it is destroyed
            return
        on = self.quiz.pending and self.quiz_dock.toggleViewAction().isChecked()
        self.window.view.set_concealed(on)
        self.math.set_concealed(on)
        self.window.inspector.set_concealed(on)
        self.window.set_derivatives_concealed(on)

    # -- gradient check and export ----------------------------------------------------------------
    def gradient_check(self):
        if self.gradcheck is None:
            self.gradcheck = GradCheckDialog(self.controller, self.window)
        self.gradcheck.show()
        self.gradcheck.raise_()
        return self.gradcheck

    def worked_step(self, format="md"):
        """The step shown (a phase walk's, else the panel's) worked in full, as text."""
        rec, row, number, _ = self.math.shown_step()
        c = self.controller
        title = f"{c.lesson.name or 'Backprop Lab'} — worked step {number}"
        doc = Explainer(c.network, rec, row, self.math.decimals).document(
            title, c.lesson.description)
        return render(doc, format)

    def export_step(self, path=None):
        """Write the worked step to ``path`` (asked for when None); the suffix picks the
        format (.md, .html, .tex). Returns the path written, or None."""
        if path is None:
            path, chosen = ask_export_path(self.window, "worked-step.md")
            if not path:
                return None
            fmt = next((k for k, f in EXPORT_FILTERS.items() if f == chosen), "md")
            if Path(path).suffix.lower().lstrip(".") not in EXPORT_FILTERS:
                path += f".{fmt}"
        path = Path(path)
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in EXPORT_FILTERS:
            self.window.show_message(f"Not exported: {path.name} should end in .md, .html or "
                                     ".tex", True)
            return None
        try:
            path.write_text(self.worked_step(fmt), encoding="utf-8")
        except OSError as e:
            self.window.show_message(f"Not exported: {e.strerror} ({path})", True)
            return None
        self.window.show_message(f"Exported the worked step to {path}")
        return path


def install(window):
    """Add the teaching docks, actions and menus to ``window`` (a MainWindow)."""
    window.teaching = Teaching(window)
