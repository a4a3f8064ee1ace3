"""Activation functions: a name -> (function, derivative) registry, the names files store.

Each activation writes into preallocated arrays (``out=``) so the training loop allocates nothing.
``backprop(net, y, g, out)`` is the vector-Jacobian product ``out = g · ∂y/∂net``: for the
element-wise activations that is ``g ⊙ f'(net)``; for softmax it is the full Jacobian
``out_j = y_j (g_j − Σ_k g_k y_k)``. Arrays are (neurons, batch): one column per sample.
"""
from __future__ import annotations

import numpy as np


class Activation:
    """An activation ``y = f(net)`` with its derivative; ``elementwise`` is False only for softmax."""

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


class ReLU(Activation):
    """f(net) = max(net, 0); f'(net) = 1 for net > 0, else 0 (ReLU'(0) = 0)."""

    name = "relu"

    def forward(self, net, out):
        return np.maximum(net, 0.0, out=out)

    def derivative(self, net, y):
        return (np.asarray(net) > 0).astype(np.float64)

    def backprop(self, net, y, g, out):
        # y = max(net, 0) ≥ 0, so sign(y) is exactly ReLU'(net); float × float is the fast loop
        np.multiply(g, np.sign(y), out=out)
        return out


class Sigmoid(Activation):
    """f(net) = 1 / (1 + e^(−net)); f' = y (1 − y)."""

    name = "sigmoid"

    def forward(self, net, out):
        # σ(x) = ½ + ½ tanh(x/2): no overflow for any x, and in place
        np.multiply(net, 0.5, out=out)
        np.tanh(out, out=out)
        out *= 0.5
        out += 0.5
        return out

    def derivative(self, net, y):
        return y * (1.0 - y)

    def backprop(self, net, y, g, out):
        d = np.subtract(1.0, y)
        d *= y
        return np.multiply(g, d, out=out)


class Tanh(Activation):
    """f(net) = tanh(net); f' = 1 − y²."""

    name = "tanh"

    def forward(self, net, out):
        return np.tanh(net, out=out)

    def derivative(self, net, y):
        return 1.0 - y * y

    def backprop(self, net, y, g, out):
        d = np.multiply(y, y)
        np.subtract(1.0, d, out=d)
        return np.multiply(g, d, out=out)


class Softmax(Activation):
    """y_k = e^(net_k) / Σ_m e^(net_m) over one sample (a column); output layer only.

    ∂y_k/∂net_j = y_k (1[k=j] − y_j), so ``backprop`` gives out_j = y_j (g_j − Σ_k g_k y_k).
    """

    name = "softmax"
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
