"""A lesson: a network with its data, learning rate, batch size and seed — what a preset or a saved
file holds — and its JSON form, read and written safely.

    {"format": "backprop-lab", "version": 2, "name": ..., "description": ...,
     "network": {"layers": [2, 2, 3], "activations": ["relu", "linear"], "loss": "half_sse",
                 "update_order": "simultaneous",
                 "weights": {"w13": 0.15, ...}, "biases": {"b3": 0.1, ...}, "frozen": ["w35"]},
     "data": {"inputs": [[0.6, -0.4]], "targets": [[0.5, 0.0, 0.3]],
              "features": [], "test_ratio": 0.0, "split_seed": 0,              (version 2)
              "generator": {"name": "spiral", "count": 500, "noise": 0.1, "seed": 3}},  (v2)
     "training": {"lr": 0.5, "batch_size": null, "seed": 0,
                  "shuffle_seed": null},                                    (version 2)
     "state": {"step_count": 200},                                     (optional)
     "history": {"columns": ["loss", "w13", ...], "capacity": 2048,    (optional)
                 "stride": 1, "n_steps": 200, "last": [[...], ...]}}

**Versions.** Version 2 adds the data set fields, all optional: ``data.features`` (input
features appended to the raw inputs, ``engine.datasets.FEATURES`` keys), ``data.test_ratio``
and ``data.split_seed`` (the train/test split, ``engine.datasets.split``), ``data.generator``
(the settings the data was generated with; the data itself is still stored, so a file never
depends on the generator) and ``training.shuffle_seed`` (``Network.train``'s seeded epochs).
``data.inputs`` holds the *raw* inputs, one value per input neuron that is not a feature: the
network's input layer is the raw inputs plus the features. A version-1 file is read as a
version-2 file with every new field at its default (and may not use them); a lesson that uses
none of them is written as version 1, byte for byte as before, so older Backprop Labs still
open it.

Parameters are keyed by their labels (``w35``, ``b3``), so a file reads like the notes. The rules
(also in ``resources/schema/lesson.schema.json``): every number finite (no NaN/Infinity, nothing
that overflows), a boolean is not a number, whole numbers where counts are meant, no unknown keys
inside the known objects (unknown top-level keys are kept as ``Lesson.extra`` and written back),
and a file from a newer ``version`` is refused. Everything that goes wrong raises
``LessonFileError`` (a ``ValueError``) with one line naming the field and the problem, e.g.
``network.weights.w35 must be a number, not the text "abc"`` or
``data.inputs[2] has 3 values, the network needs 2``.

Files are bounded before they are parsed (``MAX_FILE_BYTES``, ``MAX_VALUES``), so a hostile file
costs bounded time and memory; ``read_file`` opens regular files only and never blocks (a FIFO
or a device is refused at once); ``write_lesson`` writes atomically (``engine.atomic``), replaces
regular files only, and writes only what ``read_lesson`` accepts. NumPy and the standard library
only, like the rest of the engine.
"""
from __future__ import annotations

import json
import math
import os
import re
import stat
from dataclasses import dataclass, field
from importlib import resources
from itertools import chain

import numpy as np

from .history import History

from . import datasets
from .activations import ACTIVATIONS
from .atomic import FileStamp, NotRegularFileError, atomic_write, file_kind
from .datasets import GENERATORS, GeneratorSettings
from .losses import LOSSES
from .network import UPDATE_ORDERS, Network

FORMAT = "backprop-lab"
VERSION = 2  # the newest version read and written; version 1 is written when it is enough
# ("state" and "history" are optional additions that version-1 readers ignore)

MAX_FILE_BYTES = 50 * 2**20   # checked before a byte is parsed
MAX_VALUES = 1_000_000        # JSON values (numbers, lists, …) in one file, counted before parsing
MAX_DEPTH = 32                # nesting inside the top-level keys this version does not interpret
MAX_LAYERS = 64
MAX_LAYER_WIDTH = 1000
MAX_NEURONS = 10_000
MAX_PARAMS = 100_000          # weights and biases: building the network stays well under a second
MAX_HISTORY_CAPACITY = 2**16
MAX_HISTORY_CELLS = 2**21     # capacity × columns: the History's three arrays stay under 50 MB
MAX_INT_DIGITS = 40           # longer integer literals become floats (and overflow to inf)
MAX_COUNT = 2**62             # steps, strides, seeds
MAX_MESSAGE = 400             # characters in an error message

KNOWN_KEYS = ("format", "version", "name", "description", "network", "data", "training",
              "state", "history")
NETWORK_KEYS = ("layers", "activations", "loss", "update_order", "weights", "biases", "frozen")
DATA_KEYS = ("inputs", "targets", "features", "test_ratio", "split_seed", "generator")
TRAINING_KEYS = ("lr", "batch_size", "seed", "shuffle_seed")
GENERATOR_KEYS = ("name", "count", "noise", "seed")
V2_KEYS = {"data": ("features", "test_ratio", "split_seed", "generator"),
           "training": ("shuffle_seed",)}
HISTORY_KEYS = ("columns", "capacity", "stride", "n_steps", "start", "last", "lo", "hi")


