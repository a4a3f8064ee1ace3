"""Comparison runs: the lesson trained beside copies of itself that differ in one or more settings
(η, seed and initialisation, update order, activations, batch size) — up to four runs.

**How the runs follow the main run.** Each comparison run is a headless engine state: its own
``Network`` and ``History``, the lesson's data (shared, as it is at each step), and its change
(``engine.variants``). It never has a timer of its own: it follows the controller.

- A Step, a training slice (Train, Train N, the command line's ``--steps``) or a phase walk's
  Step moves the main run to step k; every run then trains from its own step to k with the
  engine's ``train(start=…)``, which is bit for bit the same as one step at a time however the
  steps are split — so after N steps each run *is* a network trained separately with its change.
- Undo and Redo put the runs back exactly as they were at that point of the undo history: every
  undo command gets the runs' state before and after it (their parameters, frozen flags, a mark
  of their history), so nothing is replayed and nothing is lost.
- Reset, Randomize and a change of the network's shape make each run again from the main's new
  state with its change (a run's weights would no longer belong to the main's); edits of the
  main's parameters stay the main's own. η, batch size and update order are read from the main
  at each step unless the run changes them itself, so a run differs from the main only in its
  change.

Compare… (Ctrl+Shift+C), Promote and Remove are undo commands. The canvas shows one run at a time
or the difference main − run on every weight and bias (the toolbar's "Canvas" box,
Ctrl+Shift+V); the loss plot draws every run's loss in its own colour with a legend naming its
change, the parameter plot every run's curve of the selected weight or bias. Saving keeps the
runs (the lesson file's ``runs``; ``engine.variants``), and Export ▸ Compared Loss writes the
curves as PNG, SVG or CSV with one column per run.
"""
from __future__ import annotations

import copy
import os
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel,
                               QLineEdit, QMenu, QToolBar, QVBoxLayout)

from engine import Network
from engine import architecture as arch
from engine import variants
from engine.activations import ACTIVATIONS
from engine.history import History
from engine.timeline import Timeline, history_at

from . import exports, keyboard, plots
from .file_actions import _slug
from .panels import describe
from .canvas import texts
from .canvas.connection import ConnectionItem
from .canvas.label import ValueLabel
from .canvas.neuron import NeuronItem
from .controller import RUN_CHUNK, Structure, train_recorded
from .phases import ALL
from .style import exact, fmt, parse_number

MAIN = "main"
#: one colour per comparison run, Okabe–Ito (colour-blind-safe), the main run in the plots'
#: foreground colour; the same three tints on the dark themes
RUN_COLORS = ("#0072B2", "#D55E00", "#009E73")
RUN_COLORS_ON_DARK = ("#56B4E9", "#F5793A", "#3FD0A4")
RUN_LINE_WIDTH = 2
KEEP_WEIGHTS = "keep the weights"


def run_color(index):
    """Comparison run ``index``'s colour (0, 1, 2) in the plots' active look."""
    dark = plots._look.param_colors is plots.PARAM_COLORS_ON_DARK
    return pg.mkColor((RUN_COLORS_ON_DARK if dark else RUN_COLORS)[index % len(RUN_COLORS)])


class Run:
    """One comparison run: its change, network, history and step count."""

    def __init__(self, name, change, network, step_count, base_seed, colour):
        self.name, self.change = name, change
        self.network = network
        self.step_count = int(step_count)
        self.history = History(1 + network.n_params, start=self.step_count)
        self.timeline = Timeline()  # every step it takes, to show or resume from a past step
        self.latest = None      # (θ, step count) while the window shows a past step
        self.stopped = False    # diverged: stays at its step until undone or made again
        self.base_seed = base_seed  # the main's seed it was made from (Randomize remakes it)
        self.colour = colour    # index into RUN_COLORS

    def settings(self, c):
        """(η, batch size, update order) this run trains with beside controller ``c``."""
        return variants.run_settings(self.change, c.lr, c.batch_size, c.network.update_order,
                                     len(c.inputs))


@dataclass(frozen=True, eq=False)
class RunState:
    """A run as an undo command restores it."""

    run: Run
    network: Network
    theta: np.ndarray
    frozen: np.ndarray
    history: History
    mark: object
    timeline: Timeline
    timeline_mark: object
    step_count: int
    stopped: bool
    base_seed: int


class RunsCommand(QUndoCommand):
    """A change of the runs alone (Compare…, Remove): the runs before and after it are restored
    by ``Comparison`` on undo and redo, like every other command's."""

    def __init__(self, text):
        super().__init__(text)


class PromoteCommand(QUndoCommand):
    """A run becomes the main lesson: its network, history, η and batch size (one command)."""

    def __init__(self, controller, before, after, lr_before, lr_after, text):
        super().__init__(text)
        self.c, self.before, self.after = controller, before, after
        self.lrs = (lr_before, lr_after)
        self._first = True

    def _go(self, structure, lr):
        c = self.c
        c.lr = lr
        c._apply_structure(structure)

    def redo(self):
        if self._first:
            self._first = False
            return
        self._go(self.after, self.lrs[1])

    def undo(self):
        self._go(self.before, self.lrs[0])


