"""Random architectures, activations, losses and batches for the gradient tests.

Hypothesis draws the shape of the problem and a seed; the numbers come from NumPy's generator
with that seed, which keeps ReLU inputs away from the kink at 0 (Hypothesis likes exact zeros).
"""
from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from engine import Network

ELEMENTWISE = ["linear", "relu", "sigmoid", "tanh"]
OUTPUTS = ELEMENTWISE + ["softmax"]


@dataclass
class Case:
    sizes: list
    activations: list
    loss: str
    batch: int
    seed: int


@st.composite
def cases(draw):
    n_layers = draw(st.integers(2, 4))
    sizes = [draw(st.integers(1, 5)) for _ in range(n_layers)]
    hidden = [draw(st.sampled_from(ELEMENTWISE)) for _ in range(n_layers - 2)]
    out = draw(st.sampled_from(OUTPUTS))
    loss = draw(st.sampled_from(
        ["half_sse", "cross_entropy"] if out in ("softmax", "sigmoid") else ["half_sse"]))
    batch = draw(st.integers(1, 6))
    seed = draw(st.integers(0, 2**32 - 1))
    return Case(sizes, hidden + [out], loss, batch, seed)


def build(case, allow_1d=True):
    """The network with random weights and biases, and a batch (x, ob) drawn from the seed;
    with ``allow_1d``, a batch of one comes half the time in the 1-D single-sample form."""
    net = Network(case.sizes, activations=case.activations, loss=case.loss, seed=case.seed)
    rng = np.random.default_rng(case.seed)
    net.set_params(rng.normal(0.0, 0.8, net.n_params))  # biases too, not just the zero init
    x = rng.normal(0.0, 1.0, (case.batch, case.sizes[0]))
    shape = (case.batch, case.sizes[-1])
    if case.loss == "cross_entropy":
        # non-negative targets; for softmax deliberately not summing to 1 (δ = ob − y·Σob)
        t = rng.uniform(0.0, 1.0, shape) * (rng.uniform(size=shape) < 0.8)
    else:
        t = rng.normal(0.0, 1.0, shape)
    if allow_1d and case.batch == 1 and rng.uniform() < 0.5:
        x, t = x[0], t[0]  # the 1-D single-sample form
    return net, x, t