class LessonFileError(ValueError):
    """A lesson (file or JSON form) that cannot be read or written. The message is one line that
    names the field and the problem; it never names the file (callers add that)."""

    def __init__(self, message):
        super().__init__(_one_line(str(message)))


@dataclass
class Lesson:
    """A network and its data set, with the settings of its training.

    ``inputs`` (N, n_in) are what the network takes, all N samples: the raw inputs, then one
    column per feature of ``features`` (in ``datasets.FEATURES`` order, made by
    ``datasets.with_features``) — so ``network.train(lesson.inputs, lesson.targets, …)`` fits
    whatever the lesson holds. ``raw_inputs`` are the first n_in − len(features) columns,
    which is what a file stores; the feature columns must be exactly what the features make of
    them (``lesson_to_dict`` checks). ``targets`` (N, n_out).

    The split: ``test_ratio`` of the samples (0 to 0.9) are held out for testing, chosen by
    ``split_seed`` (``split()``, ``train_test()``); training uses the rest. ``batch_size`` is
    at most the number of training samples; ``shuffle_seed`` (None: samples in order) gives
    ``Network.train`` a new order every epoch. ``generator``: the ``GeneratorSettings`` the
    data came from, or None (kept in the file; the data is stored either way).
    """

    network: Network
    inputs: np.ndarray   # (N, n_in): the raw inputs, then the feature columns
    targets: np.ndarray  # (N, n_out)
    lr: float = 0.5
    batch_size: int | None = None
    seed: int = 0
    name: str = ""
    description: str = ""
    extra: dict = field(default_factory=dict)  # top-level keys this version does not interpret
    features: tuple = ()         # datasets.FEATURES keys, in that order
    test_ratio: float = 0.0
    split_seed: int = 0
    shuffle_seed: int | None = None
    generator: GeneratorSettings | None = None

    @property
    def n_raw(self):
        """The number of raw inputs: the input layer less the features."""
        return self.network.sizes[0] - len(self.features)

    @property
    def raw_inputs(self):
        """(N, n_raw): the inputs without the feature columns (a view)."""
        return np.asarray(self.inputs)[:, :self.n_raw]

    def split(self):
        """(train_idx, test_idx): ``datasets.split(N, test_ratio, split_seed)``, both sorted."""
        return datasets.split(len(self.inputs), self.test_ratio, self.split_seed)

    def train_test(self):
        """(X_train, T_train, X_test, T_test): the network's inputs and the targets of the
        training and the test samples (copies, in sample order; the test arrays have 0 rows
        when ``test_ratio`` leaves none)."""
        train, test = self.split()
        X, T = np.asarray(self.inputs), np.asarray(self.targets)
        return X[train], T[train], X[test], T[test]

    def uses_version_2(self):
        """Does the lesson use a field that needs version 2 of the file format?"""
        return bool(self.features or self.test_ratio or self.split_seed
                    or self.shuffle_seed is not None or self.generator is not None)


# -- messages --------------------------------------------------------------------------------------
_MISSING = object()
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_,]*")


def _safe(text):
    """``text`` that any terminal or Qt label can show: no lone surrogates."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _one_line(text):
    text = _safe(re.sub(r"[\x00-\x1f\x7f]+", " ", text)).strip()
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE - 1] + "…"


def _short(value, limit=40):
    """A value as JSON, cut short: for messages."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=True)
    except (TypeError, ValueError, RecursionError):
        text = type(value).__name__
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _describe(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value} (not a finite number)"
    if isinstance(value, (int, float)):
        return f"the number {_short(value)}"
    if isinstance(value, str):
        return f"the text {_short(value)}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _join(where, key):
    """The path of ``key`` inside ``where``: ``network.weights.w35``, ``data.inputs[2]``."""
    if isinstance(key, int):
        return f"{where}[{key}]"
    if _IDENT.fullmatch(key):
        return f"{where}.{key}" if where else key
    return f"{where}[{_short(key)}]" if where else f"[{_short(key)}]"


# -- field readers: each names the path it reads ---------------------------------------------------
def _obj(value, where):
    if type(value) is not dict:
        raise LessonFileError(f"{where} must be an object, not {_describe(value)}")
    return value


def _get(d, key, where, default=_MISSING):
    if key in d:
        return d[key]
    if default is _MISSING:
        raise LessonFileError(f"{_join(where, key)} is missing")
    return default


def _no_unknown(d, known, where):
    for key in d:
        if key not in known:
            raise LessonFileError(f"{_join(where, key)} is not a field this version knows "
                                  f"(known: {', '.join(known)})")


def _str(value, where):
    if type(value) is not str:
        raise LessonFileError(f"{where} must be a string, not {_describe(value)}")
    return value


def _list(value, where):
    if type(value) is not list:
        raise LessonFileError(f"{where} must be a list, not {_describe(value)}")
    return value


def _number(value, where):
    if type(value) not in (int, float):
        raise LessonFileError(f"{where} must be a number, not {_describe(value)}")
    v = float(value)
    if not math.isfinite(v):
        raise LessonFileError(f"{where} must be a finite number, not {v}")
    return v


