"""Loss functions, per sample; a batch's loss is the mean over its samples.

``half_sse``:       L = ½ Σ_k (ob_k − y_k)²          (the notes' L; ∂L/∂y_k = −Err_k)
``cross_entropy``:  L = −Σ_k ob_k log y_k            (for outputs in (0, 1): softmax or sigmoid)

``dnet(...)`` gives ∂L/∂net_k of the output layer per sample, i.e. −δ_k; for the pairs whose
product simplifies (softmax or sigmoid with cross-entropy) it uses the simplified, stable form.
Arrays are (neurons, batch): one column per sample.
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

    def dnet(self, act: Activation, net, y, t, out):
        """out = ∂L/∂net of the output layer (per sample) = −δ."""
        raise NotImplementedError


class HalfSSE(Loss):
    """L = ½ Σ_k (ob_k − y_k)²; δ_k = Err_k · f'(net_k) (softmax: the full Jacobian)."""

    name = "half_sse"

    def sample_losses(self, act, net, y, t):
        err = t - y
        return 0.5 * np.einsum("kb,kb->b", err, err)

    def dnet(self, act, net, y, t, out):
        np.subtract(y, t, out=out)  # ∂L/∂y = −Err
        return act.backprop(net, y, out, out)


class CrossEntropy(Loss):
    """L = −Σ_k ob_k log y_k.

    softmax: δ_k = ob_k − y_k Σ_m ob_m (= ob_k − y_k for one-hot or any targets summing to 1);
    sigmoid: δ_k = ob_k (1 − y_k).
    """

    name = "cross_entropy"
    accepts = ("softmax", "sigmoid")

    def sample_losses(self, act, net, y, t):
        if act.name == "softmax":
            m = net.max(axis=0)
            log_y = net - (m + np.log(np.exp(net - m).sum(axis=0)))
        else:
            log_y = -np.logaddexp(0.0, -net)  # log σ(net), stable for any net
        # 0 · log 0 counts as 0, as in the limit
        return -np.einsum("kb,kb->b", t, np.where(t == 0, 0.0, log_y))

    def dnet(self, act, net, y, t, out):
        if act.name == "softmax":
            np.multiply(y, t.sum(axis=0), out=out)
            out -= t
        else:
            np.subtract(y, 1.0, out=out)
            out *= t
        return out


LOSSES: dict[str, Loss] = {l.name: l for l in (HalfSSE(), CrossEntropy())}


def get_loss(name) -> Loss:
    """The registered loss called ``name``; ValueError naming the choices otherwise."""
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}") from None
