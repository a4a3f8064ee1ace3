"""Cross-entropy with sigmoid outputs is binary cross-entropy:
L = −Σ_k [ob_k log y_k + (1 − ob_k) log(1 − y_k)], δ_k = ob_k − y_k — by hand, against finite
differences and the independent autograd (tests/engine/autograd.py), stable for saturated
outputs on both ways of computing a step, written out in the worked step, and able to learn
XOR (the old −Σ ob log y taught nothing from a target of 0)."""
import math
import warnings

import numpy as np
import pytest

import engine.unrolled
from engine import Network, gradient_check
from engine.derivation import Equation, Explainer, reproduces
from engine.losses import LOSSES, BinaryCrossEntropy
from engine.network import _Pass, _Unrolled
from tests.engine.test_autograd import close, reference_for
from tests.engine.test_gradients import fd_agrees

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_T = np.array([[0.0], [1.0], [1.0], [0.0]])


@pytest.fixture(params=["numpy", "unrolled"])
def backend(request, monkeypatch):
    monkeypatch.setattr(engine.unrolled, "UNROLL_LIMIT", 0 if request.param == "numpy" else 10**6)
    return request.param


def one_output(w13=0.5, w23=-0.25, b3=0.1):
    net = Network([2, 1], ["sigmoid"], "cross_entropy")
    net.set_params([w13, w23, b3])
    return net


# -- by hand ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("ob", [0.0, 1.0, 0.3])
def test_a_hand_computed_step(backend, ob):
    """x = (1, 2), w13 = 0.5, w23 = −0.25, b3 = 0.1: net3 = 0.5 − 0.5 + 0.1 = 0.1, y3 = σ(0.1).
    L = −[ob log y + (1 − ob) log(1 − y)] with log y = −log(1 + e^−0.1) and
    log(1 − y) = −log(1 + e^0.1); δ3 = ob − y3; ∂L/∂w_i3 = −δ3 x_i; w ← w + η δ3 x."""
    net = one_output()
    y = 1.0 / (1.0 + math.exp(-0.1))                      # 0.52497918747894…
    L = ob * math.log(1 + math.exp(-0.1)) + (1 - ob) * math.log(1 + math.exp(0.1))
    assert L == pytest.approx({0.0: 0.7443966600735709, 1.0: 0.6443966600735709,
                               0.3: 0.7143966600735709}[ob], rel=1e-15)
    rec = net.step([1.0, 2.0], [ob], 0.5)
    assert rec.net(3) == pytest.approx(0.1, rel=1e-15)
    assert rec.out(3) == pytest.approx(y, rel=1e-15)
    assert rec.loss == pytest.approx(L, rel=1e-14)
    assert rec.delta(3) == pytest.approx(ob - y, rel=1e-14)
    assert rec.grad_weight(1, 3) == pytest.approx(-(ob - y) * 1.0, rel=1e-14)
    assert rec.grad_weight(2, 3) == pytest.approx(-(ob - y) * 2.0, rel=1e-14)
    assert rec.grad_bias(3) == pytest.approx(-(ob - y), rel=1e-14)
    assert net.weight(1, 3) == pytest.approx(0.5 + 0.5 * (ob - y) * 1.0, rel=1e-14)
    assert net.weight(2, 3) == pytest.approx(-0.25 + 0.5 * (ob - y) * 2.0, rel=1e-14)
    assert net.bias(3) == pytest.approx(0.1 + 0.5 * (ob - y), rel=1e-13)


def test_a_target_of_zero_teaches():
    """The old −Σ ob log y had ∂L/∂θ = 0 for ob = 0: such a sample pushed nothing down."""
    net = one_output()
    _, g = net.gradient([1.0, 2.0], [0.0])
    assert (np.abs(g) > 0.4).all()
    before = net.forward([1.0, 2.0])[0]
    net.step([1.0, 2.0], [0.0], 0.5)
    assert net.forward([1.0, 2.0])[0] < before


def test_only_sigmoid_outputs_get_the_binary_form():
    ce = LOSSES["cross_entropy"]
    from engine.activations import ACTIVATIONS
    assert isinstance(ce.for_output(ACTIVATIONS["sigmoid"]), BinaryCrossEntropy)
    assert ce.for_output(ACTIVATIONS["softmax"]) is ce
    assert Network([2, 2], ["softmax"], "cross_entropy").loss == "cross_entropy"
    assert Network([2, 2], ["sigmoid"], "cross_entropy").loss == "cross_entropy"