# -- the canvas's view of a run --------------------------------------------------------------------
class _DiffRecord:
    """The difference of two runs' forward passes: y_j and net_j of the main run less the
    run's, for the shown sample; no backward pass (the canvas hides it in this mode)."""

    x = ()
    lr = 0.0

    def __init__(self, main, run, row, run_row):
        self._main, self._run, self._rows = main, run, (row, run_row)

    def out(self, j, sample=0):
        return self._main.out(j, self._rows[0]) - self._run.out(j, self._rows[1])

    def net(self, j, sample=0):
        return self._main.net(j, self._rows[0]) - self._run.net(j, self._rows[1])

    def __getattr__(self, name):
        def nothing(*_):
            raise ValueError("no backward pass for a difference")
        return nothing


class CanvasSource:
    """What the canvas reads when it shows a comparison run or a difference: the controller's
    reading interface (``gui.canvas.texts`` reads it), answered from the run. Edits are the main
    run's only: they are refused here with the reason."""

    def __init__(self, controller, run, diff=False):
        self._c, self.run, self.diff = controller, run, diff
        self.refresh()

    def __getattr__(self, name):  # everything not the run's: the main's (data, sample, names)
        return getattr(self._c, name)

    @property
    def fits(self):
        """Has the run the main's shape? Not for a moment after the main's shape changed and
        before the run is made again: the canvas then reads the main's."""
        return self.run.network.sizes == self._c.network.sizes

    @property
    def network(self):
        return self._c.network if self.diff or not self.fits else self.run.network

    walk = None
    last_step = None

    def reveal(self):
        return ALL

    def refresh(self):
        """The run's next Step's record at its parameters, as the controller's ``record``."""
        c, run = self._c, self.run
        self.dead = frozenset()
        if not self.fits:
            self.record, self.sample_record = c.record, c.sample_record
            self.sample_row, self.sample_in_batch = c.sample_row, c.sample_in_batch
            return
        lr, b, _ = run.settings(c)
        idx = Network.batch_indices(len(c.inputs), b, run.step_count, c.shuffle_seed)
        with np.errstate(all="ignore"):
            self.record = run.network.step(c.inputs[idx], c.targets[idx], lr, apply=False)
            hit = np.flatnonzero(idx == c.sample)
            self.sample_in_batch = bool(len(hit))
            if self.sample_in_batch:
                self.sample_record, self.sample_row = self.record, int(hit[0])
            else:
                s = slice(c.sample, c.sample + 1)
                self.sample_record = run.network.step(c.inputs[s], c.targets[s], lr,
                                                      apply=False)
                self.sample_row = 0
        if self.diff:  # main − run: y and net of the shown sample, no backward pass
            self.record = self.sample_record = _DiffRecord(
                c.sample_record, self.sample_record, c.sample_row, self.sample_row)
            self.sample_row, self.sample_in_batch = 0, True

    @property
    def step_count(self):
        return self.run.step_count

    def value(self, key):
        kind, net = key[0], self.network
        if kind in ("w", "b"):
            v = net.weight(key[1], key[2]) if kind == "w" else net.bias(key[1])
            if self.diff and self.fits:  # main − run
                r = self.run.network
                v -= r.weight(key[1], key[2]) if kind == "w" else r.bias(key[1])
            return v
        if kind == "frozen":
            return bool(net.frozen[key[1]])
        lr, b, order = self.run.settings(self._c)
        if kind == "lr":
            return lr
        if kind == "batch":
            return b
        if kind == "order":
            return order
        return self._c.value(key)

    def neuron_name(self, j):
        name = self._c.neuron_name(j)
        return "Δ" + name if self.diff and self._c.network.layout.locate(j)[0] > 0 else name

    def label(self, key):
        text = self._c.label(key)
        return "Δ" + text if self.diff and key[0] in ("w", "b") else text

    def edit(self, key, text):
        self._c.message.emit("Not changed: the canvas shows a comparison run; choose the main "
                             "run in the Canvas box (Ctrl+Shift+V) to edit", True)
        return False

    def set_frozen(self, key, frozen):
        self.edit(key, frozen)


