"""The Network API: labels and layout, parameter access, snapshots, copies, randomize, forward
shapes, batches, frozen parameters, and the output-first update order (train() is in
test_train.py)."""
import numpy as np
import pytest

from engine import Network, Param


def notes_net(**kw):
    net = Network([2, 2, 3], activations=["relu", "linear"], loss="half_sse", seed=0, **kw)
    net.set_params([0.15, 0.3, -0.2, 0.25, 0.1, 0.05,  # w13 w14 w23 w24 b3 b4
                    0.4, -0.5, 0.6, -0.3, 0.2, 0.45, 0.1, 0.0, -0.05])  # w35..w47, b5 b6 b7
    return net


def frozen_flags(net):
    return [net.is_bias_frozen(p.j) if p.kind == "b" else net.is_weight_frozen(p.i, p.j)
            for p in net.parameters()]


def data(n=5, n_in=2, n_out=3, seed=1):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, n_in)), rng.normal(size=(n, n_out))


# -- labels and layout -------------------------------------------------------------------------

def test_labels_of_the_notes_net_in_order():
    net = notes_net()
    assert net.labels == ["w13", "w14", "w23", "w24", "b3", "b4",
                          "w35", "w36", "w37", "w45", "w46", "w47", "b5", "b6", "b7"]
    assert net.n_params == 15
    assert net.get_params()[net.labels.index("w24")] == 0.25
    assert net.weight(2, 4) == 0.25 and net.bias(7) == -0.05


def test_labels_of_a_2_8_8_3_net_keep_two_digit_indices_apart():
    net = Network([2, 8, 8, 3], seed=0)
    labels = net.labels
    assert len(labels) == 2 * 8 + 8 + 8 * 8 + 8 + 8 * 3 + 3 == net.n_params
    assert len(set(labels)) == len(labels)
    # neurons: inputs 1-2, hidden 3-10, hidden 11-18, outputs 19-21
    assert labels[:3] == ["w13", "w14", "w15"]
    for lab in ["w3,12", "w10,11", "w2,10", "w19", "w29", "w18,21", "b12", "b3", "b21"]:
        assert lab in labels, lab
    assert "w312" not in labels and "w1011" not in labels and "w210" not in labels
    assert "w39" not in labels  # 3 and 9 are in the same layer
    assert labels.index("w3,12") < labels.index("b11") < labels.index("w11,19")
    # every label names its own (i, j), and parameters() is in the same order
    for k, p in enumerate(net.parameters()):
        assert isinstance(p, Param)
        assert p.index == k and p.label == labels[k]
        if p.kind == "w":
            sep = "," if max(p.i, p.j) >= 10 else ""
            assert p.label == f"w{p.i}{sep}{p.j}"
        else:
            assert p.kind == "b" and p.label == f"b{p.j}"
    # layer by layer: weights row-major by (i, j), then the layer's biases
    first_layer = [p.label for p in net.parameters()[:24]]
    assert first_layer == ([f"w1{j}" if j < 10 else f"w1,{j}" for j in range(3, 11)]
                           + [f"w2{j}" if j < 10 else f"w2,{j}" for j in range(3, 11)]
                           + [f"b{j}" for j in range(3, 11)])


def test_set_weight_and_bias_land_at_their_labels():
    net = Network([2, 8, 8, 3], seed=0)
    for p in net.parameters():
        value = 0.001 * (p.index + 1)
        if p.kind == "w":
            net.set_weight(p.i, p.j, value)
        else:
            net.set_bias(p.j, value)
    np.testing.assert_array_equal(net.get_params(), 0.001 * (np.arange(net.n_params) + 1))
    p = net.parameters()[net.labels.index("w3,12")]
    assert net.weight(3, 12) == 0.001 * (p.index + 1)


def test_get_params_is_a_copy_and_set_params_sets_all():
    net = notes_net()
    theta = net.get_params()
    theta[0] = 99.0
    assert net.weight(1, 3) == 0.15
    new = np.linspace(-1, 1, net.n_params)
    net.set_params(new)
    np.testing.assert_array_equal(net.get_params(), new)
    new[0] = 5.0
    assert net.weight(1, 3) == -1.0  # set_params copied the values


# -- snapshot / restore / copy / randomize ------------------------------------------------------

