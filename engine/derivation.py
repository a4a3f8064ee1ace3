"""Worked derivations in the notes' notation, with a step's own numbers: the model.

For any weight, bias or neuron — and for a whole step — the formula in symbols, then the same
formula with the step's numbers substituted, then the result, as ``Equation``s in ``Section``s
of a ``Document`` (``engine.render`` writes them as Markdown, HTML or LaTeX; the markup is
described there). ``phases`` splits a step into the parts the phase walk shows one at a time.

Results are the engine's (``StepRecord``), never recomputed here. **Every substituted line
reproduces its result**: worked exactly from the numbers as shown (``engine.arithmetic``), it
rounds to the result as shown. Where the operands at the chosen decimals do not give that — the
rounding of the operands adds up, as in ∂L/∂w13 = −δ3 x1 with δ3 = 0.1556 (−0.156 × 0.600 =
−0.0936 → −0.094, not −0.093) — that equation shows its operands with one more digit
(−0.1556 × 0.600), up to ``EXTRA`` more, and if that is not enough (a value just below a
rounding boundary), its result too; operands that are exact at the chosen decimals (0.600) keep
them. A small factor of large terms (a saturated σ' = 0.000921 shown as 0.001, times a sum near
1,500) needs more: up to ``EXTRA_FAR`` more digits are tried before giving up. A line that even
that cannot settle — a difference of two nearly equal numbers, such as Err = 0.500 − 0.500 of a
converged network, or 1 − y of a saturated σ — keeps the chosen decimals and its result reads
"≈" (``Equation.approx``).

How each activation and loss is written comes from the activation and the loss themselves
(``engine.activations``, ``engine.losses``): nothing here looks at their names.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from .activations import get_activation
from .arithmetic import evaluate
from .losses import get_loss
from .numbers import DEFAULT_DECIMALS, decimal_of, fmt, fmt_more, format_like
from .render import plain_prose

MAX_TERMS = 8  # a sum with more terms is written Σ_m … rather than spelled out
EXTRA = 3      # at most this many more decimals for a substituted line to reproduce its result
EXTRA_FAR = 6  # or this many, when a small factor multiplies large terms (tried only then)


# -- the document model ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Equation:
    """``lhs op form₁ = form₂ = … = result``.

    ``forms`` are (kind, math) pairs: kind "sym" (symbols), "num" (the step's numbers
    substituted: plain arithmetic that, worked exactly, rounds to the result as shown) or "res"
    (the result, always last). ``value`` is the result as a number; ``op`` is "=" or "←" (an
    update). ``approx``: the numbers shown cannot give the result to its decimals (see
    ``settle``), so the result line reads "≈"."""

    lhs: str
    forms: tuple
    value: float
    op: str = "="
    approx: bool = False


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


# -- numbers in substituted lines ------------------------------------------------------------------
class Digits:
    """The number writers of a substituted line: ``n(v)`` a number as ``fmt`` writes it at
    ``base`` decimals, with ``extra`` more digits (``fmt_more``) unless it is exact without
    them (0.500 stays 0.500); ``f(v)`` the same as a factor, in parentheses when negative."""

    def __init__(self, base, extra=0):
        self.base, self.extra = base, extra

    def n(self, v):
        short = fmt(v, self.base)
        if not self.extra or short == "—" or _reads_as(short, v):
            return short
        return fmt_more(v, self.base, self.extra)

    def f(self, v):
        t = self.n(v)
        return f"({t})" if t.startswith("−") else t


def _reads_as(text, v):
    """Does ``text`` (as ``fmt`` writes it) read back as exactly the decimal of ``v``?"""
    try:
        return Decimal(text.replace("−", "-")) == decimal_of(v)
    except ArithmeticError:
        return False


def reproduces(form, result):
    """Does the substituted line ``form``, worked exactly, round to ``result`` (text as
    ``fmt`` writes it) with as many digits as ``result`` shows, by ``fmt``'s rule? False for a
    line that cannot be worked (log 0, overflow, a "—" among its numbers) or a result that is
    not a number."""
    if result == "—":
        return False
    try:
        return format_like(evaluate(form), result) == result
    except (ArithmeticError, ValueError):
        return False


def settle(numbers, value, decimals):
    """(operand extra digits, result extra digits, reproduced) for the substituted lines
    ``numbers`` (functions (n, f) → markup) of a result ``value`` at ``decimals``: the fewest
    more digits of the result, then of the operands (never fewer than the result's), up to
    ``EXTRA`` more each — or, failing that, up to ``EXTRA_FAR`` more of the operands — at which
    every line worked exactly rounds to the result as shown. When none does (a sum that
    cancels, a saturated σ: 1 − 0.99999… shown as 1.000), (0, 0, False): the lines are shown at
    ``decimals`` and the result is marked "≈"."""
    if not numbers:
        return 0, 0, True

    def ok(extra, res_extra):
        d = Digits(decimals, extra)
        result = fmt_more(value, decimals, res_extra)
        return all(reproduces(num(d.n, d.f), result) for num in numbers)

    for low, high in ((0, EXTRA), (EXTRA + 1, EXTRA_FAR)):
        for res_extra in range(EXTRA + 1):
            for extra in range(max(res_extra, low), high + 1):
                if ok(extra, res_extra):
                    return extra, res_extra, True
    return 0, 0, False


@dataclass(frozen=True)
class Output:
    """What a loss needs to write L and an output's δ (``engine.losses``): the output ``k``, the
    output neurons, and for any output m its target, output, Err and net of the shown sample."""

    k: int
    outputs: tuple
    ob: object
    y: object
    err: object
    targets_sum_to_one: bool
    net: object = None


class Explainer:
    """The derivations of one step (``record``, taken on ``network``) for batch row ``sample``,
    numbers shown with ``decimals`` decimals (a substituted line may show more: see the module
    docstring)."""

    def __init__(self, network, record, sample=0, decimals=DEFAULT_DECIMALS):
        self.network, self.rec = network, record
        self.lay = record.layout
        self.L = len(self.lay.sizes) - 1
        self.batch = len(record.x)
        self.s = int(sample) if 0 <= sample < self.batch else 0
        self.d = int(decimals)
        self.output_first = record.update_order == "output_first"
        self.lossf = get_loss(network.loss).for_output(
            get_activation(network.activations[-1]))
        self._fprime = {}  # j → fprime(j): asked for by every derivation that passes through j

    # -- numbers ---------------------------------------------------------------------------------
    def n(self, v):
        return fmt(v, self.d)

    def f(self, v):
        """A number as a factor or operand: negative ones in parentheses."""
        t = self.n(v)
        return f"({t})" if t.startswith("−") else t

    def equation(self, lhs, forms, value, op="="):
        """An Equation of ``forms`` — "sym" markup, or "num" functions (n, f) → markup (or
        None, dropped) — and the result ``value``, at the decimals where every substituted line
        reproduces the result (``settle``)."""
        digits = Digits(self.d)
        numbers = [form for kind, form in forms
                   if kind == "num" and form(digits.n, digits.f) is not None]
        extra, res_extra, reproduced = settle(numbers, value, self.d)
        digits = Digits(self.d, extra)
        out = []
        for kind, form in forms:
            if kind == "num":
                form = form(digits.n, digits.f)
                if form is None:
                    continue
                form = form.replace("−—", "—")  # a number with no value has no sign either
            out.append((kind, form))
        return Equation(lhs, tuple(out) + (("res", fmt_more(value, self.d, res_extra)),), value,
                        op, not reproduced)

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

    def output(self, k):
        """Output k of the shown sample, as a loss reads it (``Output``)."""
        return Output(k, tuple(self.lay.neurons(self.L)), self.ob, self.y,
                      lambda m: self.rec.err(m, self.s), self.targets_sum_to_one(),
                      lambda m: self.rec.net(m, self.s))

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
            pairs = [(self.y(i), self.weight_before(i, j)) for i in srcs]
            forms.append(("sym", _join_sum([f"{self.ysym(i)} {_wsym(i, j)}" for i in srcs]
                                           + [_s("b", j)])))
            forms.append(("num", lambda n, f: _join_sum(
                [f"{f(y)} × {f(w)}" for y, w in pairs] + [f(b)])))
        return self.equation(_s("net", j), forms, self.rec.net(j, self.s))

    def out_eq(self, j):
        a, net = self.act(j), self.rec.net(j, self.s)
        layer = list(self.lay.neurons(self.layer(j)))
        nets = [self.rec.net(m, self.s) for m in layer] if len(layer) <= MAX_TERMS else []
        forms = [("sym", form) for form in a.out_forms(_s("net", j))]
        forms.append(("num", lambda n, f: a.out_numbers(n(net), f(net), [n(v) for v in nets])))
        return self.equation(_s("y", j), forms, self.y(j))

    # -- loss -------------------------------------------------------------------------------------
    def err_eq(self, k):
        ob, y = self.ob(k), self.y(k)
        return self.equation(_s("Err", k), [("sym", f"ob_{{{k}}} − y_{{{k}}}"),
                                             ("num", lambda n, f: f"{n(ob)} − {f(y)}")],
                             self.rec.err(k, self.s))

    def sample_loss(self, s):
        """The loss of batch row ``s`` alone, as the loss computes it."""
        rec, L = self.rec, self.L
        column = (rec.nets[L][s][:, None], rec.outs[L][s][:, None], rec.target[s][:, None])
        with np.errstate(all="ignore"):
            return float(self.lossf.sample_losses(get_activation(self.network.activations[-1]),
                                                  *column)[0])

    def loss_eqs(self):
        """L for the shown sample, and for a batch the mean over it."""
        outs = list(self.lay.neurons(self.L))
        loss = self.lossf
        lhs = "L" + self.sample_tag()
        forms = [("sym", loss.formula)]
        if len(outs) <= MAX_TERMS:
            out = self.output(outs[0])
            forms.append(("sym", loss.expanded([loss.term(k) for k in outs])))
            forms.append(("num", lambda n, f: loss.numbers(out, n, f)))
        if self.batch == 1:
            return [self.equation(lhs, forms, self.rec.loss)]
        per = [self.sample_loss(s) for s in range(self.batch)]
        return [self.equation(lhs, forms, per[self.s]),
                self.mean_eq("L", "L^{(s)}", per, self.rec.loss)]

    def mean_eq(self, lhs, term, values, value):
        """lhs = (1/B) Σ_s term = (1/B) × [v₁ + v₂ + …] = value."""
        forms = [("sym", f"(1/{self.batch}) Σ_{{s}} {term}")]
        if self.batch <= MAX_TERMS:
            forms.append(("num", lambda n, f: f"(1/{self.batch}) × [{_join_sum(map(f, values))}]"))
        return self.equation(lhs, forms, value)

    # -- backward pass ----------------------------------------------------------------------------
    def fprime(self, j):
        """(symbol, value, Equation or None) of f'(net_j); the symbol is None for a linear
        neuron, whose f' = 1 drops out of every product, and all three are None for softmax,
        which has no element-wise derivative (its δ is written out whole)."""
        if j not in self._fprime:
            self._fprime[j] = self._make_fprime(j)
        return self._fprime[j]

    def _make_fprime(self, j):
        a = self.act(j)
        if not a.elementwise:
            return None, None, None
        net, y = self.rec.net(j, self.s), self.y(j)
        v = float(a.derivative(np.float64(net), np.float64(y)))
        sym = a.prime_symbol(_s("net", j))
        if sym is None:
            return None, v, None
        forms = [("sym", form) for form in a.prime_forms(_s("y", j))]
        forms.append(("num", lambda n, f: a.prime_numbers(n(net), f(net), f(y))))
        return sym, v, self.equation(sym, forms, v)

    def fprime_eq(self, j):
        """The f'(net_j) equation where δ_j is written with it; None for an output whose δ the
        loss writes out whole (sigmoid with cross-entropy: σ' cancels, δ_k = ob_k − y_k)."""
        if self.layer(j) == self.L and self.upstream(j) is None:
            return None
        return self.fprime(j)[2]

    def upstream(self, j):
        """−∂L/∂y_j as (symbols, numbers, value, expanded symbols) when δ_j = (−∂L/∂y_j) ·
        f'(net_j), the numbers a function (n, f) → markup; None for an output whose δ does not
        split that way (softmax, or cross-entropy)."""
        l = self.layer(j)
        if l < self.L:
            nxt = list(self.lay.neurons(l + 1))
            pairs = [(m, *self.backward_weight(j, m)) for m in nxt]
            value = sum(self.rec.delta(m, self.s) * w for m, _, w in pairs)
            if len(nxt) > MAX_TERMS:
                new = "^{new}" if self.output_first else ""
                sym = f"[Σ_{{m}} δ_{{m}} w_{{{j}m}}{new}]"
                return sym, lambda n, f: f"[{n(value)}]", value, sym
            sym = "[" + _join_sum([f"δ_{{{m}}} {w}" for m, w, _ in pairs]) + "]"
            terms = [(self.rec.delta(m, self.s), w) for m, _, w in pairs]
            return (sym, lambda n, f: "[" + _join_sum([f"{f(d)} × {f(w)}" for d, w in terms])
                    + "]", value, sym)
        split = self.lossf.neg_grad_form(self.act(j), self.output(j))
        if split is None:
            return None
        symbol, expanded, numbers, value = split
        return symbol, numbers, value, expanded

    def delta_eq(self, j):
        d = self.rec.delta(j, self.s)
        fsym, fval, _ = self.fprime(j)
        up = self.upstream(j)
        times = "" if fsym is None else f" · {fsym}"
        if up is None:
            forms = self.lossf.delta_forms(self.act(j), self.output(j), MAX_TERMS)
            return self.equation(_s("δ", j), forms, d)
        symbol, numbers, _, expanded = up

        def substituted(n, f, output=self.layer(j) == self.L):
            num = numbers(n, f)
            if fsym is None:
                return num
            return f"({num}) × {f(fval)}" if output else f"{num} × {f(fval)}"

        if self.layer(j) == self.L:  # δ_k = Err_k · f'(net_k)
            diff = expanded if fsym is None else f"({expanded})"
            forms = [("sym", f"{symbol}{times}"), ("sym", f"{diff}{times}"), ("num", substituted)]
        else:  # δ_h = (Σ_k δ_k w_hk) · f'(net_h)
            forms = [("sym", f"{symbol}{times}"), ("num", substituted)]
        return self.equation(_s("δ", j), forms, d)

    def targets_sum_to_one(self):
        return math.isclose(float(self.rec.target[self.s].sum()), 1.0, rel_tol=0, abs_tol=1e-12)

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
            d, y = self.rec.delta(j, self.s), self.y(key[1])
            forms.append(("num", lambda n, f: f"−{f(d)} × {f(y)}"))
        grad = float(self.rec.grad[self.index(key)])
        if self.batch == 1:
            return [self.equation(f"∂L/∂{p}", forms, grad)]
        per = [self.sample_grad(key, s) for s in range(self.batch)]
        return [self.equation(f"∂L{tag}/∂{p}", forms, per[self.s]),
                self.mean_eq(f"∂L/∂{p}", f"∂L^{{(s)}}/∂{p}", per, grad)]

    def frozen(self, key):
        return bool(self.network.frozen[self.index(key)])

    def update_eq(self, key):
        i = self.index(key)
        p = self.psym(key)
        old, new = float(self.rec.params_before[i]), float(self.rec.params_after[i])
        lr = self.rec.lr
        if self.frozen(key):
            return Equation(p, (("sym", p), ("res", self.n(new))), new, "←")
        j = key[-1]
        if self.batch == 1:
            yi = f" {self.ysym(key[1])}" if key[0] == "w" else ""
            d = self.rec.delta(j, self.s)
            y = self.y(key[1]) if yi else None
            forms = [("sym", f"{p} + η δ_{{{j}}}{yi}"),
                     ("num", lambda n, f: f"{n(old)} + {f(lr)} × {f(d)}"
                                          + (f" × {f(y)}" if yi else ""))]
        else:
            g = float(self.rec.grad[i])
            forms = [("sym", f"{p} − η ∂L/∂{p}"),
                     ("num", lambda n, f: f"{n(old)} − {f(lr)} × {f(g)}")]
        return self.equation(p, forms, new, "←")

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
        a = self.act(j)
        if not a.elementwise or a.symbol is not None:  # only where f' = 1 drops out
            return None
        what = "δ_{%d} = Err_{%d}" % (j, j) if self.layer(j) == self.L else "f' drops out"
        return f"$y_{{{j}}}$ is linear: $f'(net_{{{j}}}) = 1$, so ${what}$."

    def delta_note(self, j):
        """What δ_j is made of, in words."""
        if self.layer(j) < self.L:
            return (f"$δ_{{{j}}}$ collects the $δ$ of the next layer through the weights out of "
                    f"$y_{{{j}}}$" + (" (already updated: output layer first)."
                                      if self.output_first else "."))
        note = self.lossf.delta_note(self.act(j), self.output(j))
        return note if note is not None else self.linear_note(j)

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
        items += [self.delta_note(j), self.delta_eq(j), self.fprime_eq(j)]
        return Section(f"Neuron {name}", _present(items))

    def parameter_section(self, key):
        j = key[-1]
        items = [self.batch_note(), *self.grad_eqs(key)]
        if self.layer(j) == self.L:
            items.append(self.err_eq(j))
        items += [self.delta_note(j), self.delta_eq(j), self.fprime_eq(j),
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
                items += [self.delta_note(j), self.delta_eq(j), self.fprime_eq(j)]
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
        intro = [description.replace("$", "$$") or None,  # a description is text, not markup
                 f"Network {'–'.join(map(str, net.sizes))} ({acts}); loss "
                 f"${'L = ' + self.lossf.formula}$; learning rate $η = {self.n(self.rec.lr)}$.",
                 "Neurons are numbered across layers, inputs first. $δ_{j} = −∂L/∂net_{j}$, so "
                 "$∂L/∂w_{ij} = −δ_{j} y_{i}$ and $w_{ij} ← w_{ij} + η δ_{j} y_{i}$.",
                 self.order_note(), self.batch_note(),
                 "Every line with numbers works out to its result as shown; where the numbers at "
                 f"{self.d} decimals would not, that line shows them with more (a result that "
                 "even those cannot give reads ≈).",
                 ]
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