def _int(value, where, lo=0, hi=MAX_COUNT):
    if type(value) is not int:
        raise LessonFileError(f"{where} must be a whole number, not {_describe(value)}")
    if not lo <= value <= hi:
        raise LessonFileError(f"{where} must be from {lo:,} to {hi:,}, not {_short(value)}")
    return value


def _matrix(rows, n, where, need, min_rows=1, note=""):
    """A (len(rows), n) float64 array from a list of lists of finite numbers (or an array);
    ``note`` follows the count a row needs in the message."""
    if isinstance(rows, np.ndarray):
        if rows.ndim != 2 or rows.shape[1] != n or rows.dtype != np.float64:
            raise LessonFileError(f"{where} must be a (rows, {n}) float64 array")
        arr = rows
    else:
        _list(rows, where)
        # C-speed checks first; the row-by-row search only runs to name a problem
        if not (set(map(type, rows)) <= {list} and set(map(len, rows)) <= {n}
                and set(map(type, chain.from_iterable(rows))) <= {float, int}):
            for i, row in enumerate(rows):
                if type(row) is not list:
                    raise LessonFileError(f"{where}[{i}] must be a list of {n} numbers, "
                                          f"not {_describe(row)}")
                if len(row) != n:
                    raise LessonFileError(f"{where}[{i}] has {len(row)} values, {need} {n}"
                                          f"{note}")
                for k, v in enumerate(row):
                    _number(v, f"{where}[{i}][{k}]")
        arr = np.array(rows, dtype=np.float64).reshape(len(rows), n)
    if len(arr) < min_rows:
        raise LessonFileError(f"{where} is empty; it needs at least {min_rows} row")
    bad = ~np.isfinite(arr)
    if bad.any():
        i, k = np.argwhere(bad)[0]
        raise LessonFileError(f"{where}[{i}][{k}] must be a finite number, not {arr[i, k]}")
    return arr


def _check_plain(value, where):
    """JSON kept as it is (``Lesson.extra``): at most ``MAX_DEPTH`` deep, numbers finite."""
    stack = [(value, 1)]
    while stack:  # fast pass, no paths
        v, depth = stack.pop()
        if type(v) is float and not math.isfinite(v) or depth > MAX_DEPTH:
            _find_plain_problem(value, where, 1)
        if type(v) is dict:
            stack.extend((x, depth + 1) for x in v.values())
        elif type(v) is list:
            stack.extend((x, depth + 1) for x in v)


def _find_plain_problem(v, where, depth):
    if depth > MAX_DEPTH:
        raise LessonFileError(f"{where} is nested too deeply (more than {MAX_DEPTH} levels)")
    if type(v) is float and not math.isfinite(v):
        raise LessonFileError(f"{where} must be a finite number, not {v}")
    items = v.items() if type(v) is dict else enumerate(v) if type(v) is list else ()
    for k, x in items:
        _find_plain_problem(x, _join(where, k), depth + 1)


# -- the JSON form ---------------------------------------------------------------------------------
def lesson_to_dict(lesson: Lesson) -> dict:
    """The JSON form (version 1 unless the lesson uses a version-2 field); ``LessonFileError``
    for a lesson whose version-2 fields do not fit its network or data."""
    net = lesson.network
    theta = net.theta
    v2 = lesson.uses_version_2()
    raw = _raw_inputs_to_write(lesson) if v2 else lesson.inputs
    d = {
        "format": FORMAT,
        "version": 2 if v2 else 1,
        "name": lesson.name,
        "description": lesson.description,
        "network": {
            "layers": list(net.sizes),
            "activations": list(net.activations),
            "loss": net.loss,
            "update_order": net.update_order,
            "weights": {p.label: float(theta[p.index]) for p in net.parameters() if p.kind == "w"},
            "biases": {p.label: float(theta[p.index]) for p in net.parameters() if p.kind == "b"},
            "frozen": [p.label for p in net.parameters() if net.frozen[p.index]],
        },
        "data": {"inputs": np.asarray(raw, dtype=np.float64).tolist(),
                 "targets": np.asarray(lesson.targets, dtype=np.float64).tolist()},
        "training": {"lr": float(lesson.lr),
                     "batch_size": None if lesson.batch_size is None else int(lesson.batch_size),
                     "seed": int(lesson.seed)},
    }
    if v2:
        d["data"].update(features=list(lesson.features), test_ratio=float(lesson.test_ratio),
                         split_seed=int(lesson.split_seed))
        g = lesson.generator
        if g is not None:
            d["data"]["generator"] = {"name": g.name, "count": int(g.count),
                                      "noise": float(g.noise), "seed": int(g.seed)}
        d["training"]["shuffle_seed"] = (None if lesson.shuffle_seed is None
                                         else int(lesson.shuffle_seed))
    d.update((k, v) for k, v in lesson.extra.items() if k not in KNOWN_KEYS)
    return d


