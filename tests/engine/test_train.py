"""train(): the same as repeated step() calls, its batches, params_out, frozen parameters, and
what happens when a run diverges."""
import numpy as np
import pytest

from engine import DivergenceError, Network


def notes_net(**kw):
    net = Network([2, 2, 3], activations=["relu", "linear"], loss="half_sse", seed=0, **kw)
    net.set_params([0.15, 0.3, -0.2, 0.25, 0.1, 0.05,  # w13 w14 w23 w24 b3 b4
                    0.4, -0.5, 0.6, -0.3, 0.2, 0.45, 0.1, 0.0, -0.05])  # w35..w47, b5 b6 b7
    return net


def data(n=5, n_in=2, n_out=3, seed=1):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, n_in)), rng.normal(size=(n, n_out))


# -- train vs step --------------------------------------------------------------------------------

@pytest.mark.parametrize("order", ["simultaneous", "output_first"])
def test_train_full_batch_equals_repeated_step(order):
    X, T = data(n=5)
    a = notes_net(update_order=order)
    b = notes_net(update_order=order)
    a.freeze_weight(4, 6)
    b.freeze_weight(4, 6)
    losses = a.train(X, T, 0.05, 12)
    assert losses.shape == (12,)
    stepped = [b.step(X, T, 0.05).loss for _ in range(12)]
    np.testing.assert_allclose(losses, stepped, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(a.get_params(), b.get_params(), rtol=1e-12, atol=1e-15)
    assert losses[-1] < losses[0]  # it actually learned something


@pytest.mark.parametrize("order", ["simultaneous", "output_first"])
@pytest.mark.parametrize("b", [1, 2, 3, 5])
def test_train_with_batch_size_equals_repeated_step_on_wrapped_batches(b, order):
    n = 5
    X, T = data(n=n, seed=3)
    a = notes_net(update_order=order)
    ref = notes_net(update_order=order)
    steps = 9
    losses = a.train(X, T, 0.05, steps, batch_size=b)
    expected = []
    for s in range(steps):
        idx = [(s * b + k) % n for k in range(b)]  # samples s·b .. s·b+b−1 (mod N)
        expected.append(ref.step(X[idx], T[idx], 0.05).loss)
    np.testing.assert_allclose(losses, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(a.get_params(), ref.get_params(), rtol=1e-12, atol=1e-15)


def test_train_batch_order_is_not_shuffled():
    """With batch_size 2 over 5 samples, step 2 must use samples 4 and 0: check the loss."""
    X, T = data(n=5, seed=8)
    net = notes_net()
    probe = notes_net()
    losses = net.train(X, T, 0.0, 4, batch_size=2)  # lr 0: the loss only depends on the batch
    assert losses[0] == pytest.approx(probe.loss_value(X[[0, 1]], T[[0, 1]]), rel=1e-14)
    assert losses[1] == pytest.approx(probe.loss_value(X[[2, 3]], T[[2, 3]]), rel=1e-14)
    assert losses[2] == pytest.approx(probe.loss_value(X[[4, 0]], T[[4, 0]]), rel=1e-14)
    assert losses[3] == pytest.approx(probe.loss_value(X[[1, 2]], T[[1, 2]]), rel=1e-14)


def test_params_out_rows_are_params_after_each_step():
    X, T = data(n=6)
    a = notes_net()
    b = notes_net()
    out = np.full((7, a.n_params), np.nan)
    a.train(X, T, 0.1, 7, batch_size=4, params_out=out)
    for s in range(7):
        idx = [(s * 4 + k) % 6 for k in range(4)]
        b.step(X[idx], T[idx], 0.1)
        np.testing.assert_allclose(out[s], b.get_params(), rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(out[-1], a.get_params())


def test_train_zero_steps_changes_nothing():
    X, T = data()
    net = notes_net()
    before = net.get_params().tobytes()
    losses = net.train(X, T, 0.1, 0)
    assert losses.shape == (0,)
    assert net.get_params().tobytes() == before


def test_frozen_params_unchanged_by_train():
    net = notes_net()
    net.freeze_weight(4, 7)
    net.freeze_bias(3)
    X, T = data()
    out = np.zeros((20, net.n_params))
    net.train(X, T, 0.1, 20, batch_size=2, params_out=out)
    assert net.weight(4, 7) == 0.45 and net.bias(3) == 0.1
    assert (out[:, net.labels.index("w47")] == 0.45).all()
    assert (out[:, net.labels.index("b3")] == 0.1).all()
    assert net.weight(3, 7) != 0.6  # the rest trained
    _, g = net.gradient(X, T)
    assert g[net.labels.index("w47")] != 0.0


# -- divergence ---------------------------------------------------------------------------------

DIVERGING = [
    # (activations, update order, batch size, lr): each blows up after tens to hundreds of steps
    (["relu", "linear"], "simultaneous", None, 5.0),
    (["tanh", "linear"], "simultaneous", 2, 5.0),
    (["tanh", "linear"], "output_first", None, 2.0),
    (["linear", "linear"], "simultaneous", None, 2.0),
    (["linear", "linear"], "output_first", 2, 1.0),
]


@pytest.mark.parametrize("acts,order,batch_size,lr", DIVERGING)
def test_train_divergence_keeps_last_finite_state(acts, order, batch_size, lr):
    X, T = data(n=5, seed=1)

    def fresh():
        return Network([2, 2, 3], activations=acts, loss="half_sse", seed=0, update_order=order)

    net = fresh()
    net.freeze_bias(6)
    with pytest.raises(DivergenceError, match=r"(?i)nan|inf|diverg") as info:
        net.train(X, T, lr, 20000, batch_size=batch_size)
    e = info.value
    assert isinstance(e, ValueError)
    assert 0 < e.steps_done < 20000
    assert len(e.losses) == e.steps_done
    assert np.isfinite(e.losses).all()
    theta = net.get_params()
    assert np.isfinite(theta).all()
    assert np.isfinite(net.loss_value(X, T))
    assert net.is_bias_frozen(6) and net.bias(6) == 0.0
    # exactly where a fresh identical run is after steps_done steps
    twin = fresh()
    twin.freeze_bias(6)
    losses = twin.train(X, T, lr, e.steps_done, batch_size=batch_size)
    np.testing.assert_array_equal(twin.get_params(), theta)
    np.testing.assert_array_equal(losses, e.losses)


def test_train_divergence_when_a_parameter_overflows_but_the_loss_stays_finite():
    """Sigmoid output + cross-entropy: the first update sends w12 to +inf, after which the
    output saturates at 1 and the loss is a finite 0. That first update is the divergent one:
    step() refuses it, and train() must stop there too, with finite parameters."""
    x, t, lr = [[4.0]], [[1.0]], 1e308

    def fresh():
        net = Network([1, 1], activations=["sigmoid"], loss="cross_entropy", seed=0)
        net.set_params([0.0, 0.0])  # w12, b2
        return net

    stepped = fresh()
    with pytest.raises(DivergenceError):
        stepped.step(x, t, lr)  # w12 ← 0 + 1e308 · (1 − ½) · 4 = inf
    assert stepped.get_params().tolist() == [0.0, 0.0]

    net = fresh()
    with pytest.raises(DivergenceError) as info:
        net.train(x, t, lr, 2)
    e = info.value
    assert np.isfinite(net.get_params()).all(), net.get_params()
    assert e.steps_done == 0
    twin = fresh()
    twin.train(x, t, lr, e.steps_done)
    np.testing.assert_array_equal(twin.get_params(), net.get_params())


def test_train_divergence_with_a_dead_relu_weight_at_minus_inf():
    """The default net (ReLU hidden, linear out, half-SSE): the first update sends w12 and b2 to
    −inf, the hidden ReLU outputs 0 and the loss stays finite. train() must not keep the −inf."""
    x, t, lr = [[1.0]], [[0.0]], 1e10

    def fresh():
        net = Network([1, 1, 1], seed=0)
        net.set_params([1e-300, 0.0, 1e300, 0.0])  # w12, b2, w23, b3: y3 = 1
        return net

    stepped = fresh()
    with pytest.raises(DivergenceError):
        stepped.step(x, t, lr)
    net = fresh()
    with pytest.raises(DivergenceError) as info:
        net.train(x, t, lr, 3)
    e = info.value
    assert np.isfinite(net.get_params()).all(), net.get_params()
    assert e.steps_done == 0
    np.testing.assert_array_equal(net.get_params(), fresh().get_params())


def test_train_judges_an_update_the_same_whether_or_not_it_is_the_last_one():
    """A 1-1 linear net whose first update leaves finite parameters (w12 = 1e300, b2 = 1e290)
    but an infinite loss. train(..., 2) rejects that update (steps_done 0, net unchanged);
    train(..., 1) must not accept the very same update just because no step follows it."""
    x, t, lr = [[1e10]], [[1.0]], 1e290

    def fresh():
        net = Network([1, 1], activations=["linear"], loss="half_sse", seed=0)
        net.set_params([0.0, 0.0])
        return net

    two = fresh()
    with pytest.raises(DivergenceError) as info:
        two.train(x, t, lr, 2)
    assert info.value.steps_done == 0
    assert two.get_params().tolist() == [0.0, 0.0]
    one = fresh()
    with pytest.raises(DivergenceError) as info:
        one.train(x, t, lr, 1)
    assert info.value.steps_done == 0
    assert one.get_params().tolist() == [0.0, 0.0]
    assert np.isfinite(one.loss_value(x, t))