# -- the dialog ------------------------------------------------------------------------------------
class CompareDialog(QDialog):
    """Compare…: the settings of the new run, each starting at the main's; what differs is the
    run's change. A refused setting is named in red under the fields and nothing happens."""

    def __init__(self, comparison, parent=None):
        super().__init__(parent)
        self.setObjectName("compareDialog")
        self.setWindowTitle("Compare with a Changed Run")
        self.comparison = comparison
        c = comparison.controller
        net = c.network
        form = QFormLayout()
        self.lr_edit = QLineEdit(exact(c.lr), objectName="compareLr")
        describe(self.lr_edit, "Learning rate η of the new run", "η of the new run")
        form.addRow("&Learning rate η", self.lr_edit)
        self.init_box = QComboBox(objectName="compareInit")
        self.init_box.addItems([KEEP_WEIGHTS, *arch.INITS])
        describe(self.init_box, "Initialisation of the new run",
                 "Keep the lesson's weights, or initialise them again (seeded)")
        form.addRow("&Initialisation", self.init_box)
        self.seed_edit = QLineEdit(str(c.seed + 1), objectName="compareSeed")
        describe(self.seed_edit, "Seed of the new run's initialisation",
                 "The seed of the new weights (0 to 2^62); used when they are initialised again")
        form.addRow("&Seed", self.seed_edit)
        self.order_box = QComboBox(objectName="compareOrder")
        self.order_box.addItems(["simultaneous", "output_first"])
        self.order_box.setCurrentText(net.update_order)
        describe(self.order_box, "Update order of the new run",
                 "simultaneous: every δ from the weights before the update; output_first: "
                 "each layer updated before its δ is passed down")
        form.addRow("&Update order", self.order_box)
        self.act_boxes = []
        last = len(net.activations)
        for layer, act in enumerate(net.activations, start=1):
            box = QComboBox(objectName=f"compareActivation{layer}")
            names = [a for a in ACTIVATIONS if layer == last or a != "softmax"]
            box.addItems(names)
            box.setCurrentText(act)
            where = "outputs" if layer == last else f"hidden layer {layer}"
            describe(box, f"Activation of {where} in the new run",
                     f"The activation of {where} in the new run")
            form.addRow(f"Activation, {where}", box)
            self.act_boxes.append(box)
        b = c.batch_size
        self.batch_edit = QLineEdit("all" if b is None else str(b), objectName="compareBatch")
        describe(self.batch_edit, "Batch size of the new run",
                 f"Samples per step: 1 to {len(c.inputs)}, or all")
        form.addRow("&Batch size", self.batch_edit)
        self.preview = QLabel(objectName="comparePreview")
        self.preview.setWordWrap(True)
        self.error = QLabel(objectName="compareError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #C0392B")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Add Run")
        self.ok_button.setObjectName("compareAdd")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("A copy of the lesson, trained beside it step for step, with "
                                "these settings:", wordWrap=True))
        layout.addLayout(form)
        layout.addWidget(self.preview)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        for w in (self.lr_edit, self.seed_edit, self.batch_edit):
            w.textChanged.connect(self._update_preview)
        for w in (self.init_box, self.order_box, *self.act_boxes):
            w.currentTextChanged.connect(self._update_preview)
        self._update_preview()

    def change(self):
        """The change the fields describe (not yet checked against the network)."""
        change = {"lr": parse_number(self.lr_edit.text())}
        if self.init_box.currentText() != KEEP_WEIGHTS:
            seed = parse_number(self.seed_edit.text())
            if seed != int(seed):
                raise ValueError("the seed must be a whole number")
            change["seed"], change["init"] = int(seed), self.init_box.currentText()
        change["update_order"] = self.order_box.currentText()
        change["activations"] = [b.currentText() for b in self.act_boxes]
        text = self.batch_edit.text().strip().lower()
        if text in ("", "all"):
            change["batch_size"] = None
        else:
            n = parse_number(text)
            if n != int(n):
                raise ValueError("the batch size must be a whole number")
            change["batch_size"] = int(n)
        return self.comparison.checked(change)

    def _update_preview(self, *_):
        self.seed_edit.setEnabled(self.init_box.currentText() != KEEP_WEIGHTS)
        try:
            change = self.change()
            self.preview.setText(f"New run: {variants.describe(change)}" if change else
                                 "Change at least one setting.")
            self.error.setText("")
        except ValueError as e:
            self.preview.setText("")
            self.error.setText(str(e))

    def accept(self):
        try:
            change = self.change()
            if not change:
                raise ValueError("change at least one setting: the new run would be the same "
                                 "as the lesson")
        except ValueError as e:
            self.error.setText(str(e))
            return
        if self.comparison.add_run(change):
            super().accept()
        else:
            self.error.setText(self.comparison.last_refusal)