def _raw_inputs_to_write(lesson):
    """The raw inputs of a lesson with features, after checking that the features fit the
    network and that the feature columns are what the features make of the raw inputs."""
    X = np.asarray(lesson.inputs, dtype=np.float64)
    n_in = lesson.network.sizes[0]
    if X.ndim != 2 or X.shape[1] != n_in:
        raise LessonFileError(f"the lesson's inputs have shape {X.shape}; the network needs "
                              f"{n_in} values per row")
    n_raw = n_in - len(lesson.features)
    if n_raw < 1:
        raise LessonFileError(f"data.features has {len(lesson.features)} features; the network's "
                              f"{n_in} inputs leave no raw input")
    try:
        keys = datasets.check_features(lesson.features, n_raw)
    except ValueError as e:
        raise LessonFileError(f"data.features: {e}") from None
    if keys != tuple(lesson.features):
        raise LessonFileError(f"data.features must be in the order {', '.join(datasets.FEATURES)}"
                              f", not {', '.join(lesson.features)}")
    raw = X[:, :n_raw]
    made = datasets.with_features(raw, keys)
    if made.tobytes() != X.tobytes():
        column = int(np.argwhere((made != X) | (np.signbit(made) != np.signbit(X)))[0][1])
        name = datasets.feature_names(keys, n_raw)[column]
        raise LessonFileError(f"the lesson's input column {column + 1} ({name}) is not what "
                              "its feature makes of the raw inputs; make the inputs with "
                              "engine.datasets.with_features")
    return raw


def document_to_dict(lesson: Lesson, history=None, step_count=0) -> dict:
    """The whole saved state: the lesson, ``state.step_count`` and, when given, the history
    (an ``engine.history.History`` or its ``to_dict()``)."""
    d = lesson_to_dict(lesson)
    d["state"] = {"step_count": int(step_count)}
    if history is not None:
        hd = history.to_dict() if hasattr(history, "to_dict") else dict(history)
        if (hd.get("start") or 0) + hd["n_steps"] != step_count:
            raise LessonFileError(f"the history ends at step {(hd.get('start') or 0) + hd['n_steps']:,}"
                                  f", not at the step count {step_count:,}")
        out = {"columns": ["loss", *lesson.network.labels]}
        for k, v in hd.items():
            if k == "columns" or k in ("lo", "hi") and hd.get("stride") == 1 or (
                    k == "start" and not v):
                continue  # while each bucket holds one step, lo and hi are last
            out[k] = v.tolist() if isinstance(v, np.ndarray) else v
        d["history"] = out
    return d


def _network_from_dict(nd):
    nd = _obj(nd, "network")
    _no_unknown(nd, NETWORK_KEYS, "network")
    layers = _list(_get(nd, "layers", "network"), "network.layers")
    if not 2 <= len(layers) <= MAX_LAYERS:
        raise LessonFileError(f"network.layers needs 2 to {MAX_LAYERS} layers (inputs first, "
                              f"outputs last), not {len(layers)}")
    for k, n in enumerate(layers):
        _int(n, f"network.layers[{k}]", 1, MAX_LAYER_WIDTH)
    if sum(layers) > MAX_NEURONS:
        raise LessonFileError(f"network.layers has {sum(layers):,} neurons; this app draws at "
                              f"most {MAX_NEURONS:,}")
    n_params = sum((a + 1) * b for a, b in zip(layers, layers[1:]))
    if n_params > MAX_PARAMS:
        raise LessonFileError(f"network.layers makes {n_params:,} weights and biases; this app "
                              f"handles at most {MAX_PARAMS:,}")
    acts = _list(_get(nd, "activations", "network"), "network.activations")
    if len(acts) != len(layers) - 1:
        raise LessonFileError(f"network.activations has {len(acts)} entries; the "
                              f"{len(layers) - 1} non-input layers need {len(layers) - 1}")
    for k, a in enumerate(acts):
        where = f"network.activations[{k}]"
        if _str(a, where) not in ACTIVATIONS:
            raise LessonFileError(f"{where} is {_short(a)}; choose one of {', '.join(ACTIVATIONS)}")
        if a == "softmax" and k < len(acts) - 1:
            raise LessonFileError(f"{where} is softmax, which is for the output layer only")
    loss = _str(_get(nd, "loss", "network"), "network.loss")
    if loss not in LOSSES:
        raise LessonFileError(f"network.loss is {_short(loss)}; choose one of {', '.join(LOSSES)}")
    order = _str(_get(nd, "update_order", "network", "simultaneous"), "network.update_order")
    if order not in UPDATE_ORDERS:
        raise LessonFileError(f"network.update_order is {_short(order)}; choose one of "
                              f"{', '.join(UPDATE_ORDERS)}")
    try:
        net = Network(layers, acts, loss, update_order=order)
    except ValueError as e:
        raise LessonFileError(f"network: {e}") from None

    shape = "-".join(map(str, layers))
    theta = np.empty(net.n_params)
    for kind, key, noun in (("w", "weights", "weight"), ("b", "biases", "bias")):
        where = f"network.{key}"
        values = _obj(_get(nd, key, "network"), where)
        wanted = [p for p in net.parameters() if p.kind == kind]
        labels = {p.label for p in wanted}
        for label in values:
            if label not in labels:
                raise LessonFileError(f"{_join(where, label)} is not a {noun} of this {shape} "
                                      "network")
        for p in wanted:
            theta[p.index] = _number(_get(values, p.label, where), f"{where}.{p.label}")
    net.set_params(theta)
    for k, label in enumerate(_list(_get(nd, "frozen", "network", []), "network.frozen")):
        p = net.layout.by_label.get(_str(label, f"network.frozen[{k}]"))
        if p is None:
            raise LessonFileError(f"network.frozen[{k}] is {_short(label)}, not a parameter of "
                                  f"this {shape} network")
        net.frozen[p.index] = True
    return net