# -- against finite differences and the autograd ------------------------------------------------
CASES = [
    ([2, 3, 1], ["tanh", "sigmoid"], [[0.3, -0.7], [1.1, 0.4], [-0.5, 0.2]], [[0.0], [1.0], [0.0]]),
    ([2, 3, 2], ["sigmoid", "sigmoid"], [[0.9, -0.3]], [[1.0, 0.0]]),
    ([3, 4, 3, 2], ["tanh", "sigmoid", "sigmoid"], [[0.5, -1.0, 2.0], [0.1, 0.2, -0.3]],
     [[0.25, 1.0], [0.0, 0.6]]),
]


@pytest.mark.parametrize("sizes,acts,x,t", CASES)
def test_gradient_against_finite_differences_and_the_autograd(backend, sizes, acts, x, t):
    net = Network(sizes, acts, "cross_entropy", seed=11)
    rng = np.random.default_rng(5)
    net.set_params(net.get_params() + rng.uniform(-0.3, 0.3, net.n_params))
    gc = gradient_check(net, x, t)
    assert np.count_nonzero(np.abs(gc.analytic) > 1e-3) >= net.n_params // 2
    # relative 1e-6, or within the central difference's own rounding noise (tiny gradients)
    ok = fd_agrees(gc.analytic, gc.numeric, gc.loss)
    assert ok.all(), [lab for lab, good in zip(gc.labels, ok) if not good]
    big = np.abs(gc.analytic) > 1e-3
    assert (gc.rel_error[big] < 1e-7).all(), gc.mismatches(1e-7)
    ref = reference_for(net, x, t)
    loss, grad = net.gradient(x, t)
    assert close(loss, ref.loss).all(), (loss, ref.loss)
    assert close(grad, ref.grad).all()
    rec = net.step(x, t, 0.1, apply=False)
    L = len(sizes) - 1
    for k in net.layout.neurons(L):  # δ_k = ob_k − y_k, and the autograd's −∂L/∂net_k agrees
        assert rec.delta(k) == pytest.approx(rec.err(k), rel=1e-14, abs=1e-16)
        assert close(rec.delta(k), -len(x) * ref.nets[0][k].grad).all()


