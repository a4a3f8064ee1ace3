"""Bad input raises ValueError naming the problem and leaves the network exactly as it was;
an update that would make the loss or a parameter NaN/Inf raises DivergenceError, unchanged."""
import math

import numpy as np
import pytest

from engine import DivergenceError, Network


def notes_net(**kw):
    net = Network([2, 2, 3], activations=["relu", "linear"], loss="half_sse", seed=0, **kw)
    net.set_params([0.15, 0.3, -0.2, 0.25, 0.1, 0.05,
                    0.4, -0.5, 0.6, -0.3, 0.2, 0.45, 0.1, 0.0, -0.05])
    net.freeze_weight(3, 5)  # some frozen flags, so "unchanged" covers them too
    net.freeze_bias(6)
    return net


def state(net):
    frozen = tuple(net.is_bias_frozen(p.j) if p.kind == "b" else net.is_weight_frozen(p.i, p.j)
                   for p in net.parameters())
    return net.get_params().tobytes(), frozen, net.update_order, net.forward([0.6, -0.4]).tobytes()


X = [0.6, -0.4]
OB = [0.5, 0.0, 0.3]
XB = [[0.6, -0.4], [0.1, 0.2], [-1.0, 0.5]]
TB = [[0.5, 0.0, 0.3], [0.1, 0.1, 0.1], [0.0, 1.0, 0.0]]
NAN, INF = float("nan"), float("inf")


def set_order(net, order):
    net.update_order = order


def restore_bad(net, which):
    params, frozen = net.snapshot()
    if which == "params":
        net.restore((params[:-1], frozen))
    elif which == "frozen":
        net.restore((params, frozen[:-1]))
    else:
        bad = params.copy()
        bad[0] = np.nan
        net.restore((bad, ~frozen))