def lesson_from_dict(d) -> Lesson:
    """A Lesson from the JSON form; ``LessonFileError`` (a ValueError) naming the field that is
    wrong. ``state`` and ``history`` are checked too, but only ``document_from_dict`` returns
    them."""
    return document_from_dict(d)[0]


def _version(d, newest):
    """A file's ``version``: a whole number from 1 to ``newest`` (what this app reads)."""
    version = _get(d, "version", "")
    if type(version) is not int:
        raise LessonFileError(f"version must be a whole number, not {_describe(version)}")
    if version > newest:
        raise LessonFileError(f"version {_short(version)} is newer than this Backprop Lab reads "
                              f"(up to {newest}); update Backprop Lab to open it")
    if version < 1:
        raise LessonFileError(f"version must be 1 or more, not {version}")
    return version


def document_from_dict(d):
    """(Lesson, history or None, step_count) from the JSON form; the history is an
    ``engine.history.History`` ending at the step count."""
    if type(d) is not dict:
        raise LessonFileError(f"the file must hold a JSON object (a lesson), not {_describe(d)}")
    if "format" not in d:
        raise LessonFileError(f'format is missing: a lesson file starts with "format": "{FORMAT}"')
    if d["format"] != FORMAT:
        raise LessonFileError(f'format must be "{FORMAT}", not {_describe(d["format"])}')
    version = _version(d, VERSION)
    name = _str(_get(d, "name", "", ""), "name")
    description = _str(_get(d, "description", "", ""), "description")

    net = _network_from_dict(_get(d, "network", ""))
    dd = _obj(_get(d, "data", ""), "data")
    _no_unknown(dd, DATA_KEYS, "data")
    td = _obj(_get(d, "training", ""), "training")
    _no_unknown(td, TRAINING_KEYS, "training")
    if version == 1:  # the migration: version 1 is version 2 without its new fields
        for key, fields in V2_KEYS.items():
            for f in fields:
                if f in (dd if key == "data" else td):
                    raise LessonFileError(f"{key}.{f} needs version 2 of the file format; this "
                                          "file says version 1")
    n_in, n_out = net.sizes[0], net.sizes[-1]
    features = _features(dd, n_in)
    n_raw = n_in - len(features)
    note = "" if not features else (f" (its {n_in} inputs less {len(features)} "
                                    f"feature{'s' if len(features) > 1 else ''} of data.features)")
    raw = _matrix(_get(dd, "inputs", "data"), n_raw, "data.inputs", "the network needs",
                  note=note)
    X = datasets.with_features(raw, features) if features else raw
    T = _matrix(_get(dd, "targets", "data"), n_out, "data.targets", "the network needs")
    if len(X) != len(T):
        raise LessonFileError(f"data.targets has {len(T)} rows but data.inputs has {len(X)}; "
                              "each input row needs its target row")
    test_ratio = _number(_get(dd, "test_ratio", "data", 0.0), "data.test_ratio")
    if not 0.0 <= test_ratio <= datasets.MAX_TEST_RATIO:
        raise LessonFileError(f"data.test_ratio must be from 0 to {datasets.MAX_TEST_RATIO}, not "
                              f"{_short(test_ratio)}")
    split_seed = _int(_get(dd, "split_seed", "data", 0), "data.split_seed")
    generator = _generator(dd, n_raw, n_out)
    n_train = len(X) - datasets.n_test(len(X), test_ratio)

    lr = _number(_get(td, "lr", "training"), "training.lr")
    if lr <= 0:
        raise LessonFileError(f"training.lr must be greater than 0, not {lr}")
    bs = _get(td, "batch_size", "training", None)
    if bs is not None and (type(bs) is not int or not 1 <= bs <= n_train):
        samples = ("(the number of samples)" if n_train == len(X) else
                   f"(the training samples: {len(X)} less {len(X) - n_train} for testing)")
        raise LessonFileError(f"training.batch_size must be null or a whole number from 1 to "
                              f"{n_train} {samples}, not {_describe(bs)}")
    seed = _int(_get(td, "seed", "training", 0), "training.seed")
    shuffle_seed = _get(td, "shuffle_seed", "training", None)
    if shuffle_seed is not None:
        shuffle_seed = _int(shuffle_seed, "training.shuffle_seed")

    step_count = 0
    if "state" in d:
        sd = _obj(d["state"], "state")
        _no_unknown(sd, ("step_count",), "state")
        step_count = _int(_get(sd, "step_count", "state", 0), "state.step_count")
    history = None
    if d.get("history") is not None:
        parsed = parse_history(d["history"], 1 + net.n_params, "history",
                               ["loss", *net.labels])
        parsed["start"] = _history_start(parsed, step_count)
        history = History.from_parsed(parsed, 1 + net.n_params)

    extra = {k: v for k, v in d.items() if k not in KNOWN_KEYS}
    for k, v in extra.items():
        _check_plain(v, _join("", k))
    lesson = Lesson(net, X, T, lr, bs, seed, name, description, extra, features, test_ratio,
                    split_seed, shuffle_seed, generator)
    if "runs" in extra:  # comparison runs (engine.variants), kept in extra, checked here
        from .variants import check_runs
        try:
            check_runs(extra["runs"], lesson, step_count)
        except ValueError as e:
            raise LessonFileError(str(e)) from None
    return lesson, history, step_count


