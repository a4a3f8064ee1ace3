"""Exercise sheets: seeded variants of a lesson's network to work by hand, and their answer key.

``make_exercises(lesson, settings)`` draws ``settings.count`` variants of the lesson's network —
the same layers, activations, loss, η and update order, with new weights, biases, one input
sample and its targets — each number a multiple of 0.1 (or 0.01) from the range the teacher set,
so a student can work it with pencil and paper. A drawn variant is **rejected**, and the next one
drawn instead, when

* every ReLU of a layer is dead for its sample (net ≤ 0: nothing reaches the layers below),
* an answer asked for is trivial: it rounds to 0 at the answer's decimals (an updated weight:
  its change does),
* every gradient rounds to 0 (the step would change nothing),
* a line of an answer's derivation cannot give its result from the numbers shown ("≈").

The variants are drawn one after another from ``numpy.random.default_rng(seed)``, so the same
settings give the same variants (and the same bytes on every renderer), and a sheet of 4 is the
first 4 of a sheet of 8.

``ExerciseSet.sheet()`` is the sheet (the givens and the questions of every variant) and
``.key()`` the answer key (each answer rounded by ``engine.numbers.fmt``, then its derivation
from ``engine.derivation.Explainer``), both ``Document``s for ``engine.render.render`` (md,
html, tex). Every number is the engine's (``Network.step(…, apply=False)``), never recomputed
here.

Questions (``parse_questions``): ``net3``, ``y3``, ``L``, ``Err5``, ``delta3`` (or ``δ3``),
``dL/dw35`` (or ``grad:w35``, ``dL/db5``) and ``new:w35`` (``new:b5``, the value after the
update).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from . import datasets
from .activations import get_activation
from .derivation import Document, Equation, Explainer, Section, _present, phases
from .losses import get_loss
from .network import Network
from .numbers import decimal_of, exact, fmt

MAX_COUNT = 100      # variants on one sheet
MAX_SEED = 2 ** 62
MAX_TRIES = 500      # drawn variants per emitted one before giving up
MAX_ABS = 1000.0     # the largest range bound a teacher may set
ANSWER_DECIMALS = (1, 6)
DRAWN_DECIMALS = (1, 2)
KINDS = ("net", "y", "L", "err", "delta", "grad", "new")
RANGE_NAMES = ("weights", "biases", "inputs", "targets")
LETTERS = "abcdefghijklmnopqrstuvwxyz"
DEFAULT_WIDTH = 3  # default questions ask about every neuron of a layer this wide or less


# -- questions -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Question:
    """One thing to compute: ``kind`` in ``KINDS``; ``key`` a neuron number (net, y, err,
    delta), None (L), or a parameter ("w", i, j) / ("b", j) (grad, new)."""

    kind: str
    key: object = None

    @property
    def text(self):
        """The question as ``parse_questions`` reads it: "y3", "dL/dw35", "new:b5"."""
        if self.kind == "L":
            return "L"
        if self.kind in ("grad", "new"):
            label = _plabel(self.key)
            return f"dL/d{label}" if self.kind == "grad" else f"new:{label}"
        return {"net": "net", "y": "y", "err": "Err", "delta": "delta"}[self.kind] + str(self.key)

    @property
    def symbol(self):
        """The asked value in the derivations' markup: "y_{3}", "∂L/∂w_{35}", "w_{35}^{new}"."""
        if self.kind == "L":
            return "L"
        if self.kind in ("grad", "new"):
            p = _psym(self.key)
            return f"∂L/∂{p}" if self.kind == "grad" else f"{p}^{{new}}"
        name = {"net": "net", "y": "y", "err": "Err", "delta": "δ"}[self.kind]
        return f"{name}_{{{self.key}}}"

    @property
    def words(self):
        """What the question asks, as prose (markup)."""
        if self.kind == "new":
            p = _psym(self.key)
            return f"${p}$ after the update (${p}^{{new}}$)"
        if self.kind == "grad":
            return f"the gradient ${self.symbol}$"
        if self.kind == "L":
            return f"the loss ${self.symbol}$"
        what = {"net": "net input", "y": "output", "err": "error", "delta": "delta"}[self.kind]
        return f"neuron {self.key}'s {what} ${self.symbol}$"