# -- the feature -----------------------------------------------------------------------------------
class Comparison(QObject):
    """The comparison runs of one window (``window.comparison``)."""

    runsChanged = Signal()   # a run added, removed, promoted or made again: lists rebuild
    runsStepped = Signal()   # the runs' numbers changed: plots and canvas redraw

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        c = self.controller = window.controller
        self.runs: list[Run] = []
        self.shown = (MAIN,)   # the canvas: (MAIN,), ("run", run) or ("diff", run)
        self.source = None     # the CanvasSource the canvas reads, when not the main
        self._concealed = None  # the canvas's own concealed flag while it shows a difference
        self.last_refusal = ""
        self.dialog = None
        self.caption = QLabel(window.view, objectName="runCaption")
        self.caption.setAccessibleName("Run shown on the canvas")
        self.caption.hide()
        self._lesson = None
        self._load_runs()
        self._last = self._snapshot()
        c.undo_stack.indexChanged.connect(self._index_changed)
        c.structureChanged.connect(self._structure_changed)
        c.historyChanged.connect(self._follow)
        c.timelineChanged.connect(self._follow_view)
        c.changed.connect(self._follow_view)
        c.lesson_hooks.append(self._add_to_lesson)
        self._make_actions()
        self.loss_overlay = LossOverlay(window.loss_plot, self)
        self.param_overlay = ParameterOverlay(window.weight_plot, self)
        self.runsChanged.connect(self._update_selector)
        self.runsChanged.connect(self.runsStepped)
        self.runsChanged.connect(self._rebuild_canvas)
        self.runsStepped.connect(self._refresh_canvas)
        self._update_selector()

    # -- runs ------------------------------------------------------------------------------------
    def _n_train(self):
        return len(self.controller.inputs)

    def checked(self, change):
        """``change`` checked against the main lesson and normalised (ValueError otherwise)."""
        c = self.controller
        return variants.check_change(change, c.network, self._n_train(), c.init, c.seed,
                                     c.lr, c.batch_size)

    def _free_colour(self):
        used = {r.colour for r in self.runs}
        return next(i for i in range(len(RUN_COLORS)) if i not in used)

    def _make_run(self, name, change, colour):
        c = self.controller
        # does it still fit? (a batch size beyond the samples is the whole set: run_settings)
        variants.check_change({k: v for k, v in change.items() if k != "batch_size"},
                              c.network, self._n_train(), c.init, c.seed)
        net = variants.apply_change(c.network, change, c.init_a)
        return Run(name, change, net, c.step_count, c.seed, colour)

    def _refuse(self, text):
        self.last_refusal = text
        self.controller.message.emit(text, True)
        return False

    def add_run(self, change, name=None):
        """A new run of the lesson as it is now with ``change``: one undo command. A running
        training goes on with the new run beside it. False (said, nothing changed) for a change
        that does not fit, or a fifth run."""
        c = self.controller
        self._to_latest()
        if len(self.runs) >= variants.MAX_RUNS - 1:
            return self._refuse(f"Not added: at most {variants.MAX_RUNS} runs (the lesson and "
                                f"{variants.MAX_RUNS - 1} comparisons); remove one first")
        try:
            change = self.checked(change)
            if not change:
                raise ValueError("the run would be the same as the lesson; change a setting")
            run = self._make_run(name or variants.describe(change), change, self._free_colour())
        except ValueError as e:
            return self._refuse(f"Not added: {e}")
        trainer = c.trainer
        resume = None
        if c.training:  # the run so far is one command, the new run another; training goes on
            left = None if trainer.total is None else trainer.total - trainer.done
            resume = (left, trainer.fast)
        c.pause()
        self.runs.append(run)
        c.undo_stack.push(RunsCommand(f"Compare: {run.name}"))
        self.runsChanged.emit()
        self.controller.message.emit(f"Comparing with “{run.name}”: it trains step for step "
                                     "with the lesson.", False)
        if resume is not None and (resume[0] is None or resume[0] > 0):
            c.start_training(resume[0], resume[1])
        return True

    def remove_run(self, run):
        """Remove ``run``: one undo command."""
        if run not in self.runs:
            return False
        self._to_latest()
        self.controller.pause()
        self.runs.remove(run)
        self.controller.undo_stack.push(RunsCommand(f"Remove run {run.name}"))
        self.runsChanged.emit()
        return True

    def promote(self, run):
        """Make ``run`` the main lesson (its network, parameters, history, η and batch size):
        one undo command; the run leaves the list, the others stay."""
        c = self.controller
        if run not in self.runs:
            return False
        self._to_latest()
        c._settle()
        lr, b, order = run.settings(c)
        before = c._structure()
        lr_before = c.lr
        net = run.network.copy()
        net.update_order = order
        history = copy.deepcopy(run.history)
        self.runs.remove(run)
        c.lr = lr
        after = Structure(net, c._data(), history, history.mark(), run.step_count, b, c.seed)
        c._apply_structure(after)
        c.undo_stack.push(PromoteCommand(c, before, after, lr_before, lr,
                                         f"Promote run {run.name}"))
        self.runsChanged.emit()
        c.message.emit(f"“{run.name}” is now the lesson.", False)
        return True

    # -- following the main run ------------------------------------------------------------------
    def _snapshot(self):
        """The runs as an undo command keeps them. A run that has not changed since the last
        snapshot shares its arrays with it (an edit of the lesson costs the runs nothing)."""
        last = {s.run: s for s in getattr(self, "_last", ())}
        out = []
        for r in self.runs:
            s = last.get(r)
            if not (s is not None and s.network is r.network and s.history is r.history
                    and s.timeline is r.timeline
                    and s.timeline_mark.last is r.timeline.mark().last  # a new one per step
                    and (s.step_count, s.stopped, s.base_seed) == (r.step_count, r.stopped,
                                                                     r.base_seed)
                    and s.history.n_steps == r.history.n_steps
                    and np.array_equal(s.theta, r.network.theta)
                    and np.array_equal(s.frozen, r.network.frozen)):
                s = RunState(r, r.network, r.network.theta.copy(), r.network.frozen.copy(),
                             r.history, r.history.mark(), r.timeline, r.timeline.mark(),
                             r.step_count, r.stopped, r.base_seed)
            out.append(s)
        return tuple(out)

    def _restore(self, snap):
        old = list(self.runs)
        self.runs = [s.run for s in snap]
        for s in snap:
            r = s.run
            r.network = s.network
            r.network.restore((s.theta, s.frozen))
            r.history = s.history
            r.history.restore(s.mark)
            r.timeline = s.timeline
            r.timeline.restore(s.timeline_mark)
            r.step_count, r.stopped, r.base_seed = s.step_count, s.stopped, s.base_seed
        if old != self.runs:
            self.runsChanged.emit()
        else:
            self.runsStepped.emit()

    def _index_changed(self, index):
        if not shiboken6.isValid(self.controller.undo_stack):  # the window is going away
            return
        self._unview()  # commands see (and keep) the runs' latest state
        try:
            self._command_done(index)
        finally:
            self._follow_view()

    def _command_done(self, index):
        c, stack = self.controller, self.controller.undo_stack
        if c.lesson is not self._lesson:
            self._load_runs()
            self._last = self._snapshot()
            self.runsChanged.emit()
            return
        if stack.count() == 0:
            self._last = self._snapshot()
            return
        top = stack.command(index - 1) if index > 0 else None
        if top is not None and not hasattr(top, "_runs_after"):  # a new command
            try:
                top._runs_before = self._last
            except AttributeError:  # a command made in C++ (none here): nothing to keep
                pass
            self.sync()
            self._last = self._snapshot()
            try:
                top._runs_after = self._last
            except AttributeError:
                pass
            return
        snap = top._runs_after if top is not None else getattr(stack.command(0), "_runs_before",
                                                               None)
        if snap is not None:
            self._restore(snap)
            self._last = snap

    def _follow(self, *_):
        """While a run is open (Train, Train N: every slice; ``run_steps``: every chunk), the
        runs take the same steps."""
        c = self.controller
        if self.runs and (c.training or c._run is not None):
            self.sync()

    def _structure_changed(self):
        if self.controller.lesson is not self._lesson:
            self._load_runs()
            self._last = self._snapshot()
            self.runsChanged.emit()

    def sync(self):
        """Bring every run to the main's step (the module's rules)."""
        if not self.runs:
            return
        c = self.controller
        remade = False
        for run in list(self.runs):
            net = run.network
            if self._roll_back(run):
                continue
            if (net.sizes != c.network.sizes or net.loss != c.network.loss
                    or list(net.activations) != variants.expected_activations(c.network,
                                                                              run.change)
                    or c.step_count < run.step_count or c.seed != run.base_seed):
                try:
                    new = self._make_run(run.name, run.change, run.colour)
                except ValueError as e:  # the change no longer fits (an activation, say)
                    self.runs.remove(run)  # Undo brings it back with the main's old network
                    c.message.emit(f"Run “{run.name}” removed: its change no longer fits the "
                                   f"network ({e}). Undo brings it back.", True)
                    remade = True
                    continue
                run.network, run.history, run.timeline = new.network, new.history, new.timeline
                run.step_count, run.stopped, run.base_seed = c.step_count, False, c.seed
                remade = True
            elif c.step_count > run.step_count and not run.stopped:
                self._advance(run, c.step_count - run.step_count)
        self.runsStepped.emit()
        if remade:
            self.runsChanged.emit()

    def _roll_back(self, run):
        """The lesson went back to an earlier step of the same run (Resume from here): the
        run goes back to its own state at that step, as its timeline replays it; True if so.
        A run that cannot (made later than that step, loaded from a file without its steps)
        is made again from the lesson instead (``sync``)."""
        c, net = self.controller, run.network
        k = c.step_count
        tl = run.timeline
        if not (k < run.step_count and c.seed == run.base_seed and net.sizes == c.network.sizes
                and tl.first_step is not None and tl.first_step <= k <= tl.last_step):
            return False
        try:
            mark = history_at(run.history, k, tl)
        except ValueError:
            return False
        np.copyto(net.theta, tl.state_at(k, with_last=False).theta)
        run.history.restore(mark)
        tl.truncate(k)
        run.step_count, run.stopped = k, False
        return True

    # -- a past step shown (the timeline) ----------------------------------------------------------
    def _follow_view(self, *_):
        """While the window shows a past step k, every run shows its own state at step k (or
        its last, if it stopped before): parameters and the next Step's record; back at the
        latest step, its latest state again. Nothing is changed for good: commands first
        return the runs to their latest state (``_unview``)."""
        k = self.controller.viewing
        viewed = False
        for run in self.runs:
            if k is None:
                viewed |= self._unview_run(run)
                continue
            if run.latest is None:
                run.latest = (run.network.theta.copy(), run.step_count)
            latest_step = run.latest[1]
            at = min(k, latest_step)
            tl = run.timeline
            if tl.first_step is not None and tl.first_step <= at <= tl.last_step:
                np.copyto(run.network.theta, tl.state_at(at, with_last=False).theta)
                run.step_count = at
            viewed = True
        if viewed:
            self.runsStepped.emit()

    def _to_latest(self):
        """Runs are added, removed and promoted at the latest step (the timeline's end)."""
        c = self.controller
        if c.viewing is not None:
            c.show_step(c.timeline_range()[1])

    @staticmethod
    def _unview_run(run):
        if run.latest is None:
            return False
        theta, run.step_count = run.latest
        np.copyto(run.network.theta, theta)
        run.latest = None
        return True

    def _unview(self):
        if any([self._unview_run(run) for run in self.runs]):
            self.runsStepped.emit()

    def _advance(self, run, k):
        c = self.controller
        lr, b, order = run.settings(c)
        net = run.network
        net.update_order = order
        net.frozen[:] = c.network.frozen
        run.timeline.begin(net, c.inputs, c.targets, lr, b, c.shuffle_seed, run.step_count)
        error = None
        while k > 0 and error is None:  # in chunks: the trajectory's memory stays bounded
            n = min(k, RUN_CHUNK)
            done, error = train_recorded(net, run.history, run.timeline, c.inputs, c.targets,
                                         lr, n, b, run.step_count, c.shuffle_seed)
            run.step_count += done
            k -= n
        if error is not None:
            run.stopped = True
            c.message.emit(f"Run “{run.name}” diverged at step {run.step_count + 1} (the loss "
                           "became NaN/Inf); it stays at its last finite state.", True)

    # -- files -----------------------------------------------------------------------------------
    def _load_runs(self):
        """The runs a newly loaded lesson brings (its file's ``runs``), or none."""
        c = self.controller
        self._lesson = c.lesson
        self.runs = []
        self._show((MAIN,))
        data = c.lesson.extra.get("runs")
        if data is None:
            return
        try:
            parsed = variants.check_runs(data, c.lesson, c.step_count)
        except ValueError as e:
            c.message.emit(f"The file's comparison runs were left out: {e}", True)
            return
        for colour, (name, change, theta, steps, stopped, history) in enumerate(parsed):
            run = self._make_run(name, change, colour)
            run.network.theta[:] = theta
            run.step_count = steps
            run.history = history or History(1 + run.network.n_params, start=steps)
            run.stopped = stopped
            self.runs.append(run)

    def _add_to_lesson(self, lesson):
        """Save the runs with the lesson (``Controller.to_lesson``)."""
        lesson.extra.pop("runs", None)
        if self.runs:
            files = getattr(self.window, "files", None)
            keep = files is None or files.save_history  # as the lesson's own history
            lesson.extra["runs"] = [variants.run_to_json(r.name, r.change, r.network.theta,
                                                         r.step_count, r.stopped,
                                                         r.history if keep else None)
                                    for r in self.runs]

    # -- the canvas ------------------------------------------------------------------------------
    def choices(self):
        """The canvas box's entries: (text, what) — the main run, each run, each difference."""
        out = [("Canvas: main", (MAIN,))]
        out += [(f"Canvas: {r.name}", ("run", r)) for r in self.runs]
        out += [(f"Canvas: Δ main − ({r.name})", ("diff", r)) for r in self.runs]
        return out

    def _update_selector(self):
        if self.shown != (MAIN,) and self.shown[1] not in self.runs:
            self._show((MAIN,))
        box = self.selector
        box.blockSignals(True)
        box.clear()
        for n, (text, what) in enumerate(self.choices()):
            box.addItem(text)
            if what[0] != MAIN:
                box.setItemData(n, run_color(what[1].colour), Qt.ItemDataRole.ForegroundRole)
            if what == self.shown:
                box.setCurrentIndex(n)
        box.setEnabled(bool(self.runs))
        box.blockSignals(False)
        for a in (self.actionPromote, self.actionRemove):
            a.setEnabled(self.shown[0] == "run")
        self.actionNext.setEnabled(bool(self.runs))
        self.actionCompare.setEnabled(len(self.runs) < variants.MAX_RUNS - 1)

    def _selected(self, index):
        choices = self.choices()
        if 0 <= index < len(choices):
            self._show(choices[index][1])
            self._update_selector()

    def show_next(self):
        """The canvas box's next entry (Ctrl+Shift+V), round."""
        choices = self.choices()
        n = [w for _, w in choices].index(self.shown) if self.shown in [
            w for _, w in choices] else 0
        self._selected((n + 1) % len(choices))

    def _show(self, what):
        view, c = self.window.view, self.controller
        self.shown = what
        if what[0] == MAIN:
            self.source = None
            new = c
        else:
            run = what[1]
            self.source = CanvasSource(c, run, diff=what[0] == "diff")
            new = self.source
        self._update_caption()
        if view.controller is not new:
            view.controller = new
            # a difference has no backward pass: its δ, Err and ∂L/∂θ are hidden meanwhile
            # and its tooltips say what was subtracted from what
            if what[0] == "diff" and self._concealed is None:
                self._concealed = view.concealed
                view.concealed = True
                view.update_tooltip = self._diff_tooltip
            elif what[0] != "diff" and self._concealed is not None:
                view.concealed, self._concealed = self._concealed, None
                del view.update_tooltip  # the view's own again
            view.rebuild()

    def _diff_tooltip(self, item):
        """A tooltip on the canvas of main − run: the two values and their difference."""
        source, c = self.source, self.controller
        if source is None or not source.diff:
            return
        d = self.window.view.decimals
        run, rec = source.run, source.sample_record
        if isinstance(item, NeuronItem):
            key, j = None, item.j
        elif isinstance(item, (ConnectionItem, ValueLabel)):
            key, j = item.key, None
        else:
            return
        if key is not None and key[0] in ("w", "b"):
            name = c.label(key)
            a, b = c.value(key), (run.network.weight(key[1], key[2]) if key[0] == "w"
                                  else run.network.bias(key[1]))
        elif key is None and c.network.layout.locate(j)[0] > 0:
            name = c.neuron_name(j)
            a, b = rec._main.out(j, rec._rows[0]), rec._run.out(j, rec._rows[1])
        elif key is None:
            item.setToolTip(texts.neuron_tooltip(c, j, d, backward=False))
            return
        elif key[0] == "x":
            item.setToolTip(texts.data_tooltip(c, key, d, backward=False))
            return
        else:
            item.setToolTip(f"Target ob{key[-1]} = {fmt(c.value(key), d)} (every run's)")
            return
        item.setToolTip(f"Δ{name} = {name} (main) − {name} ({run.name})\n"
                        f"= {fmt(a, d)} − {fmt(b, d)} = {fmt(a - b, d)}")

    def _update_caption(self):
        """The canvas says which run it shows, in the run's colour, when it is not the lesson."""
        what, cap = self.shown, self.caption
        if what[0] == MAIN:
            cap.hide()
            return
        run = what[1]
        text = (f"Run “{run.name}” (read-only)" if what[0] == "run" else
                f"Δ = main − run “{run.name}”")
        colour = run_color(run.colour).name()
        cap.setText(text)
        cap.setStyleSheet(f"QLabel {{ border: 2px solid {colour}; border-radius: 3px; "
                          f"padding: 1px 6px; background: palette(base); color: palette(text); }}")
        cap.adjustSize()
        cap.move(6, 6)
        cap.show()
        cap.raise_()

    def _rebuild_canvas(self):
        """A run made again (a new shape) needs new items on the canvas."""
        if self.source is not None:
            self.source.refresh()
            self.window.view.rebuild()

    def _refresh_canvas(self):
        if self.source is not None:
            self.source.refresh()
            self.window.view.refresh()

    # -- actions ---------------------------------------------------------------------------------
    def _make_actions(self):
        w = self.window
        self.actionCompare = w.add_action(
            "actionCompare", "Compare…", "Ctrl+Shift+C", self.ask,
            "Train a copy of the lesson with other settings beside it (up to 4 runs)")
        self.actionNext = w.add_action(
            "actionShowNextRun", "Show Next Run on Canvas", "Ctrl+Shift+V", self.show_next,
            "The canvas shows the next run, or the difference main − run")
        self.actionPromote = w.add_action(
            "actionPromoteRun", "Promote Shown Run", "Ctrl+Shift+P", self._promote_shown,
            "Make the run shown on the canvas the lesson (undoable)")
        self.actionRemove = w.add_action(
            "actionRemoveRun", "Remove Shown Run", "Ctrl+Shift+X", self._remove_shown,
            "Remove the run shown on the canvas (undoable)")
        self.export_actions = {}
        for kind, text, shortcut in (("png", "Compared Loss as PNG…", "Ctrl+Alt+9"),
                                     ("svg", "Compared Loss as SVG…", "Ctrl+Alt+0"),
                                     ("csv", "Compared Loss as CSV…", "Ctrl+Alt+C")):
            self.export_actions[kind] = w.add_action(
                f"actionExportComparedLoss{kind.capitalize()}", text, shortcut,
                lambda k=kind: self.export(k),
                "The loss of every run (one curve, or CSV column, per run)")
        self.selector = QComboBox(objectName="runSelector")
        self.selector.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.selector.setMaximumWidth(240)
        self.selector.activated.connect(self._selected)

        menu = QMenu("&Compare", w)
        menu.setObjectName("menuCompare")
        for a in (self.actionCompare, self.actionNext, self.actionPromote, self.actionRemove):
            menu.addAction(a)
        menu.addSeparator()
        for a in self.export_actions.values():
            menu.addAction(a)
        bar = w.menuBar()
        view_menu = next((a for a in bar.actions() if a.text() == "&View"), None)
        bar.insertMenu(view_menu, menu) if view_menu is not None else bar.addMenu(menu)
        self.menu = menu
        tb = QToolBar("Compare", objectName="compareToolBar")
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        tb.addAction(self.actionCompare)
        tb.addWidget(self.selector)
        w.addToolBar(tb)
        keyboard.name_toolbar(tb)
        describe(self.selector, "Run shown on the canvas",
                 "The run the canvas shows, or the difference main − run on every weight and "
                 "bias (Ctrl+Shift+V: the next one)")
        self.toolbar = tb

    def ask(self):
        """Compare…: the dialog for the new run's settings (window-modal, not blocking)."""
        if len(self.runs) >= variants.MAX_RUNS - 1:
            self._refuse(f"Not added: at most {variants.MAX_RUNS} runs (the lesson and "
                         f"{variants.MAX_RUNS - 1} comparisons); remove one first")
            return
        if self.dialog is not None:
            self.dialog.setObjectName("")  # findChild finds the new one
            self.dialog.deleteLater()
        self.dialog = CompareDialog(self, self.window)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.open()

    def _promote_shown(self):
        if self.shown[0] == "run":
            self.promote(self.shown[1])

    def _remove_shown(self):
        if self.shown[0] == "run":
            self.remove_run(self.shown[1])

    # -- export ----------------------------------------------------------------------------------
    def curve_names(self):
        """Loss curve → column name: "L (main)", "L (η = 1.0)" …"""
        names = {self.window.loss_plot.curve: "L (main)"}
        for run, curve in zip(self.runs, self.loss_overlay.curves):
            names[curve] = f"L ({run.name})"
        return names

    def export(self, kind, path=None):
        """The compared loss curves: "png" and "svg" (the loss plot with its legend), "csv"
        (one column per run: ``exports.compared_loss_csv``). True when written."""
        w = self.window
        files = w.files
        suffix = "." + kind
        stem = os.path.splitext(files.document_name())[0]

        def write(path):
            w.loss_plot.refresh()
            self.loss_overlay.update()
            if kind == "png":
                exports.export_plot_png(w.loss_plot.plot, path)
            elif kind == "svg":
                exports.export_plot_svg(w.loss_plot.plot, path)
            else:
                histories = {"main": self.controller.history}
                histories.update((r.name, r.history) for r in self.runs)
                exports.export_compared_loss_csv(histories, path)
        return files.export_with(write, path, "Export Compared Loss",
                                 f"{_slug(stem)}-compared-loss{suffix}",
                                 f"{kind.upper()} files (*{suffix})", suffix)