def _features(dd, n_in):
    """``data.features`` checked: known keys, each once, in ``datasets.FEATURES`` order, at
    least one raw input left, x2 there for the features that need it."""
    keys = _list(_get(dd, "features", "data", []), "data.features")
    for k, key in enumerate(keys):
        where = f"data.features[{k}]"
        if _str(key, where) not in datasets.FEATURES:
            raise LessonFileError(f"{where} is {_short(key)}; choose from "
                                  f"{', '.join(datasets.FEATURES)}")
        if key in keys[:k]:
            raise LessonFileError(f"{where} is {_short(key)}, which data.features already lists")
    if len(keys) >= n_in:
        raise LessonFileError(f"data.features has {len(keys)} features, but the network has "
                              f"{n_in} inputs: that leaves no raw input (network.layers[0] is "
                              "the raw inputs plus the features)")
    try:
        checked = datasets.check_features(keys, n_in - len(keys))
    except ValueError as e:
        raise LessonFileError(f"data.features: {e} (network.layers[0] is the raw inputs plus "
                              "the features)") from None
    if list(checked) != keys:
        raise LessonFileError(f"data.features must be in the order {', '.join(datasets.FEATURES)}"
                              f" (the order of the input neurons), not {', '.join(keys)}")
    return checked


def _bound(v):
    """0, 1, 0.9: a bound as a person writes it."""
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def _generator(dd, n_raw, n_out):
    """``data.generator`` checked, as ``GeneratorSettings``, or None."""
    gd = _get(dd, "generator", "data", None)
    if gd is None:
        return None
    where = "data.generator"
    gd = _obj(gd, where)
    _no_unknown(gd, GENERATOR_KEYS, where)
    name = _str(_get(gd, "name", where), f"{where}.name")
    if name not in GENERATORS:
        raise LessonFileError(f"{where}.name is {_short(name)}; choose one of "
                              f"{', '.join(GENERATORS)}")
    g = GENERATORS[name]
    count = _int(_get(gd, "count", where), f"{where}.count", *g.count_range)
    noise = _number(_get(gd, "noise", where), f"{where}.noise")
    lo, hi = g.noise_range
    if not lo <= noise <= hi:
        raise LessonFileError(f"{where}.noise must be from {_bound(lo)} to {_bound(hi)}, not "
                              f"{_short(noise)}")
    seed = _int(_get(gd, "seed", where), f"{where}.seed", 0, datasets.MAX_SEED)
    if (g.n_inputs, g.n_outputs) != (n_raw, n_out):
        raise LessonFileError(f"{where}.name is {_short(name)}, which makes {g.n_inputs} raw "
                              f"input{'s' if g.n_inputs > 1 else ''} and {g.n_outputs} target "
                              f"per sample; this lesson has {n_raw} and {n_out}")
    return GeneratorSettings(name, count, noise, seed)


def _history_start(history, step_count):
    """The step the history starts after: its ``start``, which must end it at the step count;
    files without one (older saves) end it there."""
    start = history.get("start")
    if start is None:
        start = step_count - history["n_steps"]
        if start < 0:
            raise LessonFileError(f"history.n_steps is {history['n_steps']:,}, more than "
                                  f"state.step_count ({step_count:,})")
    elif start + history["n_steps"] != step_count:
        raise LessonFileError(f"history.start + history.n_steps is "
                              f"{start + history['n_steps']:,}; state.step_count is "
                              f"{step_count:,}")
    return start