def _plabel(key):
    if key[0] == "b":
        return f"b{key[1]}"
    i, j = key[1], key[2]
    return f"w{i},{j}" if max(i, j) >= 10 else f"w{i}{j}"


def _psym(key):
    if key[0] == "b":
        return f"b_{{{key[1]}}}"
    i, j = key[1], key[2]
    return f"w_{{{i},{j}}}" if max(i, j) >= 10 else f"w_{{{i}{j}}}"


_TOKEN_SPLIT = re.compile(r"[\s;]+|,(?!\d)")
_NEURON_Q = re.compile(r"(net|y|err|delta|δ|d)(\d+)", re.I)
_PARAM = re.compile(r"(w)(\d+),(\d+)|(w)(\d)(\d)|(b)(\d+)", re.I)


def _param_key(text, layout, token):
    m = _PARAM.fullmatch(text)
    if not m:
        raise ValueError(f"question “{token}”: “{text}” is not a weight or bias (w35, b5, w3,12)")
    if m.group(1) or m.group(4):
        i, j = (int(m.group(2)), int(m.group(3))) if m.group(1) else (int(m.group(5)),
                                                                      int(m.group(6)))
        try:
            layout.weight_index(i, j)
        except ValueError as e:
            raise ValueError(f"question “{token}”: {e}") from None
        return ("w", i, j)
    j = int(m.group(8))
    try:
        layout.bias_index(j)
    except ValueError as e:
        raise ValueError(f"question “{token}”: {e}") from None
    return ("b", j)


def parse_question(token, layout):
    """One ``Question`` from text such as "y3", "net5", "L", "Err5", "delta3"/"δ3",
    "dL/dw35"/"grad:w35"/"∂L/∂w35", "new:w35"; ValueError naming the problem."""
    t = token.strip()
    low = t.lower()
    if t == "L" or low == "loss":
        return Question("L")
    for prefix, kind in (("dl/d", "grad"), ("∂l/∂", "grad"), ("grad:", "grad"),
                         ("new:", "new")):
        if low.startswith(prefix):
            return Question(kind, _param_key(t[len(prefix):], layout, token))
    m = _NEURON_Q.fullmatch(t)
    if not m:
        raise ValueError(f"question “{token}” is not one of net3, y3, L, Err5, delta3, dL/dw35, "
                         "new:w35")
    kind = {"net": "net", "y": "y", "err": "err", "delta": "delta", "δ": "delta",
            "d": "delta"}[m.group(1).lower()]
    j = int(m.group(2))
    try:
        l, _ = layout.locate(j)
    except ValueError as e:
        raise ValueError(f"question “{token}”: {e}") from None
    if l == 0:
        raise ValueError(f"question “{token}”: neuron {j} is an input (x{j}); ask about a "
                         "hidden or output neuron")
    if kind == "err" and l != len(layout.sizes) - 1:
        raise ValueError(f"question “{token}”: Err is defined for output neurons only")
    return Question(kind, j)


def parse_questions(text, layout):
    """The questions in ``text`` (separated by spaces, commas or semicolons), each once, in the
    order given; ValueError for an empty list or a question that does not fit the network."""
    out = []
    for token in _TOKEN_SPLIT.split(str(text)):
        if token.strip():
            q = parse_question(token, layout)
            if q not in out:
                out.append(q)
    if not out:
        raise ValueError("no questions: ask for at least one (e.g. y3, L, delta5, dL/dw35)")
    return tuple(out)