# (id, call, pattern the message must match)
BAD_CALLS = [
    # neuron numbers / weights that are not there
    ("weight-no-neuron", lambda n: n.weight(3, 99), r"\b99\b"),
    ("set_weight-no-neuron", lambda n: n.set_weight(3, 8, 0.1), r"(?i)no neuron 8|neuron 8"),
    ("set_weight-neuron-0", lambda n: n.set_weight(0, 3, 0.1), r"(?i)neuron 0"),
    ("set_weight-non-adjacent", lambda n: n.set_weight(1, 5, 0.1), r"(?i)no weight.*1.*5"),
    ("set_weight-reversed", lambda n: n.set_weight(5, 3, 0.1), r"(?i)no weight.*5.*3"),
    ("set_weight-same-layer", lambda n: n.set_weight(3, 4, 0.1), r"(?i)no weight.*3.*4"),
    ("set_bias-input", lambda n: n.set_bias(1, 0.1), r"(?i)input"),
    ("set_bias-no-neuron", lambda n: n.set_bias(42, 0.1), r"\b42\b"),
    ("bias-no-neuron", lambda n: n.bias(8), r"\b8\b"),
    ("freeze_weight-non-adjacent", lambda n: n.freeze_weight(1, 6), r"(?i)no weight.*1.*6"),
    ("freeze_weight-no-neuron", lambda n: n.freeze_weight(4, 10), r"\b10\b"),
    ("freeze_bias-input", lambda n: n.freeze_bias(2), r"(?i)input"),
    ("freeze_bias-no-neuron", lambda n: n.freeze_bias(-1), r"-1"),
    ("set_weight-float-neuron", lambda n: n.set_weight(3.5, 5, 0.1), r"(?i)neuron|integer"),
    # NaN / Inf / non-numbers as parameter values
    ("set_weight-nan", lambda n: n.set_weight(3, 5, NAN), r"(?i)w3,?5.*(nan|finite)"),
    ("set_weight-inf", lambda n: n.set_weight(1, 3, INF), r"(?i)w1,?3.*(inf|finite)"),
    ("set_weight-minus-inf", lambda n: n.set_weight(4, 7, -INF), r"(?i)w4,?7.*(inf|finite)"),
    ("set_weight-text", lambda n: n.set_weight(3, 5, "heavy"), r"(?i)w3,?5.*number"),
    ("set_bias-nan", lambda n: n.set_bias(5, NAN), r"(?i)b5.*(nan|finite)"),
    ("set_bias-inf", lambda n: n.set_bias(3, INF), r"(?i)b3.*(inf|finite)"),
    ("set_params-nan", lambda n: n.set_params([NAN] + [0.0] * 14), r"(?i)nan"),
    ("set_params-inf", lambda n: n.set_params([0.0] * 14 + [INF]), r"(?i)inf"),
    ("set_params-short", lambda n: n.set_params([0.0] * 14), r"(?i)15.*param|param.*15"),
    ("restore-short-params", lambda n: restore_bad(n, "params"), r"(?i)15"),
    ("restore-short-frozen", lambda n: restore_bad(n, "frozen"), r"(?i)15|frozen"),
    ("restore-nan", lambda n: restore_bad(n, "nan"), r"(?i)nan"),
    ("update_order-unknown", lambda n: set_order(n, "backwards"), r"(?i)update order.*backwards"),
    # forward shapes and values
    ("forward-too-few", lambda n: n.forward([0.6]), r"(?i)input.*shape.*\(1,\)"),
    ("forward-too-many", lambda n: n.forward([0.6, -0.4, 1.0]), r"(?i)input.*shape.*\(3,\)"),
    ("forward-2d-wrong-width", lambda n: n.forward(np.zeros((4, 3))), r"(?i)input.*\(4, 3\)"),
    ("forward-3d", lambda n: n.forward(np.zeros((1, 1, 2))), r"(?i)input.*shape"),
    ("forward-scalar", lambda n: n.forward(0.6), r"(?i)input.*shape"),
    ("forward-empty-batch", lambda n: n.forward(np.zeros((0, 2))), r"(?i)input.*shape"),
    ("forward-nan", lambda n: n.forward([NAN, 0.1]), r"(?i)input.*nan"),
    ("forward-inf", lambda n: n.forward([[0.1, 0.2], [INF, 0.1]]), r"(?i)input.*inf"),
    ("forward-text", lambda n: n.forward(["a", "b"]), r"(?i)input.*number"),
    # step: shapes, NaN/Inf in inputs / targets / lr
    ("step-x-shape", lambda n: n.step([0.6], OB, 0.5), r"(?i)input.*shape"),
    ("step-target-shape", lambda n: n.step(X, [0.5, 0.0], 0.5), r"(?i)target.*shape.*\(2,\)"),
    ("step-target-2d-shape", lambda n: n.step(XB, np.zeros((3, 4)), 0.5),
     r"(?i)target.*\(3, 4\)"),
    ("step-batch-mismatch", lambda n: n.step(XB, TB[:2], 0.5), r"(?i)3 inputs.*2 targets"),
    ("step-x-nan", lambda n: n.step([0.6, NAN], OB, 0.5), r"(?i)input.*nan"),
    ("step-x-inf", lambda n: n.step(XB[:2] + [[INF, 0.0]], TB, 0.5), r"(?i)input.*inf"),
    ("step-target-nan", lambda n: n.step(X, [0.5, NAN, 0.3], 0.5), r"(?i)target.*nan"),
    ("step-target-inf", lambda n: n.step(X, [0.5, 0.0, -INF], 0.5), r"(?i)target.*inf"),
    ("step-lr-nan", lambda n: n.step(X, OB, NAN), r"(?i)(learning rate|lr|η).*(nan|finite)"),
    ("step-lr-inf", lambda n: n.step(X, OB, INF), r"(?i)(learning rate|lr|η).*(inf|finite)"),
    ("step-lr-text", lambda n: n.step(X, OB, "fast"), r"(?i)(learning rate|lr|η).*number"),
    ("step-lr-none", lambda n: n.step(X, OB, None), r"(?i)(learning rate|lr|η)"),
    # gradient / loss_value
    ("gradient-target-shape", lambda n: n.gradient(X, [1.0]), r"(?i)target.*shape"),
    ("loss_value-x-nan", lambda n: n.loss_value([NAN, 0.0], OB), r"(?i)input.*nan"),
    # train: data, steps, batch size, params_out, lr
    ("train-X-shape", lambda n: n.train(np.zeros((3, 3)), TB, 0.1, 5), r"(?i)input.*shape"),
    ("train-T-shape", lambda n: n.train(XB, np.zeros((3, 2)), 0.1, 5), r"(?i)target.*shape"),
    ("train-count-mismatch", lambda n: n.train(XB, TB[:2], 0.1, 5), r"(?i)3 inputs.*2 targets"),
    ("train-X-nan", lambda n: n.train([[NAN, 0.0]] + XB[1:], TB, 0.1, 5), r"(?i)input.*nan"),
    ("train-T-inf", lambda n: n.train(XB, TB[:2] + [[0.0, INF, 0.0]], 0.1, 5),
     r"(?i)target.*inf"),
    ("train-lr-nan", lambda n: n.train(XB, TB, NAN, 5), r"(?i)(learning rate|lr|η).*(nan|finite)"),
    ("train-lr-inf", lambda n: n.train(XB, TB, INF, 5), r"(?i)(learning rate|lr|η).*(inf|finite)"),
    ("train-steps-negative", lambda n: n.train(XB, TB, 0.1, -1), r"(?i)steps.*-1"),
    ("train-steps-float", lambda n: n.train(XB, TB, 0.1, 2.5), r"(?i)steps.*2\.5"),
    ("train-batch-zero", lambda n: n.train(XB, TB, 0.1, 5, batch_size=0), r"(?i)batch.*0"),
    ("train-batch-too-big", lambda n: n.train(XB, TB, 0.1, 5, batch_size=4), r"(?i)batch.*4"),
    ("train-params_out-shape",
     lambda n: n.train(XB, TB, 0.1, 5, params_out=np.zeros((4, 15))), r"(?i)params_out"),
    ("train-params_out-dtype",
     lambda n: n.train(XB, TB, 0.1, 5, params_out=np.zeros((5, 15), dtype=np.float32)),
     r"(?i)params_out.*float64"),
]


