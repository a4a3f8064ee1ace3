"""The controller: owns the network, the lesson's data, the history and the undo stack.

Views never write engine arrays: they call the request methods here (``step``, ``edit``,
``start_training`` …) and listen to the signals. Element keys name what can be selected or edited:
("w", i, j) a weight, ("b", j) a bias, ("x", sample, j) an input, ("ob", sample, k) a target,
("lr",) η, ("batch",) the batch size, ("frozen", index) a parameter's frozen flag,
("order",) the update order ("simultaneous" or "output_first").
"""
from __future__ import annotations

import math
import time

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack

from engine import UPDATE_ORDERS, DivergenceError, Network
from engine.lesson import Lesson, load_preset

from .commands import EditCommand, StateCommand
from .history import History

#: training speeds offered, in steps per second; None is "as fast as the frame budget allows"
SPEEDS = (1, 3, 10, 30, 100, 1000, 10000, None)
FRAME_MS = 16  # at a set speed, one training slice per frame; the window repaints in between
SLICE_BUDGET_S = 0.016  # at full speed, training time per slice; slices run back to back
#                         whenever the event loop is idle, so repaints and clicks come between


def parse_number(text):
    """A finite float from what a user typed; ValueError with a message a student can read."""
    t = str(text).strip().replace("−", "-")  # the minus sign the app itself prints
    try:
        v = float(t)
    except ValueError:
        raise ValueError(f"“{text}” is not a number") from None
    if not math.isfinite(v):
        raise ValueError(f"“{text}” is not a finite number")
    return v


