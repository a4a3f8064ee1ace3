"""Exact edge cases, on both ways the engine computes a step (NumPy arrays, and the unrolled
Python of small networks): where train() stops, δ behind an inactive ReLU, overflow without
warnings, the sigmoid's accuracy far into the negatives, and a loss added without touching
Network."""
import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import engine.unrolled
from engine import LOSSES, DivergenceError, Network, gradient_check
from engine.losses import Loss
from engine.network import _Pass, _Unrolled
from tests.engine.strategies import build, cases

LIMIT = engine.unrolled.UNROLL_LIMIT


@pytest.fixture(params=["numpy", "unrolled"])
def backend(request, monkeypatch):
    """Every network made in the test computes its steps the given way."""
    monkeypatch.setattr(engine.unrolled, "UNROLL_LIMIT", 0 if request.param == "numpy" else 10**6)
    return request.param


def uses(net, batch, backend):
    kind = type(net._backend(batch))
    return kind is (_Pass if backend == "numpy" else _Unrolled)


def one_one(w12=1.0, b2=0.0):
    net = Network([1, 1], ["linear"], "half_sse", seed=0)
    net.set_params([w12, b2])
    return net


# -- train() stops exactly where step() would -----------------------------------------------------

def test_train_with_minibatches_keeps_the_finite_step_before_a_diverging_one(backend):
    """Step 1 (sample [1]) is finite and applied: w12 = 1 − 0.1·1·1 = 0.9. Step 2's loss on
    [1e200] is inf, so that is where train() stops, as step() does: 1 step done, w12 = 0.9."""
    X, T = [[1.0], [1e200]], [[0.0], [0.0]]
    stepped = one_one()
    stepped.step(X[0], T[0], 0.1)
    with pytest.raises(DivergenceError):
        stepped.step(X[1], T[1], 0.1)
    assert stepped.weight(1, 2) == 0.9

    net = one_one()
    assert uses(net, 1, backend)
    with pytest.raises(DivergenceError, match=r"at step 2 ") as info:
        net.train(X, T, 0.1, 2, batch_size=1)
    assert info.value.steps_done == 1
    assert info.value.losses.tolist() == [0.5]
    assert net.weight(1, 2) == 0.9
    np.testing.assert_array_equal(net.get_params(), stepped.get_params())


@pytest.mark.parametrize("order", ["simultaneous", "output_first"])
def test_train_stops_where_repeated_step_is_first_refused(backend, order):
    """Random 2-3-1 nets on data with a few huge samples: train() with minibatches applies
    exactly the steps step() accepts, up to the first one step() refuses."""
    rng = np.random.default_rng(5)
    for trial in range(30):
        n, b = int(rng.integers(2, 7)), int(rng.integers(1, 4))
        b = min(b, n)
        X = rng.normal(size=(n, 2))
        X[rng.integers(n)] *= 10.0 ** rng.integers(50, 160)
        T = rng.normal(size=(n, 1))
        lr = float(10.0 ** rng.integers(-3, 1))

        shuffle = None if trial % 2 else trial  # every other run visits shuffled epochs

        def fresh():
            return Network([2, 3, 1], ["tanh", "linear"], seed=trial, update_order=order)

        ref, expected = fresh(), []
        for s in range(12):
            idx = Network.batch_indices(n, b, s, shuffle)
            try:
                expected.append(ref.step(X[idx], T[idx], lr).loss)
            except DivergenceError:
                break
        net = fresh()
        if len(expected) == 12:
            losses = net.train(X, T, lr, 12, batch_size=b, shuffle_seed=shuffle)
        else:
            with pytest.raises(DivergenceError, match=rf"at step {len(expected) + 1} ") as info:
                net.train(X, T, lr, 12, batch_size=b, shuffle_seed=shuffle)
            assert info.value.steps_done == len(expected)
            losses = info.value.losses
        np.testing.assert_array_equal(losses, expected)
        np.testing.assert_array_equal(net.get_params(), ref.get_params())


# -- train ≡ repeated step, bit for bit -----------------------------------------------------------

