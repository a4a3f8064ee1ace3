"""The network: parameters in one flat vector, a forward pass, backpropagation, SGD updates.

Neurons are numbered 1..N across layers, inputs first (the notes: x1, x2 → y3, y4 → y5, y6, y7).
``w_ij`` joins neuron i to neuron j of the next layer, ``b_j`` is j's bias, and

    net_j = Σ_i y_i w_ij + b_j        y_j = f(net_j)
    δ_j   = −∂L/∂net_j                ∂L/∂w_ij = −δ_j y_i        ∂L/∂b_j = −δ_j
    w_ij ← w_ij + η δ_j y_i           b_j ← b_j + η δ_j

Arrays are float64 and batch-first: x has shape (batch, n_in). A batch's loss is the mean of its
samples' losses and the gradients are averaged the same way.

A step is computed one of two ways, chosen per batch size (``Network._backend``): as prepared
NumPy calls (``_Pass``), or, for small networks, as generated straight-line Python over floats
(``_Unrolled``, ``engine/unrolled.py``), where NumPy's per-call cost would dominate.
"""
from __future__ import annotations

import functools
import itertools
import math
import struct
from dataclasses import dataclass
from functools import partial

import numpy as np

from .activations import get_activation
from .losses import get_loss
from .numbers import exact
from .unrolled import kernel_for

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
        # the views ask these thousands of times per refresh: answer from dicts
        self._where = {j: (l, j - self.first[l]) for l in range(len(self.sizes))
                       for j in self.neurons(l)}
        self._index = {(p.kind, p.i, p.j): p.index for p in params}

    def block(self, l):
        """The slice of layer l's weights and biases, which follow each other."""
        return slice(self.slices[l][0].start, self.slices[l][1].stop)

    def locate(self, j):
        """(layer, position in layer) of neuron j; ValueError if there is no neuron j."""
        where = self._where.get(j) if type(j) is int else None
        if where is not None:
            return where
        if isinstance(j, bool) or not isinstance(j, (int, np.integer)):
            raise ValueError(f"neuron number must be an integer, not {j!r}")
        if not 1 <= j <= self.n_neurons:
            raise ValueError(f"there is no neuron {j}: neurons are numbered 1..{self.n_neurons}")
        for l in range(len(self.sizes) - 1, -1, -1):
            if j >= self.first[l]:
                return l, int(j - self.first[l])

    def weight_index(self, i, j):
        index = self._index.get(("w", i, j)) if type(i) is type(j) is int else None
        if index is not None:
            return index
        li, ai = self.locate(i)
        lj, cj = self.locate(j)
        if lj != li + 1:
            raise ValueError(
                f"there is no weight w{i},{j}: neuron {i} (layer {li}) does not feed "
                f"neuron {j} (layer {lj})"
            )
        return self.slices[lj][0].start + ai * self.sizes[lj] + cj

    def bias_index(self, j):
        index = self._index.get(("b", None, j)) if type(j) is int else None
        if index is not None:
            return index
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


#: train() checks for NaN/Inf once per slice of this many steps; a slice that went wrong is
#: replayed from its start step by step to find where step() would have stopped
SLICE = 4096


def _finite(value, what):
    try:
        v = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(f"{what} must be a number, not {value!r}") from None
    if not math.isfinite(v):
        raise ValueError(f"{what} must be finite, not {v}")
    return v


def _all_finite(a):
    """No NaN/Inf in the array ``a``, without overflow warnings. Small arrays are summed as
    Python floats; large ones as v·v. Either sum is finite exactly when every entry is, unless
    huge entries overflow it: only then is the entry-by-entry check needed."""
    if a.size <= 64:
        return _finite_seq(a.ravel().tolist())
    v = a.reshape(-1)
    with np.errstate(over="ignore", invalid="ignore"):
        return math.isfinite(v.dot(v)) or bool(np.isfinite(v).all())


def _finite_seq(values):
    """No NaN/Inf in a sequence of Python floats."""
    return math.isfinite(sum(values)) or all(map(math.isfinite, values))


def _batch(a, n, what):
    """``a`` as a float64 (batch, n) array (a view if it already is one) and whether it came in as
    one 1-D sample."""
    try:
        arr = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError, OverflowError):
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


def _refused(lr):
    return DivergenceError(f"the update with η = {exact(lr)} makes the loss or a parameter NaN/Inf", 0)