def all_questions(layout):
    """Every question the network allows, in the order of a step: the forward pass (net, y),
    the loss (Err, L), the deltas, then each parameter's gradient and its update."""
    L = len(layout.sizes) - 1
    out = []
    for l in range(1, L + 1):
        for j in layout.neurons(l):
            out += [Question("net", j), Question("y", j)]
    out += [Question("err", k) for k in layout.neurons(L)] + [Question("L")]
    out += [Question("delta", j) for l in range(L, 0, -1) for j in layout.neurons(l)]
    keys = [("w", p.i, p.j) if p.kind == "w" else ("b", p.j) for p in layout.params]
    out += [Question("grad", k) for k in keys] + [Question("new", k) for k in keys]
    return tuple(out)


def default_questions(layout):
    """The outputs of the first hidden layer and of the output layer, L, every δ, and the
    gradient and update of the first weight into the output layer and into the first layer —
    of a layer wider than ``DEFAULT_WIDTH``, only its first neuron's y and δ (every ReLU of a
    wide layer alive at once is rare)."""
    L = len(layout.sizes) - 1

    def some(l):
        js = list(layout.neurons(l))
        return js if len(js) <= DEFAULT_WIDTH else js[:1]

    qs = [Question("y", j) for j in some(1)]
    if L > 1:
        qs += [Question("y", k) for k in some(L)]
    qs.append(Question("L"))
    qs += [Question("delta", j) for l in range(L, 0, -1) for j in some(l)]
    for l in sorted({L, 1}, reverse=True):
        key = ("w", layout.first[l - 1], layout.first[l])
        qs += [Question("grad", key), Question("new", key)]
    return tuple(qs)


# -- settings --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Settings:
    """What a teacher sets. Ranges are (low, high), both included; ``decimals`` (1 or 2) of
    every drawn number; ``answer_decimals`` of the answers; ``questions`` None: the defaults
    (``default_questions``); ``lr`` None: the lesson's η."""

    count: int = 4
    seed: int = 0
    weights: tuple = (-1.0, 1.0)
    biases: tuple = (-0.5, 0.5)
    inputs: tuple = (0.0, 1.0)
    targets: tuple = (0.0, 1.0)
    decimals: int = 1
    answer_decimals: int = 3
    questions: tuple | None = None
    lr: float | None = None

    def check(self):
        """ValueError with one line for a setting out of bounds."""
        _whole(self.count, "count", 1, MAX_COUNT)
        _whole(self.seed, "seed", 0, MAX_SEED)
        _whole(self.decimals, "decimals", *DRAWN_DECIMALS)
        _whole(self.answer_decimals, "answer decimals", *ANSWER_DECIMALS)
        for name in RANGE_NAMES:
            lo, hi = _range(getattr(self, name), name)
            grid = _grid(lo, hi, self.decimals)
            if grid[0] > grid[1]:
                raise ValueError(f"the {name} range {exact(lo)} … {exact(hi)} holds no number "
                                 f"with {self.decimals} decimal{'s' * (self.decimals > 1)}")
        if self.lr is not None and not (isinstance(self.lr, (int, float))
                                        and math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"η must be a positive number, not {self.lr!r}")
        return self


def _whole(v, name, lo, hi):
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not lo <= v <= hi:
        raise ValueError(f"{name} must be a whole number from {lo:,} to {hi:,}, not {v!r}")


