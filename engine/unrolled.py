"""Small networks as straight-line Python: a training step written out formula by formula.

NumPy spends about a microsecond on every call whatever the size of its arrays, and a step of
a small network is dozens of calls on arrays of a few numbers. Written out in plain Python
floats, one line per formula of the notes, the same step takes a fraction of that:

    net3_0 = x1_0 * w1_3 + x2_0 * w2_3 + b3
    y3_0 = (net3_0 if net3_0 > 0.0 else 0.0)
    ...
    d3_0 = (g3_0 if net3_0 > 0.0 else 0.0)
    Gw1_3 = d3_0 * x1_0
    w1_3 = w1_3 + cw1_3 * Gw1_3

``Kernel`` writes that source for one architecture, batch size and update order (each
activation and the loss write their own lines: ``Activation.source``, ``Loss.source``),
compiles it once and caches it for every network of that shape; ``Kernel.text`` is the source.
Names: ``x{i}_{s}``, ``net{j}_{s}``, ``y{j}_{s}``, ``ob{k}_{s}``, ``d{j}_{s}`` (δ), ``g{j}_{s}`` (what
flows back into neuron j) for sample s of the batch; ``w{i}_{j}``, ``b{j}`` the parameters;
``G…`` = Σ over the batch of δ_j y_i (= −batch · ∂L/∂θ); ``c…`` = η / batch, or 0 if frozen.

Python floats never warn or raise on overflow here: every exp and log in the generated lines
is given an argument that cannot overflow, and the only divisors are ≥ 1 (or NaN).
"""
from __future__ import annotations

from .activations import SCALAR_NAMES

#: the largest batch × parameters written out; above it NumPy's arrays are faster (measured
#: break-even: about 130 for step() and train() alike)
UNROLL_LIMIT = 128

_CACHE: dict = {}


def kernel_for(network, batch, output_first):
    """The compiled kernel for ``network``'s shape, or None if it is too large to unroll or an
    activation or the loss has no scalar lines."""
    if batch * network.n_params > UNROLL_LIMIT:
        return None
    key = (network.sizes, network.activations, network.loss, batch, output_first)
    if key not in _CACHE:
        try:
            _CACHE[key] = Kernel(network.layout, network._acts, network._loss, batch,
                                 output_first)
        except NotImplementedError:
            _CACHE[key] = None
    return _CACHE[key]


def _param_names(layout):
    return [f"w{p.i}_{p.j}" if p.kind == "w" else f"b{p.j}" for p in layout.params]


