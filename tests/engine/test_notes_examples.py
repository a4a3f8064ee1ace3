"""The founding notes' two worked cases, number by number.

The notes' net is 2-2-3 (x1, x2 -> y3, y4 -> y5, y6, y7), ReLU hidden layer, L = ½Σ(ob_k − y_k)².
Every expected value below is computed by hand-written formulas in this file (and a few are
also pinned to the decimal numbers one gets on paper), never by calling engine internals.

The notes contain two slips that the engine must NOT reproduce: one update written without η,
and dL/dw24 written with −δ7·w47 where the chain rule gives +δ7·w47. The last tests show the
engine's numbers differ from the slipped versions.
"""
import pytest

from engine import Network

X1, X2 = 0.6, -0.4
OB5, OB6, OB7 = 0.5, 0.0, 0.3
ETA = 0.5

W13, W23, B3 = 0.15, -0.2, 0.1
W14, W24, B4 = 0.3, 0.25, 0.05
W35, W45, B5 = 0.4, -0.3, 0.1
W36, W46, B6 = -0.5, 0.2, 0.0
W37, W47, B7 = 0.6, 0.45, -0.05

TIGHT = dict(rel=1e-12, abs=1e-15)

ALL_15 = ["w13", "w14", "w23", "w24", "b3", "b4",
          "w35", "w36", "w37", "w45", "w46", "w47", "b5", "b6", "b7"]


def relu(v):
    return v if v > 0 else 0.0


def relu_prime(v):
    return 1.0 if v > 0 else 0.0  # ReLU'(0) = 0


def notes_net(output_activation):
    net = Network([2, 2, 3], activations=["relu", output_activation], loss="half_sse", seed=0)
    for (i, j), v in {(1, 3): W13, (2, 3): W23, (1, 4): W14, (2, 4): W24,
                      (3, 5): W35, (4, 5): W45, (3, 6): W36, (4, 6): W46,
                      (3, 7): W37, (4, 7): W47}.items():
        net.set_weight(i, j, v)
    for j, v in {3: B3, 4: B4, 5: B5, 6: B6, 7: B7}.items():
        net.set_bias(j, v)
    return net


def hand_computation(output_activation):
    """The notes' worked case written out; returns every intermediate and the 15 new params."""
    h = {}
    # forward
    h["net3"] = X1 * W13 + X2 * W23 + B3
    h["net4"] = X1 * W14 + X2 * W24 + B4
    h["y3"] = relu(h["net3"])
    h["y4"] = relu(h["net4"])
    y3, y4 = h["y3"], h["y4"]
    h["net5"] = y3 * W35 + y4 * W45 + B5
    h["net6"] = y3 * W36 + y4 * W46 + B6
    h["net7"] = y3 * W37 + y4 * W47 + B7
    if output_activation == "linear":
        f, f_prime = (lambda v: v), (lambda v: 1.0)
    else:
        f, f_prime = relu, relu_prime
    h["y5"], h["y6"], h["y7"] = f(h["net5"]), f(h["net6"]), f(h["net7"])
    h["err5"] = OB5 - h["y5"]
    h["err6"] = OB6 - h["y6"]
    h["err7"] = OB7 - h["y7"]
    h["loss"] = 0.5 * (h["err5"] ** 2 + h["err6"] ** 2 + h["err7"] ** 2)
    # output deltas: δ_k = Err_k · f'(net_k)
    d5 = h["delta5"] = h["err5"] * f_prime(h["net5"])
    d6 = h["delta6"] = h["err6"] * f_prime(h["net6"])
    d7 = h["delta7"] = h["err7"] * f_prime(h["net7"])
    # hidden deltas, from the weights BEFORE the update (simultaneous)
    d3 = h["delta3"] = (d5 * W35 + d6 * W36 + d7 * W37) * relu_prime(h["net3"])
    d4 = h["delta4"] = (d5 * W45 + d6 * W46 + d7 * W47) * relu_prime(h["net4"])
    # the updates: w_ij ← w_ij + η δ_j y_i, b_j ← b_j + η δ_j
    h["new"] = {
        "w13": W13 + ETA * d3 * X1,
        "w23": W23 + ETA * d3 * X2,
        "b3": B3 + ETA * d3,
        "w14": W14 + ETA * d4 * X1,
        "w24": W24 + ETA * d4 * X2,
        "b4": B4 + ETA * d4,
        "w35": W35 + ETA * d5 * y3,
        "w45": W45 + ETA * d5 * y4,
        "b5": B5 + ETA * d5,
        "w36": W36 + ETA * d6 * y3,
        "w46": W46 + ETA * d6 * y4,
        "b6": B6 + ETA * d6,
        "w37": W37 + ETA * d7 * y3,
        "w47": W47 + ETA * d7 * y4,
        "b7": B7 + ETA * d7,
    }
    # gradients ∂L/∂w_ij = −δ_j y_i, ∂L/∂b_j = −δ_j
    h["grad"] = {
        "w13": -d3 * X1, "w23": -d3 * X2, "b3": -d3,
        "w14": -d4 * X1, "w24": -d4 * X2, "b4": -d4,
        "w35": -d5 * y3, "w45": -d5 * y4, "b5": -d5,
        "w36": -d6 * y3, "w46": -d6 * y4, "b6": -d6,
        "w37": -d7 * y3, "w47": -d7 * y4, "b7": -d7,
    }
    return h