def _diverged(lr, done, losses):
    """Step ``done + 1`` would make the loss or a parameter NaN/Inf; ``done`` steps were kept."""
    return DivergenceError(
        f"training diverged at step {done + 1} with η = {exact(lr)}: the loss or a parameter became "
        f"NaN/Inf; kept the last finite state", done, losses[:done].copy())


def _batch_start(step, b, n):
    """The first sample of step ``step`` of train() with batch size b out of n samples."""
    return step * b % n if b < n else 0


# -- the order samples are visited in ---------------------------------------------------------------
# One endless stream of samples, epoch after epoch: position p is in epoch p // n and is sample
# order_e[p % n] of that epoch's order — 0 … n − 1 without a shuffle seed, else a permutation
# that is a pure function of (n, epoch, seed): the samples sorted by a hash of (seed, epoch,
# sample) (SplitMix64's finaliser; its top 64 − ⌈log2 n⌉ bits, then the sample's number), so
# any epoch of any run can be made on its own, in a few ns per sample.
# Step s takes positions s·b … s·b + b − 1.

MAX_SHUFFLE_SEED = 2**62
_M64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_U = np.uint64


def _mix64(z):
    """SplitMix64's finaliser on a uint64 array (wrapping arithmetic, no warnings on arrays)."""
    z = (z ^ (z >> _U(30))) * _U(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> _U(27))) * _U(0x94D049BB133111EB)
    return z ^ (z >> _U(31))


def _epoch_orders(n, seed, first, count):
    """(count, n): the sample order of epochs first … first + count − 1 with ``seed``."""
    base = _mix64(np.array([(seed * _GOLDEN + 1) & _M64], dtype=np.uint64))
    epochs = np.arange(count, dtype=np.uint64) + _U(first & _M64)  # wraps past 2^64: fine
    keys = _mix64(epochs * _U(_GOLDEN) + base)  # one key per epoch
    per_sample = (np.arange(1, n + 1, dtype=np.uint64) * _U(_GOLDEN))
    # the sample's number in the low bits makes every key unique (so any sort gives the same
    # order) and lets a sort of the keys themselves, faster than an argsort, give the order
    bits = _U(max(1, (n - 1).bit_length()))
    keys = _mix64(keys[:, None] + per_sample[None, :]) >> bits << bits
    keys |= np.arange(n, dtype=np.uint64)
    keys.sort(axis=1)
    return (keys & _U((1 << int(bits)) - 1)).astype(np.int64)


def _check_shuffle_seed(seed):
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not (
            0 <= seed <= MAX_SHUFFLE_SEED):
        raise ValueError(f"shuffle seed must be None or a whole number from 0 to "
                         f"{MAX_SHUFFLE_SEED:,}, not {seed!r}")
    return int(seed)


def _stream(n, b, first_step, count, seed):
    """(count, b) int64: the samples of steps first_step … first_step + count − 1 (b < n)."""
    e0, r0 = divmod(first_step * b, n)  # Python ints: no overflow whatever the step count
    stop = r0 + count * b  # the positions r0 … stop − 1, counted from the start of epoch e0
    if seed is None:
        return (np.arange(r0, stop, dtype=np.int64) % n).reshape(count, b)
    n_epochs = (stop - 1) // n + 1
    if n_epochs == 1:  # a step or a short run asks for the same epochs again and again
        flat = _epoch_order(n, seed, e0)[r0:stop].copy()
    elif n_epochs == 2:
        flat = np.concatenate([_epoch_order(n, seed, e0)[r0:],
                               _epoch_order(n, seed, e0 + 1)[:stop - n]])
    else:
        flat = _epoch_orders(n, seed, e0, n_epochs).reshape(-1)[r0:stop]
    return flat.reshape(count, b)


@functools.lru_cache(maxsize=8)
def _epoch_order(n, seed, epoch):
    """One epoch's order, remembered: stepping one batch at a time asks for the same epoch
    n / b times, and sorting 100,000 samples takes milliseconds."""
    order = _epoch_orders(n, seed, epoch, 1)[0]
    order.flags.writeable = False
    return order


# Both ways of computing a step (the NumPy _Pass and the unrolled _Unrolled) offer the same
# methods for one batch size: loss_value, gradient, step and train. step() and train() of one
# of them do the same arithmetic, so train ≡ repeated step bit for bit; a network picks one
# per batch size, once (Network._backend).