def _range(r, name):
    try:
        lo, hi = (float(v) for v in r)
    except (TypeError, ValueError):
        raise ValueError(f"the {name} range must be two numbers (low, high), not {r!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi)) or max(abs(lo), abs(hi)) > MAX_ABS:
        raise ValueError(f"the {name} range must lie within ±{exact(MAX_ABS)}")
    if lo > hi:
        raise ValueError(f"the {name} range is empty: low {exact(lo)} is above high {exact(hi)}")
    return lo, hi


def _grid(lo, hi, decimals):
    """The whole numbers k with k / 10^decimals in [lo, hi] (as exact decimals): (first, last)."""
    scale = Decimal(10) ** decimals
    first = (decimal_of(lo) * scale).to_integral_value(rounding="ROUND_CEILING")
    last = (decimal_of(hi) * scale).to_integral_value(rounding="ROUND_FLOOR")
    return int(first), int(last)


# -- variants --------------------------------------------------------------------------------------
@dataclass
class Variant:
    """One exercise: ``network`` (a copy of the lesson's with the drawn parameters), the sample
    ``x`` (the network's inputs, features included) and ``target``, η, and ``record``, the step
    the engine computed for it (nothing applied)."""

    number: int
    network: Network
    x: np.ndarray
    target: np.ndarray
    lr: float
    record: object
    raw: np.ndarray = None  # the drawn inputs (without feature columns)
    worked: list = None     # the answers' derivations (``worked``), once checked

    def value(self, q):
        """The engine's value of question ``q`` for this variant."""
        rec, lay = self.record, self.network.layout
        if q.kind == "L":
            return rec.loss
        if q.kind == "net":
            return rec.net(q.key)
        if q.kind == "y":
            return rec.out(q.key)
        if q.kind == "err":
            return rec.err(q.key)
        if q.kind == "delta":
            return rec.delta(q.key)
        index = (lay.weight_index(q.key[1], q.key[2]) if q.key[0] == "w"
                 else lay.bias_index(q.key[1]))
        if q.kind == "grad":
            return float(rec.grad[index])
        return float(rec.params_after[index])

    def change(self, q):
        """For an update question, the parameter's change in the step."""
        lay = self.network.layout
        index = (lay.weight_index(q.key[1], q.key[2]) if q.key[0] == "w"
                 else lay.bias_index(q.key[1]))
        return float(self.record.params_after[index] - self.record.params_before[index])


def rounds_to_zero(v, decimals):
    """Does ``v`` show as 0 at ``decimals`` (by ``fmt``'s rule)?"""
    return decimal_of(v).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP).is_zero()


def dead_layer(network, record):
    """The first layer (1 …) whose neurons are all ReLU and all dead (net ≤ 0) for sample 0,
    or None."""
    lay = network.layout
    for l in range(1, len(lay.sizes)):
        if network.activations[l - 1] != "relu":
            continue
        if all(record.net(j) <= 0 for j in lay.neurons(l)):
            return l
    return None


