"""The engine's backprop against an independent reverse-mode autograd (tests/engine/autograd.py).

The reference builds the same network scalar by scalar from the layer sizes, the activation and
loss names and ``net.parameters()`` (label -> i, j), and differentiates it with the chain rule
applied node by node. Agreement is expected to ~1e-9 relative (float64 rounding only).
"""
import importlib.util
import math
import pathlib

import numpy as np
import pytest
from hypothesis import given, settings

from engine import Network
from tests.engine.strategies import build, cases

_spec = importlib.util.spec_from_file_location(
    "engine_tests_autograd", pathlib.Path(__file__).with_name("autograd.py"))
autograd = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(autograd)
Value = autograd.Value



def close(a, b, rtol=1e-9, atol=1e-12):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.abs(a - b) <= rtol * np.maximum(np.abs(a), np.abs(b)) + atol


# -- the reference itself must be right -----------------------------------------------------

def test_reference_autograd_elementary_derivatives():
    x = Value(0.7)
    y = Value(-1.3)
    f = x * y + x.exp() * y.tanh() - (x / y) + (x * x).log() + x.sigmoid() + (y.relu() + x.relu())
    f.backward()
    s = 1 / (1 + math.exp(-0.7))
    dfdx = -1.3 + math.exp(0.7) * math.tanh(-1.3) - 1 / -1.3 + 2 / 0.7 + s * (1 - s) + 1
    dfdy = 0.7 + math.exp(0.7) * (1 - math.tanh(-1.3) ** 2) + 0.7 / 1.3 ** 2 + 0
    assert f.data == pytest.approx(-0.91 + math.exp(0.7) * math.tanh(-1.3) + 0.7 / 1.3
                                   + math.log(0.49) + s + 0.7, rel=1e-14)
    assert x.grad == pytest.approx(dfdx, rel=1e-14)
    assert y.grad == pytest.approx(dfdy, rel=1e-14)


def test_reference_autograd_reused_node_and_relu_kink():
    x = Value(2.0)
    f = x * x * x - 3 * x  # x used several times: gradients must accumulate
    f.backward()
    assert x.grad == pytest.approx(3 * 4 - 3)
    z = Value(0.0)
    z.relu().backward()
    assert z.grad == 0.0  # ReLU'(0) = 0


def test_reference_matches_the_notes_numbers():
    """The reference on the notes' net gives the hand-derived δ3 = 0.1556 (linear outputs)."""
    params = [(0, "w", 1, 3), (1, "w", 1, 4), (2, "w", 2, 3), (3, "w", 2, 4), (4, "b", None, 3),
              (5, "b", None, 4), (6, "w", 3, 5), (7, "w", 3, 6), (8, "w", 3, 7), (9, "w", 4, 5),
              (10, "w", 4, 6), (11, "w", 4, 7), (12, "b", None, 5), (13, "b", None, 6),
              (14, "b", None, 7)]
    theta = [0.15, 0.3, -0.2, 0.25, 0.1, 0.05, 0.4, -0.5, 0.6, -0.3, 0.2, 0.45, 0.1, 0.0, -0.05]
    ref = autograd.reference_loss_and_grad([2, 2, 3], ["relu", "linear"], "half_sse", params,
                                           theta, [[0.6, -0.4]], [[0.5, 0.0, 0.3]])
    assert -ref.nets[0][3].grad == pytest.approx(0.1556)
    assert ref.grad[0] == pytest.approx(-0.1556 * 0.6)  # ∂L/∂w13 = −δ3 x1
    assert ref.loss == pytest.approx(0.5 * (0.331 ** 2 + 0.109 ** 2 + 0.1295 ** 2))


# -- engine vs reference ------------------------------------------------------------------------

def reference_for(net, X, T):
    params = [(p.index, p.kind, p.i, p.j) for p in net.parameters()]
    return autograd.reference_loss_and_grad(list(net.sizes), list(net.activations), net.loss,
                                            params, net.get_params().tolist(),
                                            np.asarray(X).tolist(), np.asarray(T).tolist())


def test_parameters_map_labels_to_i_j():
    """The reference relies on parameters(): check it is the label's own (i, j)."""
    net = Network([2, 8, 8, 3], seed=0)
    for p in net.parameters():
        if p.kind == "w":
            assert p.label in (f"w{p.i}{p.j}", f"w{p.i},{p.j}")
            assert net.weight(p.i, p.j) == net.get_params()[p.index]
        else:
            assert p.label == f"b{p.j}" and p.i is None
            assert net.bias(p.j) == net.get_params()[p.index]


@settings(max_examples=30, deadline=None)
@given(cases())
def test_gradient_matches_reference_autograd(case):
    net, X, T = build(case, allow_1d=False)
    ref = reference_for(net, X, T)
    got_loss, got_grad = net.gradient(X, T)
    assert close(got_loss, ref.loss).all(), (got_loss, ref.loss)
    ok = close(got_grad, ref.grad)
    assert ok.all(), [(lab, g, r) for lab, g, r, good in
                      zip(net.labels, got_grad, ref.grad, ok) if not good]
    assert close(net.loss_value(X, T), ref.loss).all()


@settings(max_examples=25, deadline=None)
@given(cases())
def test_step_record_matches_reference_autograd(case):
    """rec.loss, rec.net/out (sample 0), rec.delta = −∂L_0/∂net_j and rec.grad_* all agree."""
    net, X, T = build(case, allow_1d=False)
    sizes, batch = case.sizes, case.batch
    ref = reference_for(net, X, T)
    theta0 = net.get_params()
    lr = 0.01
    rec = net.step(X, T, lr)
    assert close(rec.loss, ref.loss).all()
    n_neurons = sum(sizes)
    for j in range(sizes[0] + 1, n_neurons + 1):
        v = ref.nets[0][j]
        assert close(rec.net(j), v.data).all(), j
        assert close(rec.out(j), ref.outs[0][j].data).all(), j
        # ∂L/∂net_j of the batch-mean loss is (1/batch)·∂L_0/∂net_j for a sample-0 neuron
        assert close(rec.delta(j), -batch * v.grad).all(), (j, rec.delta(j), -batch * v.grad)
    for p in net.parameters():
        got = rec.grad_bias(p.j) if p.kind == "b" else rec.grad_weight(p.i, p.j)
        assert close(got, ref.grad[p.index]).all(), p.label
    # simultaneous SGD: θ ← θ − η ∂L/∂θ with the reference gradient
    np.testing.assert_allclose(net.get_params(), theta0 - lr * np.asarray(ref.grad),
                               rtol=1e-12, atol=1e-14)
