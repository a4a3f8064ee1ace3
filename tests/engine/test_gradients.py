"""Backpropagation against central finite differences on random networks.

Hypothesis draws the architecture (2–4 layers of 1–5 neurons), the activations, the loss, the
batch size and a seed; the numbers themselves come from numpy's default_rng(seed), so they are
continuous random values that (almost surely) keep every ReLU away from its kink.
"""
import numpy as np
import pytest
from hypothesis import given, settings

from engine import Network, gradient_check
from tests.engine.strategies import build, cases



def fd_agrees(analytic, numeric, loss, rtol=1e-6):
    """Relative agreement to ``rtol``, or agreement within the rounding noise of the central
    difference itself: (L(θ+ε) − L(θ−ε)) / 2ε with ε = 1e-6 carries an absolute error of about
    ε_mach·|L|/ε ≈ 1e-10·|L| (measured: < 5e-10·max(1, |L|) over 1500 random networks), which
    dominates the relative error of gradients smaller than ~1e-3. A real backprop mistake is of
    the order of the gradient itself and fails both."""
    noise = 5e-9 * max(1.0, abs(loss))
    diff = np.abs(analytic - numeric)
    return (diff <= rtol * np.maximum(np.abs(analytic), np.abs(numeric))) | (diff <= noise)


def describe(labels, analytic, numeric, ok):
    return [(lab, a, n) for lab, a, n, good in zip(labels, analytic, numeric, ok) if not good]


@settings(max_examples=40, deadline=None)
@given(cases())
def test_gradient_check_passes_on_random_networks(case):
    net, x, t = build(case)
    before = net.get_params()
    loss, grad = net.gradient(x, t)
    gc = gradient_check(net, x, t)
    assert list(gc.labels) == net.labels
    np.testing.assert_array_equal(gc.analytic, grad)
    ok = fd_agrees(gc.analytic, gc.numeric, loss)
    assert ok.all(), describe(gc.labels, gc.analytic, gc.numeric, ok)
    # where the gradient is large enough for ε = 1e-6 to resolve it, the check's own verdict
    big = np.maximum(np.abs(gc.analytic), np.abs(gc.numeric)) > 1e-2 * max(1.0, abs(loss))
    resolved = ~big | (gc.rel_error < 1e-6)
    assert resolved.all(), describe(gc.labels, gc.analytic, gc.numeric, resolved)
    # gradient_check leaves the network exactly as it was
    assert net.get_params().tobytes() == before.tobytes()


WELL_CONDITIONED = [
    # (sizes, activations, loss, x, ob): hand-picked, no tiny nonzero gradient
    ([2, 2, 3], ["relu", "linear"], "half_sse", [0.6, -0.4], [0.5, 0.0, 0.3]),
    ([2, 3, 2], ["tanh", "sigmoid"], "half_sse",
     [[0.3, -0.7], [1.1, 0.4]], [[0.2, 0.9], [0.7, 0.1]]),
    ([3, 4, 3], ["sigmoid", "softmax"], "cross_entropy", [0.5, -1.0, 2.0], [0.2, 0.5, 0.3]),
    ([3, 4, 3], ["tanh", "softmax"], "half_sse", [[0.5, -1.0, 2.0]] * 2, [[1, 0, 0], [0, 1, 0]]),
    ([2, 3, 3, 2], ["tanh", "tanh", "sigmoid"], "cross_entropy", [0.9, -0.3], [1.0, 0.4]),
]


@pytest.mark.parametrize("sizes,acts,loss,x,t", WELL_CONDITIONED)
def test_gradient_check_max_rel_error_below_1e_6(sizes, acts, loss, x, t):
    net = Network(sizes, activations=acts, loss=loss, seed=11)
    rng = np.random.default_rng(5)
    net.set_params(net.get_params() + rng.uniform(0.1, 0.3, net.n_params))
    gc = gradient_check(net, x, t)
    assert np.count_nonzero(np.abs(gc.analytic) > 1e-4) >= net.n_params // 2  # not a vacuous check
    assert gc.max_rel_error < 1e-6
    assert gc.mismatches(1e-6) == []