# -- stable where the outputs saturate -----------------------------------------------------------
@pytest.mark.parametrize("net3,ob,expected", [
    (800.0, 0.0, 800.0),                    # −log(1 − σ(800)) = softplus(800)
    (800.0, 1.0, math.exp(-800.0)),         # −log σ(800) = log(1 + e^−800) ≈ e^−800 (subnormal-free)
    (-800.0, 1.0, 800.0),
    (-800.0, 0.0, math.exp(-800.0)),
    (40.0, 1.0, math.log1p(math.exp(-40.0))),  # 4.2e−18: not lost to 40 + tiny − 40
    (-40.0, 0.25, 0.25 * (40.0 + math.log1p(math.exp(-40.0))) + 0.75 * math.log1p(math.exp(-40.0))),
])
def test_saturated_outputs_give_exact_finite_losses(backend, net3, ob, expected):
    net = Network([1, 1], ["sigmoid"], "cross_entropy")
    net.set_params([1.0, 0.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert net.loss_value([net3], [ob]) == pytest.approx(expected, rel=1e-14, abs=0)
        rec = net.step([net3], [ob], 0.1, apply=False)
        assert rec.loss == pytest.approx(expected, rel=1e-14, abs=0)
        assert rec.delta(2) == ob - rec.out(2)
        _, g = net.gradient([net3], [ob])
        assert np.isfinite(g).all()


def test_the_unrolled_lines_are_the_formula(monkeypatch):
    monkeypatch.setattr(engine.unrolled, "UNROLL_LIMIT", 10**6)
    net = Network([2, 1], ["sigmoid"], "cross_entropy")
    assert isinstance(net._backend(1), _Unrolled)
    text = engine.unrolled.kernel_for(net, 1, False).text
    assert "_log1p(_exp(-abs(net3_0)))" in text
    assert "d3_0 = ob3_0 - y3_0" in text
    monkeypatch.setattr(engine.unrolled, "UNROLL_LIMIT", 0)
    assert isinstance(Network([2, 1], ["sigmoid"], "cross_entropy")._backend(1), _Pass)


# -- XOR is learned --------------------------------------------------------------------------------
@pytest.mark.parametrize("batch_size", [None, 1])
def test_xor_is_learned(backend, batch_size):
    """The issue's network, 2–3–1 with tanh and a sigmoid output: with −Σ ob log y it ended
    with all four outputs ≈ 0.9995; with binary cross-entropy each is on its side of ½."""
    net = Network([2, 3, 1], ["tanh", "sigmoid"], "cross_entropy", seed=0)
    losses = net.train(XOR_X, XOR_T, 0.5, 3000 if batch_size is None else 8000, batch_size)
    y = net.forward(XOR_X)[:, 0]
    assert (y[[0, 3]] < 0.1).all() and (y[[1, 2]] > 0.9).all(), y
    assert losses[-1] < 0.05 * losses[0]


# -- the worked step -------------------------------------------------------------------------------
def test_the_worked_step_derives_binary_cross_entropy():
    net = one_output()
    rec = net.step([1.0, 2.0], [0.0], 0.5, apply=False)
    ex = Explainer(net, rec, 0, 3)
    loss_section = next(s for s in ex.document("t").sections if s.title == "Loss L")
    L = next(item for item in loss_section.items if isinstance(item, Equation) and item.lhs == "L")
    assert L.forms == (
        ("sym", "−Σ_{k} [ob_{k} log y_{k} + (1 − ob_{k}) log(1 − y_{k})]"),
        ("sym", "−[ob_{3} log y_{3} + (1 − ob_{3}) log(1 − y_{3})]"),
        ("num", "−[0.000 × log(0.525) + (1 − 0.000) × log(0.475)]"),
        ("res", "0.744"))
    assert reproduces(L.forms[2][1], "0.744")
    sec = ex.section(("n", 3))
    delta = next(i for i in sec.items if isinstance(i, Equation) and i.lhs == "δ_{3}")
    assert delta.forms == (("sym", "ob_{3} − y_{3}"), ("num", "0.000 − 0.525"), ("res", "−0.525"))
    notes = [i for i in sec.items if isinstance(i, str)]
    assert any("binary cross-entropy" in n and "$δ_{k} = ob_{k} − y_{k}$" in n for n in notes)
    # σ' cancels: the section does not compute a σ'(net3) that δ3 does not use
    assert not any(isinstance(i, Equation) and i.lhs.startswith("σ'") for i in sec.items)


def test_a_saturated_output_is_written_with_1_minus_y_from_net():
    """σ(20) shows as 1.000; log(1 − 1.000) would be log 0, so 1 − y3 is its own number."""
    net = Network([1, 1], ["sigmoid"], "cross_entropy")
    net.set_params([1.0, 0.0])
    rec = net.step([20.0], [0.0], 0.5, apply=False)
    ex = Explainer(net, rec, 0, 3)
    sec = next(s for s in ex.document("t").sections if s.title == "Loss L")
    L = next(item for item in sec.items if isinstance(item, Equation) and item.lhs == "L")
    num = L.forms[2][1]
    assert num.startswith("−[0.000 × log(1.000") and "(1 − 0.000) × log(2.06" in num
    assert "e−09" in num
    assert not L.approx and reproduces(num, L.forms[-1][1])
    assert L.value == pytest.approx(20.0 + math.log1p(math.exp(-20.0)), rel=1e-15)


def test_an_infinite_net_gives_the_limit_not_nan():
    """net = ±inf only comes from an overflow (and the step is then refused), but the loss shown
    is the limit: 0 for the right answer, inf for the wrong one, NaN only for a NaN net."""
    net = np.array([[np.inf, np.inf, -np.inf, -np.inf, np.nan, np.inf]])
    t = np.array([[1.0, 0.0, 0.0, 1.0, 1.0, 0.5]])
    with np.errstate(all="ignore"):
        terms = BinaryCrossEntropy._terms(net, t)
    assert terms[0, [0, 2]].tolist() == [0.0, 0.0]
    assert terms[0, [1, 3, 5]].tolist() == [math.inf] * 3
    assert math.isnan(terms[0, 4])