@dataclass
class ExerciseSet:
    """The variants emitted, the questions, the settings and what was rejected on the way
    (``rejected``: (Variant, reason) pairs, at most ``MAX_KEPT_REJECTS`` kept; ``n_rejected``
    counts all)."""

    lesson: object
    settings: Settings
    questions: tuple
    variants: list
    rejected: list = field(default_factory=list)
    n_rejected: int = 0
    source: str = ""  # how the lesson was named on the command line (for the key's note)

    @property
    def name(self):
        return self.lesson.name or "Backprop Lab"

    def explainer(self, v):
        return Explainer(v.network, v.record, 0, self.settings.answer_decimals)

    def sheet(self):
        """The exercise sheet as a ``Document``."""
        s = self.settings
        sections = [Section("Instructions", _present(self._intro(True)))]
        for v in self.variants:
            items = self._givens(v)
            items.append("Find:")
            items += [f"({LETTERS[k % 26]}{'′' * (k // 26)}) {q.words} = ?"
                      for k, q in enumerate(self.questions)]
            sections.append(Section(f"Exercise {v.number}", tuple(items)))
        title = f"{self.name} — exercise sheet (seed {s.seed})"
        return Document(title, tuple(sections))

    def key(self):
        """The answer key as a ``Document``: per exercise the answers, then their derivations."""
        s = self.settings
        sections = [Section("About this key", _present(self._intro(False)))]
        for v in self.variants:
            answers = [Equation(q.symbol, (("res", fmt(v.value(q), s.answer_decimals)),),
                                v.value(q)) for q in self.questions]
            items = [*self._givens(v), "Answers:", *answers]
            sections.append(Section(f"Exercise {v.number}: answers", tuple(items)))
            steps = v.worked or worked(self.explainer(v), self.questions)
            sections += [Section(f"Exercise {v.number}: {title}", items)
                         for title, items in steps]
        title = f"{self.name} — answer key (seed {s.seed})"
        return Document(title, tuple(sections))

    # -- parts ------------------------------------------------------------------------------------
    def _intro(self, sheet):
        s, net = self.settings, self.lesson.network
        acts = ", ".join(f"{'output layer' if l == len(net.activations) else f'layer {l}'} {a}"
                         for l, a in enumerate(net.activations, start=1))
        lossf = get_loss(net.loss).for_output(get_activation(net.activations[-1]))
        lr = s.lr if s.lr is not None else self.lesson.lr
        items = [
            f"Network {'–'.join(map(str, net.sizes))} ({acts}); loss ${'L = ' + lossf.formula}$; "
            f"learning rate $η = {exact(lr)}$; one training sample per exercise.",
            "Neurons are numbered across layers, inputs first. $net_{j} = Σ_{i} y_{i} w_{ij} + "
            "b_{j}$, $y_{j} = f(net_{j})$, $δ_{j} = −∂L/∂net_{j}$, so $∂L/∂w_{ij} = −δ_{j} y_{i}$ "
            "and $w_{ij} ← w_{ij} + η δ_{j} y_{i}$, $b_{j} ← b_{j} + η δ_{j}$.",
            ("Update order: simultaneous — every $δ$ uses the weights from before the update."
             if net.update_order == "simultaneous" else
             "Update order: output layer first — the hidden $δ$ use the updated weights "
             "($w^{new}$)."),
        ]
        if sheet:
            items.append(f"Give every answer to {s.answer_decimals} decimals, rounding half "
                         "away from zero; carry more digits between steps, as rounded "
                         "intermediate values can change the last digit.")
        else:
            ranges = "; ".join(f"{name} {exact(lo)} … {exact(hi)}" for name, (lo, hi) in
                               ((n, getattr(s, n)) for n in RANGE_NAMES))
            items += [
                f"{len(self.variants)} exercises drawn with seed {s.seed} ({ranges}; "
                f"{s.decimals} decimal{'s' * (s.decimals > 1)}); {self.n_rejected} drawn "
                "variants were rejected (a layer of dead ReLUs, a trivial answer, no gradient, "
                "or a line that cannot be worked to its result).",
                f"Answers are the engine's values rounded to {s.answer_decimals} decimals, half "
                "away from zero. In the derivations every line with numbers works out to its "
                "result as shown; where the numbers at that many decimals would not, the line "
                "shows them with more.",
            ]
            if self.source:
                items.append(f"Made with: main.py exercises {self.source} --count "
                             f"{len(self.variants)} --seed {s.seed}"
                             + "".join(f" --{n} {exact(getattr(s, n)[0])} "
                                       f"{exact(getattr(s, n)[1])}" for n in RANGE_NAMES
                                       if tuple(getattr(s, n)) != getattr(Settings, n))
                             + (f" --decimals {s.decimals}" if s.decimals != 1 else "")
                             + (f" --answer-decimals {s.answer_decimals}"
                                if s.answer_decimals != 3 else "")
                             + f" --questions \"{' '.join(q.text for q in self.questions)}\"")
        return items

    def _givens(self, v):
        """The drawn numbers as prose lines."""
        d, lay, net = self.settings.decimals, v.network.layout, v.network

        def n(x):
            return fmt(x, d)

        names = datasets.feature_names(self.lesson.features, self.lesson.n_raw) \
            if self.lesson.features else None
        ins = []
        for c, j in enumerate(lay.neurons(0)):
            if c < len(v.raw):
                ins.append(f"$x_{{{j}}} = {n(v.x[c])}$")
            else:  # a feature column: computed from the drawn inputs
                ins.append(f"$x_{{{j}}}$ = {names[c]} $= {fmt(v.x[c], self.settings.answer_decimals)}$")
        outs = list(lay.neurons(len(lay.sizes) - 1))
        obs = [f"$ob_{{{k}}} = {n(v.target[c])}$" for c, k in enumerate(outs)]
        items = [f"Inputs {', '.join(ins)}; targets {', '.join(obs)}."]
        for l in range(1, len(lay.sizes)):
            ws = [f"${_psym(('w', i, j))} = {n(net.weight(i, j))}$"
                  for i in lay.neurons(l - 1) for j in lay.neurons(l)]
            bs = [f"${_psym(('b', j))} = {n(net.bias(j))}$" for j in lay.neurons(l)]
            items.append(f"Into {'the outputs' if l == len(lay.sizes) - 1 else f'layer {l}'}: "
                         f"{', '.join(ws)}; {', '.join(bs)}.")
        return items