@settings(max_examples=40, deadline=None)
@given(cases())
def test_step_record_gradients_match_finite_differences(case):
    net, x, t = build(case)
    gc = gradient_check(net, x, t)
    rec = net.step(x, t, 0.1)
    from_record = np.array([rec.grad_bias(p.j) if p.kind == "b" else rec.grad_weight(p.i, p.j)
                            for p in net.parameters()])
    ok = fd_agrees(from_record, gc.numeric, rec.loss)
    assert ok.all(), describe(net.labels, from_record, gc.numeric, ok)
    # and the record's gradient is what gradient() reported before the step
    np.testing.assert_allclose(from_record, gc.analytic, rtol=1e-12, atol=1e-15)


@settings(max_examples=40, deadline=None)
@given(cases())
def test_step_moves_parameters_by_minus_lr_times_fd_gradient(case):
    """What the user sees move: θ_after − θ_before = −η ∂L/∂θ, ∂L/∂θ from finite differences."""
    net, x, t = build(case)
    gc = gradient_check(net, x, t)
    lr = 0.05
    before = net.get_params()
    rec = net.step(x, t, lr)
    moved = (before - net.get_params()) / lr
    # (θ − θ') / η loses a few digits to the subtraction when |θ| ≫ η|∂L/∂θ|
    ok = fd_agrees(moved, gc.numeric, rec.loss, rtol=1e-6) | (
        np.abs(moved - gc.numeric) <= 1e-13 * np.abs(before) / lr)
    assert ok.all(), describe(net.labels, moved, gc.numeric, ok)


def test_gradient_check_flags_a_wrong_gradient(monkeypatch):
    """The check has teeth: a gradient that is off in one entry is reported by its label."""
    net = Network([2, 3, 2], activations=["tanh", "sigmoid"], loss="half_sse", seed=3)
    x, t = [0.3, -0.7], [0.2, 0.9]
    real_gradient = net.gradient

    def broken(xx, tt):
        loss, g = real_gradient(xx, tt)
        g = g.copy()
        g[net.labels.index("w24")] *= 1.01
        return loss, g

    monkeypatch.setattr(net, "gradient", broken)
    gc = gradient_check(net, x, t)
    assert gc.mismatches(1e-5) == ["w24"]
    assert gc.max_rel_error == pytest.approx(0.01 / 1.01, rel=1e-3)


def test_gradient_check_does_not_flag_a_correct_small_gradient():
    """A user running the gradient check on a correct network must not be told it is wrong.

    A one-layer tanh net (no hidden layer, so backprop is just −δ_j x_i) whose ∂L/∂w39 is
    1.43e-6: backprop gets it exactly (checked below by hand), but the ε = 1e-6 central
    difference is off by ~6e-11 (rounding in L ≈ 0.45), so its relative error is 4e-5 and
    ``mismatches()`` (default tol 1e-5) reports w39 as a backprop mismatch.
    """
    theta = [0.44680597925039023, 1.5674491571771938, 1.4989537205576249, 0.8008714531061231,
             0.03679939553156184, -0.32489528728227296, -0.6145704063108651, -2.27732992436036,
             -0.5171950527815365, -1.1231100475117983, -0.1787307954311761, -0.6069143685372769,
             0.7920139229942887, -0.06439639842041553, -0.2996825117339397, -1.2730140092227988,
             0.3107204883445801, -0.15567705260485468, -0.37503429907772, -0.2067186996694067,
             -0.5471298491090323, 0.22436708822236337, -0.7439413919992193, 0.8382505125884004]
    x = [-0.5900643479410257, -1.5404544952809298, 0.03291667343578188, -1.3592020393912807,
         0.4761223583502309]
    t = [-0.5952470425987053, 0.39024103757208994, -0.3516648105871817, 0.367509312310966]
    net = Network([5, 4], activations=["tanh"], loss="half_sse", seed=0)
    net.set_params(theta)
    # by hand: net_9 = Σ_i x_i w_i9 + b9, δ9 = (ob9 − y9)(1 − y9²), ∂L/∂w39 = −δ9 x3
    w = np.array(theta[:20]).reshape(5, 4)
    b = np.array(theta[20:])
    y = np.tanh(np.array(x) @ w + b)
    by_hand = -((t[3] - y[3]) * (1 - y[3] ** 2)) * x[2]  # neuron 9 is the 4th output
    gc = gradient_check(net, x, t)
    k = net.labels.index("w39")
    assert gc.analytic[k] == pytest.approx(by_hand, rel=1e-12)
    assert abs(gc.analytic[k]) > 1e-6  # not a "both ~0" gradient
    assert gc.mismatches() == [], (gc.analytic[k], gc.numeric[k], gc.rel_error[k])
