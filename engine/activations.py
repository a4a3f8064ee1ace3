"""Activation functions: a name -> (function, derivative) registry, the names files store.

Each activation works two ways:

- on NumPy arrays, writing into preallocated arrays (``out=``) so the training loop allocates
  nothing. Arrays are (neurons, batch): one column per sample. ``backprop(net, y, g, out)`` is the
  vector-Jacobian product ``out = g · ∂y/∂net``: for the element-wise activations that is
  ``g ⊙ f'(net)``; for softmax it is the full Jacobian ``out_j = y_j (g_j − Σ_k g_k y_k)``.
- as lines of plain Python for the unrolled kernel of small networks (``engine/unrolled.py``):
  ``source(nets, ys)`` assigns the variables named in ``ys`` from those in ``nets``, and
  ``backprop_source(nets, ys, gs, outs)`` assigns ``outs`` = the vector-Jacobian product of
  ``gs``. Those lines may call the functions in ``SCALAR_NAMES``.

Both give the same values to within rounding; neither raises or warns on overflow (inf and NaN
flow through, and the network reports them as divergence).

Each also says how the worked derivations (``engine.derivation``) write it, in their markup:
``symbol`` and ``out_forms``/``out_numbers`` for y = f(net), ``prime_symbol``, ``prime_forms``
and ``prime_numbers`` for f'(net). The derivations never look at an activation's name.
"""
from __future__ import annotations

import math

import numpy as np


def sigmoid(x):
    """σ(x) = 1 / (1 + e^(−x)) for one Python float, without cancellation or overflow:
    e^x / (1 + e^x) for x < 0, so σ keeps full relative accuracy far into the negatives."""
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # NaN lands here too and stays NaN
    return e / (1.0 + e)


#: the functions that generated scalar lines may call, by the names they use
SCALAR_NAMES = {"_exp": math.exp, "_log": math.log, "_log1p": math.log1p, "_tanh": math.tanh,
                "_sigmoid": sigmoid}


class Activation:
    """An activation ``y = f(net)`` with its derivative; ``elementwise`` is False only for softmax.

    An element-wise activation gives its scalar form as two expressions, ``expr(n)`` = f(n) and
    ``backprop_expr(n, y, g)`` = g·f'(n); ``source`` and ``backprop_source`` apply them per neuron.
    """

    name = ""
    elementwise = True

    def forward(self, net, out):
        raise NotImplementedError

    def derivative(self, net, y):
        """f'(net) element by element (a new array); only for element-wise activations."""
        raise NotImplementedError

    def backprop(self, net, y, g, out):
        """out = g ⊙ f'(net)."""
        np.multiply(g, self.derivative(net, y), out=out)
        return out

    def expr(self, n):
        raise NotImplementedError

    def backprop_expr(self, n, y, g):
        raise NotImplementedError

    def source(self, nets, ys):
        return [f"{y} = {self.expr(n)}" for n, y in zip(nets, ys)]

    def backprop_source(self, nets, ys, gs, outs):
        return [f"{o} = {self.backprop_expr(n, y, g)}" for n, y, g, o in zip(nets, ys, gs, outs)]

    # -- how the derivations write it (markup: ``net_{3}``, ``y^{2}``) ---------------------------
    #: the name of f in formulas ("ReLU", "σ", "tanh"); None when y = net (linear)
    symbol = None

    def out_forms(self, net):
        """y = f(net) in symbols, one form per line after "y_j ="; ``net`` is net_j's markup."""
        return [net] if self.symbol is None else [f"{self.symbol}({net})"]

    def out_numbers(self, net, net_factor, layer_nets=()):
        """y = f(net) with the step's numbers: ``net`` as shown, ``net_factor`` the same in
        parentheses when negative, ``layer_nets`` every net of the layer as shown (empty when
        too many to write out). None when there is nothing to substitute (y = net)."""
        return None if self.symbol is None else f"{self.symbol}({net})"

    def prime_symbol(self, net):
        """f'(net) in symbols; None when f' = 1 drops out of every product (linear) or f has no
        element-wise derivative (softmax: its δ is written out whole)."""
        if self.symbol is None or not self.elementwise:
            return None
        return f"{self.symbol}'({net})"

    def prime_forms(self, y):
        """f'(net) in terms of ``y`` (y_j's markup), the lines after "f'(net_j) ="."""
        return []

    def prime_numbers(self, net, net_factor, y_factor):
        """f'(net) with the step's numbers: ``net`` as shown, ``net_factor`` and ``y_factor``
        net and y as factors (in parentheses when negative)."""
        return f"{self.symbol}'({net})"

    def __repr__(self):
        return f"<activation {self.name}>"


class Linear(Activation):
    """f(net) = net, f' = 1 (the notes' first case)."""

    name = "linear"

    def forward(self, net, out):
        if out is not net:
            np.copyto(out, net)
        return out

    def derivative(self, net, y):
        return np.ones_like(net)

    def backprop(self, net, y, g, out):
        if out is not g:
            np.copyto(out, g)
        return out

    def expr(self, n):
        return n

    def backprop_expr(self, n, y, g):
        return g