@pytest.mark.parametrize("shuffle", [None, 9])
@pytest.mark.parametrize("order", ["simultaneous", "output_first"])
@pytest.mark.parametrize("acts,loss", [(["relu", "linear"], "half_sse"),
                                       (["tanh", "softmax"], "half_sse"),
                                       (["sigmoid", "softmax"], "cross_entropy"),
                                       (["relu", "sigmoid"], "cross_entropy")])
def test_train_pieces_are_bit_identical_to_repeated_step(backend, order, acts, loss, shuffle):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(5, 2))
    T = rng.uniform(0.0, 1.0, size=(5, 3))

    def fresh():
        net = Network([2, 2, 3], acts, loss, seed=3, update_order=order)
        net.freeze_weight(2, 4)
        return net

    for b in (1, 2, 3, 5):
        stepped, trained = fresh(), fresh()
        expected = np.array([stepped.step(X[idx], T[idx], 0.3).loss for idx in
                             (Network.batch_indices(5, b, s, shuffle) for s in range(7, 7 + 9))])
        # the GUI trains in pieces, counting on from the step count
        rows = np.empty((9, trained.n_params))
        losses = np.concatenate([
            trained.train(X, T, 0.3, 4, batch_size=b, params_out=rows[:4], start=7,
                          shuffle_seed=shuffle),
            trained.train(X, T, 0.3, 5, batch_size=b, params_out=rows[4:], start=11,
                          shuffle_seed=shuffle)])
        assert uses(trained, b, backend)
        np.testing.assert_array_equal(losses, expected)
        np.testing.assert_array_equal(trained.get_params(), stepped.get_params())
        np.testing.assert_array_equal(rows[-1], stepped.get_params())


# -- an inactive ReLU passes nothing back ---------------------------------------------------------

def test_inactive_relu_delta_is_zero_even_when_the_gradient_into_it_overflows(backend):
    """net2 = −1: ReLU'(net2) = 0 cuts the path, although δ3·w23 = 1e10·1e300 = inf."""
    net = Network([1, 1, 1], ["relu", "linear"], "half_sse", seed=0)
    net.set_params([-1.0, 0.0, 1e300, -1e10])  # w12, b2, w23, b3
    rec = net.step([1.0], [0.0], 0.1, apply=False)
    assert rec.delta(3) == 1e10
    assert rec.delta(2) == 0.0
    assert rec.grad_weight(1, 2) == 0.0 and rec.grad_bias(2) == 0.0
    net.step([1.0], [0.0], 0.1)  # finite, so not refused
    assert net.bias(3) == -1e10 + 0.1 * 1e10
    assert net.weight(1, 2) == -1.0 and net.weight(2, 3) == 1e300


# -- overflow: no warnings, only the documented results --------------------------------------------

@pytest.mark.parametrize("acts,loss", [(["relu", "linear"], "half_sse"),
                                       (["tanh", "sigmoid"], "half_sse"),
                                       (["sigmoid", "softmax"], "half_sse"),
                                       (["linear", "softmax"], "cross_entropy"),
                                       (["relu", "sigmoid"], "cross_entropy")])