def params_by_label(net):
    theta = net.get_params()
    return {p.label: float(theta[p.index]) for p in net.parameters()}


@pytest.fixture(params=["linear", "relu"])
def case(request):
    act = request.param
    net = notes_net(act)
    rec = net.step([X1, X2], [OB5, OB6, OB7], ETA)
    return act, net, rec, hand_computation(act)


def test_hand_formulas_give_the_paper_numbers():
    """Guards the formulas above against typos: the values one gets with pencil and paper."""
    lin = hand_computation("linear")
    assert lin["net3"] == pytest.approx(0.27)
    assert lin["net4"] == pytest.approx(0.13)
    assert lin["net5"] == pytest.approx(0.169)
    assert lin["net6"] == pytest.approx(-0.109)
    assert lin["net7"] == pytest.approx(0.1705)
    assert (lin["err5"], lin["err6"], lin["err7"]) == pytest.approx((0.331, 0.109, 0.1295))
    assert lin["delta3"] == pytest.approx(0.1556)
    assert lin["delta4"] == pytest.approx(-0.019225)
    assert lin["new"]["w13"] == pytest.approx(0.19668)
    assert lin["new"]["w24"] == pytest.approx(0.253845)
    assert lin["new"]["b6"] == pytest.approx(0.0545)
    rl = hand_computation("relu")
    assert rl["y6"] == 0.0 and rl["delta6"] == 0.0
    assert rl["delta3"] == pytest.approx(0.2101)
    assert rl["delta4"] == pytest.approx(-0.041025)


def test_forward_values_match_hand_computation(case):
    act, net, rec, h = case
    for j in (3, 4, 5, 6, 7):
        assert rec.net(j) == pytest.approx(h[f"net{j}"], **TIGHT), f"net{j}"
        assert rec.out(j) == pytest.approx(h[f"y{j}"], **TIGHT), f"y{j}"
    assert rec.out(1) == X1 and rec.out(2) == X2
    assert rec.loss == pytest.approx(h["loss"], **TIGHT)


def test_errors_and_deltas_match_hand_computation(case):
    act, net, rec, h = case
    for k in (5, 6, 7):
        assert rec.err(k) == pytest.approx(h[f"err{k}"], **TIGHT), f"Err{k}"
    for j in (3, 4, 5, 6, 7):
        assert rec.delta(j) == pytest.approx(h[f"delta{j}"], **TIGHT), f"delta{j}"


def test_linear_outputs_delta_equals_err():
    net = notes_net("linear")
    rec = net.step([X1, X2], [OB5, OB6, OB7], ETA)
    for k in (5, 6, 7):
        assert rec.delta(k) == pytest.approx(rec.err(k), **TIGHT)
        assert rec.delta(k) != 0.0