class Controller(QObject):
    changed = Signal()                  # any value changed: views refresh their numbers
    structureChanged = Signal()         # a different network: views rebuild
    stepped = Signal(object)            # the StepRecord of a Step just taken
    historyChanged = Signal()           # steps appended or removed: plots refresh
    trainingStateChanged = Signal(bool)  # training running?
    progressChanged = Signal(int, int)  # Train N: (done, total); (0, 0) when over
    selectionChanged = Signal(object)   # element key or None
    message = Signal(str, bool)         # (text, is_error)
    speedChanged = Signal(int)          # index into SPEEDS

    def __init__(self, lesson: Lesson | None = None, parent=None):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(2000)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self._train_slice)
        self.set_speed(len(SPEEDS) - 1)  # also sets the timer's interval
        self.selection = None
        self.steps_per_second = 0.0  # measured while training
        self._run = None  # the open training run: (state before, settings) until it is pushed
        self._target_steps = None  # Train N: stop after this many steps of the run
        self._carry = 0.0  # fractional steps owed at slow speeds
        self._time_per_step = 1e-4  # measured by each slice; sizes the next one at full speed
        self.load_lesson(lesson or load_preset("notes_linear"))

    # -- the lesson -----------------------------------------------------------------------------
    def load_lesson(self, lesson: Lesson, history: History | None = None, step_count=0):
        """Replace everything with ``lesson`` (and, from a saved file, its ``history`` and
        ``step_count``); the undo stack starts afresh and is clean (nothing unsaved)."""
        self.pause()
        self.lesson = lesson
        self.network: Network = lesson.network
        self.inputs = np.array(lesson.inputs, dtype=np.float64)
        self.targets = np.array(lesson.targets, dtype=np.float64)
        self.lr = float(lesson.lr)
        self.batch_size = lesson.batch_size
        self.seed = lesson.seed
        self.sample = 0  # the sample whose values the canvas shows
        self.step_count = int(step_count)
        if history is not None and history.n_columns != 1 + self.network.n_params:
            raise ValueError(f"the history has {history.n_columns} columns; this network needs "
                             f"{1 + self.network.n_params}")
        self.history = history if history is not None else History(1 + self.network.n_params)
        self.last_step = None
        self.initial = self._capture(with_history=False)
        self.undo_stack.clear()
        self.selection = None
        self._refresh_record()
        self.structureChanged.emit()
        self.changed.emit()
        self.historyChanged.emit()
        self.selectionChanged.emit(None)

    def to_lesson(self) -> Lesson:
        """The current state as a Lesson (an independent copy), e.g. to save it."""
        return Lesson(self.network.copy(), self.inputs.copy(), self.targets.copy(), self.lr,
                      self.batch_size, self.seed, self.lesson.name, self.lesson.description,
                      dict(self.lesson.extra))

    @property
    def training(self):
        return self.timer.isActive()

    # -- reading values ---------------------------------------------------------------------------
    def value(self, key):
        kind = key[0]
        if kind == "w":
            return self.network.weight(key[1], key[2])
        if kind == "b":
            return self.network.bias(key[1])
        if kind == "x":
            return float(self.inputs[key[1], self.network.layout.locate(key[2])[1]])
        if kind == "ob":
            return float(self.targets[key[1], self.network.layout.locate(key[2])[1]])
        if kind == "lr":
            return self.lr
        if kind == "batch":
            return self.batch_size
        if kind == "frozen":
            return bool(self.network.frozen[key[1]])
        if kind == "order":
            return self.network.update_order
        raise ValueError(f"unknown element {key!r}")

    def param_index(self, key):
        """Index into the flat parameter vector of a ("w", i, j) or ("b", j) key."""
        lay = self.network.layout
        return lay.weight_index(key[1], key[2]) if key[0] == "w" else lay.bias_index(key[1])

    def key_of_param(self, index):
        p = self.network.parameters()[index]
        return ("w", p.i, p.j) if p.kind == "w" else ("b", p.j)

    def batch_for_step(self, step):
        """(x, ob) that step number ``step`` trains on."""
        idx = Network.batch_indices(len(self.inputs), self.batch_size, step)
        return self.inputs[idx], self.targets[idx]

    # -- editing -----------------------------------------------------------------------------------
    def edit(self, key, text_or_value):
        """Set an element from typed text (or a number); refuse anything else with a message.

        Returns True when the value was accepted. An unchanged value pushes no undo command.
        """
        try:
            new = self._validated(key, text_or_value)
        except ValueError as e:
            self.message.emit(f"Not changed: {e}", True)
            return False
        old = self.value(key)
        if new == old and type(new) is type(old):
            return True
        self._close_run()
        self.undo_stack.push(EditCommand(self, key, old, new, f"Set {self.label(key)} = {new}"))
        return True

    def set_frozen(self, key, frozen):
        """Freeze or unfreeze the parameter ``key`` (a weight or bias key)."""
        self.edit(("frozen", self.param_index(key)), bool(frozen))

    def _validated(self, key, value):
        if key[0] == "frozen":
            return bool(value)
        if key[0] == "order":
            if value not in UPDATE_ORDERS:
                raise ValueError(f"the update order must be one of {', '.join(UPDATE_ORDERS)}")
            return value
        if key[0] == "batch":
            if value in (None, "", "all"):
                return None
            n = parse_number(value)
            if n != int(n) or not 1 <= n <= len(self.inputs):
                raise ValueError(f"batch size must be a whole number from 1 to {len(self.inputs)}")
            return None if int(n) == len(self.inputs) else int(n)
        v = parse_number(value) if isinstance(value, str) else float(value)
        if not math.isfinite(v):
            raise ValueError(f"{v} is not a finite number")
        if key[0] == "lr" and v <= 0:
            raise ValueError("the learning rate η must be greater than 0")
        self.value(key)  # raises for an element that does not exist
        return v

    def label(self, key):
        """How the notes write an element: w35, b3, x1, ob5, η."""
        kind = key[0]
        if kind in ("w", "b"):
            return self.network.parameters()[self.param_index(key)].label
        if kind == "x":
            return f"x{key[2]}" + (f" (sample {key[1] + 1})" if len(self.inputs) > 1 else "")
        if kind == "ob":
            return f"ob{key[2]}" + (f" (sample {key[1] + 1})" if len(self.inputs) > 1 else "")
        if kind == "frozen":
            return f"frozen {self.network.labels[key[1]]}"
        return {"lr": "η", "batch": "batch size", "order": "update order"}.get(kind, str(key))

    def _set(self, key, value):
        """Apply a value without undo bookkeeping (the commands call this)."""
        kind = key[0]
        if kind == "w":
            self.network.set_weight(key[1], key[2], value)
        elif kind == "b":
            self.network.set_bias(key[1], value)
        elif kind == "x":
            self.inputs[key[1], self.network.layout.locate(key[2])[1]] = value
        elif kind == "ob":
            self.targets[key[1], self.network.layout.locate(key[2])[1]] = value
        elif kind == "lr":
            self.lr = value
        elif kind == "batch":
            self.batch_size = value
        elif kind == "frozen":
            self.network.frozen[key[1]] = value
        elif kind == "order":
            self.network.update_order = value
        self.last_step = None
        self._refresh_record()
        self.changed.emit()

    # -- selection ----------------------------------------------------------------------------------
    def select(self, key):
        if key != self.selection:
            self.selection = key
            self.selectionChanged.emit(key)

    def set_sample(self, sample):
        self.sample = int(np.clip(sample, 0, len(self.inputs) - 1))
        self._refresh_record()
        self.changed.emit()

    # -- states for undo ------------------------------------------------------------------------
    def _capture(self, with_history=False):
        return {
            "theta": self.network.theta.copy(), "frozen": self.network.frozen.copy(),
            "inputs": self.inputs.copy(), "targets": self.targets.copy(), "lr": self.lr,
            "batch_size": self.batch_size, "step_count": self.step_count,
            "order": self.network.update_order,
            "n_steps": self.history.n_steps, "last_step": self.last_step,
            "history": self.history.copy() if with_history else None,
        }

    def _restore(self, state, record=None):
        self.network.restore((state["theta"], state["frozen"]))
        self.inputs = state["inputs"].copy()
        self.targets = state["targets"].copy()
        self.lr, self.batch_size = state["lr"], state["batch_size"]
        self.network.update_order = state["order"]
        self.step_count = state["step_count"]
        if state["history"] is not None:
            self.history = state["history"].copy()
        else:
            self.history.truncate(state["n_steps"])
        self.last_step = record if record is not None else state["last_step"]
        self._refresh_record()
        self.changed.emit()
        self.historyChanged.emit()

    # -- Step ------------------------------------------------------------------------------------
    def step(self):
        """One forward pass, one backward pass, one update: undoable."""
        if self.training:
            self.pause()
        x, t = self.batch_for_step(self.step_count)
        before = self._capture()
        try:
            rec = self.network.step(x, t, self.lr)
        except DivergenceError as e:
            self.message.emit(f"Step refused: {e}. Try a smaller η.", True)
            return None
        row = np.concatenate(([rec.loss], self.network.theta))
        self.history.append(row[None])
        self.step_count += 1
        self.last_step = rec
        self._refresh_record()
        after = self._capture()
        self.undo_stack.push(StateCommand(self, before, after, f"Step {self.step_count}",
                                          replay=lambda: self.history.append(row[None]),
                                          record=rec))
        self.stepped.emit(rec)
        self.changed.emit()
        self.historyChanged.emit()
        return rec

    def _refresh_record(self):
        """``record``: what the canvas shows — the last Step's record right after a Step, else
        the record of the step the current parameters would take (nothing is changed).
        ``record_sample`` is the shown sample's row in that record's batch."""
        shown_step = self.step_count - (self.last_step is not None)
        idx = Network.batch_indices(len(self.inputs), self.batch_size, shown_step)
        hit = np.flatnonzero(idx == self.sample)
        self.record_sample = int(hit[0]) if len(hit) else 0
        if self.last_step is not None:
            self.record = self.last_step
        else:
            self.record = self.network.step(self.inputs[idx], self.targets[idx], self.lr,
                                            apply=False)

    # -- training -----------------------------------------------------------------------------------
    def set_speed(self, index):
        self.speed_index = int(np.clip(index, 0, len(SPEEDS) - 1))
        self.timer.setInterval(0 if SPEEDS[self.speed_index] is None else FRAME_MS)
        self.speedChanged.emit(self.speed_index)

    def start_training(self, steps=None):
        """Train until paused, or for ``steps`` steps (Train N, with progress)."""
        if self._run is not None:
            return
        self.last_step = None
        self._run = {"before": self._capture(), "lr": self.lr, "batch": self.batch_size,
                     "inputs": self.inputs.copy(), "targets": self.targets.copy(), "steps": 0}
        self._target_steps = steps
        self._carry = 0.0
        self._speed_clock = (time.perf_counter(), self.step_count)
        self.timer.start()
        self.trainingStateChanged.emit(True)
        if steps:
            self.progressChanged.emit(0, steps)

    def pause(self):
        if self._run is None:
            return
        self.timer.stop()
        self._close_run()
        self._target_steps = None
        self.progressChanged.emit(0, 0)
        self._refresh_record()
        self.trainingStateChanged.emit(False)
        self.changed.emit()

    def toggle_training(self):
        if self.training:
            self.pause()
        else:
            self.start_training()

    def _steps_this_slice(self):
        speed = SPEEDS[self.speed_index]
        if speed is None:
            k = max(1, int(SLICE_BUDGET_S / self._time_per_step))
        else:
            self._carry += speed * FRAME_MS / 1000
            k = int(self._carry)
            self._carry -= k
        if self._target_steps is not None:
            k = min(k, self._target_steps - self._run["steps"])
        return k

    def _train_slice(self):
        k = self._steps_this_slice()
        if k > 0:
            self._advance(k)

    def _advance(self, k):
        """Train k steps of the open run, record them, and stop where Train N or divergence
        says so."""
        run = self._run
        params = np.empty((k, self.network.n_params))
        t0 = time.perf_counter()
        try:
            losses = self.network.train(self.inputs, self.targets, self.lr, k, self.batch_size,
                                        params_out=params, start=self.step_count)
            error = None
        except DivergenceError as e:
            losses, error = e.losses, e
        done = len(losses)
        self._time_per_step = max((time.perf_counter() - t0) / max(done, 1), 1e-7)
        if done:
            self.history.append(np.column_stack((losses, params[:done])))
            self.step_count += done
            run["steps"] += done
        now = time.perf_counter()
        t_start, s_start = self._speed_clock
        if now - t_start > 0.25:
            self.steps_per_second = (self.step_count - s_start) / (now - t_start)
            self._speed_clock = (now, self.step_count)
        if self._target_steps is not None:
            self.progressChanged.emit(run["steps"], self._target_steps)
        self.historyChanged.emit()
        if error is not None:
            self.pause()
            self.message.emit(
                f"Training stopped at step {self.step_count + 1}: with η = {self.lr:g} the "
                "loss became NaN/Inf (diverged). The last finite state is kept; "
                "lower η and train again.", True)
        elif self._target_steps is not None and run["steps"] >= self._target_steps:
            self.pause()
        else:
            self._refresh_record()
            self.changed.emit()

    def run_steps(self, n):
        """Train n steps now, without the timer (for the command line); one undoable run."""
        if n <= 0:
            return
        self.start_training(n)
        self.timer.stop()
        while self._run is not None:  # _advance pauses, closing the run, at n or on divergence
            self._advance(min(n - self._run["steps"], 10_000))

    def _close_run(self):
        """Push the open training run as one undoable command."""
        run, self._run = self._run, None
        if not run or not run["steps"]:
            return
        net = self.network

        def replay():
            params = np.empty((run["steps"], net.n_params))
            start = run["before"]["step_count"]
            losses = net.train(run["inputs"], run["targets"], run["lr"], run["steps"],
                               run["batch"], params_out=params, start=start)
            self.history.append(np.column_stack((losses, params)))

        self.undo_stack.push(StateCommand(self, run["before"], self._capture(),
                                          f"Train {run['steps']} steps", replay=replay))

    # -- whole-state actions ------------------------------------------------------------------
    def _push_state_change(self, text, change):
        """Run ``change()`` (which edits state and clears the history) as one undoable command."""
        self.pause()
        before = self._capture(with_history=True)
        change()
        self.last_step = None
        self._refresh_record()
        after = self._capture(with_history=True)
        self.undo_stack.push(StateCommand(self, before, after, text))
        self.changed.emit()
        self.historyChanged.emit()

    def reset(self):
        """Back to the lesson's initial values; the history starts again."""
        def change():
            self.network.restore((self.initial["theta"], self.initial["frozen"]))
            self.inputs = self.initial["inputs"].copy()
            self.targets = self.initial["targets"].copy()
            self.lr, self.batch_size = self.initial["lr"], self.initial["batch_size"]
            self.network.update_order = self.initial["order"]
            self.step_count = 0
            self.history.clear()
        self._push_state_change("Reset", change)

    def randomize(self, seed=None):
        """New random weights (seeded; the seed advances each time); the history starts again."""
        def change():
            self.seed = self.seed + 1 if seed is None else int(seed)
            self.network.randomize(self.seed)
            self.step_count = 0
            self.history.clear()
        self._push_state_change(f"Randomize (seed {self.seed + 1 if seed is None else seed})",
                                change)