# -- the plots -------------------------------------------------------------------------------------
def style_legend(legend):
    """A legend in the active look: the plots' text colour on their background, a little
    see-through, framed."""
    look = plots._look
    fill = pg.mkColor(look.background)
    fill.setAlpha(215)
    legend.setBrush(pg.mkBrush(fill))
    legend.setPen(pg.mkPen(look.foreground, width=0.5))
    legend.setLabelTextColor(look.foreground)


class _Overlay(QObject):
    """The runs' curves over one of the window's step plots, with a legend: rebuilt when the
    runs change, redrawn (throttled like the plot) when they step."""

    def __init__(self, step_plot, comparison):
        super().__init__(step_plot)
        self.plot, self.comparison = step_plot, comparison
        item = step_plot.plot.getPlotItem()
        self.legend = item.addLegend(offset=(-2, 2), labelTextSize=f"{plots.FONT_PT - 1}pt",
                                     verSpacing=-8, horSpacing=6)
        self.curves = []
        self._throttle = plots.Throttle(self.update, plots.REFRESH_MS, self)
        comparison.runsChanged.connect(self.rebuild)
        comparison.runsStepped.connect(self._throttle.request)
        step_plot.logStepsChanged.connect(lambda *_: self.update())

    def _clear(self):
        """No run curves and an empty legend, in the current look; the plot's PlotItem."""
        self._look = plots._look  # a theme change restyles at the next redraw
        item = self.plot.plot.getPlotItem()
        for curve in self.curves:
            item.removeItem(curve)
        self.legend.clear()
        style_legend(self.legend)
        self.curves = []
        return item