def test_snapshot_restore_is_exact():
    net = notes_net()
    net.set_weight(3, 5, 0.1 + 0.2)  # a value with no short decimal form
    net.freeze_bias(6)
    snap = net.snapshot()
    before = net.get_params().tobytes(), frozen_flags(net)
    X, T = data()
    net.train(X, T, 0.1, 5)
    net.freeze_weight(1, 3)
    net.freeze_bias(6, frozen=False)
    assert net.get_params().tobytes() != before[0]
    net.restore(snap)
    assert net.get_params().tobytes() == before[0]
    assert frozen_flags(net) == before[1]
    assert net.is_bias_frozen(6) and not net.is_weight_frozen(1, 3)
    assert net.weight(3, 5) == 0.1 + 0.2


def test_snapshot_is_not_a_view():
    net = notes_net()
    snap = net.snapshot()
    net.step([0.6, -0.4], [0.5, 0.0, 0.3], 0.5)
    net.freeze_weight(3, 5)
    net.restore(snap)
    assert net.weight(3, 5) == 0.4 and not net.is_weight_frozen(3, 5)


def test_copy_is_independent():
    net = notes_net(update_order="output_first")
    net.freeze_weight(3, 7)
    twin = net.copy()
    assert twin.sizes == net.sizes and twin.activations == net.activations
    assert twin.loss == net.loss and twin.update_order == "output_first"
    assert twin.get_params().tobytes() == net.get_params().tobytes()
    assert twin.is_weight_frozen(3, 7)
    x = [0.6, -0.4]
    np.testing.assert_array_equal(twin.forward(x), net.forward(x))
    twin.step(x, [0.5, 0.0, 0.3], 0.5)
    twin.set_bias(5, 9.0)
    twin.freeze_weight(3, 7, frozen=False)
    twin.update_order = "simultaneous"
    assert net.bias(5) == 0.1 and net.weight(3, 5) == 0.4
    assert net.is_weight_frozen(3, 7) and net.update_order == "output_first"
    net.set_weight(1, 3, -7.0)
    assert twin.weight(1, 3) != -7.0


def test_randomize_is_reproducible_and_seed_dependent():
    net = Network([3, 4, 2], activations=["tanh", "sigmoid"], seed=0)
    net.randomize(42)
    a = net.get_params()
    net.randomize(7)
    b = net.get_params()
    net.randomize(42)
    np.testing.assert_array_equal(net.get_params(), a)
    assert not np.array_equal(a, b)
    other = Network([3, 4, 2], activations=["tanh", "sigmoid"], seed=42)
    np.testing.assert_array_equal(other.get_params(), a)  # seed= in the constructor is the same
    assert np.count_nonzero(a) > 0


def test_randomize_keeps_frozen_parameters():
    net = notes_net()
    net.set_weight(3, 5, 0.123)
    net.set_bias(5, -0.456)
    net.freeze_weight(3, 5)
    net.freeze_bias(5)
    before = net.get_params()
    net.randomize(3)
    after = net.get_params()
    assert net.weight(3, 5) == 0.123 and net.bias(5) == -0.456
    assert net.is_weight_frozen(3, 5) and net.is_bias_frozen(5)
    kept = [net.labels.index("w35"), net.labels.index("b5")]
    changed = np.delete(np.arange(net.n_params), kept)
    weights = [p.index for p in net.parameters() if p.kind == "w" and p.index not in kept]
    assert np.all(after[weights] != before[weights])
    # and the unfrozen part is the same as randomizing an unfrozen twin with that seed
    twin = notes_net()
    twin.randomize(3)
    np.testing.assert_array_equal(after[changed], twin.get_params()[changed])


# -- forward --------------------------------------------------------------------------------------

def test_forward_1d_vs_2d_shapes():
    net = Network([3, 4, 2], activations=["tanh", "linear"], seed=1)
    x = np.array([0.1, -0.2, 0.3])
    y = net.forward(x)
    assert y.shape == (2,)
    y1 = net.forward(x[None, :])
    assert y1.shape == (1, 2)
    np.testing.assert_array_equal(y1[0], y)
    X = np.random.default_rng(0).normal(size=(5, 3))
    Y = net.forward(X)
    assert Y.shape == (5, 2)
    for i in range(5):
        np.testing.assert_allclose(Y[i], net.forward(X[i]), rtol=1e-14, atol=1e-15)
    assert net.forward([0.1, -0.2, 0.3]).shape == (2,)  # plain lists work too
    assert net.forward([[0.1, -0.2, 0.3]]).shape == (1, 2)


