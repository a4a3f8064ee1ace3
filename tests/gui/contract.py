"""The display contract as a check: every number on the canvas (and the status bar's L) equals a
fresh forward and backward pass, computed here from a copy of the network, at the parameters the
canvas shows. Used after single actions and after long random sequences of them."""
from __future__ import annotations

import numpy as np

from engine import Network
from gui.style import fmt


def fresh_pass(controller):
    """(batch record, shown sample's record, its row): the next Step at the current parameters,
    computed on a copy of the network, nothing taken from the controller's own records."""
    net = controller.network.copy()
    n = len(controller.inputs)
    idx = Network.batch_indices(n, controller.batch_size, controller.step_count)
    rec = net.step(controller.inputs[idx], controller.targets[idx], controller.lr, apply=False)
    hit = np.flatnonzero(idx == controller.sample)
    if len(hit):
        return rec, rec, int(hit[0])
    s = slice(controller.sample, controller.sample + 1)
    return rec, net.step(controller.inputs[s], controller.targets[s], controller.lr,
                         apply=False), 0


def assert_canvas_shows_one_state(view, controller, status_loss=None):
    """No phase walk in progress, derivatives shown and nothing concealed: the canvas, and the
    status bar's L text when given, belong to the state the controller holds."""
    assert controller.walk is None
    rec, srec, s = fresh_pass(controller)
    d = view.decimals
    net = controller.network
    lay = net.layout
    for (i, j), edge in view.connections.items():
        assert edge.weight == net.weight(i, j), (i, j)
    for j, neuron in view.neurons.items():
        layer = lay.locate(j)[0]
        if layer == 0:
            assert neuron.value_text() == fmt(controller.inputs[controller.sample, j - 1], d)
            continue
        assert neuron.value_text() == fmt(srec.out(j, s), d), f"y{j}"
        if view.show_derivatives and not view.concealed:
            assert neuron.note.text() == f"δ{j} = {fmt(srec.delta(j, s), d)}", f"δ{j}"
    for key, label in view.labels.items():
        kind = key[0]
        if kind == "w":
            assert label.text() == f"{controller.label(key)} = {fmt(net.weight(*key[1:]), d)}"
            second = f"∂L/∂w = {fmt(rec.grad_weight(*key[1:]), d)}"
        elif kind == "b":
            assert label.text() == f"b{key[1]} = {fmt(net.bias(key[1]), d)}"
            second = f"∂L/∂b = {fmt(rec.grad_bias(key[1]), d)}"
        elif kind == "ob":
            assert key[1] == controller.sample
            k = key[2]
            value = controller.targets[key[1], lay.locate(k)[1]]
            assert label.text() == f"ob{k} = {fmt(value, d)}"
            second = f"Err{k} = {fmt(srec.err(k, s), d)}"
        else:
            assert key[1] == controller.sample
            assert label.text() == f"x{key[2]} = {fmt(controller.inputs[key[1], key[2] - 1], d)}"
            second = None
        if view.show_derivatives and not view.concealed:
            assert label.derivative_text() == second, key
    if status_loss is not None:
        assert status_loss == f"L = {fmt(rec.loss, 6)}"