def worked(ex, questions):
    """The derivations the answers need, as (title, items) in the order of a step: the forward
    pass up to the deepest layer asked about, the loss, the deltas from the output down to the
    shallowest one needed, then each gradient and update asked for."""
    lay = ex.lay
    L = len(lay.sizes) - 1
    fwd = 0
    need_loss = False
    delta_from = L + 1  # the lowest layer whose δ is needed
    for q in questions:
        if q.kind in ("net", "y"):
            fwd = max(fwd, ex.layer(q.key))
            continue
        fwd = L
        if q.kind in ("L", "err"):
            need_loss = True
        elif q.kind == "delta":
            delta_from = min(delta_from, ex.layer(q.key))
        else:
            delta_from = min(delta_from, ex.layer(q.key[-1]))
    out = []
    forward = []
    for l in range(1, fwd + 1):
        for j in lay.neurons(l):
            forward += [ex.net_eq(j), ex.out_eq(j)]
    if forward:
        out.append(("forward pass", _present(forward)))
    if need_loss:
        out.append(("loss", _present([ex.err_eq(k) for k in lay.neurons(L)] + ex.loss_eqs())))
    deltas = []
    for p in phases(lay, ex.rec.update_order):
        if p.kind == "update" and ex.output_first and p.layers[0] > delta_from:
            # output layer first: the δ below are passed down through these updated weights
            deltas += [ex.update_eq(("w", i, j)) for i, j in p.edges]
            continue
        if p.kind != "delta" or p.layers[0] < delta_from:
            continue
        for j in p.neurons:
            if p.layers[0] == L and not need_loss:
                deltas.append(ex.err_eq(j))
            deltas += [ex.delta_note(j), ex.delta_eq(j), ex.fprime_eq(j)]
    if deltas:
        out.append(("deltas", _present(deltas)))
    updates = []
    for q in questions:
        if q.kind == "grad":
            updates += ex.grad_eqs(q.key)
        elif q.kind == "new":
            updates.append(ex.update_eq(q.key))
    if updates:
        out.append(("gradients and updates", _present(updates)))
    return out


# -- drawing ---------------------------------------------------------------------------------------
def _draw(rng, grid, decimals, size):
    return rng.integers(grid[0], grid[1] + 1, size=size) / 10.0 ** decimals


class _Drawer:
    """Draws candidate variants of one lesson into one scratch network (a variant that is kept
    gets a network of its own, ``keep``)."""

    def __init__(self, lesson, settings, rng):
        base = lesson.network
        self.lesson, self.s, self.rng = lesson, settings, rng
        self.net = Network(base.sizes, base.activations, base.loss,
                           update_order=base.update_order)
        self.grids = {n: _grid(*map(float, getattr(settings, n)), settings.decimals)
                      for n in RANGE_NAMES}
        self.lr = float(settings.lr if settings.lr is not None else lesson.lr)

    def draw(self, number):
        """One candidate variant (not yet checked); its network is the scratch one."""
        rng, s, net, g = self.rng, self.s, self.net, self.grids
        lay = net.layout
        theta = np.empty(lay.n_params)
        for l in range(1, len(lay.sizes)):
            w, b = lay.slices[l]
            theta[w] = _draw(rng, g["weights"], s.decimals, w.stop - w.start)
            theta[b] = _draw(rng, g["biases"], s.decimals, b.stop - b.start)
        net.set_params(theta)
        lesson = self.lesson
        raw = _draw(rng, g["inputs"], s.decimals, lesson.n_raw)
        x = datasets.with_features(raw[None, :], lesson.features)[0] if lesson.features else raw
        n_out = lay.sizes[-1]
        if net.activations[-1] == "softmax":  # a class: one-hot targets
            target = np.zeros(n_out)
            target[int(rng.integers(0, n_out))] = 1.0
        else:
            target = _draw(rng, g["targets"], s.decimals, n_out)
        rec = net.step(x, target, self.lr, apply=False)
        return Variant(number, net, x, target, self.lr, rec, raw)

    @staticmethod
    def keep(v):
        """``v`` with a network of its own and its step taken again on it."""
        net = v.network.copy()
        rec = net.step(v.x, v.target, v.lr, apply=False)
        return Variant(v.number, net, v.x, v.target, v.lr, rec, v.raw)