def parse_history(hd, n_columns, where="history", columns=None) -> dict:
    """A checked history: ``capacity`` (even, ≥ 2), ``stride`` (a power of two), ``n_steps``
    (what ``len(last)`` buckets of ``stride`` steps can hold), ``last`` (one row of
    ``n_columns`` finite numbers per bucket), ``lo`` and ``hi`` (required once ``stride`` > 1; with
    ``lo ≤ last ≤ hi``). ``columns``, when the file has it, must match the given names."""
    hd = _obj(hd, where)
    _no_unknown(hd, HISTORY_KEYS, where)
    if columns is not None and "columns" in hd:
        got = _list(hd["columns"], f"{where}.columns")
        for i, (a, b) in enumerate(zip(got, columns)):
            if a != b:
                raise LessonFileError(f"{where}.columns[{i}] is {_short(a)}; column {i} of this "
                                      f"network is {_short(b)}")
        if len(got) != len(columns):
            raise LessonFileError(f"{where}.columns has {len(got)} names; this network has "
                                  f"{len(columns)} columns (the loss and each parameter)")
    capacity = _int(_get(hd, "capacity", where), f"{where}.capacity", 2, MAX_HISTORY_CAPACITY)
    if capacity % 2:
        raise LessonFileError(f"{where}.capacity must be even, not {capacity}")
    if capacity * n_columns > MAX_HISTORY_CELLS:
        raise LessonFileError(f"{where}.capacity {capacity} × {n_columns} columns is more than "
                              f"this app keeps ({MAX_HISTORY_CELLS:,} values)")
    stride = _int(_get(hd, "stride", where), f"{where}.stride", 1)
    if stride & (stride - 1):
        raise LessonFileError(f"{where}.stride must be a power of two (1, 2, 4, …), not {stride}")
    n_steps = _int(_get(hd, "n_steps", where), f"{where}.n_steps")
    start = _int(hd["start"], f"{where}.start") if "start" in hd else None
    need = "the history needs"
    last = _matrix(_get(hd, "last", where), n_columns, f"{where}.last", need, min_rows=0)
    n = len(last)
    if n > capacity:
        raise LessonFileError(f"{where}.last has {n} rows, more than the capacity {capacity}")
    arrays = {"last": last}
    for key in ("lo", "hi"):
        if key in hd:
            arr = _matrix(hd[key], n_columns, f"{where}.{key}", need, min_rows=0)
            if len(arr) != n:
                raise LessonFileError(f"{where}.{key} has {len(arr)} rows; {where}.last has {n}")
            arrays[key] = arr
        elif stride > 1:
            raise LessonFileError(f"{where}.{key} is missing (needed once stride > 1)")
        else:
            arrays[key] = last
    lo, hi = arrays["lo"], arrays["hi"]
    for a, b, rule in ((lo, last, "lo ≤ last"), (last, hi, "last ≤ hi")):
        bad = a > b
        if bad.any():
            i, k = np.argwhere(bad)[0]
            raise LessonFileError(f"{where} bucket {i}, column {k} breaks {rule}")
    if stride == 1 and not (np.array_equal(lo, last) and np.array_equal(hi, last)):
        raise LessonFileError(f"{where}.lo and {where}.hi must equal {where}.last while the "
                              "stride is 1 (one step per bucket)")
    if n == 0 and n_steps != 0 or n and not (n - 1) * stride < n_steps <= n * stride:
        held = "no steps" if n == 0 else f"{(n - 1) * stride + 1:,} to {n * stride:,} steps"
        raise LessonFileError(f"{where}.n_steps is {n_steps:,}, but {n} buckets of {stride} "
                              f"hold {held}")
    return {"capacity": capacity, "stride": stride, "n_steps": n_steps, "start": start,
            "lo": lo.copy() if lo is last else lo, "hi": hi.copy() if hi is last else hi,
            "last": last}


# -- text and files --------------------------------------------------------------------------------
def _parse_int(text):
    return int(text) if len(text) <= MAX_INT_DIGITS else float(text)


def _check_bytes(data: bytes, kind="lesson", error=LessonFileError, max_bytes=None,
                 max_values=None):
    """Refuse a ``kind`` file (lesson, script) too large to parse safely: ``error`` (the
    limits: a lesson file's unless given)."""
    max_bytes = MAX_FILE_BYTES if max_bytes is None else max_bytes
    max_values = MAX_VALUES if max_values is None else max_values
    if len(data) > max_bytes:
        raise error(f"the file is larger than {max_bytes // 2**20} MB; {kind} files are "
                    "limited to that")
    # every value but the first in a list or object follows a comma: this bounds the values
    values = data.count(b",") + data.count(b"[") + data.count(b"{")
    if values > max_values:
        raise error(f"the file holds more than {max_values:,} values; {kind} files are "
                    "limited to that")


def parse_json_file(data: bytes | str, kind="lesson", error=LessonFileError,
                    max_bytes=None, max_values=None, parse_constant=None):
    """The JSON value a ``kind`` file's bytes (UTF-8) or text hold, read safely: too large,
    empty, not UTF-8, nested too deeply or not JSON is ``error`` with one line."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    _check_bytes(data, kind, error, max_bytes, max_values)
    if not data.strip():
        raise error("the file is empty")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise error(f"the file is not UTF-8 text (byte 0x{data[e.start]:02x} at "
                    f"offset {e.start})") from None
    try:
        return json.loads(text, parse_int=_parse_int, parse_constant=parse_constant)
    except RecursionError:
        raise error(f"the file is nested too deeply to be a {kind}") from None
    except json.JSONDecodeError as e:
        ended = e.pos >= len(text.rstrip())
        raise error(f"the file is not valid JSON: {e.msg} at line {e.lineno}, column "
                    f"{e.colno}" + (" (the file ends early: is it cut off?)"
                                    if ended else "")) from None
    except ValueError as e:
        raise error(f"the file is not valid JSON: {e}") from None


def loads_document(data: bytes | str):
    """(Lesson, history or None, step_count) from a file's bytes (UTF-8) or text."""
    d = parse_json_file(data)
    return document_from_dict(d)


