"""Worked derivations in the notes' notation, with a step's own numbers.

For any weight, bias or neuron — and for a whole step — the formula in symbols, then the same
formula with the step's numbers substituted, then the result; rendered as Markdown, HTML or
LaTeX. ``python main.py explain NETWORK.json [--steps N] [--format md|html|tex]`` prints one.

Everything is written once in a small markup and rendered three ways:

* math: Unicode with ``x_{sub}`` and ``x^{sup}`` (never nested): ``∂L/∂w_{13} = −δ_{3} x_{1}``
* prose: plain text with math between dollar signs: ``the δ of $y_{3}$``

Results are the engine's (``StepRecord``), never recomputed here; the substituted lines show the
numbers they come from, so a reader can redo the arithmetic.
"""
from __future__ import annotations

import argparse
import html
import math
import os
import re
import sys
import unicodedata
from dataclasses import dataclass

import numpy as np

from .activations import get_activation
from .lesson import load_preset, preset_names, read_lesson
from .network import DivergenceError, Network

FORMATS = ("md", "html", "tex")
DEFAULT_DECIMALS = 3
MAX_TERMS = 8  # a sum with more terms is written Σ_m … rather than spelled out
MAX_STEPS = 100_000_000  # the most steps the command line trains first (here and in the window)
MAX_DECIMALS = 12
TRAIN_CHUNK = 10_000  # steps trained per call: memory stays bounded however many are asked for


def fmt(value, decimals=DEFAULT_DECIMALS):
    """A number as the app shows it everywhere (``gui.style`` re-exports this): fixed decimals,
    a true minus sign, scientific notation for tiny or huge values, "—" for NaN/Inf (which is
    never drawn as a number)."""
    if value is None or not math.isfinite(value):
        return "—"
    value += 0.0  # −0.0 → 0.0: a zero has no sign on screen
    if value != 0 and (abs(value) >= 10 ** 6 or abs(value) < 10 ** -decimals / 2):
        text = f"{value:.{max(decimals - 1, 1)}e}"
    else:
        text = f"{value:.{decimals}f}"
    return text.replace("-", "−")


# -- the document model ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Equation:
    """``lhs op form₁ = form₂ = … = result``.

    ``forms`` are (kind, math) pairs: kind "sym" (symbols), "num" (the step's numbers
    substituted: plain arithmetic) or "res" (the result, always last). ``value`` is the result
    as a number; ``op`` is "=" or "←" (an update)."""

    lhs: str
    forms: tuple
    value: float
    op: str = "="


@dataclass(frozen=True)
class Section:
    """A titled group of equations and prose paragraphs (str items)."""

    title: str
    items: tuple


@dataclass(frozen=True)
class Document:
    title: str
    sections: tuple


@dataclass(frozen=True)
class Phase:
    """One part of a step: ``kind`` "forward", "loss", "delta" or "update" of ``layers``; the
    neurons and edges (i, j) it works on."""

    kind: str
    name: str  # prose markup: "Output deltas ($δ_{5}$, $δ_{6}$)"
    layers: tuple
    neurons: tuple
    edges: tuple

    @property
    def text(self):
        """The name as plain Unicode text, for a status bar: "Output deltas (δ5, δ6)"."""
        return plain_prose(self.name)


def _layer_name(layout, l):
    return "output layer" if l == len(layout.sizes) - 1 else f"layer {l}"


def _layer_edges(layout, l):
    """The edges into layer l."""
    return tuple((i, j) for i in layout.neurons(l - 1) for j in layout.neurons(l))


def phases(layout, update_order="simultaneous"):
    """The phases of one step, in order: the forward pass layer by layer, the loss, the output
    δ, the hidden δ from the top down, and the update — with "output_first" each layer's update
    comes right after its δ, before δ is passed further down."""
    L = len(layout.sizes) - 1
    out = []
    for l in range(1, L + 1):
        names = ", ".join(f"${_s('y', j)}$" for j in layout.neurons(l))
        out.append(Phase("forward", f"Forward pass: {_layer_name(layout, l)} ({names})", (l,),
                         tuple(layout.neurons(l)), _layer_edges(layout, l)))
    outputs = tuple(layout.neurons(L))
    out.append(Phase("loss", "Loss L", (L,), outputs, ()))

    def update(l):
        return Phase("update", f"Update: {_layer_name(layout, l)} (weights into it, biases)",
                     (l,), tuple(layout.neurons(l)), _layer_edges(layout, l))

    deltas = ", ".join(f"${_s('δ', k)}$" for k in outputs)
    out.append(Phase("delta", f"Output deltas ({deltas})", (L,), outputs, ()))
    first = update_order == "output_first"
    if first:
        out.append(update(L))
    for l in range(L - 1, 0, -1):
        names = ", ".join(f"${_s('δ', j)}$" for j in layout.neurons(l))
        out.append(Phase("delta", f"Hidden deltas: layer {l} ({names})", (l,),
                         tuple(layout.neurons(l)), _layer_edges(layout, l + 1)))
        if first:
            out.append(update(l))
    if not first:
        out.append(Phase("update", "Update: every weight and bias", tuple(range(1, L + 1)),
                         tuple(j for l in range(1, L + 1) for j in layout.neurons(l)),
                         tuple(e for l in range(1, L + 1) for e in _layer_edges(layout, l))))
    return out