class LossOverlay(_Overlay):
    """Every run's loss on the loss plot, in its colour, with a legend naming its change."""

    def __init__(self, loss_plot, comparison):
        super().__init__(loss_plot, comparison)
        loss_plot.logScaleChanged.connect(lambda *_: self.update())
        self.rebuild()

    def rebuild(self):
        item = self._clear()
        runs = self.comparison.runs
        if runs:
            self.legend.addItem(self.plot.curve, "main")
        for run in runs:
            curve = item.plot()
            plots.style_curve(curve, pg.mkPen(run_color(run.colour), width=RUN_LINE_WIDTH))
            curve.setZValue(-1)  # the main run's curve stays on top
            self.legend.addItem(curve, run.name)
            self.curves.append(curve)
        self.legend.setColumnCount(2 if len(runs) > 1 else 1)  # two short rows, not four
        self.legend.setVisible(bool(runs))
        self.update()

    def update(self):
        if plots._look is not self._look:
            self.rebuild()
            return
        p = self.plot
        for run, curve in zip(self.comparison.runs, self.curves):
            x, y = plots.history_points(run.history, 0, x_offset=float(p.log_steps),
                                        max_points=p.max_points(), log_x=p.log_steps)
            plots.set_curve(curve, x, y, log=p.log_scale)


