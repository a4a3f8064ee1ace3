"""Changing a network's shape keeps every weight and bias whose neurons survive, initialises the
rest by the chosen scheme, and refuses shapes beyond the canvas's limits."""
from __future__ import annotations

import math

import numpy as np
import pytest

from engine import Network
from engine import architecture as arch


def notes():
    net = Network([2, 2, 3], ["relu", "linear"], seed=3)
    net.set_params(np.arange(1, net.n_params + 1) / 10)  # every value tells where it was
    net.freeze_weight(3, 5)
    return net


def values(net):
    """{(kind, i-label, j-label): value}, with neurons named by (layer, position)."""
    lay = net.layout
    out = {}
    for p in net.parameters():
        j = lay.locate(p.j)
        i = lay.locate(p.i) if p.kind == "w" else None
        out[(p.kind, i, j)] = (net.theta[p.index], bool(net.frozen[p.index]))
    return out


def test_adding_a_neuron_keeps_every_old_parameter():
    old = notes()
    new = arch.add_neuron(old, 1, init="zeros")
    assert new.sizes == (2, 3, 3)
    before, after = values(old), values(new)
    for key, v in before.items():
        assert after[key] == v, key
    fresh = set(after) - set(before)
    assert fresh and all(after[k] == (0.0, False) for k in fresh)  # zeros: the new neuron's
    np.testing.assert_array_equal(old.theta, notes().theta)  # the old network is untouched


def test_removing_a_neuron_moves_the_next_ones_up_with_their_parameters():
    old = notes()
    new = arch.remove_neuron(old, 5)  # y5: y6, y7 become the new y5, y6
    assert new.sizes == (2, 2, 2)
    assert new.weight(3, 5) == old.weight(3, 6) and new.bias(6) == old.bias(7)
    assert new.weight(4, 6) == old.weight(4, 7)
    assert not new.is_weight_frozen(3, 5)  # w35 went with y5
    with pytest.raises(ValueError, match="last neuron"):
        arch.remove_neuron(Network([2, 1, 1]), 3)


def test_a_new_layer_keeps_the_far_weights_and_connects_afresh():
    old = notes()
    new = arch.add_layer(old, 2, size=4, activation="tanh", init="he", seed=1)
    assert new.sizes == (2, 2, 4, 3) and new.activations == ("relu", "tanh", "linear")
    assert new.weight(1, 3) == old.weight(1, 3) and new.bias(3) == old.bias(3)
    # the outputs are now neurons 9, 10, 11: their biases survive, their weights are new
    assert new.bias(9) == old.bias(5)
    limit = math.sqrt(6 / 4)
    w = [new.weight(i, 9) for i in (5, 6, 7, 8)]
    assert all(abs(v) <= limit for v in w) and len(set(w)) == 4
    back = arch.remove_layer(new, 2)
    assert back.sizes == old.sizes and back.weight(1, 3) == old.weight(1, 3)


def test_activation_and_loss_changes_keep_every_parameter():
    old = notes()
    for new in (arch.set_activation(old, 1, "tanh"), arch.set_loss(
            arch.set_activation(old, 2, "sigmoid"), "cross_entropy")):
        np.testing.assert_array_equal(new.theta, old.theta)
        np.testing.assert_array_equal(new.frozen, old.frozen)
    with pytest.raises(ValueError, match="output layer only"):
        arch.set_activation(old, 1, "softmax")
    with pytest.raises(ValueError, match="cross_entropy"):
        arch.set_loss(old, "cross_entropy")  # linear outputs


@pytest.mark.parametrize("init", arch.INITS)
def test_initialisations_are_seeded_and_keep_biases_zero(init):
    a = arch.init_weights([3, 5, 2], init, seed=7, a=0.3)
    assert np.array_equal(a, arch.init_weights([3, 5, 2], init, seed=7, a=0.3))
    net = Network([3, 5, 2])
    net.set_params(a)
    assert all(net.bias(j) == 0 for j in range(4, 11))
    w = np.array([net.weight(p.i, p.j) for p in net.parameters() if p.kind == "w"])
    bound = {"glorot": math.sqrt(6 / 8), "he": math.sqrt(6 / 3), "uniform": 0.3, "zeros": 0}
    assert np.all(np.abs(w[:15]) <= bound[init] + 1e-12)
    assert (w == 0).all() == (init == "zeros")
    with pytest.raises(ValueError, match="unknown initialisation"):
        arch.init_weights([2, 2], "xavier")


def test_limits_keep_the_canvas_legible():
    net = Network([2] + [3] * arch.MAX_HIDDEN_LAYERS + [1])
    with pytest.raises(ValueError, match=f"at most {arch.MAX_HIDDEN_LAYERS} hidden layers"):
        arch.add_layer(net, 1)
    wide = Network([2, arch.MAX_NEURONS, 1])
    with pytest.raises(ValueError, match=f"at most {arch.MAX_NEURONS} neurons"):
        arch.add_neuron(wide, 1)