def test_relu_outputs_y6_is_zero_so_delta6_is_zero_and_w36_w46_b6_stay():
    net = notes_net("relu")
    rec = net.step([X1, X2], [OB5, OB6, OB7], ETA)
    assert rec.net(6) < 0
    assert rec.out(6) == 0.0
    assert rec.delta(6) == 0.0
    assert rec.grad_weight(3, 6) == 0.0 and rec.grad_weight(4, 6) == 0.0
    assert rec.grad_bias(6) == 0.0
    assert net.weight(3, 6) == W36 and net.weight(4, 6) == W46 and net.bias(6) == B6
    # while y5 and y7 are positive, so δ5 = Err5 and δ7 = Err7
    assert rec.delta(5) == pytest.approx(OB5 - rec.out(5), **TIGHT)
    assert rec.delta(7) == pytest.approx(OB7 - rec.out(7), **TIGHT)


def test_gradients_match_hand_computation(case):
    act, net, rec, h = case
    for p in net.parameters():
        got = rec.grad_bias(p.j) if p.kind == "b" else rec.grad_weight(p.i, p.j)
        assert got == pytest.approx(h["grad"][p.label], **TIGHT), p.label


def test_all_15_parameters_after_the_step(case):
    act, net, rec, h = case
    after = params_by_label(net)
    assert sorted(after) == sorted(ALL_15)
    for label in ALL_15:
        assert after[label] == pytest.approx(h["new"][label], **TIGHT), label
    # the accessors agree with the flat vector
    assert net.weight(1, 3) == after["w13"] and net.weight(2, 4) == after["w24"]
    assert net.weight(3, 5) == after["w35"] and net.bias(6) == after["b6"]
    assert net.bias(3) == after["b3"]


def test_record_holds_values_before_the_update(case):
    act, net, rec, h = case
    # the net changed, but the record still shows the forward pass of the old weights
    assert net.weight(3, 5) != W35
    assert rec.net(5) == pytest.approx(0.169)
    after_forward = net.forward([X1, X2])
    assert after_forward[0] != pytest.approx(rec.out(5), rel=1e-6)


@pytest.mark.parametrize("act", ["linear", "relu"])
def test_update_uses_eta_everywhere(act):
    """Slip 1: every parameter moves by η·δ_j·y_i (η = 0.5), never by δ_j·y_i."""
    net = notes_net(act)
    before = params_by_label(net)
    rec = net.step([X1, X2], [OB5, OB6, OB7], ETA)
    after = params_by_label(net)
    moved = 0
    for p in net.parameters():
        y_i = 1.0 if p.kind == "b" else rec.out(p.i)
        step_without_eta = rec.delta(p.j) * y_i
        change = after[p.label] - before[p.label]
        assert change == pytest.approx(ETA * step_without_eta, rel=1e-12, abs=1e-15), p.label
        if step_without_eta != 0.0:
            moved += 1
            assert change != pytest.approx(step_without_eta, rel=1e-3), p.label
    assert moved >= 12  # the check above had teeth for (nearly) every parameter


@pytest.mark.parametrize("act", ["linear", "relu"])
def test_dw24_uses_plus_delta7_w47(act):
    """Slip 2: dL/dw24 = −δ4 x2 with δ4 = (δ5 w45 + δ6 w46 + δ7 w47)·ReLU'(net4) — +δ7 w47."""
    net = notes_net(act)
    rec = net.step([X1, X2], [OB5, OB6, OB7], ETA)
    d5, d6, d7 = rec.delta(5), rec.delta(6), rec.delta(7)
    relu4 = relu_prime(rec.net(4))
    assert relu4 == 1.0
    right = (d5 * W45 + d6 * W46 + d7 * W47) * relu4
    slipped = (d5 * W45 + d6 * W46 - d7 * W47) * relu4
    assert rec.delta(4) == pytest.approx(right, **TIGHT)
    assert rec.delta(4) != pytest.approx(slipped, rel=1e-3)
    assert rec.grad_weight(2, 4) == pytest.approx(-right * X2, **TIGHT)
    assert rec.grad_weight(2, 4) != pytest.approx(-slipped * X2, rel=1e-3)
    # and the same −δ_j y_i convention for every weight: the update is −η·∂L/∂w
    assert net.weight(2, 4) == pytest.approx(W24 - ETA * rec.grad_weight(2, 4), **TIGHT)
    assert net.weight(2, 4) == pytest.approx(W24 + ETA * right * X2, **TIGHT)
