"""A tiny reverse-mode automatic differentiator, written from scratch for the engine tests.

It deliberately shares nothing with ``engine``: every scalar is a ``Value`` that remembers its
parents and the local derivative towards each of them; ``backward`` walks the graph in reverse
topological order and applies the chain rule. ``reference_loss_and_grad`` then builds a fully
connected network out of these scalars, neuron by neuron, from nothing but the layer sizes, the
activation and loss names and a list of (index, kind, i, j) parameter descriptions.
"""
from __future__ import annotations

import math


class Value:
    """A scalar in a computation graph: ``data`` and, after ``backward``, ``grad`` = ∂root/∂self."""

    __slots__ = ("data", "grad", "_parents", "_local")

    def __init__(self, data, parents=(), local=()):
        self.data = float(data)
        self.grad = 0.0
        self._parents = tuple(parents)
        self._local = tuple(local)  # ∂self/∂parent, one per parent

    def __repr__(self):
        return f"Value({self.data!r}, grad={self.grad!r})"

    @staticmethod
    def lift(other):
        return other if isinstance(other, Value) else Value(other)

    # -- arithmetic ------------------------------------------------------------------------
    def __add__(self, other):
        other = Value.lift(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0))

    __radd__ = __add__

    def __mul__(self, other):
        other = Value.lift(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data))

    __rmul__ = __mul__

    def __neg__(self):
        return Value(-self.data, (self,), (-1.0,))

    def __sub__(self, other):
        return self + (-Value.lift(other))

    def __rsub__(self, other):
        return Value.lift(other) + (-self)

    def reciprocal(self):
        return Value(1.0 / self.data, (self,), (-1.0 / (self.data * self.data),))

    def __truediv__(self, other):
        return self * Value.lift(other).reciprocal()

    def __rtruediv__(self, other):
        return Value.lift(other) * self.reciprocal()

    def square(self):
        return Value(self.data * self.data, (self,), (2.0 * self.data,))

    # -- functions ---------------------------------------------------------------------------
    def exp(self):
        e = math.exp(self.data)
        return Value(e, (self,), (e,))

    def log(self):
        return Value(math.log(self.data), (self,), (1.0 / self.data,))

    def tanh(self):
        t = math.tanh(self.data)
        return Value(t, (self,), (1.0 - t * t,))

    def relu(self):
        # ReLU'(0) = 0, as the engine documents
        return Value(max(self.data, 0.0), (self,), (1.0 if self.data > 0 else 0.0,))

    def sigmoid(self):
        # composed from the primitives above, so its derivative comes from the chain rule
        return 1.0 / (1.0 + (-self).exp())

    # -- reverse mode ------------------------------------------------------------------------
    def backward(self):
        """Fill ``grad`` of every node this one depends on with ∂self/∂node."""
        order, seen = [], set()
        stack = [(self, False)]
        while stack:  # iterative DFS: deep graphs must not hit the recursion limit
            node, done = stack.pop()
            if done:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            for p in node._parents:
                if id(p) not in seen:
                    stack.append((p, False))
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            for p, d in zip(node._parents, node._local):
                p.grad += d * node.grad


def vsum(values):
    values = list(values)
    total = values[0]
    for v in values[1:]:
        total = total + v
    return total


def activate(name, nets):
    """The outputs of one layer given its list of net Values."""
    if name == "linear":
        return list(nets)
    if name == "relu":
        return [n.relu() for n in nets]
    if name == "tanh":
        return [n.tanh() for n in nets]
    if name == "sigmoid":
        return [n.sigmoid() for n in nets]
    if name == "softmax":
        m = max(n.data for n in nets)  # a constant shift: changes no derivative
        exps = [(n - m).exp() for n in nets]
        total = vsum(exps)
        return [e / total for e in exps]
    raise ValueError(f"reference autograd knows no activation {name!r}")


def sample_loss(name, ys, target, activation="softmax"):
    """One sample's loss. ``cross_entropy`` is −Σ ob log y after softmax and the binary
    −Σ [ob log y + (1 − ob) log(1 − y)] after sigmoid, built from log and subtraction as
    written (a term whose factor is 0 is left out: 0·log 0 = 0)."""
    if name == "half_sse":
        return 0.5 * vsum((t - y).square() for y, t in zip(ys, target))
    if name == "cross_entropy":
        terms = [-(y.log() * t) for y, t in zip(ys, target) if t != 0]
        if activation == "sigmoid":
            terms += [-((1.0 - y).log() * (1.0 - t)) for y, t in zip(ys, target) if t != 1]
        return vsum(terms) if terms else Value(0.0)
    raise ValueError(f"reference autograd knows no loss {name!r}")


class Reference:
    """Result of ``reference_loss_and_grad``: the batch loss, ∂L/∂θ in the given parameter order,
    and per sample the net Values of every non-input neuron (their ``grad`` is ∂L/∂net_j)."""

    def __init__(self, loss, grad, nets, outs):
        self.loss, self.grad, self.nets, self.outs = loss, grad, nets, outs


def reference_loss_and_grad(sizes, activations, loss, params, theta, X, T):
    """Loss and gradient of the batch-mean loss, by building the network out of ``Value`` s.

    ``params``: (index, kind, i, j) per parameter ("w": i → j, "b": of neuron j), ``theta`` the
    flat values; X, T: lists of samples (lists of floats). Neurons are numbered 1..N layer by
    layer, inputs first.
    """
    first = [1]
    for n in sizes[:-1]:
        first.append(first[-1] + n)
    layers = [list(range(f, f + n)) for f, n in zip(first, sizes)]
    leaves = [Value(v) for v in theta]
    weight, bias = {}, {}
    for index, kind, i, j in params:
        if kind == "w":
            weight[(i, j)] = leaves[index]
        elif kind == "b":
            bias[j] = leaves[index]
        else:
            raise ValueError(f"unknown parameter kind {kind!r}")
    batch = len(X)
    per_sample, all_nets, all_outs = [], [], []
    for x, t in zip(X, T):
        y = {i: Value(v) for i, v in zip(layers[0], x)}
        nets = {}
        for l in range(1, len(sizes)):
            layer_nets = [vsum([y[i] * weight[(i, j)] for i in layers[l - 1]]) + bias[j]
                          for j in layers[l]]
            for j, n in zip(layers[l], layer_nets):
                nets[j] = n
            for j, out in zip(layers[l], activate(activations[l - 1], layer_nets)):
                y[j] = out
        per_sample.append(sample_loss(loss, [y[k] for k in layers[-1]], t, activations[-1]))
        all_nets.append(nets)
        all_outs.append(y)
    total = vsum(per_sample) * (1.0 / batch)
    total.backward()
    return Reference(total.data, [v.grad for v in leaves], all_nets, all_outs)