def rejection(variant, questions, settings):
    """Why ``variant`` is not a good exercise (one line), or None when it is."""
    net, rec = variant.network, variant.record
    dead = dead_layer(net, rec)
    if dead is not None:
        return f"every ReLU of layer {dead} is dead (net ≤ 0)"
    d = settings.answer_decimals
    if all(rounds_to_zero(g, d) for g in rec.grad):
        return "every gradient rounds to 0"
    values = [rec.loss, *rec.grad, *rec.params_after]
    if not all(math.isfinite(float(v)) for v in values):
        return "a value is not finite"
    for q in questions:
        v = variant.change(q) if q.kind == "new" else variant.value(q)
        if rounds_to_zero(v, d):
            return (f"{q.text}: the update changes nothing at {d} decimals" if q.kind == "new"
                    else f"{q.text} = 0 at {d} decimals")
    variant.worked = worked(Explainer(net, rec, 0, d), questions)
    for _, items in variant.worked:
        for item in items:
            if isinstance(item, Equation) and item.approx:
                return f"{item.lhs}: its line cannot be worked to its result"
    return None


MAX_KEPT_REJECTS = 50


def make_exercises(lesson, settings=None, source=""):
    """``settings.count`` checked variants of ``lesson``'s network (an ``ExerciseSet``);
    ValueError (one line) for bad settings, or when ``MAX_TRIES`` draws per variant give no
    usable one."""
    s = (settings or Settings()).check()
    lay = lesson.network.layout
    questions = tuple(s.questions) if s.questions else default_questions(lay)
    for q in questions:  # questions made in code: the same checks as typed ones
        parse_question(q.text, lay)
    drawer = _Drawer(lesson, s, np.random.default_rng(s.seed))
    out, rejected, n_rejected = [], [], 0
    reasons = {}
    while len(out) < s.count:
        for _ in range(MAX_TRIES):
            v = drawer.draw(len(out) + 1)
            why = rejection(v, questions, s)
            if why is None:
                kept = drawer.keep(v)
                kept.worked = v.worked
                out.append(kept)
                break
            n_rejected += 1
            reasons[why] = reasons.get(why, 0) + 1
            if len(rejected) < MAX_KEPT_REJECTS:
                rejected.append((drawer.keep(v), why))
        else:
            common = max(reasons, key=reasons.get)
            raise ValueError(f"no usable exercise {len(out) + 1} in {MAX_TRIES} draws (most "
                             f"often: {common}); widen the ranges or ask other questions")
    return ExerciseSet(lesson, s, questions, out, rejected, n_rejected, source)


# -- the command line ------------------------------------------------------------------------------
PROG = "backprop-lab exercises"