class ReLU(Activation):
    """f(net) = max(net, 0); f'(net) = 1 for net > 0, else 0 (ReLU'(0) = 0).

    An inactive neuron's δ is exactly 0 whatever flows into it, even ±inf or NaN: its f' = 0
    cuts the path, so an overflow beyond it cannot reach the weights before it.
    """

    name = "relu"
    symbol = "ReLU"

    def forward(self, net, out):
        return np.maximum(net, 0.0, out=out)

    def derivative(self, net, y):
        return (np.asarray(net) > 0).astype(np.float64)

    def backprop(self, net, y, g, out):
        if out is not g:
            np.copyto(out, g)
        np.copyto(out, 0.0, where=~(net > 0.0))  # not g·0, which is NaN for g = ±inf
        return out

    def expr(self, n):
        return f"({n} if {n} > 0.0 else 0.0)"

    def backprop_expr(self, n, y, g):
        return f"({g} if {n} > 0.0 else 0.0)"


class Sigmoid(Activation):
    """f(net) = 1 / (1 + e^(−net)); f' = y (1 − y).

    The form 1 / (1 + e^(−net)) has no cancellation, so y keeps its full relative accuracy for
    negative net too (σ(−700) ≈ 9.9e-305 to the last digits). Below net ≈ −709, where σ is
    subnormal, e^(−net) overflows and the array form gives 0; the scalar form gives the subnormal.
    """

    name = "sigmoid"
    symbol = "σ"

    def forward(self, net, out):
        np.negative(net, out=out)
        np.exp(out, out=out)
        out += 1.0
        return np.divide(1.0, out, out=out)

    def derivative(self, net, y):
        return y * (1.0 - y)

    def backprop(self, net, y, g, out):
        d = np.subtract(1.0, y)
        d *= y
        return np.multiply(g, d, out=out)

    def expr(self, n):
        return f"_sigmoid({n})"

    def backprop_expr(self, n, y, g):
        return f"{g} * ((1.0 - {y}) * {y})"

    def out_forms(self, net):
        return [f"σ({net})", f"1/(1 + exp(−{net}))"]

    def out_numbers(self, net, net_factor, layer_nets=()):
        return f"1/(1 + exp(−{net_factor}))"

    def prime_forms(self, y):
        return [f"{y}(1 − {y})"]

    def prime_numbers(self, net, net_factor, y_factor):
        return f"{y_factor} × (1 − {y_factor})"


class Tanh(Activation):
    """f(net) = tanh(net); f' = 1 − y²."""

    name = "tanh"
    symbol = "tanh"

    def forward(self, net, out):
        return np.tanh(net, out=out)

    def derivative(self, net, y):
        return 1.0 - y * y

    def backprop(self, net, y, g, out):
        d = np.multiply(y, y)
        np.subtract(1.0, d, out=d)
        return np.multiply(g, d, out=out)

    def expr(self, n):
        return f"_tanh({n})"

    def backprop_expr(self, n, y, g):
        return f"{g} * (1.0 - {y} * {y})"

    def prime_forms(self, y):
        return [f"1 − {y}^{{2}}"]

    def prime_numbers(self, net, net_factor, y_factor):
        return f"1 − {y_factor}^{{2}}"


class Softmax(Activation):
    """y_k = e^(net_k) / Σ_m e^(net_m) over one sample (a column); output layer only.

    ∂y_k/∂net_j = y_k (1[k=j] − y_j), so ``backprop`` gives out_j = y_j (g_j − Σ_k g_k y_k).
    """

    name = "softmax"
    symbol = "softmax"
    elementwise = False

    def forward(self, net, out):
        np.subtract(net, net.max(axis=0), out=out)
        np.exp(out, out=out)
        out /= out.sum(axis=0)
        return out

    def derivative(self, net, y):
        raise ValueError("softmax has no element-wise derivative; use its Jacobian")

    def backprop(self, net, y, g, out):
        s = np.einsum("kb,kb->b", g, y)
        np.subtract(g, s, out=out)
        out *= y
        return out

    def source(self, nets, ys):
        # the temporaries are named after the first output, which is unique to this sample
        m, es, s = f"max_{ys[0]}", [f"exp_{y}" for y in ys], f"sum_{ys[0]}"
        lines = [f"{m} = max({', '.join(nets)})" if len(nets) > 1 else f"{m} = {nets[0]}"]
        lines += [f"{e} = _exp({n} - {m})" for n, e in zip(nets, es)]
        lines.append(f"{s} = {' + '.join(es)}")
        return lines + [f"{y} = {e} / {s}" for y, e in zip(ys, es)]

    def backprop_source(self, nets, ys, gs, outs):
        s = f"gy_{outs[0]}"
        lines = [f"{s} = {' + '.join(f'{g} * {y}' for g, y in zip(gs, ys))}"]
        return lines + [f"{o} = ({g} - {s}) * {y}" for g, y, o in zip(gs, ys, outs)]

    def out_forms(self, net):
        return [f"exp({net}) / Σ_{{m}} exp(net_{{m}})"]

    def out_numbers(self, net, net_factor, layer_nets=()):
        if not layer_nets:
            return None
        return f"exp({net}) / [{' + '.join(f'exp({n})' for n in layer_nets)}]"


ACTIVATIONS: dict[str, Activation] = {
    a.name: a for a in (Linear(), ReLU(), Sigmoid(), Tanh(), Softmax())
}


def get_activation(name) -> Activation:
    """The registered activation called ``name``; ValueError naming the choices otherwise."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}"
        ) from None
