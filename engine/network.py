"""The network: parameters in one flat vector, a forward pass, backpropagation, SGD updates.

Neurons are numbered 1..N across layers, inputs first (the notes: x1, x2 → y3, y4 → y5, y6, y7).
``w_ij`` joins neuron i to neuron j of the next layer, ``b_j`` is j's bias, and

    net_j = Σ_i y_i w_ij + b_j        y_j = f(net_j)
    δ_j   = −∂L/∂net_j                ∂L/∂w_ij = −δ_j y_i        ∂L/∂b_j = −δ_j
    w_ij ← w_ij + η δ_j y_i           b_j ← b_j + η δ_j

Arrays are float64 and batch-first: x has shape (batch, n_in). A batch's loss is the mean of its
samples' losses and the gradients are averaged the same way.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

import numpy as np

from .activations import get_activation
from .losses import get_loss

UPDATE_ORDERS = ("simultaneous", "output_first")


class DivergenceError(ValueError):
    """An update would make a parameter or the loss NaN/Inf.

    The network is left at its last finite state: ``steps_done`` updates were applied (``losses``
    holds their losses) and the one after them is the update that diverged.
    """

    def __init__(self, message, steps_done=0, losses=None):
        super().__init__(message)
        self.steps_done = steps_done
        self.losses = np.zeros(0) if losses is None else losses


@dataclass(frozen=True)
class Param:
    """One trainable number: ``kind`` is "w" (i → j) or "b" (of neuron j; i is None)."""

    index: int
    kind: str
    i: int | None
    j: int
    label: str


def param_label(kind, i, j):
    """``w35``, ``b3``; with a two-digit index the two are kept apart: ``w3,12``."""
    if kind == "b":
        return f"b{j}"
    sep = "," if max(i, j) >= 10 else ""
    return f"w{i}{sep}{j}"


class Layout:
    """Where each neuron and parameter lives; shared by a network and its step records.

    Parameters are ordered layer by layer; within a layer the weights come first, row-major by
    (i, j) (w13, w14, w23, w24), then the biases (b3, b4).
    """

    def __init__(self, sizes):
        self.sizes = tuple(sizes)
        self.first = [1]  # number of each layer's first neuron
        for n in self.sizes[:-1]:
            self.first.append(self.first[-1] + n)
        self.n_neurons = sum(self.sizes)
        self.slices = [None]  # per layer l ≥ 1: (weight slice, bias slice) into the flat vector
        params = []
        off = 0
        for l in range(1, len(self.sizes)):
            n_in, n_out = self.sizes[l - 1], self.sizes[l]
            w = slice(off, off + n_in * n_out)
            off += n_in * n_out
            b = slice(off, off + n_out)
            off += n_out
            self.slices.append((w, b))
            for a in range(n_in):
                for c in range(n_out):
                    i, j = self.first[l - 1] + a, self.first[l] + c
                    params.append(Param(len(params), "w", i, j, param_label("w", i, j)))
            for c in range(n_out):
                j = self.first[l] + c
                params.append(Param(len(params), "b", None, j, param_label("b", None, j)))
        self.n_params = off
        self.params = tuple(params)
        self.by_label = {p.label: p for p in params}

    def block(self, l):
        """The slice of layer l's weights and biases, which follow each other."""
        return slice(self.slices[l][0].start, self.slices[l][1].stop)

    def locate(self, j):
        """(layer, position in layer) of neuron j; ValueError if there is no neuron j."""
        if isinstance(j, bool) or not isinstance(j, (int, np.integer)):
            raise ValueError(f"neuron number must be an integer, not {j!r}")
        if not 1 <= j <= self.n_neurons:
            raise ValueError(f"there is no neuron {j}: neurons are numbered 1..{self.n_neurons}")
        for l in range(len(self.sizes) - 1, -1, -1):
            if j >= self.first[l]:
                return l, int(j - self.first[l])

    def weight_index(self, i, j):
        li, ai = self.locate(i)
        lj, cj = self.locate(j)
        if lj != li + 1:
            raise ValueError(
                f"there is no weight w{i},{j}: neuron {i} (layer {li}) does not feed "
                f"neuron {j} (layer {lj})"
            )
        return self.slices[lj][0].start + ai * self.sizes[lj] + cj

    def bias_index(self, j):
        l, c = self.locate(j)
        if l == 0:
            raise ValueError(f"neuron {j} is an input; inputs have no bias")
        return self.slices[l][1].start + c

    def neuron_label(self, j):
        """``x1`` for inputs, ``y5`` for every other neuron."""
        l, _ = self.locate(j)
        return f"x{j}" if l == 0 else f"y{j}"

    def neurons(self, layer):
        """The neuron numbers of one layer."""
        return range(self.first[layer], self.first[layer] + self.sizes[layer])