def test_forward_matches_notes_numbers_and_does_not_change_the_net():
    net = notes_net()
    before = net.get_params().tobytes()
    np.testing.assert_allclose(net.forward([0.6, -0.4]), [0.169, -0.109, 0.1705], rtol=1e-12)
    assert net.get_params().tobytes() == before


def test_softmax_outputs_sum_to_one():
    net = Network([2, 3, 4], activations=["tanh", "softmax"], loss="cross_entropy", seed=2)
    Y = net.forward(np.random.default_rng(0).normal(size=(6, 2)) * 10)
    np.testing.assert_allclose(Y.sum(axis=1), 1.0, rtol=1e-12)
    assert (Y > 0).all()


# -- gradient / loss_value / batches -------------------------------------------------------------

def test_gradient_and_loss_value_do_not_change_the_net():
    net = notes_net()
    before = net.get_params().tobytes()
    X, T = data()
    loss, g = net.gradient(X, T)
    assert g.shape == (net.n_params,)
    assert loss == net.loss_value(X, T)
    assert net.get_params().tobytes() == before


def test_batch_loss_and_gradient_are_means_of_per_sample_ones():
    net = Network([2, 3, 3], activations=["tanh", "softmax"], loss="cross_entropy", seed=4)
    rng = np.random.default_rng(2)
    X = rng.normal(size=(4, 2))
    T = rng.dirichlet(np.ones(3), size=4)
    per_loss = [net.loss_value(X[i], T[i]) for i in range(4)]
    per_grad = [net.gradient(X[i], T[i])[1] for i in range(4)]
    assert net.loss_value(X, T) == pytest.approx(np.mean(per_loss), rel=1e-13)
    loss, g = net.gradient(X, T)
    assert loss == pytest.approx(np.mean(per_loss), rel=1e-13)
    np.testing.assert_allclose(g, np.mean(per_grad, axis=0), rtol=1e-12, atol=1e-15)
    rec = net.copy().step(X, T, 0.1)
    assert rec.loss == pytest.approx(np.mean(per_loss), rel=1e-13)
    # the record's per-neuron values are sample 0's
    rec0 = net.copy().step(X[0], T[0], 0.1)
    for j in range(3, 9):
        assert rec.out(j) == pytest.approx(rec0.out(j), rel=1e-14)
        assert rec.delta(j) == pytest.approx(rec0.delta(j), rel=1e-12, abs=1e-15)


def test_half_sse_loss_value_by_hand():
    net = notes_net()
    y = net.forward([0.6, -0.4])
    assert net.loss_value([0.6, -0.4], [0.5, 0.0, 0.3]) == pytest.approx(
        0.5 * ((0.5 - y[0]) ** 2 + (0.0 - y[1]) ** 2 + (0.3 - y[2]) ** 2), rel=1e-14)


def test_cross_entropy_loss_value_by_hand():
    net = Network([2, 3], activations=["softmax"], loss="cross_entropy", seed=0)
    y = net.forward([0.3, -1.2])
    t = [0.2, 0.0, 0.7]  # not summing to 1 on purpose
    assert net.loss_value([0.3, -1.2], t) == pytest.approx(
        -(0.2 * np.log(y[0]) + 0.7 * np.log(y[2])), rel=1e-13)
    sig = Network([2, 3], activations=["sigmoid"], loss="cross_entropy", seed=0)
    ys = sig.forward([0.3, -1.2])
    # sigmoid outputs: binary cross-entropy, every output a yes/no question of its own
    assert sig.loss_value([0.3, -1.2], t) == pytest.approx(
        -sum(t[k] * np.log(ys[k]) + (1 - t[k]) * np.log(1 - ys[k]) for k in range(3)), rel=1e-13)
    # and the documented output deltas
    rec = net.step([0.3, -1.2], t, 0.1)
    for k, j in enumerate((3, 4, 5)):
        assert rec.delta(j) == pytest.approx(t[k] - y[k] * sum(t), rel=1e-12)
    rec = sig.step([0.3, -1.2], t, 0.1)
    for k, j in enumerate((3, 4, 5)):
        assert rec.delta(j) == pytest.approx(t[k] - ys[k], rel=1e-12, abs=1e-16)


def test_step_record_loss_is_before_the_update():
    net = notes_net()
    X, T = data()
    before = net.loss_value(X, T)
    rec = net.step(X, T, 0.1)
    assert rec.loss == pytest.approx(before, rel=1e-14)
    assert net.loss_value(X, T) < before