class _Pass:
    """NumPy arrays: preallocated buffers for one batch size, and the forward and backward
    passes over them as lists of prepared NumPy calls, so a training step allocates nothing.

    Inside, arrays are (neurons, batch) — one column per sample — so each layer's values are
    contiguous rows, which is what makes large batches fast. Every layer but the output keeps a
    trailing row of ones in ``ya``, and each layer's weights and biases form one
    (n_in + 1, n_out) block ``Wa`` of the flat vector, so net = Waᵀ·ya and Σ_s δ·ya = ya·δᵀ are
    one matrix product each. ``G`` holds Σ over the batch of δ_j y_i per parameter, which is
    −batch · ∂L/∂θ. Everything a step computes lives in one array, ``work``, so a step record
    copies it in one call.
    """

    def __init__(self, network, batch):
        sizes = network.sizes
        L = len(sizes) - 1
        acts, lossf = network._acts, network._loss
        self.network = network
        self.batch = batch
        self.linear = [None] + [a.name == "linear" for a in acts[1:]]  # a linear net is its y
        self.work = np.empty(self._carve(None))
        self.ya, self.ys, self.nets, self.deltas, self.t, self.G = self._carve(self.work)
        for a in self.ya[:-1]:
            a[-1] = 1.0
        ya, ys, nets, d = self.ya, self.ys, self.nets, self.deltas
        G = network._blocks(self.G)

        self.forward_ops = []
        for l in range(1, L + 1):
            self.forward_ops.append(partial(network.Wa[l].T.dot, ya[l - 1], out=nets[l]))
            if not self.linear[l]:
                self.forward_ops.append(partial(acts[l].forward, nets[l], ys[l]))
        # the loss object gives the loss and the output δ; the batch's mean is taken here
        self.value = partial(lossf.value, acts[L], nets[L], ys[L], self.t)
        self.value_and_delta = partial(lossf.value_and_delta, acts[L], nets[L], ys[L], self.t,
                                       d[L])
        self.layer_ops = []  # per layer L..1: (its gradient op, ops passing δ down)
        for l in range(L, 0, -1):
            down = []
            if l > 1:
                down.append(partial(network.W[l].dot, d[l], out=d[l - 1]))
                if not self.linear[l - 1]:
                    down.append(partial(acts[l - 1].backprop, nets[l - 1], ys[l - 1], d[l - 1],
                                        d[l - 1]))
            self.layer_ops.append((l, partial(ya[l - 1].dot, d[l].T, out=G[l]), down))
        # the simultaneous order, flattened: one loop over prepared calls is the hot path
        self.backward_ops = [op for _, grad_op, down in self.layer_ops for op in (grad_op, *down)]

    def _carve(self, flat):
        """The buffers as views of ``flat`` (ya, ys, nets, deltas, t, G); with None, the length
        ``flat`` must have."""
        sizes, b = self.network.sizes, self.batch
        off = 0

        def take(*shape):
            nonlocal off
            size = math.prod(shape)
            off += size
            return None if flat is None else flat[off - size:off].reshape(shape)

        ya = [take(n + 1, b) for n in sizes[:-1]] + [take(sizes[-1], b)]
        nets = [None] + [None if self.linear[l] else take(n, b)
                         for l, n in enumerate(sizes[1:], start=1)]
        deltas = [None] + [take(n, b) for n in sizes[1:]]
        t = take(sizes[-1], b)
        G = take(self.network.layout.n_params)
        if flat is None:
            return off
        ys = [a[:n] for a, n in zip(ya, sizes)]
        nets = [ys[l] if self.linear[l] else a for l, a in enumerate(nets)]
        return ya, ys, nets, deltas, t, G

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
        """L (batch mean) after ``forward``."""
        return self.value() / self.batch

    def loss_and_backward(self, update=None):
        """L, then deltas and G. ``update`` (a per-parameter step vector, η·mask/batch) applies
        each layer's update before its δ is propagated down: the output-layer-first order."""
        loss = self.value_and_delta() / self.batch
        if update is None:
            for op in self.backward_ops:
                op()
            return loss
        theta = self.network.theta
        for l, grad_op, down in self.layer_ops:
            grad_op()
            s = self.network.layout.block(l)
            theta[s] += update[s] * self.G[s]
            for op in down:
                op()
        return loss

    def _loss_after(self):
        """The loss of the loaded batch at the current parameters (overwrites nets and ys)."""
        self.forward()
        return self.loss()

    # -- the backend methods ------------------------------------------------------------------
    def loss_value(self, X, T):
        with np.errstate(all="ignore"):
            self.load(X, T)
            self.forward()
            return self.loss()

    def gradient(self, X, T):
        with np.errstate(all="ignore"):
            self.load(X, T)
            self.forward()
            loss = self.loss_and_backward()
            return loss, np.negative(self.G) / self.batch

    def step(self, X, T, lr, apply):
        net = self.network
        theta = net.theta
        before = theta.copy()
        step = net._step_vector(lr, self.batch)
        output_first = net.update_order == "output_first"
        with np.errstate(all="ignore"):  # overflow is caught below as divergence
            self.load(X, T)
            self.forward()
            loss = self.loss_and_backward(update=step if output_first else None)
            if not output_first:
                theta += step * self.G
            # the record takes a copy of everything in one call: later steps reuse the buffers
            record = StepRecord(net.layout, loss, lr, net.update_order,
                                partial(self._fill, self.work.copy(), before, theta.copy()))
            if apply and not (math.isfinite(loss) and _all_finite(theta)
                              and math.isfinite(self._loss_after())):
                np.copyto(theta, before)
                raise _refused(lr)
        if not apply:
            np.copyto(theta, before)
        return record

    def _fill(self, work, before, after):
        _, ys, nets, deltas, t, G = self._carve(work)
        return {"x": ys[0].T, "target": t.T, "nets": [None] + [a.T for a in nets[1:]],
                "outs": [y.T for y in ys], "deltas": [None] + [d.T for d in deltas[1:]],
                "grad": np.negative(G) / self.batch, "params_before": before,
                "params_after": after}

    def train(self, X, T, lr, steps, params_out, start, shuffle_seed=None):
        net = self.network
        theta, b, n = net.theta, self.batch, len(X)
        XT, TT = np.ascontiguousarray(X.T), np.ascontiguousarray(T.T)
        full = b == n
        if full:
            self.load(X, T)
        step = net._step_vector(lr, b)
        update = step if net.update_order == "output_first" else None
        losses = np.empty(steps)
        tmp = np.empty_like(theta)
        prev = np.empty_like(theta)
        x_in, t_in = self.ys[0], self.t
        forward_ops, loss_and_backward = self.forward_ops, self.loss_and_backward

        # shuffled: the batches of this many steps are gathered at once (at most 2^18 values),
        # each laid out as the (neurons, batch) block that is copied in
        chunk = max(1, 2**18 // (b * (X.shape[1] + T.shape[1])))
        gathered = {}  # first step of the chunk → its (XT, TT) blocks

        def load(s):
            if shuffle_seed is not None:
                c0 = s - s % chunk
                blocks = gathered.get(c0)
                if blocks is None:
                    gathered.clear()
                    rows = _stream(n, b, start + c0, min(chunk, steps - c0), shuffle_seed)
                    blocks = gathered[c0] = tuple(
                        np.ascontiguousarray(np.take(A, rows, axis=0).transpose(0, 2, 1))
                        for A in (X, T))
                np.copyto(x_in, blocks[0][s - c0])
                np.copyto(t_in, blocks[1][s - c0])
                return
            o = _batch_start(start + s, b, n)
            if o + b <= n:  # one piece of the data set
                np.copyto(x_in, XT[:, o:o + b])
                np.copyto(t_in, TT[:, o:o + b])
            else:  # wrapping around its end
                idx = np.arange(o, o + b) % n
                np.take(XT, idx, axis=1, out=x_in)
                np.take(TT, idx, axis=1, out=t_in)

        def run(s0, k, checked):
            """Steps s0 … s0 + k − 1. Unchecked: True if they all stayed finite. Checked: stops
            where step() would refuse, leaving θ before that step; the steps done."""
            post = 0.0
            for s in range(s0, s0 + k):
                if not full:
                    load(s)
                if checked:
                    np.copyto(prev, theta)
                for op in forward_ops:
                    op()
                loss = loss_and_backward(update)
                if update is None:
                    np.multiply(step, self.G, out=tmp)
                    np.add(theta, tmp, out=theta)
                if checked:
                    if not (math.isfinite(loss) and _all_finite(theta)
                            and math.isfinite(self._loss_after())):
                        np.copyto(theta, prev)
                        return s - s0
                elif not full:
                    post += self._loss_after()
                losses[s] = loss
                if params_out is not None:
                    params_out[s] = theta
            if checked:
                return k
            if full:  # each step's loss after its update is the next one's: only the last is new
                post = self._loss_after()
            return (math.isfinite(losses[s0:s0 + k].sum()) and _all_finite(theta)
                    and math.isfinite(post))

        with np.errstate(all="ignore"):  # overflow is caught as divergence
            for s0 in range(0, steps, SLICE):
                k = min(SLICE, steps - s0)
                saved = theta.copy()
                if run(s0, k, checked=False):
                    continue
                np.copyto(theta, saved)
                done = run(s0, k, checked=True)
                if done < k:
                    raise _diverged(lr, s0 + done, losses)
        return losses


class _Unrolled:
    """Python floats: the network's unrolled kernel (``engine/unrolled.py``) for one batch size,
    fed with Python lists. The parameters are read from θ once per call and written back once."""

    def __init__(self, network, batch):
        self.network = network
        self.batch = batch
        self._kernels = {}
        # θ ← a tuple of floats, straight into its buffer (twice as fast as θ[:] = tuple)
        self._write = struct.Struct(f"{network.n_params}d").pack_into

    def kernel(self, output_first=None):
        if output_first is None:
            output_first = self.network.update_order == "output_first"
        k = self._kernels.get(output_first)
        if k is None:
            k = self._kernels[output_first] = kernel_for(self.network, self.batch, output_first)
        return k

    @staticmethod
    def _samples(X, T):
        """One tuple (x…, ob…) per sample."""
        return [tuple(x + t) for x, t in zip(X.tolist(), T.tolist())]

    def _factors(self, lr):
        """η/batch per parameter, 0 for frozen ones."""
        c = lr / self.batch
        frozen = self.network.frozen.tolist()
        if True not in frozen:
            return (c,) * len(frozen)
        return tuple(0.0 if f else c for f in frozen)

    def loss_value(self, X, T):
        return self.kernel(False).loss(self.network.theta.tolist(), tuple(self._samples(X, T)))

    def gradient(self, X, T):
        # ∂L/∂θ at θ is the same in either update order: the simultaneous kernel, C = 0
        k = self.kernel(False)
        loss, _, G, *_ = k.step(self.network.theta.tolist(), tuple(self._samples(X, T)),
                                (0.0,) * k.n_params)
        return loss, np.negative(G) / self.batch

    def step(self, X, T, lr, apply):
        net = self.network
        S = tuple(self._samples(X, T))
        P = net.theta.tolist()
        k = self.kernel()
        loss, after, G, nets, ys, deltas = k.step(P, S, self._factors(lr))
        record = StepRecord(net.layout, loss, lr, net.update_order,
                            partial(self._fill, S, P, after, G, nets, ys, deltas))
        if apply:
            if not (math.isfinite(loss) and _finite_seq(after)
                    and math.isfinite(k.loss(after, S))):
                raise _refused(lr)
            self._write(net.theta, 0, *after)
        return record

    def _fill(self, S, before, after, G, nets, ys, deltas):
        sizes, b = self.network.sizes, self.batch
        data = np.array(S)
        x, target = data[:, :sizes[0]], data[:, sizes[0]:]
        per_layer = []
        for flat in (nets, ys, deltas):
            arr, off, layers = np.array(flat), 0, [None]
            for n in sizes[1:]:
                layers.append(arr[off:off + b * n].reshape(b, n))
                off += b * n
            per_layer.append(layers)
        return {"x": x, "target": target, "nets": per_layer[0], "outs": [x] + per_layer[1][1:],
                "deltas": per_layer[2], "grad": np.negative(G) / b,
                "params_before": np.array(before), "params_after": np.array(after)}

    def train(self, X, T, lr, steps, params_out, start, shuffle_seed=None):
        net = self.network
        b, n = self.batch, len(X)
        k = self.kernel()
        C = self._factors(lr)
        samples = self._samples(X, T)
        full = b == n
        if full:
            S_all = tuple(samples)
        elif shuffle_seed is None:  # the batches repeat after n / gcd(n, b) steps
            period = n // math.gcd(n, b)
            batches = [tuple(samples[(_batch_start(q, b, n) + j) % n] for j in range(b))
                       for q in range(period)]

        def schedule(s0, count):
            if full:
                return itertools.repeat(S_all, count)
            if shuffle_seed is not None:  # every epoch its own order: no period
                rows = _stream(n, b, start + s0, count, shuffle_seed).tolist()
                return [tuple([samples[i] for i in row]) for row in rows]
            return [batches[(start + s) % period] for s in range(s0, s0 + count)]

        losses = np.empty(steps)
        P = net.theta.tolist()
        for s0 in range(0, steps, SLICE):
            count = min(SLICE, steps - s0)
            slice_losses, rows = [], None if params_out is None else []
            after, post = k.run(P, C, schedule(s0, count), slice_losses.append,
                                None if rows is None else rows.extend, not full)
            if full:  # each step's loss after its update is the next one's: only the last is new
                post = k.loss(after, S_all)
            if math.isfinite(sum(slice_losses)) and _finite_seq(after) and math.isfinite(post):
                losses[s0:s0 + count] = slice_losses
                if rows is not None:
                    params_out[s0:s0 + count] = np.reshape(rows, (count, -1))
                P = after
                continue
            # something in this slice is NaN/Inf: replay it step by step, as step() would
            for s, S in enumerate(schedule(s0, count), start=s0):
                loss, after, *_ = k.step(P, S, C)
                if not (math.isfinite(loss) and _finite_seq(after)
                        and math.isfinite(k.loss(after, S))):
                    net.theta[:] = P
                    raise _diverged(lr, s, losses)
                losses[s] = loss
                if params_out is not None:
                    params_out[s] = after
                P = after
        net.theta[:] = P
        return losses


class StepRecord:
    """Everything one ``step`` computed, before its update; indexed by neuron number.

    Arrays: ``x`` and ``target`` (batch, n); ``nets[l]``, ``outs[l]``, ``deltas[l]`` per layer
    (batch, n_l; layer 0 has outs only); ``grad`` the batch-averaged ∂L/∂θ in parameter order;
    ``params_before`` and ``params_after`` the flat parameter vectors. They are made on first
    use from what the step kept, so a record nobody reads costs next to nothing.
    """

    _ARRAYS = frozenset(("x", "target", "nets", "outs", "deltas", "grad", "params_before",
                         "params_after"))

    def __init__(self, layout, loss, lr, update_order, fill):
        self.layout = layout
        self.loss = float(loss)
        self.lr, self.update_order = lr, update_order
        self._fill = fill  # → {name: array} for every name in _ARRAYS

    def __getattr__(self, name):  # only called for attributes not set yet
        if name in StepRecord._ARRAYS and "_fill" in self.__dict__:
            self.__dict__.update(self.__dict__.pop("_fill")())
            return self.__dict__[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

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
        self._loss = lossf.for_output(acts[-1])  # e.g. binary cross-entropy for sigmoid outputs
        # theta is never rebound, so the W and b views stay valid
        self.theta = np.zeros(self.layout.n_params)
        self.Wa = self._blocks(self.theta)
        self.W = [None] + [wa[:-1] for wa in self.Wa[1:]]  # W[l][a, c] = w_ij
        self.b = [None] + [wa[-1] for wa in self.Wa[1:]]
        self.frozen = np.zeros(self.layout.n_params, dtype=bool)
        self._backends = {}  # batch size → _Pass or _Unrolled (see _backend)
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

    def _backend(self, batch):
        """How steps on batches of ``batch`` samples are computed, chosen once per batch size:
        written out as plain Python (``engine/unrolled.py``) while batch × parameters is small,
        NumPy arrays above that."""
        backend = self._backends.get(batch)
        if backend is None:
            small = kernel_for(self, batch, False) is not None
            backend = self._backends[batch] = (_Unrolled if small else _Pass)(self, batch)
        return backend

    def _data(self, x, target):
        x, _ = _batch(x, self.sizes[0], "input x")
        t, _ = _batch(target, self.sizes[-1], "target ob")
        if len(x) != len(t):
            raise ValueError(f"{len(x)} inputs but {len(t)} targets")
        return x, t

    def forward(self, x):
        """y of the output layer: 1-D x (one sample) → 1-D y; (batch, n_in) → (batch, n_out)."""
        x, single = _batch(x, self.sizes[0], "input x")
        p = _Pass(self, len(x))
        with np.errstate(all="ignore"):  # inf and NaN are returned as they are
            p.load(x)
            p.forward()
        y = p.ys[-1].T
        return y[0].copy() if single else y.copy()

    def loss_value(self, x, target):
        """L for (x, ob) at the current parameters, without updating (batch mean)."""
        x, t = self._data(x, target)
        return self._backend(len(x)).loss_value(x, t)

    @staticmethod
    def batch_indices(n, batch_size, step, shuffle_seed=None):
        """The samples (an int64 array of ``batch_size`` indices) that step ``step`` of
        ``train`` uses out of ``n``; a pure function of its arguments, so any step can be
        replayed.

        The samples are visited as one endless stream, epoch after epoch; step s takes the
        stream's positions s·b … s·b + b − 1, and position p is in epoch p // n, where it is
        sample ``epoch_order(n, p // n, shuffle_seed)[p % n]``. Without a seed every epoch is
        0, 1, …, n − 1 (step s: samples s·b … s·b + b − 1 mod n); with one, each epoch is its
        own seeded permutation, so every sample comes once per epoch. The batch of step s
        starts in epoch s·b // n; one that straddles two epochs takes the end of one and the
        start of the next, and may then hold a sample twice. A full batch (``batch_size`` None
        or ≥ n) is every sample in order, shuffled or not: the order would change nothing but
        the rounding of the batch mean.
        """
        b = n if batch_size is None else batch_size
        if b >= n:
            return np.arange(n)
        return _stream(n, b, step, 1, _check_shuffle_seed(shuffle_seed))[0]

    @staticmethod
    def epoch_order(n, epoch, shuffle_seed=None):
        """The order (a permutation of 0 … n − 1, int64) in which epoch ``epoch`` visits the
        samples: 0 … n − 1 without a seed, a permutation that depends only on (n, epoch, seed)
        with one."""
        seed = _check_shuffle_seed(shuffle_seed)
        if seed is None:
            return np.arange(n)
        return _epoch_orders(n, seed, epoch, 1)[0]

    def _step_vector(self, lr, batch):
        """η/batch for every trainable parameter, 0 for frozen ones."""
        return np.where(self.frozen, 0.0, lr / batch)

    def gradient(self, x, target):
        """(L, ∂L/∂θ) at the current parameters, batch-averaged, without updating."""
        x, t = self._data(x, target)
        return self._backend(len(x)).gradient(x, t)

    def step(self, x, target, lr, apply=True):
        """ONE SGD update on (x, ob); returns the ``StepRecord`` of values before the update.

        With ``apply=False`` nothing changes: the record shows what the step would do, NaN/Inf
        included. Otherwise ``DivergenceError`` (network unchanged) if the loss, a new parameter
        or the loss of the same batch after the update would be NaN/Inf; ValueError for inputs
        that do not fit.
        """
        lr = self._check_lr(lr)
        x, t = self._data(x, target)
        return self._backend(len(x)).step(x, t, lr, apply)

    def train(self, X, T, lr, steps, batch_size=None, params_out=None, start=0,
              shuffle_seed=None):
        """``steps`` SGD updates on the data set (X, T); returns the per-step loss array.

        Each step's loss is the one before its update. With ``batch_size`` b, step s uses samples
        s·b … s·b + b − 1 (mod N) in order, counting s from ``start`` (so a run split into
        pieces sees the same batches); None means the whole set every step. With a
        ``shuffle_seed``, every epoch visits the samples in its own seeded order instead:
        step s uses ``batch_indices(N, b, start + s, shuffle_seed)``.

        The parameter trajectory: pass ``params_out``, a float64 array of shape
        (steps, n_params), and row s receives the parameter vector after step s (no Python object
        per step). Every step is exactly what ``step()`` would do with the same batch, bit for
        bit, and a run stops exactly where ``step()`` would refuse: then ``DivergenceError`` says
        how many steps were applied and carries their losses, and the network is left after the
        last of them.
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
        if isinstance(start, bool) or not isinstance(start, (int, np.integer)) or start < 0:
            raise ValueError(f"start must be a whole number ≥ 0, not {start!r}")
        shuffle_seed = _check_shuffle_seed(shuffle_seed)
        if params_out is not None and (
            not isinstance(params_out, np.ndarray) or params_out.dtype != np.float64
            or params_out.shape != (steps, self.n_params)
        ):
            raise ValueError(f"params_out must be a float64 array of shape ({steps}, "
                             f"{self.n_params})")
        return self._backend(int(b)).train(X, T, lr, int(steps), params_out, int(start),
                                           None if b == n else shuffle_seed)