# -- symbols ---------------------------------------------------------------------------------------
def _s(name, index):
    return f"{name}_{{{index}}}"


def _wsym(i, j):
    """w_{35}; two-digit indices are kept apart: w_{3,12}."""
    return _s("w", f"{i},{j}" if max(i, j) >= 10 else f"{i}{j}")


def _join_sum(terms):
    return " + ".join(terms)


class Explainer:
    """The derivations of one step (``record``, taken on ``network``) for batch row ``sample``,
    numbers shown with ``decimals`` decimals."""

    def __init__(self, network, record, sample=0, decimals=DEFAULT_DECIMALS):
        self.network, self.rec = network, record
        self.lay = record.layout
        self.L = len(self.lay.sizes) - 1
        self.batch = len(record.x)
        self.s = int(sample) if 0 <= sample < self.batch else 0
        self.d = int(decimals)
        self.output_first = record.update_order == "output_first"

    # -- numbers ---------------------------------------------------------------------------------
    def n(self, v):
        return fmt(v, self.d)

    def f(self, v):
        """A number as a factor or operand: negative ones in parentheses."""
        t = self.n(v)
        return f"({t})" if t.startswith("−") else t

    def layer(self, j):
        return self.lay.locate(j)[0]

    def y(self, i, s=None):
        return self.rec.out(i, self.s if s is None else s)

    def ysym(self, i):
        return _s("x" if self.layer(i) == 0 else "y", i)

    def ob(self, k, s=None):
        return float(self.rec.target[self.s if s is None else s, self.lay.locate(k)[1]])

    def act(self, j):
        return get_activation(self.network.activations[self.layer(j) - 1])

    def psym(self, key):
        return _wsym(key[1], key[2]) if key[0] == "w" else _s("b", key[1])

    def index(self, key):
        return (self.lay.weight_index(key[1], key[2]) if key[0] == "w"
                else self.lay.bias_index(key[1]))

    def label(self, key):
        return self.network.parameters()[self.index(key)].label

    def weight_before(self, i, j):
        return float(self.rec.params_before[self.lay.weight_index(i, j)])

    def backward_weight(self, j, m):
        """(symbol, value) of w_jm as δ_m is passed down to j: output-first passes it down
        through the already updated weight."""
        w = _wsym(j, m)
        if self.output_first:
            return w + "^{new}", float(self.rec.params_after[self.lay.weight_index(j, m)])
        return w, self.weight_before(j, m)

    def sample_tag(self):
        """The superscript (s) marking per-sample values in a batch ("" for one sample)."""
        return f"^{{({self.s + 1})}}" if self.batch > 1 else ""

    # -- forward pass ----------------------------------------------------------------------------
    def input_eq(self, j):
        v = self.y(j)
        return Equation(_s("x", j), (("res", self.n(v)),), v)

    def net_eq(self, j):
        l = self.layer(j)
        srcs = list(self.lay.neurons(l - 1))
        b = float(self.rec.params_before[self.lay.bias_index(j)])
        forms = [("sym", f"Σ_{{i}} y_{{i}} w_{{i{j}}} + b_{{{j}}}")]
        if len(srcs) <= MAX_TERMS:
            forms.append(("sym", _join_sum([f"{self.ysym(i)} {_wsym(i, j)}" for i in srcs]
                                           + [_s("b", j)])))
            forms.append(("num", _join_sum(
                [f"{self.f(self.y(i))} × {self.f(self.weight_before(i, j))}" for i in srcs]
                + [self.f(b)])))
        v = self.rec.net(j, self.s)
        forms.append(("res", self.n(v)))
        return Equation(_s("net", j), tuple(forms), v)

    def out_eq(self, j):
        name, net = self.act(j).name, self.rec.net(j, self.s)
        arg, x = _s("net", j), self.n(net)
        forms = {
            "linear": [("sym", arg)],
            "relu": [("sym", f"ReLU({arg})"), ("num", f"ReLU({x})")],
            "sigmoid": [("sym", f"σ({arg})"), ("sym", f"1/(1 + exp(−{arg}))"),
                        ("num", f"1/(1 + exp(−{self.f(net)}))")],
            "tanh": [("sym", f"tanh({arg})"), ("num", f"tanh({x})")],
        }.get(name)
        if forms is None:  # softmax
            outs = list(self.lay.neurons(self.L))
            forms = [("sym", f"exp({arg}) / Σ_{{m}} exp(net_{{m}})")]
            if len(outs) <= MAX_TERMS:
                parts = _join_sum([f"exp({self.n(self.rec.net(m, self.s))})" for m in outs])
                forms.append(("num", f"exp({x}) / [{parts}]"))
        v = self.y(j)
        return Equation(_s("y", j), tuple(forms) + (("res", self.n(v)),), v)

    # -- loss -------------------------------------------------------------------------------------
    def err_eq(self, k):
        v = self.rec.err(k, self.s)
        return Equation(_s("Err", k), (("sym", f"ob_{{{k}}} − y_{{{k}}}"),
                                       ("num", f"{self.n(self.ob(k))} − {self.f(self.y(k))}"),
                                       ("res", self.n(v))), v)

    def sample_loss(self, s):
        t = self.rec.target[s]
        y = self.rec.outs[self.L][s]
        if self.network.loss == "half_sse":
            return float(0.5 * np.sum((t - y) ** 2))
        with np.errstate(divide="ignore"):
            return float(-np.sum(np.where(t == 0, 0.0, t * np.log(y))))

    def loss_eqs(self):
        """L for the shown sample, and for a batch the mean over it."""
        outs = list(self.lay.neurons(self.L))
        tag = self.sample_tag()
        lhs = "L" + tag
        few = len(outs) <= MAX_TERMS
        if self.network.loss == "half_sse":
            forms = [("sym", "½ Σ_{k} (ob_{k} − y_{k})^{2}")]
            if few:
                forms.append(("sym", "½ [" + _join_sum(
                    [f"(ob_{{{k}}} − y_{{{k}}})^{{2}}" for k in outs]) + "]"))
                forms.append(("num", "½ × [" + _join_sum(
                    [f"({self.n(self.ob(k))} − {self.f(self.y(k))})^{{2}}" for k in outs]) + "]"))
        else:
            forms = [("sym", "−Σ_{k} ob_{k} log y_{k}")]
            if few:
                forms.append(("sym", "−[" + _join_sum(
                    [f"ob_{{{k}}} log y_{{{k}}}" for k in outs]) + "]"))
                forms.append(("num", "−[" + _join_sum(
                    [f"{self.f(self.ob(k))} × log({self.n(self.y(k))})" for k in outs]) + "]"))
        if self.batch == 1:
            return [Equation(lhs, tuple(forms) + (("res", self.n(self.rec.loss)),), self.rec.loss)]
        mine = self.sample_loss(self.s)
        per = [self.sample_loss(s) for s in range(self.batch)]
        return [Equation(lhs, tuple(forms) + (("res", self.n(mine)),), mine),
                self.mean_eq("L", "L^{(s)}", per, self.rec.loss)]

    def mean_eq(self, lhs, term, values, value):
        """lhs = (1/B) Σ_s term = (1/B) × [v₁ + v₂ + …] = value."""
        forms = [("sym", f"(1/{self.batch}) Σ_{{s}} {term}")]
        if self.batch <= MAX_TERMS:
            forms.append(("num", f"(1/{self.batch}) × [{_join_sum(map(self.f, values))}]"))
        return Equation(lhs, tuple(forms) + (("res", self.n(value)),), value)

    # -- backward pass ----------------------------------------------------------------------------
    def fprime(self, j):
        """(symbol, value, Equation or None) of f'(net_j); the symbol is None for a linear
        neuron, whose f' = 1 drops out of every product, and all three are None for softmax,
        which has no element-wise derivative (its δ is written out whole)."""
        a = self.act(j)
        if not a.elementwise:
            return None, None, None
        net, y = self.rec.net(j, self.s), self.y(j)
        v = float(a.derivative(np.float64(net), np.float64(y)))
        arg, ys, fy = _s("net", j), _s("y", j), self.f(y)
        if a.name == "linear":
            return None, 1.0, None
        sym, forms = {
            "relu": (f"ReLU'({arg})", [("num", f"ReLU'({self.n(net)})")]),
            "sigmoid": (f"σ'({arg})", [("sym", f"{ys}(1 − {ys})"), ("num", f"{fy} × (1 − {fy})")]),
            "tanh": (f"tanh'({arg})", [("sym", f"1 − {ys}^{{2}}"), ("num", f"1 − {fy}^{{2}}")]),
        }[a.name]
        return sym, v, Equation(sym, tuple(forms) + (("res", self.n(v)),), v)

    def upstream(self, j):
        """−∂L/∂y_j as (symbols, numbers, value) when δ_j = (−∂L/∂y_j) · f'(net_j); None for an
        output whose δ does not split that way (softmax, or cross-entropy)."""
        l = self.layer(j)
        if l < self.L:
            nxt = list(self.lay.neurons(l + 1))
            pairs = [(m, *self.backward_weight(j, m)) for m in nxt]
            value = sum(self.rec.delta(m, self.s) * w for m, _, w in pairs)
            if len(nxt) > MAX_TERMS:
                new = "^{new}" if self.output_first else ""
                return f"[Σ_{{m}} δ_{{m}} w_{{{j}m}}{new}]", f"[{self.n(value)}]", value
            sym = _join_sum([f"δ_{{{m}}} {w}" for m, w, _ in pairs])
            num = _join_sum([f"{self.f(self.rec.delta(m, self.s))} × {self.f(w)}"
                             for m, _, w in pairs])
            return f"[{sym}]", f"[{num}]", value
        if self.network.loss == "half_sse" and self.act(j).elementwise:
            v = self.rec.err(j, self.s)
            return _s("Err", j), f"{self.n(self.ob(j))} − {self.f(self.y(j))}", v
        return None

    def delta_eq(self, j):
        d = self.rec.delta(j, self.s)
        fsym, fval, _ = self.fprime(j)
        up = self.upstream(j)
        times = "" if fsym is None else f" · {fsym}"
        ftimes = "" if fsym is None else f" × {self.f(fval)}"
        if up is None:
            forms = self._output_delta_forms(j)
        elif self.layer(j) == self.L:  # δ_k = Err_k · f'(net_k)
            diff, num = f"ob_{{{j}}} − y_{{{j}}}", up[1]
            if fsym is not None:
                diff, num = f"({diff})", f"({num})"
            forms = [("sym", f"{up[0]}{times}"), ("sym", f"{diff}{times}"),
                     ("num", f"{num}{ftimes}")]
        else:  # δ_h = (Σ_k δ_k w_hk) · f'(net_h)
            forms = [("sym", f"{up[0]}{times}"), ("num", f"{up[1]}{ftimes}")]
        return Equation(_s("δ", j), tuple(forms) + (("res", self.n(d)),), d)

    def targets_sum_to_one(self):
        return math.isclose(float(self.rec.target[self.s].sum()), 1.0, rel_tol=0, abs_tol=1e-12)

    def _output_delta_forms(self, k):
        """δ_k of an output whose loss and activation do not split into Err_k · f'(net_k)."""
        act, loss = self.act(k).name, self.network.loss
        ob, y = self.ob(k), self.y(k)
        obk, yk = _s("ob", k), _s("y", k)
        if loss == "cross_entropy" and act == "sigmoid":
            return [("sym", f"{obk} (1 − {yk})"), ("num", f"{self.f(ob)} × (1 − {self.f(y)})")]
        outs = list(self.lay.neurons(self.L))
        if loss == "cross_entropy":  # softmax: δ_k = ob_k − y_k Σ_m ob_m
            total = sum(self.ob(m) for m in outs)
            forms = [("sym", f"{obk} − {yk} Σ_{{m}} ob_{{m}}")]
            if self.targets_sum_to_one():
                return forms + [("sym", f"{obk} − {yk}"), ("num", f"{self.n(ob)} − {self.f(y)}")]
            return forms + [("num", f"{self.n(ob)} − {self.f(y)} × {self.f(total)}")]
        # softmax with ½ SSE: the full Jacobian, δ_k = Σ_m Err_m y_m ([m = k] − y_k)
        forms = [("sym", f"Σ_{{m}} Err_{{m}} y_{{m}} ([m = {k}] − {yk})")]
        if len(outs) > MAX_TERMS:
            return forms
        sym, num = [], []
        for m in outs:
            e, ym = self.rec.err(m, self.s), self.y(m)
            if m == k:
                sym.append(f"Err_{{{m}}} y_{{{m}}} (1 − {yk})")
                num.append(f"{self.f(e)} × {self.f(ym)} × (1 − {self.f(y)})")
            else:
                sym.append(f"Err_{{{m}}} y_{{{m}}} (0 − {yk})")
                num.append(f"{self.f(e)} × {self.f(ym)} × (0 − {self.f(y)})")
        return forms + [("sym", _join_sum(sym)), ("num", _join_sum(num))]

    # -- gradients and updates --------------------------------------------------------------------
    def sample_grad(self, key, s):
        """∂L/∂θ of one sample: −δ_j y_i (a weight) or −δ_j (a bias)."""
        d = self.rec.delta(key[-1], s)
        return -d * self.y(key[1], s) if key[0] == "w" else -d

    def grad_eqs(self, key):
        """∂L/∂θ by the chain rule for the shown sample; for a batch, then the batch mean."""
        j, p = key[-1], self.psym(key)
        yi = f" {self.ysym(key[1])}" if key[0] == "w" else ""
        up = self.upstream(j)
        fsym = self.fprime(j)[0]
        tag = self.sample_tag()
        if up is not None:
            forms = [("sym", f"∂L{tag}/∂y_{{{j}}} · ∂y_{{{j}}}/∂{p}"),
                     ("sym", f"−{up[0]}" + ("" if fsym is None else f" · {fsym}")
                      + ("" if not yi else f" ·{yi}"))]
        else:
            forms = [("sym", f"∂L{tag}/∂net_{{{j}}} · ∂net_{{{j}}}/∂{p}")]
        forms.append(("sym", f"−δ_{{{j}}}{yi}"))
        if yi:
            forms.append(("num", f"−{self.f(self.rec.delta(j, self.s))} × "
                                 f"{self.f(self.y(key[1]))}"))
        grad = float(self.rec.grad[self.index(key)])
        if self.batch == 1:
            return [Equation(f"∂L/∂{p}", tuple(forms) + (("res", self.n(grad)),), grad)]
        mine = self.sample_grad(key, self.s)
        per = [self.sample_grad(key, s) for s in range(self.batch)]
        return [Equation(f"∂L{tag}/∂{p}", tuple(forms) + (("res", self.n(mine)),), mine),
                self.mean_eq(f"∂L/∂{p}", f"∂L^{{(s)}}/∂{p}", per, grad)]

    def frozen(self, key):
        return bool(self.network.frozen[self.index(key)])

    def update_eq(self, key):
        i = self.index(key)
        p = self.psym(key)
        old, new = float(self.rec.params_before[i]), float(self.rec.params_after[i])
        lr = self.f(self.rec.lr)
        if self.frozen(key):
            return Equation(p, (("sym", p), ("res", self.n(new))), new, "←")
        j = key[-1]
        if self.batch == 1:
            yi = f" {self.ysym(key[1])}" if key[0] == "w" else ""
            forms = [("sym", f"{p} + η δ_{{{j}}}{yi}"),
                     ("num", f"{self.n(old)} + {lr} × {self.f(self.rec.delta(j, self.s))}"
                             + (f" × {self.f(self.y(key[1]))}" if yi else ""))]
        else:
            forms = [("sym", f"{p} − η ∂L/∂{p}"),
                     ("num", f"{self.n(old)} − {lr} × {self.f(float(self.rec.grad[i]))}")]
        return Equation(p, tuple(forms) + (("res", self.n(new)),), new, "←")

    # -- notes ------------------------------------------------------------------------------------
    def order_note(self):
        if self.output_first:
            return ("Update order: output layer first — each layer is updated before its $δ$ is "
                    "passed down, so the hidden $δ$ use the updated weights ($w^{new}$).")
        return ("Update order: simultaneous — every $δ$ uses the weights from before the "
                "update.")

    def batch_note(self):
        if self.batch == 1:
            return None
        return (f"Batch of {self.batch} samples: L and every gradient are means over the batch; "
                f"the per-sample values shown are sample {self.s + 1}'s (marked $^{{({self.s + 1})}}$).")

    def linear_note(self, j):
        if self.act(j).name != "linear":
            return None
        what = "δ_{%d} = Err_{%d}" % (j, j) if self.layer(j) == self.L else "f' drops out"
        return f"$y_{{{j}}}$ is linear: $f'(net_{{{j}}}) = 1$, so ${what}$."

    def delta_note(self, j):
        """What δ_j is made of, in words."""
        a, loss = self.act(j).name, self.network.loss
        if self.layer(j) < self.L:
            return (f"$δ_{{{j}}}$ collects the $δ$ of the next layer through the weights out of "
                    f"$y_{{{j}}}$" + (" (already updated: output layer first)."
                                      if self.output_first else "."))
        if loss == "cross_entropy" and a == "softmax":
            note = "Softmax outputs with cross-entropy: $δ_{k} = ob_{k} − y_{k} Σ_{m} ob_{m}$"
            if self.targets_sum_to_one():
                return note + "; the targets sum to 1, so $δ_{k} = ob_{k} − y_{k}$."
            return note + "."
        if loss == "cross_entropy":
            return "Sigmoid outputs with cross-entropy $L = −Σ_{k} ob_{k} log y_{k}$: " \
                   "$δ_{k} = ob_{k} (1 − y_{k})$."
        if a == "softmax":
            return ("Softmax outputs with $½$ SSE: every output's Err reaches $net_{k}$ through "
                    "the softmax Jacobian $∂y_{m}/∂net_{k} = y_{m} ([m = k] − y_{k})$.")
        return self.linear_note(j)

    def frozen_note(self, key):
        if not self.frozen(key):
            return None
        return (f"{self.label(key)} is frozen: it keeps its value; its gradient is still "
                "computed.")

    # -- sections ---------------------------------------------------------------------------------
    def section(self, key):
        """The derivation of the element ``key``: ("w", i, j), ("b", j) or ("n", j). (The
        update order in force is ``order_note()``, for the reader to show beside it.)"""
        if key[0] == "n":
            return self.neuron_section(key[1])
        return self.parameter_section(key)

    def neuron_section(self, j):
        name = self.lay.neuron_label(j)
        if self.layer(j) == 0:
            return Section(f"Input {name}", (self.input_eq(j),))
        items = [self.batch_note(), self.net_eq(j), self.out_eq(j)]
        if self.layer(j) == self.L:
            items.append(self.err_eq(j))
        items += [self.delta_note(j), self.delta_eq(j), self.fprime(j)[2]]
        return Section(f"Neuron {name}", _present(items))

    def parameter_section(self, key):
        j = key[-1]
        items = [self.batch_note(), *self.grad_eqs(key)]
        if self.layer(j) == self.L:
            items.append(self.err_eq(j))
        items += [self.delta_note(j), self.delta_eq(j), self.fprime(j)[2],
                  self.frozen_note(key), self.update_eq(key)]
        return Section(f"${self.psym(key)}$: $∂L/∂{self.psym(key)}$ and its update",
                       _present(items))

    def phase_section(self, phase):
        items = []
        if phase.kind == "forward":
            for j in phase.neurons:
                items += [self.net_eq(j), self.out_eq(j)]
        elif phase.kind == "loss":
            items += [self.err_eq(k) for k in phase.neurons] + self.loss_eqs()
        elif phase.kind == "delta":
            for j in phase.neurons:
                items += [self.delta_note(j), self.delta_eq(j), self.fprime(j)[2]]
        else:
            for p in self.network.parameters():
                if self.layer(p.j) in phase.layers:
                    key = ("w", p.i, p.j) if p.kind == "w" else ("b", p.j)
                    items += [*self.grad_eqs(key), self.frozen_note(key), self.update_eq(key)]
        return Section(phase.name, _present(items))

    def document(self, title, description=""):
        """The whole step: what the network is, then every phase in order."""
        net = self.network
        acts = ", ".join(f"{_layer_name(self.lay, l)} {a}"
                         for l, a in enumerate(net.activations, start=1))
        loss = {"half_sse": "$L = ½ Σ_{k} (ob_{k} − y_{k})^{2}$",
                "cross_entropy": "$L = −Σ_{k} ob_{k} log y_{k}$"}[net.loss]
        intro = [description.replace("$", "$$") or None,  # a description is text, not markup
                 f"Network {'–'.join(map(str, net.sizes))} ({acts}); loss {loss}; "
                 f"learning rate $η = {self.n(self.rec.lr)}$.",
                 "Neurons are numbered across layers, inputs first. $δ_{j} = −∂L/∂net_{j}$, so "
                 "$∂L/∂w_{ij} = −δ_{j} y_{i}$ and $w_{ij} ← w_{ij} + η δ_{j} y_{i}$.",
                 self.order_note(), self.batch_note()]
        sections = [Section("The network", _present(intro))]
        sections += [self.phase_section(p) for p in phases(self.lay, self.rec.update_order)]
        return Document(title, tuple(sections))