def test_relu_derivative_at_zero_is_zero():
    net = Network([1, 1, 1], activations=["relu", "linear"], seed=0)
    net.set_params([0.5, -0.5, 2.0, 0.0])  # net2 = 0.5·1 − 0.5 = 0 exactly
    rec = net.step([1.0], [3.0], 0.1)
    assert rec.net(2) == 0.0 and rec.out(2) == 0.0
    assert rec.delta(3) == 3.0 and rec.delta(2) == 0.0
    assert net.weight(1, 2) == 0.5 and net.bias(2) == -0.5


def test_softmax_with_half_sse_uses_the_full_jacobian():
    net = Network([2, 3], activations=["softmax"], loss="half_sse", seed=0)
    x, t = [0.4, -0.9], [1.0, 0.0, 0.5]
    y = net.forward(x)
    err = [t[k] - y[k] for k in range(3)]
    s = sum(err[k] * y[k] for k in range(3))
    rec = net.step(x, t, 0.1)
    for k, j in enumerate((3, 4, 5)):
        # δ_j = Σ_k Err_k ∂y_k/∂net_j = y_j (Err_j − Σ_k Err_k y_k)
        assert rec.delta(j) == pytest.approx(y[k] * (err[k] - s), rel=1e-12)
        assert rec.delta(j) != pytest.approx(err[k] * y[k] * (1 - y[k]), rel=1e-3)  # diagonal only


def test_saturated_outputs_give_finite_losses():
    """Large nets must not turn the loss into NaN: log-sum-exp and log σ are computed stably."""
    soft = Network([1, 3], activations=["softmax"], loss="cross_entropy", seed=0)
    soft.set_params([1.0, -1.0, 0.0, 0.0, 0.0, 0.0])
    x, t = [800.0], [0.0, 1.0, 0.0]  # nets 800, −800, 0: y4 = e^(−1600) underflows to 0
    assert soft.loss_value(x, t) == pytest.approx(1600.0, rel=1e-12)
    _, g = soft.gradient(x, t)
    assert np.isfinite(g).all()
    sig = Network([1, 1], activations=["sigmoid"], loss="cross_entropy", seed=0)
    sig.set_params([-1.0, 0.0])
    assert sig.loss_value([900.0], [1.0]) == pytest.approx(900.0, rel=1e-12)  # −log σ(−900)
    assert np.isfinite(sig.forward([900.0])).all() and sig.forward([900.0])[0] >= 0.0


# -- frozen parameters ----------------------------------------------------------------------------

def test_frozen_params_unchanged_by_step_but_gradient_reported():
    net = notes_net()
    ref = notes_net()
    net.freeze_weight(3, 5)
    net.freeze_bias(5)
    net.freeze_weight(1, 3)
    assert net.is_weight_frozen(3, 5) and net.is_bias_frozen(5) and not net.is_bias_frozen(6)
    x, t = [0.6, -0.4], [0.5, 0.0, 0.3]
    rec = net.step(x, t, 0.5)
    ref_rec = ref.step(x, t, 0.5)
    assert net.weight(3, 5) == 0.4 and net.bias(5) == 0.1 and net.weight(1, 3) == 0.15
    # the gradient is still reported, and is the one an unfrozen net sees
    assert rec.grad_weight(3, 5) != 0.0 and rec.grad_bias(5) != 0.0
    assert rec.grad_weight(3, 5) == ref_rec.grad_weight(3, 5)
    assert rec.grad_bias(5) == ref_rec.grad_bias(5)
    assert rec.grad_weight(1, 3) == ref_rec.grad_weight(1, 3)
    # every other parameter moved as in the unfrozen net
    frozen = {net.labels.index(lab) for lab in ("w35", "b5", "w13")}
    for p in net.parameters():
        if p.index not in frozen:
            assert net.get_params()[p.index] == ref.get_params()[p.index], p.label


def test_unfreeze_lets_the_parameter_train_again():
    net = notes_net()
    net.freeze_weight(3, 5)
    net.freeze_bias(5)
    net.step([0.6, -0.4], [0.5, 0.0, 0.3], 0.5)
    assert net.weight(3, 5) == 0.4 and net.bias(5) == 0.1
    net.freeze_weight(3, 5, frozen=False)
    net.freeze_bias(5, frozen=False)
    assert not net.is_weight_frozen(3, 5) and not net.is_bias_frozen(5)
    rec = net.step([0.6, -0.4], [0.5, 0.0, 0.3], 0.5)
    assert net.weight(3, 5) == pytest.approx(0.4 + 0.5 * rec.delta(5) * rec.out(3), rel=1e-14)
    assert net.bias(5) == pytest.approx(0.1 + 0.5 * rec.delta(5), rel=1e-14)