def _dump(obj, level=0):
    """JSON laid out for reading: objects one key per line, lists of numbers on one line."""
    pad, inner = "  " * level, "  " * (level + 1)
    if type(obj) is dict and obj:
        return "{\n" + ",\n".join(f"{inner}{json.dumps(k, ensure_ascii=False)}: "
                                  f"{_dump(v, level + 1)}" for k, v in obj.items()) + f"\n{pad}}}"
    if type(obj) is list and any(type(v) in (dict, list) for v in obj):
        return "[\n" + ",\n".join(f"{inner}{_dump(v, level + 1)}" for v in obj) + f"\n{pad}]"
    return json.dumps(obj, ensure_ascii=False, allow_nan=False)


def dumps_document(lesson: Lesson, history=None, step_count=0) -> bytes:
    """The file's bytes (UTF-8 JSON). Raises ``LessonFileError`` for anything ``loads_document``
    would refuse (it reads the bytes back before they are returned), e.g. a history that makes the
    file larger than the limits."""
    try:
        text = _dump(document_to_dict(lesson, history, step_count)) + "\n"
    except LessonFileError:
        raise  # already names its field
    except (TypeError, ValueError, RecursionError) as e:
        raise LessonFileError(f"the lesson cannot be written as JSON: {e}") from None
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate in a name: keep it as a JSON escape
        data = text.encode("utf-8", "backslashreplace")
    loads_document(data)  # never write what cannot be read back
    return data


def read_file(path):
    """(bytes, ``os.stat_result``) of the lesson file at ``path``, read safely: only a regular
    file is opened (a FIFO, device, socket or folder is refused before anything can block: the
    path is checked first, then opened non-blocking where the OS allows and checked again on the
    open descriptor), and never more than ``MAX_FILE_BYTES``. ``LessonFileError`` with a one-line
    message otherwise. The stat is the open file's, so the two belong together (``FileStamp``)."""
    try:
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            _not_regular(mode)
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
        with open(fd, "rb", closefd=True) as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):  # swapped between the stat and the open
                _not_regular(st.st_mode)
            if st.st_size > MAX_FILE_BYTES:
                raise LessonFileError(f"the file is larger than {MAX_FILE_BYTES // 2**20} MB; "
                                      "lesson files are limited to that")
            data = f.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise LessonFileError("no such file") from None
    except IsADirectoryError:
        raise LessonFileError("this is a folder, not a file") from None
    except PermissionError:
        raise LessonFileError("permission denied: the file cannot be read") from None
    except OSError as e:
        raise LessonFileError(f"the file cannot be read: {e.strerror or e}") from None
    return data, st


def _not_regular(mode):
    if stat.S_ISDIR(mode):
        raise LessonFileError("this is a folder, not a file")
    raise LessonFileError(f"this is {file_kind(mode)}, not a regular file; only lesson files "
                          "can be opened")


def read_lesson(path):
    """(Lesson, history or None, step_count) from the file at ``path``; ``LessonFileError`` with a
    one-line message for a file that cannot be read (see ``read_file``) or is not a valid
    lesson."""
    return loads_document(read_file(path)[0])


def read_document(path):
    """``read_lesson``'s (Lesson, history or None, step_count) and the ``FileStamp`` of the bytes
    they were read from, to tell later whether another program changed the file."""
    data, st = read_file(path)
    return (*loads_document(data), FileStamp.of(st, data))


def write_lesson(path, lesson: Lesson, history=None, step_count=0):
    """Save atomically: a temporary file in the same folder, flushed and fsynced, then renamed over
    ``path``. On any error (``LessonFileError``) the old file is untouched and no temporary file
    is left behind. Returns the ``FileStamp`` of what was written (see ``write_bytes``)."""
    return write_bytes(path, dumps_document(lesson, history, step_count))


def write_bytes(path, data: bytes):
    """Write ``dumps_document``'s bytes atomically; ``LessonFileError`` when the file cannot be
    written (the old one is then untouched), e.g. ``is not a regular file (a character device);
    choose another name`` for a target that exists and is not a regular file — nothing is written
    to it. Returns the ``FileStamp`` of the file as written (None if it is already gone)."""
    try:
        atomic_write(path, data)
    except NotRegularFileError as e:
        raise LessonFileError(str(e)) from None
    except OSError as e:
        raise LessonFileError(f"the file cannot be written: {e.strerror or e}") from None
    try:
        return FileStamp.of(os.stat(path), data)
    except OSError:  # written, then removed at once by someone else
        return None


# -- presets ---------------------------------------------------------------------------------------
def preset_names() -> list[str]:
    """The presets shipped in resources/presets, by file stem, in a stable order."""
    folder = resources.files("resources") / "presets"
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".json"))


def load_preset(name: str) -> Lesson:
    if name not in preset_names():
        raise ValueError(f"no preset {name!r}; choose one of {', '.join(preset_names())}")
    data = (resources.files("resources") / "presets" / f"{name}.json").read_bytes()
    return loads_document(data)[0]
