"""Comparison runs: a lesson with one or more changes, trained beside it.

A *change* is a small dict of the settings a run does differently from the main lesson:

    {"lr": 1.0}                          η
    {"seed": 7, "init": "he"}            the weights initialised again (``architecture.INITS``;
                                         either key alone keeps the other at the main's)
    {"update_order": "output_first"}     the update order (``network.UPDATE_ORDERS``)
    {"activations": [None, "tanh"]}      per layer (1 … L): None keeps the main's activation
    {"batch_size": 2}                    None: the whole training set

Everything the change does not name follows the main lesson (its data, its η, batch size and
update order as they are at each step, its frozen flags). ``apply_change`` makes a run's network
from the main's; ``run_settings`` gives the η, batch size and update order a run trains with;
``describe`` names a change as the legend does ("η = 1.0", "seed 7", "y3, y4: tanh").

A lesson file keeps its runs in the optional top-level list ``runs`` (``run_to_json`` /
``run_from_json``; ``check_runs`` is what File ▸ Open checks): each run's name, its change, its
parameters (17 significant digits, so they come back bit for bit), its step count and its loss
curve (``loss_history``, a one-column history). Files
without ``runs`` are read as before; readers that do not know ``runs`` keep it as an unknown
top-level key.
"""
from __future__ import annotations

import math

import numpy as np

from . import architecture as arch
from .network import UPDATE_ORDERS

MAX_RUNS = 4  # the main run and up to three comparison runs
CHANGE_KEYS = ("lr", "seed", "init", "update_order", "activations", "batch_size")
RUN_KEYS = ("name", "change", "parameters", "step_count", "stopped", "loss_history")
MAX_SEED = 2**62


class RunFileError(ValueError):
    """A ``runs`` entry of a lesson file that cannot be read; the message names the field."""


def _number_text(v):
    """η as the legend writes it: "1.0", "0.05", "2.5e-05" (the shortest exact text)."""
    return repr(float(v))


_UNSET = object()


def check_change(change, network, n_train, init="glorot", seed=0, lr=None,
                 batch_size=_UNSET):
    """``change`` checked and normalised (keys in ``CHANGE_KEYS`` order; settings equal to the
    main's — ``network``'s update order and activations, and ``lr`` and ``batch_size`` when
    given — dropped, so an empty result means no change). ValueError with one line naming the
    setting for anything else."""
    if not isinstance(change, dict):
        raise ValueError("a change must be an object of settings")
    unknown = [k for k in change if k not in CHANGE_KEYS]
    if unknown:
        raise ValueError(f"{unknown[0]} is not a setting a run can change; choose from "
                         f"{', '.join(CHANGE_KEYS)}")
    out = {}
    if "lr" in change:
        v = change["lr"]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) \
                or v <= 0:
            raise ValueError(f"η must be a number greater than 0, not {v!r}")
        if float(change["lr"]) != lr:
            out["lr"] = float(change["lr"])
    if "seed" in change or "init" in change:
        s = change.get("seed", seed)
        if isinstance(s, bool) or not isinstance(s, int) or not 0 <= s <= MAX_SEED:
            raise ValueError(f"the seed must be a whole number from 0 to 2^62, not {s!r}")
        name = change.get("init", init)
        if name not in arch.INITS:
            raise ValueError(f"the initialisation must be one of {', '.join(arch.INITS)}, not "
                             f"{name!r}")
        out["seed"], out["init"] = int(s), name
    if "update_order" in change:
        order = change["update_order"]
        if order not in UPDATE_ORDERS:
            raise ValueError(f"the update order must be one of {', '.join(UPDATE_ORDERS)}")
        if order != network.update_order:
            out["update_order"] = order
    if "activations" in change:
        acts = change["activations"]
        n = len(network.activations)
        if not isinstance(acts, (list, tuple)) or len(acts) != n:
            raise ValueError(f"activations must list {n} layers (None keeps a layer's)")
        acts = [None if a == network.activations[l] else a for l, a in enumerate(acts)]
        if any(a is not None for a in acts):
            net = network
            for l, a in enumerate(acts, start=1):
                if a is not None:
                    if not isinstance(a, str):
                        raise ValueError(f"layer {l}'s activation must be a name, not {a!r}")
                    net = arch.set_activation(net, l, a)  # ValueError for a bad one
            out["activations"] = acts
    if "batch_size" in change:
        b = change["batch_size"]
        if b is not None and (isinstance(b, bool) or not isinstance(b, int)
                              or not 1 <= b <= n_train):
            raise ValueError(f"the batch size must be a whole number from 1 to {n_train} (or "
                             f"all), not {b!r}")
        b = None if b is None or b >= n_train else int(b)
        main_b = batch_size
        if main_b is not _UNSET and main_b is not None and main_b >= n_train:
            main_b = None
        if main_b is _UNSET or b != main_b:
            out["batch_size"] = b
    return {k: out[k] for k in CHANGE_KEYS if k in out}