def _parser():
    import argparse

    class Parser(argparse.ArgumentParser):
        def error(self, message):  # one line on stderr, not argparse's usage block
            raise ValueError(message)

    p = Parser(prog=PROG, description="Write an exercise sheet (and its answer key) of seeded "
               "variants of a lesson's network.")
    p.add_argument("lesson", metavar="LESSON", help="a lesson file or a preset name")
    p.add_argument("--count", type=int, default=Settings.count, help="how many exercises")
    p.add_argument("--seed", type=int, default=Settings.seed, help="the seed of the draws")
    p.add_argument("--format", choices=("md", "html", "tex"), default="md")
    p.add_argument("--output", metavar="FILE", help="write the sheet here (default: stdout)")
    p.add_argument("--answers", metavar="FILE", help="write the answer key here")
    for name in RANGE_NAMES:
        lo, hi = getattr(Settings, name)
        p.add_argument(f"--{name}", nargs=2, metavar=("LO", "HI"),
                       help=f"the range of the {name} (default {exact(lo)} {exact(hi)})")
    p.add_argument("--decimals", type=int, default=Settings.decimals,
                   help="decimals of the drawn numbers (1 or 2)")
    p.add_argument("--answer-decimals", type=int, default=Settings.answer_decimals,
                   help="decimals of the answers (1 to 6)")
    p.add_argument("--questions", help="e.g. \"y3 y4 L delta5 dL/dw35 new:w35\" (default: the "
                   "hidden and output y, L, every δ, a gradient and an update per end layer)")
    return p


def _number(text, what):
    from .numbers import parse_number
    try:
        return parse_number(text)
    except ValueError as e:
        raise ValueError(f"--{what}: {e}") from None


def _check_target(path, flag):
    """A file we may write: its folder exists, and it is not a folder or a device."""
    import os

    from .atomic import check_regular_target
    if not str(path).strip():
        raise ValueError(f"{flag} needs a file name")
    folder = os.path.dirname(os.path.realpath(path)) or "."
    if not os.path.isdir(folder):
        raise ValueError(f"{flag} {path}: the folder {folder} does not exist")
    try:
        check_regular_target(path)
    except OSError as e:
        raise ValueError(f"{flag} {path}: {e}") from None


def main(argv=None):
    """``exercises LESSON --count N --seed S --format md|html|tex [--answers FILE]
    [--output FILE]``: the sheet on stdout (or in ``--output``), the key in ``--answers``;
    any error is one line on stderr and exit code 2, and no file is written."""
    import os
    import sys

    from .atomic import atomic_write
    from .explain import _lesson_or_preset
    from .render import render

    try:
        args = _parser().parse_args(sys.argv[1:] if argv is None else list(argv))
        for flag in ("output", "answers"):
            if getattr(args, flag) is not None:
                _check_target(getattr(args, flag), f"--{flag}")
        if args.output and args.answers and \
                os.path.realpath(args.output) == os.path.realpath(args.answers):
            raise ValueError("--output and --answers name the same file")
        lesson = _lesson_or_preset(args.lesson)
        ranges = {n: tuple(_number(t, n) for t in getattr(args, n)) for n in RANGE_NAMES
                  if getattr(args, n) is not None}
        questions = (parse_questions(args.questions, lesson.network.layout)
                     if args.questions is not None else None)
        settings = Settings(count=args.count, seed=args.seed, decimals=args.decimals,
                            answer_decimals=args.answer_decimals, questions=questions, **ranges)
        es = make_exercises(lesson, settings, source=args.lesson)
        sheet = render(es.sheet(), args.format)
        key = render(es.key(), args.format) if args.answers else None
    except ValueError as e:
        return _fail(str(e))
    except Exception as e:  # a last guard: never a traceback
        return _fail(f"unexpected {type(e).__name__}: {e}")
    written = []
    try:
        for path, text in ((args.answers, key), (args.output, sheet)):
            if path:
                existed = os.path.lexists(path)
                atomic_write(path, text)
                written.append((path, existed))
    except OSError as e:
        for path, existed in written:  # no half a result: the key goes if the sheet cannot
            if not existed:
                try:
                    os.remove(path)
                except OSError:
                    pass
        return _fail(f"{e.filename or ''}: {e.strerror or e}".lstrip(": "))
    if not args.output:
        try:
            sys.stdout.write(sheet)
        except UnicodeEncodeError:  # a console that cannot show δ: UTF-8 bytes instead
            sys.stdout.flush()
            sys.stdout.buffer.write(sheet.encode("utf-8"))
        sys.stdout.flush()
    return 0


def _fail(message):
    import sys
    print(f"{PROG}: " + " ".join(message.split()), file=sys.stderr)
    return 2