class Kernel:
    """Three functions over Python floats, compiled from generated source:

    ``loss(P, S)``: the batch's mean loss at parameters P (a sequence in ``parameters()``
    order); S is the batch, one tuple (x…, ob…) per sample.
    ``step(P, S, C)``: one update with per-parameter factors C (η/batch, 0 if frozen) →
    (L, new P, G, nets, ys, δs); G = Σ_s δ_j y_i per parameter, and nets, ys and δs are flat
    tuples in the order layer 1 … L, then sample, then neuron.
    ``run(P, C, batches, append_loss, extend_row, post)``: one update per batch S of the
    iterable, appending each loss before its update and (unless ``extend_row`` is None) the
    parameters after it; → (final P, Σ of the losses after each update on its own batch
    if ``post``, else 0). Its updates are ``step``'s lines, so the two agree bit for bit.
    """

    def __init__(self, layout, acts, loss, batch, output_first):
        sizes = layout.sizes
        L = len(sizes) - 1
        B = range(batch)
        neurons = [list(layout.neurons(l)) for l in range(L + 1)]
        names = _param_names(layout)
        self.batch, self.n_params = batch, len(names)

        def y(j, s, l):
            return f"x{j}_{s}" if l == 0 else f"y{j}_{s}"

        unpack_p = f"({', '.join(names)},) = P"
        unpack_c = f"({', '.join('c' + n for n in names)},) = C"
        samples = [[y(j, s, 0) for j in neurons[0]] + [f"ob{k}_{s}" for k in neurons[L]]
                   for s in B]
        unpack_s = f"({' '.join('(' + ', '.join(v) + '),' for v in samples)}) = S"

        forward = []
        for l in range(1, L + 1):
            for s in B:
                for j in neurons[l]:
                    terms = [f"{y(i, s, l - 1)} * w{i}_{j}" for i in neurons[l - 1]]
                    forward.append(f"net{j}_{s} = {' + '.join(terms)} + b{j}")
                forward += acts[l].source([f"net{j}_{s}" for j in neurons[l]],
                                          [y(j, s, l) for j in neurons[l]])

        def loss_lines(target, deltas):
            """The lines that leave the batch's mean loss in ``target`` (and δ of the outputs)."""
            lines, per = [], []
            for s in B:
                src, expr = loss.source(acts[L], [f"net{k}_{s}" for k in neurons[L]],
                                        [y(k, s, L) for k in neurons[L]],
                                        [f"ob{k}_{s}" for k in neurons[L]],
                                        [f"d{k}_{s}" for k in neurons[L]] if deltas else None)
                lines += src
                per.append(expr)
            if batch == 1:
                return lines + [f"{target} = {per[0]}"]
            lines += [f"{target}_{s} = {e}" for s, e in zip(B, per)]
            return lines + [f"{target} = ({' + '.join(f'{target}_{s}' for s in B)}) / {batch}"]

        def update(params):
            return [f"{n} = {n} + c{n} * G{n}" for n in params]

        backward, pending = [], []
        by_layer = {l: [] for l in range(1, L + 1)}
        for p, n in zip(layout.params, names):
            by_layer[layout.locate(p.j)[0]].append((p, n))
        for l in range(L, 0, -1):
            if l < L:
                for s in B:
                    for j in neurons[l]:
                        terms = [f"d{k}_{s} * w{j}_{k}" for k in neurons[l + 1]]
                        backward.append(f"g{j}_{s} = {' + '.join(terms)}")
                    backward += acts[l].backprop_source(
                        [f"net{j}_{s}" for j in neurons[l]], [y(j, s, l) for j in neurons[l]],
                        [f"g{j}_{s}" for j in neurons[l]], [f"d{j}_{s}" for j in neurons[l]])
            for p, n in by_layer[l]:
                l_in = l - 1
                terms = ([f"d{p.j}_{s} * {y(p.i, s, l_in)}" for s in B] if p.kind == "w"
                         else [f"d{p.j}_{s}" for s in B])
                backward.append(f"G{n} = {' + '.join(terms)}")
            layer_names = [n for _, n in by_layer[l]]
            if output_first:  # this layer moves before its δ is passed down
                backward += update(layer_names)
            else:
                pending += layer_names
        backward += update(pending)

        body = forward + loss_lines("L", True) + backward
        params = f"({', '.join(names)},)"
        flat = {kind: ", ".join(f"{kind}{j}_{s}" for l in range(1, L + 1) for s in B
                                for j in neurons[l])
                for kind in ("net", "y", "d")}
        indent = "\n    "
        inner = "\n        "
        self.text = "\n".join([
            "def loss(P, S):",
            "    " + indent.join([unpack_p, unpack_s] + forward + loss_lines("L", False)),
            "    return L",
            "",
            "def step(P, S, C):",
            "    " + indent.join([unpack_p, unpack_c, unpack_s] + body),
            f"    return L, {params}, ({', '.join('G' + n for n in names)},), "
            f"({flat['net']},), ({flat['y']},), ({flat['d']},)",
            "",
            "def run(P, C, batches, append_loss, extend_row, post):",
            "    " + indent.join([unpack_p, unpack_c, "post_sum = 0.0", "for S in batches:"]),
            "        " + inner.join([unpack_s] + body + ["append_loss(L)",
                                                         "if extend_row is not None:",
                                                         f"    extend_row({params})",
                                                         "if post:"]),
            "            " + "\n            ".join(forward + loss_lines("Lpost", False)
                                                   + ["post_sum += Lpost"]),
            f"    return {params}, post_sum",
            "",
        ])
        namespace = dict(SCALAR_NAMES)
        exec(compile(self.text, f"<unrolled kernel {sizes} batch {batch}>", "exec"), namespace)
        self.loss, self.step, self.run = namespace["loss"], namespace["step"], namespace["run"]