class ParameterOverlay(_Overlay):
    """Every run's curve of the selected weight or bias on the parameter plot."""

    def __init__(self, weight_plot, comparison):
        super().__init__(weight_plot, comparison)
        comparison.controller.selectionChanged.connect(lambda *_: self.rebuild())
        comparison.controller.structureChanged.connect(self.rebuild)
        self.rebuild()

    def _index(self):
        p = self.plot
        return p.selected

    def rebuild(self):
        item = self._clear()
        index = self._index()
        runs = self.comparison.runs
        if runs and index is not None and index < len(self.plot.curves):
            label = self.comparison.controller.network.labels[index]
            self.legend.addItem(self.plot.curves[index], f"{label}: main")
            for run in runs:
                curve = item.plot()
                # dotted: the main's curve of this parameter may have a run's colour
                plots.style_curve(curve, pg.mkPen(run_color(run.colour), width=RUN_LINE_WIDTH,
                                                  style=Qt.PenStyle.DotLine))
                curve.setZValue(plots.Z_SELECTED - 1)
                self.legend.addItem(curve, run.name)
                self.curves.append(curve)
        self.legend.setColumnCount(2 if len(self.curves) > 1 else 1)
        self.legend.setVisible(bool(self.curves))
        self.update()

    def update(self):
        if plots._look is not self._look:
            self.rebuild()
            return
        index = self._index()
        if index is None:
            return
        for run, curve in zip(self.comparison.runs, self.curves):
            if 1 + index >= run.history.n_columns:
                continue
            x, y = plots.history_points(run.history, 1 + index, x_offset=1.0,
                                        max_points=self.plot.max_points(),
                                        log_x=self.plot.log_steps)
            plots.set_curve(curve, x, y)


def install(window):
    """Add Compare… and the runs' views to ``window``: ``window.comparison``."""
    window.comparison = Comparison(window)
    return window.comparison