def test_huge_values_never_warn(backend, acts, loss):
    x, t = [1e200, -1e200], [1.0, 0.0, 0.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net = Network([2, 2, 3], acts, loss, seed=1)
        net.set_params(np.full(net.n_params, 1e150))
        y = net.forward(x)
        assert y.shape == (3,)
        net.loss_value(x, t)
        net.gradient(x, t)
        rec = net.step(x, t, 1e300, apply=False)
        [rec.delta(j) for j in range(3, 8)]
        before = net.get_params()
        try:
            net.step(x, t, 1e300)
        except DivergenceError:
            np.testing.assert_array_equal(net.get_params(), before)
        try:
            net.train([x, [1e-300, 1e300]], [t, t], 1e300, 5, batch_size=1)
        except DivergenceError as e:
            assert np.isfinite(e.losses).all() and np.isfinite(net.get_params()).all()
        gc = gradient_check(net, x, t)
        assert not np.isnan(gc.rel_error).any()
        # the inputs themselves: v·v of [1e200] overflows, and must not warn either
        assert np.isfinite(net.loss_value([1e300, 1e300], t)) in (True, False)
        with pytest.raises(ValueError, match="NaN or Inf"):
            net.step([1e300, np.inf], t, 0.1)


def test_gradient_check_lists_an_overflowing_gradient_as_a_mismatch(backend):
    net = Network([2, 2, 3], ["relu", "linear"], seed=0)
    net.set_params(np.full(net.n_params, 1e150))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        gc = gradient_check(net, [1e150, 1e150], [0.0, 0.0, 0.0])
    assert gc.mismatches() == net.labels
    assert gc.max_rel_error == np.inf


# -- the sigmoid far into the negatives -----------------------------------------------------------

@pytest.mark.parametrize("x", [-30.0, -100.0, -700.0, -15.5, 0.0, 3.0, 40.0])
def test_sigmoid_keeps_full_relative_accuracy(backend, x):
    ref = math.exp(x) / (1.0 + math.exp(x)) if x < 0 else 1.0 / (1.0 + math.exp(-x))
    net = Network([1, 1], ["sigmoid"], "half_sse", seed=0)
    net.set_params([1.0, 0.0])
    assert net.forward([x])[0] == pytest.approx(ref, rel=1e-15, abs=0)
    rec = net.step([x], [0.0], 0.1, apply=False)  # the unrolled step when it is the backend
    assert rec.out(2) == pytest.approx(ref, rel=1e-15, abs=0)


# -- a new loss needs no change to Network --------------------------------------------------------

class QuarterSSE(Loss):
    """L = ¼ Σ_k (ob_k − y_k)⁴: only its value and −∂L/∂y = (ob − y)³ are given, so δ comes from
    the generic path (the activation's vector-Jacobian product), on NumPy arrays."""

    name = "quarter_sse"

    def sample_losses(self, act, net, y, t):
        return 0.25 * ((t - y) ** 4).sum(axis=0)

    def neg_grad(self, act, net, y, t, out):
        np.subtract(t, y, out=out)
        out **= 3
        return out


@pytest.mark.parametrize("acts", [["tanh", "linear"], ["relu", "softmax"], ["tanh", "sigmoid"]])
def test_a_loss_added_to_the_registry_trains_without_editing_network(monkeypatch, acts):
    monkeypatch.setitem(LOSSES, "quarter_sse", QuarterSSE())
    net = Network([2, 3, 3], acts, "quarter_sse", seed=4)
    x, t = [[0.3, -0.8], [1.2, 0.1]], [[1.0, 0.0, 0.5], [0.0, 1.0, 0.2]]
    assert isinstance(net._backend(2), _Pass)  # no scalar lines: NumPy arrays
    gc = gradient_check(net, x, t)
    assert gc.max_rel_error < 1e-6, gc.mismatches(1e-6)
    y = net.forward(x)
    assert net.loss_value(x, t) == pytest.approx(np.mean(0.25 * ((np.array(t) - y) ** 4).sum(1)))
    losses = net.train(x, t, 0.5, 50)
    assert losses[-1] < losses[0]


# -- the two ways of computing agree ------------------------------------------------------------

@settings(max_examples=40, deadline=None)
@given(cases(), st.sampled_from(["simultaneous", "output_first"]))
def test_unrolled_and_numpy_steps_agree(case, order):
    """The same step computed both ways: every record value and the update, to rounding."""
    records, params = [], []
    for limit in (0, 10**6):
        engine.unrolled.UNROLL_LIMIT = limit
        try:
            net, x, t = build(case)
            net.update_order = order
            net.freeze_bias(net.sizes[0] + 1)
            records.append(net.step(x, t, 0.2))
            params.append(net.get_params())
            kinds = type(net._backend(records[-1].x.shape[0]))
        finally:
            engine.unrolled.UNROLL_LIMIT = LIMIT
        assert kinds is (_Pass if limit == 0 else _Unrolled)
    a, b = records
    close = dict(rtol=1e-9, atol=1e-12)
    assert a.loss == pytest.approx(b.loss, rel=1e-12, abs=1e-15)
    np.testing.assert_allclose(a.grad, b.grad, **close)
    np.testing.assert_allclose(params[0], params[1], **close)
    for name in ("nets", "outs", "deltas"):
        for u, v in zip(getattr(a, name), getattr(b, name)):
            if u is None:
                assert v is None
            else:
                np.testing.assert_allclose(u, v, **close)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.target, b.target)