@pytest.mark.parametrize("call,pattern", [c[1:] for c in BAD_CALLS], ids=[c[0] for c in BAD_CALLS])
def test_bad_input_raises_value_error_and_leaves_the_network_unchanged(call, pattern):
    net = notes_net()
    before = state(net)
    with pytest.raises(ValueError, match=pattern) as info:
        call(net)
    assert not isinstance(info.value, DivergenceError)  # bad input is not a divergence
    assert state(net) == before


@pytest.mark.parametrize("order", ["simultaneous", "output_first"])
def test_bad_step_after_a_good_one_still_leaves_the_good_state(order):
    net = notes_net(update_order=order)
    net.step(X, OB, 0.5)
    before = state(net)
    with pytest.raises(ValueError, match=r"(?i)target.*nan"):
        net.step(XB, [[0.5, 0.0, 0.3], [0.1, NAN, 0.1], [0.0, 1.0, 0.0]], 0.5)
    assert state(net) == before


BAD_CONSTRUCTIONS = [
    (dict(sizes=[2]), r"(?i)two layers|at least"),
    (dict(sizes=[2, 0, 3]), r"(?i)at least one neuron|\[2, 0, 3\]"),
    (dict(sizes="wide"), r"(?i)sizes"),
    (dict(sizes=[2, 2, 3], activations=["relu"]), r"(?i)2 .*activations.*got 1"),
    (dict(sizes=[2, 2, 3], activations=["relu", "linear", "relu"]),
     r"(?i)2 .*activations.*got 3"),
    (dict(sizes=[2, 2, 3], activations=["relu", "sigmoidd"]), r"(?i)unknown activation 'sigmoidd'"),
    (dict(sizes=[2, 2, 3], activations=["ReLU!", "linear"]), r"(?i)unknown activation 'ReLU!'"),
    (dict(sizes=[2, 2, 3], loss="mse"), r"(?i)unknown loss 'mse'"),
    (dict(sizes=[2, 2, 3], activations=["softmax", "linear"]), r"(?i)softmax.*hidden"),
    (dict(sizes=[2, 2, 2, 3], activations=["relu", "softmax", "softmax"]),
     r"(?i)softmax.*hidden layer 2"),
    (dict(sizes=[2, 2, 3], activations=["relu", "linear"], loss="cross_entropy"),
     r"(?i)cross_entropy.*(softmax|sigmoid).*linear"),
    (dict(sizes=[2, 2, 3], activations=["relu", "tanh"], loss="cross_entropy"),
     r"(?i)cross_entropy.*tanh"),
    (dict(sizes=[2, 2, 3], update_order="sideways"), r"(?i)update order.*sideways"),
]