def _present(items):
    """The items that are there, each paragraph once (δ notes repeat across a layer)."""
    seen = set()
    out = []
    for item in items:
        if item is None or isinstance(item, str) and item in seen:
            continue
        if isinstance(item, str):
            seen.add(item)
        out.append(item)
    return tuple(out)


# -- rendering -------------------------------------------------------------------------------------
_GROUP = re.compile(r"([_^])\{([^{}]*)\}")
_SUPERSCRIPT = dict(zip("0123456789+−()=nesiw", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾⁼ⁿᵉˢⁱʷ"))


_DOLLAR = re.compile(r"(?<!\$)\$(?!\$)")  # a single $; "$$" is a literal dollar sign


def _prose(text, math_fn, text_fn):
    """Render prose: the parts between dollar signs as math, the rest as text."""
    parts = _DOLLAR.split(text)
    return "".join(math_fn(p) if k % 2 else text_fn(p.replace("$$", "$"))
                   for k, p in enumerate(parts))


def _lines(eq):
    """(operator, form) per line of an equation: the first with ``eq.op``, the rest with "="."""
    return [(eq.op if k == 0 else "=", form) for k, form in enumerate(eq.forms)]


def plain_math(m):
    """Math as plain Unicode, the app's own notation: δ_{3} → δ3, y^{2} → y²."""
    def group(match):
        kind, inner = match.groups()
        if kind == "_":
            return inner
        if all(c in _SUPERSCRIPT for c in inner):
            return "".join(_SUPERSCRIPT[c] for c in inner)
        return f"^({inner})"
    return _GROUP.sub(group, m)


def plain_prose(text):
    return _prose(text, plain_math, str)


def to_markdown(doc):
    out = [f"# {plain_prose(doc.title)}", ""]
    for sec in doc.sections:
        out += [f"## {plain_prose(sec.title)}", ""]
        block = []  # consecutive equations share one code block, so they line up
        for item in sec.items + (None,):
            if isinstance(item, Equation):
                lhs = plain_math(item.lhs)
                for k, (op, (_, form)) in enumerate(_lines(item)):
                    block.append(f"{lhs if k == 0 else ' ' * len(lhs)} {op} {plain_math(form)}")
                continue
            if block:
                out += ["```text", *block, "```", ""]
                block = []
            if item is not None:
                out += [plain_prose(item), ""]
    return "\n".join(out)


def html_math(m):
    """Math as HTML: sub- and superscripts as <sub>/<sup>."""
    def group(match):
        tag = "sub" if match.group(1) == "_" else "sup"
        return f"<{tag}>{match.group(2)}</{tag}>"
    return f'<span class="m">{_GROUP.sub(group, html.escape(m, quote=False))}</span>'


def html_prose(text):
    return _prose(text, html_math, lambda t: html.escape(t, quote=False))


#: the look of an equation table; the math panel adds its own colours on top
HTML_CSS = """
body { font-family: sans-serif; line-height: 1.35; }
.m { font-family: "DejaVu Serif", "Cambria Math", "Times New Roman", serif; }
table.eq { margin: 4px 0 10px 0; border-collapse: collapse; }
table.eq td { padding: 1px 4px; vertical-align: top; }
td.lhs { text-align: right; white-space: nowrap; }
td.op { text-align: center; }
tr.num td.rhs { color: #1F4E79; }
tr.res td.rhs { font-weight: bold; }
"""


def html_equation(eq):
    rows = []
    for k, (op, (kind, form)) in enumerate(_lines(eq)):
        lhs = html_math(eq.lhs) if k == 0 else ""
        rows.append(f'<tr class="{kind}"><td class="lhs">{lhs}</td><td class="op">{op}</td>'
                    f'<td class="rhs">{html_math(form)}</td></tr>')
    return '<table class="eq" cellspacing="0" cellpadding="2">' + "".join(rows) + "</table>"


def html_section(sec, level=2, title=True):
    body = [f"<h{level}>{html_prose(sec.title)}</h{level}>"] if title else []
    for item in sec.items:
        body.append(html_equation(item) if isinstance(item, Equation)
                    else f"<p>{html_prose(item)}</p>")
    return "\n".join(body)


def to_html(doc, standalone=True):
    """The document as HTML; ``standalone`` makes it a whole, well-formed (XHTML-clean) page."""
    body = "\n".join([f"<h1>{html_prose(doc.title)}</h1>"]
                     + [html_section(s) for s in doc.sections])
    if not standalone:
        return body
    title = html.escape(plain_prose(doc.title), quote=False)
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
            f"<title>{title}</title>\n<style>{HTML_CSS}</style>\n</head>\n<body>\n{body}\n"
            "</body>\n</html>\n")


_TEX_SYMBOLS = {
    "δ": r"\delta ", "η": r"\eta ", "σ": r"\sigma ", "Σ": r"\sum\nolimits ", "∂": r"\partial ",
    "½": r"\tfrac{1}{2}", "·": r"\cdot ", "×": r"\times ", "−": "-", "←": r"\leftarrow ",
    "…": r"\dots ", "—": r"\text{---}", "–": "-", "→": r"\rightarrow ", "≤": r"\le ",
    "≥": r"\ge ", "≈": r"\approx ", "′": "'",
}
_TEX_OPERATORS = {"exp", "log", "tanh"}
_TEX_TOKEN = re.compile(r"([_^])\{([^{}]*)\}|(\d+(?:\.\d+)?)e([−+-])(\d+)|([A-Za-z]+)|(.)",
                        re.S)


def tex_math(m, index=False):
    """Math as LaTeX (for math mode): names upright (net, Err, ReLU), indices italic (w_{ij}),
    1.2e−05 as 1.2 × 10⁻⁵."""
    out = []
    for g in _TEX_TOKEN.finditer(m):
        script, inner, mant, sign, exp_, word, ch = g.groups()
        if script:
            out.append(f"{script}{{{tex_math(inner, index=script == '_')}}}")
        elif mant:
            minus = "-" if sign in "−-" else ""
            out.append(rf"{mant}\times 10^{{{minus}{int(exp_)}}}")
        elif word:
            if len(word) == 1 or index:
                out.append(word)
            else:
                out.append(f"\\{word} " if word in _TEX_OPERATORS else rf"\mathrm{{{word}}}")
        else:
            out.append(_TEX_SYMBOLS.get(ch, ch))
    return "".join(out)


_TEX_TEXT = {"\\": r"\textbackslash{}", "$": r"\$", "{": r"\{", "}": r"\}", "&": r"\&", "#": r"\#",
             "%": r"\%", "_": r"\_", "^": r"\^{}", "~": r"\~{}", "—": "---", "–": "--",
             "…": r"\dots{}", "’": "'"}


def _tex_char(c):
    """One character of prose as LaTeX: specials escaped, math symbols and Greek letters as
    inline math, Latin letters as they are; anything pdfLaTeX cannot set becomes "?"."""
    if c in _TEX_TEXT:
        return _TEX_TEXT[c]
    if c in _TEX_SYMBOLS:
        return f"${_TEX_SYMBOLS[c]}$"
    name = unicodedata.name(c, "")
    if name.startswith("GREEK SMALL LETTER") and "OMICRON" not in name:
        letter = name.split()[-1].lower().replace("lamda", "lambda")
        return f"$\\{letter}$"
    return c if ord(c) < 0x250 else "?"


def tex_text(t):
    return "".join(map(_tex_char, t))


def tex_prose(text):
    return _prose(text, lambda m: f"${tex_math(m)}$", tex_text)


def tex_rows(eq):
    """An equation's lines as rows of an align* environment, aligned on the operator."""
    rows = []
    for k, (op, (kind, form)) in enumerate(_lines(eq)):
        lhs = tex_math(eq.lhs) if k == 0 else ""
        body = tex_math(form)
        if kind == "res":
            body = rf"\mathbf{{{body}}}"
        rows.append(f"{lhs} &{tex_math(op)} {body}")
    return rows


def to_latex(doc):
    body = [rf"\section*{{{tex_prose(doc.title)}}}"]
    for sec in doc.sections:
        body.append(rf"\subsection*{{{tex_prose(sec.title)}}}")
        rows = []  # consecutive equations share one align*, so they line up
        for item in sec.items + (None,):
            if isinstance(item, Equation):
                rows += tex_rows(item)
                continue
            if rows:
                body.append("\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}")
                rows = []
            if item is not None:
                body.append(tex_prose(item))
    # fleqn: equations flush left under their heading, as in the notes
    return ("\\documentclass[11pt,fleqn]{article}\n\\usepackage[utf8]{inputenc}\n"
            "\\usepackage[T1]{fontenc}\n\\usepackage{amsmath,amssymb}\n"
            "\\usepackage[margin=2cm]{geometry}\n\\allowdisplaybreaks\n"
            "\\setlength{\\parindent}{0pt}\n\\setlength{\\parskip}{0.5em}\n"
            "\\begin{document}\n" + "\n\n".join(body) + "\n\\end{document}\n")


def render(doc, format="md"):
    """``doc`` as Markdown ("md"), a standalone HTML page ("html") or a LaTeX file ("tex")."""
    renderers = {"md": to_markdown, "html": to_html, "tex": to_latex}
    if format not in renderers:
        raise ValueError(f"unknown format {format!r}; choose one of {', '.join(FORMATS)}")
    return renderers[format](doc)


# -- the command line ------------------------------------------------------------------------------
def explain_lesson(lesson, steps=0, format="md", decimals=DEFAULT_DECIMALS):
    """Train ``lesson`` for ``steps`` steps, then write out the next step worked in full."""
    net = lesson.network
    train_in_chunks(lesson, steps)
    idx = Network.batch_indices(len(lesson.inputs), lesson.batch_size, steps)
    rec = net.step(lesson.inputs[idx], lesson.targets[idx], lesson.lr, apply=False)
    title = f"{lesson.name or 'Backprop Lab'} — worked step {steps + 1}"
    return render(Explainer(net, rec, 0, decimals).document(title, lesson.description), format)


def train_in_chunks(lesson, steps, chunk=None):
    """Train ``lesson``'s network ``steps`` steps, at most ``chunk`` (``TRAIN_CHUNK``) per call,
    so memory does not grow with ``steps``; the batches are those of one long run.
    ``DivergenceError`` names the step, counted from the start, and carries how many were done."""
    net, chunk = lesson.network, chunk or TRAIN_CHUNK
    done = 0
    while done < steps:
        n = min(chunk, steps - done)
        try:
            net.train(lesson.inputs, lesson.targets, lesson.lr, n, lesson.batch_size, start=done)
        except DivergenceError as e:
            done += e.steps_done
            raise DivergenceError(
                f"training diverged at step {done + 1:,} with η = {lesson.lr:g}: the loss or a "
                "parameter became NaN/Inf", done) from None
        done += n


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line on stderr, not argparse's usage block
        raise ValueError(message)


def main(argv=None):
    """``explain NETWORK.json [--steps N] [--format md|html|tex] [--decimals D]``: the worked
    step on stdout; any error is one line on stderr and exit code 2."""
    p = _Parser(prog="backprop-lab explain",
                description="Write one training step of a lesson file worked in full.")
    p.add_argument("network", metavar="NETWORK.json", help="a lesson file (e.g. a preset)")
    p.add_argument("--steps", type=int, default=0, help="train this many steps first")
    p.add_argument("--format", choices=FORMATS, default="md", help="output format")
    p.add_argument("--decimals", type=int, default=DEFAULT_DECIMALS,
                   help="decimals of every number (0–12)")
    try:
        args = p.parse_args(sys.argv[1:] if argv is None else list(argv))
        if not 0 <= args.steps <= MAX_STEPS:
            raise ValueError(f"--steps must be from 0 to {MAX_STEPS:,}")
        if not 0 <= args.decimals <= MAX_DECIMALS:
            raise ValueError(f"--decimals must be from 0 to {MAX_DECIMALS}")
        lesson = _lesson_or_preset(args.network)
        text = explain_lesson(lesson, args.steps, args.format, args.decimals)
    except ValueError as e:  # bad arguments, JSON, lesson, or a diverging run
        return _fail(str(e))
    except Exception as e:  # a last guard: never a traceback
        return _fail(f"unexpected {type(e).__name__}: {e}")
    try:
        sys.stdout.write(text)
    except UnicodeEncodeError:  # a console that cannot show δ: write UTF-8 bytes instead
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.flush()
    return 0


def _lesson_or_preset(name):
    """The lesson file at the path ``name``, or else the preset called ``name`` (``notes_relu``):
    a file of that name wins. A file is read as a regular file only, bounded, never blocking
    (a FIFO is refused at once)."""
    if not os.path.lexists(name):
        if name in preset_names():
            return load_preset(name)
        raise ValueError(f"{name}: no such file, and no preset of that name (the presets: "
                         f"{', '.join(preset_names())})")
    try:
        return read_lesson(name)[0]
    except ValueError as e:
        raise ValueError(f"{name}: {e}") from None


def _fail(message):
    print("backprop-lab explain: " + " ".join(message.split()), file=sys.stderr)
    return 2