# -- update order ---------------------------------------------------------------------------------

def one_one_one(order, w12=0.5, b2=0.1, w23=-0.8, b3=0.2):
    net = Network([1, 1, 1], activations=["linear", "linear"], loss="half_sse", seed=0,
                  update_order=order)
    net.set_weight(1, 2, w12)
    net.set_bias(2, b2)
    net.set_weight(2, 3, w23)
    net.set_bias(3, b3)
    return net


def test_output_first_hidden_delta_uses_the_updated_output_weight():
    x, ob, eta = 1.5, 2.0, 0.3
    w12, b2, w23, b3 = 0.5, 0.1, -0.8, 0.2
    y2 = w12 * x + b2
    y3 = w23 * y2 + b3
    d3 = ob - y3
    w23_new = w23 + eta * d3 * y2  # the output layer is updated first ...
    b3_new = b3 + eta * d3
    d2 = d3 * w23_new  # ... and δ2 is passed down through the NEW w23
    w12_new = w12 + eta * d2 * x
    b2_new = b2 + eta * d2

    net = one_one_one("output_first")
    rec = net.step([x], [ob], eta)
    assert rec.delta(3) == pytest.approx(d3, rel=1e-14)
    assert rec.delta(2) == pytest.approx(d2, rel=1e-14)
    assert net.weight(2, 3) == pytest.approx(w23_new, rel=1e-14)
    assert net.bias(3) == pytest.approx(b3_new, rel=1e-14)
    assert net.weight(1, 2) == pytest.approx(w12_new, rel=1e-14)
    assert net.bias(2) == pytest.approx(b2_new, rel=1e-14)

    simultaneous = one_one_one("simultaneous")
    rec_s = simultaneous.step([x], [ob], eta)
    assert rec_s.delta(2) == pytest.approx(d3 * w23, rel=1e-14)
    assert simultaneous.weight(1, 2) == pytest.approx(w12 + eta * d3 * w23 * x, rel=1e-14)
    assert simultaneous.weight(2, 3) == pytest.approx(w23_new, rel=1e-14)  # same output update
    assert abs(simultaneous.weight(1, 2) - net.weight(1, 2)) > 1e-3  # the orders differ


def test_output_first_chains_through_every_layer():
    """1-1-1-1 linear: δ3 uses the updated w34, and δ2 uses the updated w23."""
    x, ob, eta = 1.0, 1.0, 0.5
    w12, w23, w34 = 0.7, 0.9, -0.6
    net = Network([1, 1, 1, 1], activations=["linear"] * 3, seed=0, update_order="output_first")
    net.set_params([w12, 0.0, w23, 0.0, w34, 0.0])
    assert net.labels == ["w12", "b2", "w23", "b3", "w34", "b4"]
    y2 = w12 * x
    y3 = w23 * y2
    y4 = w34 * y3
    d4 = ob - y4
    w34n = w34 + eta * d4 * y3
    d3 = d4 * w34n
    w23n = w23 + eta * d3 * y2
    d2 = d3 * w23n
    w12n = w12 + eta * d2 * x
    rec = net.step([x], [ob], eta)
    assert (rec.delta(4), rec.delta(3), rec.delta(2)) == pytest.approx((d4, d3, d2), rel=1e-14)
    np.testing.assert_allclose(net.get_params(),
                               [w12n, eta * d2, w23n, eta * d3, w34n, eta * d4], rtol=1e-14)


def test_output_first_with_frozen_output_weight_uses_the_old_one():
    net = one_one_one("output_first")
    net.freeze_weight(2, 3)
    rec = net.step([1.5], [2.0], 0.3)
    assert net.weight(2, 3) == -0.8
    assert rec.delta(2) == pytest.approx(rec.delta(3) * -0.8, rel=1e-14)


def test_update_order_can_be_switched():
    net = one_one_one("simultaneous")
    assert net.update_order == "simultaneous"
    net.update_order = "output_first"
    assert net.update_order == "output_first"
    rec = net.step([1.5], [2.0], 0.3)
    assert rec.delta(2) != pytest.approx(rec.delta(3) * -0.8, rel=1e-6)