@pytest.mark.parametrize("kwargs,pattern", BAD_CONSTRUCTIONS)
def test_bad_construction_raises_value_error_naming_the_problem(kwargs, pattern):
    kwargs = dict(kwargs)
    sizes = kwargs.pop("sizes")
    with pytest.raises(ValueError, match=pattern):
        Network(sizes, **kwargs)


def test_good_constructions_are_accepted():
    """The checks above are not over-eager: the legal combinations build."""
    for acts, loss in [(["relu", "softmax"], "cross_entropy"),
                       (["tanh", "sigmoid"], "cross_entropy"),
                       (["sigmoid", "softmax"], "half_sse"), (["linear", "relu"], "half_sse")]:
        net = Network([2, 2, 3], activations=acts, loss=loss, update_order="output_first")
        assert net.activations == tuple(acts) and net.loss == loss


def test_record_accessors_reject_what_is_not_there():
    rec = notes_net().step(X, OB, 0.5)
    before_delta = rec.delta(5)
    with pytest.raises(ValueError, match=r"(?i)not an output|output"):
        rec.err(3)
    with pytest.raises(ValueError, match=r"(?i)input"):
        rec.delta(1)
    with pytest.raises(ValueError, match=r"(?i)no weight"):
        rec.grad_weight(1, 5)
    with pytest.raises(ValueError, match=r"\b9\b"):
        rec.net(9)
    assert rec.delta(5) == before_delta


# -- divergence of a single step -------------------------------------------------------------------

@pytest.mark.parametrize("order", ["simultaneous", "output_first"])
def test_step_with_a_huge_learning_rate_raises_divergence_and_changes_nothing(order):
    net = notes_net(update_order=order)
    x, ob = [3.0, -2.0], [50.0, -50.0, 50.0]  # |δ·y| ≫ 1, so η = 1e308 overflows to inf
    assert math.isfinite(net.loss_value(x, ob))
    before = state(net)
    with pytest.raises(DivergenceError, match=r"(?i)nan|inf") as info:
        net.step(x, ob, 1e308)
    assert isinstance(info.value, ValueError)
    assert state(net) == before
    # and the net still works normally afterwards
    rec = net.step(x, ob, 1e-3)
    assert math.isfinite(rec.loss) and np.isfinite(net.get_params()).all()


@pytest.mark.parametrize("lr", [1e300, -1e300])
def test_step_diverging_to_nan_in_a_batch_raises(lr):
    net = notes_net()
    before = state(net)
    with pytest.raises(DivergenceError):
        net.step(np.array(XB) * 1e5, np.array(TB) * 1e5, lr)
    assert state(net) == before


def test_step_whose_update_makes_the_loss_infinite_raises_divergence():
    """A 1-1 linear net: the update leaves w12 = 1e300 and b2 = 1e290, both finite, but the loss
    at the new parameters is ½(1 − 1e310)² = inf. That update diverged: DivergenceError, as
    train() already treats it, and the network keeps its finite loss."""
    x, ob, lr = [1e10], [1.0], 1e290
    net = Network([1, 1], activations=["linear"], loss="half_sse", seed=0)
    net.set_params([0.0, 0.0])
    with pytest.raises(DivergenceError) as info:
        net.train([x], [ob], lr, 2)  # train() counts this first update as the divergent one
    assert info.value.steps_done == 0 and net.get_params().tolist() == [0.0, 0.0]
    with pytest.raises(DivergenceError):
        net.step(x, ob, lr)
    assert net.get_params().tolist() == [0.0, 0.0], net.get_params()
    assert math.isfinite(net.loss_value(x, ob))
