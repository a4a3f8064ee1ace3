"""Loss functions, per sample; a batch's loss is the mean over its samples.

``half_sse``:       L = ½ Σ_k (ob_k − y_k)²          (the notes' L; −∂L/∂y_k = Err_k)
``cross_entropy``:  L = −Σ_k ob_k log y_k            (for outputs in (0, 1): softmax or sigmoid)

A loss is the one home of the output layer's δ_k = −∂L/∂net_k: ``value_and_delta`` gives the
loss and δ together. By default δ is the output activation's vector-Jacobian product of
−∂L/∂y (``neg_grad``), which covers every activation, softmax included (its full Jacobian);
a loss overrides it where the product simplifies (softmax or sigmoid with cross-entropy).
Adding a loss is adding a class here: the network never looks at a loss's name.

Like the activations, each loss works on NumPy arrays, (neurons, batch) with one column per
sample, and as lines of plain Python for the unrolled kernel of small networks
(``source``; see ``engine/activations.py``).
"""
from __future__ import annotations

import numpy as np

from .activations import Activation


class Loss:
    name = ""
    #: activations this loss may follow; None means any
    accepts: tuple[str, ...] | None = None

    def sample_losses(self, act: Activation, net, y, t):
        """Per-sample losses, shape (batch,)."""
        raise NotImplementedError

    def value(self, act: Activation, net, y, t):
        """The sum of the batch's sample losses (the network divides by the batch size)."""
        return float(self.sample_losses(act, net, y, t).sum())

    def neg_grad(self, act: Activation, net, y, t, out):
        """out = −∂L/∂y per sample."""
        raise NotImplementedError

    def value_and_delta(self, act: Activation, net, y, t, delta):
        """The sum of the sample losses, as ``value``; fills ``delta`` with δ = −∂L/∂net of the
        output layer, the activation's vector-Jacobian product of −∂L/∂y."""
        self.neg_grad(act, net, y, t, delta)
        act.backprop(net, y, delta, delta)
        return self.value(act, net, y, t)

    # -- scalar lines for the unrolled kernel; arguments are lists of variable names ----------
    def source(self, act: Activation, nets, ys, ts, deltas=None):
        """(lines, expression): the lines compute one sample's loss, which ``expression`` then
        names, and with ``deltas`` also assign δ_k to them. Temporaries are named after ``ys``."""
        raise NotImplementedError

    def __repr__(self):
        return f"<loss {self.name}>"


class HalfSSE(Loss):
    """L = ½ Σ_k (ob_k − y_k)²; −∂L/∂y_k = Err_k, so δ_k = Err_k · f'(net_k) (softmax: the full
    Jacobian)."""

    name = "half_sse"

    def sample_losses(self, act, net, y, t):
        err = t - y
        return 0.5 * np.einsum("kb,kb->b", err, err)

    def value(self, act, net, y, t):
        err = np.subtract(t, y)
        return 0.5 * float(np.vdot(err, err))

    def neg_grad(self, act, net, y, t, out):
        return np.subtract(t, y, out=out)

    def value_and_delta(self, act, net, y, t, delta):
        np.subtract(t, y, out=delta)  # Err = ob − y, then δ = Err · ∂y/∂net in place
        value = 0.5 * float(np.vdot(delta, delta))
        act.backprop(net, y, delta, delta)
        return value

    def source(self, act, nets, ys, ts, deltas=None):
        errs = [f"err_{y}" for y in ys]
        lines = [f"{e} = {t} - {y}" for e, t, y in zip(errs, ts, ys)]
        if deltas is not None:
            lines += act.backprop_source(nets, ys, errs, deltas)
        return lines, f"0.5 * ({' + '.join(f'{e} * {e}' for e in errs)})"


class CrossEntropy(Loss):
    """L = −Σ_k ob_k log y_k (0 · log 0 counts as 0, as in the limit).

    softmax: δ_k = ob_k − y_k Σ_m ob_m (= ob_k − y_k for one-hot or any targets summing to 1);
    sigmoid: δ_k = ob_k (1 − y_k). log y is taken from net (log-sum-exp, log σ), so a saturated
    output gives a large finite loss rather than log 0.
    """

    name = "cross_entropy"
    accepts = ("softmax", "sigmoid")

    @staticmethod
    def _log_y(act, net):
        if act.name == "softmax":
            m = net.max(axis=0)
            return net - (m + np.log(np.exp(net - m).sum(axis=0)))
        return -np.logaddexp(0.0, -net)  # log σ(net), stable for any net

    def sample_losses(self, act, net, y, t):
        return -np.einsum("kb,kb->b", t, np.where(t == 0, 0.0, self._log_y(act, net)))

    def value(self, act, net, y, t):
        return -float(np.vdot(t, np.where(t == 0, 0.0, self._log_y(act, net))))

    def value_and_delta(self, act, net, y, t, delta):
        if act.name == "softmax":
            np.multiply(y, t.sum(axis=0), out=delta)
            np.subtract(t, delta, out=delta)
        else:
            np.subtract(1.0, y, out=delta)
            delta *= t
        return self.value(act, net, y, t)

    def source(self, act, nets, ys, ts, deltas=None):
        lines = []
        if act.name == "softmax":
            m, lse = f"lmax_{ys[0]}", f"lse_{ys[0]}"
            lines.append(f"{m} = max({', '.join(nets)})" if len(nets) > 1 else f"{m} = {nets[0]}")
            lines.append(f"{lse} = {m} + _log({' + '.join(f'_exp({n} - {m})' for n in nets)})")
            logs = [f"({n} - {lse})" for n in nets]
        else:
            # log σ(n) = −log(1 + e^(−n)), written so that exp never overflows
            logs = [f"(-_log1p(_exp(-{n})) if {n} >= 0.0 else {n} - _log1p(_exp({n})))"
                    for n in nets]
        terms = [f"(0.0 if {t} == 0.0 else {t} * {lg})" for t, lg in zip(ts, logs)]
        if deltas is not None:
            if act.name == "softmax":
                st = f"tsum_{ys[0]}"
                lines.append(f"{st} = {' + '.join(ts)}")
                lines += [f"{d} = {t} - {y} * {st}" for d, t, y in zip(deltas, ts, ys)]
            else:
                lines += [f"{d} = (1.0 - {y}) * {t}" for d, t, y in zip(deltas, ts, ys)]
        return lines, f"-({' + '.join(terms)})"


LOSSES: dict[str, Loss] = {l.name: l for l in (HalfSSE(), CrossEntropy())}


def get_loss(name) -> Loss:
    """The registered loss called ``name``; ValueError naming the choices otherwise."""
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}") from None
