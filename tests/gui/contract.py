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
    idx = Network.batch_indices(n, controller.batch_size, controller.step_count,
                                controller.shuffle_seed)
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
        lines = [f"net{j} = {fmt(srec.net(j, s), d)}"] if view.show_net else []
        if view.show_derivatives and not view.concealed:
            lines.append(f"δ{j} = {fmt(srec.delta(j, s), d)}")
        assert neuron.note.text() == ("\n".join(lines) or None), f"net{j}, δ{j}"
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
            name = controller.input_names()[key[2] - 1]  # x1, x2, or a feature: x1², sin x1
            assert label.text() == f"{name} = {fmt(controller.inputs[key[1], key[2] - 1], d)}"
            second = None
        if view.show_derivatives and not view.concealed:
            assert label.derivative_text() == second, key
    if status_loss is not None:
        assert status_loss == f"L = {fmt(rec.loss, 6)}"


def snapshot(controller):
    """Everything undo and redo must bring back, as comparable bytes and numbers."""
    c, h = controller, controller.history
    n = h.n_buckets
    return (c.network.sizes, c.network.activations, c.network.loss,
            c.network.theta.tobytes(), c.network.frozen.tobytes(), c.inputs.tobytes(),
            c.targets.tobytes(), c.test_inputs.tobytes(), c.test_targets.tobytes(),
            c.features, c.test_ratio, c.split_seed, c.shuffle_seed, c.generator,
            c.lr, c.batch_size, c.network.update_order, c.seed,
            c.step_count, h.start, h.n_steps, h.stride,
            h.lo[:n].tobytes(), h.hi[:n].tobytes(), h.last[:n].tobytes())


def assert_training_consistent(controller):
    """The state machine: a timer runs exactly while a run is open and the trainer says so; the
    history always ends at the step count."""
    c = controller
    assert c.trainer.timer.isActive() == c.training == (c._run is not None)
    # a past step shown on the timeline: the history still ends at the latest step
    latest = c.step_count if c.viewing is None else c.timeline_range()[1]
    assert c.history.step_count == latest
    assert c.viewing is None or not c.training


def assert_undo_redo_is_identity(controller):
    """Undo everything, then redo everything: the same state, bit for bit."""
    c = controller
    assert not c.training
    if c.viewing is not None:  # Undo leaves a past step shown on the timeline first
        c.show_step(c.timeline_range()[1])
    end = snapshot(c)
    stack = c.undo_stack
    n = stack.index()
    while stack.canUndo():
        c.undo()
    assert_training_consistent(c)
    for _ in range(n):
        c.redo()
    assert stack.index() == n
    assert snapshot(c) == end


def assert_commands_replay(controller, checked=None):
    """Every Step and training run on the undo stack is what the engine does from its state
    before: train its steps from there and get, bit for bit, its state after — so no command
    holds steps that ran with other settings (an edit, an undo in the middle of a run).
    ``checked``, a dict kept by the caller, skips the commands already checked."""
    from gui.commands import StateCommand

    stack = controller.undo_stack
    for i in range(stack.count()):
        cmd = stack.command(i)
        if not (isinstance(cmd, StateCommand) and cmd.text().startswith(("Train", "Step"))):
            continue
        if checked is not None:
            if id(cmd) in checked:
                continue
            checked[id(cmd)] = cmd  # kept alive, so its id is not reused
        b, a = cmd.before, cmd.after
        net = controller.network.copy()
        net.restore((b.theta, b.frozen))
        net.update_order = b.order
        k = a.step_count - b.step_count
        assert k >= 1, cmd.text()
        net.train(b.data.inputs, b.data.targets, b.lr, k, b.batch_size, start=b.step_count,
                  shuffle_seed=b.data.shuffle_seed)
        assert net.theta.tobytes() == a.theta.tobytes(), f"command {i}: {cmd.text()}"
        assert a.history.step_count == a.step_count
