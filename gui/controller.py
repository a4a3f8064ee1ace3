"""The controller: owns the network, the lesson's data, the history, the undo stack, the training
state machine and the phase walk.

Views never write engine arrays: they call the request methods here (``step``, ``edit``,
``start_training``, ``undo`` …) and listen to the signals. Element keys name what can be selected
or edited: ("w", i, j) a weight, ("b", j) a bias, ("x", sample, j) an input, ("ob", sample, k) a
target, ("lr",) η, ("batch",) the batch size, ("frozen", index) a parameter's frozen flag,
("order",) the update order ("simultaneous" or "output_first").

**The display contract.** Between requests, everything a view shows belongs to one state: the
parameters, the forward pass of the shown sample through them, L at them and Err, δ and ∂L/∂w at
them — ``record``, the next Step's record at the current parameters (nothing applied). What the
last Step changed is available beside it, as ``last_step`` (its record: values before it), for
views that label it as such. During a phase walk, ``reveal()`` says which of those numbers have
been computed so far.

**Requests and training.** Every request that changes the model first ends what is in progress
(``_settle``): a training run becomes one undo command, a phase walk ends. Edits are the
exception that keeps training going: the run so far is pushed, the edit is applied, and a new run
continues from the edited state — so η can be changed while the class watches, and every undo
command still holds exactly the steps that ran with its settings.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from engine import UPDATE_ORDERS, DivergenceError, Network
from engine import architecture as arch
from engine import datasets
from engine.history import History, Mark
from engine.lesson import Lesson, load_preset
from engine.timeline import Timeline
from engine.timeline import history_at as timeline_history_at

from .commands import EditCommand, StateCommand, StructureCommand
from .phases import ALL, Walk
from .style import exact, parse_number  # gui.controller.parse_number stays importable
from .training import Trainer

UNDO_LIMIT = 2000
RUN_CHUNK = 10_000  # steps per engine call when a run is taken without the timer


def train_recorded(network, history, timeline, X, T, lr, k, batch_size, start, shuffle_seed):
    """Up to k steps of ``network.train`` from step count ``start``, each recorded in
    ``history`` (the loss it started from, the parameters after it) and ``timeline``; (steps
    done, the DivergenceError that stopped them or None)."""
    params = np.empty((k, network.n_params))
    try:
        losses = network.train(X, T, lr, k, batch_size, params_out=params, start=start,
                               shuffle_seed=shuffle_seed)
        error = None
    except DivergenceError as e:
        losses, error = e.losses, e
    done = len(losses)
    if done:
        history.append(np.column_stack((losses, params[:done])))
        timeline.extend(params[:done])
    return done, error


def _fit_columns(data, n):
    """``data`` with ``n`` columns: extra ones dropped, missing ones added as zeros."""
    if data.shape[1] >= n:
        return data[:, :n].copy()
    return np.hstack((data, np.zeros((len(data), n - data.shape[1]))))


@dataclass(frozen=True, eq=False)
class Data:
    """The data set as the controller holds it: the training samples (``inputs``, the network's
    inputs: raw, then the feature columns; ``targets``), the test samples, and what made the
    split. The arrays are shared, not copied: the controller replaces them instead of writing
    into them."""

    inputs: np.ndarray
    targets: np.ndarray
    test_inputs: np.ndarray
    test_targets: np.ndarray
    features: tuple = ()
    test_ratio: float = 0.0
    split_seed: int = 0
    shuffle_seed: int | None = None
    generator: datasets.GeneratorSettings | None = None


@dataclass(frozen=True, eq=False)
class State:
    """Everything an undo command restores."""

    theta: np.ndarray
    frozen: np.ndarray
    data: Data
    lr: float
    batch_size: int | None
    order: str
    seed: int
    step_count: int
    history: Mark
    timeline: object = None  # an engine.timeline.Mark (None: leave the timeline as it is)


@dataclass(frozen=True, eq=False)
class Structure:
    """A network with everything shaped by it, for undoing a change of shape."""

    network: Network
    data: Data
    history: History
    mark: Mark
    step_count: int
    batch_size: int | None
    seed: int


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
    phaseChanged = Signal()             # a phase walk started, moved on or ended
    revealChanged = Signal()            # what reveal() allows changed (views refresh)
    timelineChanged = Signal()          # the step shown (``viewing``) or the timeline's range

    def __init__(self, lesson: Lesson | None = None, parent=None):
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(UNDO_LIMIT)
        self.trainer = Trainer(self._advance, self.pause, self)
        self.trainer.stateChanged.connect(
            lambda new, old: self.trainingStateChanged.emit(self.trainer.running))
        self.trainer.progressChanged.connect(self.progressChanged)
        self.trainer.speedChanged.connect(self.speedChanged)
        self.selection = None
        self.walk = None       # the phase walk in progress (gui.phases.Walk)
        self.init, self.init_a = "glorot", 0.5  # how Randomize and new neurons initialise
        self._run = None       # the open training run: its State before, and its step count
        self.lesson_hooks = []  # callables(lesson): add to what to_lesson makes (gui.compare)
        self._view = None      # scrubbed back: (step shown, State at the end, its last_step)
        #: asked before Step/Train/an edit at a past step discards the later ones:
        #: callable(step shown, last step) → True to discard them; None: discard
        self.resume_question = None
        self.load_lesson(lesson or load_preset("notes_linear"))

    # -- the lesson -----------------------------------------------------------------------------
    def load_lesson(self, lesson: Lesson, history: History | None = None, step_count=0):
        """Replace everything with ``lesson`` (and, from a saved file, its ``history`` and
        ``step_count``); the undo stack starts afresh and is clean (nothing unsaved)."""
        step_count = int(step_count)
        n_columns = 1 + lesson.network.n_params
        if history is not None and history.n_columns != n_columns:
            raise ValueError(f"the history has {history.n_columns} columns; this network needs "
                             f"{n_columns}")
        if history is not None and history.step_count != step_count:
            raise ValueError(f"the history ends at step {history.step_count:,}; the lesson is at "
                             f"step {step_count:,}")
        self._settle()
        self.lesson = lesson
        self.network: Network = lesson.network
        X, T, X_test, T_test = lesson.train_test()
        self._set_data(Data(X, T, X_test, T_test, tuple(lesson.features), lesson.test_ratio,
                            lesson.split_seed, lesson.shuffle_seed, lesson.generator))
        self.lr = float(lesson.lr)
        self.batch_size = lesson.batch_size
        self.seed = lesson.seed
        self.sample = 0  # the sample whose values the canvas shows
        self.step_count = step_count
        self.history = history if history is not None else History(n_columns, start=step_count)
        self.timeline = Timeline()
        self.last_step = None
        self.dead = None
        self.initial = self._state()
        self.initial_network = self.network.copy()
        self.undo_stack.clear()
        self.selection = None
        self._refresh_record()
        self.structureChanged.emit()
        self.changed.emit()
        self.historyChanged.emit()
        self.selectionChanged.emit(None)

    def to_lesson(self) -> Lesson:
        """The current state as a Lesson (an independent copy), e.g. to save it."""
        self._leave_view()  # a save holds the latest state, its history and step count
        X, T = self.all_data()
        lesson = Lesson(self.network.copy(), X, T, self.lr, self.batch_size, self.seed,
                        self.lesson.name, self.lesson.description, dict(self.lesson.extra),
                        self.features, self.test_ratio, self.split_seed, self.shuffle_seed,
                        self.generator)
        for hook in self.lesson_hooks:
            hook(lesson)
        return lesson

    # -- the data set -----------------------------------------------------------------------------
    def _data(self):
        return Data(self.inputs, self.targets, self.test_inputs, self.test_targets,
                    self.features, self.test_ratio, self.split_seed, self.shuffle_seed,
                    self.generator)

    def _set_data(self, d):
        self.inputs, self.targets = d.inputs, d.targets
        self.test_inputs, self.test_targets = d.test_inputs, d.test_targets
        self.features, self.test_ratio, self.split_seed = d.features, d.test_ratio, d.split_seed
        self.shuffle_seed, self.generator = d.shuffle_seed, d.generator

    def all_data(self):
        """(X, T) of every sample, training and test, in the data set's own order (X: the
        network's inputs, feature columns included)."""
        n = len(self.inputs) + len(self.test_inputs)
        train, test = datasets.split(n, self.test_ratio, self.split_seed)
        X = np.empty((n, self.inputs.shape[1]))
        T = np.empty((n, self.targets.shape[1]))
        X[train], T[train] = self.inputs, self.targets
        X[test], T[test] = self.test_inputs, self.test_targets
        return X, T

    @property
    def n_raw(self):
        """The raw inputs: the input layer less the features."""
        return self.network.sizes[0] - len(self.features)

    def expand_inputs(self, X_raw):
        """The network's inputs for raw inputs ``X_raw`` (n, n_raw): the features appended."""
        X_raw = np.asarray(X_raw, dtype=np.float64)
        return datasets.with_features(X_raw, self.features) if self.features else X_raw

    def input_names(self):
        """The input neurons' names: x1, x2, then the features' (x1², x1·x2, …)."""
        return datasets.feature_names(self.features, self.n_raw)

    def split_data(self, X, T, features, test_ratio, split_seed):
        """``Data`` for all samples (X the network's inputs) split as asked."""
        train, test = datasets.split(len(X), test_ratio, split_seed)
        return Data(X[train], T[train], X[test], T[test], tuple(features), float(test_ratio),
                    int(split_seed), self.shuffle_seed, self.generator)

    def set_dataset(self, X_raw, T, text, generator=None):
        """Replace every sample by raw inputs ``X_raw`` (n, n_raw) and targets ``T`` (n, n_out),
        split as now: one undo command. ValueError (said in the status bar, nothing changed)
        for data that does not fit the network. Returns True when it changed."""
        try:
            X_raw, T = np.asarray(X_raw, dtype=np.float64), np.asarray(T, dtype=np.float64)
            if X_raw.ndim != 2 or X_raw.shape[1] != self.n_raw:
                raise ValueError(f"the network takes {self.n_raw} inputs per sample")
            if T.ndim != 2 or T.shape[1] != self.network.sizes[-1] or len(T) != len(X_raw):
                raise ValueError(f"the network needs {self.network.sizes[-1]} targets per "
                                 "sample, one row per input row")
            if len(X_raw) < 1 or not (np.isfinite(X_raw).all() and np.isfinite(T).all()):
                raise ValueError("the data needs at least one sample, every number finite")
            d = self.split_data(self.expand_inputs(X_raw), T, self.features, self.test_ratio,
                                self.split_seed)
            d = replace(d, generator=generator)
        except ValueError as e:
            self.message.emit(f"Not changed: {e}", True)
            return False
        self._push_data_change(text, d)
        return True

    def set_split(self, test_ratio, split_seed=None):
        """Hold out ``test_ratio`` of the samples for testing (chosen by ``split_seed``)."""
        seed = self.split_seed if split_seed is None else split_seed
        try:
            X, T = self.all_data()
            d = self.split_data(X, T, self.features, test_ratio, seed)
        except ValueError as e:
            self.message.emit(f"Not changed: {e}", True)
            return False
        percent = f"{round(100 * d.test_ratio)} %"
        return self._push_data_change(f"Test set: {percent}", d)

    def set_shuffle(self, shuffle_seed):
        """A new order of the training samples every epoch (seeded), or None: in order."""
        d = replace(self._data(), shuffle_seed=None if shuffle_seed is None else int(shuffle_seed))
        try:
            Network.batch_indices(max(len(self.inputs), 1), 1, 0, d.shuffle_seed)
        except ValueError as e:
            self.message.emit(f"Not changed: {e}", True)
            return False
        text = "Shuffle off" if d.shuffle_seed is None else f"Shuffle (seed {d.shuffle_seed})"
        return self._push_data_change(text, d)

    def _push_data_change(self, text, data):
        """Make ``data`` the data set as one undoable command; the batch size and the shown
        sample stay within it."""
        self._settle()
        before = self._state()
        self._set_data(data)
        n = len(self.inputs)
        if self.batch_size is not None and self.batch_size >= n:
            self.batch_size = None
        self.sample = min(self.sample, n - 1)
        self.last_step = None
        self._refresh_record()
        self.undo_stack.push(StateCommand(self, before, self._state(), text))
        self.structureChanged.emit()  # the sample table and the canvas's sample labels
        self.changed.emit()
        return True

    def set_features(self, keys):
        """The Playground's input features (``engine.datasets.FEATURES`` keys) as extra input
        neurons: one change of shape (weights from the raw inputs kept, the features' new)."""
        keys = tuple(k for k in datasets.FEATURES if k in set(keys))
        if keys == self.features:
            return True
        try:
            datasets.check_features(keys, self.n_raw)
        except ValueError as e:
            self.message.emit(f"Not changed: {e}", True)
            return False
        n_raw = self.n_raw
        X, T = self.all_data()
        raw = X[:, :n_raw]
        data = self.split_data(datasets.with_features(raw, keys) if keys else raw, T, keys,
                               self.test_ratio, self.split_seed)
        old = self.features

        def make(net):
            sizes = list(net.sizes)
            sizes[0] = n_raw + len(keys)
            # the raw inputs keep their places; a feature kept keeps its weights
            keep = {(l, c): (l, c) for l in range(1, len(sizes)) for c in range(sizes[l])}
            keep.update({(0, c): (0, c) for c in range(n_raw)})
            for k in old:
                if k in keys:
                    keep[(0, n_raw + old.index(k))] = (0, n_raw + keys.index(k))
            return arch.rebuild(net, sizes, list(net.activations), net.loss, keep,
                                init=self.init, seed=self.seed, a=self.init_a)

        names = ", ".join(datasets.FEATURES[k] for k in keys) or "none"
        return self.change_network(make, f"Features: {names}", data=data)

    def epoch_steps(self):
        """Steps in one epoch: every training sample once."""
        b = len(self.inputs) if self.batch_size is None else self.batch_size
        return -(-len(self.inputs) // b)

    def train_epoch(self):
        """Train one epoch (Train N with N = the steps that visit every training sample once)."""
        self.start_training(self.epoch_steps())

    def test_loss(self):
        """L over the test samples at the current parameters (None without a test set)."""
        if not len(self.test_inputs):
            return None
        return self.network.loss_value(self.test_inputs, self.test_targets)

    def accuracy(self, test=False):
        """The share of samples classified right (one output: y ≥ 0.5 for label 1; several:
        the largest output is the target's largest), or None for regression targets or an
        empty set."""
        X, T = (self.test_inputs, self.test_targets) if test else (self.inputs, self.targets)
        if not len(X) or not np.isin(T, (0.0, 1.0)).all():
            return None
        with np.errstate(all="ignore"):
            y = self.network.forward(X)
        if T.shape[1] == 1:
            right = (y[:, 0] >= 0.5) == (T[:, 0] == 1.0)
        else:
            right = y.argmax(axis=1) == T.argmax(axis=1)
        return float(right.mean())

    @property
    def training(self):
        return self.trainer.running

    @property
    def steps_per_second(self):
        return self.trainer.steps_per_second

    @property
    def speed_index(self):
        return self.trainer.speed_index

    # -- reading values -------------------------------------------------------------------------
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

    def batch_indices(self, step):
        """The samples step number ``step`` + 1 trains on."""
        return Network.batch_indices(len(self.inputs), self.batch_size, step, self.shuffle_seed)

    def batch_for_step(self, step):
        """(x, ob) that step number ``step`` + 1 trains on."""
        idx = self.batch_indices(step)
        return self.inputs[idx], self.targets[idx]

    def reveal(self):
        """Which of ``record``'s numbers have been computed (``gui.phases.Reveal``): all of
        them, except during a phase walk."""
        return ALL if self.walk is None else self.walk.reveal()

    # -- editing ----------------------------------------------------------------------------------
    def edit(self, key, text_or_value):
        """Set an element from typed text (or a number); refuse anything else with a message
        (and change nothing, training included).

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
        if not self._resume_guard():
            return False
        resume = self._split_run()
        self._end_walk()
        shown = exact(new) if isinstance(new, float) else new  # the value as typed, "−" as minus
        self.undo_stack.push(EditCommand(self, key, old, new, f"Set {self.label(key)} = {shown}"))
        if resume:
            self._open_run()
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
        if key[0] == "x" and self.network.layout.locate(key[2])[1] >= self.n_raw:
            name = self.input_names()[self.network.layout.locate(key[2])[1]]
            raise ValueError(f"{name} is computed from the raw inputs; edit those")
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
            name = self.input_names()[self.network.layout.locate(key[2])[1]]
            return name + (f" (sample {key[1] + 1})" if len(self.inputs) > 1 else "")
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
        elif kind in ("x", "ob"):
            # a new array, not a write into the old one: undo states share these arrays
            name = "inputs" if kind == "x" else "targets"
            data = getattr(self, name).copy()
            data[key[1], self.network.layout.locate(key[2])[1]] = value
            if kind == "x" and self.features:  # the sample's features follow its raw inputs
                row = data[key[1]:key[1] + 1]
                data[key[1]] = datasets.with_features(row[:, :self.n_raw], self.features)[0]
            setattr(self, name, data)
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

    # -- selection and the shown sample ---------------------------------------------------------
    def select(self, key):
        if key != self.selection:
            self.selection = key
            self.selectionChanged.emit(key)

    def set_sample(self, sample):
        sample = int(np.clip(sample, 0, len(self.inputs) - 1))
        if sample == self.sample:
            return
        self._end_walk()  # the walk shows one sample's row of its batch
        self.sample = sample
        self._refresh_record()
        self.changed.emit()

    # -- states for undo ------------------------------------------------------------------------
    def _state(self):
        return State(self.network.theta.copy(), self.network.frozen.copy(), self._data(),
                     self.lr, self.batch_size, self.network.update_order,
                     self.seed, self.step_count, self.history.mark(), self.timeline.mark())

    def _apply(self, state, last_step=None):
        """Make ``state`` the current one (the undo commands call this)."""
        self.network.restore((state.theta, state.frozen))
        self._set_data(state.data)
        self.lr, self.batch_size = state.lr, state.batch_size
        self.network.update_order = state.order
        self.seed = state.seed
        self.step_count = state.step_count
        self.history.restore(state.history)
        if state.timeline is not None:
            self.timeline.restore(state.timeline)
        self.last_step = last_step
        self._refresh_record()
        self.changed.emit()
        self.historyChanged.emit()
        self.timelineChanged.emit()

    def undo(self):
        """Undo the last command (a training run in progress ends first and is what goes)."""
        self._settle()
        self.undo_stack.undo()

    def redo(self):
        self._settle()
        self.undo_stack.redo()

    # -- what the views show --------------------------------------------------------------------
    def _refresh_record(self):
        """``record``: the next Step's record at the current parameters (nothing changes);
        ``record_sample``: the shown sample's row in its batch. ``sample_record`` and
        ``sample_row`` hold the shown sample's own forward and backward pass: the same as
        ``record`` when the next batch contains it, else a pass of that sample alone."""
        idx = self.batch_indices(self.step_count)
        self.record = self.network.step(self.inputs[idx], self.targets[idx], self.lr,
                                        apply=False)
        self._find_dead(idx)
        hit = np.flatnonzero(idx == self.sample)
        self.sample_in_batch = bool(len(hit))
        if self.sample_in_batch:
            self.record_sample = int(hit[0])
            self.sample_record, self.sample_row = self.record, self.record_sample
        else:
            self.record_sample = 0
            s = slice(self.sample, self.sample + 1)
            self.sample_record = self.network.step(self.inputs[s], self.targets[s], self.lr,
                                                   apply=False)
            self.sample_row = 0

    def _find_dead(self, idx):
        """``dead``: the ReLU neurons whose net is ≤ 0 for every sample — their output is 0 and
        no gradient reaches their weights. Said (once) when a change kills one."""
        net = self.network
        relu = [l for l, a in enumerate(net.activations, start=1) if a == "relu"]
        dead = set()
        if relu:
            everything = len(idx) == len(self.inputs)
            rec = self.record if everything else net.step(self.inputs, self.targets, self.lr,
                                                          apply=False)
            for l in relu:
                for j in net.layout.neurons(l):
                    nets = rec.nets[l][:, net.layout.locate(j)[1]]
                    if np.all(nets <= 0):
                        dead.add(j)
        dead = frozenset(dead)
        before = self.dead  # None right after a lesson is loaded: nothing to warn about yet
        if before is not None and dead - before:
            names = ", ".join(net.layout.neuron_label(j) for j in sorted(dead))
            self.message.emit(f"Dead ReLU: {names} — net ≤ 0 for every sample, so y = 0 and no "
                              "gradient reaches their weights. Undo, lower η or Randomize.", True)
        self.dead = dead

    # -- Step -------------------------------------------------------------------------------------
    def step(self):
        """One forward pass, one backward pass, one update: undoable."""
        if not self._resume_guard():
            return None
        self._settle()
        return self._take_step()

    def _take_step(self):
        x, t = self.batch_for_step(self.step_count)
        before = self._state()
        self._timeline_begin()
        try:
            rec = self.network.step(x, t, self.lr)
        except DivergenceError as e:
            self.message.emit(f"Step refused: {e}. Try a smaller η.", True)
            return None
        self.history.append(np.concatenate(([rec.loss], self.network.theta))[None])
        self.timeline.extend(self.network.theta[None])
        self.step_count += 1
        self.last_step = rec
        self._refresh_record()
        self.undo_stack.push(StateCommand(self, before, self._state(), f"Step {self.step_count}",
                                          last_step=rec))
        self.stepped.emit(rec)
        self.changed.emit()
        self.historyChanged.emit()
        return rec

    # -- the phase walk ---------------------------------------------------------------------------
    def advance_phase(self):
        """Show the next phase of the next Step; the last phase takes the Step. After the last
        phase (or with no walk) a new walk starts at the first."""
        w = self.walk  # at a past step, the phase that takes the Step asks first
        if (w is not None and not w.taken and w.index + 2 == len(w.phases)
                and not self._resume_guard()):
            return
        self.pause()
        if self.walk is None or self.walk.taken:
            self.walk = Walk(self.record, self.record_sample, self.network.update_order)
        else:
            self.walk.advance()
        if self.walk.at_last:
            self.walk.taken = True
            if self._take_step() is None:  # refused: it would diverge
                self._end_walk()
                return
        self.phaseChanged.emit()
        self.revealChanged.emit()

    def _end_walk(self):
        if self.walk is not None:
            self.walk = None
            self.phaseChanged.emit()
            self.revealChanged.emit()

    # -- training ---------------------------------------------------------------------------------
    def set_speed(self, index):
        self.trainer.set_speed(index)

    def start_training(self, steps=None, fast=False):
        """Train until paused, or for ``steps`` steps (Train N, with progress); ``fast``: at
        full speed whatever the speed setting."""
        if steps is not None and not 1 <= int(steps):
            raise ValueError(f"the number of steps must be at least 1, not {steps}")
        if not self._resume_guard():
            return
        self._settle()
        self.last_step = None
        self._open_run()
        self.trainer.start(None if steps is None else int(steps), fast)
        self.changed.emit()

    def pause(self):
        """End the training run (if any): it becomes one undo command."""
        if not self.trainer.running:
            return
        self.trainer.stop()
        self._close_run()
        self._refresh_record()
        self.changed.emit()

    def toggle_training(self):
        if self.training:
            self.pause()
        else:
            self.start_training()

    def _open_run(self):
        self._run = {"before": self._state(), "steps": 0}

    def _close_run(self):
        """Push the open run as one undoable command (nothing for a run of no steps)."""
        run, self._run = self._run, None
        if run and run["steps"]:
            self.undo_stack.push(StateCommand(self, run["before"], self._state(),
                                              f"Train {run['steps']:,} steps"))

    def _split_run(self):
        """While training, push the run so far and keep the trainer going (an edit is coming;
        the caller opens the next run). Returns whether training goes on."""
        if not self.trainer.running:
            return False
        self._close_run()
        return True

    def _settle(self):
        """End whatever is in progress — a training run, a phase walk — before the model
        changes."""
        self.pause()
        self._end_walk()
        self._leave_view()

    def _advance(self, k):
        """Train k steps of the open run and record them; (steps done, must stop)."""
        run = self._run
        if run is None:  # never expected: the trainer runs only while a run is open
            return 0, True
        t0 = time.perf_counter()
        self._timeline_begin()
        done, error = train_recorded(self.network, self.history, self.timeline, self.inputs,
                                     self.targets, self.lr, k, self.batch_size,
                                     self.step_count, self.shuffle_seed)
        self.step_count += done
        run["steps"] += done
        train_s = time.perf_counter() - t0
        self._refresh_record()
        if error is not None:  # after the record: this says more than a dead ReLU
            self.message.emit(
                f"Training stopped at step {self.step_count + 1}: with η = {exact(self.lr)} the "
                "loss became NaN/Inf (diverged). The last finite state is kept; "
                "lower η and train again.", True)
        self.changed.emit()
        self.historyChanged.emit()
        return done, error is not None, train_s

    def run_steps(self, n, progress=None):
        """Train n steps now, without the timer (the command line), as one undoable run;
        ``progress(done, n)`` is called after every chunk. Returns the steps taken (fewer if
        the run diverged)."""
        if n <= 0:
            return 0
        if not self._resume_guard():
            return 0
        self._settle()
        self.last_step = None
        self._open_run()
        done = 0
        while done < n:
            k, must_stop, _ = self._advance(min(n - done, RUN_CHUNK))
            done += k
            if progress is not None:
                progress(done, n)
            if must_stop:
                break
        self._close_run()
        return done

    # -- whole-state actions ----------------------------------------------------------------------
    def _push_state_change(self, text, change):
        """Run ``change()`` (which edits the state and restarts the history) as one undoable
        command."""
        self._settle()
        before = self._state()
        change()
        self.last_step = None
        self._refresh_record()
        self.undo_stack.push(StateCommand(self, before, self._state(), text))
        self.changed.emit()
        self.historyChanged.emit()

    # -- the network's shape ----------------------------------------------------------------------
    def _structure(self):
        return Structure(self.network, self._data(), self.history,
                         self.history.mark(), self.step_count, self.batch_size, self.seed)

    def _apply_structure(self, s):
        """Make the network and data of ``s`` the current ones (the commands call this)."""
        self.network = s.network
        self._set_data(s.data)
        self.history = s.history
        self.history.restore(s.mark)
        self.step_count, self.batch_size, self.seed = s.step_count, s.batch_size, s.seed
        self._after_new_structure()

    def _after_new_structure(self):
        self.sample = min(self.sample, len(self.inputs) - 1)
        if self.selection is not None and not self._exists(self.selection):
            self.selection = None
            self.selectionChanged.emit(None)
        self.last_step = None
        self.dead = None  # a new network: nothing to warn about yet
        self._refresh_record()
        self.structureChanged.emit()
        self.changed.emit()
        self.historyChanged.emit()

    def _exists(self, key):
        try:
            if key[0] == "n":
                self.network.layout.locate(key[1])
            else:
                self.value(key)
            return True
        except (ValueError, IndexError):
            return False

    def change_network(self, make, text, data=None):
        """Replace the network by ``make(network)`` (an ``engine.architecture`` operation):
        one undo command. Parameters of surviving neurons keep their values; the data gain
        (zero) or lose columns when the inputs or outputs change; the plots' history starts
        again (the parameters are others), the step count goes on. A refused change (a limit,
        an activation the loss does not allow) is said in the status bar and changes nothing.
        Returns True when the network changed."""
        try:
            network = make(self.network)
        except ValueError as e:
            self.message.emit(f"Not changed: {e}", True)
            return False
        self._settle()
        before = self._structure()
        old = self.network
        self.network = network
        if data is None:  # more or fewer inputs or outputs: zero columns added, or dropped
            d = self._data()
            data = replace(d, inputs=_fit_columns(d.inputs, network.sizes[0]),
                           targets=_fit_columns(d.targets, network.sizes[-1]),
                           test_inputs=_fit_columns(d.test_inputs, network.sizes[0]),
                           test_targets=_fit_columns(d.test_targets, network.sizes[-1]))
        self._set_data(data)
        network.update_order = old.update_order
        self.history = History(1 + network.n_params, start=self.step_count)
        self._after_new_structure()
        self.undo_stack.push(StructureCommand(self, before, self._structure(), text))
        return True

    def _grown(self, op, *args, **kwargs):
        """``op`` (an ``engine.architecture`` operation) with the initialisation in force."""
        return lambda net: op(net, *args, init=self.init, seed=self.seed, a=self.init_a,
                              **kwargs)

    def add_neuron(self, layer):
        name = self._layer_name(layer)
        return self.change_network(self._grown(arch.add_neuron, layer), f"Add a neuron to {name}")

    def remove_neuron(self, j):
        label = self.neuron_name(j)
        return self.change_network(self._grown(arch.remove_neuron, j), f"Remove {label}")

    def add_layer(self, at, size=2, activation="relu"):
        """A hidden layer inserted as layer ``at`` (after layer at − 1)."""
        return self.change_network(self._grown(arch.add_layer, at, size, activation),
                                   f"Add hidden layer {at}")

    def remove_layer(self, layer):
        return self.change_network(self._grown(arch.remove_layer, layer),
                                   f"Remove hidden layer {layer}")

    def set_layer_size(self, layer, size):
        return self.change_network(self._grown(arch.set_size, layer, size),
                                   f"{self._layer_name(layer).capitalize()}: {size} neurons")

    def set_activation(self, layer, name):
        return self.change_network(lambda n: arch.set_activation(n, layer, name),
                                   f"{self._layer_name(layer).capitalize()}: {name}")

    def set_loss(self, name):
        return self.change_network(lambda n: arch.set_loss(n, name), f"Loss: {name}")

    def set_init(self, init, a=None):
        """The initialisation Randomize and new neurons use (not an undo step: nothing changes
        until then). Zeros are allowed, with the reason they cannot learn."""
        arch.init_weights([1, 1], init, 0, self.init_a if a is None else a)  # validates
        self.init = init
        if a is not None:
            self.init_a = float(a)
        if init == "zeros":
            self.message.emit(arch.INIT_WARNING, True)

    def neuron_name(self, j):
        """How the canvas names neuron j: x1, x2 (or a feature's name: x1², sin x1) for an
        input, y5 for any other."""
        layer, c = self.network.layout.locate(j)
        return self.input_names()[c] if layer == 0 else self.network.layout.neuron_label(j)

    def _layer_name(self, layer):
        last = len(self.network.sizes) - 1
        return "the inputs" if layer == 0 else "the outputs" if layer == last else (
            f"hidden layer {layer}")

    def reset(self):
        """Back to the lesson's initial values (its network too, if the shape has changed
        since); the history starts again."""
        if self.network.sizes != self.initial_network.sizes or (
                self.network.activations, self.network.loss) != (
                self.initial_network.activations, self.initial_network.loss):
            self._reset_structure()
            return

        def change():
            s = self.initial
            self.network.restore((s.theta, s.frozen))
            self._set_data(s.data)
            self.lr, self.batch_size = s.lr, s.batch_size
            self.network.update_order = s.order
            self.step_count = 0
            self.history.clear()
        self._push_state_change("Reset", change)

    def _reset_structure(self):
        self._settle()
        before = self._structure()
        s = self.initial
        self.network = self.initial_network.copy()
        self._set_data(s.data)
        self.lr, self.batch_size = s.lr, s.batch_size
        self.step_count = 0
        self.history = History(1 + self.network.n_params)
        self._after_new_structure()
        self.undo_stack.push(StructureCommand(self, before, self._structure(), "Reset"))

    def randomize(self, seed=None):
        """New random weights (seeded; the seed advances each time); the history starts again."""
        new_seed = self.seed + 1 if seed is None else int(seed)

        def change():
            self.seed = new_seed
            new = arch.init_weights(self.network.sizes, self.init, new_seed, self.init_a)
            np.copyto(self.network.theta, new, where=~self.network.frozen)
            self.step_count = 0
            self.history.clear()
        self._push_state_change(f"Randomize (seed {new_seed})", change)

    # -- the timeline: any past step shown exactly (gui/timeline.py) ------------------------------
    @property
    def viewing(self):
        """The past step shown while the timeline is scrubbed back, or None (the latest)."""
        return None if self._view is None else self._view[0]

    def timeline_range(self):
        """(first, last): the step counts the timeline can show — the steps of this network's
        history that the timeline recorded; last is the latest state."""
        last = self._view[1].step_count if self._view is not None else self.step_count
        first, end = self.timeline.first_step, self.timeline.last_step
        if first is None or end is None or end < last:
            return last, last
        return min(max(first, self.history.start), last), last

    def show_step(self, k):
        """Show the network exactly as it was at step count ``k`` (after step k, or after the
        edits made at it): parameters, frozen flags, data, η, batch size and update order, and
        the next Step's record from there. Training pauses first; the last step returns to the
        latest state. Nothing is discarded until a Step, Train or an edit from here."""
        first, last = self.timeline_range()
        k = int(min(max(int(k), first), last))
        self.pause()
        self._end_walk()
        if k == last:
            self._leave_view()
            return
        if self._view is None:
            self._view = (k, self._state(), self.last_step)
        else:
            self._view = (k,) + self._view[1:]
        shown = self.timeline.state_at(k)
        seg = shown.segment
        data = seg.info[0] if isinstance(seg.info, tuple) else None
        new_data = data is not None and (data.inputs is not self.inputs
                                         or data.targets is not self.targets)
        self.network.restore((shown.theta, seg.frozen))
        if new_data:
            self._set_data(data)
        self.lr, self.batch_size = seg.lr, seg.batch_size
        self.network.update_order = seg.update_order
        self.step_count = k
        self.last_step = shown.last
        self.sample = min(self.sample, len(self.inputs) - 1)
        self.dead = None  # a past state: no "Dead ReLU" news while scrubbing
        self._refresh_record()
        if new_data:
            self.structureChanged.emit()
        self.changed.emit()
        self.timelineChanged.emit()

    def _leave_view(self):
        """Back to the latest state from a past step shown (nothing discarded)."""
        if self._view is None:
            return
        _, end, last = self._view
        self._view = None
        new_data = end.data.inputs is not self.inputs or end.data.targets is not self.targets
        self.dead = None
        self._apply(end, last)
        if new_data:
            self.structureChanged.emit()

    def _resume_guard(self):
        """Before Step, Train or an edit: at a past step, ask (``resume_question``) whether to
        discard the later steps, and do so. False: cancelled, nothing changes."""
        if self._view is None:
            return True
        k, end, _ = self._view
        if self.resume_question is not None and not self.resume_question(k, end.step_count):
            return False
        self.resume_from_here()
        return True

    def resume_from_here(self):
        """Make the past step shown the latest: the later steps are discarded as one undo
        command (Undo brings them back)."""
        if self._view is None:
            return
        k, end, _ = self._view
        first = self.timeline.segments()[0][0]
        base = first.info[1] if isinstance(first.info, tuple) else None
        mark = timeline_history_at(self.history, k, self.timeline,
                                   None if base is None else (first.start, base))
        self._view = None
        self.history.restore(mark)
        self.timeline.truncate(k)
        n = end.step_count - k
        self.undo_stack.push(StateCommand(
            self, end, self._state(), f"Resume from step {k:,} (discard {n:,} later "
            f"step{'s' if n != 1 else ''})", last_step=self.last_step))
        self.message.emit(f"Resumed from step {k:,}: steps {k + 1:,}–{end.step_count:,} "
                          "discarded (Undo brings them back)", False)
        self.changed.emit()
        self.historyChanged.emit()
        self.timelineChanged.emit()

    def _timeline_begin(self):
        """Steps are coming: the timeline opens a new segment if anything changed since its
        last step (an edit, data, the network)."""
        self.timeline.begin(self.network, self.inputs, self.targets, self.lr, self.batch_size,
                            self.shuffle_seed, self.step_count,
                            info=lambda: (self._data(), self.history.mark()))