def _finite(value, what):
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a number, not {value!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"{what} must be finite, not {v}")
    return v


def _all_finite(a):
    """No NaN/Inf in ``a``. v·v is one fast call and is finite exactly when every entry is,
    unless a huge entry overflows the square: only then is the entry-by-entry check needed."""
    v = a.reshape(-1)
    return math.isfinite(v.dot(v)) or bool(np.isfinite(v).all())


def _batch(a, n, what):
    """``a`` as a float64 (batch, n) array and whether it came in as one 1-D sample."""
    try:
        arr = np.array(a, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be numbers") from None
    if arr.ndim == 1 and arr.shape[0] == n:
        arr, single = arr[None, :], True
    elif arr.ndim == 2 and arr.shape[1] == n and arr.shape[0] >= 1:
        single = False
    else:
        raise ValueError(
            f"{what} has shape {arr.shape}; the network needs {n} values or a (batch, {n}) array"
        )
    if not _all_finite(arr):
        raise ValueError(f"{what} contains NaN or Inf")
    return arr, single


class _Pass:
    """Preallocated buffers for one batch size, and the forward and backward passes over them
    as lists of prepared NumPy calls, so a training step allocates nothing.

    Inside, arrays are (neurons, batch) — one column per sample — so each layer's values are
    contiguous rows, which is what makes large batches fast. Every layer but the output keeps a
    trailing row of ones in ``ya``, and each layer's weights and biases form one
    (n_in + 1, n_out) block ``Wa`` of the flat vector, so net = Waᵀ·ya and
    ∂L/∂Wa = ya·(∂L/∂net)ᵀ are one matrix product each.
    """

    def __init__(self, network, batch):
        sizes = network.sizes
        L = len(sizes) - 1
        acts = network._acts
        self.network = network
        self.batch = batch
        self.ya = [np.ones((n + 1, batch)) for n in sizes[:-1]] + [np.empty((sizes[-1], batch))]
        self.ys = [a[:n] for a, n in zip(self.ya, sizes)]  # y without the ones row
        # a linear layer's net is its y: the same array, no copy
        self.nets = [None] + [self.ys[l] if acts[l].name == "linear" else np.empty((n, batch))
                              for l, n in enumerate(sizes[1:], start=1)]
        self.dnets = [None] + [np.empty((n, batch)) for n in sizes[1:]]  # ∂L/∂net = −δ
        self.grad = np.empty(network.layout.n_params)  # Σ over the batch of ∂L_sample/∂θ
        gWa = network._blocks(self.grad)
        self.t = np.empty((sizes[-1], batch))  # targets, (n_out, batch)

        self.forward_ops = []
        for l in range(1, L + 1):
            self.forward_ops.append(partial(network.Wa[l].T.dot, self.ya[l - 1], out=self.nets[l]))
            if self.nets[l] is not self.ys[l]:
                self.forward_ops.append(partial(acts[l].forward, self.nets[l], self.ys[l]))

        dn, nets, ys = self.dnets, self.nets, self.ys
        # half-SSE: L = ½|y − ob|²/batch is read off ∂L/∂y = y − ob before f' is applied
        self.sse = network.loss == "half_sse"
        if self.sse:
            self.err_op = partial(np.subtract, ys[L], self.t, out=dn[L])
            self.dflat = dn[L].reshape(-1)
            self.output_ops = [] if acts[L].name == "linear" else [
                partial(acts[L].backprop, nets[L], ys[L], dn[L], dn[L])]
        else:
            self.output_ops = [partial(network._loss.dnet, acts[L], nets[L], ys[L], self.t, dn[L])]
        self.layer_ops = []  # per layer L..1: (its gradient op, ops passing δ down)
        for l in range(L, 0, -1):
            down = []
            if l > 1:
                down.append(partial(network.W[l].dot, dn[l], out=dn[l - 1]))
                if acts[l - 1].name != "linear":
                    down.append(partial(acts[l - 1].backprop, nets[l - 1], ys[l - 1], dn[l - 1],
                                        dn[l - 1]))
            self.layer_ops.append((l, partial(self.ya[l - 1].dot, dn[l].T, out=gWa[l]), down))
        # the simultaneous order, flattened: one loop over prepared calls is the hot path
        self.backward_ops = self.output_ops + [op for _, grad_op, down in self.layer_ops
                                               for op in (grad_op, *down)]

    def load(self, x, t=None):
        """Inputs (and targets) from (batch, n) arrays."""
        np.copyto(self.ys[0], x.T)
        if t is not None:
            np.copyto(self.t, t.T)

    def forward(self):
        """ys[0] must hold the inputs; fills nets and ys."""
        for op in self.forward_ops:
            op()

    def loss(self):
        """L (batch mean) after ``forward``. Half-SSE leaves ∂L/∂y = y − ob in dnets[L]."""
        if self.sse:
            self.err_op()
            return 0.5 * self.dflat.dot(self.dflat) / self.batch
        n, L = self.network, len(self.ys) - 1
        return float(n._loss.sample_losses(n._acts[L], self.nets[L], self.ys[L], self.t).mean())

    def loss_and_backward(self, update=None):
        """L, then dnets and grad. ``update`` (a per-parameter step vector, η·mask/batch) applies
        each layer's update before its δ is propagated down: the output-layer-first order."""
        loss = self.loss()
        if update is None:
            for op in self.backward_ops:
                op()
            return loss
        for op in self.output_ops:
            op()
        theta = self.network.theta
        for l, grad_op, down in self.layer_ops:
            grad_op()
            s = self.network.layout.block(l)
            theta[s] -= update[s] * self.grad[s]
            for op in down:
                op()
        return loss


class StepRecord:
    """Everything one ``step`` computed, before its update; indexed by neuron number.

    Arrays: ``x`` and ``target`` (batch, n); ``nets[l]``, ``outs[l]``, ``deltas[l]`` per layer
    (batch, n_l; layer 0 has outs only); ``grad`` the batch-averaged ∂L/∂θ in parameter order;
    ``params_before`` and ``params_after`` the flat parameter vectors.
    """

    def __init__(self, layout, x, target, loss, nets, outs, deltas, grad, params_before,
                 params_after, lr, update_order):
        self.layout = layout
        self.x, self.target, self.loss = x, target, loss
        self.nets, self.outs, self.deltas = nets, outs, deltas
        self.grad = grad
        self.params_before, self.params_after = params_before, params_after
        self.lr, self.update_order = lr, update_order

    def _at(self, arrays, j, sample, what):
        l, c = self.layout.locate(j)
        if arrays[l] is None:
            raise ValueError(f"neuron {j} is an input; inputs have no {what}")
        return float(arrays[l][sample, c])

    def net(self, j, sample=0):
        """net_j = Σ_i y_i w_ij + b_j (for an input, x_j itself)."""
        l, c = self.layout.locate(j)
        return float((self.outs if l == 0 else self.nets)[l][sample, c])

    def out(self, j, sample=0):
        """y_j = f(net_j) (for an input, x_j)."""
        return self._at(self.outs, j, sample, "output")

    def err(self, k, sample=0):
        """Err_k = ob_k − y_k, for output neurons only."""
        l, c = self.layout.locate(k)
        if l != len(self.layout.sizes) - 1:
            raise ValueError(f"neuron {k} is not an output; Err is defined for outputs only")
        return float(self.target[sample, c] - self.outs[l][sample, c])

    def delta(self, j, sample=0):
        """δ_j = −∂L/∂net_j for one sample."""
        return self._at(self.deltas, j, sample, "δ")

    def grad_weight(self, i, j):
        """∂L/∂w_ij = −δ_j y_i, averaged over the batch."""
        return float(self.grad[self.layout.weight_index(i, j)])

    def grad_bias(self, j):
        """∂L/∂b_j = −δ_j, averaged over the batch."""
        return float(self.grad[self.layout.bias_index(j)])


class Network:
    """A fully connected feed-forward network trained by backpropagation and SGD.

    ``Network([2, 2, 3], activations=["relu", "linear"], loss="half_sse", seed=0)`` is the notes'
    net. One activation per non-input layer (default: ReLU hidden, linear output); softmax only on
    the output layer. ``update_order`` is "simultaneous" (all δ from the weights before the update)
    or "output_first" (each layer is updated before its δ is passed down, as some textbooks do).
    """

    def __init__(self, sizes, activations=None, loss="half_sse", seed=0,
                 update_order="simultaneous"):
        try:
            sizes = [int(n) for n in sizes]
        except (TypeError, ValueError):
            raise ValueError(f"sizes must be a list of layer widths, not {sizes!r}") from None
        if len(sizes) < 2 or min(sizes) < 1:
            raise ValueError(f"need at least two layers of at least one neuron each, not {sizes}")
        if activations is None:
            activations = ["relu"] * (len(sizes) - 2) + ["linear"]
        activations = list(activations)
        if len(activations) != len(sizes) - 1:
            raise ValueError(
                f"{len(sizes) - 1} non-input layers need {len(sizes) - 1} activations, "
                f"got {len(activations)}"
            )
        acts = [get_activation(a) for a in activations]
        for l, a in enumerate(acts[:-1], start=1):
            if not a.elementwise:
                raise ValueError(f"{a.name} is for the output layer only, not hidden layer {l}")
        lossf = get_loss(loss)
        if lossf.accepts is not None and acts[-1].name not in lossf.accepts:
            raise ValueError(
                f"{lossf.name} needs outputs in (0, 1): a {' or '.join(lossf.accepts)} output "
                f"layer, not {acts[-1].name}"
            )
        self.update_order = update_order  # validated by the property
        self.layout = Layout(sizes)
        self.sizes = self.layout.sizes
        self.activations = tuple(a.name for a in acts)
        self.loss = lossf.name
        self._acts = [None] + acts
        self._loss = lossf
        # theta is never rebound, so the W and b views stay valid
        self.theta = np.zeros(self.layout.n_params)
        self.Wa = self._blocks(self.theta)
        self.W = [None] + [wa[:-1] for wa in self.Wa[1:]]  # W[l][a, c] = w_ij
        self.b = [None] + [wa[-1] for wa in self.Wa[1:]]
        self.frozen = np.zeros(self.layout.n_params, dtype=bool)
        self._passes = {}  # batch size → _Pass, reused by step(), gradient() and loss_value()
        self.randomize(seed)

    # -- layout -------------------------------------------------------------------------------
    def _blocks(self, flat):
        """Per layer, the (n_in + 1, n_out) view of ``flat`` holding its weights, then biases."""
        return [None] + [flat[self.layout.block(l)].reshape(self.sizes[l - 1] + 1, self.sizes[l])
                         for l in range(1, len(self.sizes))]

    @property
    def update_order(self):
        return self._update_order

    @update_order.setter
    def update_order(self, order):
        if order not in UPDATE_ORDERS:
            raise ValueError(f"unknown update order {order!r}; choose one of {UPDATE_ORDERS}")
        self._update_order = order

    def parameters(self):
        """Every weight and bias as a ``Param``, in the stable flat-vector order."""
        return self.layout.params

    @property
    def labels(self):
        return [p.label for p in self.layout.params]

    @property
    def n_params(self):
        return self.layout.n_params

    # -- single parameters --------------------------------------------------------------------
    def weight(self, i, j):
        """w_ij."""
        return float(self.theta[self.layout.weight_index(i, j)])

    def set_weight(self, i, j, value):
        self.theta[self.layout.weight_index(i, j)] = _finite(value, f"w{i},{j}")

    def bias(self, j):
        """b_j."""
        return float(self.theta[self.layout.bias_index(j)])

    def set_bias(self, j, value):
        self.theta[self.layout.bias_index(j)] = _finite(value, f"b{j}")

    def freeze_weight(self, i, j, frozen=True):
        """A frozen parameter is never updated; its gradient is still reported."""
        self.frozen[self.layout.weight_index(i, j)] = bool(frozen)

    def freeze_bias(self, j, frozen=True):
        self.frozen[self.layout.bias_index(j)] = bool(frozen)

    def is_weight_frozen(self, i, j):
        return bool(self.frozen[self.layout.weight_index(i, j)])

    def is_bias_frozen(self, j):
        return bool(self.frozen[self.layout.bias_index(j)])

    # -- all parameters -----------------------------------------------------------------------
    def get_params(self):
        """A copy of the flat parameter vector (order: ``parameters()``)."""
        return self.theta.copy()

    def set_params(self, values):
        values = np.asarray(values, dtype=np.float64)
        if values.shape != self.theta.shape:
            raise ValueError(f"need {self.n_params} parameters, got shape {values.shape}")
        if not np.isfinite(values).all():
            raise ValueError("parameters contain NaN or Inf")
        np.copyto(self.theta, values)

    def snapshot(self):
        """(parameters, frozen flags) as copies; ``restore`` puts them back."""
        return self.theta.copy(), self.frozen.copy()

    def restore(self, snapshot):
        params, frozen = snapshot
        frozen = np.asarray(frozen, dtype=bool)
        if frozen.shape != self.frozen.shape:
            raise ValueError(f"need {self.n_params} frozen flags, got shape {frozen.shape}")
        self.set_params(params)
        np.copyto(self.frozen, frozen)

    def copy(self):
        """An independent network with the same architecture, parameters and frozen flags."""
        other = Network(self.sizes, self.activations, self.loss, update_order=self.update_order)
        other.restore(self.snapshot())
        return other

    def randomize(self, seed=None):
        """Glorot-uniform weights, w ~ U(±√(6 / (n_in + n_out))), zero biases; frozen ones kept."""
        rng = np.random.default_rng(seed)
        new = np.zeros_like(self.theta)
        for l, wa in enumerate(self._blocks(new)[1:], start=1):
            limit = math.sqrt(6.0 / (self.sizes[l - 1] + self.sizes[l]))
            wa[:-1] = rng.uniform(-limit, limit, size=wa[:-1].shape)
        np.copyto(self.theta, new, where=~self.frozen)

    # -- computing ----------------------------------------------------------------------------
    def _check_lr(self, lr):
        return _finite(lr, "learning rate η")

    def forward(self, x):
        """y of the output layer: 1-D x (one sample) → 1-D y; (batch, n_in) → (batch, n_out)."""
        x, single = _batch(x, self.sizes[0], "input x")
        p = _Pass(self, len(x))
        p.load(x)
        p.forward()
        y = p.ys[-1].T
        return y[0].copy() if single else y.copy()

    def loss_value(self, x, target):
        """L for (x, ob) at the current parameters, without updating (batch mean)."""
        p = self._pass_for(x, target)
        p.forward()
        return p.loss()

    def _pass_for(self, x, target):
        """A pass loaded with (x, ob); one per batch size is kept, as step() reuses it."""
        x, _ = _batch(x, self.sizes[0], "input x")
        t, _ = _batch(target, self.sizes[-1], "target ob")
        if len(x) != len(t):
            raise ValueError(f"{len(x)} inputs but {len(t)} targets")
        p = self._passes.get(len(x))
        if p is None:
            p = self._passes[len(x)] = _Pass(self, len(x))
        p.load(x, t)
        return p

    @staticmethod
    def batch_indices(n, batch_size, step):
        """The samples step ``step`` of ``train`` uses out of ``n`` (see there)."""
        b = n if batch_size is None else batch_size
        return np.arange(step * b, step * b + b) % n if b < n else np.arange(n)

    def _step_vector(self, lr, batch):
        """η/batch for every trainable parameter, 0 for frozen ones."""
        return np.where(self.frozen, 0.0, lr / batch)

    def gradient(self, x, target):
        """(L, ∂L/∂θ) at the current parameters, batch-averaged, without updating."""
        p = self._pass_for(x, target)
        p.forward()
        loss = p.loss_and_backward()
        return loss, p.grad / p.batch

    def step(self, x, target, lr, apply=True):
        """ONE SGD update on (x, ob); returns the ``StepRecord`` of values before the update.

        With ``apply=False`` nothing changes: the record shows what the step would do, NaN/Inf
        included. Otherwise ``DivergenceError`` (network unchanged) if the loss or a new
        parameter would be NaN/Inf; ValueError for inputs that do not fit.
        """
        lr = self._check_lr(lr)
        p = self._pass_for(x, target)
        before = self.theta.copy()
        with np.errstate(all="ignore"):  # overflow is caught below as divergence
            return self._step(p, lr, before, apply)

    def _step(self, p, lr, before, apply):
        p.forward()
        step = self._step_vector(lr, p.batch)
        output_first = self.update_order == "output_first"
        loss = p.loss_and_backward(update=step if output_first else None)
        if not output_first:
            self.theta -= step * p.grad
        # the record keeps batch-first copies: the check below and later calls reuse the buffers
        record = StepRecord(self.layout, p.ys[0].T.copy(), p.t.T.copy(), loss,
                            [None] + [a.T.copy() for a in p.nets[1:]],
                            [y.T.copy() for y in p.ys], [None] + [-d.T for d in p.dnets[1:]],
                            p.grad / p.batch, before, self.theta.copy(), lr, self.update_order)
        if apply and not (math.isfinite(loss) and _all_finite(self.theta)
                          and math.isfinite(self._loss_at(p))):
            np.copyto(self.theta, before)
            raise DivergenceError(
                f"the update with η = {lr:g} makes the loss or a parameter NaN/Inf", 0
            )
        if not apply:
            np.copyto(self.theta, before)
        return record

    def train(self, X, T, lr, steps, batch_size=None, params_out=None, start=0):
        """``steps`` SGD updates on the data set (X, T); returns the per-step loss array.

        Each step's loss is the one before its update. With ``batch_size`` b, step s uses samples
        s·b … s·b + b − 1 (mod N) in order, counting s from ``start`` (so a run split into
        pieces sees the same batches); None means the whole set every step.

        The parameter trajectory: pass ``params_out``, a float64 array of shape
        (steps, n_params), and row s receives the parameter vector after step s (no Python object
        per step). If the run diverges, ``DivergenceError`` says how many steps were applied and
        carries their losses; the network is left at the last finite parameters.
        """
        lr = self._check_lr(lr)
        X, _ = _batch(X, self.sizes[0], "inputs X")
        T, _ = _batch(T, self.sizes[-1], "targets T")
        if len(X) != len(T):
            raise ValueError(f"{len(X)} inputs but {len(T)} targets")
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
            raise ValueError(f"steps must be a whole number ≥ 0, not {steps!r}")
        n = len(X)
        b = n if batch_size is None else batch_size
        if isinstance(b, bool) or not isinstance(b, (int, np.integer)) or not 1 <= b <= n:
            raise ValueError(f"batch size must be a whole number from 1 to {n}, not {b!r}")
        if params_out is not None and (
            not isinstance(params_out, np.ndarray) or params_out.dtype != np.float64
            or params_out.shape != (steps, self.n_params)
        ):
            raise ValueError(f"params_out must be a float64 array of shape ({steps}, "
                             f"{self.n_params})")
        with np.errstate(all="ignore"):  # overflow is caught below as divergence
            return self._train_loop(X, T, lr, steps, b, params_out, start)

    def _train_loop(self, X, T, lr, steps, b, params_out, start):
        n = len(X)
        p = _Pass(self, b)
        XT, TT = np.ascontiguousarray(X.T), np.ascontiguousarray(T.T)
        losses = np.empty(steps)
        step = self._step_vector(lr, b)
        update = step if self.update_order == "output_first" else None
        theta, grad = self.theta, p.grad
        prev = theta.copy()  # the parameters before the last applied update
        current = np.empty_like(prev)
        tmp = np.empty_like(prev)
        full = b == n
        if full:
            p.load(X, T)
        forward_ops = p.forward_ops
        loss_and_backward = p.loss_and_backward
        for s in range(steps):
            if not full:
                idx = self.batch_indices(n, b, start + s)
                np.take(XT, idx, axis=1, out=p.ys[0])
                np.take(TT, idx, axis=1, out=p.t)
            np.copyto(current, theta)
            for op in forward_ops:
                op()
            loss = loss_and_backward(update)
            if not math.isfinite(loss):
                return self._diverged(prev, s - 1, losses, lr)
            losses[s] = loss
            prev, current = current, prev
            if update is None:
                np.multiply(step, grad, out=tmp)
                np.subtract(theta, tmp, out=theta)
            # θ·θ is finite exactly when θ is, unless a huge entry overflows (then check all)
            if not math.isfinite(theta.dot(theta)) and not np.isfinite(theta).all():
                return self._diverged(prev, s, losses, lr)
            if params_out is not None:
                params_out[s] = theta
        if steps and not math.isfinite(self._loss_at(p)):
            return self._diverged(prev, steps - 1, losses, lr)
        return losses

    @staticmethod
    def _loss_at(p):
        """The loss of the batch in ``p`` at the current parameters."""
        p.forward()
        return p.loss()

    def _diverged(self, prev, done, losses, lr):
        done = max(done, 0)
        np.copyto(self.theta, prev)
        raise DivergenceError(
            f"training diverged at step {done + 1} with η = {lr:g}: the loss or a parameter "
            f"became NaN/Inf; kept the last finite state", done, losses[:done].copy())