def apply_change(network, change, init_a=0.5):
    """A new network: ``network`` (the main's) with ``change`` applied — activations replaced
    (every parameter kept), the weights initialised again for a seed or initialisation (frozen
    ones kept, as Randomize does), the update order. The main's network is not touched."""
    net = network.copy()
    for l, a in enumerate(change.get("activations") or (), start=1):
        if a is not None:
            net = arch.set_activation(net, l, a)
    if "seed" in change:
        theta = arch.init_weights(net.sizes, change["init"], change["seed"], init_a)
        np.copyto(net.theta, theta, where=~net.frozen)
    net.update_order = change.get("update_order", network.update_order)
    return net


def expected_activations(network, change):
    """The activations a run of ``change`` has beside the main ``network``."""
    acts = change.get("activations") or [None] * len(network.activations)
    return [a or m for a, m in zip(acts, network.activations)]


def run_settings(change, lr, batch_size, update_order, n_train):
    """(η, batch size, update order) a run trains with when the main's are these: the
    change's own where it has one. A batch as large as the training set is the whole set
    (None)."""
    b = change.get("batch_size", batch_size)
    if b is not None and b >= n_train:
        b = None
    return change.get("lr", lr), b, change.get("update_order", update_order)


def describe(change, network=None):
    """A change in the notes' words, as the legend names it: "η = 1.0", "seed 7 (he)",
    "output layer first", "layer 1: tanh", "batch 2" — several joined by ", "."""
    parts = []
    if "lr" in change:
        parts.append(f"η = {_number_text(change['lr'])}")
    if "seed" in change:
        init = change.get("init", "glorot")
        parts.append(f"seed {change['seed']}" + ("" if init == "glorot" else f" ({init})"))
    if "update_order" in change:
        parts.append("output layer first" if change["update_order"] == "output_first"
                     else "simultaneous updates")
    for l, a in enumerate(change.get("activations") or (), start=1):
        if a is not None:
            parts.append(f"layer {l}: {a}")
    if "batch_size" in change:
        b = change["batch_size"]
        parts.append("full batch" if b is None else f"batch {b}")
    return ", ".join(parts) or "no change"


def train_separately(network, change, X, T, lr, batch_size, steps, shuffle_seed=None,
                     start=0, init_a=0.5):
    """What a run of ``change`` is: the main ``network`` with the change applied, trained
    ``steps`` steps on (X, T) from step ``start`` with the main's η and batch size unless the
    change names its own. Returns the network (a reference for tests and the command line)."""
    net = apply_change(network, change, init_a)
    r_lr, r_b, _ = run_settings(change, lr, batch_size, net.update_order, len(X))
    if steps:
        net.train(X, T, r_lr, steps, r_b, start=start, shuffle_seed=shuffle_seed)
    return net


# -- files ---------------------------------------------------------------------------------------
def loss_history(history):
    """The loss column of a run's ``History`` as a one-column history's JSON form (what a file
    keeps of a run's curves: its parameters' curves would cost as much as the lesson's)."""
    d = history.to_dict()
    for key in ("last", "lo", "hi"):
        if key in d:
            d[key] = [row[:1] for row in d[key]]
    return d


def history_from_loss(parsed, n_columns):
    """A run's ``History`` of ``n_columns`` from a parsed one-column loss history: the
    parameters' columns NaN (nothing to draw) for the steps it holds."""
    from .history import History
    full = dict(parsed)
    for key in ("last", "lo", "hi"):
        col = np.full((len(parsed[key]), n_columns), np.nan)
        col[:, :1] = parsed[key]
        full[key] = col
    return History.from_parsed(full, n_columns)


def run_to_json(name, change, theta, step_count, stopped=False, history=None):
    """One ``runs`` entry; ``history`` (the run's History, ending at ``step_count``) keeps its
    loss curve as ``loss_history``."""
    d = {"name": str(name), "change": {k: v for k, v in change.items()},
         "parameters": [float(v) for v in theta], "step_count": int(step_count)}
    if stopped:
        d["stopped"] = True
    if history is not None and history.n_steps:
        d["loss_history"] = loss_history(history)
    return d


def run_from_json(d, network, n_train, step_count, where="runs[0]", init="glorot", seed=0):
    """(name, change, theta, step count, stopped, history) of one ``runs`` entry beside the
    main ``network`` (the lesson's, at ``step_count``); ``history`` is a ``History`` of
    1 + parameters columns (the parameters' NaN) or None. ``RunFileError`` naming the field."""
    if not isinstance(d, dict):
        raise RunFileError(f"{where} must be an object (a run)")
    for k in d:
        if k not in RUN_KEYS:
            raise RunFileError(f"{where}.{k} is not a field this version knows")
    name = d.get("name", "")
    if not isinstance(name, str) or len(name) > 200:
        raise RunFileError(f"{where}.name must be a text of at most 200 characters")
    try:
        change = check_change(d.get("change"), network, n_train, init, seed)
        apply_change(network, change)
    except ValueError as e:
        raise RunFileError(f"{where}.change: {e}") from None
    params = d.get("parameters")
    if not isinstance(params, list) or len(params) != network.n_params:
        raise RunFileError(f"{where}.parameters must list the network's {network.n_params} "
                           "parameters")
    if any(isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v)
           for v in params):
        raise RunFileError(f"{where}.parameters must be finite numbers")
    steps = d.get("step_count", step_count)
    if isinstance(steps, bool) or not isinstance(steps, int) or not 0 <= steps <= step_count:
        raise RunFileError(f"{where}.step_count must be a whole number from 0 to the lesson's "
                           f"{step_count:,}")
    stopped = d.get("stopped", False)
    if not isinstance(stopped, bool):
        raise RunFileError(f"{where}.stopped must be true or false")
    history = None
    if "loss_history" in d:
        from .lesson import parse_history
        hw = f"{where}.loss_history"
        try:
            parsed = parse_history(d["loss_history"], 1, hw)
        except ValueError as e:
            raise RunFileError(str(e)) from None
        start = parsed["start"] or 0
        if start + parsed["n_steps"] != steps:
            raise RunFileError(f"{hw} ends at step {start + parsed['n_steps']:,}; the run is at "
                               f"step {steps:,}")
        parsed["start"] = start
        history = history_from_loss(parsed, 1 + network.n_params)
    return (name or describe(change), change, np.array(params, dtype=np.float64), steps,
            stopped, history)


def check_runs(runs, lesson, step_count):
    """Check a lesson file's ``runs`` list (File ▸ Open refuses a file whose runs cannot be
    read); returns the parsed runs."""
    if not isinstance(runs, list):
        raise RunFileError("runs must be a list")
    if len(runs) > MAX_RUNS - 1:
        raise RunFileError(f"runs has {len(runs)} runs; at most {MAX_RUNS - 1} (beside the "
                           "lesson itself)")
    n_train = len(lesson.split()[0])
    return [run_from_json(r, lesson.network, n_train, step_count, f"runs[{n}]",
                          seed=lesson.seed) for n, r in enumerate(runs)]
